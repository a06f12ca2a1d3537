"""Settings from config.yaml (every key optional, defaults below); the token only from the environment."""

from __future__ import annotations

import os
import re
import string
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .hours import ALWAYS, parse_hours
from .yamlfile import Checker, Mapping, describe_type, load_yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = Path("config.yaml")
TOKEN_VARIABLE = "TELEGRAM_BOT_TOKEN"
BASE_URL_VARIABLE = "TELEGRAM_BASE_URL"
_TOKEN = re.compile(r"^\d{3,15}:[A-Za-z0-9_-]{30,64}$")

DEFAULT_DISCLAIMER = (
    "This information is for educational purposes only. For medical advice or a diagnosis, "
    "contact a medical professional.")
DEFAULT_EMERGENCY = (
    "What you describe can be a sign of a medical emergency. Call your local emergency number "
    "now (112 in Europe, 911 in the US and Canada, 999 in the UK) or go to the nearest emergency "
    "department. Don't wait to see whether it passes.")
DEFAULT_CRISIS = (
    "I'm really sorry you're feeling this way, and you deserve support right now. If you might "
    "act on these thoughts, call your local emergency number (112, 911 or 999) now. You can also "
    "reach a crisis line any time: call or text 988 in the US and Canada, call Samaritans on "
    "116 123 in the UK and Ireland, or find a line near you at findahelpline.com.")
DEFAULT_SIGN_NOTE = (
    "If this is happening to you or someone with you now, call your local emergency number "
    "(112, 911 or 999) or go to the nearest emergency department.")
DEFAULT_CRISIS_NOTE = (
    "If you or someone you know is thinking of suicide or self-harm now, a crisis line can help any "
    "time: call or text 988 in the US and Canada, call Samaritans on 116 123 in the UK and Ireland, or "
    "find a line near you at findahelpline.com. If a life is in danger, call 112, 911 or 999.")


@dataclass(frozen=True)
class Matching:
    """Scores are 0-1; see config.example.yaml for what each one decides."""

    answer_score: float = 0.62
    answer_margin: float = 0.06
    clarify_score: float = 0.4
    min_coverage: float = 0.6
    min_entry_coverage: float = 0.6
    min_evidence: float = 1.0
    min_recall: float = 0.5
    follow_up_minutes: float = 10.0
    max_suggestions: int = 3


@dataclass(frozen=True)
class Texts:
    disclaimer: str = DEFAULT_DISCLAIMER
    emergency: str = DEFAULT_EMERGENCY
    crisis: str = DEFAULT_CRISIS
    sign_note: str = DEFAULT_SIGN_NOTE
    crisis_note: str = DEFAULT_CRISIS_NOTE


@dataclass(frozen=True)
class Webhook:
    listen: str = "0.0.0.0"
    port: int = 8443
    url: str = ""
    secret_token: str = ""


@dataclass(frozen=True)
class Telegram:
    base_url: str = "https://api.telegram.org/bot"
    mode: str = "polling"
    webhook: Webhook = field(default_factory=Webhook)
    max_messages_per_second: int = 30
    flood_burst: int = 8
    flood_per_minute: int = 20
    retry_seconds: int = 60


@dataclass(frozen=True)
class Storage:
    enabled: bool = True
    path: str = "data/bot.sqlite3"
    retention_days: int = 90


DEFAULT_EMERGENCY_LINE = ("call your local emergency number (112 in Europe, 911 in the US and Canada, "
                          "999 in the UK)")


@dataclass(frozen=True)
class HandoffTexts:
    """What a person reads about talking to the team; {names} are filled in (see HANDOFF_FIELDS)."""

    team: str = "a member of our team"
    emergency_line: str = DEFAULT_EMERGENCY_LINE
    consent: str = (
        "I can pass this conversation to {team}. They will read what you write here from now on, "
        "and the question you asked me last with my answer, and they will reply in this chat. "
        "Please share no more than they need to help you: no full name, address or ID numbers. "
        "This is not an emergency service: in an emergency, {emergency_line}. Do you want to be connected?")
    away: str = ("The team is not in right now: they are back {back}. You can leave a message now, "
                 "and they will answer here then.")
    connected: str = ("You're connected (case {code}). Write your message here and {team} will answer "
                      "in this chat. Send /done when you want to end.")
    leave_message: str = ("Write your message here (case {code}); {team} will read it and answer in this "
                          "chat when they are back, {back}. Send /done when you want to end.")
    waiting: str = ("Nobody from the team has answered yet, sorry. They will reply here as soon as they "
                    "can; send /done to end. In an emergency, {emergency_line}.")
    ended: str = ("The conversation with the team has ended, and you're back with the bot: ask me a "
                  "question, or send /human to reach the team again.")


# The {names} each text may use.
HANDOFF_FIELDS = {"team": (), "emergency_line": (), "consent": ("team", "emergency_line"),
                  "away": ("team", "back"), "connected": ("team", "code"),
                  "leave_message": ("team", "back", "code"), "waiting": ("team", "emergency_line"),
                  "ended": ("team",)}


