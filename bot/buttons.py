"""The callback-data protocol of inline buttons: versioned, short, and checked when pressed.

Telegram hands a button's data back as it was sent, to anyone who can forge it, and long after the
knowledge base it was made from has changed; so every press is parsed and checked here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .knowledge import TOPICS
from .responder import Responder

CALLBACK_VERSION = "v1"
# An outcome id in a 👍 / 👎 button: at most this many digits (the store keeps ids below 10**18).
MAX_OUTCOME_DIGITS = 18
ANSWER, TOPIC, ARTICLE, MENU, NONE_OF_THESE, HELPED, NOT_HELPED = "a", "t", "s", "m", "n", "u", "d"
FEEDBACK = (HELPED, NOT_HELPED)
# Talk to a person: ask (shows the consent), then connect or decline.
TALK, CONNECT, DECLINE = "h", "c", "x"
HANDOFF = (TALK, CONNECT, DECLINE)


@dataclass(frozen=True)
class Action:
    """What a button asks for, parsed from its callback data: `v1|a|cause-nerve`."""

    # a: answer an entry; t: list a topic ("causes/gluteal-cramps"); s: an article's topics;
    # m: the topic menu; n: none of these; u, d: this answer helped (up) or not (down);
    # h: talk to a person; c, x: yes, connect me, or no
    kind: str
    value: str = ""

    def encode(self) -> str:
        return "|".join((CALLBACK_VERSION, self.kind, self.value)) if self.value else \
            f"{CALLBACK_VERSION}|{self.kind}"


def parse_action(data: str | None, responder: Responder) -> Action | None:
    """The button's action, or None for stale or forged data."""
    parts = (data or "").split("|")
    if len(parts) < 2 or parts[0] != CALLBACK_VERSION:
        return None
    kind, value = parts[1], "|".join(parts[2:])
    knowledge = responder.knowledge
    if kind == ANSWER and value in knowledge.entries:
        return Action(kind, value)
    if kind == TOPIC:
        topic, _, article = value.partition("/")
        if topic in TOPICS and knowledge.entries_of_topic(topic, article or None):
            return Action(kind, value)
    if kind == ARTICLE and knowledge.article(value) is not None:
        return Action(kind, value)
    if kind in FEEDBACK and value.isdigit() and len(value) <= MAX_OUTCOME_DIGITS:
        return Action(kind, value)
    if kind in (MENU, NONE_OF_THESE, *HANDOFF) and not value:
        return Action(kind)
    return None
