"""The Telegram channel: turns updates into text for the core and renders its replies.

The only module that imports telegram. No matching happens here: every decision is the
Responder's; this module lays replies out as HTML with buttons.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import signal
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from telegram import (BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResultArticle,
                      InputTextMessageContent, Message, MessageEntity, Update)
from telegram.constants import ChatType, MessageLimit, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError
from telegram.ext import (AIORateLimiter, Application, ApplicationBuilder, CallbackQueryHandler,
                          CommandHandler, ContextTypes, InlineQueryHandler, MessageHandler, filters)

from .config import Config
from .flood import ALLOW, WARN, FloodGate
from .knowledge import TOPICS
from .metrics import observe_outcome
from .monitoring import CountedRequest, instrument, start_monitoring, stop_monitoring
from .responder import ANSWER, CLARIFY, URGENT, Reply, Responder
from .store import Store
from .watcher import KnowledgeWatcher

log = logging.getLogger(__name__)


def escape(text: str) -> str:
    """Text safe inside Telegram HTML; quotes need no escaping outside attributes."""
    return html.escape(text, quote=False)


CALLBACK_VERSION = "v1"
INLINE_RESULTS = 5
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
TEXT_ONLY = "I can only read text messages. Please type your question about buttock cramps."
EXPIRED = "This button has expired. Here are the topics again."
THANKS_FOR_FEEDBACK = "Thanks for your feedback!"
SLOW_DOWN = ("You're sending messages faster than I can answer. Please wait a moment; I'll answer "
             "again shortly.")


class PatientRateLimiter(AIORateLimiter):
    """Telegram's rate limits, plus retries while Telegram fails, so no reply is lost.

    429 flood waits are the base class's (it pauses every request for `retry_after`). Server
    errors, timeouts and refused connections are retried with a growing pause for up to
    `retry_seconds`. Bad requests and "blocked by the user" are final: retrying cannot help.
    """

    def __init__(self, max_per_second: int, retry_seconds: float) -> None:
        if max_per_second:
            super().__init__(overall_max_rate=max_per_second, max_retries=10)
        else:
            super().__init__(overall_max_rate=0, group_max_rate=0, max_retries=10)
        self.retry_seconds = retry_seconds

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):  # type: ignore[no-untyped-def,override]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.retry_seconds
        pause = 0.25
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data,
                                                      rate_limit_args)
            except BadRequest:
                raise
            except NetworkError as error:
                if loop.time() + pause > deadline:
                    raise
                log.warning("%s failed (%s); retrying in %.2fs", endpoint, type(error).__name__, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)


@dataclass(frozen=True)
class Action:
    """What a button asks for, parsed from its callback data: `v1|a|cause-nerve`."""

    # a: answer an entry; t: list a topic ("causes/gluteal-cramps"); s: an article's topics;
    # m: the topic menu; n: none of these; u, d: this answer helped (up) or not (down)
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
    if kind == "a" and value in knowledge.entries:
        return Action(kind, value)
    if kind == "t":
        topic, _, article = value.partition("/")
        if topic in TOPICS and knowledge.entries_of_topic(topic, article or None):
            return Action(kind, value)
    if kind == "s" and knowledge.article(value) is not None:
        return Action(kind, value)
    if kind in ("u", "d") and value.isdigit() and len(value) <= 18:
        return Action(kind, value)
    if kind in ("m", "n") and not value:
        return Action(kind)
    return None


def topic_menu(responder: Responder, article: str | None = None) -> InlineKeyboardMarkup:
    """The topics; with several articles, first one button per article."""
    articles = responder.knowledge.articles
    if article is None and len(articles) > 1:
        return InlineKeyboardMarkup([[InlineKeyboardButton(a.title, callback_data=Action("s", a.key).encode())]
                                     for a in articles])
    key = article or articles[0].key
    rows = [[InlineKeyboardButton(label, callback_data=Action("t", f"{topic}/{key}").encode())]
            for topic, label in TOPICS.items() if responder.knowledge.entries_of_topic(topic, key)]
    if len(articles) > 1:
        rows.append([InlineKeyboardButton("\u00ab All articles", callback_data=Action("m").encode())])
    return InlineKeyboardMarkup(rows)


def entry_buttons(entries: list[tuple[str, str]], extra: list[InlineKeyboardButton] | None = None
                  ) -> InlineKeyboardMarkup | None:
    rows = [[InlineKeyboardButton(title, callback_data=Action("a", entry_id).encode())]
            for entry_id, title in entries]
    if extra:
        rows.append(extra)
    return InlineKeyboardMarkup(rows) if rows else None


def render_html(reply: Reply) -> str:
    """The reply as Telegram HTML: question in bold, answer, disclaimer in italics."""
    parts = []
    if reply.heading:
        parts.append(f"<b>{escape(reply.heading)}</b>")
    parts.append(escape(reply.body))
    if reply.disclaimer:
        parts.append(f"<i>{escape(reply.disclaimer)}</i>")
    return "\n\n".join(parts)


def render_keyboard(reply: Reply, responder: Responder, outcome_id: int | None = None
                    ) -> InlineKeyboardMarkup | None:
    """Buttons under a reply; an answer recorded in the store also gets 👍 / 👎."""
    if reply.kind == URGENT:
        return None  # nothing that distracts from the urgent text
    if reply.kind == CLARIFY:
        none = InlineKeyboardButton("None of these", callback_data=Action("n").encode())
        return entry_buttons([(s.entry_id, s.title) for s in reply.suggestions], [none])
    if reply.kind == ANSWER:
        feedback = None
        if outcome_id is not None:
            feedback = [InlineKeyboardButton("\U0001F44D", callback_data=Action("u", str(outcome_id)).encode()),
                        InlineKeyboardButton("\U0001F44E", callback_data=Action("d", str(outcome_id)).encode())]
        return entry_buttons([(s.entry_id, s.title) for s in reply.related], feedback)
    return topic_menu(responder) if reply.show_topics else None


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Pieces of at most `limit` characters, cut between paragraphs, then lines, then words."""
    if len(text) <= limit:
        return [text]
    for separator in ("\n\n", "\n", " "):
        pieces: list[str] = []
        current = ""
        for part in text.split(separator):
            candidate = f"{current}{separator}{part}" if current else part
            if len(candidate) <= limit:
                current = candidate
                continue
            if current:
                pieces.append(current)
            current = part
        pieces.append(current)
        if all(len(piece) <= limit for piece in pieces):
            return pieces
    return [text[start:start + limit] for start in range(0, len(text), limit)]


