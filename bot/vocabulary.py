"""The words the matcher knows beyond the questions: contractions, stop words, lay synonyms.

`vocabulary.yaml` holds the language every article shares; an article's own words (the lay
words and synonyms of its subject) live beside it in `<article>.vocabulary.yaml`, and all of
them are combined into the one vocabulary a message is read with.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from .errors import KnowledgeError
from .yamlfile import Checker, Mapping, Sequence

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
    if longest.keys().isdisjoint(words):
        return list(words)  # most questions start no phrase: one set operation instead of the loop
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


# The keys an article's own vocabulary file may have: words of its subject, not of the language.
ARTICLE_KEYS = frozenset({"synonyms", "broader", "lay_words", "domain_words"})
ALL_KEYS = ARTICLE_KEYS | {"contractions", "filler_words", "stop_words", "question_words"}
ARTICLE_VOCABULARY_SUFFIX = ".vocabulary.yaml"


@dataclass(frozen=True)
class Vocabulary:
    """Language data from knowledge/vocabulary.yaml (or an article's own vocabulary file); editors
    extend it without touching code. `domain_words` are words an editor declares in scope beyond
    those the knowledge gives (see Matcher)."""

    contractions: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    stop_words: frozenset[str] = frozenset()
    question_words: frozenset[str] = frozenset()
    synonyms: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    domain_words: frozenset[str] = frozenset()
    filler_words: frozenset[str] = frozenset()
    broader: dict[str, str] = field(default_factory=dict)
    lay_words: dict[str, str] = field(default_factory=dict)
    path: Path | None = field(default=None, compare=False)
    # Where each synonym and broader word is written, to name both places when two files disagree.
    lines: dict[object, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def subject_words(self) -> set[str]:
        """The words this file says its subject is made of: its canonical words and declared ones."""
        words = set(self.domain_words)
        for canonical in self.synonyms.values():
            words.update(canonical)
        words.update(self.broader.values())
        return words

    @cached_property
    def _longest_contraction(self) -> dict[str, int]:
        return longest_by_first_word(self.contractions)

    @cached_property
    def _longest_synonym(self) -> dict[str, int]:
        return longest_by_first_word(self.synonyms)

    @cached_property
    def _fillers(self) -> dict[tuple[str, ...], list[str]]:
        """Filler words and phrases ("i was wondering"), each replaced by nothing; after "how" a
        filler phrase is the question itself ("how do you know it's a cramp") and stays."""
        fillers: dict[tuple[str, ...], list[str]] = {tuple(filler.split()): [] for filler in self.filler_words}
        fillers.update({("how", *words): ["how", *words] for words in list(fillers) if len(words) > 1})
        return fillers

    @cached_property
    def _longest_filler(self) -> dict[str, int]:
        return longest_by_first_word(self._fillers)

    def expand_contractions(self, words: list[str]) -> list[str]:
        """Spell out "what's", "cant", "can not"; then drop leftover apostrophes ("glute's"). A digit
        beside a digit is a number's part, not text-speak: "sugar 2.4" is no "sugar to for"."""
        numbers = [index for index, word in enumerate(words) if word.isdigit() and any(
            0 <= other < len(words) and words[other].isdigit() for other in (index - 1, index + 1))]
        expanded: list[str] = []
        start = 0
        for index in numbers:
            expanded += replace_phrases(words[start:index], self.contractions, self._longest_contraction)
            expanded.append(words[index])
            start = index + 1
        expanded += replace_phrases(words[start:], self.contractions, self._longest_contraction)
        return [part for word in expanded for part in word.replace("'", "").split() if part]

    def apply_synonyms(self, words: list[str]) -> list[str]:
        """Canonical words for lay ones, each followed by its broader word if it has one."""
        words = replace_phrases(words, self._fillers, self._longest_filler)
        canonical = replace_phrases(words, self.synonyms, self._longest_synonym)
        return [added for word in canonical
                for added in ((word, self.broader[word]) if word in self.broader else (word,))]

    @cached_property
    def known(self) -> frozenset[str]:
        """`known_words`, kept: the safety check asks it of every glued word."""
        return frozenset(self.known_words())

    def known_words(self) -> set[str]:
        """Every word this file mentions: the targets of typo repair besides the questions.

        Not the short spellings of `contractions` ("shld", "wen"): they are spelled out before
        repair, and a typo repaired into one would stay unread.
        """
        words = (set(self.stop_words) | self.question_words | self.domain_words
                 | {word for filler in self.filler_words for word in filler.split()}
                 | set(self.broader) | set(self.broader.values()))
        for spelled in self.contractions.values():
            words.update(spelled)
        for variant, canonical in self.synonyms.items():
            words.update(variant)
            words.update(canonical)
        return {word for word in words if "'" not in word}


def combine_vocabularies(base: Vocabulary, others: list[Vocabulary]) -> tuple[Vocabulary, list[KnowledgeError]]:
    """One vocabulary from the shared file and the articles' own; a word that two files read
    differently is an error naming both."""
    errors: list[KnowledgeError] = []
    synonyms = dict(base.synonyms)
    broader = dict(base.broader)
    lay_words = dict(base.lay_words)
    domain_words = set(base.domain_words)
    owner: dict[object, Vocabulary] = {key: base for key in [*base.synonyms, *base.broader]}
    for other in others:
        for table, merged, what in ((other.synonyms, synonyms, "a synonym of"),
                                    (other.broader, broader, "given the broader word")):
            for key, value in table.items():
                first = owner.setdefault(key, other)
                if key in merged and merged[key] != value:
                    shown = " ".join(key) if isinstance(key, tuple) else key
                    before = " ".join(merged[key]) if isinstance(merged[key], list) else merged[key]
                    now = " ".join(value) if isinstance(value, list) else value
                    errors.append(KnowledgeError(
                        f"{shown!r} is {what} {now!r} here but {before!r} in "
                        f"{first.path}:{first.lines.get(key, 1)}", other.path, other.lines.get(key),
                        fix="keep one reading of the word, in one of the two files"))
                    continue
                merged[key] = value
        lay_words.update({word: lay for word, lay in other.lay_words.items() if word not in lay_words})
        domain_words.update(other.domain_words)
    combined = replace(base, synonyms=synonyms, broader=broader, lay_words=lay_words,
                       domain_words=frozenset(domain_words), lines={})
    return combined, errors + [error for vocabulary in (base, *others) for error in _hidden_by_fillers(vocabulary, base)]


def _hidden_by_fillers(vocabulary: Vocabulary, base: Vocabulary) -> list[KnowledgeError]:
    """A synonym phrase with a filler word in it never matches: the fillers are gone before
    synonyms are looked for ("look like" is read "look")."""
    fillers = {filler for filler in base.filler_words if " " not in filler}
    errors = []
    for key in vocabulary.synonyms:
        hidden = [word for word in key if word in fillers]
        if len(key) > 1 and hidden:
            errors.append(KnowledgeError(
                f"the synonym {' '.join(key)!r} never matches: {hidden[0]!r} is a filler word, dropped before "
                "synonyms are looked for", vocabulary.path, vocabulary.lines.get(key), fix=f"write it without {hidden[0]!r}"))
    return errors


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


def parse_vocabulary(data: object, path: Path,
                     keys: frozenset[str] = ALL_KEYS) -> tuple[Vocabulary, list[KnowledgeError]]:
    """The vocabulary in a file; an article's own file may hold only `ARTICLE_KEYS`."""
    checker = Checker(path, KnowledgeError)
    root = checker.mapping(data, 1, "the vocabulary file")
    if root is None:
        return Vocabulary(path=path), checker.errors  # type: ignore[return-value]
    for key in root:
        if key in ALL_KEYS - keys:
            checker.fail(f"`{key}` belongs in the shared vocabulary.yaml, not in an article's own words",
                         root.line_of(key), f"move it to vocabulary.yaml or use one of: {', '.join(sorted(keys))}")
    checker.keys(root, set(), set(ALL_KEYS), "the vocabulary file")
    lines: dict[object, int] = {}
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
            written = groups.get(canonical)
            for index, variant in enumerate(variants):
                key = tuple(split_words(variant))
                line = (written.line_of(index) if isinstance(written, Sequence) and len(written) == len(variants)
                        else groups.line_of(canonical))
                if key in synonyms and synonyms[key] != split_words(str(canonical)):
                    checker.fail(f"{variant!r} is a synonym of both {' '.join(synonyms[key])!r} and "
                                 f"{canonical!r}", line, "keep it under one of them")
                synonyms[key] = split_words(str(canonical))
                lines[key] = line
    stop_words = frozenset(w.lower() for w in checker.text_list(root, "stop_words", "the vocabulary file"))
    question_words = frozenset(
        w.lower() for w in checker.text_list(root, "question_words", "the vocabulary file"))
    domain_words = frozenset(
        w.lower() for w in checker.text_list(root, "domain_words", "the vocabulary file"))
    filler_words = frozenset(
        " ".join(split_words(w)) for w in checker.text_list(root, "filler_words", "the vocabulary file"))
    broader = _word_table(checker, root, "broader", "running: exercise")
    table = root.get("broader")
    if isinstance(table, Mapping):
        lines.update({str(word).lower(): table.line_of(word) for word in table})
    lay_words = _word_table(checker, root, "lay_words", "gluteal: butt")
    vocabulary = Vocabulary(contractions, stop_words, question_words, synonyms, domain_words,
                            filler_words, broader, lay_words, path, lines)
    return vocabulary, checker.errors  # type: ignore[return-value]
