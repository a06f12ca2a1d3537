"""The terminal chat, driven by a whole transcript through injected input and output."""

from __future__ import annotations

from bot.config import DEFAULT_EMERGENCY
from bot.responder import Responder
from bot.terminal import HUMAN_ONLY_IN_TELEGRAM, run_chat


def chat(responder: Responder, *lines: str) -> list[str]:
    pending = list(lines)
    said: list[str] = []

    def read_line(prompt: str) -> str:
        if not pending:
            raise EOFError
        return pending.pop(0)

    run_chat(responder, read_line, said.append)
    return said


def test_transcript_with_numbered_follow_ups(responder: Responder) -> None:
    said = chat(responder, "hi", "what causes butt cramps", "4", "exit")
    assert "Health FAQ bot" in said[0]
    assert "Hello!" in said[1]
    assert said[2].lstrip().startswith("What causes gluteal cramps?")
    assert "  4. Can low magnesium cause glute cramps?" in said[2]
    assert said[3].lstrip().startswith("Can low magnesium cause glute cramps?")
    assert said[3].rstrip().endswith("contact a medical professional.")
    assert len(said) == 4


def test_did_you_mean_choice_by_number(responder: Responder) -> None:
    said = chat(responder, "glute cramp info", "1")
    assert "Did you mean" in said[1]
    first_choice = said[1].split("  1. ")[1].splitlines()[0]
    assert said[2].lstrip().startswith(first_choice)


def test_end_of_input_ends_the_chat(responder: Responder) -> None:
    said = chat(responder, "thanks")
    assert said[-1] == ""


def test_a_number_without_choices_is_just_a_message(responder: Responder) -> None:
    said = chat(responder, "7")
    assert said[1].lstrip().startswith("Sorry, I can't answer that one.")


def test_follow_ups_and_two_answers_in_the_terminal(responder: Responder) -> None:
    said = chat(responder, "why do my glutes cramp", "what about at night?",
                "can low magnesium cause glute cramps? and what foods should i eat")
    assert said[2].lstrip().startswith("When do gluteal cramps happen?")
    assert "What should I eat to avoid cramps?" in said[3]


def test_a_topic_and_then_its_question_by_number(responder: Responder) -> None:
    said = chat(responder, "what causes migraines", "3", "1")
    assert "Pick a topic by number:\n  1. About" in said[1]
    assert said[2].lstrip().startswith("Causes: pick a question by number:\n  1. What causes gluteal cramps?")
    assert said[3].lstrip().startswith("What causes gluteal cramps?")


def test_hand_off_is_only_in_telegram_and_red_flags_still_come_first(responder: Responder) -> None:
    said = chat(responder, "/human", "/human my butt cramps and I can't control my bladder")
    assert said[1] == "\n" + HUMAN_ONLY_IN_TELEGRAM
    assert said[2].lstrip().startswith(DEFAULT_EMERGENCY[:60]) and said[3] == "\n" + HUMAN_ONLY_IN_TELEGRAM
