"""What the operator needs to see, kept in SQLite: outcomes, unanswered questions, feedback, and the
hand-off cases open with the team.

Nothing that names a person is stored: a Telegram user id becomes a keyed hash (HMAC-SHA256),
kept only so that `/forget` can delete that person's rows. The key lives outside the database
(the environment, or a file beside it made on first run), so a copied database alone cannot be
turned back into user ids. The one exception is where the team's replies must go: while a case is
open, the person's chat id is kept sealed with that key, and it is wiped when the case closes.
Rows older than the retention period are purged; open cases are kept until they close.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import hmac
import json
import os
import re
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import ConfigError

KEY_VARIABLE = "BOT_PRIVACY_KEY"
PURGE_INTERVAL = datetime.timedelta(days=1)
MAX_TEXT = 300
MAX_OUTCOME_ID = 10**18
_PRIVATE = re.compile(
    r"\S+@\S+\.\S+"                 # e-mail addresses
    r"|https?://\S+|www\.\S+"       # links
    r"|@\w+"                        # @usernames
    r"|\+?\d[\d\s().-]{4,}\d",      # phone numbers and other long numbers
)

MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = []


def migration(function: Callable[[sqlite3.Connection], None]) -> Callable[[sqlite3.Connection], None]:
    """Register a schema change; they run once each, in the order of their number."""
    MIGRATIONS.append(function)
    return function


def run_script(db: sqlite3.Connection, script: str) -> None:
    """Run statements one by one: executescript would commit in the middle of a migration."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


@migration
def m001_initial(db: sqlite3.Connection) -> None:
    run_script(db, """
        CREATE TABLE outcomes (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,             -- UTC, ISO 8601
            kind TEXT NOT NULL,           -- answer, clarify, fallback, urgent, smalltalk
            entry_id TEXT,
            score REAL NOT NULL,
            suggestions TEXT NOT NULL,    -- JSON list of entry ids offered by a clarify
            person TEXT,                  -- keyed hash, only to delete on /forget
            text TEXT                     -- cleaned message, only for fallback and clarify
        );
        CREATE INDEX outcomes_at ON outcomes (at);
        CREATE INDEX outcomes_person ON outcomes (person);
        CREATE TABLE feedback (
            outcome_id INTEGER NOT NULL,
            person TEXT NOT NULL,
            entry_id TEXT NOT NULL,
            vote INTEGER NOT NULL,        -- 1 helpful, -1 not helpful
            at TEXT NOT NULL,
            PRIMARY KEY (outcome_id, person)
        );
        CREATE INDEX feedback_person ON feedback (person);
    """)


@migration
def m002_handoff_cases(db: sqlite3.Connection) -> None:
    run_script(db, """
        CREATE TABLE handoff_cases (
            code TEXT PRIMARY KEY,        -- short case code the team sees, e.g. K7F3Q
            person TEXT NOT NULL,         -- keyed hash, only to delete on /forget
            route TEXT,                   -- the person's chat id, sealed with the key, only while open
            team_chat INTEGER NOT NULL,   -- the team's group
            thread_id INTEGER,            -- the case's forum topic, NULL in a plain group
            opened_at TEXT NOT NULL,      -- UTC, ISO 8601, like every time below
            first_reply_at TEXT,          -- the team's first reply that reached the person
            waiting_told_at TEXT,         -- when the person was told nobody had answered yet
            closed_at TEXT
        );
        CREATE INDEX handoff_cases_person ON handoff_cases (person);
        CREATE INDEX handoff_cases_opened_at ON handoff_cases (opened_at);
        CREATE TABLE handoff_messages (
            code TEXT NOT NULL REFERENCES handoff_cases (code) ON DELETE CASCADE,
            message_id INTEGER NOT NULL,  -- the bot's message in a plain group, which the team replies to
            PRIMARY KEY (code, message_id)
        );
    """)


def clean_text(text: str) -> str:
    """A message as the report shows it: private details masked, one line, bounded."""
    return " ".join(_PRIVATE.sub("…", text).split())[:MAX_TEXT]


def key_path(store_path: Path) -> Path:
    """Where the hashing key is kept when BOT_PRIVACY_KEY is not set: beside the database."""
    return store_path.with_name(store_path.name + ".key")


def read_key(path: Path) -> bytes | None:
    """The hashing key: BOT_PRIVACY_KEY, else the key file; None when there is neither."""
    from_environment = os.environ.get(KEY_VARIABLE, "").strip()
    if from_environment:
        return from_environment.encode()
    try:
        return path.read_text(encoding="utf-8").strip().encode()
    except FileNotFoundError:
        return None


