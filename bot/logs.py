"""Log lines: one line per event, as text or JSON, never holding the token or another secret.

Log collectors (journald, Docker, Loki) take a line as an event, so a traceback is folded into
the line it belongs to: text shows where the error was raised (at DEBUG, as with --debug, the
whole traceback, folded), JSON carries the whole traceback in one field. Whatever a library puts
in a message, a bot token or a given secret is masked.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
import traceback
from collections.abc import Iterable

FORMATS = ("text", "json")
MASK = "[secret]"
# A bot token wherever it appears, e.g. inside a Bot API URL in an exception message.
_TOKEN = re.compile(r"\d{3,15}:[A-Za-z0-9_-]{30,64}")


class SecretMask:
    """Replaces bot tokens and the given secrets (e.g. BOT_PRIVACY_KEY) in a finished line."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = sorted({secret for secret in secrets if len(secret) >= 4}, key=len, reverse=True)

    def __call__(self, line: str) -> str:
        for secret in self.secrets:
            line = line.replace(secret, MASK)
        return _TOKEN.sub(MASK, line)


def summarise_exception(error: BaseException) -> str:
    """`ValueError: bad date (at bot/watcher.py:42 in reload)`: what and where, in one line."""
    summary = traceback.format_exception_only(type(error), error)[-1].strip()
    frames = traceback.extract_tb(error.__traceback__)
    if frames:
        last = frames[-1]
        summary += f" (at {last.filename}:{last.lineno} in {last.name})"
    return summary


def one_line(text: str) -> str:
    return " | ".join(part for part in text.splitlines() if part.strip())


class TextFormatter(logging.Formatter):
    """`2026-11-24 12:00:00,123 INFO bot.telegram_bot: update 42 outcome=answer ...`"""

    def __init__(self, mask: SecretMask, tracebacks: bool = False) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.mask = mask
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        line = one_line(super().formatMessage(self._prepare(record)))
        error = record.exc_info[1] if record.exc_info else None
        if error is not None:
            told = "".join(traceback.format_exception(error)) if self.tracebacks \
                else summarise_exception(error)
            line += f" | {one_line(told)}"
        return self.mask(line)

    def _prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        record.message = record.getMessage()
        record.asctime = self.formatTime(record, self.datefmt)
        return record


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, and the error if any."""

    def __init__(self, mask: SecretMask) -> None:
        super().__init__()
        self.mask = mask

    def format(self, record: logging.LogRecord) -> str:
        event = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.timezone.utc)
            .isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        error = record.exc_info[1] if record.exc_info else None
        if error is not None:
            event["error"] = summarise_exception(error)
            event["traceback"] = "".join(traceback.format_exception(error))
        return self.mask(json.dumps(event, ensure_ascii=False))


def configure_logging(level: str, log_format: str = "text", secrets: Iterable[str] = ()) -> None:
    """Log at `level` to standard error, but never the token or people's messages, whatever the level.

    Like `logging.basicConfig`, it leaves a logger that is already set up (by a test runner) alone.
    """
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        mask = SecretMask(secrets)
        handler.setFormatter(JsonFormatter(mask) if log_format == "json"
                             else TextFormatter(mask, tracebacks=level == "DEBUG"))
        root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # python-telegram-bot logs whole API calls, message text included, at DEBUG.
    logging.getLogger("telegram").setLevel(max(logging.INFO, logging.getLevelName(level)))
