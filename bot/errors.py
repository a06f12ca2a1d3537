"""Errors whose message is shown to the person running the bot, as one line, without a traceback."""

from __future__ import annotations

from pathlib import Path


class BotError(Exception):
    """An error the CLI prints as one line and exits 2 for.

    The message names the file and line when known, says what is wrong and how to fix it.
    """

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None,
                 fix: str | None = None) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        fix = f" Fix: {self.fix}" if self.fix else ""
        return f"{where}{self.message}.{fix}"


class ConfigError(BotError):
    """The config file or the environment is wrong; the message is shown to the operator."""


class KnowledgeError(BotError):
    """A knowledge file is wrong; the message is shown to the content editor."""


class KnowledgeErrors(BotError):
    """Several knowledge errors found in one pass, so an editor can fix them all at once."""

    def __init__(self, errors: list[KnowledgeError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)
