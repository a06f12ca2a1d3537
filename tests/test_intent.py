"""The intent model: example messages teach the bot posts that matching alone cannot place."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.classifier import trained_model
from bot.intent import IntentModel
from bot.knowledge import Knowledge
from bot.responder import Responder

ROOT = Path(__file__).resolve().parent.parent


def test_a_story_in_everyday_words_is_led_by_the_entry_its_examples_teach(responder: Responder) -> None:
    # Since stop 29 "is it all the walking?" reads as "is it caused by the walking?": the causes,
    # the exercise one or the overview of all four, answered or offered first.
    reply = responder.respond("Postman here, my arse seizes up near the end of my round every day. "
                              "Is it all the walking?")
    assert (reply.entry_id or reply.suggestions[0].entry_id) in ("cause-exercise", "causes")


def test_a_question_no_article_answers_is_declined_though_matching_found_an_entry(responder: Responder) -> None:
    reply = responder.respond("Got a Theragun for my glutes after pilates. Which attachment and speed "
                              "should I use, and how long per side?")
    assert reply.kind == "fallback"
    assert reply.text.endswith(responder.config.texts.disclaimer)


@pytest.mark.parametrize("question, follow_up, entry_id", [
    # meaning little on its own, it is not declined
    ("how much water should i drink to stop glute cramps", "what's that in litres?", "hydration"),
    # read with the answer it follows: after prevention, "if they don't stop" means a doctor
    ("how do i prevent glute cramps", "and if they still don't stop?", "see-doctor"),
    # in everyday words, about the answer before
    ("what does a glute cramp feel like", "is that bad", "see-doctor"),
])
def test_a_follow_up_is_read_with_the_answer_it_follows(responder: Responder, question: str, follow_up: str,
                                                        entry_id: str) -> None:
    first = responder.respond(question)
    reply = responder.respond(follow_up, first.conversation)
    assert reply.kind == "answer" and reply.entry_id == entry_id


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


def test_the_intent_models_cache_key_is_the_same_in_every_process(tmp_path: Path) -> None:
    """A set's order changes with the process's hash seed; a key built from it would refit the
    model on every start."""
    build = ("from pathlib import Path; from bot.knowledge import load_knowledge; from bot.matcher import Matcher; "
             "from bot.intent import IntentModel; k = load_knowledge(Path('knowledge')); IntentModel(k, Matcher(k))")
    for seed in ("1", "2"):
        environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", build], cwd=ROOT, env=environment, check=True)
    assert len(list((tmp_path / "health-faq-bot").glob("intent-*.npz"))) == 1


def test_the_cache_keeps_only_the_models_used_last(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    texts, labels = ["water a day", "what causes it"], ["hydration", "causes"]
    for version in range(10):
        trained_model("intent", version, texts, labels, 1.0, str.split)
    assert len(list((tmp_path / "health-faq-bot").glob("intent-*.npz"))) == 8

    def refit(text: str) -> list[str]:
        raise AssertionError("the model was fitted again instead of read back")

    an_hour_ago = time.time() - 3600
    for saved in (tmp_path / "health-faq-bot").glob("intent-*.npz"):
        os.utime(saved, (an_hour_ago, an_hour_ago))
    trained_model("intent", 2, texts, labels, 1.0, refit)  # kept, and used again now
    trained_model("intent", 10, texts, labels, 1.0, str.split)
    trained_model("intent", 2, texts, labels, 1.0, refit)  # still kept: used after the others were made


def test_the_second_of_two_questions_is_answered_when_both_readers_agree(responder: Responder) -> None:
    reply = responder.respond("what sets off bum cramps, and can i make one let go fast?")
    assert reply.kind == "answer" and set(reply.entry_ids) == {"causes", "quick-relief"}
