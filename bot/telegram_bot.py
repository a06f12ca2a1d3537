"""The Telegram channel: handlers, and building and running the Application.

No matching happens here: every decision is the Responder's, reached through the pipeline
(pipeline.py); rendering.py lays replies out, buttons.py checks button data, delivery.py decides
what is sent again, recording.py writes the store, reloading.py swaps the knowledge base, and
handoff.py relays a person to the team and back (its handlers are registered here too).
"""

from __future__ import annotations

import asyncio
import logging
import time
from urllib.parse import urlsplit

from telegram import BotCommand, InlineKeyboardButton, Message, MessageEntity, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import Conflict, Forbidden, InvalidToken, TelegramError
from telegram.ext import (Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler,
                          ContextTypes, InlineQueryHandler, MessageHandler, filters)

from .buttons import ANSWER, ARTICLE, FEEDBACK, HANDOFF, HELPED, MENU, NOT_HELPED, TOPIC, Action, parse_action
from .config import Config
from .delivery import PatientRateLimiter, TokenRejected, wait_for_telegram
from .english import load_segmenter
from .flood import FloodGate
from .handoff import (HANDOFF_COMMANDS, end_case_on_forget, offer_after_thumbs_down, on_handoff_button, privacy_note,
                      register_handoff, start_handoff)
from .knowledge import TOPICS
from .monitoring import CountedRequest, instrument, start_monitoring, stop_monitoring
from .pipeline import (SLOW_DOWN, Incoming, answer_if_urgent, answer_incoming, answer_inline, deliver,
                       forget_conversation, log_outcome, recorder_of, remember_reply, responder_of)
from .recording import Recorder
from .reloading import schedule_reloads, stop_reloads
from .rendering import entry_buttons, escape, topic_menu
from .responder import Responder
from .store import Store
from .watcher import KnowledgeWatcher

__all__ = ["SLOW_DOWN", "CONCURRENT_UPDATES", "PatientRateLimiter", "build_application", "run_telegram"]

log = logging.getLogger(__name__)

HELP_EXAMPLES = ("causes", "quick-relief", "see-doctor")
COMMANDS = (
    ("start", "What this bot covers"),
    ("topics", "Browse the questions by topic"),
    ("help", "How to ask, with examples"),
    ("about", "Where the answers come from"),
    ("privacy", "What is stored about you"),
    ("forget", "Delete what is stored about you"),
)
RELOAD_SECONDS = 2.0
# Updates handled at once, and HTTP connections to match. More buys nothing at Telegram's 30
# messages a second and costs: httpx's pool bookkeeping grows with connections times requests.
CONCURRENT_UPDATES = 32
# A 409 this soon after start means another bot already polls with this token: this one leaves.
# Later, it means another one just started; that one leaves, and this one keeps polling.
CONFLICT_AT_START_SECONDS = 30.0
# How long /forget and a 👍 / 👎 wait for the store before answering anyway.
FORGET_TIMEOUT = 5.0
VOTE_TIMEOUT = 2.0
TEXT_ONLY = "I can only read text messages. Please type your question about buttock cramps."
EXPIRED = "This button has expired. Here are the topics again."
THANKS_FOR_FEEDBACK = "Thanks for your feedback!"
FORGOTTEN = "Done: everything stored for you has been deleted."
NOT_FORGOTTEN = "Sorry, I couldn't delete your data just now. Please send /forget again in a minute."


def is_group(update: Update) -> bool:
    """Groups and channels: the bot speaks there only when spoken to, or to an emergency."""
    chat = update.effective_chat
    return chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP, ChatType.CHANNEL)


def is_reply_to_bot(message: Message, bot_id: int) -> bool:
    replied = message.reply_to_message
    return replied is not None and replied.from_user is not None and replied.from_user.id == bot_id


def addressed_text(message: Message, bot_id: int, username: str) -> str | None:
    """In a group, the text meant for the bot (its mention removed), or None when not for it."""
    text = message.text or ""
    if is_reply_to_bot(message, bot_id):
        return text
    mention = f"@{username}".lower()
    for entity, value in message.parse_entities([MessageEntity.MENTION]).items():
        if value.lower() == mention:
            return (text[:entity.offset] + text[entity.offset + entity.length:]).strip()
    for entity in message.entities:
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
            return text
    return None


