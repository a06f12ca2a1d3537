"""What one chat said last, so the next message can be read as a follow-up ("and at night?").

Kept in memory by each channel, per chat, for a limited time; never stored.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Conversation:
    """The entries the bot answered last, and the "Did you mean" choices it offered last."""

    entry_ids: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.entry_ids and not self.suggestions
