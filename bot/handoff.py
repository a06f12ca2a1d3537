"""Talk to a person: a person's private chat relayed to and from the team's Telegram group, case by case.

A person asks (/human, or the "Talk to a person" button under a fallback or after a 👎), reads who
will see their messages and that this is no emergency service, and agrees. The bot opens a case:
a forum topic named by a short code in the team's group (or, in a plain group, a message the team
replies to) showing the person's last question and the bot's reply. From then on the person's
messages are copied there and the team's replies copied back, so neither side sees the other's
name. Red flags still come first: an urgent message gets the urgent reply at once, and the team
sees it marked. /done, the team's /close, /forget, or a person who blocked the bot end the case.

State lives in a CaseBook (cases.py) on the event loop, mirrored in the store by the recorder's
writer thread, so a restart keeps the open cases. The team's group is the team's: nothing said
there goes through the FAQ pipeline.
"""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (Application, ApplicationHandlerStop, CommandHandler, ContextTypes, MessageHandler,
                          filters)

from .buttons import CONNECT, DECLINE, TALK, Action
from .cases import Case, CaseBook, Exchange
from .config import Config, Handoff
from .hours import OpeningHours, parse_hours
from .pipeline import answer_if_urgent, deliver, log_outcome, pass_flood_gate, recorder_of, reply_to
from .rendering import talk_button
from .responder import URGENT, Reply
from .store import Store

log = logging.getLogger(__name__)

HANDOFF_COMMANDS = (("human", "Talk to a person"), ("done", "End the conversation with a person"))
# How long a case's store write may wait behind the recorder's queue before the relay goes on.
STORE_TIMEOUT = 5.0
CONNECT_LABEL, LEAVE_LABEL, DECLINE_LABEL = "Yes, connect me", "Yes, leave a message", "No"

# What the person reads, besides the configurable texts.
NOT_AVAILABLE = "Sorry, talking to a person is not available with this bot."
PRIVATE_ONLY = "To talk to a person, write to me in a private chat and send /human there."
DECLINED = "All right, you're not connected. Ask me anything, or send /human if you change your mind."
ALREADY_CONNECTED = ("You're already connected to the team (case {code}): just write your message here. "
                     "Send /done to end.")
NOT_CONNECTED = "You're not connected to the team. Send /human to talk to a person."
CANNOT_REACH = "Sorry, I can't reach the team right now. Please try again later. In an emergency, {emergency_line}."
NOT_DELIVERED = "Sorry, your message did not reach the team. Please send it again. In an emergency, {emergency_line}."
TEAM_JOINED = "You're now talking with {team}:"
AFTER_THUMBS_DOWN = "Sorry that didn't help. Would you like to talk to a person?"

# What the team reads.
INTRO = ("Case {code}: a person asked to talk to someone.{away}\n\n"
         "Their last question: {question}\n\nThe bot's reply: {reply}\n\n{how}")
HOW_IN_TOPIC = ("Write in this topic to answer them: text and photos reach them from the bot, without "
                "your name. /close ends the case.")
HOW_IN_GROUP = ("Reply to this message, or to any of theirs, to answer them: text and photos reach them from "
                "the bot, without your name. Reply /close to one of them to end the case.")
AWAY_NOTE = " They asked outside your hours and were told you are back {back}."
URGENT_MARK = ("URGENT, case {code}: this message shows signs of an emergency ({flag}). The bot has already "
               "sent them its emergency reply.")
NOT_A_CASE = "This is not an open case. Use /close in a case's topic, or as a reply to one of its messages."
NOT_SENT = "Case {code}: not delivered to the person ({error}). Try again."
CLOSED = {
    "team": "Case {code} is closed. The person was told.",
    "person": "Case {code}: the person ended the conversation (/done). The case is closed.",
    "forget": ("Case {code}: the person asked the bot to delete their data (/forget), so the case is closed "
               "and the bot no longer keeps it. The messages in this group are not deleted by the bot."),
    "blocked": "Case {code}: not delivered, the person has blocked the bot or deleted the chat. The case is closed.",
}


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


@dataclass
class Desk:
    """Talking to a person, as configured, with the open cases; `clock` is replaceable for tests."""

    settings: Handoff
    hours: OpeningHours
    cases: CaseBook
    clock: Callable[[], datetime.datetime] = field(default=_now)

    def fill(self, text: str, **values: Any) -> str:
        texts = self.settings.texts
        return text.format(team=texts.team, emergency_line=texts.emergency_line, **values)


def desk_of(context: ContextTypes.DEFAULT_TYPE) -> Desk | None:
    return context.bot_data.get("handoff")