@dataclass(frozen=True)
class Handoff:
    """Talk to a person: relayed to the team's Telegram group; off while chat_id is 0."""

    chat_id: int = 0
    time_zone: str = "UTC"
    hours: str = ALWAYS
    wait_minutes: float = 10.0
    texts: HandoffTexts = field(default_factory=HandoffTexts)

    @property
    def enabled(self) -> bool:
        return self.chat_id != 0


@dataclass(frozen=True)
class Monitoring:
    """The /healthz and /metrics server; port 0 keeps it off."""

    listen: str = "127.0.0.1"
    port: int = 0


@dataclass(frozen=True)
class Config:
    knowledge_path: Path = PROJECT_DIR / "knowledge"
    log_level: str = "INFO"
    log_format: str = "text"
    matching: Matching = field(default_factory=Matching)
    texts: Texts = field(default_factory=Texts)
    telegram: Telegram = field(default_factory=Telegram)
    store: Storage = field(default_factory=Storage)
    monitoring: Monitoring = field(default_factory=Monitoring)
    handoff: Handoff = field(default_factory=Handoff)
    path: Path | None = None

    @property
    def store_path(self) -> Path:
        """The database file; a relative path is taken from the config file's folder."""
        base = self.path.parent if self.path is not None else PROJECT_DIR
        return (base / self.store.path).resolve()


_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_LOG_FORMATS = ("text", "json")
_MODES = ("polling", "webhook")


def _read_section(checker: Checker, parent: Mapping, key: str, cls: type, where: str) -> Any:
    """Build a settings dataclass from one mapping, checking names and types against its fields."""
    defaults = cls()
    section = parent.get(key)
    if section is None:
        return defaults
    if checker.mapping(section, parent.line_of(key), f"`{where}`") is None:
        return defaults
    values: dict[str, Any] = {}
    names = {item.name: item for item in fields(cls)}
    for name, value in section.items():
        line = section.line_of(name)
        if name not in names:
            checker.fail(f"unknown key `{where}.{name}`", line,
                         f"remove it or use one of: {', '.join(names)}")
            continue
        default = getattr(defaults, name)
        if hasattr(default, "__dataclass_fields__"):
            values[name] = _read_section(checker, section, name, type(default), f"{where}.{name}")
        elif type(value) is not type(default) and not (isinstance(default, float) and type(value) is int):
            checker.fail(f"`{where}.{name}` should be {describe_type(default)}, not "
                         f"{describe_type(value)}", line, f"write e.g. `{name}: {default!r}`")
        elif isinstance(value, str) and not value.strip() and name not in ("url", "secret_token"):
            checker.fail(f"`{where}.{name}` is empty", line, "write it or remove the key")
        else:
            values[name] = float(value) if isinstance(default, float) else value
    return cls(**{**defaults.__dict__, **values})


def load_config(path: Path | None) -> Config:
    """Read the config file if there is one; `path=None` means config.yaml when present."""
    if path is None:
        if not DEFAULT_CONFIG.exists():
            return _apply_environment(Config())
        path = DEFAULT_CONFIG
    data = load_yaml(path, ConfigError)
    checker = Checker(path, ConfigError)
    if data is None:
        data = Mapping()
        data.line, data.key_lines = 1, {}
    root = checker.mapping(data, 1, "the config file")
    if root is None:
        raise checker.errors[0]
    known = ("knowledge_path", "log_level", "log_format", "matching", "texts", "telegram", "store",
             "monitoring", "handoff")
    for key in root:
        if key not in known:
            checker.fail(f"unknown key {key!r}", root.line_of(key),
                         f"remove it or use one of: {', '.join(known)}")
    knowledge_path = Config.knowledge_path
    if "knowledge_path" in root:
        text = checker.text(root, "knowledge_path", "the config file")
        if text:
            knowledge_path = (path.parent / text).resolve()
    log_level = (checker.text(root, "log_level", "the config file", required=False) or "INFO").upper()
    if log_level not in _LOG_LEVELS:
        checker.fail(f"unknown log level {log_level!r}", root.line_of("log_level"),
                     f"use one of: {', '.join(_LOG_LEVELS)}")
    log_format = (checker.text(root, "log_format", "the config file", required=False) or "text").lower()
    if log_format not in _LOG_FORMATS:
        checker.fail(f"unknown log format {log_format!r}", root.line_of("log_format"),
                     f"use one of: {', '.join(_LOG_FORMATS)}")
    config = Config(
        knowledge_path=knowledge_path,
        log_level=log_level,
        log_format=log_format,
        matching=_read_section(checker, root, "matching", Matching, "matching"),
        texts=_read_section(checker, root, "texts", Texts, "texts"),
        telegram=_read_section(checker, root, "telegram", Telegram, "telegram"),
        store=_read_section(checker, root, "store", Storage, "store"),
        monitoring=_read_section(checker, root, "monitoring", Monitoring, "monitoring"),
        handoff=_read_section(checker, root, "handoff", Handoff, "handoff"),
        path=path,
    )
    _check_values(checker, root, config)
    if checker.errors:
        raise checker.errors[0]
    return _apply_environment(config)


