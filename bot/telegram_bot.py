"""The Telegram channel: turns updates into text for the core and renders its replies.

The only module that imports telegram. No matching happens here: every decision is the
Responder's; this module lays replies out as HTML with buttons.
"""

from __future__ import annotations

import html
import logging
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from telegram import (BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResultArticle,
                      InputTextMessageContent, Message, MessageEntity, Update)
from telegram.constants import ChatType, MessageLimit, ParseMode
from telegram.error import Forbidden
from telegram.ext import (AIORateLimiter, Application, ApplicationBuilder, CallbackQueryHandler,
                          CommandHandler, ContextTypes, InlineQueryHandler, MessageHandler, filters)

from .config import Config
from .knowledge import TOPICS
from .responder import ANSWER, CLARIFY, URGENT, Reply, Responder

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
)
TEXT_ONLY = "I can only read text messages. Please type your question about buttock cramps."
EXPIRED = "This button has expired. Here are the topics again."


@dataclass(frozen=True)
class Action:
    """What a button asks for, parsed from its callback data: `v1|a|cause-nerve`."""

    kind: str  # a: answer an entry, t: list a topic, m: the topic menu, n: none of these
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
    if kind == "a" and value in responder.knowledge.entries:
        return Action(kind, value)
    if kind == "t" and value in TOPICS and responder.knowledge.entries_of_topic(value):
        return Action(kind, value)
    if kind in ("m", "n") and not value:
        return Action(kind)
    return None


def topic_menu(responder: Responder) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(label, callback_data=Action("t", topic).encode())]
        for topic, label in TOPICS.items() if responder.knowledge.entries_of_topic(topic)])


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


def render_keyboard(reply: Reply, responder: Responder) -> InlineKeyboardMarkup | None:
    if reply.kind == URGENT:
        return None  # nothing that distracts from the urgent text
    if reply.kind == CLARIFY:
        none = InlineKeyboardButton("None of these", callback_data=Action("n").encode())
        return entry_buttons([(s.entry_id, s.title) for s in reply.suggestions], [none])
    if reply.kind == ANSWER:
        return entry_buttons([(s.entry_id, s.title) for s in reply.related])
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


async def send_reply(message: Message, reply: Reply, responder: Responder) -> None:
    """Send a reply in as many messages as it needs; the buttons go under the last one."""
    pieces = split_text(render_html(reply))
    keyboard = render_keyboard(reply, responder)
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        await message.reply_text(piece, parse_mode=ParseMode.HTML,
                                 reply_markup=keyboard if last else None,
                                 do_quote=False)


def responder_of(context: ContextTypes.DEFAULT_TYPE) -> Responder:
    return context.bot_data["responder"]


def log_outcome(update: Update, reply: Reply | None, started: float, outcome: str = "") -> None:
    """One line per update, without message text: the update id, outcome, entry, score, time."""
    elapsed = (time.perf_counter() - started) * 1000
    if reply is None:
        log.info("update %s outcome=%s ms=%.1f", update.update_id, outcome, elapsed)
        return
    log.info("update %s outcome=%s entry=%s score=%.2f ms=%.1f", update.update_id, reply.kind,
             reply.entry_id or reply.red_flag or "-", reply.score, elapsed)


def is_group(update: Update) -> bool:
    """Groups and channels: the bot speaks there only when spoken to."""
    chat = update.effective_chat
    return chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP, ChatType.CHANNEL)


def addressed_text(message: Message, bot_id: int, username: str) -> str | None:
    """In a group, the text meant for the bot (its mention removed), or None when not for it."""
    text = message.text or ""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
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
    responder = responder_of(context)
    reply = responder.respond(text)
    await send_reply(message, reply, responder)
    log_outcome(update, reply, started)


async def on_other_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Photos, stickers, voice and the like: say that only text can be read."""
    started = time.perf_counter()
    message = update.effective_message
    if message is None:
        return
    if is_group(update):
        replied = message.reply_to_message
        if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
            log_outcome(update, None, started, "ignored-group")
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
        await send_reply(message, reply, responder)
        log_outcome(update, reply, started)
    elif action.kind == "t":
        entries = [(entry.id, entry.title) for entry in responder.knowledge.entries_of_topic(action.value)]
        back = InlineKeyboardButton("\u00ab All topics", callback_data=Action("m").encode())
        await message.edit_text(f"{TOPICS[action.value]}: pick a question.",
                                reply_markup=entry_buttons(entries, [back]))
        log_outcome(update, None, started, "topic")
    elif action.kind == "m":
        await message.edit_text("Pick a topic:", reply_markup=topic_menu(responder))
        log_outcome(update, None, started, "menu")
    else:
        reply = responder.none_of_these()
        await send_reply(message, reply, responder)
        log_outcome(update, reply, started)


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
    log.info("update %s outcome=inline results=%d ms=%.1f", update.update_id, len(results),
             (time.perf_counter() - started) * 1000)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log and carry on: one failed update must never stop the bot."""
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(context.error, Forbidden):
        log.info("update %s: the person blocked the bot or left the chat", update_id)
        return
    log.error("update %s failed", update_id, exc_info=context.error)


async def register_commands(application: Application) -> None:
    """Show the bot's commands in Telegram's menu."""
    await application.bot.set_my_commands([BotCommand(name, text) for name, text in COMMANDS])


def build_application(responder: Responder, config: Config, token: str) -> Application:
    """The one factory for `python -m bot run` and the tests."""
    base_url = config.telegram.base_url
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_url.replace("/bot", "/file/bot", 1))
        .rate_limiter(AIORateLimiter())
        .concurrent_updates(True)
        .post_init(register_commands)
        .build()
    )
    application.bot_data["responder"] = responder
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(CommandHandler("topics", topics))
    application.add_handler(CommandHandler("about", about))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(InlineQueryHandler(on_inline_query))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(MessageHandler(~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL,
                                           on_other_message))
    application.add_error_handler(on_error)
    return application


def run_telegram(responder: Responder, config: Config, token: str) -> None:
    """Serve until SIGINT or SIGTERM, by long polling or, from config, a webhook."""
    application = build_application(responder, config, token)
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
