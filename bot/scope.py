"""What the articles do not cover, from knowledge/not-covered.yaml: an honest "I don't have
information on that" instead of a related answer that could read as advice or a diagnosis."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .errors import KnowledgeError
from .safety import (
    Term,
    expand_choices,
    find_covered,
    find_term_starts,
    parse_rule,
    parse_term,
)
from .vocabulary import NEGATIONS, Vocabulary, split_words
from .yamlfile import Checker, Sequence

_SENTENCE_END = re.compile(r"(?:(?<!\d)\.|\.(?!\d)|[!?;\n])+")
REACHES = ("message", "question")


@dataclass(frozen=True)
class Uncovered:
    """One thing no article covers; `unless` terms put a message back in scope."""

    topic: str
    rules: tuple[tuple[tuple[Term, ...], ...], ...]
    unless: tuple[Term, ...] = ()
    # "message": anywhere in it ("I'm pregnant, why do my glutes cramp?"); "question": only in
    # what is asked, not the story before it ("tried ibuprofen, no help. What causes this?").
    reach: str = "question"

    def is_asked_in(self, sentences: list[list[str]], everything: list[str]) -> bool:
        if self.unless and _said(self.unless, everything):
            return False
        return any(all(find_covered(group, sentence) for group in rule)
                   for rule in self.rules for sentence in sentences)


def _said(terms: tuple[Term, ...], words: list[str]) -> bool:
    """Whether a term occurs other than denied: "the back of my thigh, not the bum" names no bum."""
    return any(NEGATIONS.isdisjoint(words[max(0, start - 2):start])
               for found in find_term_starts(words, terms).values() for start in found)


@dataclass(frozen=True)
class Scope:
    uncovered: tuple[Uncovered, ...] = ()
    # Messages people sent that no article answers, though in the articles' words: they teach the
    # intent model what to leave alone.
    examples: tuple[str, ...] = ()

    def find_uncovered(self, text: str, question: str, vocabulary: Vocabulary) -> Uncovered | None:
        """The first thing the message (or its `question` part) is about that no article covers."""
        if not self.uncovered:
            return None
        readings = {}
        for reach, part in (("message", text), ("question", question)):
            sentences = [vocabulary.expand_contractions(split_words(piece)) for piece in _SENTENCE_END.split(part)]
            readings[reach] = (sentences, [word for sentence in sentences for word in sentence])
        _, everything = readings["message"]
        return next((topic for topic in self._plausible(everything)
                     if topic.is_asked_in(readings[topic.reach][0], everything)), None)

    def _plausible(self, words: list[str]) -> list[Uncovered]:
        """The topics with a term of each group of a rule somewhere in the words, found in one pass
        for every topic's terms; only these are then read sentence by sentence."""
        present = set(find_term_starts(words, self._terms))
        if not present:
            return []
        return [topic for topic in self.uncovered
                if any(all(present.intersection(group) for group in rule) for rule in topic.rules)]

    @cached_property
    def _terms(self) -> tuple[Term, ...]:
        return tuple(dict.fromkeys(term for topic in self.uncovered for rule in topic.rules
                                   for group in rule for term in group))

    def without_covered(self, questions: list[str], vocabulary: Vocabulary) -> Scope:
        """Only the topics no article answers: once an article on strains is added, a question
        about a strain is its to answer, whatever not-covered.yaml still lists."""
        covered = {topic for topic, _ in self.find_covered_topics(questions, vocabulary)}
        return Scope(tuple(topic for topic in self.uncovered if topic not in covered), self.examples)

    def find_covered_topics(self, questions: list[str], vocabulary: Vocabulary) -> list[tuple[Uncovered, str]]:
        """Each topic an article's question asks, with the first such question. `check` warns of
        them: a topic too wide ("how many glasses" for water) is silently answered instead."""
        first_asked: dict[Uncovered, str] = {}
        for question in questions:
            words = vocabulary.expand_contractions(split_words(question))
            for topic in self._plausible(words):
                if topic not in first_asked and topic.is_asked_in([words], words):
                    first_asked[topic] = question
        return [(topic, first_asked[topic]) for topic in self.uncovered if topic in first_asked]


def parse_scope(data: object, path: Path) -> tuple[Scope, list[KnowledgeError]]:
    checker = Checker(path, KnowledgeError)
    root = checker.mapping(data, 1, "the not-covered file")
    if root is None:
        return Scope(), checker.errors  # type: ignore[return-value]
    checker.keys(root, {"not_covered"}, {"examples"}, "the not-covered file")
    examples = tuple(checker.text_list(root, "examples", "the not-covered file"))
    items = root.get("not_covered")
    if not isinstance(items, Sequence):
        checker.fail("`not_covered` should be a list", root.line_of("not_covered"),
                     "list the topics as `- topic: ...` items")
        return Scope(examples=examples), checker.errors  # type: ignore[return-value]
    found = []
    for index, item in enumerate(items):
        what = f"not-covered topic {index + 1}"
        entry = checker.mapping(item, items.line_of(index), what)
        if entry is None:
            continue
        checker.keys(entry, {"topic", "match"}, {"unless", "reach"}, what)
        reach = entry.get("reach", "question")
        if reach not in REACHES:
            checker.fail(f"`reach` of {what} should be one of: {', '.join(REACHES)}", entry.line_of("reach"),
                         "write `reach: message` or `reach: question`")
            reach = "question"
        topic = checker.text(entry, "topic", what) or ""
        rules = []
        for rule in checker.text_list(entry, "match", what, 1):
            parsed = parse_rule(rule)
            if not all(parsed):
                checker.fail(f"a rule of {what} has an empty group", entry.line_of("match"),
                             "write terms on both sides of every `+` and `|`")
                continue
            rules.append(parsed)
        unless = tuple(term for text in checker.text_list(entry, "unless", what)
                       for phrase in expand_choices(text) if (term := parse_term(phrase)))
        found.append(Uncovered(topic, tuple(rules), unless, reach))
    return Scope(tuple(found), examples), checker.errors  # type: ignore[return-value]
