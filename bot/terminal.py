"""The terminal channel: the same replies as Telegram, as text, with numbered follow-ups."""

from __future__ import annotations

from typing import Callable

from .responder import URGENT, Reply, Responder, Suggestion

QUIT_WORDS = frozenset({"quit", "exit", "/quit", "/exit"})
HUMAN_ONLY_IN_TELEGRAM = "Talking to a person is only available in Telegram: send /human to the bot there."
BANNER = ("Health FAQ bot: ask about buttock (gluteal) muscle cramps in your own words.\n"
          "Type a number to pick a suggestion; quit, exit or Ctrl-D to leave.")


def offered(reply: Reply) -> tuple[Suggestion, ...]:
    """The follow-ups a person can pick by number after this reply."""
    return reply.suggestions or reply.related


def render_text(reply: Reply) -> str:
    """A reply as a person reads it in a terminal; the disclaimer comes last."""
    parts = [reply.heading, reply.body]
    choices = offered(reply)
    if choices:
        label = "" if reply.suggestions else "You might also ask:\n"
        parts.append(label + "\n".join(f"  {number}. {suggestion.title}"
                                       for number, suggestion in enumerate(choices, 1)))
    if reply.show_topics and reply.topics:
        parts.append("I can tell you about: " + ", ".join(reply.topics) + ".")
    parts.append(reply.disclaimer)
    return "\n\n".join(part for part in parts if part)


def run_chat(responder: Responder, read_line: Callable[[str], str],
             write: Callable[[str], None]) -> None:
    """Talk until quit, exit or end of input; `read_line` raises EOFError at the end, like input()."""
    write(BANNER)
    choices: tuple[Suggestion, ...] = ()
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
        if text.isdigit() and 1 <= int(text) <= len(choices):
            reply = responder.answer(choices[int(text) - 1].entry_id)
        else:
            reply = responder.respond(text)
        choices = offered(reply)
        write("\n" + render_text(reply))
