"""Live reload that cannot die: any error keeps the last good knowledge and the timer going, and
a SIGHUP never runs a reload beside the timer's."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram.ext import Application

import bot.telegram_bot as telegram_bot
from bot.config import Config
from bot.knowledge import load_knowledge
from bot.responder import Responder
from bot.telegram_bot import build_application

from .fake_bot_api import TOKEN, FakeBotAPI, eventually, text_update
from .test_telegram_bot import PERSON, api, config_for, start_polling, stop_polling  # noqa: F401


@pytest.fixture
async def reloading(api: FakeBotAPI, knowledge_copy: Path,  # noqa: F811
                    monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[Application, Path]]:
    monkeypatch.setattr(telegram_bot, "RELOAD_SECONDS", 0.05)
    config = Config(knowledge_path=knowledge_copy, telegram=config_for(api).telegram)
    application = build_application(Responder(load_knowledge(knowledge_copy), config), config, TOKEN)
    await start_polling(application)
    yield application, knowledge_copy / "gluteal-cramps.yaml"
    await stop_polling(application)


def logged(caplog: pytest.LogCaptureFixture, words: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if words in record.getMessage()]


async def test_an_impossible_date_is_one_line_and_the_last_good_knowledge_serves(
        api: FakeBotAPI, reloading: tuple[Application, Path],  # noqa: F811
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    _, article = reloading
    good = article.read_text()
    article.write_text(good.replace("reviewed: ", "reviewed: 2026-02-30\n# was: ", 1))
    await eventually(lambda: bool(logged(caplog, "knowledge reload refused")))
    refused = logged(caplog, "knowledge reload refused")
    assert all(record.exc_info is None and "\n" not in record.getMessage() for record in refused)
    await api.add_update(text_update(PERSON, "why do my glutes cramp"))
    reply = (await api.wait_for("sendMessage", 1, PERSON))[-1]
    assert reply.text.startswith("<b>What causes gluteal cramps?</b>")

    article.write_text(good.replace("The article names four possible causes",
                                    "Edited: the article names four possible causes"))
    await eventually(lambda: bool(logged(caplog, "knowledge reloaded: 15 entries")))
    await api.add_update(text_update(PERSON, "why do my glutes cramp"))
    reply = (await api.wait_for("sendMessage", 2, PERSON))[-1]
    assert "Edited: the article names" in reply.text


async def test_sighup_and_the_timer_never_reload_at_the_same_time(
        reloading: tuple[Application, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    application, article = reloading
    watcher = application.bot_data["watcher"]
    running, most, calls = [0], [0], [0]
    guard = threading.Lock()
    reload = watcher.reload

    def slow_reload() -> bool:
        with guard:
            running[0] += 1
            most[0] = max(most[0], running[0])
            calls[0] += 1
        time.sleep(0.2)  # a big knowledge base: long enough for the timer and signals to pile up
        try:
            return reload()
        finally:
            with guard:
                running[0] -= 1

    monkeypatch.setattr(watcher, "reload", slow_reload)
    text = article.read_text()
    for number in range(3):
        article.write_text(f"{text}\n# edit {number}\n")
        os.kill(os.getpid(), signal.SIGHUP)
        os.kill(os.getpid(), signal.SIGHUP)
        await eventually(lambda: calls[0] >= 2 * number + 2)
    await eventually(lambda: running[0] == 0)
    assert most[0] == 1 and calls[0] >= 6
