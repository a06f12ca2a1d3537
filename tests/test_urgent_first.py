"""Urgent first, on every path: flood control, a locked store, inline mode, edits, groups, captions
and long replies never delay, drop or weaken an urgent reply or the disclaimer."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.config import DEFAULT_CRISIS, DEFAULT_DISCLAIMER, DEFAULT_EMERGENCY, Config
from bot.knowledge import load_knowledge
from bot.pipeline import SLOW_DOWN
from bot.rendering import render_html, render_pieces
from bot.responder import ANSWER, Reply, Responder, Section
from bot.store import Store
from bot.telegram_bot import TEXT_ONLY, build_application

from .fake_bot_api import (TOKEN, FakeBotAPI, button_update, eventually, inline_update, message,
                           text_update)
from .test_telegram_bot import PERSON, api, config_for, start_polling, stop_polling  # noqa: F401

CRISIS = "i want to end my life"
EMERGENCY = "my butt cramps and I can't control my bladder"
DISCLAIMER_HTML = f"<i>{DEFAULT_DISCLAIMER}</i>"


def is_crisis_reply(text: str) -> bool:
    return text.startswith(DEFAULT_CRISIS[:60]) and text.endswith(DISCLAIMER_HTML)


@pytest.fixture
async def stored_bot(api: FakeBotAPI, responder: Responder,  # noqa: F811
                     tmp_path: Path) -> AsyncIterator[tuple[Application, Path]]:
    """The bot with a store, at the default flood limits."""
    path = tmp_path / "bot.sqlite3"
    application = build_application(responder, config_for(api), TOKEN, Store(path, 90, key=b"test"))
    await start_polling(application)
    yield application, path
    await stop_polling(application)


def outcomes_logged(caplog: pytest.LogCaptureFixture) -> int:
    return sum(" outcome=" in record.getMessage() for record in caplog.records)


async def test_a_crisis_after_twenty_quick_messages_gets_the_urgent_reply(
        api: FakeBotAPI, stored_bot: tuple[Application, Path],  # noqa: F811
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    for number in range(20):
        await api.add_update(text_update(PERSON, f"why do my glutes cramp {number}"))
    await api.add_update(text_update(PERSON, CRISIS))
    await eventually(lambda: outcomes_logged(caplog) == 21)
    replies = [call.text for call in api.sent("sendMessage", PERSON)]
    assert sum(is_crisis_reply(text) for text in replies) == 1
    assert replies.count(SLOW_DOWN) == 1  # the flood was limited ...
    assert len(replies) < 21  # ... but not the crisis


async def test_urgent_reply_arrives_within_a_second_while_the_store_is_locked(
        api: FakeBotAPI, stored_bot: tuple[Application, Path],  # noqa: F811
        caplog: pytest.LogCaptureFixture) -> None:
    _, path = stored_bot
    await api.add_update(text_update(PERSON + 1, "how much water a day"))
    await api.wait_for("sendMessage", 1, PERSON + 1)
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        for number in range(3):  # outcomes that wait for the lock ahead of the urgent one
            await api.add_update(text_update(PERSON + 2 + number, "what causes migraines"))
        started = time.monotonic()
        await api.add_update(text_update(PERSON, "i have crushing chest pain"))
        urgent = (await api.wait_for("sendMessage", 1, PERSON, timeout=1.0))[0]
        assert time.monotonic() - started < 1.0
        assert urgent.text.startswith(DEFAULT_EMERGENCY[:60])
        await api.wait_for("sendMessage", 1, PERSON + 4, timeout=1.0)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    # Recording works again once the lock is gone.
    await api.add_update(text_update(PERSON + 9, "what causes migraines"))
    await api.wait_for("sendMessage", 1, PERSON + 9)
    reader = sqlite3.connect(path)
    try:
        await eventually(lambda: reader.execute(
            "SELECT COUNT(*) FROM outcomes WHERE text = 'what causes migraines'").fetchone()[0] >= 1)
    finally:
        reader.close()


async def test_crisis_outcomes_are_recorded_without_the_persons_code(
        api: FakeBotAPI, stored_bot: tuple[Application, Path]) -> None:  # noqa: F811
    application, path = stored_bot
    await api.add_update(text_update(PERSON, CRISIS))
    await api.add_update(text_update(PERSON, "why do my glutes cramp"))
    await api.wait_for("sendMessage", 2, PERSON)
    reader = sqlite3.connect(path)
    try:
        rows = lambda: reader.execute("SELECT kind, person, text FROM outcomes ORDER BY kind").fetchall()  # noqa: E731
        await eventually(lambda: len(rows()) == 2)
        (answer, answer_person, _), (urgent, urgent_person, urgent_text) = rows()
        assert (answer, urgent) == ("answer", "urgent")
        assert answer_person is not None and urgent_person is None and urgent_text is None
    finally:
        reader.close()


async def test_the_reply_goes_before_the_outcome_is_recorded(
        api: FakeBotAPI, stored_bot: tuple[Application, Path]) -> None:  # noqa: F811
    """👍 / 👎 carry the outcome's id before it is written; pressing them finds it."""
    await api.add_update(text_update(PERSON, "why do my glutes cramp"))
    answer = (await api.wait_for("sendMessage", 1, PERSON))[0]
    await api.add_update(button_update(PERSON, dict(answer.buttons)["\U0001F44D"]))
    acknowledged = (await api.wait_for("answerCallbackQuery", 1))[0]
    assert acknowledged.params["text"] == "Thanks for your feedback!"


