"""Finding the entries a message asks about: normalise its words, then score every phrasing.

Normalising turns "Wats a buttcramp??" and "what is a gluteal cramp" into the same stems, so the
scoring can stay simple: a weighted overlap of stems (rare words weigh more) blended with
rapidfuzz's token similarity. `coverage` says how much of the message the knowledge base knows
at all, which is what keeps "what causes migraines" from being answered as "what causes cramps".
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass

import snowballstemmer
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from .english import is_real_word, specificity
from .knowledge import Knowledge
from .vocabulary import CLAUSE_BREAKS, NEGATIONS, Vocabulary, split_words

_REPEATS = re.compile(r"(.)\1{2,}")
# Weight of the stem overlap against rapidfuzz's token similarity in a phrasing's score.
_OVERLAP_SHARE = 0.8
# Weight of the best phrasing against the whole entry's words: a message may mix the words of
# several phrasings of one entry ("lump in my glute after running").
_PHRASING_SHARE = 0.65
# Question words ("what", "why", "how") help tell entries apart but weigh less than content.
_QUESTION_WORD_FACTOR = 0.5
# How much of a known word's weight its being an everyday English word can take away.
_EVERYDAY_DISCOUNT = 0.5
# How many words after "no", "not", "without" a negation reaches when matching.
_NEGATION_REACH = 4
_MIN_REPAIR_LENGTH = 4
_MIN_SPLIT_PART = 3


@dataclass(frozen=True)
class Candidate:
    """An entry's score for a message; `coverage` is the share of the message's meaningful words
    that the entry's questions use somewhere."""

    entry_id: str
    score: float
    question: str
    coverage: float


@dataclass(frozen=True)
class Match:
    """The scored candidates, best first; how much of the message is known words (`coverage`) and
    how much it says at all (`evidence`: the summed weight of its words)."""

    candidates: tuple[Candidate, ...]
    coverage: float
    stems: tuple[str, ...]
    in_domain: bool
    evidence: float

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


class Normaliser:
    """Turns text into comparable stems: contractions, typo repair, synonyms, stop words, stems."""

    def __init__(self, vocabulary: Vocabulary, known_words: set[str]) -> None:
        self.vocabulary = vocabulary
        self.known_words = frozenset(known_words)
        self._by_initial: dict[str, list[str]] = defaultdict(list)
        for word in sorted(self.known_words):
            if word.isalpha():
                self._by_initial[word[0]].append(word)
        self._stemmer = snowballstemmer.stemmer("english")
        self._repairs: dict[str, list[str]] = {}
        self._stems: dict[str, str] = {}
        # The first word seen for each stem, to look up how common the word is in English.
        self.word_of_stem: dict[str, str] = {}

    def normalise(self, text: str) -> list[str]:
        """The stems of a message, in order, question words kept and stop words dropped."""
        return self.stem(self.read_words(split_words(text)))

    def read_words(self, words: list[str]) -> list[str]:
        """Words as the knowledge base writes them: contractions spelled out, typos repaired."""
        words = self.vocabulary.expand_contractions(words)
        repaired = [part for word in words for part in self.repair(word)]
        return self.vocabulary.apply_synonyms(repaired)

    def stem(self, words: list[str]) -> list[str]:
        stems = []
        for word in words:
            if word in self.vocabulary.stop_words:
                continue
            stem = self._stems.get(word)
            if stem is None:
                stem = self._stems[word] = self._stemmer.stemWord(word)
                self.word_of_stem.setdefault(stem, word)
            stems.append(stem)
        return stems

    def repair(self, word: str) -> list[str]:
        """A misspelt word as the known word(s) it most likely is; unknown words stay as they are."""
        cached = self._repairs.get(word)
        if cached is None:
            cached = self._repairs[word] = self._find_repair(word)
        return cached

    def _find_repair(self, word: str) -> list[str]:
        if word in self.known_words or not word.isalpha() or is_real_word(word):
            return [word]
        squeezed = _REPEATS.sub(r"\1\1", word)
        if squeezed in self.known_words:
            return [squeezed]
        if len(squeezed) < _MIN_REPAIR_LENGTH:
            return [word]
        for cut in range(_MIN_SPLIT_PART, len(squeezed) - _MIN_SPLIT_PART + 1):
            head, tail = squeezed[:cut], squeezed[cut:]
            if head in self.known_words and tail in self.known_words:
                return [head, tail]
        # One edit for short words, two for long ones; the first letter is rarely the typo.
        max_edits = 1 if len(squeezed) <= 7 else 2
        best = process.extractOne(squeezed, self._by_initial.get(squeezed[0], []),
                                  scorer=OSA.distance, score_cutoff=max_edits)
        return [best[0]] if best else [word]


@dataclass(frozen=True)
class _Phrasing:
    entry_id: str
    question: str
    stems: frozenset[str]
    text: str
    weight: float


