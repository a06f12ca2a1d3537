"""The operator loop through Telegram: feedback, privacy commands, live reload, several articles."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram.ext import Application

import bot.telegram_bot as telegram_bot
from bot.config import Config
from bot.knowledge import load_knowledge
from bot.responder import Responder
from bot.store import Store
from bot.telegram_bot import THANKS_FOR_FEEDBACK, build_application

from .fake_bot_api import TOKEN, FakeBotAPI, button_update, eventually, text_update
from .test_telegram_bot import PERSON, api, config_for, start_polling, stop_polling  # noqa: F401

SECOND_ARTICLE = """\
title: Calf cramps
source: {title: Calf cramps explained, covers: what calf cramps are}
reviewed: 2026-11-20
entries:
  - id: calf-cramp
    topic: about
    source: Introduction
    questions: [what is a calf cramp, calf muscle cramp meaning]
    answer: A test answer about calves.
"""


@pytest.fixture
async def operated(api: FakeBotAPI, knowledge_copy: Path, tmp_path: Path,  # noqa: F811
                   monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[Application, Store, Path]]:
    monkeypatch.setattr(telegram_bot, "RELOAD_SECONDS", 0.05)
    config = config_for(api)
    config = Config(knowledge_path=knowledge_copy, telegram=config.telegram)
    store = Store(tmp_path / "bot.sqlite3", 90, key=b"test")
    application = build_application(Responder(load_knowledge(knowledge_copy), config), config, TOKEN, store)
    await start_polling(application)
    yield application, store, knowledge_copy
    await stop_polling(application)


async def test_feedback_is_recorded_once_per_person_and_answer(
        api: FakeBotAPI, operated: tuple[Application, Store, Path]) -> None:  # noqa: F811
    _, store, _ = operated
    await api.add_update(text_update(PERSON, "why do my glutes cramp"))
    answer = (await api.wait_for("sendMessage", 1, PERSON))[0]
    buttons = dict(answer.buttons)
    up, down = buttons["\U0001F44D"], buttons["\U0001F44E"]
    await api.add_update(button_update(PERSON, up))
    await api.add_update(button_update(PERSON, down))
    acknowledgements = await api.wait_for("answerCallbackQuery", 2)
    assert all(a.params["text"] == THANKS_FOR_FEEDBACK for a in acknowledgements)
    votes = store.votes(store.clock().replace(year=2000))
    assert [(v.entry_id, v.vote) for v in votes] == [("causes", -1)]


async def test_privacy_and_forget(api: FakeBotAPI, operated: tuple[Application, Store, Path]) -> None:  # noqa: F811
    _, store, _ = operated
    await api.add_update(text_update(PERSON, "what causes migraines"))
    await api.add_update(text_update(PERSON + 1, "what causes migraines"))
    await api.wait_for("sendMessage", 1, PERSON)
    await api.wait_for("sendMessage", 1, PERSON + 1)
    await api.add_update(text_update(PERSON, "/privacy"))
    privacy = (await api.wait_for("sendMessage", 2, PERSON))[-1]
    assert "never stored" in privacy.text and "90 days" in privacy.text and "/forget" in privacy.text
    await api.add_update(text_update(PERSON, "/forget"))
    confirmation = (await api.wait_for("sendMessage", 3, PERSON))[-1]
    assert "deleted" in confirmation.text
    assert store.count_rows()["outcomes"] == 1


async def test_live_reload_keeps_the_last_good_knowledge(
        api: FakeBotAPI, operated: tuple[Application, Store, Path],  # noqa: F811
        caplog: pytest.LogCaptureFixture) -> None:
    _, _, folder = operated
    caplog.set_level(logging.INFO)
    article = folder / "gluteal-cramps.yaml"
    good = article.read_text()
    article.write_text(good.replace("topic: causes", "topic: gossip", 1))
    await eventually(lambda: any("reload refused" in r.getMessage() and "gossip" in r.getMessage()
                                 for r in caplog.records))
    await api.add_update(text_update(PERSON, "why do my glutes cramp"))
    reply = (await api.wait_for("sendMessage", 1, PERSON))[-1]
    assert reply.text.startswith("<b>What causes gluteal cramps?</b>")

    article.write_text(good.replace("The article names four possible causes",
                                    "Edited: the article names four possible causes"))
    await eventually(lambda: any("knowledge reloaded: 15 entries" in r.getMessage() for r in caplog.records))
    await api.add_update(text_update(PERSON, "why do my glutes cramp"))
    reply = (await api.wait_for("sendMessage", 2, PERSON))[-1]
    assert "Edited: the article names" in reply.text


async def test_topics_group_by_article_when_there_are_several(
        api: FakeBotAPI, operated: tuple[Application, Store, Path]) -> None:  # noqa: F811
    _, _, folder = operated
    (folder / "calf-cramps.yaml").write_text(SECOND_ARTICLE)
    watcher = operated[0].bot_data["watcher"]
    await eventually(lambda: len(watcher.responder.knowledge.articles) == 2)
    await api.add_update(text_update(PERSON, "/topics"))
    menu = (await api.wait_for("sendMessage", 1, PERSON))[-1]
    articles = dict(menu.buttons)
    assert list(articles) == ["Calf cramps", "Gluteal (buttock) muscle cramps"]
    await api.add_update(button_update(PERSON, articles["Calf cramps"]))
    topics = dict((await api.wait_for("editMessageText", 1))[-1].buttons)
    assert list(topics) == ["About", "\u00ab All articles"]
    await api.add_update(button_update(PERSON, topics["About"]))
    questions = dict((await api.wait_for("editMessageText", 2))[-1].buttons)
    assert "What is a calf cramp?" in questions


async def test_sighup_reloads_at_once(api: FakeBotAPI, operated: tuple[Application, Store, Path],  # noqa: F811
                                      monkeypatch: pytest.MonkeyPatch,
                                      caplog: pytest.LogCaptureFixture) -> None:
    application, _, _ = operated
    caplog.set_level(logging.INFO)
    monkeypatch.setattr(application.bot_data["watcher"], "changed", lambda: False)
    os.kill(os.getpid(), signal.SIGHUP)
    await eventually(lambda: any("knowledge reloaded" in r.getMessage() for r in caplog.records))
