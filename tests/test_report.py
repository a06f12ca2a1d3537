"""`report` groups unanswered questions and counts outcomes, in text, JSON and CSV."""

from __future__ import annotations

import csv
import datetime
import io
import json
import subprocess
import sys
from pathlib import Path

from bot.config import PROJECT_DIR
from bot.report import format_text, load_report
from bot.responder import Responder
from bot.store import Store


def fill(store: Store, responder: Responder) -> None:
    messages = ["what causes migraines", "what causes migraine", "what causes migraines?",
                "how do I stretch my glutes", "how to stretch glutes", "why does my glute cramp",
                "why does my glute cramp", "glute cramp info", "how much water a day"]
    for number, text in enumerate(messages):
        reply = responder.respond(text)
        outcome = store.record(reply.kind, reply.entry_id, reply.score,
                               tuple(s.entry_id for s in reply.suggestions), number, text)
        if reply.kind == "answer":
            store.vote(outcome, number, 1 if reply.entry_id == "causes" else -1)


def run_report(config: Path, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "bot", "--config", str(config), "report", *args],
                            capture_output=True, text=True, cwd=PROJECT_DIR, timeout=60,
                            env={"PYTHONPATH": str(PROJECT_DIR), "BOT_PRIVACY_KEY": "k", "PATH": ""})
    assert result.returncode == 0, result.stderr
    return result.stdout


def make_store(tmp_path: Path, responder: Responder) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(f"knowledge_path: {PROJECT_DIR / 'knowledge'}\nstore:\n  path: bot.sqlite3\n")
    store = Store(tmp_path / "bot.sqlite3", 90, key=b"k")
    fill(store, responder)
    store.close()
    return config


def test_report_in_three_formats(tmp_path: Path, responder: Responder) -> None:
    config = make_store(tmp_path, responder)

    text = run_report(config)
    assert "Unanswered questions" in text
    assert '3 x  "what causes migraine' in text
    assert "stretch" in text
    causes_line = next(line for line in text.splitlines() if line.startswith("causes "))
    assert causes_line.split()[1:3] == ["2", "2"]

    data = json.loads(run_report(config, "--format", "json"))
    assert data["groups"][0]["count"] == 3
    assert data["groups"][0]["example"].startswith("what causes migraine")
    assert any("stretch" in group["example"] for group in data["groups"])
    hydration = next(e for e in data["entries"] if e["entry_id"] == "hydration")
    assert hydration["hits"] == 1 and hydration["not_helpful"] == 1
    assert sum(day["fallback"] for day in data["days"].values()) == 5
    assert any(e["clarify_candidate"] for e in data["entries"])

    rows = list(csv.DictReader(io.StringIO(run_report(config, "--format", "csv"))))
    assert {row["section"] for row in rows} == {"unanswered", "entry", "day", "handoff"}
    assert any(row["section"] == "unanswered" and row["count"] == "3" for row in rows)


def test_report_after_the_terminal_chat_says_only_the_telegram_bot_records(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("store:\n  path: nothing-here.sqlite3\n")
    chat = subprocess.run([sys.executable, "-m", "bot", "--config", str(config), "chat"],
                          input="what causes migraines\nquit\n", capture_output=True, text=True, cwd=PROJECT_DIR, timeout=60,
                          env={"PYTHONPATH": str(PROJECT_DIR), "PATH": ""})
    assert chat.returncode == 0 and "can't answer" in chat.stdout
    result = subprocess.run([sys.executable, "-m", "bot", "--config", str(config), "report"],
                            capture_output=True, text=True, cwd=PROJECT_DIR, timeout=60,
                            env={"PYTHONPATH": str(PROJECT_DIR), "PATH": ""})
    assert result.returncode == 2 and "there is no store yet" in result.stderr
    assert "Only the Telegram bot records" in result.stderr
    assert "the terminal chat (`chat`, `ask`, or `run` without a token) records nothing" in result.stderr


def test_report_counts_hand_off_cases_and_their_first_replies_never_their_text(
        tmp_path: Path, responder: Responder) -> None:
    opened = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.timezone.utc)
    store = Store(tmp_path / "bot.sqlite3", 90, clock=lambda: opened + datetime.timedelta(days=1), key=b"k")
    for number, (wait, closed) in enumerate([(4, True), (12.5, True), (None, False)]):
        code = f"CASE{number}"
        store.open_case(code, 100 + number, -100, 500 + number, opened)
        if wait is not None:
            store.mark_first_reply(code, opened + datetime.timedelta(minutes=wait))
        if closed:
            store.close_case(code, opened + datetime.timedelta(hours=1))
    report = load_report(store, responder, 30)
    store.close()
    assert (report.handoff.opened, report.handoff.answered, report.handoff.still_open) == (3, 2, 1)
    assert report.handoff.median_minutes_to_first_reply == 8.2
    assert report.handoff.longest_minutes_to_first_reply == 12.5
    assert ("Talk to a person: 3 cases opened, 2 answered, 1 still open; minutes to the team's first reply: "
            "median 8.2, longest 12.5") in format_text(report)