async def send_reply(message: Message, reply: Reply, context: ContextTypes.DEFAULT_TYPE,
                     user_id: int | None, text: str | None = None) -> None:
    """Record the outcome, then send the reply in as many messages as it needs, buttons last."""
    outcome_id = await record(context, reply, user_id, text)
    pieces = split_text(render_html(reply))
    keyboard = render_keyboard(reply, responder_of(context), outcome_id)
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        await message.reply_text(piece, parse_mode=ParseMode.HTML,
                                 reply_markup=keyboard if last else None,
                                 do_quote=False)


async def passes_flood_gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
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


def responder_of(context: ContextTypes.DEFAULT_TYPE) -> Responder:
    """The Responder in service now; a reload swaps it between two updates."""
    return context.bot_data["watcher"].responder


def store_of(context: ContextTypes.DEFAULT_TYPE) -> Store | None:
    return context.bot_data.get("store")


async def record(context: ContextTypes.DEFAULT_TYPE, reply: Reply, user_id: int | None,
                 text: str | None) -> int | None:
    """Store the outcome (off the event loop); returns its id for feedback buttons."""
    store = store_of(context)
    if store is None:
        return None
    suggestions = tuple(s.entry_id for s in reply.suggestions)
    return await asyncio.to_thread(store.record, reply.kind, reply.entry_id or reply.red_flag,
                                   reply.score, suggestions, user_id, text)


def log_outcome(update: Update, reply: Reply | None, started: float, outcome: str = "") -> None:
    """One line per update, without message text: the update id, outcome, entry, score, time."""
    elapsed = (time.perf_counter() - started) * 1000
    observe_outcome(reply.kind if reply else outcome, reply.red_flag if reply else None, elapsed / 1000)
    if reply is None:
        log.info("update %s outcome=%s ms=%.1f", update.update_id, outcome, elapsed)
        return
    log.info("update %s outcome=%s entry=%s score=%.2f ms=%.1f", update.update_id, reply.kind,
             reply.entry_id or reply.red_flag or "-", reply.score, elapsed)


