"""Red flags: emergency signs found before any matching, so they are never answered as an FAQ."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import KnowledgeError
from .vocabulary import CLAUSE_BREAKS, NEGATIONS, Vocabulary, split_words
from .yamlfile import Checker, Sequence

KINDS = ("emergency", "crisis")
_NEGATION_REACH = 3
# Words a negation reaches across without using up its reach: "without any numbness or tingling".
_LIST_WORDS = frozenset({"or", "nor", "any"})
_SENTENCE_END = re.compile(r"[.!?;\n]+")
# A term ending in * needs this many letters before the *, so the index can look it up.
_MIN_PREFIX = 3


@dataclass(frozen=True, eq=False)
class Term:
    """A word or phrase; `prefix` lets the last word end any way ("numb*")."""

    words: tuple[str, ...]
    prefix: bool

    def starts_at(self, words: list[str], index: int) -> bool:
        if index + len(self.words) > len(words):
            return False
        *whole, last = self.words
        if list(words[index:index + len(whole)]) != whole:
            return False
        word = words[index + len(whole)]
        return word.startswith(last) if self.prefix else word == last


@dataclass(frozen=True, eq=False)
class RedFlag:
    id: str
    kind: str
    label: str
    rules: tuple[tuple[tuple[Term, ...], ...], ...]
    negatable: bool = True

    def is_raised_by(self, sentence: list[str], starts: dict[Term, list[int]]) -> bool:
        """Whether every group of some rule has a term in the sentence that is not denied."""
        return any(all(self._group_found(group, sentence, starts) for group in rule) for rule in self.rules)

    def _group_found(self, group: tuple[Term, ...], sentence: list[str],
                     starts: dict[Term, list[int]]) -> bool:
        return any(not self._negated(sentence, index) for term in group for index in starts.get(term, ()))

    def _negated(self, sentence: list[str], index: int) -> bool:
        if not self.negatable:
            return False
        reach = _NEGATION_REACH
        for word in reversed(sentence[:index]):
            if word in CLAUSE_BREAKS or reach == 0:
                return False
            if word in NEGATIONS:
                return True
            if word not in _LIST_WORDS:
                reach -= 1
        return False


@dataclass(frozen=True)
class _TermIndex:
    exact: dict[str, list[Term]]  # terms by their first word
    prefixed: dict[str, list[Term]]  # one-word prefix terms by their first letters
    flags: dict[Term, list[RedFlag]]  # the flags that use a term


@lru_cache(maxsize=8)
def _index_terms(red_flags: tuple[RedFlag, ...]) -> _TermIndex:
    exact: dict[str, list[Term]] = defaultdict(list)
    prefixed: dict[str, list[Term]] = defaultdict(list)
    flags: dict[Term, list[RedFlag]] = defaultdict(list)
    for flag in red_flags:
        for rule in flag.rules:
            for group in rule:
                for term in group:
                    if term.prefix and len(term.words) == 1:
                        prefixed[term.words[0][:_MIN_PREFIX]].append(term)
                    else:
                        exact[term.words[0]].append(term)
                    if flag not in flags[term]:
                        flags[term].append(flag)
    return _TermIndex(dict(exact), dict(prefixed), dict(flags))


def find_term_starts(words: list[str], red_flags: tuple[RedFlag, ...]) -> dict[Term, list[int]]:
    """Where each term occurs: one pass over the words, whatever the number of terms."""
    index_of_terms = _index_terms(red_flags)
    starts: dict[Term, list[int]] = {}
    for index, word in enumerate(words):
        for table, key in ((index_of_terms.exact, word), (index_of_terms.prefixed, word[:_MIN_PREFIX])):
            for term in table.get(key, ()):
                if term.starts_at(words, index):
                    starts.setdefault(term, []).append(index)
    return starts


def find_red_flag(text: str, red_flags: tuple[RedFlag, ...], vocabulary: Vocabulary) -> RedFlag | None:
    """The first red flag the message raises, sentence by sentence, or None."""
    for sentence in _SENTENCE_END.split(text):
        words = vocabulary.expand_contractions(split_words(sentence))
        starts = find_term_starts(words, red_flags)
        if not starts:
            continue
        flags_of_term = _index_terms(red_flags).flags
        present = {flag for term in starts for flag in flags_of_term[term]}
        for flag in red_flags:  # in file order: the first flag listed wins
            if flag in present and flag.is_raised_by(words, starts):
                return flag
    return None


def _parse_rule(rule: str) -> tuple[tuple[Term, ...], ...]:
    groups = []
    for group in rule.split("+"):
        terms = []
        for alternative in group.split("|"):
            alternative = alternative.strip().lower()
            prefix = alternative.endswith("*")
            words = tuple(split_words(alternative.rstrip("*")))
            if words and not (prefix and len(words) == 1 and len(words[0]) < _MIN_PREFIX):
                terms.append(Term(words, prefix))
        groups.append(tuple(terms))
    return tuple(groups)


def parse_red_flags(data: object, path: Path) -> tuple[list[RedFlag], list[KnowledgeError]]:
    checker = Checker(path, KnowledgeError)
    root = checker.mapping(data, 1, "the red flags file")
    flags: list[RedFlag] = []
    if root is None:
        return flags, checker.errors  # type: ignore[return-value]
    checker.keys(root, {"red_flags"}, set(), "the red flags file")
    items = root.get("red_flags")
    if not isinstance(items, Sequence) or not items:
        checker.fail("`red_flags` should be a non-empty list", root.line_of("red_flags"),
                     "list the flags as `- id: ...` items")
        return flags, checker.errors  # type: ignore[return-value]
    seen: set[str] = set()
    for index, item in enumerate(items):
        flag = checker.mapping(item, items.line_of(index), f"red flag {index + 1}")
        if flag is None:
            continue
        checker.keys(flag, {"id", "kind", "label", "match"}, {"negatable"}, f"red flag {index + 1}")
        flag_id = checker.text(flag, "id", f"red flag {index + 1}") or f"#{index + 1}"
        what = f"red flag {flag_id!r}"
        if flag_id in seen:
            checker.fail(f"the id {flag_id!r} is used twice", flag.line_of("id"), "give it another id")
        seen.add(flag_id)
        kind = checker.text(flag, "kind", what)
        if kind is not None and kind not in KINDS:
            checker.fail(f"{what} has the unknown kind {kind!r}", flag.line_of("kind"),
                         f"use one of: {', '.join(KINDS)}")
        label = checker.text(flag, "label", what) or flag_id
        negatable = flag.get("negatable", True)
        if not isinstance(negatable, bool):
            checker.fail(f"`negatable` in {what} should be true or false", flag.line_of("negatable"),
                         "write `negatable: false` or remove the key")
            negatable = True
        rules = []
        for rule in checker.text_list(flag, "match", what, 1):
            parsed = _parse_rule(rule)
            if not all(parsed) or any(len(group) != len(raw.split("|"))
                                      for group, raw in zip(parsed, rule.split("+"))):
                checker.fail(f"a rule of {what} has an empty group or a too short term", flag.line_of("match"),
                             f"write terms on both sides of every `+` and `|`, and {_MIN_PREFIX} or "
                             "more letters before a `*`")
                continue
            rules.append(parsed)
        flags.append(RedFlag(flag_id, kind or "emergency", label, tuple(rules), negatable))
    return flags, checker.errors  # type: ignore[return-value]
