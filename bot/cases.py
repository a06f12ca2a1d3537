"""Open hand-off cases, looked up both ways: from a person's chat, and from the team's group.

A case joins one person's private chat to one place in the team's group: a forum topic, or in a
plain group the bot's messages there, which the team replies to. This book is what the relay
reads on every message; the store keeps a copy so that a restart finds the cases still open.
Also kept here, in memory only and for a bounded number of people: each person's last question
and the bot's reply, which a new case shows the team.
"""

from __future__ import annotations

import datetime
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field

from .responder import Reply

# Case codes: no 0/O or 1/I, so a code read aloud or copied by hand stays right.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
# People whose last exchange is remembered at most; the oldest is forgotten first.
RECENT_EXCHANGES = 10_000
# Characters of a question or reply kept for the team's first message of a case.
EXCHANGE_CHARS = 1500


@dataclass
class Case:
    code: str
    chat_id: int  # the person's private chat, the same number as their user id
    team_chat: int
    thread_id: int | None  # the forum topic; None in a plain group
    opened_at: datetime.datetime
    first_reply_at: datetime.datetime | None = None
    waiting_told: bool = False
    # The bot's messages in a plain team group that belong to the case: replies to them go to the person.
    message_ids: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Exchange:
    """A person's last question (None after a button) and the bot's reply, as plain text."""

    question: str | None
    reply: str


def describe_reply(reply: Reply) -> str:
    """The reply as the team reads it: its text without the disclaimer, bounded."""
    text = reply.text
    if reply.disclaimer and text.endswith(reply.disclaimer):
        text = text[:-len(reply.disclaimer)].rstrip()
    return text[:EXCHANGE_CHARS]


class CaseBook:
    """The open cases by code, by person and by place in the team's group; only the event loop uses it."""

    def __init__(self) -> None:
        self._by_code: dict[str, Case] = {}
        self._by_person: dict[int, Case] = {}
        self._by_thread: dict[tuple[int, int], Case] = {}
        self._by_message: dict[tuple[int, int], Case] = {}
        self._exchanges: OrderedDict[int, Exchange] = OrderedDict()
        # People whose case is being opened right now: a second "Yes" must not open another.
        self.opening: set[int] = set()

    def new_code(self) -> str:
        """A random code no open case has; one of 10**9, so closed cases' codes hardly ever recur."""
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code not in self._by_code:
                return code

    def add(self, case: Case) -> None:
        self._by_code[case.code] = case
        self._by_person[case.chat_id] = case
        if case.thread_id is not None:
            self._by_thread[(case.team_chat, case.thread_id)] = case
        for message_id in case.message_ids:
            self._by_message[(case.team_chat, message_id)] = case

    def add_message(self, case: Case, message_id: int) -> None:
        case.message_ids.add(message_id)
        self._by_message[(case.team_chat, message_id)] = case

    def remove(self, case: Case) -> bool:
        """Take a case out of the book; False when it was already out (closed twice at once)."""
        if self._by_code.pop(case.code, None) is None:
            return False
        self._by_person.pop(case.chat_id, None)
        if case.thread_id is not None:
            self._by_thread.pop((case.team_chat, case.thread_id), None)
        for message_id in case.message_ids:
            self._by_message.pop((case.team_chat, message_id), None)
        return True

    def of_code(self, code: str) -> Case | None:
        return self._by_code.get(code)

    def of_person(self, chat_id: int) -> Case | None:
        return self._by_person.get(chat_id)

    def of_team_message(self, team_chat: int, thread_id: int | None, reply_to: int | None) -> Case | None:
        """The case a message in the team's group belongs to: by its topic, else by what it replies to."""
        if thread_id is not None and (team_chat, thread_id) in self._by_thread:
            return self._by_thread[(team_chat, thread_id)]
        if reply_to is not None:
            return self._by_message.get((team_chat, reply_to))
        return None

    def cases(self) -> list[Case]:
        return list(self._by_code.values())

    def remember(self, chat_id: int, question: str | None, reply: Reply) -> None:
        self._exchanges[chat_id] = Exchange(question[:EXCHANGE_CHARS] if question else None, describe_reply(reply))
        self._exchanges.move_to_end(chat_id)
        while len(self._exchanges) > RECENT_EXCHANGES:
            self._exchanges.popitem(last=False)

    def last_exchange(self, chat_id: int) -> Exchange | None:
        return self._exchanges.get(chat_id)

    def forget_exchange(self, chat_id: int) -> None:
        self._exchanges.pop(chat_id, None)