def _check_values(checker: Checker, root: Mapping, config: Config) -> None:
    matching = config.matching
    line = root.line_of("matching")
    for name in ("answer_score", "answer_margin", "clarify_score", "min_coverage", "min_entry_coverage",
                 "min_recall"):
        if not 0 <= getattr(matching, name) <= 1:
            checker.fail(f"`matching.{name}` should be between 0 and 1", line, "use e.g. 0.6")
    if matching.clarify_score > matching.answer_score:
        checker.fail("`matching.clarify_score` is above `matching.answer_score`", line,
                     "make clarify_score the lower of the two")
    if config.store.retention_days < 1:
        checker.fail("`store.retention_days` should be at least 1", root.line_of("store"), "use e.g. 90")
    if not 0 <= matching.follow_up_minutes <= 24 * 60:
        checker.fail("`matching.follow_up_minutes` should be 0 to 1440", line, "use e.g. 10")
    if not 1 <= matching.max_suggestions <= 5:
        checker.fail("`matching.max_suggestions` should be 1 to 5", line, "use e.g. 3")
    telegram = config.telegram
    for name in ("max_messages_per_second", "flood_burst", "flood_per_minute", "retry_seconds"):
        if getattr(telegram, name) < 0 or name.startswith("flood") and getattr(telegram, name) < 1:
            checker.fail(f"`telegram.{name}` is out of range", root.line_of("telegram"),
                         "see config.example.yaml for its range")
    if config.telegram.mode not in _MODES:
        checker.fail(f"unknown `telegram.mode` {config.telegram.mode!r}", root.line_of("telegram"),
                     f"use one of: {', '.join(_MODES)}")
    if not 0 <= config.monitoring.port <= 65535:
        section = root.get("monitoring")
        checker.fail("`monitoring.port` should be 0 (off) to 65535",
                     section.line_of("port") if isinstance(section, Mapping) else root.line_of("monitoring"),
                     "use e.g. 9090")
    webhook = config.telegram.webhook
    if config.telegram.mode == "webhook" and not (webhook.url and webhook.secret_token):
        checker.fail("webhook mode needs `telegram.webhook.url` and `telegram.webhook.secret_token`",
                     root.line_of("telegram"), "set both, or use `mode: polling`")
    _check_handoff(checker, root, config.handoff)


def _line_of(root: Mapping, *keys: str) -> int | None:
    """The line of a nested key (`handoff`, `texts`, `away`), or of the nearest section that has one."""
    line, mapping = None, root
    for key in keys:
        if not isinstance(mapping, Mapping) or key not in mapping:
            break
        line, mapping = mapping.line_of(key), mapping[key]
    return line


def _check_handoff(checker: Checker, root: Mapping, handoff: Handoff) -> None:
    if handoff.chat_id > 0:
        checker.fail("`handoff.chat_id` should be the team group's id, a negative number",
                     _line_of(root, "handoff", "chat_id"),
                     "write e.g. `chat_id: -1001234567890`, or 0 to turn talking to a person off")
    try:
        parse_hours(handoff.hours, handoff.time_zone)
    except ValueError as error:
        name = "time_zone" if "time zone" in str(error) else "hours"
        fix = ("use an IANA name like Europe/London (a system without a time zone database needs the "
               "tzdata package)" if name == "time_zone" else
               "write days and times like `Mon-Fri 09:00-17:00; Sat 10:00-13:00`")
        checker.fail(f"`handoff.{name}`: {error}", _line_of(root, "handoff", name), fix)
    if handoff.wait_minutes < 0:
        checker.fail("`handoff.wait_minutes` should be 0 or more", _line_of(root, "handoff", "wait_minutes"),
                     "use e.g. 10, or 0 to never tell a person that nobody has answered yet")
    for name, allowed in HANDOFF_FIELDS.items():
        known = ", ".join(f"{{{field_name}}}" for field_name in allowed) or "none"
        line = _line_of(root, "handoff", "texts", name)
        try:
            used = [part[1] for part in string.Formatter().parse(getattr(handoff.texts, name)) if part[1] is not None]
        except ValueError:
            checker.fail(f"`handoff.texts.{name}` has a lone {{ or }}", line,
                         f"write {{{{ and }}}} for a brace; it may use {known}")
            continue
        unknown = [used_name for used_name in used if used_name not in allowed]
        if unknown:
            checker.fail(f"`handoff.texts.{name}` uses {{{unknown[0]}}}, which it cannot fill in", line,
                         f"it may use {known}")


def _apply_environment(config: Config) -> Config:
    base_url = os.environ.get(BASE_URL_VARIABLE, "").strip()
    if not base_url:
        return config
    return replace(config, telegram=replace(config.telegram, base_url=base_url))


def read_token() -> str | None:
    """The bot token from TELEGRAM_BOT_TOKEN, checked for shape; None when it is not set."""
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        return None
    if not _TOKEN.match(token):
        raise ConfigError(f"{TOKEN_VARIABLE} does not look like a bot token",
                          fix="copy the whole token from @BotFather, like 123456789:AA...")
    return token