def incoming_of(update: Update, message: Message, text: str, addressed: bool) -> Incoming:
    user = update.effective_user
    return Incoming(update, message, text, user.id if user else None, addressed)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a text message or an edited one; in groups only when addressed, or urgent."""
    started = time.perf_counter()
    message = update.effective_message
    if message is None:
        return
    text = message.text or ""
    addressed = True
    if is_group(update):
        meant = addressed_text(message, context.bot.id, context.bot.username)
        addressed = meant is not None
        text = meant if meant is not None else text
    await answer_incoming(incoming_of(update, message, text, addressed), context, started)


async def on_other_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Photos, stickers, voice and the like: an urgent caption is answered, else "only text"."""
    started = time.perf_counter()
    message = update.effective_message
    if message is None:
        return
    addressed = not is_group(update) or is_reply_to_bot(message, context.bot.id)
    await answer_incoming(incoming_of(update, message, message.caption or "", addressed), context,
                          started, non_urgent_text=TEXT_ONLY)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome: what the bot covers, the disclaimer and the topic menu; starts a new conversation."""
    started = time.perf_counter()
    if await answer_if_urgent(update, context, started):
        return
    forget_conversation(context, update.effective_user.id if update.effective_user else None)
    responder = responder_of(context)
    text = (f"<b>Hello!</b> I answer questions about {escape(responder.subject)}, from a "
            "medically reviewed article. Ask in your own words, or pick a topic below.\n\n"
            f"<i>{escape(responder.config.texts.disclaimer)}</i>")
    await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML,
                                               reply_markup=topic_menu(responder), do_quote=False)
    log_outcome(update, None, started, "command-start")


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """How to ask, with three example questions as buttons."""
    started = time.perf_counter()
    if await answer_if_urgent(update, context, started):
        return
    responder = responder_of(context)
    examples = [(entry_id, responder.knowledge.entries[entry_id].title)
                for entry_id in HELP_EXAMPLES if entry_id in responder.knowledge.entries]
    text = ("Type your question in your own words, typos and all, for example "
            "\"why does my bum cramp after squats?\". Tap a button below to try an example, "
            "or /topics to browse. If you have signs of an emergency, call your local emergency "
            "number instead of asking me.")
    await update.effective_message.reply_text(text, reply_markup=entry_buttons(examples),
                                              do_quote=False)
    log_outcome(update, None, started, "command-help")


async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The topic menu."""
    started = time.perf_counter()
    if await answer_if_urgent(update, context, started):
        return
    await update.effective_message.reply_text("Pick a topic:", reply_markup=topic_menu(
        responder_of(context)), do_quote=False)
    log_outcome(update, None, started, "command-topics")


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Where the answers come from and when they were last reviewed."""
    started = time.perf_counter()
    if await answer_if_urgent(update, context, started):
        return
    responder = responder_of(context)
    lines = []
    for article in responder.knowledge.articles:
        reviewed = article.reviewed.isoformat() if article.reviewed else "not yet reviewed"
        lines.append(f"<b>{escape(article.title)}</b>\nSource article: "
                     f"\u201c{escape(article.source_title)}\u201d. It covers "
                     f"{escape(article.covers[:1].lower() + article.covers[1:])}\n"
                     f"Knowledge base last reviewed: {reviewed}.")
    lines.append(f"<i>{escape(responder.config.texts.disclaimer)}</i>")
    await update.effective_message.reply_text("\n\n".join(lines), parse_mode=ParseMode.HTML,
                                              do_quote=False)
    log_outcome(update, None, started, "command-about")


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button press: answer an entry, list a topic, or show the menu; always acknowledged."""
    started = time.perf_counter()
    query = update.callback_query
    responder = responder_of(context)
    action = parse_action(query.data, responder)
    message = query.message if isinstance(query.message, Message) else None
    if action is not None and action.kind in FEEDBACK:
        await on_feedback(update, context, action)
        log_outcome(update, None, started, "feedback")
        return
    if action is not None and action.kind in HANDOFF:
        await on_handoff_button(update, context, action)
        log_outcome(update, None, started, "handoff-button")
        return
    if action is None:
        await query.answer(EXPIRED)
        if message is not None:
            await message.reply_text(EXPIRED, reply_markup=topic_menu(responder), do_quote=False)
        log_outcome(update, None, started, "expired-button")
        return
    await query.answer()
    if message is None:
        return
    if action.kind == ANSWER:
        reply = responder.answer(action.value)
        remember_reply(context, query.from_user.id, reply)
        await deliver(message, reply, context, query.from_user.id)
        log_outcome(update, reply, started)
    elif action.kind == TOPIC:
        topic, _, article = action.value.partition("/")
        entries = [(entry.id, entry.title)
                   for entry in responder.knowledge.entries_of_topic(topic, article or None)]
        back = InlineKeyboardButton("\u00ab All topics", callback_data=(
            Action(ARTICLE, article) if len(responder.knowledge.articles) > 1 else Action(MENU)).encode())
        await message.edit_text(f"{TOPICS[topic]}: pick a question.",
                                reply_markup=entry_buttons(entries, [back]))
        log_outcome(update, None, started, "topic")
    elif action.kind == ARTICLE:
        title = responder.knowledge.article(action.value).title  # type: ignore[union-attr]
        await message.edit_text(f"{title}: pick a topic.", reply_markup=topic_menu(responder, action.value))
        log_outcome(update, None, started, "article")
    elif action.kind == MENU:
        await message.edit_text("Pick a topic:", reply_markup=topic_menu(responder))
        log_outcome(update, None, started, "menu")
    else:
        reply = responder.none_of_these()
        await deliver(message, reply, context, query.from_user.id)
        log_outcome(update, reply, started)


