"""Bad config gives one line naming the file, the key and the fix; the token comes from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import PROJECT_DIR, Config, load_config, read_token
from bot.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_loads_to_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BASE_URL", raising=False)
    config = load_config(PROJECT_DIR / "config.example.yaml")
    defaults = Config()
    assert config.matching == defaults.matching
    assert config.texts.disclaimer == defaults.texts.disclaimer
    assert config.knowledge_path == PROJECT_DIR / "knowledge"
    assert config.handoff == defaults.handoff and not config.handoff.enabled


@pytest.mark.parametrize("text, line, words", [
    ("colour: red\n", 1, "unknown key 'colour'"),
    ("matching:\n  answer_score: high\n", 2, "`matching.answer_score` should be a number, not text"),
    ("matching:\n  treshold: 0.5\n", 2, "unknown key `matching.treshold`"),
    ("texts:\n  disclaimer: ''\n", 2, "`texts.disclaimer` is empty"),
    ("telegram:\n  mode: carrier-pigeon\n", 1, "unknown `telegram.mode`"),
    ("telegram:\n  mode: webhook\n", 1, "webhook mode needs"),
    ("matching: [1, 2]\n", 1, "`matching` should be a mapping"),
    ("matching:\n  answer_score: 0.3\n  clarify_score: 0.5\n", 1, "clarify_score"),
    ("log_level: chatty\n", 1, "unknown log level"),
    ("matching:\n  answer_score: 0.5\n answer_margin: 0.1\n", 3, "invalid YAML"),
    ("handoff:\n  chat_id: 12345\n", 2, "`handoff.chat_id` should be the team group's id"),
    ("handoff:\n  chat_id: -100\n  hours: Mon-Fry 09:00-17:00\n", 3, "unknown day"),
    ("handoff:\n  hours: Mon-Fri 17:00-09:00\n", 2, "ends before it starts"),
    ("handoff:\n  hours: weekdays\n", 2, "cannot read 'weekdays'"),
    ("handoff:\n  time_zone: Mars/Olympus\n", 2, "unknown time zone"),
    ("handoff:\n  wait_minutes: -1\n", 2, "`handoff.wait_minutes` should be 0 or more"),
    ("handoff:\n  wait_minutes: soon\n", 2, "`handoff.wait_minutes` should be a number"),
    ("handoff:\n  texts:\n    away: back {when}\n", 3, "uses {when}"),
    ("handoff:\n  texts:\n    consent: 'a { b'\n", 3, "lone {"),
    ("handoff:\n  colour: red\n", 2, "unknown key `handoff.colour`"),
])
def test_config_errors_name_file_line_and_fix(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert words in message and "Fix:" in message and "\n" not in message


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.yaml")


def test_base_url_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BASE_URL", "http://127.0.0.1:9/bot")
    assert load_config(write(tmp_path, "")).telegram.base_url == "http://127.0.0.1:9/bot"


def test_token_only_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert read_token() is None
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:" + "A" * 35)
    assert read_token() == "123456:" + "A" * 35
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "not a token")
    with pytest.raises(ConfigError, match="does not look like a bot token") as caught:
        read_token()
    assert "not a token" not in str(caught.value)


def test_handoff_is_on_with_a_chat_id(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "handoff:\n  chat_id: -1001234567890\n  time_zone: Europe/London\n"
                                         "  hours: Mon-Fri 09:00-12:00, 13:00-17:00; Sat 10:00-13:00\n"
                                         "  wait_minutes: 2.5\n  texts:\n    team: the club's physio\n"))
    assert config.handoff.enabled and config.handoff.wait_minutes == 2.5
    assert config.handoff.texts.team == "the club's physio"