@pytest.fixture
async def bot(api: FakeBotAPI, responder: Responder) -> AsyncIterator[Application]:  # noqa: F811
    application = build_application(responder, config_for(api), TOKEN)
    await start_polling(application)
    yield application
    await stop_polling(application)


async def test_inline_emergency_offers_only_the_urgent_reply(api: FakeBotAPI, bot: Application) -> None:  # noqa: F811
    await api.add_update(inline_update(PERSON, "cramp in my bum and i want to end my life"))
    answered = (await api.wait_for("answerInlineQuery", 1))[0]
    results = answered.params["results"]
    assert len(results) == 1
    assert is_crisis_reply(results[0]["input_message_content"]["message_text"])
    assert int(answered.params["cache_time"]) == 0  # never served from a cache to someone else


async def test_inline_out_of_scope_offers_nothing(api: FakeBotAPI, bot: Application) -> None:  # noqa: F811
    """As in chat, where "what causes migraines" falls back (needs the core's search of main)."""
    await api.add_update(inline_update(PERSON, "what causes migraines"))
    assert (await api.wait_for("answerInlineQuery", 1))[0].params["results"] == []


async def test_an_edited_message_with_a_red_flag_gets_the_urgent_reply(api: FakeBotAPI, bot: Application) -> None:  # noqa: F811
    original = message(PERSON, "why do my glutes cramp")
    await api.add_update({"message": original})
    await api.wait_for("sendMessage", 1, PERSON)
    edited = {**original, "text": CRISIS, "edit_date": original["date"] + 5}
    await api.add_update({"edited_message": edited})
    reply = (await api.wait_for("sendMessage", 2, PERSON))[-1]
    assert is_crisis_reply(reply.text) and reply.buttons == []


