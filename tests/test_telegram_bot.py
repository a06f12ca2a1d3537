"""Whole conversations through the real Application, polling a fake Bot API server over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from telegram import Update
from telegram.ext import Application

from bot.config import DEFAULT_DISCLAIMER, PROJECT_DIR, Config, Telegram, Webhook
from bot.responder import Responder
from bot.rendering import split_text
from bot.telegram_bot import EXPIRED, TEXT_ONLY, build_application

from .fake_bot_api import (BOT_ID, BOT_USERNAME, TOKEN, FakeBotAPI, button_update, inline_update,
                           message, text_update)

PERSON = 4242


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    server = FakeBotAPI()
    await server.start()
    yield server
    await server.stop()


def config_for(api: FakeBotAPI, **telegram: object) -> Config:
    return replace(Config(), telegram=replace(Telegram(base_url=api.base_url), **telegram))


async def start_polling(application: Application) -> None:
    """What `run_polling` does before it waits for a signal, with a short poll for tests."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    await application.updater.start_polling(
        poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES,
        error_callback=lambda error: application.create_task(application.process_error(None, error)))


async def stop_polling(application: Application) -> None:
    """What `run_polling` does after the signal."""
    await application.updater.stop()
    await application.stop()
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)


@pytest.fixture
async def bot(api: FakeBotAPI, responder: Responder) -> AsyncIterator[Application]:
    application = build_application(responder, config_for(api), TOKEN)
    await start_polling(application)
    yield application
    await stop_polling(application)


async def test_commands_are_registered_at_start_up(api: FakeBotAPI, bot: Application) -> None:
    calls = await api.wait_for("setMyCommands", 1)
    names = [command["command"] for command in calls[0].params["commands"]]
    assert names == ["start", "topics", "help", "about", "privacy", "forget"]


async def test_start_topic_question_answer_related(api: FakeBotAPI, bot: Application) -> None:
    await api.add_update(text_update(PERSON, "/start"))
    welcome = (await api.wait_for("sendMessage", 1, PERSON))[0]
    assert "gluteal (buttock) muscle cramps" in welcome.text
    assert DEFAULT_DISCLAIMER in welcome.text
    topic_buttons = dict(welcome.buttons)
    assert list(topic_buttons) == ["About", "Symptoms", "Causes", "Treatment & prevention",
                                   "When to see a doctor"]

    await api.add_update(button_update(PERSON, topic_buttons["Causes"]))
    listing = (await api.wait_for("editMessageText", 1))[0]
    questions = dict(listing.buttons)
    assert "What causes gluteal cramps?" in questions and "\u00ab All topics" in questions
    await api.wait_for("answerCallbackQuery", 1)

    await api.add_update(button_update(PERSON, questions["What causes gluteal cramps?"]))
    answer = (await api.wait_for("sendMessage", 2, PERSON))[-1]
    assert answer.params["parse_mode"] == "HTML"
    assert answer.text.startswith("<b>What causes gluteal cramps?</b>")
    assert answer.text.endswith(f"<i>{DEFAULT_DISCLAIMER}</i>")
    related = dict(answer.buttons)
    assert "Can a pinched nerve cause glute cramps?" in related

    await api.add_update(button_update(PERSON, related["Can a pinched nerve cause glute cramps?"]))
    follow_up = (await api.wait_for("sendMessage", 3, PERSON))[-1]
    assert follow_up.text.startswith("<b>Can a pinched nerve cause glute cramps?</b>")
    assert len(await api.wait_for("answerCallbackQuery", 3)) == 3


