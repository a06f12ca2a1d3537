"""How a Reply looks on Telegram: HTML, buttons, inline results, and pieces of at most 4,096.

Telegram shows at most 4,096 characters a message; a longer reply goes in several messages, and
every one of them ends with the disclaimer, because any piece may be the one a person reads.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResultArticle, InputTextMessageContent
from telegram.constants import MessageLimit, ParseMode

from .buttons import ANSWER as ANSWER_ENTRY
from .buttons import ARTICLE, HELPED, MENU, NONE_OF_THESE, NOT_HELPED, TOPIC, Action
from .knowledge import TOPICS
from .responder import ANSWER, CLARIFY, URGENT, Reply, Responder

URGENT_TITLE = "Please get help now"
INLINE_DESCRIPTION = 100
PARAGRAPH = "\n\n"


def escape(text: str) -> str:
    """Text safe inside Telegram HTML; quotes need no escaping outside attributes."""
    return html.escape(text, quote=False)


def topic_menu(responder: Responder, article: str | None = None) -> InlineKeyboardMarkup:
    """The topics; with several articles, first one button per article."""
    articles = responder.knowledge.articles
    if article is None and len(articles) > 1:
        return InlineKeyboardMarkup([[InlineKeyboardButton(a.title, callback_data=Action(ARTICLE, a.key).encode())]
                                     for a in articles])
    key = article or articles[0].key
    rows = [[InlineKeyboardButton(label, callback_data=Action(TOPIC, f"{topic}/{key}").encode())]
            for topic, label in TOPICS.items() if responder.knowledge.entries_of_topic(topic, key)]
    if len(articles) > 1:
        rows.append([InlineKeyboardButton("\u00ab All articles", callback_data=Action(MENU).encode())])
    return InlineKeyboardMarkup(rows)


def entry_buttons(entries: list[tuple[str, str]], extra: list[InlineKeyboardButton] | None = None
                  ) -> InlineKeyboardMarkup | None:
    """One button per (entry id, title), and an optional last row."""
    rows = [[InlineKeyboardButton(title, callback_data=Action(ANSWER_ENTRY, entry_id).encode())]
            for entry_id, title in entries]
    if extra:
        rows.append(extra)
    return InlineKeyboardMarkup(rows) if rows else None


def render_html(reply: Reply) -> str:
    """The reply as Telegram HTML: question in bold, answer, disclaimer in italics."""
    return render_pieces(reply, limit=None)[0]


def render_pieces(reply: Reply, limit: int | None = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """The reply as HTML messages of at most `limit` shown characters, each ending with the disclaimer.

    The heading goes on the first piece only; the body is cut between paragraphs, lines or words.
    """
    footer = f"{PARAGRAPH}<i>{escape(reply.disclaimer)}</i>" if reply.disclaimer else ""
    heading = f"<b>{escape(reply.heading)}</b>{PARAGRAPH}" if reply.heading else ""
    if limit is None:
        return [heading + escape(reply.body) + footer]
    # Telegram counts the text as shown: tags removed and entities decoded, so count the plain parts.
    footer_length = len(PARAGRAPH) + len(reply.disclaimer) if reply.disclaimer else 0
    heading_length = len(reply.heading) + len(PARAGRAPH) if reply.heading else 0
    budget = limit - footer_length - heading_length
    if budget < 1:
        raise ValueError("the disclaimer and heading leave no room for the reply")
    bodies = split_text(reply.body, budget)
    return [(heading if index == 0 else "") + escape(body) + footer for index, body in enumerate(bodies)]


def render_keyboard(reply: Reply, responder: Responder, outcome_id: int | None = None
                    ) -> InlineKeyboardMarkup | None:
    """Buttons under a reply; an answer that will be recorded also gets 👍 / 👎."""
    if reply.kind == URGENT:
        return None  # nothing that distracts from the urgent text
    if reply.kind == CLARIFY:
        none = InlineKeyboardButton("None of these", callback_data=Action(NONE_OF_THESE).encode())
        return entry_buttons([(s.entry_id, s.title) for s in reply.suggestions], [none])
    if reply.kind == ANSWER:
        feedback = None
        if outcome_id is not None:
            feedback = [InlineKeyboardButton("\U0001F44D", callback_data=Action(HELPED, str(outcome_id)).encode()),
                        InlineKeyboardButton("\U0001F44E", callback_data=Action(NOT_HELPED, str(outcome_id)).encode())]
        return entry_buttons([(s.entry_id, s.title) for s in reply.related], feedback)
    return topic_menu(responder) if reply.show_topics else None


def render_inline_results(replies: list[Reply]) -> list[InlineQueryResultArticle]:
    """Inline-mode results, one per reply, each a whole reply with its disclaimer."""
    return [
        InlineQueryResultArticle(
            id=reply.entry_id or reply.red_flag or reply.kind,
            title=reply.heading or (URGENT_TITLE if reply.kind == URGENT else reply.body[:INLINE_DESCRIPTION]),
            description=reply.body[:INLINE_DESCRIPTION],
            input_message_content=InputTextMessageContent(render_pieces(reply)[0], parse_mode=ParseMode.HTML))
        for reply in replies]


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Pieces of at most `limit` characters, cut between paragraphs, then lines, then words."""
    if len(text) <= limit:
        return [text]
    for separator in (PARAGRAPH, "\n", " "):
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
