"""Log lines: one line per event, text or JSON, with tokens and given secrets masked."""

from __future__ import annotations

import json
import logging
import sys

from bot.logs import MASK, JsonFormatter, SecretMask, TextFormatter

from .fake_bot_api import TOKEN


def record(message: str, *args: object, error: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(error), error, error.__traceback__) if error is not None else None
    return logging.LogRecord("bot.telegram_bot", logging.ERROR, __file__, 1, message, args, exc_info)


def failure() -> BaseException:
    try:
        raise ValueError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed\nsecond line")
    except ValueError:
        return sys.exc_info()[1]  # type: ignore[return-value]


def test_text_lines_fold_the_error_into_one_line_without_the_token() -> None:
    line = TextFormatter(SecretMask()).format(record("update %s failed", 42, error=failure()))
    assert "\n" not in line
    assert "ERROR bot.telegram_bot: update 42 failed | ValueError: POST" in line
    assert "(at " in line and "test_logs.py" in line and "in failure)" in line
    assert TOKEN not in line and TOKEN.split(":")[1] not in line and MASK in line


def test_json_lines_carry_the_whole_traceback_in_one_event() -> None:
    mask = SecretMask(["privacy-key-value"])
    line = JsonFormatter(mask).format(record("reload with key %s", "privacy-key-value", error=failure()))
    assert "\n" not in line
    event = json.loads(line)
    assert event["level"] == "ERROR" and event["logger"] == "bot.telegram_bot"
    assert event["message"] == f"reload with key {MASK}"
    assert event["error"].startswith("ValueError: POST")
    assert "Traceback (most recent call last)" in event["traceback"]
    assert TOKEN.split(":")[1] not in line and "privacy-key-value" not in line
    assert event["time"].endswith("+00:00")


def test_a_message_of_several_lines_is_one_line() -> None:
    line = TextFormatter(SecretMask()).format(record("refused:\na.yaml:3: bad\nb.yaml:9: worse"))
    assert line.endswith("ERROR bot.telegram_bot: refused: | a.yaml:3: bad | b.yaml:9: worse")


def test_at_debug_text_lines_fold_the_whole_traceback_into_the_line() -> None:
    line = TextFormatter(SecretMask(), tracebacks=True).format(record("update %s failed", 42, error=failure()))
    assert "\n" not in line
    assert "update 42 failed | Traceback (most recent call last): | " in line and "in failure" in line
    assert TOKEN.split(":")[1] not in line and MASK in line