async def on_feedback(update: Update, context: ContextTypes.DEFAULT_TYPE, action: Action) -> None:
    """👍 / 👎 under an answer: recorded once per person and answer; pressing again changes it."""
    query = update.callback_query
    recorder = recorder_of(context)
    known = False
    if recorder is not None:
        try:
            known = await recorder.call(recorder.store.vote, int(action.value), query.from_user.id,
                                        1 if action.kind == HELPED else -1, timeout=VOTE_TIMEOUT) is not None
        except asyncio.TimeoutError:
            known = True  # queued behind a locked store: written when it lets go
        except Exception as error:  # noqa: BLE001 - a broken store must not leave the button spinning
            log.warning("vote not recorded (%s)", type(error).__name__)
    await query.answer(THANKS_FOR_FEEDBACK if known else EXPIRED)
    if action.kind == NOT_HELPED:
        await offer_after_thumbs_down(update, context)


async def privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """What is stored, for how long, and how to delete it."""
    started = time.perf_counter()
    if await answer_if_urgent(update, context, started):
        return
    recorder = recorder_of(context)
    if recorder is None:
        text = "Nothing about you or your messages is stored by this bot."
    else:
        days = recorder.store.retention.days
        text = ("To improve its answers, this bot stores for each message: what kind of reply it "
                "gave, which answer, and when. The text of a message is kept only when the bot "
                "could not answer it, so editors can add what is missing. Your Telegram id, name and "
                "username are never stored: a one-way code stands in for you, only so that your "
                f"rows can be deleted. Everything is deleted after {days} days. Send /forget to "
                "delete everything stored for you now.")
    note = privacy_note(context)
    if note is not None:
        text = f"{text}\n\n{note}"
    await update.effective_message.reply_text(text, do_quote=False)
    log_outcome(update, None, started, "command-privacy")


async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Delete everything stored for this person, and say so (or say that it failed)."""
    started = time.perf_counter()
    if await answer_if_urgent(update, context, started):
        return
    await end_case_on_forget(update, context)
    recorder = recorder_of(context)
    user = update.effective_user
    text = FORGOTTEN
    if recorder is not None and user is not None:
        try:
            await recorder.call(recorder.store.forget, user.id, timeout=FORGET_TIMEOUT)
        except Exception as error:  # noqa: BLE001 - locked or broken store: say so honestly
            log.warning("forget failed (%s)", type(error).__name__)
            text = NOT_FORGOTTEN
    await update.effective_message.reply_text(text, do_quote=False)
    log_outcome(update, None, started, "command-forget")


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Inline mode: up to five answers for the typed words, or one per topic when empty."""
    await answer_inline(update, context, time.perf_counter())


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log and carry on: one failed update must never stop the bot (a second bot on the token may)."""
    error = context.error
    if update is None and isinstance(error, Conflict):
        on_conflict(context.application)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, Forbidden):
        log.info("update %s: the person blocked the bot or left the chat", update_id)
    elif isinstance(error, TelegramError):
        log.error("update %s failed: %s: %s", update_id, type(error).__name__, error)
    else:
        log.error("update %s failed", update_id, exc_info=error)


def on_conflict(application: Application) -> None:
    """Telegram answered 409: another bot polls with this token. At start-up this one leaves."""
    since_start = time.monotonic() - application.bot_data.get("started", 0.0)
    if since_start > CONFLICT_AT_START_SECONDS:
        log.warning("another bot started polling with this token (Telegram answered 409 Conflict); "
                    "this one keeps polling and the newcomer should stop")
        return
    if application.bot_data.get("exit_code"):
        return
    log.error("another bot is already running with this token (Telegram answered 409 Conflict). "
              "Stop it first, or give this one its own token from @BotFather.")
    application.bot_data["exit_code"] = 2
    application.stop_running()


async def start_up(application: Application) -> None:
    """Register the commands in Telegram's menu, serve /healthz and /metrics, reload changed knowledge."""
    application.bot_data["started"] = time.monotonic()
    commands = COMMANDS + (HANDOFF_COMMANDS if application.bot_data.get("handoff") else ())
    await application.bot.set_my_commands([BotCommand(name, text) for name, text in commands])
    await start_monitoring(application)
    schedule_reloads(application, RELOAD_SECONDS)
    start_handoff(application)


