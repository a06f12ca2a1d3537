"""Bot API faults, floods, restarts and shutdown: nothing lost, nothing sent twice, nothing leaked."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.cli import configure_logging
from bot.config import Config, Telegram
from bot.responder import Responder
from bot.telegram_bot import SLOW_DOWN, build_application

from .fake_bot_api import TOKEN, FakeBotAPI, eventually, text_update
from .test_telegram_bot import (PERSON, api, bot_process, start_polling, stop_polling,  # noqa: F401
                                stop_process)


def fast_config(api: FakeBotAPI, **telegram: object) -> Config:  # noqa: F811
    """No overall send limit, a burst big enough for the tests, short retries."""
    settings = {"max_messages_per_second": 0, "flood_burst": 10, "retry_seconds": 20, **telegram}
    return replace(Config(), telegram=replace(Telegram(base_url=api.base_url), **settings))


@pytest.fixture
async def patient_bot(api: FakeBotAPI, responder: Responder) -> AsyncIterator[Application]:  # noqa: F811
    application = build_application(responder, fast_config(api), TOKEN)
    await start_polling(application)
    yield application
    await stop_polling(application)


def replies_by_chat(api: FakeBotAPI) -> Counter[int]:  # noqa: F811
    return Counter(int(call.params["chat_id"]) for call in api.sent("sendMessage"))


@pytest.mark.parametrize("status, description, retry_after", [
    (429, "Too Many Requests: retry after 1", 1),
    (500, "Internal Server Error", None),
    (502, "Bad Gateway", None),
])
async def test_server_faults_are_retried_and_delivered_once(
        api: FakeBotAPI, patient_bot: Application, status: int, description: str,  # noqa: F811
        retry_after: int | None) -> None:
    api.fail_next("sendMessage", status, description, times=2, retry_after=retry_after)
    await api.add_update(text_update(PERSON, "why do my glutes cramp"))
    replies = await api.wait_for("sendMessage", 1, PERSON, timeout=20)
    await asyncio.sleep(0.3)
    assert len(api.sent("sendMessage", PERSON)) == 1
    assert replies[0].text.startswith("<b>What causes gluteal cramps?</b>")
    assert len(api.sent("failed:sendMessage")) == 2


async def test_a_slow_send_that_was_delivered_arrives_once(
        api: FakeBotAPI, responder: Responder, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    """Telegram got the message but answered after the read timeout: it is not sent again."""
    caplog.set_level(logging.INFO)
    application = build_application(responder, fast_config(api), TOKEN, read_timeout=0.5)
    await start_polling(application)
    try:
        api.answer_late("sendMessage", 1.0)
        await api.add_update(text_update(PERSON, "how much water a day"))
        await api.wait_for("sendMessage", 1, PERSON)
        await eventually(lambda: any("not sent again" in r.getMessage() for r in caplog.records))
    finally:
        await stop_polling(application)  # waits for the update's handling, retries included
    assert len(api.sent("sendMessage", PERSON)) == 1
    assert not any("sendMessage failed" in r.getMessage() and "retrying" in r.getMessage()
                   for r in caplog.records)


async def test_a_send_that_could_not_connect_is_sent_again_once(
        api: FakeBotAPI, patient_bot: Application, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    caplog.set_level(logging.INFO)
    await eventually(lambda: api.polls_waiting == 1)
    refusing = api.refuse_connections_for(1.0)
    await api.add_update(text_update(PERSON, "how much water a day"))  # the waiting poll gets it
    replies = await api.wait_for("sendMessage", 1, PERSON, timeout=20)
    await refusing
    assert "64 ounces" in replies[0].text
    assert any("sendMessage failed (Connection refused); retrying" in r.getMessage() for r in caplog.records)
    await stop_polling(patient_bot)
    assert len(api.sent("sendMessage", PERSON)) == 1
    await start_polling(patient_bot)  # for the fixture's own stop


async def test_polling_survives_slow_answers_and_refused_connections(
        api: FakeBotAPI, patient_bot: Application) -> None:  # noqa: F811
    api.fail_next("getUpdates", 0, "", delay=3.0)
    await api.add_update(text_update(PERSON, "hi"))
    await api.wait_for("sendMessage", 1, PERSON, timeout=20)
    await api.refuse_connections(2.0)
    await api.add_update(text_update(PERSON, "why do my glutes cramp"))
    await api.wait_for("sendMessage", 2, PERSON, timeout=30)
    await asyncio.sleep(0.5)
    assert len(api.sent("sendMessage", PERSON)) == 2


async def test_blocked_person_is_logged_once_and_not_retried(
        api: FakeBotAPI, patient_bot: Application, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    caplog.set_level(logging.INFO)
    api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    api.fail_next("sendMessage", 400, "Bad Request: chat not found")
    await api.add_update(text_update(PERSON, "why do my glutes cramp"))
    await api.add_update(text_update(PERSON + 1, "why do my glutes cramp"))
    await api.add_update(text_update(PERSON + 2, "why do my glutes cramp"))
    await api.wait_for("sendMessage", 1, PERSON + 2)
    await api.wait_for("failed:sendMessage", 2)
    await asyncio.sleep(1.0)  # time for a retry that must not come
    assert len(api.sent("failed:sendMessage")) == 2
    assert len(api.sent("sendMessage")) == 1
    blocked = [r for r in caplog.records if "blocked the bot" in r.getMessage()]
    assert len(blocked) == 1 and blocked[0].levelno == logging.INFO


async def test_a_restart_answers_no_update_twice(api: FakeBotAPI, responder: Responder) -> None:  # noqa: F811
    first = build_application(responder, fast_config(api), TOKEN)
    await start_polling(first)
    for number in range(5):
        await api.add_update(text_update(PERSON + number, "why do my glutes cramp"))
    await api.wait_for("sendMessage", 5)
    await stop_polling(first)
    second = build_application(responder, fast_config(api), TOKEN)
    await start_polling(second)
    await api.add_update(text_update(PERSON + 10, "how much water a day"))
    await api.wait_for("sendMessage", 6)
    await asyncio.sleep(0.5)
    await stop_polling(second)
    assert set(replies_by_chat(api).values()) == {1}


async def test_one_persons_flood_is_throttled_without_delaying_others(
        api: FakeBotAPI, responder: Responder) -> None:  # noqa: F811
    application = build_application(responder, fast_config(api, flood_burst=5, flood_per_minute=20), TOKEN)
    await start_polling(application)
    try:
        flooder, other = PERSON, PERSON + 1
        for number in range(50):
            await api.add_update(text_update(flooder, f"why do my glutes cramp {number}"))
        started = time.monotonic()
        await api.add_update(text_update(other, "how much water a day"))
        await api.wait_for("sendMessage", 1, other, timeout=10)
        assert time.monotonic() - started < 2.0
        await api.wait_for("sendMessage", 6, flooder)
        await asyncio.sleep(1.0)  # time for answers that must not come
        to_flooder = api.sent("sendMessage", flooder)
        assert [call.text for call in to_flooder].count(SLOW_DOWN) == 1
        assert len(to_flooder) == 6
    finally:
        await stop_polling(application)


async def test_load_with_faults_every_hundred_requests(
        api: FakeBotAPI, responder: Responder, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    """10,000 messages from 1,000 people, a 500, 502 or 429 every 100 requests: all answered once."""
    configure_logging("INFO")
    caplog.set_level(logging.INFO)
    people, each = 1000, 10
    messages = ["why do my glutes cramp", "how much water a day", "what causes migraines", "hi",
                "glute cramp info", "can low magnesium cause cramps", "when should i see a doctor",
                "my leg is swollen red and hot", "wat is gluteus maximus", "thanks"]
    application = build_application(responder, fast_config(api, retry_seconds=30), TOKEN)
    api.fail_every(100)
    await start_polling(application)
    try:
        started = time.monotonic()
        for round_ in range(each):
            for person in range(people):
                await api.add_update(text_update(10_000 + person, messages[(person + round_) % each]))
        await api.wait_for("sendMessage", people * each, timeout=240)
        elapsed = time.monotonic() - started
        await asyncio.sleep(1.0)
    finally:
        await stop_polling(application)
    counts = replies_by_chat(api)
    assert len(counts) == people and set(counts.values()) == {each}
    assert api.faults >= 100
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert TOKEN.split(":")[1] not in logged and "glutes cramp" not in logged
    print(f"\nload: {people * each} messages, {api.faults} faults injected, "
          f"{people * each - sum(counts.values())} lost, 0 duplicated, {elapsed:.1f}s")


async def test_sigterm_finishes_the_reply_in_flight_and_closes_the_store(
        api: FakeBotAPI, tmp_path: Path) -> None:  # noqa: F811
    config = tmp_path / "config.yaml"
    config.write_text("store:\n  path: bot.sqlite3\n")
    async with bot_process(api, tmp_path, "--config", str(config)) as process:
        api.fail_next("sendMessage", 0, "", delay=1.5)  # the reply is slow to go out
        await api.add_update(text_update(PERSON, "why do my glutes cramp"))
        deadline = time.monotonic() + 20
        while api.failures.get("sendMessage"):  # until the slow reply is on its way
            if time.monotonic() > deadline:
                raise AssertionError("the reply never started")
            await asyncio.sleep(0.05)
        output = await stop_process(process, signal.SIGTERM)
    assert process.returncode == 0, output
    assert "Traceback" not in output
    assert len(api.sent("sendMessage", PERSON)) == 1
    assert (tmp_path / "bot.sqlite3").exists()
    assert not (tmp_path / "bot.sqlite3-wal").exists() or (tmp_path / "bot.sqlite3-wal").stat().st_size == 0
