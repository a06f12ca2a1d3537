"""The terminal channel: the same replies as Telegram, as text, with numbered choices.

A number picks one of the choices printed last: a suggested question, or a topic and then one of
its questions. Like Telegram, the chat remembers the last reply for follow-ups ("and at night?").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .conversation import Conversation
from .knowledge import TOPICS
from .responder import URGENT, Reply, Responder

QUIT_WORDS = frozenset({"quit", "exit", "/quit", "/exit"})
HUMAN_ONLY_IN_TELEGRAM = "Talking to a person works in Telegram only, where the team answers in its own group."
BANNER = ("Health FAQ bot: ask about buttock (gluteal) muscle cramps in your own words.\n"
          "Type a number to pick a choice; quit, exit or Ctrl-D to leave.")


@dataclass(frozen=True)
class Choice:
    """Something a number picks: an entry to answer, or a topic whose questions to list."""

    label: str
    entry_id: str | None = None
    topic: str | None = None


def choices_of(reply: Reply, responder: Responder) -> tuple[Choice, ...]:
    """The choices printed under this reply, in their numbered order."""
    suggestions = reply.suggestions or reply.related
    if suggestions:
        return tuple(Choice(s.title, entry_id=s.entry_id) for s in suggestions)
    if reply.show_topics:
        return tuple(Choice(label, topic=topic) for topic, label in TOPICS.items()
                     if responder.knowledge.entries_of_topic(topic))
    return ()


def render_text(reply: Reply, choices: tuple[Choice, ...] = ()) -> str:
    """A reply as a person reads it in a terminal; the disclaimer comes last."""
    parts = [text for text, _ in reply.paragraphs]
    if choices:
        label = ("" if reply.suggestions else "Pick a topic by number:\n" if choices[0].topic
                 else "You might also ask:\n")
        parts.append(label + "\n".join(f"  {number}. {choice.label}" for number, choice in enumerate(choices, 1)))
    elif reply.show_topics and reply.topics:
        parts.append("I can tell you about: " + ", ".join(reply.topics) + ".")
    parts.append(reply.disclaimer)
    return "\n\n".join(part for part in parts if part)


def render_topic(responder: Responder, topic: str) -> tuple[str, tuple[Choice, ...]]:
    entries = responder.knowledge.entries_of_topic(topic)
    choices = tuple(Choice(entry.title, entry_id=entry.id) for entry in entries)
    lines = "\n".join(f"  {number}. {choice.label}" for number, choice in enumerate(choices, 1))
    return f"{TOPICS[topic]}: pick a question by number:\n{lines}", choices


def run_chat(responder: Responder, read_line: Callable[[str], str],
             write: Callable[[str], None]) -> None:
    """Talk until quit, exit or end of input; `read_line` raises EOFError at the end, like input()."""
    write(BANNER)
    choices: tuple[Choice, ...] = ()
    conversation = Conversation()
    while True:
        try:
            line = read_line("\nyou> ")
        except (EOFError, KeyboardInterrupt):
            write("")
            return
        text = line.strip()
        if text.lower() in QUIT_WORDS:
            return
        command, _, words = text.partition(" ")
        if command.lower() == "/human":
            # Words after it are still checked for red flags first.
            reply = responder.respond(words) if words.strip() else None
            if reply is not None and reply.kind == URGENT:
                write("\n" + render_text(reply))
            write("\n" + HUMAN_ONLY_IN_TELEGRAM)
            continue
        picked = choices[int(text) - 1] if text.isdigit() and 1 <= int(text) <= len(choices) else None
        if picked is not None and picked.topic is not None:
            shown, choices = render_topic(responder, picked.topic)
            write("\n" + shown)
            continue
        reply = (responder.answer(picked.entry_id) if picked is not None and picked.entry_id
                 else responder.respond(text, conversation))
        conversation = reply.conversation
        choices = choices_of(reply, responder)
        write("\n" + render_text(reply, choices))