async def shut_down(application: Application) -> None:
    """Stop /healthz and reloading, then write what is queued and close the store after the last reply."""
    await stop_monitoring(application)
    stop_reloads()
    recorder: Recorder | None = application.bot_data.get("recorder")
    if recorder is not None:
        await recorder.close()


def build_application(responder: Responder, config: Config, token: str,
                      store: Store | None = None, read_timeout: float = 5.0) -> Application:
    """The one factory for `python -m bot run` and the tests."""
    base_url = config.telegram.base_url
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_url.replace("/bot", "/file/bot", 1))
        .rate_limiter(PatientRateLimiter(config.telegram.max_messages_per_second,
                                         config.telegram.retry_seconds))
        .concurrent_updates(CONCURRENT_UPDATES)
        # Requests of our own (the builder refuses pool size and timeouts beside them), counting
        # failed Bot API calls for /metrics; the rate limiter above still decides what is retried.
        .request(CountedRequest(connection_pool_size=CONCURRENT_UPDATES, read_timeout=read_timeout))
        .get_updates_request(CountedRequest(connection_pool_size=1))
        .post_init(start_up)
        .post_shutdown(shut_down)
        .build()
    )
    application.bot_data["watcher"] = KnowledgeWatcher(responder, config)
    application.bot_data["recorder"] = Recorder(store) if store is not None else None
    application.bot_data["flood"] = FloodGate(config.telegram.flood_burst, config.telegram.flood_per_minute)
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(CommandHandler("topics", topics))
    application.add_handler(CommandHandler("about", about))
    application.add_handler(CommandHandler("privacy", privacy))
    application.add_handler(CommandHandler("forget", forget))
    register_handoff(application, config, store)
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(InlineQueryHandler(on_inline_query))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    # Commands the bot does not have ("/cramps why"), and others' in groups: read as text.
    application.add_handler(MessageHandler(filters.COMMAND, on_text))
    application.add_handler(MessageHandler(~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL,
                                           on_other_message))
    application.add_error_handler(on_error)
    instrument(application, config)
    return application


class OneLineLibraryLogs(logging.Filter):
    """python-telegram-bot's own log records as one line each, never with the token.

    Below DEBUG level a library traceback becomes its last line; a 409 Conflict, already
    explained by on_conflict, is not repeated.
    """

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, Conflict):
            return False
        message = record.getMessage()
        if error is not None and not logging.getLogger().isEnabledFor(logging.DEBUG):
            message = f"{message} ({type(error).__name__}: {error})"
            record.exc_info = None
            record.exc_text = None
        record.msg, record.args = message.replace(self.token, "<token>"), None
        return True


def quiet_library_logs(token: str) -> None:
    """Put OneLineLibraryLogs on every logger of python-telegram-bot (filters do not inherit).

    The job queue's scheduler logs two lines per run of the reload timer at INFO: only its warnings.
    """
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLogger().level))
    one_line = OneLineLibraryLogs(token)
    for name in list(logging.root.manager.loggerDict):
        if name == "telegram" or name.startswith("telegram."):
            logging.getLogger(name).addFilter(one_line)


def run_telegram(responder: Responder, config: Config, token: str, store: Store | None) -> int:
    """Serve until SIGINT or SIGTERM, by long polling or, from config, a webhook; the exit code.

    Waits for Telegram first (one line per try), so no start-up failure becomes a traceback.
    """
    quiet_library_logs(token)
    # Words typed without spaces are split with a word list loaded once; load it now, so the
    # first such message (it may be urgent) does not wait for it.
    load_segmenter()
    telegram = config.telegram
    asyncio.run(wait_for_telegram(telegram.base_url, token))
    application = build_application(responder, config, token, store)
    log.info("starting the Telegram bot (%s), %d entries", telegram.mode, len(responder.knowledge.entries))
    try:
        if telegram.mode == "webhook":
            webhook = telegram.webhook
            application.run_webhook(listen=webhook.listen, port=webhook.port,
                                    url_path=urlsplit(webhook.url).path.lstrip("/"),
                                    webhook_url=webhook.url, secret_token=webhook.secret_token,
                                    allowed_updates=Update.ALL_TYPES)
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        raise TokenRejected("Telegram rejected the token (401). Get a new one from @BotFather.") from None
    return int(application.bot_data.get("exit_code", 0))
