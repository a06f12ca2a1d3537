"""The decision for one message (answer, clarify, fallback, urgent, smalltalk) and its reply.

Pure and synchronous: a message in, a Reply out. Every channel renders the same Reply.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .config import Config
from .knowledge import TOPICS, Entry, Knowledge
from .matcher import Match, Matcher
from .safety import find_red_flag
from .vocabulary import split_words

ANSWER, CLARIFY, FALLBACK, URGENT, SMALLTALK = "answer", "clarify", "fallback", "urgent", "smalltalk"
KINDS = (ANSWER, CLARIFY, FALLBACK, URGENT, SMALLTALK)
# Kinds that speak about health and so end with the disclaimer.
HEALTH_KINDS = (ANSWER, CLARIFY, FALLBACK, URGENT)
# A message longer than this is not read whole: matching a page of text helps nobody.
MAX_MESSAGE_CHARS = 4096


@dataclass(frozen=True)
class Suggestion:
    entry_id: str
    title: str


@dataclass(frozen=True)
class Reply:
    """What the bot says, in parts, so each channel can lay it out in its own way."""

    kind: str
    body: str
    heading: str = ""
    entry_id: str | None = None
    score: float = 0.0
    suggestions: tuple[Suggestion, ...] = ()
    related: tuple[Suggestion, ...] = ()
    show_topics: bool = False
    disclaimer: str = ""
    red_flag: str | None = None
    topics: tuple[str, ...] = field(default=(), repr=False)

    @property
    def text(self) -> str:
        """The whole reply as plain text, disclaimer last."""
        parts = [self.heading, self.body]
        if self.suggestions:
            parts.append("\n".join(f"- {suggestion.title}" for suggestion in self.suggestions))
        if self.show_topics and self.topics:
            parts.append("Topics: " + ", ".join(self.topics))
        parts.append(self.disclaimer)
        return "\n\n".join(part for part in parts if part)


class Responder:
    """Turns a message into a Reply; build once, call `respond` for every message."""

    def __init__(self, knowledge: Knowledge, config: Config) -> None:
        self.knowledge = knowledge
        self.config = config
        self.matcher = Matcher(knowledge)
        self.topics = tuple(TOPICS[topic] for topic in TOPICS if knowledge.entries_of_topic(topic))
        self.subject = " and ".join(article.title[:1].lower() + article.title[1:]
                                    for article in knowledge.articles)

    def respond(self, text: str) -> Reply:
        text = text[:MAX_MESSAGE_CHARS]
        urgent = self._urgent(text)
        if urgent is not None:
            return urgent
        words = split_words(text)
        if not words:
            return self._fallback("I didn't catch a question there.")
        intent = self.knowledge.smalltalk.find_intent(words)
        if intent is not None:
            return Reply(SMALLTALK, intent.reply, show_topics=intent.show_topics, topics=self.topics)
        return self._decide_match(self._match_words(words))

    def _urgent(self, text: str) -> Reply | None:
        flag = find_red_flag(text, self.knowledge.red_flags, self.knowledge.vocabulary)
        if flag is None:
            return None
        texts = self.config.texts
        body = texts.crisis if flag.kind == "crisis" else texts.emergency
        return Reply(URGENT, body, red_flag=flag.id, disclaimer=texts.disclaimer)

    def _match_words(self, words: list[str]) -> Match:
        return self.matcher.match_stems(self.matcher.stems_of(self.knowledge.smalltalk.strip_opening(words)))

    def _decide_match(self, match: Match) -> Reply:
        settings = self.config.matching
        best = match.best
        if best is None or not match.in_domain or match.coverage < settings.min_coverage or best.score < settings.clarify_score:
            return self._fallback("Sorry, I can't answer that one.")
        rivals = [candidate for candidate in match.candidates[1:]
                  if best.score - candidate.score < settings.answer_margin]
        # A close rival that the editors linked to the best entry is one tap away under the answer.
        linked = self.knowledge.entries[best.entry_id].related
        sure = (best.score >= settings.answer_score and best.coverage >= settings.min_entry_coverage
                and best.recall >= settings.min_recall and match.evidence >= settings.min_evidence)
        if sure and all(rival.entry_id in linked for rival in rivals):
            return self.answer(best.entry_id, best.score)
        close = [candidate for candidate in match.candidates
                 if candidate.score >= max(settings.clarify_score, best.score - 2 * settings.answer_margin)]
        suggestions = tuple(self._suggest(candidate.entry_id)
                            for candidate in close[:settings.max_suggestions])
        return Reply(CLARIFY, "I'm not sure I understood. Did you mean:", score=best.score,
                     suggestions=suggestions, disclaimer=self.config.texts.disclaimer)

    def search(self, text: str, limit: int) -> list[Reply]:
        """Up to `limit` answers for a search box (Telegram's inline mode), best first.

        A red flag gives only the urgent reply. A search term may be one word ("causes"), so the
        subject's words need not appear, but words the knowledge base doesn't know give nothing.
        """
        text = text[:MAX_MESSAGE_CHARS]
        urgent = self._urgent(text)
        if urgent is not None:
            return [urgent]
        match = self._match_words(split_words(text))
        if match.coverage < self.config.matching.min_coverage:
            return []
        return [self.answer(candidate.entry_id, candidate.score)
                for candidate in match.candidates[:limit]
                if candidate.score >= self.config.matching.clarify_score]

    def _suggest(self, entry_id: str) -> Suggestion:
        return Suggestion(entry_id, self.knowledge.entries[entry_id].title)

    def answer(self, entry_id: str, score: float = 1.0) -> Reply:
        """The reply for one entry; channels call it directly for a button press."""
        entry: Entry = self.knowledge.entries[entry_id]
        related = tuple(self._suggest(related) for related in entry.related)
        return Reply(ANSWER, entry.answer, heading=entry.title, entry_id=entry.id, score=score,
                     related=related, disclaimer=self.config.texts.disclaimer)

    def none_of_these(self) -> Reply:
        """After "None of these" under a "Did you mean": say what the bot covers."""
        return self._fallback("Sorry I couldn't find the right answer.")

    def _fallback(self, opening: str) -> Reply:
        body = (f"{opening} I can only answer questions about {self.subject}. "
                "Try asking in other words, or pick one of the topics.")
        return Reply(FALLBACK, body, show_topics=True, topics=self.topics,
                     disclaimer=self.config.texts.disclaimer)
