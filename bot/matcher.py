"""Finding the entries a message asks about: normalise its words, then score every phrasing.

Normalising turns "Wats a buttcramp??" and "what is a gluteal cramp" into the same stems, so the
scoring can stay simple: a weighted overlap of stems (rare words weigh more) blended with
rapidfuzz's token similarity. `coverage` says how much of the message the knowledge base knows
at all, which is what keeps "what causes migraines" from being answered as "what causes cramps".
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
import snowballstemmer
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from .english import frequency, is_real_word, specificity
from .knowledge import Knowledge
from .vocabulary import CLAUSE_BREAKS, NEGATIONS, Vocabulary, split_words

_REPEATS = re.compile(r"(.)\1{2,}")
# Spellings by ear: letters that sound alike ("kramp", "gloot", "fone") read as one.
_SOUNDS = (("ph", "f"), ("ck", "k"), ("c", "k"), ("q", "k"), ("z", "s"), ("oo", "u"), ("ou", "u"))
_DOUBLES = re.compile(r"(.)\1+")
_MIN_SOUNDED = 3
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
# Phrasings compared with rapidfuzz after the stem overlap has ranked them; the rest are too far
# behind for rapidfuzz's share of the score to lift them to the top.
_FUZZY_LIMIT = 128
# Entries a match reports, best first: enough for "Did you mean" and inline search.
_CANDIDATES = 5
_MIN_SPLIT_PART = 3
# Word caches are bounded: a bot that runs for months sees endless new words.
_CACHE_SIZE = 50_000
# Little words that join a word to the one it qualifies ("cramp in my calf").
_CONNECTIVES = frozenset({"in", "of", "on", "my", "the", "a", "an", "your", "his", "her", "their"})
# A word most of an article's entries use names its subject ("heel" and "bursitis" in an article
# on heel bursitis): at least this share of them, and at least two.
_SUBJECT_SHARE = 0.5
_SUBJECT_SPECIFICITY = 0.5

# Words beside "cramp" or "glute" that name no other body part or subject: "cramps in general", "what
# caused the cramp in the first place", "my friend says the glute..." (stems, as the matcher reads them).
_NAMING_NOTHING = frozenset({"general", "first", "place", "particular", "overal", "usual", "normal", "again",
                             "say", "said", "told", "tell", "think", "thought", "reckon", "heard", "read"})


class Stems(list):
    """A message's stems in order. `gaps`: the positions before which a word was dropped that
    does not join its neighbours, so "intake for cramps" does not read as "intake cramps" while
    "cramp in my calf" reads as "cramp calf". `joined`: the positions before which a joining word
    was dropped: "cramp in my calf" names a calf, "why would it cramp though" names nothing."""

    gaps: frozenset[int] = frozenset()
    joined: frozenset[int] = frozenset()


@dataclass(slots=True)
class Candidate:
    """An entry's score for a message. `coverage`: the share of the message's meaningful words
    that the entry's questions use somewhere. `recall`: the largest share of one of the entry's
    questions that the message says ("why do we have glutes" says half of "why do my glutes
    cramp": the cramp is missing). `conflicts`: the message's words that name another subject
    than the entry's article ("knee" asked of a heel entry); each halves `coverage`."""

    entry_id: str
    score: float
    coverage: float
    recall: float
    conflicts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    """The scored candidates, best first; how much of the message is known words (`coverage`) and
    how much it says at all (`evidence`: the summed weight of its words).

    `in_domain`: the message names something the knowledge is about, a word of `subject` (the
    message's words that name an article's subject), or it says every word of one of its best
    entry's questions ("how much water a day").
    """

    candidates: tuple[Candidate, ...]
    coverage: float
    stems: tuple[str, ...]
    in_domain: bool
    evidence: float
    subject: tuple[str, ...] = ()

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


class Normaliser:
    """Turns text into comparable stems: contractions, typo repair, synonyms, stop words, stems."""

    def __init__(self, vocabulary: Vocabulary, known_words: set[str]) -> None:
        self.vocabulary = vocabulary
        self.known_words = frozenset(known_words)
        self._by_initial: dict[str, list[str]] = defaultdict(list)
        self._by_sound: dict[str, list[str]] = defaultdict(list)
        for word in sorted(self.known_words):
            if word.isalpha():
                self._by_initial[word[0]].append(word)
                if len(word) >= _MIN_SOUNDED:
                    self._by_sound[sound_of(word)].append(word)
        self._stemmer = snowballstemmer.stemmer("english")
        self._repairs: dict[str, list[str]] = {}
        self._stems: dict[str, str] = {}
        # The first word of the knowledge base seen for each stem, to look up how common the word
        # is in English. Learnt only while the index is built, so a message never changes how a
        # later one is scored.
        self.word_of_stem: dict[str, str] = {}
        self.learning = True

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
            # A bare number ("i'm 58", "at 65") is an age or a count, not what is asked about.
            if word in self.vocabulary.stop_words or word.isdigit():
                continue
            stem = self._stems.get(word)
            if stem is None:
                stem = self._stemmer.stemWord(word)
                if self.learning:
                    self.word_of_stem.setdefault(stem, word)
                if len(self._stems) >= _CACHE_SIZE:
                    self._stems.clear()
                self._stems[word] = stem
            stems.append(stem)
        return stems

    def repair(self, word: str) -> list[str]:
        """A misspelt word as the known word(s) it most likely is; unknown words stay as they are."""
        cached = self._repairs.get(word)
        if cached is None:
            if len(self._repairs) >= _CACHE_SIZE:
                self._repairs.clear()
            cached = self._repairs[word] = self._find_repair(word)
        return cached

    def _find_repair(self, word: str) -> list[str]:
        if word in self.known_words or not word.isalpha() or is_real_word(word):
            return [word]
        squeezed = _REPEATS.sub(r"\1\1", word)
        if squeezed in self.known_words:
            return [squeezed]
        stop_words = self.vocabulary.stop_words
        # A word spelt as it sounds: the known word that sounds the same, a content word first.
        alike = self._by_sound.get(sound_of(squeezed))
        if alike:
            return [min(alike, key=lambda known: (known in stop_words, -frequency(known), known))]
        if len(squeezed) < _MIN_REPAIR_LENGTH:
            # Short words change meaning with one letter ("bum", "bun"); only swapped letters
            # are repaired ("hwo" -> "how").
            for index in range(len(squeezed) - 1):
                swapped = squeezed[:index] + squeezed[index + 1] + squeezed[index] + squeezed[index + 2:]
                if swapped in self.known_words:
                    return [swapped]
            return [word]
        for cut in range(_MIN_SPLIT_PART, len(squeezed) - _MIN_SPLIT_PART + 1):
            head, tail = squeezed[:cut], squeezed[cut:]
            if head in self.known_words and tail in self.known_words:
                return [head, tail]
        # One edit for short words, two for long ones; the first letter is rarely the typo.
        max_edits = 1 if len(squeezed) <= 7 else 2
        found = process.extract(squeezed, self._by_initial.get(squeezed[0], []), scorer=OSA.distance,
                                score_cutoff=max_edits, limit=None)
        if not found:
            return [word]
        # The nearest word; among equally near ones a content word before a stop word ("themb" is
        # "thumb", not "them"), then the commoner English word ("srain" is "strain" before "sprain").
        best = min(found, key=lambda item: (item[1], item[0] in stop_words, -frequency(item[0]), item[0]))
        return [best[0]]


def sound_of(word: str) -> str:
    """How a word sounds, roughly: "gloot" and "glute", "kramp" and "cramp" sound the same."""
    for letters, sound in _SOUNDS:
        word = word.replace(letters, sound)
    word = _DOUBLES.sub(r"\1", word)
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


class Matcher:
    """An index of every phrasing of every entry, scored against a message.

    Scoring is vectorised (numpy): a message's stems add their weights into one array slot per
    phrasing through an inverted index, so the cost grows with how many phrasings share the
    message's words, not with the size of the knowledge base. rapidfuzz then compares the message
    with the best `_FUZZY_LIMIT` phrasings only.
    """

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
        # Question words are in most phrasings; a bit each per phrasing is cheaper than postings.
        self._question_bits = {stem: bit for bit, stem in enumerate(sorted(self._question_stems))}
        phrasing_questions = array("i")
        self._entry_ids = list(knowledge.entries)
        self._entry_index = {entry_id: index for index, entry_id in enumerate(self._entry_ids)}
        self._texts: list[str] = []
        # Built as compact arrays, not lists of Python ints: a large site has millions of postings.
        phrasing_entries = array("i")
        postings: dict[str, array] = defaultdict(lambda: array("i"))
        entry_stems: list[frozenset[str]] = []
        # The first phrasing of each entry, and one past the last entry's.
        self._entry_phrasings = array("i")
        for entry_index, entry in enumerate(knowledge.entries.values()):
            self._entry_phrasings.append(len(self._texts))
            words_of_entry: set[str] = set()
            for question in entry.questions:
                stems = self.normaliser.normalise(question)
                for stem in set(stems):
                    postings[stem].append(len(self._texts))
                phrasing_questions.append(sum(1 << bit for stem, bit in self._question_bits.items()
                                              if stem in stems))
                phrasing_entries.append(entry_index)
                # Sorted once here, so comparing with fuzz.ratio is token_sort_ratio's comparison.
                self._texts.append(" ".join(sorted(stems)))
                words_of_entry.update(stems)
            entry_stems.append(frozenset(words_of_entry))
        self._entry_phrasings.append(len(self._texts))
        self._entry_stems = entry_stems
        self._find_subjects(knowledge)
        entries = max(len(self._entry_ids), 1)
        frequency: dict[str, int] = defaultdict(int)
        for stems_of_entry in entry_stems:
            for stem in stems_of_entry:
                frequency[stem] += 1
        self._weights = {stem: self._weigh(stem, math.log(1 + entries / count))
                         for stem, count in frequency.items()}
        # A word the knowledge base never uses weighs like one that only a single entry uses.
        self._unknown_weight = math.log(1 + entries)
        self._phrasing_entry = np.frombuffer(phrasing_entries, dtype=np.int32).copy()
        self._phrasing_questions = np.frombuffer(phrasing_questions, dtype=np.int32).copy()
        self._postings = {stem: np.frombuffer(indices, dtype=np.int32).copy()
                          for stem, indices in postings.items()}
        del postings
        self._phrasing_weight = self._accumulate(self._weights, self._postings, len(self._texts))
        content_weights = {stem: w for stem, w in self._weights.items() if stem not in self._question_stems}
        self._phrasing_content_weight = self._accumulate(content_weights, self._postings, len(self._texts))
        entry_postings: dict[str, array] = defaultdict(lambda: array("i"))
        for entry_index, stems_of_entry in enumerate(entry_stems):
            for stem in stems_of_entry:
                entry_postings[stem].append(entry_index)
        self._entry_postings = {stem: np.frombuffer(indices, dtype=np.int32).copy()
                                for stem, indices in entry_postings.items()}
        self.normaliser.learning = False

    def _find_subjects(self, knowledge: Knowledge) -> None:
        """The words that say what the knowledge is about, found in the knowledge itself.

        An article is named by the words of its title and the words most of its entries use
        (its identity: "heel" and "bursitis"); the canonical words of its own vocabulary file and
        the `domain_words` editors add are in scope too. Nothing here is tied to one article, so
        a library of hundreds has hundreds of subjects.
        """
        subject = set(self.normaliser.normalise(" ".join(sorted(knowledge.vocabulary.domain_words))))
        self._article_of_entry = array("i")
        self._identity: list[frozenset[str]] = []
        self._titles: list[frozenset[str]] = []
        first = 0
        for index, article in enumerate(knowledge.articles):
            stems_of_entries = self._entry_stems[first:first + len(article.entries)]
            first += len(article.entries)
            self._article_of_entry.extend([index] * len(article.entries))
            title = frozenset(self.normaliser.normalise(article.title)) - self._question_stems
            needed = max(2, math.ceil(_SUBJECT_SHARE * len(stems_of_entries))) if len(stems_of_entries) > 1 else 1
            counts = Counter(stem for stems in stems_of_entries for stem in stems)
            # Everyday words ("night", "water") run through an article without naming its subject.
            identity = title | {stem for stem, count in counts.items() if count >= needed
                                and specificity(self.normaliser.word_of_stem.get(stem, stem)) >= _SUBJECT_SPECIFICITY}
            self._titles.append(title)
            self._identity.append(frozenset(identity - self._question_stems))
            subject.update(identity)
            subject.update(self.normaliser.normalise(" ".join(sorted(article.vocabulary.subject_words))))
        self.subject_stems = frozenset(subject - self._question_stems)
        self._identity_stems = frozenset().union(*self._identity)
        self._title_stems = frozenset().union(*self._titles)

    def _conflicts(self, entry: int, stems: list[str], named: set[str]) -> tuple[str, ...]:
        """The message's words that name another subject than the entry's article.

        "how to prevent knee cysts" asked of an entry on preventing knee bursitis: "cysts" names
        other articles and this entry does not use it. An unknown word next to a word of the
        article's title, where the title's other word is missing, names another subject too
        ("foot cramps", "cramp in my calf" asked of an article on glute cramps).
        """
        article = self._article_of_entry[entry]
        used, identity, title = self._entry_stems[entry], self._identity[article], self._titles[article]
        conflicts = {stem for stem in named if stem not in used and stem not in identity}
        if not title <= set(stems):
            for index, stem in enumerate(stems):
                if stem in self._weights or stem in self._question_stems or stem in _NAMING_NOTHING:
                    continue
                gaps = stems.gaps if isinstance(stems, Stems) else frozenset()
                # The title word before it ("cramp in my calf"), or after it ("calf cramp").
                before = index and index not in gaps and (not isinstance(stems, Stems) or index in stems.joined)
                neighbours = ([stems[index - 1]] if before else []) + \
                             ([stems[index + 1]] if index + 1 < len(stems) and index + 1 not in gaps else [])
                if not title.isdisjoint(neighbours):
                    conflicts.add(stem)
        return tuple(sorted(conflicts))

    def same_readings(self) -> list[tuple[str, int, str, int]]:
        """Questions of different entries that read the same once normalised ("what are the glutes"
        and "what is the glute muscle for"): (entry id, question index) pairs, for `check` to warn."""
        first: dict[str, tuple[int, int]] = {}
        found = []
        for entry_index, entry_id in enumerate(self._entry_ids):
            start = self._entry_phrasings[entry_index]
            for offset, text in enumerate(self._texts[start:self._entry_phrasings[entry_index + 1]]):
                owner = first.setdefault(text, (entry_index, offset))
                if owner[0] != entry_index:
                    found.append((self._entry_ids[owner[0]], owner[1], entry_id, offset))
        return found

    def _says_a_whole_question(self, entry: int, stems: set[str]) -> bool:
        """The message holds every word (two or more) of one of the entry's questions."""
        for text in self._texts[self._entry_phrasings[entry]:self._entry_phrasings[entry + 1]]:
            content = set(text.split()) - self._question_stems
            if len(content) >= 2 and content <= stems:
                return True
        return False

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

    def stems_of(self, words: list[str]) -> Stems:
        """A message's stems, without the unknown words it denies.

        "no numbness in my groin, just a cramp" asks about the cramp: "numbness" and "groin" are
        not what the person wants to know about, so they must not make the question look out of
        scope. Known words stay, negated or not ("not drinking enough water").
        """
        read = self.normaliser.read_words(words)
        kept = Stems()
        gaps: set[int] = set()
        joined: set[int] = set()
        reach = 0
        dropped = joining = False
        for word in read:
            if word in NEGATIONS:
                reach = _NEGATION_REACH
                dropped = True
                continue
            if word in CLAUSE_BREAKS or word in self.normaliser.vocabulary.question_words:
                reach = 0
            stems = self.normaliser.stem([word])
            if not stems:
                dropped = dropped or word not in _CONNECTIVES
                joining = joining or word in _CONNECTIVES
            elif reach and stems[0] not in self._weights:
                reach -= 1
                dropped = True
                continue
            reach = max(reach - 1, 0)
            if stems and dropped:
                gaps.add(len(kept))
                dropped = False
            if stems and joining:
                joined.add(len(kept))
                joining = False
            kept.extend(stems)
        kept.gaps = frozenset(gaps)
        kept.joined = frozenset(joined)
        return kept

    def _accumulate(self, weights: dict[str, float], postings: dict[str, np.ndarray], size: int) -> np.ndarray:
        """For each phrasing (or entry), the summed weight of the message stems it uses."""
        total = np.zeros(size)
        for stem, weight in weights.items():
            indices = postings.get(stem)
            if indices is not None:
                total[indices] += weight
        return total

    def match_stems(self, stems: list[str]) -> Match:
        weights = {stem: self.weight(stem) for stem in set(stems)}
        content = {stem: weight for stem, weight in weights.items() if stem not in self._question_stems}
        content_weight = sum(content.values())
        known_weight = sum(weight for stem, weight in content.items() if stem in self._weights)
        coverage = known_weight / content_weight if content_weight else 0.0
        message_weight = sum(weights.values())
        subject = tuple(sorted(self.subject_stems.intersection(weights)))
        content_shared = self._accumulate(content, self._postings, len(self._texts))
        reach = np.flatnonzero(content_shared)
        if not len(reach):
            return Match((), round(coverage, 4), tuple(stems), bool(subject), round(message_weight, 4), subject)
        recall = content_shared[reach] / np.maximum(self._phrasing_content_weight[reach], 1e-9)
        shared = content_shared[reach]
        bits = self._phrasing_questions[reach]
        for stem, weight in weights.items():
            if stem in self._question_bits:
                shared = shared + weight * ((bits >> self._question_bits[stem]) & 1)
        overlap = 2 * shared / (message_weight + self._phrasing_weight[reach])
        if len(reach) > _FUZZY_LIMIT:
            best = np.argpartition(-overlap, _FUZZY_LIMIT)[:_FUZZY_LIMIT]
            reach, overlap, recall = reach[best], overlap[best], recall[best]
        similarity = process.cdist([" ".join(sorted(stems))], [self._texts[i] for i in reach],
                                   scorer=fuzz.ratio, workers=1)[0] / 100
        scores = _OVERLAP_SHARE * overlap + (1 - _OVERLAP_SHARE) * similarity
        entries_of_reach = self._phrasing_entry[reach]
        entry_best = np.full(len(self._entry_ids), -1.0)
        np.maximum.at(entry_best, entries_of_reach, scores)
        entry_recall = np.zeros(len(self._entry_ids))
        np.maximum.at(entry_recall, entries_of_reach, recall)
        reached = np.flatnonzero(entry_best >= 0)
        entry_shared = self._accumulate(weights, self._entry_postings, len(self._entry_ids))[reached]
        blended = _PHRASING_SHARE * entry_best[reached] + (1 - _PHRASING_SHARE) * entry_shared / message_weight
        if len(reached) > _CANDIDATES:
            top = np.argpartition(-blended, _CANDIDATES)[:_CANDIDATES]
            reached, blended = reached[top], blended[top]
        candidates = []
        named = self._identity_stems.intersection(content)
        for entry, score in zip(reached.tolist(), blended.tolist()):
            used = self._entry_stems[entry]
            known = sum(weight for stem, weight in content.items() if stem in used)
            conflicts = self._conflicts(entry, stems, named)
            # Each word naming another subject halves what the entry explains of the message.
            explained = known / content_weight / (1 + len(conflicts)) if content_weight else 0.0
            candidates.append(Candidate(self._entry_ids[entry], round(score, 4), round(explained, 4),
                                        round(float(entry_recall[entry]), 4), conflicts))
        candidates.sort(key=lambda candidate: (-candidate.score, candidate.entry_id))
        in_domain = bool(subject) or self._says_a_whole_question(self._entry_index[candidates[0].entry_id],
                                                                 set(weights))
        return Match(tuple(candidates), round(coverage, 4), tuple(stems), in_domain, round(message_weight, 4),
                     subject)