def is_group(update: Update) -> bool:
    """Groups and channels: the bot speaks there only when spoken to."""
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


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a text message (or an edited one); in groups only when addressed."""
    started = time.perf_counter()
    message = update.effective_message
    if message is None:
        return
    text: str | None = message.text or ""
    if is_group(update):
        text = addressed_text(message, context.bot.id, context.bot.username)
        if text is None:
            log_outcome(update, None, started, "ignored-group")
            return
    if not await passes_flood_gate(update, context):
        return
    reply = responder_of(context).respond(text)
    user = update.effective_user
    await send_reply(message, reply, context, user.id if user else None, text)
    log_outcome(update, reply, started)


async def on_other_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Photos, stickers, voice and the like: say that only text can be read."""
    started = time.perf_counter()
    message = update.effective_message
    if message is None:
        return
    if is_group(update):
        if not is_reply_to_bot(message, context.bot.id):
            log_outcome(update, None, started, "ignored-group")
            return
    if not await passes_flood_gate(update, context):
        return
    await message.reply_text(TEXT_ONLY, do_quote=False)
    log_outcome(update, None, started, "not-text")


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome: what the bot covers, the disclaimer and the topic menu."""
    started = time.perf_counter()
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
    await update.effective_message.reply_text("Pick a topic:", reply_markup=topic_menu(
        responder_of(context)), do_quote=False)
    log_outcome(update, None, started, "command-topics")


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Where the answers come from and when they were last reviewed."""
    started = time.perf_counter()
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
    if action is not None and action.kind in ("u", "d"):
        await on_feedback(update, context, action)
        log_outcome(update, None, started, "feedback")
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
    if action.kind == "a":
        reply = responder.answer(action.value)
        await send_reply(message, reply, context, query.from_user.id)
        log_outcome(update, reply, started)
    elif action.kind == "t":
        topic, _, article = action.value.partition("/")
        entries = [(entry.id, entry.title)
                   for entry in responder.knowledge.entries_of_topic(topic, article or None)]
        back = InlineKeyboardButton("\u00ab All topics", callback_data=(
            Action("s", article) if len(responder.knowledge.articles) > 1 else Action("m")).encode())
        await message.edit_text(f"{TOPICS[topic]}: pick a question.",
                                reply_markup=entry_buttons(entries, [back]))
        log_outcome(update, None, started, "topic")
    elif action.kind == "s":
        title = responder.knowledge.article(action.value).title  # type: ignore[union-attr]
        await message.edit_text(f"{title}: pick a topic.", reply_markup=topic_menu(responder, action.value))
        log_outcome(update, None, started, "article")
    elif action.kind == "m":
        await message.edit_text("Pick a topic:", reply_markup=topic_menu(responder))
        log_outcome(update, None, started, "menu")
    else:
        reply = responder.none_of_these()
        await send_reply(message, reply, context, query.from_user.id)
        log_outcome(update, reply, started)


async def on_feedback(update: Update, context: ContextTypes.DEFAULT_TYPE, action: Action) -> None:
    """👍 / 👎 under an answer: recorded once per person and answer; pressing again changes it."""
    query = update.callback_query
    store = store_of(context)
    entry_id = None
    if store is not None:
        entry_id = await asyncio.to_thread(store.vote, int(action.value), query.from_user.id,
                                           1 if action.kind == "u" else -1)
    await query.answer(THANKS_FOR_FEEDBACK if entry_id else EXPIRED)


async def privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """What is stored, for how long, and how to delete it."""
    started = time.perf_counter()
    store = store_of(context)
    if store is None:
        text = "Nothing about you or your messages is stored by this bot."
    else:
        days = store.retention.days
        text = ("To improve its answers, this bot stores for each message: what kind of reply it "
                "gave, which answer, and when. The text of a message is kept only when the bot "
                "could not answer it, so editors can add what is missing. Your Telegram id, name and "
                "username are never stored: a one-way code stands in for you, only so that your "
                f"rows can be deleted. Everything is deleted after {days} days. Send /forget to "
                "delete everything stored for you now.")
    await update.effective_message.reply_text(text, do_quote=False)
    log_outcome(update, None, started, "command-privacy")


