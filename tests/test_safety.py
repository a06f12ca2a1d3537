"""Red flags win over everything; negations and ordinary cramp talk do not raise them."""

from __future__ import annotations

import pytest

from bot.config import DEFAULT_CRISIS, DEFAULT_EMERGENCY
from bot.knowledge import Knowledge
from bot.responder import Responder
from bot.safety import find_red_flag


@pytest.mark.parametrize("text, flag", [
    ("I have numbness in my groin", "saddle-numbness"),
    ("my inner thighs feel numb and tingly", "saddle-numbness"),
    ("I can't control my bladder since this morning", "bladder-bowel-control"),
    ("I wet myself and my back hurts", "bladder-bowel-control"),
    ("my left leg suddenly went weak", "sudden-leg-weakness"),
    ("I cant feel my legs", "sudden-leg-weakness"),
    ("my calf is swollen, hot and red", "hot-swollen-leg"),
    ("after the marathon my pee is dark brown and my muscles ache", "dark-urine"),
    ("my urine looks like cola after the gym", "dark-urine"),
    ("my pee is the colour of cola after running", "dark-urine"),
    ("my urine is tea coloured", "dark-urine"),
    ("crushing chest pain", "chest-pain"),
    ("I think I'm having a heart attack", "chest-pain"),
    ("I can't breathe", "trouble-breathing"),
    ("I fainted after my workout", "fainting"),
    ("his face is drooping", "stroke-signs"),
    ("my speech is slurred", "stroke-signs"),
    ("I think my dad is having a stroke", "stroke-signs"),
    ("I fell down the stairs and now I can't walk", "injury-cannot-walk"),
    ("I want to kill myself", "self-harm"),
    ("i don't want to live anymore", "self-harm"),
])
def test_red_flags_are_raised(knowledge: Knowledge, text: str, flag: str) -> None:
    found = find_red_flag(text, knowledge.red_flags, knowledge.vocabulary)
    assert found is not None and found.id == flag


@pytest.mark.parametrize("text", [
    "no numbness in my groin, just a cramp", "I don't have chest pain", "my leg is not swollen",
    "my butt cramps after squats", "my glute spasms when I run", "a hard lump in my bum",
    "can you get butt cramps at night", "without any numbness or tingling in the groin",
    "how much water should I drink", "my urine is clear", "my buttock is tight after leg day",
    "no chest pain, no trouble breathing, just a cramp",
    "what causes a stroke", "is a heart attack hereditary",
])
def test_negations_and_cramp_talk_are_not_red_flags(knowledge: Knowledge, text: str) -> None:
    assert find_red_flag(text, knowledge.red_flags, knowledge.vocabulary) is None


def test_a_negation_reaches_only_its_own_clause(knowledge: Knowledge) -> None:
    found = find_red_flag("no cramps but my chest hurts", knowledge.red_flags, knowledge.vocabulary)
    assert found is not None and found.id == "chest-pain"


def test_urgent_reply_comes_before_any_answer(responder: Responder) -> None:
    reply = responder.respond("why does my glute cramp? also I have chest pain")
    assert reply.kind == "urgent"
    assert reply.text.startswith(DEFAULT_EMERGENCY)
    assert "112" in reply.text and "911" in reply.text and "999" in reply.text


def test_self_harm_points_to_a_crisis_line(responder: Responder) -> None:
    reply = responder.respond("I want to end my life")
    assert reply.kind == "urgent" and reply.red_flag == "self-harm"
    assert reply.text.startswith(DEFAULT_CRISIS)
    assert "988" in reply.text