async def test_free_text_outcomes(api: FakeBotAPI, bot: Application) -> None:
    await api.add_update(text_update(PERSON, "how much water shuld i drink a day"))
    answer = (await api.wait_for("sendMessage", 1, PERSON))[-1]
    assert answer.text.startswith("<b>How much water should I drink to prevent cramps?</b>")

    await api.add_update(text_update(PERSON, "glute cramp info"))
    clarify = (await api.wait_for("sendMessage", 2, PERSON))[-1]
    assert "Did you mean" in clarify.text and DEFAULT_DISCLAIMER in clarify.text
    choices = clarify.buttons
    assert 3 <= len(choices) <= 4 and choices[-1][0] == "None of these"

    await api.add_update(button_update(PERSON, choices[0][1]))
    chosen = (await api.wait_for("sendMessage", 3, PERSON))[-1]
    assert chosen.text.startswith(f"<b>{choices[0][0]}</b>")

    await api.add_update(button_update(PERSON, choices[-1][1]))
    none = (await api.wait_for("sendMessage", 4, PERSON))[-1]
    assert "can only answer questions about" in none.text and dict(none.buttons).get("Causes")

    await api.add_update(text_update(PERSON, "what causes migraines"))
    fallback = (await api.wait_for("sendMessage", 5, PERSON))[-1]
    assert "can't answer" in fallback.text and dict(fallback.buttons).get("Symptoms")

    await api.add_update(text_update(PERSON, "my butt cramps and I can't control my bladder"))
    urgent = (await api.wait_for("sendMessage", 6, PERSON))[-1]
    assert urgent.text.startswith("What you describe can be a sign of a medical emergency")
    assert urgent.buttons == []

    await api.add_update(text_update(PERSON, "hi"))
    hello = (await api.wait_for("sendMessage", 7, PERSON))[-1]
    # Right after an emergency reply, even a greeting says what to do if it is still happening.
    assert "Hello" in hello.text and "emergency number" in hello.text and DEFAULT_DISCLAIMER in hello.text


async def test_user_text_is_escaped(api: FakeBotAPI, bot: Application) -> None:
    await api.add_update(text_update(PERSON, "<b>why</b> do my glutes cramp & hurt"))
    reply = (await api.wait_for("sendMessage", 1, PERSON))[-1]
    assert "<b>why</b>" not in reply.text


async def test_help_about_and_examples(api: FakeBotAPI, bot: Application) -> None:
    await api.add_update(text_update(PERSON, "/help"))
    help_reply = (await api.wait_for("sendMessage", 1, PERSON))[-1]
    assert len(help_reply.buttons) == 3
    await api.add_update(text_update(PERSON, "/about"))
    about = (await api.wait_for("sendMessage", 2, PERSON))[-1]
    assert "Cramping of the gluteus" in about.text and "2026-11-24" in about.text


async def test_non_text_messages_get_a_polite_reply(api: FakeBotAPI, bot: Application) -> None:
    kinds = [
        {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
        {"sticker": {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1,
                     "is_animated": False, "is_video": False, "type": "regular"}},
        {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 1}},
        {"video": {"file_id": "d", "file_unique_id": "d", "width": 1, "height": 1, "duration": 1}},
        {"document": {"file_id": "f", "file_unique_id": "f"}},
        {"location": {"latitude": 51.5, "longitude": -0.1}},
        {"contact": {"phone_number": "+100", "first_name": "A"}},
    ]
    for kind in kinds:
        await api.add_update({"message": message(PERSON, **kind)})
    replies = await api.wait_for("sendMessage", len(kinds), PERSON)
    assert all(reply.text == TEXT_ONLY for reply in replies)


async def test_edited_message_is_answered_again(api: FakeBotAPI, bot: Application) -> None:
    original = message(PERSON, "what causes migranes")
    await api.add_update({"message": original})
    await api.wait_for("sendMessage", 1, PERSON)
    edited = {**original, "text": "what causes glute cramps", "edit_date": original["date"] + 5}
    await api.add_update({"edited_message": edited})
    reply = (await api.wait_for("sendMessage", 2, PERSON))[-1]
    assert reply.text.startswith("<b>What causes gluteal cramps?</b>")


async def test_groups_answer_only_mentions_replies_and_commands(api: FakeBotAPI, bot: Application) -> None:
    group = -100200
    await api.add_update(text_update(PERSON, "what causes glute cramps", chat_id=group))
    await api.add_update(text_update(PERSON, "nice photo", chat_id=group))
    mention = f"@{BOT_USERNAME} why does my bum cramp"
    await api.add_update(text_update(PERSON, mention, chat_id=group, entities=[
        {"type": "mention", "offset": 0, "length": len(BOT_USERNAME) + 1}]))
    replies = await api.wait_for("sendMessage", 1, group)
    assert replies[0].text.startswith("<b>What causes gluteal cramps?</b>")

    bot_message = {"message_id": 1, "date": 1, "chat": {"id": group, "type": "supergroup", "title": "x"},
                   "from": {"id": BOT_ID, "is_bot": True, "first_name": "Glute FAQ"}, "text": "..."}
    await api.add_update(text_update(PERSON, "how much water a day", chat_id=group,
                                     reply_to_message=bot_message))
    await api.add_update(text_update(PERSON, f"/topics@{BOT_USERNAME}", chat_id=group))
    replies = await api.wait_for("sendMessage", 3, group)
    assert "64 ounces" in replies[1].text and replies[2].text == "Pick a topic:"
    await asyncio.sleep(0.3)
    assert len(api.sent("sendMessage", group)) == 3


