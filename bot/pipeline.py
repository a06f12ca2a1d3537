"""One ordered pipeline for every update that carries a person's words.

Messages, edited messages, captions and inline queries all go the same way: the core's reply
first (pure and fast, red flags checked before anything else), then flood control, which may
hold back anything but an urgent reply, then rendering and sending, and only after the reply
has gone, best-effort recording that never delays it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from telegram import Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import ContextTypes

from .cases import CaseBook
from .flood import ALLOW, WARN
from .knowledge import TOPICS
from .metrics import observe_outcome
from .recording import Recorder
from .rendering import render_inline_results, render_keyboard, render_pieces
from .conversation import Conversation
from .responder import ANSWER, URGENT, Reply, Responder

log = logging.getLogger(__name__)

INLINE_RESULTS = 5
INLINE_CACHE_SECONDS = 60
SLOW_DOWN = ("You're sending messages faster than I can answer. Please wait a moment; I'll answer "
             "again shortly.")


@dataclass(frozen=True)
class Incoming:
    """A person's words from one update, and where the reply goes."""

    update: Update
    message: Message
    text: str
    user_id: int | None
    # False for a group message not meant for the bot: only an urgent reply is sent to it.
    addressed: bool = True


# Where each chat keeps its people's recent conversations, in chat_data (memory only).
CONVERSATIONS = "conversations"


def responder_of(context: ContextTypes.DEFAULT_TYPE) -> Responder:
    """The Responder in service now; a reload swaps it between two updates."""
    return context.bot_data["watcher"].responder


def recorder_of(context: ContextTypes.DEFAULT_TYPE) -> Recorder | None:
    return context.bot_data.get("recorder")


def cases_of(context: ContextTypes.DEFAULT_TYPE) -> CaseBook | None:
    """The open hand-off cases; None when talking to a person is not configured."""
    return context.bot_data.get("cases")


def reply_to(context: ContextTypes.DEFAULT_TYPE, text: str, user_id: int | None,
             remember: bool = True) -> Reply:
    """The one call into the core for a person's free text, on every path.

    The person's recent conversation in this chat goes with it, so "and at night?" is read as a
    follow-up; `remember` keeps what this reply said for the next message.
    """
    responder = responder_of(context)
    reply = responder.respond(text, recall_conversation(context, user_id))
    if remember:
        remember_reply(context, user_id, reply)
    return reply


def recall_conversation(context: ContextTypes.DEFAULT_TYPE, user_id: int | None) -> Conversation | None:
    """What this person was told last in this chat, if within `follow_up_minutes`; else None.

    Kept in python-telegram-bot's chat_data: in memory only, per chat and per person, never stored.
    """
    memory = context.chat_data.get(CONVERSATIONS, {}) if context.chat_data is not None else {}
    conversation, when = memory.get(user_id, (None, 0.0))
    if time.monotonic() - when > responder_of(context).config.matching.follow_up_minutes * 60:
        return None
    return conversation


def remember_reply(context: ContextTypes.DEFAULT_TYPE, user_id: int | None, reply: Reply) -> None:
    if context.chat_data is not None:
        context.chat_data.setdefault(CONVERSATIONS, {})[user_id] = (reply.conversation, time.monotonic())


def forget_conversation(context: ContextTypes.DEFAULT_TYPE, user_id: int | None) -> None:
    if context.chat_data is not None:
        context.chat_data.get(CONVERSATIONS, {}).pop(user_id, None)


def search_replies(context: ContextTypes.DEFAULT_TYPE, text: str) -> list[Reply]:
    """Inline mode: the core's search, which follows the chat's rules (urgent alone, or nothing)."""
    return responder_of(context).search(text, INLINE_RESULTS)


async def answer_incoming(incoming: Incoming, context: ContextTypes.DEFAULT_TYPE,
                          started: float, non_urgent_text: str | None = None) -> None:
    """Reply to a person's words: urgent at once, the rest within their flood limit.

    With `non_urgent_text` (for a photo's caption), only an urgent reply comes from the words;
    anything else gets that text instead.
    """
    reply = reply_to(context, incoming.text, incoming.user_id, remember=incoming.addressed)
    if reply.kind != URGENT:
        if not incoming.addressed:
            log_outcome(incoming.update, None, started, "ignored-group")
            return
        if not await pass_flood_gate(incoming.update, context):
            return
        if non_urgent_text is not None:
            await incoming.message.reply_text(non_urgent_text, do_quote=False)
            log_outcome(incoming.update, None, started, "not-text")
            return
    await deliver(incoming.message, reply, context, incoming.user_id, incoming.text)
    log_outcome(incoming.update, reply, started)


