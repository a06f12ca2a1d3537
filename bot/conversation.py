"""What one chat said last, so the next message can be read as a follow-up ("and at night?").

Kept in memory by each channel, per chat, for a limited time; never stored.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Conversation:
    """The entries the bot answered last, the "Did you mean" choices it offered last, the further
    questions listed under its last answer ("the 2nd one" picks one), and the article whose subject
    a message it could not answer named ("woke up with my bum cheek in a knot, what even is that??"
    then "why tho"), and the message it last declined as about something no article covers, which
    a correction asks again ("what causes calf cramps" then "sorry, I meant my bum"). After an
    emergency reply, its flag and kind (`urgent`): every later reply repeats what to do if it goes on."""

    entry_ids: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    article: str | None = None
    related: tuple[str, ...] = ()
    declined: str = ""
    urgent: str | None = None
    red_flag: str | None = None

    @property
    def is_empty(self) -> bool:
        return not self.entry_ids and not self.suggestions and self.article is None
