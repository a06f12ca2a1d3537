"""Each message gets exactly one outcome, and every health reply ends with the disclaimer."""

from __future__ import annotations

import pytest

from bot.config import DEFAULT_DISCLAIMER
from bot.responder import HEALTH_KINDS, Responder


@pytest.mark.parametrize("text, entry_id", [
    ("what is a gluteal cramp", "what-is-gluteal-cramp"),
    ("Wat causes buttcramps??", "causes"),
    ("how much water should i drink daily", "hydration"),
    ("can a trapped nerve in my back give me bum cramps", "cause-nerve"),
    ("glutes tight after my workout", "symptoms"),
    ("charlie horse in my butt what do i do", "quick-relief"),
    ("hi, why do my glutes cramp", "causes"),
    ("hwo much watter shoud i drink", "hydration"),
    ("how much water shuld i drink", "hydration"),
    ("bum crmp at nite", "when-cramps-happen"),
    ("magnisium defficiency cramps", "cause-minerals"),
])
def test_answers_in_scope_questions(responder: Responder, text: str, entry_id: str) -> None:
    reply = responder.respond(text)
    assert (reply.kind, reply.entry_id) == ("answer", entry_id)
    assert reply.heading.endswith("?")
    assert reply.related, "every answer offers follow-ups"


@pytest.mark.parametrize("text", [
    "what causes migraines", "where is the liver", "how do I treat a sprained ankle",
    "how do I lower my blood pressure", "symptoms of diabetes", "how much protein do I need",
    "what is the capital of Peru", "asdfghjkl", "how much sleep do i need", "best pizza in town",
])
def test_out_of_scope_questions_fall_back(responder: Responder, text: str) -> None:
    reply = responder.respond(text)
    assert reply.kind == "fallback"
    assert "gluteal (buttock) muscle cramps" in reply.text
    assert reply.show_topics and "Causes" in reply.topics


def test_vague_message_offers_candidates(responder: Responder) -> None:
    reply = responder.respond("glute cramp info")
    assert reply.kind == "clarify"
    assert 2 <= len(reply.suggestions) <= 3
    assert "Did you mean" in reply.text
    assert all(s.title in reply.text for s in reply.suggestions)


@pytest.mark.parametrize("text, intent_words", [
    ("hi", "Hello"), ("thanks a lot!", "welcome"), ("bye", "Take care"),
    ("who are you", "not a doctor"), ("what can you do?", "Ask me"), ("helo", "Hello"),
    ("cheers mate, that helped a lot", "welcome"), ("ok bye then", "Take care"), ("hi, is anyone there?", "Hello"),
    ("hello, what can you do", "Ask me"), ("thank you very much sir", "welcome"),
    ("thx m8", "welcome"), ("k", "welcome"), ("hey bot what can u do", "Ask me"), ("weird. thx bye", "Take care"),
    ("lol fine. thanks", "welcome"), ("thank you very much my friend", "welcome"), ("ok that worked thanks", "welcome"),
    ("are you a doctor or a bot?", "not a doctor"), ("hi, is this the cramp bot", "not a doctor"),
])
def test_smalltalk(responder: Responder, text: str, intent_words: str) -> None:
    reply = responder.respond(text)
    assert reply.kind == "smalltalk"
    assert intent_words in reply.text
    assert reply.disclaimer == ""


@pytest.mark.parametrize("text", ["thanks, my glute still cramps", "thanks but it didn't help",
                                  "thanks, what about at night", "would a sports drink have helped"])
def test_thanks_beside_a_question_or_a_subject_is_not_small_talk(responder: Responder, text: str) -> None:
    assert responder.respond(text).kind != "smalltalk"


@pytest.mark.parametrize("text", [
    "what is a gluteal cramp", "glute cramp info", "what causes migraines", "my chest hurts", "", "   ",
    "🙂", "<b>hi</b> why cramps", "x" * 10_000,
])
def test_health_replies_end_with_the_disclaimer(responder: Responder, text: str) -> None:
    reply = responder.respond(text)
    assert reply.kind in HEALTH_KINDS
    assert reply.text.endswith(DEFAULT_DISCLAIMER)


def test_empty_message_gets_a_reply(responder: Responder) -> None:
    reply = responder.respond("?!")
    assert reply.kind == "fallback"
    assert "didn't catch" in reply.text


def test_button_answer_is_a_full_answer(responder: Responder) -> None:
    reply = responder.answer("see-doctor")
    assert reply.kind == "answer" and reply.entry_id == "see-doctor"
    assert "doctor" in reply.body
    assert reply.text.endswith(DEFAULT_DISCLAIMER)


@pytest.mark.parametrize("text", ["apart from the statins, what causes glute cramps",
                                  "ignoring the pregnancy bit, what causes glute cramps"])
def test_what_is_set_aside_is_not_asked(responder: Responder, text: str) -> None:
    assert responder.respond(text).entry_ids == ("causes",)
    assert responder.respond("what causes glute cramps in pregnancy").kind == "fallback"