def command_of(message: Message, username: str) -> str | None:
    """The command a message starts with ("close"); None for none, or one meant for another bot."""
    text = message.text or ""
    if not text.startswith("/"):
        return None
    name, _, addressee = text.split(maxsplit=1)[0][1:].partition("@")
    if addressee and addressee.lower() != username.lower():
        return None
    return name.lower()


def is_private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE


async def save(context: ContextTypes.DEFAULT_TYPE, method: str, *args: Any) -> None:
    """Write a case change through the recorder's thread, in order; a failure is logged, never raised."""
    recorder = recorder_of(context)
    if recorder is None:
        return
    try:
        await recorder.call(getattr(recorder.store, method), *args, timeout=STORE_TIMEOUT)
    except Exception as error:  # noqa: BLE001 - the relay goes on; only a restart would miss the change
        log.warning("hand-off case change not stored (%s: %s); the case goes on", type(error).__name__, error)


# The person's side


def consent_of(desk: Desk) -> tuple[str, InlineKeyboardMarkup]:
    """The consent message: who reads, share little, no emergency service; out of hours, when back."""
    texts = desk.settings.texts
    now = desk.clock()
    text = desk.fill(texts.consent)
    label = CONNECT_LABEL
    if not desk.hours.is_open(now):
        text += "\n\n" + desk.fill(texts.away, back=desk.hours.describe_return(now))
        label = LEAVE_LABEL
    buttons = [[InlineKeyboardButton(label, callback_data=Action(CONNECT).encode()),
                InlineKeyboardButton(DECLINE_LABEL, callback_data=Action(DECLINE).encode())]]
    return text, InlineKeyboardMarkup(buttons)


async def offer(message: Message, desk: Desk) -> None:
    """Ask for consent, or say that the person is connected already."""
    case = desk.cases.of_person(message.chat.id)
    if case is not None:
        await message.reply_text(ALREADY_CONNECTED.format(code=case.code), do_quote=False)
        return
    text, keyboard = consent_of(desk)
    await message.reply_text(text, reply_markup=keyboard, do_quote=False)


