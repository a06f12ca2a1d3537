"""`backup DEST` copies the store consistently while the bot writes, with its key; the copy restores."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.config import PROJECT_DIR
from bot.store import Store, key_path

PEOPLE = 20


def run_bot(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("BOT_PRIVACY_KEY", "TELEGRAM_BOT_TOKEN")}
    environment.update({"PYTHONPATH": str(PROJECT_DIR), **(env or {})})
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=cwd,
                          env=environment, timeout=60)


def write_config(folder: Path) -> Path:
    config = folder / "config.yaml"
    config.write_text("store:\n  path: data/bot.sqlite3\n")
    return config


def test_backup_while_a_writer_is_active_restores_rows_and_key(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    live = Store(tmp_path / "data" / "bot.sqlite3", 90)  # a key file made beside it, as on first run
    for number in range(200):
        live.record("fallback", None, 0.2, (), user_id=number % PEOPLE, text=f"question {number}")
    stop = threading.Event()
    written = [200]

    def write() -> None:  # the bot, answering on while the backup runs
        while not stop.is_set():
            outcome = live.record("answer", "causes", 0.9, (), user_id=written[0] % PEOPLE)
            live.vote(outcome, written[0] % PEOPLE, 1)
            written[0] += 1

    writer = threading.Thread(target=write)
    writer.start()
    while written[0] == 200:  # until the writer is under way
        time.sleep(0.001)
    try:
        result = run_bot(tmp_path, "--config", str(config), "backup", str(tmp_path / "backups" / "today"))
    finally:
        stop.set()
        writer.join()
    assert result.returncode == 0, result.stderr
    copy = tmp_path / "backups" / "today" / "bot.sqlite3"
    assert f"to {copy}" in result.stdout and "and the key" in result.stdout
    assert written[0] > 200  # the writer did write during the backup
    assert (copy.stat().st_mode & 0o777) == 0o600 and (key_path(copy).stat().st_mode & 0o777) == 0o600
    assert not copy.with_name("bot.sqlite3.partial").exists()

    raw = sqlite3.connect(copy)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    outcomes = raw.execute("SELECT COUNT(*) FROM outcomes").fetchone()[0]
    votes = raw.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]
    orphans = raw.execute("SELECT COUNT(*) FROM feedback WHERE outcome_id NOT IN "
                          "(SELECT id FROM outcomes)").fetchone()[0]
    raw.close()
    assert 200 < outcomes <= written[0]
    assert f"backed up {outcomes} outcomes and {votes} votes" in result.stdout
    # A consistent snapshot: every vote's answer is in the copy, and at most the last answer
    # (recorded, its vote not yet) has no vote.
    assert orphans == 0 and outcomes - 201 <= votes <= outcomes - 200

    # Restore: both files back beside each other, opened as the bot opens its store.
    restored_folder = tmp_path / "restored"
    restored_folder.mkdir()
    for path in (copy, key_path(copy)):
        (restored_folder / path.name).write_bytes(path.read_bytes())
    restored = Store(restored_folder / "bot.sqlite3", 90)
    try:
        assert restored.person(7) == live.person(7)  # the key hashes the same ids
        assert restored.count_rows()["outcomes"] == outcomes
        before = restored.count_rows()["outcomes"]
        assert restored.forget(7) > 0  # so /forget still finds a person's rows
        assert restored.count_rows()["outcomes"] < before
    finally:
        restored.close()
        live.close()


def test_the_key_from_the_environment_travels_with_the_backup_and_beats_dotenv(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    Store(tmp_path / "data" / "bot.sqlite3", 90, key=b"unused").close()
    (tmp_path / ".env").write_text("BOT_PRIVACY_KEY=key-from-dotenv\n")
    from_dotenv = run_bot(tmp_path, "--config", str(config), "backup", "first")
    assert from_dotenv.returncode == 0, from_dotenv.stderr
    assert (tmp_path / "first" / "bot.sqlite3.key").read_text() == "key-from-dotenv"
    from_environment = run_bot(tmp_path, "--config", str(config), "backup", "second",
                               env={"BOT_PRIVACY_KEY": "key-from-environment"})
    assert from_environment.returncode == 0, from_environment.stderr
    assert (tmp_path / "second" / "bot.sqlite3.key").read_text() == "key-from-environment"


@pytest.mark.parametrize("case, words", [
    ("no store", "there is no store to back up"),
    ("no key", "a backup without it"),
    ("a backup there", "already holds a backup"),
])
def test_backup_mistakes_are_one_line_and_exit_2(tmp_path: Path, case: str, words: str) -> None:
    config = write_config(tmp_path)
    if case != "no store":
        Store(tmp_path / "data" / "bot.sqlite3", 90, key=b"k").close()
    if case == "a backup there":
        (tmp_path / "data" / "bot.sqlite3.key").write_text("k")
        (tmp_path / "dest").mkdir()
        (tmp_path / "dest" / "bot.sqlite3").write_text("older backup")
    result = run_bot(tmp_path, "--config", str(config), "backup", str(tmp_path / "dest"))
    assert result.returncode == 2
    assert words in result.stderr and "Fix:" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    if case == "a backup there":
        assert (tmp_path / "dest" / "bot.sqlite3").read_text() == "older backup"
