"""The store keeps every row under concurrency, forgets people on request and purges old rows."""

from __future__ import annotations

import datetime
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.store import Store, clean_text

START = datetime.datetime(2026, 11, 24, 12, 0, tzinfo=datetime.timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Store:
    return Store(tmp_path / "bot.sqlite3", retention_days=90, clock=clock, key=b"test-key")


def test_schema_is_migrated_once(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    Store(path, 90, key=b"k").close()
    Store(path, 90, key=b"k").close()
    db = sqlite3.connect(path)
    assert [row[0] for row in db.execute("SELECT name FROM migrations")] == ["m001_initial", "m002_handoff_cases"]
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_thousand_concurrent_recordings_are_all_kept(store: Store) -> None:
    def record(number: int) -> int:
        return store.record("fallback", None, 0.1, (), user_id=number % 50, text=f"question {number}")

    with ThreadPoolExecutor(max_workers=32) as pool:
        ids = list(pool.map(record, range(1000)))
    assert len(set(ids)) == 1000
    assert store.count_rows()["outcomes"] == 1000


def test_no_user_id_or_answered_text_is_stored(store: Store, tmp_path: Path) -> None:
    store.record("answer", "causes", 0.9, (), user_id=987654321, text="why do my glutes cramp")
    store.record("fallback", None, 0.0, (), user_id=987654321, text="what about my liver")
    dump = "\n".join(sqlite3.connect(tmp_path / "bot.sqlite3").iterdump())
    assert "987654321" not in dump
    assert "why do my glutes cramp" not in dump
    assert "what about my liver" in dump


def test_text_is_cleaned_of_private_details() -> None:
    cleaned = clean_text("call me on +44 7700 900123 or mail a.b@example.org, see https://x.y/z @me")
    assert "7700" not in cleaned and "example.org" not in cleaned and "x.y" not in cleaned
    assert "@me" not in cleaned and len(clean_text("x " * 1000)) <= 300


def test_forget_removes_exactly_that_persons_rows(store: Store) -> None:
    mine = store.record("answer", "causes", 0.9, (), user_id=1)
    store.record("fallback", None, 0.0, (), user_id=1, text="liver")
    theirs = store.record("answer", "diet", 0.9, (), user_id=2)
    store.vote(mine, 1, 1)
    store.vote(theirs, 2, -1)
    assert store.forget(1) == 3
    outcomes = store.outcomes(START - datetime.timedelta(days=1))
    assert [o.id for o in outcomes] == [theirs]
    assert [(v.entry_id, v.vote) for v in store.votes(START - datetime.timedelta(days=1))] == [("diet", -1)]


def test_a_second_vote_changes_the_first(store: Store) -> None:
    answer = store.record("answer", "causes", 0.9, (), user_id=1)
    assert store.vote(answer, 1, 1) == "causes"
    assert store.vote(answer, 1, -1) == "causes"
    assert store.vote(answer, 2, 1) == "causes"
    votes = sorted(v.vote for v in store.votes(START - datetime.timedelta(days=1)))
    assert votes == [-1, 1]
    assert store.vote(999, 1, 1) is None


def test_retention_purges_old_rows_on_start_and_daily(tmp_path: Path, clock: Clock) -> None:
    store = Store(tmp_path / "bot.sqlite3", 90, clock=clock, key=b"k")
    store.record("fallback", None, 0.0, (), text="old question")
    clock.now = START + datetime.timedelta(days=60)
    store.record("fallback", None, 0.0, (), text="newer question")
    store.close()
    clock.now = START + datetime.timedelta(days=91)
    reopened = Store(tmp_path / "bot.sqlite3", 90, clock=clock, key=b"k")
    assert [o.text for o in reopened.outcomes(START)] == ["newer question"]
    clock.now = START + datetime.timedelta(days=152)
    reopened.record("answer", "causes", 1.0)
    assert [o.kind for o in reopened.outcomes(START)] == ["answer"]


def test_key_file_is_made_once_and_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOT_PRIVACY_KEY", raising=False)
    first = Store(tmp_path / "bot.sqlite3", 90)
    key_file = tmp_path / "bot.sqlite3.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    second = Store(tmp_path / "bot.sqlite3", 90)
    assert first.person(42) == second.person(42) != first.person(43)
    monkeypatch.setenv("BOT_PRIVACY_KEY", "from-the-environment")
    assert Store(tmp_path / "bot.sqlite3", 90).person(42) != first.person(42)


def test_a_hand_off_case_keeps_where_replies_go_only_while_open(store: Store, tmp_path: Path) -> None:
    store.open_case("K7F3QA", 987654321, -100123, None, START)
    store.add_case_message("K7F3QA", 1001)
    store.add_case_message("K7F3QA", 1002)
    store.mark_first_reply("K7F3QA", START + datetime.timedelta(minutes=3))
    store.mark_first_reply("K7F3QA", START + datetime.timedelta(minutes=9))  # the first one counts
    (case,) = store.open_cases()
    assert (case.code, case.chat_id, case.team_chat, case.thread_id) == ("K7F3QA", 987654321, -100123, None)
    assert case.message_ids == (1001, 1002) and not case.waiting_told
    assert case.first_reply_at == START + datetime.timedelta(minutes=3)
    dump = "\n".join(sqlite3.connect(tmp_path / "bot.sqlite3").iterdump())
    assert "987654321" not in dump
    assert Store(tmp_path / "bot.sqlite3", 90, key=b"another-key").open_cases()[0].chat_id is None
    store.close_case("K7F3QA", START + datetime.timedelta(hours=1))
    assert store.open_cases() == []
    assert store.count_rows()["handoff_messages"] == 0
    (timing,) = store.case_timings(START)
    assert timing.closed_at == START + datetime.timedelta(hours=1)
    route = sqlite3.connect(tmp_path / "bot.sqlite3").execute("SELECT route FROM handoff_cases").fetchone()
    assert route == (None,)


def test_cases_are_forgotten_and_purged_after_closing_plus_retention(store: Store, clock: Clock) -> None:
    for code, person in (("AAAAAA", 1), ("BBBBBB", 2), ("CCCCCC", 3)):
        store.open_case(code, person, -100, 7, START)
        store.add_case_message(code, 5)
    assert store.forget(1) >= 1
    assert [case.code for case in store.open_cases()] == ["BBBBBB", "CCCCCC"]
    store.close_case("BBBBBB", START)
    clock.now = START + datetime.timedelta(days=91)
    store.purge()
    assert [case.code for case in store.open_cases()] == ["CCCCCC"]  # open: kept however old
    assert store.count_rows()["handoff_cases"] == 1 and store.count_rows()["handoff_messages"] == 1
