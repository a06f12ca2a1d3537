"""Small talk: greetings, thanks, goodbyes and questions about the bot, from knowledge/smalltalk.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rapidfuzz import fuzz, process

from .errors import KnowledgeError
from .vocabulary import split_words
from .yamlfile import Checker

# A letter typed three or more times in a row: "hiii", "byeee".
_DRAWN_OUT = re.compile(r"(.)\1{2,}")
# How close a whole message must be to a phrase to count as small talk (rapidfuzz ratio, 0-100).
_SIMILARITY = 88
# Small talk is short; a longer message is a question, however it starts.
_LONGEST_SMALLTALK = 60
# Words that thank whatever else a short message says: "lol fine. thanks", "thank you very much my
# friend", "ok that worked thanks" (the responder first rules out a question or a subject).
# Not "helped" nor "appreciate": "would a sports drink have helped", "I'd appreciate any tips".
_GRATITUDE = frozenset({"thanks", "thank", "thx", "thanx", "tnx", "ty", "cheers", "appreciated", "gracias", "danke",
                        "merci", "shukriya", "dhanyavad", "salamat"})
_LONGEST_THANKS = 10
# What a message says last decides it ("ok bye" is goodbye), unless it is only a greeting or thanks;
# these also open a question without being answered ("hi, why do my glutes cramp").
_SOFT_INTENTS = ("greeting", "thanks")


@dataclass(frozen=True)
class Intent:
    name: str
    phrases: tuple[str, ...]
    reply: str
    show_topics: bool


@dataclass(frozen=True)
class SmallTalk:
    intents: tuple[Intent, ...] = ()
    # Words that say nothing of their own around a phrase ("cheers *mate*", "thanks *a lot*").
    fillers: frozenset[str] = frozenset()

    @cached_property
    def _phrases(self) -> tuple[list[str], list[Intent]]:
        pairs = [(phrase, intent) for intent in self.intents for phrase in intent.phrases]
        return [phrase for phrase, _ in pairs], [intent for _, intent in pairs]

    @cached_property
    def _intent_of_phrase(self) -> dict[tuple[str, ...], Intent]:
        return {tuple(phrase.split()): intent for intent in self.intents for phrase in intent.phrases}

    @cached_property
    def _openings(self) -> frozenset[tuple[str, ...]]:
        return frozenset(words for words, intent in self._intent_of_phrase.items() if intent.name in _SOFT_INTENTS)

    @cached_property
    def _longest_phrase(self) -> int:
        return max(map(len, self._intent_of_phrase), default=0)

    def find_intent(self, words: list[str]) -> Intent | None:
        """The intent the whole message says, allowing small typos ("thnks", "helo there") and
        several phrases with fillers between them ("thanks that helped a lot", "ok bye"), and
        drawn-out letters ("hiii", "byeee")."""
        words = [_DRAWN_OUT.sub(r"\1", word) for word in words]
        text = " ".join(words)
        if not text or len(text) > _LONGEST_SMALLTALK:
            return None
        phrases, intents = self._phrases
        best = process.extractOne(text, phrases, scorer=fuzz.ratio, score_cutoff=_SIMILARITY)
        return intents[best[2]] if best else self._intent_of_phrases(words)

    def _intent_of_phrases(self, words: list[str]) -> Intent | None:
        """The intent of a message made only of phrases and fillers, by what it says last."""
        said: list[Intent] = []
        start = 0
        while start < len(words):
            for size in range(min(self._longest_phrase, len(words) - start), 0, -1):
                intent = self._intent_of_phrase.get(tuple(words[start:start + size]))
                if intent is not None:
                    said.append(intent)
                    start += size
                    break
            else:
                if words[start] not in self.fillers:
                    return None
                start += 1
        if not said:
            return None
        firm = [intent for intent in said if intent.name not in _SOFT_INTENTS]
        return (firm or said)[-1]

    def find_thanks(self, words: list[str]) -> Intent | None:
        """The thanks intent for a short message that thanks, whatever else it says."""
        if len(words) > _LONGEST_THANKS or _GRATITUDE.isdisjoint(words):
            return None
        return next((intent for intent in self.intents if intent.name == "thanks"), None)

    def strip_opening(self, words: list[str]) -> list[str]:
        """Drop a greeting or thanks in front of a question: "hi, why do my glutes cramp"."""
        for size in range(min(4, len(words) - 1), 0, -1):
            if tuple(words[:size]) in self._openings:
                return words[size:]
        return words


def parse_smalltalk(data: object, path: Path) -> tuple[SmallTalk, list[KnowledgeError]]:
    checker = Checker(path, KnowledgeError)
    root = checker.mapping(data, 1, "the small talk file")
    if root is None:
        return SmallTalk(), checker.errors  # type: ignore[return-value]
    checker.keys(root, {"smalltalk"}, {"fillers"}, "the small talk file")
    table = checker.mapping(root.get("smalltalk"), root.line_of("smalltalk"), "`smalltalk`")
    intents: list[Intent] = []
    for name, value in (table or {}).items():
        intent = checker.mapping(value, table.line_of(name) if table else 1, f"the intent {name!r}")
        if intent is None:
            continue
        what = f"the intent {name!r}"
        checker.keys(intent, {"phrases", "reply"}, {"show_topics"}, what)
        phrases = tuple(" ".join(split_words(p)) for p in checker.text_list(intent, "phrases", what, 1))
        reply = checker.text(intent, "reply", what) or ""
        show_topics = intent.get("show_topics", False)
        if not isinstance(show_topics, bool):
            checker.fail(f"`show_topics` in {what} should be true or false",
                         intent.line_of("show_topics"), "write `show_topics: true` or remove it")
            show_topics = False
        intents.append(Intent(str(name), phrases, reply, show_topics))
    fillers = frozenset(word for filler in checker.text_list(root, "fillers", "the small talk file")
                        for word in split_words(filler))
    return SmallTalk(tuple(intents), fillers), checker.errors  # type: ignore[return-value]