@pytest.mark.parametrize("data", ["v0|a|causes", "v1|a|no-such-entry", "v1|t|gossip", "garbage",
                                  "v1|zz", "v1|m|extra"])
async def test_stale_or_forged_buttons_expire_politely(api: FakeBotAPI, bot: Application, data: str) -> None:
    await api.add_update(button_update(PERSON, data))
    acknowledged = (await api.wait_for("answerCallbackQuery", 1))[0]
    assert acknowledged.params["text"] == EXPIRED
    menu = (await api.wait_for("sendMessage", 1, PERSON))[0]
    assert menu.text == EXPIRED and len(menu.buttons) == 5


async def test_inline_mode(api: FakeBotAPI, bot: Application) -> None:
    await api.add_update(inline_update(PERSON, "causes"))
    answered = (await api.wait_for("answerInlineQuery", 1))[0]
    results = answered.params["results"]
    assert 1 <= len(results) <= 5
    assert results[0]["id"] == "causes"
    assert all(DEFAULT_DISCLAIMER in r["input_message_content"]["message_text"] for r in results)

    await api.add_update(inline_update(PERSON, ""))
    topics = (await api.wait_for("answerInlineQuery", 2))[1].params["results"]
    assert len(topics) == 5

    await api.add_update(inline_update(PERSON, "pizza recipes"))
    assert (await api.wait_for("answerInlineQuery", 3))[2].params["results"] == []


async def test_a_failed_send_does_not_stop_the_bot(api: FakeBotAPI, bot: Application) -> None:
    api.fail_next("sendMessage", 400, "Bad Request: chat not found")
    await api.add_update(text_update(PERSON, "what causes glute cramps"))
    await api.add_update(text_update(PERSON, "how much water a day"))
    replies = await api.wait_for("sendMessage", 1, PERSON)
    assert "64 ounces" in replies[0].text


def test_long_text_is_split_on_paragraphs() -> None:
    paragraphs = [("word " * 300).strip() for _ in range(5)]
    pieces = split_text("\n\n".join(paragraphs))
    assert all(len(piece) <= 4096 for piece in pieces)
    assert "\n\n".join(pieces) == "\n\n".join(paragraphs)
    assert all(len(piece) <= 4096 for piece in split_text("x" * 10_000))


