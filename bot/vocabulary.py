"""The words the matcher knows beyond the questions: contractions, stop words, lay synonyms."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .errors import KnowledgeError
from .yamlfile import Checker, Mapping

# Words that deny what follows them, and words that end a negation's reach ("no cramps but ...").
NEGATIONS = frozenset({"no", "not", "never", "without", "nor", "neither", "none"})
CLAUSE_BREAKS = frozenset({"but", "and", "although", "though", "however", "yet", "except", "now",
                           "just", "only"})
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def split_words(text: str) -> list[str]:
    """Lowercase words of a message, apostrophes kept inside words ("what's"), the rest dropped."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).translate(_QUOTES).lower()
    return _WORD.findall(text)


def longest_by_first_word(phrases: dict[tuple[str, ...], list[str]]) -> dict[str, int]:
    """For each word that starts a phrase, the length of the longest phrase it starts."""
    longest: dict[str, int] = {}
    for phrase in phrases:
        longest[phrase[0]] = max(longest.get(phrase[0], 0), len(phrase))
    return longest


def replace_phrases(words: list[str], phrases: dict[tuple[str, ...], list[str]],
                    longest: dict[str, int]) -> list[str]:
    """Replace word sequences by their substitutes, longest match first, left to right."""
    result: list[str] = []
    index = 0
    while index < len(words):
        for size in range(min(longest.get(words[index], 0), len(words) - index), 0, -1):
            substitute = phrases.get(tuple(words[index:index + size]))
            if substitute is not None:
                result.extend(substitute)
                index += size
                break
        else:
            result.append(words[index])
            index += 1
    return result


@dataclass(frozen=True)
class Vocabulary:
    """Language data from knowledge/vocabulary.yaml; editors extend it without touching code."""

    contractions: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    stop_words: frozenset[str] = frozenset()
    question_words: frozenset[str] = frozenset()
    synonyms: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    domain_words: frozenset[str] = frozenset()
    filler_words: frozenset[str] = frozenset()
    broader: dict[str, str] = field(default_factory=dict)
    lay_words: dict[str, str] = field(default_factory=dict)

    @cached_property
    def _longest_contraction(self) -> dict[str, int]:
        return longest_by_first_word(self.contractions)

    @cached_property
    def _longest_synonym(self) -> dict[str, int]:
        return longest_by_first_word(self.synonyms)

    def expand_contractions(self, words: list[str]) -> list[str]:
        """Spell out "what's", "cant", "can not"; then drop leftover apostrophes ("glute's")."""
        expanded = replace_phrases(words, self.contractions, self._longest_contraction)
        return [part for word in expanded for part in word.replace("'", "").split() if part]

    def apply_synonyms(self, words: list[str]) -> list[str]:
        """Canonical words for lay ones, each followed by its broader word if it has one."""
        words = [word for word in words if word not in self.filler_words]
        canonical = replace_phrases(words, self.synonyms, self._longest_synonym)
        return [added for word in canonical
                for added in ((word, self.broader[word]) if word in self.broader else (word,))]

    def known_words(self) -> set[str]:
        """Every word this file mentions: the targets of typo repair besides the questions.

        Not the short spellings of `contractions` ("shld", "wen"): they are spelled out before
        repair, and a typo repaired into one would stay unread.
        """
        words = (set(self.stop_words) | self.question_words | self.domain_words | self.filler_words
                 | set(self.broader) | set(self.broader.values()))
        for spelled in self.contractions.values():
            words.update(spelled)
        for variant, canonical in self.synonyms.items():
            words.update(variant)
            words.update(canonical)
        return {word for word in words if "'" not in word}


def _word_table(checker: Checker, root: Mapping, key: str, example: str) -> dict[str, str]:
    """A `word: word` mapping of the vocabulary file, lowercased."""
    table = root.get(key, Mapping())
    words: dict[str, str] = {}
    if checker.mapping(table, root.line_of(key), key) is None:
        return words
    for word, other in table.items():
        if not isinstance(other, str) or not other.strip():
            checker.fail(f"the `{key}` entry of {word!r} has no word", table.line_of(word), f"write `{example}`")
            continue
        words[str(word).lower()] = other.strip().lower()
    return words


def parse_vocabulary(data: object, path: Path) -> tuple[Vocabulary, list[KnowledgeError]]:
    checker = Checker(path, KnowledgeError)
    root = checker.mapping(data, 1, "the vocabulary file")
    if root is None:
        return Vocabulary(), checker.errors  # type: ignore[return-value]
    checker.keys(root, set(), {"contractions", "filler_words", "stop_words", "question_words", "synonyms",
                  "domain_words", "broader", "lay_words"},
                 "the vocabulary file")
    contractions: dict[tuple[str, ...], list[str]] = {}
    table = root.get("contractions", Mapping())
    if checker.mapping(table, root.line_of("contractions"), "contractions") is not None:
        for written, spelled in table.items():
            if not isinstance(spelled, str) or not spelled.strip():
                checker.fail(f"the contraction {written!r} has no expansion",
                             table.line_of(written), "write `whats: what is`")
                continue
            contractions[tuple(str(written).lower().split())] = spelled.lower().split()
    synonyms: dict[tuple[str, ...], list[str]] = {}
    groups = root.get("synonyms", Mapping())
    if checker.mapping(groups, root.line_of("synonyms"), "synonyms") is not None:
        for canonical in groups:
            variants = checker.text_list(groups, canonical, f"the synonyms of {canonical!r}", 1)
            for variant in variants:
                key = tuple(split_words(variant))
                if key in synonyms and synonyms[key] != split_words(str(canonical)):
                    checker.fail(f"{variant!r} is a synonym of both {synonyms[key][0]!r} and "
                                 f"{canonical!r}", groups.line_of(canonical),
                                 "keep it under one of them")
                synonyms[key] = split_words(str(canonical))
    stop_words = frozenset(w.lower() for w in checker.text_list(root, "stop_words", "the vocabulary file"))
    question_words = frozenset(
        w.lower() for w in checker.text_list(root, "question_words", "the vocabulary file"))
    domain_words = frozenset(
        w.lower() for w in checker.text_list(root, "domain_words", "the vocabulary file"))
    filler_words = frozenset(
        w.lower() for w in checker.text_list(root, "filler_words", "the vocabulary file"))
    broader = _word_table(checker, root, "broader", "running: exercise")
    lay_words = _word_table(checker, root, "lay_words", "gluteal: butt")
    vocabulary = Vocabulary(contractions, stop_words, question_words, synonyms, domain_words,
                            filler_words, broader, lay_words)
    return vocabulary, checker.errors  # type: ignore[return-value]