async def human(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Talk to a person: the consent first, with "Yes, connect me" and "No"."""
    started = time.perf_counter()
    message = update.effective_message
    desk = desk_of(context)
    case = desk.cases.of_person(message.chat.id) if desk is not None and is_private(update) else None
    if desk is not None and case is not None and context.args:
        # Connected already: the words after the command are a message to the team.
        await relay_from_person(update, context, desk, case, " ".join(context.args), started)
        return
    urgent = await answer_if_urgent(update, context, started)
    if desk is None:
        await message.reply_text(NOT_AVAILABLE, do_quote=False)
    elif not is_private(update):
        await message.reply_text(PRIVATE_ONLY, do_quote=False)
    else:
        await offer(message, desk)
    if not urgent:
        log_outcome(update, None, started, "command-human")


async def done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """End the conversation with the team (words after it with a red flag go to the team instead)."""
    started = time.perf_counter()
    message = update.effective_message
    desk = desk_of(context)
    case = desk.cases.of_person(message.chat.id) if desk is not None and is_private(update) else None
    if desk is None or case is None:
        if not await answer_if_urgent(update, context, started):
            await message.reply_text(NOT_CONNECTED, do_quote=False)
            log_outcome(update, None, started, "command-done")
        return
    if context.args:
        text = " ".join(context.args)
        reply = reply_to(context, text, None, remember=False)
        if reply.kind == URGENT:
            await relay_from_person(update, context, desk, case, text, started, reply)
            return
    await close_case(context, desk, case, "person")
    log_outcome(update, None, started, "handoff-done")


async def on_handoff_button(update: Update, context: ContextTypes.DEFAULT_TYPE, action: Action) -> None:
    """"Talk to a person", "Yes, connect me" and "No"."""
    query = update.callback_query
    message = query.message if isinstance(query.message, Message) else None
    desk = desk_of(context)
    if desk is None or message is None:
        await query.answer(NOT_AVAILABLE)
        return
    await query.answer()
    if message.chat.type != ChatType.PRIVATE:
        await message.reply_text(PRIVATE_ONLY, do_quote=False)
        return
    if action.kind == TALK:
        await offer(message, desk)
        return
    try:  # the consent is answered: its buttons go
        await message.edit_reply_markup(reply_markup=None)
    except TelegramError:
        pass
    if action.kind == DECLINE:
        await message.reply_text(DECLINED, do_quote=False)
    else:
        await open_case(context, desk, message)


async def offer_after_thumbs_down(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """After a 👎 in a private chat: offer a person."""
    desk = desk_of(context)
    query = update.callback_query
    message = query.message if query is not None and isinstance(query.message, Message) else None
    if desk is None or message is None or message.chat.type != ChatType.PRIVATE:
        return
    if desk.cases.of_person(message.chat.id) is None:
        await message.reply_text(AFTER_THUMBS_DOWN, reply_markup=InlineKeyboardMarkup([[talk_button()]]),
                                 do_quote=False)


async def open_case(context: ContextTypes.DEFAULT_TYPE, desk: Desk, message: Message) -> None:
    """Open a topic (or a first message) in the team's group, then tell the person they are connected."""
    chat_id = message.chat.id
    cases = desk.cases
    if cases.of_person(chat_id) is not None or chat_id in cases.opening:
        await offer(message, desk)
        return
    cases.opening.add(chat_id)
    try:
        now = desk.clock()
        back = None if desk.hours.is_open(now) else desk.hours.describe_return(now)
        code = cases.new_code()
        team_chat = desk.settings.chat_id
        try:
            thread_id = await create_topic(context, team_chat, code)
            intro = await context.bot.send_message(
                team_chat, intro_of(code, cases.last_exchange(chat_id), back, thread_id is not None),
                message_thread_id=thread_id)
        except TelegramError as error:
            log.error("hand-off: cannot reach the team's group %s (%s: %s)", team_chat, type(error).__name__, error)
            await message.reply_text(desk.fill(CANNOT_REACH), do_quote=False)
            return
        case = Case(code, chat_id, team_chat, thread_id, now)
        if thread_id is None:
            case.message_ids.add(intro.message_id)
        cases.add(case)
        log.info("hand-off case %s opened%s", code, "" if back is None else " out of hours")
        texts = desk.settings.texts
        await message.reply_text(desk.fill(texts.connected, code=code) if back is None else
                                 desk.fill(texts.leave_message, code=code, back=back), do_quote=False)
        await save(context, "open_case", code, chat_id, team_chat, thread_id, now)
        if thread_id is None:
            await save(context, "add_case_message", code, intro.message_id)
        schedule_wait(context.application, desk, case)
    finally:
        cases.opening.discard(chat_id)


async def create_topic(context: ContextTypes.DEFAULT_TYPE, team_chat: int, code: str) -> int | None:
    """The case's forum topic; None in a group without topics, where the team replies to messages."""
    try:
        topic = await context.bot.create_forum_topic(team_chat, f"Case {code}")
    except BadRequest as error:
        log.info("hand-off: no topic for case %s (%s); the team answers by replying", code, error.message)
        return None
    return topic.message_thread_id


def intro_of(code: str, exchange: Exchange | None, back: str | None, in_topic: bool) -> str:
    return INTRO.format(code=code, away=AWAY_NOTE.format(back=back) if back else "",
                        question=exchange.question if exchange and exchange.question else "(none)",
                        reply=exchange.reply if exchange else "(none)",
                        how=HOW_IN_TOPIC if in_topic else HOW_IN_GROUP)


async def on_person_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A private message while a case is open: the urgent reply if any, then it goes to the team."""
    desk = desk_of(context)
    message = update.effective_message
    if desk is None or message is None or not is_private(update):
        return
    case = desk.cases.of_person(message.chat.id)
    if case is None or is_own_command(message, context):
        return  # the usual handlers take it
    await relay_from_person(update, context, desk, case, message.text or message.caption or "",
                            time.perf_counter())
    raise ApplicationHandlerStop


def is_own_command(message: Message, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """A command this bot has (/start, /done, ...), which its own handler answers during a case too."""
    name = command_of(message, context.bot.username)
    return name is not None and any(isinstance(handler, CommandHandler) and name in handler.commands
                                    for handler in context.application.handlers.get(0, []))


async def relay_from_person(update: Update, context: ContextTypes.DEFAULT_TYPE, desk: Desk, case: Case,
                            text: str, started: float, reply: Reply | None = None) -> None:
    """Red flags first: the person's urgent reply goes at once; then the message to the team."""
    message = update.effective_message
    reply = reply or reply_to(context, text, message.chat.id, remember=False)
    urgent = reply.kind == URGENT
    if urgent:
        try:
            await deliver(message, reply, context, message.chat.id, text)
        except TelegramError as error:  # the team must still see it
            log.warning("update %s: urgent reply not sent (%s)", update.update_id, type(error).__name__)
    elif not await pass_flood_gate(update, context):
        return
    try:
        copied = await context.bot.copy_message(case.team_chat, message.chat.id, message.message_id,
                                                message_thread_id=case.thread_id)
        await keep_message(context, case, copied.message_id)
        if urgent:
            mark = await context.bot.send_message(
                case.team_chat, URGENT_MARK.format(code=case.code, flag=reply.red_flag),
                message_thread_id=case.thread_id, reply_to_message_id=copied.message_id)
            await keep_message(context, case, mark.message_id)
    except TelegramError as error:
        log.warning("hand-off case %s: a message did not reach the team (%s: %s)", case.code,
                    type(error).__name__, error)
        await message.reply_text(desk.fill(NOT_DELIVERED), do_quote=False)
        log_outcome(update, reply if urgent else None, started, "handoff-not-relayed")
        return
    if urgent:
        log_outcome(update, reply, started)
    else:
        log_outcome(update, None, started, "handoff-relayed")


async def keep_message(context: ContextTypes.DEFAULT_TYPE, case: Case, message_id: int) -> None:
    """In a plain group, the team answers by replying to the bot's messages: remember which are the case's."""
    if case.thread_id is None:
        desk = desk_of(context)
        if desk is not None:
            desk.cases.add_message(case, message_id)
        await save(context, "add_case_message", case.code, message_id)


# The team's side


async def on_team_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The team's group: a message in a case goes to its person, /close ends it; nothing else is answered."""
    started = time.perf_counter()
    desk = desk_of(context)
    message = update.message  # edits are not relayed: the person already has the first version
    if desk is None or message is None or message.from_user is None:
        raise ApplicationHandlerStop
    thread_id = message.message_thread_id if message.is_topic_message else None
    reply_to_id = message.reply_to_message.message_id if message.reply_to_message else None
    case = desk.cases.of_team_message(message.chat.id, thread_id, reply_to_id)
    command = command_of(message, context.bot.username)
    outcome = "team-ignored"
    if command == "close":
        outcome = "team-close"
        if case is None:
            await message.reply_text(NOT_A_CASE, do_quote=thread_id is None)
        else:
            await close_case(context, desk, case, "team")
    elif case is not None and command is None:
        outcome = "team-relayed"
        await relay_from_team(context, desk, case, message)
    log_outcome(update, None, started, outcome)
    raise ApplicationHandlerStop


async def relay_from_team(context: ContextTypes.DEFAULT_TYPE, desk: Desk, case: Case, message: Message) -> None:
    """Copy a team member's message to the person; the first one is introduced. Blocked: the case ends."""
    first = case.first_reply_at is None
    try:
        if first:
            await context.bot.send_message(case.chat_id, desk.fill(TEAM_JOINED))
        await context.bot.copy_message(case.chat_id, message.chat.id, message.message_id)
    except Forbidden:
        await close_case(context, desk, case, "blocked")
        return
    except TelegramError as error:
        log.warning("hand-off case %s: a reply did not reach the person (%s)", case.code, type(error).__name__)
        await tell_team(context, case, NOT_SENT.format(code=case.code, error=error.message))
        return
    if first and case.first_reply_at is None:
        case.first_reply_at = desk.clock()
        cancel_wait(context.application, case)
        await save(context, "mark_first_reply", case.code, case.first_reply_at)


async def tell_team(context: ContextTypes.DEFAULT_TYPE, case: Case, text: str) -> None:
    try:
        await context.bot.send_message(case.team_chat, text, message_thread_id=case.thread_id)
    except TelegramError as error:
        log.warning("hand-off case %s: the team was not told (%s)", case.code, type(error).__name__)


async def close_case(context: ContextTypes.DEFAULT_TYPE, desk: Desk, case: Case, reason: str) -> None:
    """End a case once: the person is told (unless they left), then the team, then the topic closes."""
    if not desk.cases.remove(case):
        return
    cancel_wait(context.application, case)
    log.info("hand-off case %s closed (%s)", case.code, reason)
    await save(context, "close_case", case.code, desk.clock())
    if reason in ("team", "person"):
        try:
            await context.bot.send_message(case.chat_id, desk.fill(desk.settings.texts.ended))
        except TelegramError as error:
            log.info("hand-off case %s: the person was not told of the end (%s)", case.code, type(error).__name__)
    await tell_team(context, case, CLOSED[reason].format(code=case.code))
    if case.thread_id is not None:
        try:
            await context.bot.close_forum_topic(case.team_chat, case.thread_id)
        except TelegramError as error:
            log.warning("hand-off case %s: topic not closed (%s: %s)", case.code, type(error).__name__, error)


async def end_case_on_forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/forget: an open case ends (the store then deletes it with the rest), and the last exchange goes."""
    desk = desk_of(context)
    chat = update.effective_chat
    if desk is None or chat is None or chat.type != ChatType.PRIVATE:
        return
    desk.cases.forget_exchange(chat.id)
    case = desk.cases.of_person(chat.id)
    if case is not None:
        await close_case(context, desk, case, "forget")


def privacy_note(context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """What /privacy says about talking to a person, when it is configured."""
    desk = desk_of(context)
    if desk is None:
        return None
    recorder = recorder_of(context)
    kept = ("Nothing about the case is stored; it is kept in memory while it is open." if recorder is None else
            "The bot keeps a case code, the one-way code for you, message numbers and times, and, only "
            "while the case is open, where to send the team's replies (sealed with a key). "
            f"The case is deleted {recorder.store.retention.days} days after it ends; /forget ends an "
            "open case and deletes it at once.")
    return (f"Talking to a person (/human): once you agree, what you write is copied by the bot to "
            f"{desk.settings.texts.team} in their Telegram group, with your last question and my reply, "
            f"without your name or username, and their replies come back here. {kept} What you sent to the "
            "team stays in their group.")


# Waiting for the team


def wait_job_name(code: str) -> str:
    return f"hand-off wait {code}"


def schedule_wait(application: Application, desk: Desk, case: Case) -> None:
    """Tell the person after wait_minutes (counted from when the team is in) if nobody has answered."""
    minutes = desk.settings.wait_minutes
    if not minutes or case.first_reply_at is not None or case.waiting_told or application.job_queue is None:
        return
    due = desk.hours.next_open(case.opened_at) + datetime.timedelta(minutes=minutes)
    delay = max(0.0, (due - desk.clock()).total_seconds())
    application.job_queue.run_once(tell_waiting, delay, data=case.code, name=wait_job_name(case.code))


def cancel_wait(application: Application, case: Case) -> None:
    if application.job_queue is not None:
        for job in application.job_queue.get_jobs_by_name(wait_job_name(case.code)):
            job.schedule_removal()


async def tell_waiting(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Job: nobody from the team has answered yet; say so once."""
    desk = desk_of(context)
    code = context.job.data if context.job is not None else None
    case = desk.cases.of_code(code) if desk is not None and code is not None else None
    if desk is None or case is None or case.first_reply_at is not None or case.waiting_told:
        return
    case.waiting_told = True
    try:
        await context.bot.send_message(case.chat_id, desk.fill(desk.settings.texts.waiting))
    except Forbidden:
        await close_case(context, desk, case, "blocked")
        return
    except TelegramError as error:
        log.warning("hand-off case %s: the person was not told about the wait (%s)", case.code, type(error).__name__)
    await save(context, "mark_waiting_told", case.code, desk.clock())


# Setting up


def register_handoff(application: Application, config: Config, store: Store | None) -> None:
    """/human and /done (which say so when it is off); when configured, the relay, and the open cases
    a restart finds in the store."""
    application.add_handler(CommandHandler("human", human))
    application.add_handler(CommandHandler("done", done))
    settings = config.handoff
    if not settings.enabled:
        return
    desk = Desk(settings, parse_hours(settings.hours, settings.time_zone), CaseBook())
    if store is not None:
        restore_cases(desk, store)
    application.bot_data["handoff"] = desk
    application.bot_data["cases"] = desk.cases
    # Group -1 runs before the FAQ's handlers, and stops them for what it takes.
    application.add_handler(MessageHandler(filters.Chat(settings.chat_id), on_team_message), group=-1)
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL,
                                           on_person_message), group=-1)


def restore_cases(desk: Desk, store: Store) -> None:
    """The cases open at the last stop; one sealed with another key cannot be reached, so it closes."""
    restored = 0
    for stored in store.open_cases():
        if stored.chat_id is None:
            log.warning("hand-off case %s closed: it was stored with another privacy key", stored.code)
            store.close_case(stored.code, desk.clock())
            continue
        desk.cases.add(Case(stored.code, stored.chat_id, stored.team_chat, stored.thread_id, stored.opened_at,
                            stored.first_reply_at, stored.waiting_told, set(stored.message_ids)))
        restored += 1
    if restored:
        log.info("hand-off: %d open cases restored", restored)


def start_handoff(application: Application) -> None:
    """At start-up: wait timers for the restored cases."""
    desk: Desk | None = application.bot_data.get("handoff")
    if desk is not None:
        for case in desk.cases.cases():
            schedule_wait(application, desk, case)
