"""The intent model: example messages teach the bot posts that matching alone cannot place."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.classifier import trained_model
from bot.intent import IntentModel
from bot.knowledge import Knowledge
from bot.responder import Responder


def test_a_story_in_everyday_words_is_answered_from_the_entry_its_examples_teach(responder: Responder) -> None:
    reply = responder.respond("Postman here, my arse seizes up near the end of my round every day. "
                              "Is it all the walking?")
    assert reply.kind == "answer" and reply.entry_id == "cause-exercise"


def test_a_question_no_article_answers_is_declined_though_matching_found_an_entry(responder: Responder) -> None:
    reply = responder.respond("Got a Theragun for my glutes after pilates. Which attachment and speed "
                              "should I use, and how long per side?")
    assert reply.kind == "fallback"
    assert reply.text.endswith(responder.config.texts.disclaimer)


def test_a_follow_up_is_not_declined_for_meaning_little_on_its_own(responder: Responder) -> None:
    first = responder.respond("how much water should i drink to stop glute cramps")
    reply = responder.respond("what's that in litres?", first.conversation)
    assert reply.kind == "answer" and reply.entry_id == "hydration"


def test_a_follow_up_is_read_with_the_answer_it_follows(responder: Responder) -> None:
    first = responder.respond("how do i prevent glute cramps")
    reply = responder.respond("and if they still don't stop?", first.conversation)
    assert reply.kind == "answer" and reply.entry_id == "see-doctor"


def test_a_follow_up_about_something_else_is_not_read_as_the_article(responder: Responder) -> None:
    first = responder.respond("what causes glute cramps")
    assert responder.respond("what causes migraines", first.conversation).kind == "fallback"


def test_the_intent_model_read_back_from_the_cache_gives_the_same_answers(
        knowledge: Knowledge, responder: Responder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    trained = IntentModel(knowledge, responder.matcher)
    assert list((tmp_path / "health-faq-bot").glob("intent-*.npz"))
    read_back = IntentModel(knowledge, responder.matcher)
    assert read_back.model is not trained.model
    text = "my bum cramps every time i cycle up a hill, why"
    assert trained.read(text) == read_back.read(text)


def test_the_cache_keeps_only_the_newest_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    for version in range(10):
        trained_model("intent", version, ["water a day", "what causes it"], ["hydration", "causes"], 1.0, str.split)
    assert len(list((tmp_path / "health-faq-bot").glob("intent-*.npz"))) == 8