async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Delete everything stored for this person, and say so."""
    started = time.perf_counter()
    store = store_of(context)
    user = update.effective_user
    if store is not None and user is not None:
        await asyncio.to_thread(store.forget, user.id)
    await update.effective_message.reply_text(
        "Done: everything stored for you has been deleted.", do_quote=False)
    log_outcome(update, None, started, "command-forget")


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Inline mode: up to five answers for the typed words, or one per topic when empty."""
    started = time.perf_counter()
    query = update.inline_query
    responder = responder_of(context)
    if query.query.strip():
        replies = responder.search(query.query, INLINE_RESULTS)
    else:
        replies = [responder.answer(entries[0].id) for topic in TOPICS
                   if (entries := responder.knowledge.entries_of_topic(topic))]
    results = [
        InlineQueryResultArticle(
            id=reply.entry_id or reply.red_flag or reply.kind,
            title=reply.heading or "Please get help now",
            description=reply.body[:100],
            input_message_content=InputTextMessageContent(render_html(reply), parse_mode=ParseMode.HTML))
        for reply in replies]
    await query.answer(results, cache_time=60)
    observe_outcome("inline", seconds=time.perf_counter() - started)
    log.info("update %s outcome=inline results=%d ms=%.1f", update.update_id, len(results),
             (time.perf_counter() - started) * 1000)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log and carry on: one failed update must never stop the bot."""
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(context.error, Forbidden):
        log.info("update %s: the person blocked the bot or left the chat", update_id)
        return
    log.error("update %s failed", update_id, exc_info=context.error)


async def watch_knowledge(application: Application) -> None:
    """Reload the knowledge base when its files change, every RELOAD_SECONDS."""
    watcher: KnowledgeWatcher = application.bot_data["watcher"]
    while True:
        await asyncio.sleep(RELOAD_SECONDS)
        if watcher.changed():
            await asyncio.to_thread(watcher.reload)


async def start_up(application: Application) -> None:
    """Register the commands in Telegram's menu, watch the knowledge files, reload on SIGHUP."""
    await application.bot.set_my_commands([BotCommand(name, text) for name, text in COMMANDS])
    await start_monitoring(application)
    watcher: KnowledgeWatcher = application.bot_data["watcher"]
    application.bot_data["watch_task"] = asyncio.create_task(watch_knowledge(application))
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        asyncio.get_running_loop().add_signal_handler(
            signal.SIGHUP, lambda: asyncio.ensure_future(asyncio.to_thread(watcher.reload)))


async def shut_down(application: Application) -> None:
    """Stop watching and close the store once the last reply has gone."""
    await stop_monitoring(application)
    task = application.bot_data.pop("watch_task", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
    store = application.bot_data.get("store")
    if store is not None:
        store.close()


def build_application(responder: Responder, config: Config, token: str,
                      store: Store | None = None) -> Application:
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
        .request(CountedRequest(connection_pool_size=CONCURRENT_UPDATES))
        .get_updates_request(CountedRequest(connection_pool_size=1))
        .post_init(start_up)
        .post_shutdown(shut_down)
        .build()
    )
    application.bot_data["watcher"] = KnowledgeWatcher(responder, config)
    application.bot_data["store"] = store
    application.bot_data["flood"] = FloodGate(config.telegram.flood_burst, config.telegram.flood_per_minute)
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(CommandHandler("topics", topics))
    application.add_handler(CommandHandler("about", about))
    application.add_handler(CommandHandler("privacy", privacy))
    application.add_handler(CommandHandler("forget", forget))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(InlineQueryHandler(on_inline_query))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(MessageHandler(~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL,
                                           on_other_message))
    application.add_error_handler(on_error)
    instrument(application, config)
    return application


def run_telegram(responder: Responder, config: Config, token: str, store: Store | None) -> None:
    """Serve until SIGINT or SIGTERM, by long polling or, from config, a webhook."""
    application = build_application(responder, config, token, store)
    telegram = config.telegram
    log.info("starting the Telegram bot (%s), %d entries", telegram.mode, len(responder.knowledge.entries))
    if telegram.mode == "webhook":
        webhook = telegram.webhook
        application.run_webhook(listen=webhook.listen, port=webhook.port,
                                url_path=urlsplit(webhook.url).path.lstrip("/"),
                                webhook_url=webhook.url, secret_token=webhook.secret_token,
                                allowed_updates=Update.ALL_TYPES)
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