async def test_groups_and_captions_get_urgent_replies_without_being_addressed(
        api: FakeBotAPI, bot: Application, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    caplog.set_level(logging.INFO)
    group = -100300
    await api.add_update(text_update(PERSON, "what causes glute cramps", chat_id=group))
    await api.add_update(text_update(PERSON + 1, EMERGENCY, chat_id=group))
    photo = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
    await api.add_update({"message": message(PERSON, photo=photo, caption=CRISIS)})
    await api.add_update({"message": message(PERSON + 1, photo=photo, caption="look at my glutes")})
    await eventually(lambda: outcomes_logged(caplog) == 4)
    to_group = api.sent("sendMessage", group)
    assert len(to_group) == 1 and to_group[0].text.startswith(DEFAULT_EMERGENCY[:60])
    assert is_crisis_reply(api.sent("sendMessage", PERSON)[0].text)
    assert [call.text for call in api.sent("sendMessage", PERSON + 1)] == [TEXT_ONLY]


LONG_ARTICLE = """\
title: Long answers
source: {{title: A long test article, covers: one very long answer}}
reviewed: 2026-11-20
entries:
  - id: long-answer
    topic: about
    source: Introduction
    questions: [what is the longest answer]
    answer: {answer}
"""


async def test_a_split_reply_has_the_disclaimer_on_every_piece(
        api: FakeBotAPI, knowledge_copy: Path) -> None:  # noqa: F811
    sentence = "Cramps & spasms <come> and go when the muscle tires after long hard work. "
    (knowledge_copy / "long-answers.yaml").write_text(LONG_ARTICLE.format(answer=(sentence * 130).strip()))
    config = Config(knowledge_path=knowledge_copy, telegram=config_for(api).telegram)
    application = build_application(Responder(load_knowledge(knowledge_copy), config), config, TOKEN)
    await start_polling(application)
    try:
        await api.add_update(button_update(PERSON, "v1|a|long-answer"))
        await api.wait_for("answerCallbackQuery", 1)
        pieces = await api.wait_for("sendMessage", 3, PERSON)
    finally:
        await stop_polling(application)
    assert len(pieces) == 3  # the fake API refused none: each is within Telegram's 4,096
    assert pieces[0].text.startswith("<b>What is the longest answer?</b>")
    assert all(piece.text.endswith(f"\n\n{DISCLAIMER_HTML}") for piece in pieces)
    assert all("&amp; spasms &lt;come&gt;" in piece.text for piece in pieces)


def test_pieces_fill_up_to_the_limit_as_shown() -> None:
    reply = Reply(ANSWER, "a&b " * 3000, heading="Heading", disclaimer=DEFAULT_DISCLAIMER)
    pieces = render_pieces(reply)
    shown = [piece.replace("<b>", "").replace("</b>", "").replace("<i>", "").replace("</i>", "")
             .replace("&amp;", "&") for piece in pieces]
    assert all(len(text) <= 4096 for text in shown) and max(map(len, shown)) > 4000
    assert all(text.endswith(DEFAULT_DISCLAIMER) for text in shown)
    body = " ".join(text.split("\n\n")[-2] for text in shown)
    assert body.split() == reply.body.split()


def test_two_answers_in_one_reply_are_laid_out_and_split_alike() -> None:
    first, second = "Why do glutes cramp? " * 150, "Drink water. " * 250
    reply = Reply(ANSWER, first.strip(), heading="What causes it?", disclaimer=DEFAULT_DISCLAIMER,
                  more=(Section("hydration", "How much water?", second.strip()),))
    assert render_html(reply) == (f"<b>What causes it?</b>\n\n{first.strip()}\n\n<b>How much water?</b>"
                                  f"\n\n{second.strip()}\n\n{DISCLAIMER_HTML}")
    pieces = render_pieces(reply)
    assert len(pieces) == 2 and all(piece.endswith(DISCLAIMER_HTML) for piece in pieces)
    assert all(len(piece.replace("<b>", "").replace("</b>", "").replace("<i>", "").replace("</i>", "")) <= 4096
               for piece in pieces)
    # No question ends a message without the start of its answer.
    assert not any(piece.split("\n\n")[-2].startswith("<b>") for piece in pieces)
    assert "<b>How much water?</b>\n\nDrink water." in "".join(pieces)


async def test_words_after_a_command_are_checked_for_red_flags_first(api: FakeBotAPI, bot: Application) -> None:  # noqa: F811
    await api.add_update(text_update(PERSON, f"/help {CRISIS}"))
    reply = (await api.wait_for("sendMessage", 1, PERSON))[0]
    assert is_crisis_reply(reply.text) and reply.buttons == []
    await api.add_update(text_update(PERSON, f"/nosuchcommand {EMERGENCY}"))
    reply = (await api.wait_for("sendMessage", 2, PERSON))[-1]
    assert reply.text.startswith(DEFAULT_EMERGENCY[:60])
    await api.add_update(text_update(PERSON, "/help"))
    assert "Type your question" in (await api.wait_for("sendMessage", 3, PERSON))[-1].text