async def answer_if_urgent(update: Update, context: ContextTypes.DEFAULT_TYPE, started: float) -> bool:
    """Words after a command ("/help i want to end my life"): an urgent reply instead of the command."""
    message = update.effective_message
    if not context.args or message is None:
        return False
    text = " ".join(context.args)
    reply = reply_to(context, text, None, remember=False)
    if reply.kind != URGENT:
        return False
    await deliver(message, reply, context, None, text)
    log_outcome(update, reply, started)
    return True


async def deliver(message: Message, reply: Reply, context: ContextTypes.DEFAULT_TYPE,
                  user_id: int | None, text: str | None = None) -> None:
    """Send the reply, in as many messages as it needs (buttons under the last), then record it.

    In a private chat with talking to a person configured, a fallback offers it, and the exchange is
    remembered (in memory) for the team in case the person asks for them next.
    """
    recorder = recorder_of(context)
    outcome_id = recorder.new_outcome_id() if recorder is not None and reply.kind == ANSWER else None
    cases = cases_of(context) if message.chat.type == ChatType.PRIVATE else None
    keyboard = render_keyboard(reply, responder_of(context), outcome_id, talk=cases is not None)
    pieces = render_pieces(reply)
    if cases is not None:
        cases.remember(message.chat.id, text, reply)
    try:
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            await message.reply_text(piece, parse_mode=ParseMode.HTML,
                                     reply_markup=keyboard if last else None, do_quote=False)
    finally:
        if recorder is not None:
            recorder.record(reply, user_id, text, outcome_id)


async def pass_flood_gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """False for a person over their rate; the first such message gets one "slow down"."""
    user = update.effective_user
    if user is None:
        return True
    verdict = context.bot_data["flood"].check(user.id)
    if verdict == ALLOW:
        return True
    if verdict == WARN and update.effective_message is not None:
        await update.effective_message.reply_text(SLOW_DOWN, do_quote=False)
    log.info("update %s outcome=flood-%s", update.update_id, verdict)
    observe_outcome(f"flood-{verdict}")
    return False


async def answer_inline(update: Update, context: ContextTypes.DEFAULT_TYPE, started: float) -> None:
    """Inline mode: the search's replies, or one answer per topic for an empty query."""
    query = update.inline_query
    if query is None:
        return
    responder = responder_of(context)
    if query.query.strip():
        replies = search_replies(context, query.query)
    else:
        replies = [responder.answer(entries[0].id) for topic in TOPICS
                   if (entries := responder.knowledge.entries_of_topic(topic))]
    urgent = any(reply.kind == URGENT for reply in replies)
    # An urgent result must reach the person now, not from a cache of someone else's query.
    await query.answer(render_inline_results(replies), cache_time=0 if urgent else INLINE_CACHE_SECONDS,
                       is_personal=urgent)
    observe_outcome("inline", seconds=time.perf_counter() - started)
    log.info("update %s outcome=inline results=%d%s ms=%.1f", update.update_id, len(replies),
             " urgent" if urgent else "", (time.perf_counter() - started) * 1000)


def log_outcome(update: Update, reply: Reply | None, started: float, outcome: str = "") -> None:
    """One line per update, without message text: the update id, outcome, entry, score, time."""
    elapsed = (time.perf_counter() - started) * 1000
    observe_outcome(reply.kind if reply else outcome, reply.red_flag if reply else None, elapsed / 1000)
    if reply is None:
        log.info("update %s outcome=%s ms=%.1f", update.update_id, outcome, elapsed)
        return
    log.info("update %s outcome=%s entry=%s score=%.2f ms=%.1f", update.update_id, reply.kind,
             reply.entry_id or reply.red_flag or "-", reply.score, elapsed)