def load_key(path: Path) -> bytes:
    """The hashing key: BOT_PRIVACY_KEY, else a key file made (mode 0600) on first run."""
    existing = read_key(path)
    if existing is not None:
        return existing
    key = secrets.token_hex(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip().encode()
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(key)
    return key.encode()


@dataclass(frozen=True)
class Outcome:
    id: int
    at: datetime.datetime
    kind: str
    entry_id: str | None
    score: float
    suggestions: tuple[str, ...]
    text: str | None


@dataclass(frozen=True)
class Vote:
    entry_id: str
    vote: int


@dataclass(frozen=True)
class StoredCase:
    """An open hand-off case as a restart finds it; chat_id is None when the key has changed."""

    code: str
    chat_id: int | None
    team_chat: int
    thread_id: int | None
    opened_at: datetime.datetime
    first_reply_at: datetime.datetime | None
    waiting_told: bool
    message_ids: tuple[int, ...]


@dataclass(frozen=True)
class CaseTiming:
    """What the report counts of a case: never its text."""

    opened_at: datetime.datetime
    first_reply_at: datetime.datetime | None
    closed_at: datetime.datetime | None


def _time(text: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(text) if text else None


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


class Store:
    """One SQLite database in WAL mode; every method is safe to call from any thread."""

    def __init__(self, path: Path, retention_days: int, clock: Callable[[], datetime.datetime] = _now,
                 key: bytes | None = None) -> None:
        self.path = path
        self.retention = datetime.timedelta(days=retention_days)
        self.clock = clock
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._key = key if key is not None else load_key(key_path(path))
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        except (OSError, sqlite3.Error) as error:
            raise ConfigError(f"cannot open the store ({error})", path,
                              fix="set `store.path` to a writable file, or `store.enabled: false`") from None
        self._lock = threading.Lock()
        self._last_purge = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA busy_timeout=30000")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        self.purge()

    def _migrate(self) -> None:
        self._db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
        done = {row[0] for row in self._db.execute("SELECT name FROM migrations")}
        for step in MIGRATIONS:
            if step.__name__ in done:
                continue
            with self._db:
                self._db.execute("BEGIN")
                step(self._db)
                self._db.execute("INSERT INTO migrations VALUES (?, ?)",
                                 (step.__name__, self.clock().isoformat()))

    def person(self, user_id: int | str) -> str:
        """The keyed hash that stands for a person; the id itself is never stored."""
        return hmac.new(self._key, f"telegram:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]

    def seal(self, chat_id: int) -> str:
        """A chat id only this key can read back: XOR with an HMAC keystream, then an HMAC tag."""
        nonce = secrets.token_bytes(12)
        pad = hmac.new(self._key, b"route:" + nonce, hashlib.sha256).digest()[:8]
        sealed = bytes(a ^ b for a, b in zip(chat_id.to_bytes(8, "big", signed=True), pad))
        tag = hmac.new(self._key, b"tag:" + nonce + sealed, hashlib.sha256).digest()[:8]
        return (nonce + sealed + tag).hex()

    def unseal(self, text: str) -> int | None:
        """The chat id sealed by `seal`, or None when it was sealed with another key."""
        raw = bytes.fromhex(text)
        nonce, sealed, tag = raw[:12], raw[12:20], raw[20:]
        if not hmac.compare_digest(tag, hmac.new(self._key, b"tag:" + nonce + sealed, hashlib.sha256).digest()[:8]):
            return None
        pad = hmac.new(self._key, b"route:" + nonce, hashlib.sha256).digest()[:8]
        return int.from_bytes(bytes(a ^ b for a, b in zip(sealed, pad)), "big", signed=True)

    def limit_waits(self, seconds: float) -> None:
        """Give up on a locked database after `seconds` (a bot records best effort, never waits long)."""
        with self._lock:
            self._db.execute(f"PRAGMA busy_timeout={int(seconds * 1000)}")

    def record(self, kind: str, entry_id: str | None, score: float, suggestions: tuple[str, ...] = (),
               user_id: int | str | None = None, text: str | None = None,
               outcome_id: int | None = None) -> int:
        """Store one outcome and return its id; message text is kept only when it was not answered.

        `outcome_id` is one from `new_outcome_id`, when a button carrying it went out first. A crisis
        or emergency is counted without the person's code: nothing ties it to anyone.
        """
        kept = clean_text(text) if text is not None and kind in ("fallback", "clarify") else None
        person = self.person(user_id) if user_id is not None and kind != "urgent" else None
        now = self.clock()
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO outcomes (id, at, kind, entry_id, score, suggestions, person, text)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (outcome_id, now.isoformat(), kind, entry_id, round(score, 4),
                 json.dumps(list(suggestions)), person, kept))
            outcome_id = int(cursor.lastrowid or 0)
        if now - self._last_purge >= PURGE_INTERVAL:
            self.purge()
        return outcome_id

    @staticmethod
    def new_outcome_id() -> int:
        """An id for an outcome not written yet, so its 👍 / 👎 buttons can go out before it is.

        Random below 10**18 (it fits a button and SQLite's integer), so ids say nothing about order
        or volume; a clash is as likely as guessing a 60-bit key.
        """
        return secrets.randbelow(MAX_OUTCOME_ID - 1) + 1

    def vote(self, outcome_id: int, user_id: int | str, vote: int) -> str | None:
        """Record 👍 (1) or 👎 (-1) once per person and answer; a second press changes it.

        Returns the entry voted on, or None when the answer is unknown (purged or forged).
        """
        person = self.person(user_id)
        with self._lock:
            row = self._db.execute("SELECT entry_id FROM outcomes WHERE id = ? AND kind = 'answer'",
                                   (outcome_id,)).fetchone()
            if row is None:
                return None
            self._db.execute(
                "INSERT INTO feedback (outcome_id, person, entry_id, vote, at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (outcome_id, person) DO UPDATE SET vote = excluded.vote, at = excluded.at",
                (outcome_id, person, row[0], 1 if vote > 0 else -1, self.clock().isoformat()))
        return str(row[0])

    def forget(self, user_id: int | str) -> int:
        """Delete everything stored for a person, hand-off cases included; returns how many rows went."""
        person = self.person(user_id)
        with self._lock, self._db:
            self._db.execute("BEGIN")
            gone = self._db.execute("DELETE FROM feedback WHERE person = ?", (person,)).rowcount
            gone += self._db.execute("DELETE FROM outcomes WHERE person = ?", (person,)).rowcount
            gone += self._db.execute("DELETE FROM handoff_cases WHERE person = ?", (person,)).rowcount
        return gone

    def open_case(self, code: str, user_id: int, team_chat: int, thread_id: int | None,
                  at: datetime.datetime) -> None:
        """Keep a new hand-off case; sqlite3.IntegrityError if the code is taken."""
        with self._lock:
            self._db.execute(
                "INSERT INTO handoff_cases (code, person, route, team_chat, thread_id, opened_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (code, self.person(user_id), self.seal(user_id), team_chat, thread_id, at.isoformat()))

    def add_case_message(self, code: str, message_id: int) -> None:
        """A message of the bot's in a plain team group that belongs to the case (replies go to it)."""
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO handoff_messages (code, message_id) VALUES (?, ?)",
                             (code, message_id))

    def mark_first_reply(self, code: str, at: datetime.datetime) -> None:
        with self._lock:
            self._db.execute("UPDATE handoff_cases SET first_reply_at = ? WHERE code = ? AND first_reply_at IS NULL",
                             (at.isoformat(), code))

    def mark_waiting_told(self, code: str, at: datetime.datetime) -> None:
        with self._lock:
            self._db.execute("UPDATE handoff_cases SET waiting_told_at = ? WHERE code = ?", (at.isoformat(), code))

    def close_case(self, code: str, at: datetime.datetime) -> None:
        """Close a case: where replies went, and its message ids, are wiped; its times stay for the report."""
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.execute("UPDATE handoff_cases SET closed_at = ?, route = NULL WHERE code = ? AND closed_at IS NULL",
                             (at.isoformat(), code))
            self._db.execute("DELETE FROM handoff_messages WHERE code = ?", (code,))

    def open_cases(self) -> list[StoredCase]:
        with self._lock:
            rows = self._db.execute(
                "SELECT code, route, team_chat, thread_id, opened_at, first_reply_at, waiting_told_at"
                " FROM handoff_cases WHERE closed_at IS NULL ORDER BY opened_at").fetchall()
            messages = self._db.execute("SELECT code, message_id FROM handoff_messages").fetchall()
        ids: dict[str, list[int]] = {}
        for code, message_id in messages:
            ids.setdefault(code, []).append(message_id)
        return [StoredCase(code, self.unseal(route) if route else None, team_chat, thread_id,
                           datetime.datetime.fromisoformat(opened), _time(first_reply), told is not None,
                           tuple(sorted(ids.get(code, ()))))
                for code, route, team_chat, thread_id, opened, first_reply, told in rows]

    def case_timings(self, since: datetime.datetime) -> list[CaseTiming]:
        with self._lock:
            rows = self._db.execute("SELECT opened_at, first_reply_at, closed_at FROM handoff_cases"
                                    " WHERE opened_at >= ? ORDER BY opened_at", (since.isoformat(),)).fetchall()
        return [CaseTiming(datetime.datetime.fromisoformat(row[0]), _time(row[1]), _time(row[2])) for row in rows]

    def purge(self) -> int:
        """Delete rows older than the retention period."""
        now = self.clock()
        cutoff = (now - self.retention).isoformat()
        with self._lock, self._db:
            self._db.execute("BEGIN")
            gone = self._db.execute("DELETE FROM feedback WHERE at < ?", (cutoff,)).rowcount
            gone += self._db.execute("DELETE FROM outcomes WHERE at < ?", (cutoff,)).rowcount
            gone += self._db.execute("DELETE FROM handoff_cases WHERE closed_at < ?", (cutoff,)).rowcount
        self._last_purge = now
        return gone

    def outcomes(self, since: datetime.datetime) -> list[Outcome]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, at, kind, entry_id, score, suggestions, text FROM outcomes"
                " WHERE at >= ? ORDER BY at, id", (since.isoformat(),)).fetchall()
        return [Outcome(row[0], datetime.datetime.fromisoformat(row[1]), row[2], row[3], row[4],
                        tuple(json.loads(row[5])), row[6]) for row in rows]

    def votes(self, since: datetime.datetime) -> list[Vote]:
        with self._lock:
            rows = self._db.execute("SELECT entry_id, vote FROM feedback WHERE at >= ?",
                                    (since.isoformat(),)).fetchall()
        return [Vote(row[0], row[1]) for row in rows]

    def count_rows(self) -> dict[str, int]:
        with self._lock:
            return {table: self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                    for table in ("outcomes", "feedback", "handoff_cases", "handoff_messages")}

    def close(self) -> None:
        with self._lock:
            self._db.close()


@dataclass(frozen=True)
class Backup:
    database: Path
    key: Path
    rows: dict[str, int]


def write_private(path: Path, data: bytes) -> None:
    """Create `path` readable by its owner only; never overwrite."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def backup_store(source: Path, folder: Path) -> Backup:
    """Copy the database and its hashing key into `folder`, while the bot may be writing.

    SQLite's online backup copies a consistent snapshot (the bot's writes go on meanwhile, in
    WAL mode), and the key travels with it: without the key, a restored store cannot find a
    person's rows for /forget. Restoring is copying both files back beside each other.
    """
    if not source.is_file():
        raise ConfigError("there is no store to back up", source,
                          fix="point `store.path` (or --config) at the bot's database")
    key = read_key(key_path(source))
    if key is None:
        raise ConfigError(f"no key to back up: {KEY_VARIABLE} is not set and {key_path(source)} is "
                          "missing, and a backup without it cannot find a person's rows for /forget",
                          source, fix=f"set {KEY_VARIABLE} as the bot has it, then back up again")
    target = folder / source.name
    for path in (target, key_path(target)):
        if path.exists():
            raise ConfigError("the backup folder already holds a backup", path,
                              fix="back up into a new folder, e.g. one named by the date")
    partial = target.with_name(target.name + ".partial")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        with contextlib.closing(sqlite3.connect(source, timeout=30)) as live, \
                contextlib.closing(sqlite3.connect(partial)) as copy:
            live.backup(copy)
            # One self-contained file: the bot turns WAL on again when it opens a restored copy.
            copy.execute("PRAGMA journal_mode=DELETE")
            if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("the copy fails SQLite's integrity check")
            rows = {table: copy.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                    for table in ("outcomes", "feedback")}
        partial.chmod(0o600)
        os.replace(partial, target)
        write_private(key_path(target), key)
    except (OSError, sqlite3.Error) as error:
        partial.unlink(missing_ok=True)
        raise ConfigError(f"the backup failed ({error})", target,
                          fix="check that the folder is writable and has room") from None
    return Backup(target, key_path(target), rows)