class Matcher:
    """An index of every phrasing of every entry, scored against a message."""

    def __init__(self, knowledge: Knowledge) -> None:
        known = set(knowledge.vocabulary.known_words())
        for entry in knowledge.entries.values():
            for question in entry.questions:
                known.update(split_words(question))
        for intent in knowledge.smalltalk.intents:
            for phrase in intent.phrases:
                known.update(phrase.split())
        self.normaliser = Normaliser(knowledge.vocabulary, known)
        question_words = knowledge.vocabulary.question_words
        self._question_stems = frozenset(self.normaliser.stem(sorted(question_words)))
        self._domain_stems = frozenset(self.normaliser.normalise(
            " ".join(sorted(knowledge.vocabulary.domain_words))))
        phrasings = [(entry.id, question, self.normaliser.normalise(question))
                     for entry in knowledge.entries.values() for question in entry.questions]
        entry_stems: dict[str, set[str]] = defaultdict(set)
        for entry_id, _, stems in phrasings:
            entry_stems[entry_id].update(stems)
        self._entry_stems = {entry_id: frozenset(stems) for entry_id, stems in entry_stems.items()}
        entries = max(len(entry_stems), 1)
        frequency: dict[str, int] = defaultdict(int)
        for stems in entry_stems.values():
            for stem in stems:
                frequency[stem] += 1
        self._weights = {stem: self._weigh(stem, math.log(1 + entries / count))
                         for stem, count in frequency.items()}
        # A word the knowledge base never uses weighs like one that only a single entry uses.
        self._unknown_weight = math.log(1 + entries)
        self._phrasings = [
            _Phrasing(entry_id, question, frozenset(stems), " ".join(stems),
                      sum(self._weights[stem] for stem in set(stems)))
            for entry_id, question, stems in phrasings]
        self._postings: dict[str, list[int]] = defaultdict(list)
        for index, phrasing in enumerate(self._phrasings):
            for stem in phrasing.stems:
                self._postings[stem].append(index)

    def _weigh(self, stem: str, idf: float) -> float:
        if stem in self._question_stems:
            return idf * _QUESTION_WORD_FACTOR
        # Everyday words ("make", "get") are rare in a small knowledge base but say little.
        common = specificity(self.normaliser.word_of_stem.get(stem, stem))
        return idf * (1 - _EVERYDAY_DISCOUNT * (1 - common))

    def weight(self, stem: str) -> float:
        weight = self._weights.get(stem)
        if weight is None:
            return self._unknown_weight * specificity(self.normaliser.word_of_stem.get(stem, stem))
        return weight

    def match(self, text: str) -> Match:
        return self.match_stems(self.stems_of(split_words(text)))

    def stems_of(self, words: list[str]) -> list[str]:
        """A message's stems, without the unknown words it denies.

        "no numbness in my groin, just a cramp" asks about the cramp: "numbness" and "groin" are
        not what the person wants to know about, so they must not make the question look out of
        scope. Known words stay, negated or not ("not drinking enough water").
        """
        read = self.normaliser.read_words(words)
        kept: list[str] = []
        reach = 0
        for word in read:
            if word in NEGATIONS:
                reach = _NEGATION_REACH
                continue
            if word in CLAUSE_BREAKS or word in self.normaliser.vocabulary.question_words:
                reach = 0
            stems = self.normaliser.stem([word])
            if reach and stems and stems[0] not in self._weights:
                reach -= 1
                continue
            reach = max(reach - 1, 0)
            kept.extend(stems)
        return kept

    def match_stems(self, stems: list[str]) -> Match:
        unique = set(stems)
        content = [stem for stem in unique if stem not in self._question_stems]
        content_weight = sum(self.weight(stem) for stem in content)
        known_weight = sum(self.weight(stem) for stem in content if stem in self._weights)
        coverage = known_weight / content_weight if content_weight else 0.0
        message_weight = sum(self.weight(stem) for stem in unique)
        reachable = {index for stem in content for index in self._postings.get(stem, ())}
        text = " ".join(stems)
        best: dict[str, tuple[float, str]] = {}
        for index in reachable:
            phrasing = self._phrasings[index]
            shared = sum(self.weight(stem) for stem in unique & phrasing.stems)
            overlap = 2 * shared / (message_weight + phrasing.weight)
            similarity = fuzz.token_sort_ratio(text, phrasing.text) / 100
            score = _OVERLAP_SHARE * overlap + (1 - _OVERLAP_SHARE) * similarity
            if score > best.get(phrasing.entry_id, (-1.0, ""))[0]:
                best[phrasing.entry_id] = (score, phrasing.question)
        candidates = []
        for entry_id, (score, question) in best.items():
            shared = unique & self._entry_stems[entry_id]
            entry_score = sum(self.weight(stem) for stem in shared) / message_weight
            blended = _PHRASING_SHARE * score + (1 - _PHRASING_SHARE) * entry_score
            entry_coverage = (sum(self.weight(stem) for stem in content if stem in shared) / content_weight
                              if content_weight else 0.0)
            candidates.append(Candidate(entry_id, round(blended, 4), question, round(entry_coverage, 4)))
        ranked = sorted(candidates, key=lambda candidate: (-candidate.score, candidate.entry_id))
        in_domain = not self._domain_stems.isdisjoint(unique)
        return Match(tuple(ranked), round(coverage, 4), tuple(stems), in_domain, round(message_weight, 4))
