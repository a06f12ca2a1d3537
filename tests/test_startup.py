"""Operator mistakes at start-up end in one clear line: a rejected token, no route to Telegram, a
second bot on the same token, anything else that fails; never a traceback, never the token."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import pytest
from telegram.ext import Application

import bot.telegram_bot as telegram_bot
from bot.responder import Responder
from bot.telegram_bot import build_application

from .fake_bot_api import TOKEN, FakeBotAPI, eventually, text_update
from .test_telegram_bot import PERSON, api, config_for, start_polling, stop_polling  # noqa: F401

OTHER_TOKEN = "987654321:AAFakeFakeFakeFakeFakeFakeFakeFake12"
PROJECT = Path(__file__).resolve().parent.parent


async def start_bot(base_url: str, cwd: Path, token: str = TOKEN, *arguments: str) -> asyncio.subprocess.Process:
    """`python -m bot [arguments] run` with this token and Bot API, storing into `cwd`."""
    config = cwd / "config.yaml"
    if not config.exists():
        config.write_text("store:\n  path: bot.sqlite3\n")
    environment = {key: value for key, value in os.environ.items() if not key.startswith("TELEGRAM_")}
    environment.update({"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_BASE_URL": base_url,
                        "PYTHONPATH": str(PROJECT), "BOT_PRIVACY_KEY": "test-key"})
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config), *arguments, "run", cwd=cwd, env=environment,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def finish(process: asyncio.subprocess.Process, timeout: float = 30) -> str:
    """Everything the process printed once it has exited (killed past `timeout`)."""
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout)
    except asyncio.TimeoutError:
        process.kill()
        await process.wait()
        raise
    return (stdout + stderr).decode()


def problem_lines(output: str) -> list[str]:
    """Lines other than the bot's INFO log (start-up notes)."""
    return [line for line in output.splitlines() if line.strip() and " INFO " not in line]


async def test_a_rejected_token_is_one_line_and_exit_2(api: FakeBotAPI, tmp_path: Path) -> None:  # noqa: F811
    process = await start_bot(api.base_url, tmp_path, OTHER_TOKEN)
    output = await finish(process)
    assert process.returncode == 2, output
    assert problem_lines(output) == ["Telegram rejected the token (401). Get a new one from @BotFather."]
    assert OTHER_TOKEN.split(":")[1] not in output and "Traceback" not in output


async def test_no_route_to_telegram_is_retried_one_line_each_until_ctrl_c(tmp_path: Path,
                                                                         unused_tcp_port: int) -> None:
    process = await start_bot(f"http://127.0.0.1:{unused_tcp_port}/bot", tmp_path)
    assert process.stderr is not None
    lines: list[str] = []
    try:
        while len(lines) < 2:
            lines.append((await asyncio.wait_for(process.stderr.readline(), 20)).decode().strip())
    finally:
        process.send_signal(signal.SIGINT)
    stopped = time.monotonic()
    output = "\n".join(lines) + await finish(process, timeout=10)
    assert time.monotonic() - stopped < 3
    assert process.returncode == 130
    assert all(f"cannot reach Telegram at 127.0.0.1:{unused_tcp_port} (Connection refused); trying again in"
               in line for line in lines), lines
    assert lines[0].endswith("in 1 s") and lines[1].endswith("in 2 s")
    assert "Traceback" not in output and TOKEN.split(":")[1] not in output


async def test_a_second_bot_on_the_same_token_says_so_and_exits(api: FakeBotAPI, tmp_path: Path) -> None:  # noqa: F811
    api.another_bot_polling = True
    process = await start_bot(api.base_url, tmp_path)
    output = await finish(process)
    assert process.returncode == 2, output
    problems = problem_lines(output)
    assert len(problems) == 1 and "another bot is already running with this token" in problems[0], output
    assert "409" in problems[0] and "Traceback" not in output and TOKEN.split(":")[1] not in output


async def test_a_running_bot_keeps_polling_when_another_one_starts(
        api: FakeBotAPI, responder: Responder, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
        caplog: pytest.LogCaptureFixture) -> None:
    """Past its first seconds, a 409 means the newcomer is the second bot: this one stays."""
    monkeypatch.setattr(telegram_bot, "CONFLICT_AT_START_SECONDS", -1.0)
    application: Application = build_application(responder, config_for(api), TOKEN)
    await start_polling(application)
    try:
        api.another_bot_polling = True
        await eventually(lambda: any("another bot started polling" in r.getMessage() for r in caplog.records))
        api.another_bot_polling = False
        await api.add_update(text_update(PERSON, "why do my glutes cramp"))
        await api.wait_for("sendMessage", 1, PERSON, timeout=20)
    finally:
        await stop_polling(application)


async def test_any_error_at_start_up_is_one_line_unless_debug(api: FakeBotAPI, tmp_path: Path) -> None:  # noqa: F811
    """A webhook port already in use: one line, exit 2; --debug shows the traceback."""
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    (tmp_path / "config.yaml").write_text(
        "store:\n  enabled: false\ntelegram:\n  mode: webhook\n  webhook:\n    listen: 127.0.0.1\n"
        f"    port: {port}\n    url: https://bot.example.org/hook\n    secret_token: s3cret\n")
    try:
        process = await start_bot(api.base_url, tmp_path)
        output = await finish(process)
        assert process.returncode == 2, output
        problems = problem_lines(output)
        assert "Traceback" not in output and TOKEN.split(":")[1] not in output
        assert problems[-1].startswith("OSError") and problems[-1].endswith("Run with --debug for the details.")
        debug = await start_bot(api.base_url, tmp_path, TOKEN, "--debug")
        assert "Traceback" in await finish(debug)
        assert debug.returncode != 0
    finally:
        taken.close()
