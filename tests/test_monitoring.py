"""GET /healthz and GET /metrics over HTTP, with the bot running against the fake Bot API."""

from __future__ import annotations

import asyncio
import json
import signal
import threading
import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

import bot.monitoring as monitoring
from bot.config import PROJECT_DIR, Config, Monitoring, load_config
from bot.errors import ConfigError
from bot.responder import Responder
from bot.telegram_bot import build_application

from .fake_bot_api import TOKEN, FakeBotAPI, eventually, text_update
from .test_telegram_bot import PERSON, api, bot_process, config_for, start_polling, stop_polling  # noqa: F401

URGENT = "my butt cramps and I can't control my bladder"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a /metrics page, by name and labels, parsed by prometheus_client."""
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def get(url: str) -> httpx.Response:
    return httpx.get(url, timeout=5)


async def wait_until_alive(base: str) -> httpx.Response:
    """The server starts with the bot and the updater just after it: ask until it says alive."""
    deadline = time.monotonic() + 20
    while True:
        try:
            response = await asyncio.to_thread(get, f"{base}/healthz")
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("/healthz never said the bot is alive")
        await asyncio.sleep(0.1)


async def test_metrics_and_health_of_a_running_bot(api: FakeBotAPI, tmp_path: Path,  # noqa: F811
                                                   knowledge_copy: Path, unused_tcp_port: int) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"knowledge_path: {knowledge_copy}\nlog_format: json\nstore:\n  path: bot.sqlite3\n"
                      f"monitoring:\n  port: {unused_tcp_port}\n")
    base = f"http://127.0.0.1:{unused_tcp_port}"
    async with bot_process(api, tmp_path, "--config", str(config)) as process:
        health = await wait_until_alive(base)
        assert health.text == "ok: polling\n"

        api.fail_next("sendMessage", 500, "Internal Server Error")  # retried, then delivered
        await api.add_update(text_update(PERSON, "why do my glutes cramp"))
        await api.add_update(text_update(PERSON + 1, URGENT))
        await api.add_update(text_update(PERSON + 2, "what causes migraines"))
        for person in (PERSON, PERSON + 1, PERSON + 2):
            await api.wait_for("sendMessage", 1, person, timeout=20)

        def reloads() -> tuple[float, float]:
            values = samples(get(f"{base}/metrics").text)
            return (values[("healthfaq_knowledge_reloads_total", ())],
                    values[("healthfaq_knowledge_reload_failures_total", ())])

        assert reloads() == (0, 0)
        process.send_signal(signal.SIGHUP)  # a good reload
        await eventually(lambda: reloads() == (1, 0))
        article = knowledge_copy / "gluteal-cramps.yaml"
        article.write_text(article.read_text().replace("topic: causes", "topic: gossip", 1))  # a bad one
        await eventually(lambda: reloads() == (2, 1))
        page = await asyncio.to_thread(get, f"{base}/metrics")
        missing = await asyncio.to_thread(get, f"{base}/nothing")
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 40)
    assert process.returncode == 0, stderr.decode()

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/plain")
    values = samples(page.text)
    assert values[("healthfaq_updates_total", (("type", "message"),))] == 3
    assert values[("healthfaq_outcomes_total", (("kind", "answer"),))] == 1
    assert values[("healthfaq_outcomes_total", (("kind", "urgent"),))] == 1
    assert values[("healthfaq_outcomes_total", (("kind", "fallback"),))] == 1
    assert values[("healthfaq_outcomes_total", (("kind", "clarify"),))] == 0
    assert values[("healthfaq_red_flags_total", (("flag", "bladder-bowel-control"),))] == 1
    assert values[("healthfaq_reply_seconds_count", ())] == 3
    assert values[("healthfaq_reply_seconds_bucket", (("le", "+Inf"),))] == 3
    assert values[("healthfaq_bot_api_errors_total", (("kind", "http_500"),))] == 1
    assert values[("healthfaq_knowledge_reloads_total", ())] == 2
    assert values[("healthfaq_knowledge_reload_failures_total", ())] == 1
    assert values[("process_resident_memory_bytes", ())] > 0
    assert missing.status_code == 404

    lines = stderr.decode().splitlines()
    events = [json.loads(line) for line in lines]  # every line is one JSON event
    assert {"time", "level", "logger", "message"} <= set(events[0])
    assert any(event["message"].startswith("update ") and "outcome=answer" in event["message"]
               for event in events)
    assert any("reload refused" in event["message"] for event in events)
    assert TOKEN.split(":")[1] not in stderr.decode() and "glutes cramp" not in stderr.decode()


async def test_healthz_fails_when_polling_stops_or_the_loop_stalls(
        api: FakeBotAPI, responder: Responder, unused_tcp_port: int,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(monitoring, "HEARTBEAT_SECONDS", 0.05)
    monkeypatch.setattr(monitoring, "STALL_SECONDS", 0.5)
    config = replace(config_for(api), monitoring=Monitoring(port=unused_tcp_port))
    application = build_application(responder, config, TOKEN)
    url = f"http://127.0.0.1:{unused_tcp_port}/healthz"
    await start_polling(application)
    try:
        assert (await asyncio.to_thread(get, url)).status_code == 200

        answers: list[httpx.Response] = []
        asker = threading.Thread(target=lambda: (time.sleep(0.8), answers.append(get(url))))
        asker.start()
        time.sleep(1.2)  # blocks the event loop, as a stuck handler would
        asker.join()
        assert answers[0].status_code == 503
        assert answers[0].text.startswith("not alive: the event loop has not moved")
        await asyncio.sleep(0.2)
        assert (await asyncio.to_thread(get, url)).status_code == 200

        await application.updater.stop()
        stopped = await asyncio.to_thread(get, url)
        assert stopped.status_code == 503 and stopped.text == "not alive: not polling and no webhook served\n"
    finally:
        if application.updater.running:
            await application.updater.stop()
        await application.stop()
        await application.shutdown()
        await application.post_shutdown(application)
    with pytest.raises(httpx.TransportError):
        get(url)  # the server is gone with the bot


async def test_a_taken_port_is_one_line_and_exit_2(api: FakeBotAPI, tmp_path: Path) -> None:  # noqa: F811
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = tmp_path / "config.yaml"
        config.write_text(f"store:\n  path: bot.sqlite3\nmonitoring:\n  port: {port}\n")
        async with bot_process(api, tmp_path, "--config", str(config)) as process:
            stdout, stderr = await asyncio.wait_for(process.communicate(), 40)
    output = (stdout + stderr).decode()
    assert process.returncode == 2, output
    assert f"cannot serve /healthz and /metrics on 127.0.0.1:{port}" in output
    assert "Traceback" not in output


def test_monitoring_is_off_and_logs_are_text_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BASE_URL", raising=False)
    example = load_config(PROJECT_DIR / "config.example.yaml")
    assert example.monitoring == Config().monitoring == Monitoring(listen="127.0.0.1", port=0)
    assert example.log_format == Config().log_format == "text"


@pytest.mark.parametrize("text, line, words", [
    ("log_format: xml\n", 1, "unknown log format 'xml'"),
    ("monitoring:\n  port: 70000\n", 2, "`monitoring.port` should be 0 (off) to 65535"),
    ("monitoring:\n  port: '9090'\n", 2, "`monitoring.port` should be a number, not text"),
    ("monitoring:\n  adress: 127.0.0.1\n", 2, "unknown key `monitoring.adress`"),
])
def test_monitoring_and_log_format_mistakes_name_the_line(tmp_path: Path, text: str, line: int,
                                                          words: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}:{line}: ") and words in str(caught.value)