async def test_webhook_needs_the_secret_token(api: FakeBotAPI, responder: Responder,
                                              unused_tcp_port: int) -> None:
    url = "https://bot.example.org/telegram-hook"
    config = config_for(api, mode="webhook", webhook=Webhook("127.0.0.1", unused_tcp_port, url, "s3cret"))
    application = build_application(responder, config, TOKEN)
    async with application:
        await application.start()
        await application.updater.start_webhook(
            listen="127.0.0.1", port=unused_tcp_port, url_path="telegram-hook", webhook_url=url,
            secret_token="s3cret", allowed_updates=Update.ALL_TYPES)
        try:
            assert api.webhook_url == url and api.webhook_secret == "s3cret"
            update = {"update_id": 77, **text_update(PERSON, "what causes glute cramps")}
            local = f"http://127.0.0.1:{unused_tcp_port}/telegram-hook"
            async with httpx.AsyncClient() as client:
                refused = await client.post(local, json=update)
                assert refused.status_code == 403
                accepted = await client.post(local, json=update,
                                             headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"})
                assert accepted.status_code == 200
            replies = await api.wait_for("sendMessage", 1, PERSON)
            assert replies[0].text.startswith("<b>What causes gluteal cramps?</b>")
        finally:
            await application.updater.stop()
            await application.stop()


async def test_logs_hold_neither_token_nor_message_text(api: FakeBotAPI, responder: Responder,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    from bot.cli import configure_logging

    configure_logging("DEBUG")
    caplog.set_level(logging.DEBUG)
    secret_text = "my zyzzyva glute cramps after squats"
    application = build_application(responder, config_for(api), TOKEN)
    await start_polling(application)
    await api.add_update(text_update(PERSON, secret_text))
    await api.add_update(button_update(PERSON, "v1|a|causes"))
    await api.add_update(inline_update(PERSON, secret_text))
    await api.wait_for("sendMessage", 2, PERSON)
    await api.wait_for("answerInlineQuery", 1)
    await stop_polling(application)
    logged = "\n".join(record.getMessage() + str(record.args) + (record.exc_text or "")
                       for record in caplog.records)
    assert "outcome=answer" in logged
    assert TOKEN not in logged and TOKEN.split(":")[1] not in logged
    assert "zyzzyva" not in logged


@contextlib.asynccontextmanager
async def bot_process(api: FakeBotAPI, cwd: Path, *arguments: str) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m bot [arguments] run` against the fake Bot API, started and registered; killed if
    a test leaves it running. Without arguments it stores into `cwd`, never into the project."""
    if not arguments:
        (cwd / "config.yaml").write_text("store:\n  path: bot.sqlite3\n")
        arguments = ("--config", str(cwd / "config.yaml"))
    environment = {key: value for key, value in os.environ.items() if not key.startswith("TELEGRAM_")}
    environment.update({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": api.base_url,
                        "PYTHONPATH": str(PROJECT_DIR), "BOT_PRIVACY_KEY": "test-key"})
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *arguments, "run", cwd=cwd, env=environment,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await api.wait_for("setMyCommands", 1, timeout=30)
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def stop_process(process: asyncio.subprocess.Process, signal_number: int) -> str:
    """Send the signal and return everything the process printed."""
    process.send_signal(signal_number)
    stdout, stderr = await asyncio.wait_for(process.communicate(), 40)
    return (stdout + stderr).decode()


async def test_run_command_talks_to_the_api_and_stops_on_sigint(api: FakeBotAPI, tmp_path: Path) -> None:
    async with bot_process(api, tmp_path) as process:
        await api.add_update(text_update(PERSON, "why do my glutes cramp"))
        await api.add_update(text_update(PERSON, "thanks!"))
        replies = await api.wait_for("sendMessage", 2, PERSON, timeout=30)
        assert replies[0].text.startswith("<b>What causes gluteal cramps?</b>")
        log_text = await stop_process(process, signal.SIGINT)
    assert process.returncode == 0, log_text
    assert "Traceback" not in log_text
    assert "outcome=answer entry=causes" in log_text
    assert TOKEN not in log_text and "glutes cramp" not in log_text


async def test_a_follow_up_is_read_against_the_last_answer_per_person(
        api: FakeBotAPI, bot: Application) -> None:  # noqa: F811
    """"and at night?" follows the answer before it; another person's chat starts fresh; /start forgets."""
    other = PERSON + 1
    await api.add_update(text_update(PERSON, "why do my glutes cramp"))
    await api.wait_for("sendMessage", 1, PERSON)
    await api.add_update(text_update(PERSON, "is that serious?"))
    replies = await api.wait_for("sendMessage", 2, PERSON)
    assert replies[1].text.startswith("<b>When should I see a doctor")
    await api.add_update(text_update(PERSON, "glute cramp info"))
    assert "Did you mean" in (await api.wait_for("sendMessage", 3, PERSON))[2].text
    await api.add_update(text_update(other, "2"))
    assert not (await api.wait_for("sendMessage", 1, other))[0].text.startswith("<b>")
    await api.add_update(text_update(PERSON, "2"))
    assert (await api.wait_for("sendMessage", 4, PERSON))[3].text.startswith("<b>")
    await api.add_update(text_update(PERSON, "glute cramp info"))
    await api.wait_for("sendMessage", 5, PERSON)
    await api.add_update(text_update(PERSON, "/start"))
    await api.wait_for("sendMessage", 6, PERSON)
    await api.add_update(text_update(PERSON, "2"))
    assert not (await api.wait_for("sendMessage", 7, PERSON))[6].text.startswith("<b>")


async def test_two_questions_in_one_message_arrive_in_one_reply(api: FakeBotAPI, bot: Application) -> None:  # noqa: F811
    await api.add_update(text_update(PERSON, "can low magnesium cause glute cramps? and what foods should i eat"))
    reply = (await api.wait_for("sendMessage", 1, PERSON))[0].text
    assert reply.index("<b>Can low magnesium") < reply.index("<b>What should I eat")
    assert reply.endswith(f"<i>{DEFAULT_DISCLAIMER}</i>")
