"""How a Reply looks on Telegram: HTML, buttons, inline results, and pieces of at most 4,096.

Telegram shows at most 4,096 characters a message; a longer reply goes in several messages, and
every one of them ends with the disclaimer, because any piece may be the one a person reads.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResultArticle, InputTextMessageContent
from telegram.constants import MessageLimit, ParseMode

from .buttons import ANSWER as ANSWER_ENTRY
from .buttons import ARTICLE, HELPED, MENU, NONE_OF_THESE, NOT_HELPED, TALK, TOPIC, Action
from .knowledge import TOPICS
from .responder import ANSWER, CLARIFY, FALLBACK, URGENT, Reply, Responder

URGENT_TITLE = "Please get help now"
TALK_LABEL = "Talk to a person"
INLINE_DESCRIPTION = 100
PARAGRAPH = "\n\n"
# A message part shorter than this is not worth starting: the text moves to the next message.
MIN_FILL = 200


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

    Each message is filled: a paragraph that does not fit is cut between lines or words, and a
    question never ends a message without the start of its answer.
    """
    footer = [f"<i>{escape(reply.disclaimer)}</i>"] if reply.disclaimer else []
    paragraphs = reply.paragraphs  # each answer's question in bold
    pieces = [paragraphs] if limit is None else pack_paragraphs(
        paragraphs, limit - (len(PARAGRAPH) + len(reply.disclaimer) if reply.disclaimer else 0))
    return [PARAGRAPH.join([f"<b>{escape(text)}</b>" if bold else escape(text) for text, bold in piece] + footer)
            for piece in pieces]


def pack_paragraphs(paragraphs: list[tuple[str, bool]], budget: int) -> list[list[tuple[str, bool]]]:
    """Paragraphs in pieces of at most `budget` characters (counting the breaks between them)."""
    if budget < MIN_FILL:
        raise ValueError("the disclaimer leaves no room for the reply")
    pieces: list[list[tuple[str, bool]]] = [[]]
    used = 0
    for index, (text, bold) in enumerate(paragraphs):
        following = paragraphs[index + 1][0] if bold and index + 1 < len(paragraphs) else ""
        while text:
            room = budget - used - (len(PARAGRAPH) if pieces[-1] else 0)
            # A question keeps the start of its answer with it.
            wanted = len(text) + (len(PARAGRAPH) + min(len(following), MIN_FILL) if following else 0)
            if wanted <= room:
                part, text = text, ""
            elif not bold and room >= MIN_FILL:
                part = split_text(text, room)[0]
                text = text[len(part):].lstrip()
            elif pieces[-1]:
                pieces.append([])
                used = 0
                continue
            else:
                part = split_text(text, budget)[0]
                text = text[len(part):].lstrip()
            if not part:  # text opening with a break: cut it hard rather than loop
                part, text = text[:max(room, MIN_FILL)], text[max(room, MIN_FILL):]
            used = used + (len(PARAGRAPH) if pieces[-1] else 0) + len(part)
            pieces[-1].append((part, bold))
    return pieces


def talk_button() -> InlineKeyboardButton:
    return InlineKeyboardButton(TALK_LABEL, callback_data=Action(TALK).encode())


def render_keyboard(reply: Reply, responder: Responder, outcome_id: int | None = None,
                    talk: bool = False) -> InlineKeyboardMarkup | None:
    """Buttons under a reply; an answer that will be recorded also gets 👍 / 👎, and with `talk` a
    fallback offers "Talk to a person"."""
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
    menu = topic_menu(responder) if reply.show_topics else None
    if talk and reply.kind == FALLBACK:
        return InlineKeyboardMarkup([*(menu.inline_keyboard if menu else ()), [talk_button()]])
    return menu


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
