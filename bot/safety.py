"""Red flags: emergency signs found before any matching, so they are never answered as an FAQ.

Each sentence is read twice: as written (contractions spelled out) and in plain words (typos
repaired towards the rules' own words, lay and slang words mapped by the file's `words`). A rule
that holds in either reading raises its flag, unless the sentence only talks about the sign: a
denial ("no numbness"), a figure of speech ("suicide sprints"), the past ("had a stroke years
ago") or a question about the sign itself ("what are the signs of a stroke"). Talk of that kind is
a `mention`: the bot answers as usual and adds a line on what to do if it is happening now.
Self-harm talk is never explained away, except by a figure of speech or as a question about
self-harm as a topic. A flag's `across_sentences` rules read a setting told in another sentence
than the signs ("On chemo. Temp 38.6 and shivering").
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .english import frequency, is_real_word, split_glued, split_short_glued
from .errors import KnowledgeError
from .vocabulary import CLAUSE_BREAKS, NEGATIONS, Vocabulary, longest_by_first_word, replace_phrases, split_words
from .yamlfile import Checker, Mapping, Sequence

KINDS = ("emergency", "crisis")
_NEGATION_REACH = 4
# Words a negation reaches across without using up its reach: "without any numbness or tingling".
_LIST_WORDS = frozenset({"or", "nor", "any"})
# Words that end a negation's reach: "no idea why my chest hurts" does not deny the chest.
_NEGATION_BREAKS = CLAUSE_BREAKS | {"why", "what", "how", "when", "where", "if", "because", "so", "since",
                                    "until", "after", "before", "while", "then", "idea", "clue"}
# A sentence with the mark that ends it, so a question keeps its "?".
# A point between digits ("temp 38.5") is a decimal point, not the end of a sentence.
_SENTENCE = re.compile(r"(?:[^.!?;\n\u2014]|(?<=\d)\.(?=\d)|\s-\s)+[.!?;\n\u2014]*")
# Commas and dashes end a clause: "had a clot years ago, now my calf is hot" is two clauses.
_CLAUSE_END = re.compile(r"[,:()]+|\s-\s")
_COMMA = ","
# A search typed as a query asks, without a question mark: "blood clot in leg symptoms (list pls)".
_SEARCH = re.compile(r"^\W*(?:\w+\W+){0,5}(?:symptoms|signs|recovery time|healing time)"
                     r"(?:\W+(?:list|pls|plz|please|explained|meaning))*\W*$", re.IGNORECASE)
_CONTRASTS = frozenset({"but", "though", "however", "although", "except", "yet"})
_TIME_BREAKS = frozenset({"and", "but", "now", "still", "however", "although", "though", "anyway", "so"})
_CHOICES = re.compile(r"\(([^()]*)\)")
_YEAR = re.compile(r"^(19|20)\d\d$")
# A term ending in * needs this many letters before the *, so the index can look it up.
_MIN_PREFIX = 3
_MIN_REPAIR_LENGTH = 4
_TELLING_LENGTH = 4
# Words that name no one and nothing in particular: "everything", "someone", "anybody".
_INDEFINITE = frozenset(first + last for first in ("every", "some", "any", "no")
                        for last in ("thing", "one", "body", "where"))
# log10 of an English word's count above which it tells nothing of a sign ("have", "with", "know",
# "night"; at 8.5, "want to know for my parents" told a question about stroke signs as now).
_EVERYDAY_WORD = 8.0
_REPEATS = re.compile(r"(.)\1{2,}")
# A typo is far rarer than the word meant: a listed word at least a third as common as the rule
# word it resembles is a word in its own right ("overdoing" is not "overdosing"). log10 counts.
_TYPO_RARITY = 0.5
# A clause imagines a sign only when its hypothetical frame comes within its first words ("ok so
# if grandma falls..."), not later ("she fell, what do we do if she gets worse").
_IMAGINED_FROM = 2
# Words that open a question, when the sentence has no question mark.
_QUESTION_OPENINGS = frozenset({
    "what", "how", "why", "when", "which", "who", "does", "do", "can", "could", "is", "are", "should",
    "would", "will", "did", "has", "have", "whats", "hows",
})
_CONTEXT_KEYS = ("history", "resolved", "now", "personal", "idioms", "info_frames", "hypotheticals", "happening",
                 "topic_frames", "recent", "stories")
# The people of a story are "he" and "she"; "my dad", "we" or "I" in its sentence are the writer's.
_STORY_PEOPLE = frozenset({"he", "she", "his", "her", "him", "hes", "shes", "this"})


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


# Groups of alternative terms that must all be found in one sentence.
Rule = tuple[tuple[Term, ...], ...]


@dataclass(frozen=True)
class Example:
    """A message the file says must (or must not) raise its flag, with its line for `check`."""

    text: str
    line: int


@dataclass(frozen=True, eq=False)
class RedFlag:
    id: str
    kind: str
    label: str
    rules: tuple[Rule, ...]
    negatable: bool = True
    examples: tuple[Example, ...] = ()
    near_misses: tuple[Example, ...] = ()
    # Rules whose first group is a setting that may be told in another sentence of the message
    # than the signs ("On chemo. Temp 38.6 and shivering").
    across: tuple[Rule, ...] = ()
    # Whether a sign told as over ("all fine now", "says she's ok now") is over. Not a poison or an
    # overdose: its harm may come hours later, however well the person feels.
    passes: bool = True

    @property
    def all_rules(self) -> tuple[Rule, ...]:
        return self.rules + self.across

    def is_raised_by(self, sentence: list[str], starts: dict[Term, list[int]], hidden: set[int],
                     in_terms: set[int], settings: tuple[Rule, ...] = ()) -> bool:
        """Whether every group of some rule has a term in the sentence that is not denied; of a
        rule in `settings`, whose setting the message told elsewhere, every group but the first.

        A negation that is part of a term ("have not been able to") denies nothing."""
        return any(all(self._group_found(group, sentence, starts, hidden, in_terms) for group in rule)
                   for rule in self.all_rules + tuple(rule[1:] for rule in settings))

    def settings_told_in(self, clause: list[str], hidden: set[int]) -> tuple[Rule, ...]:
        """The rules of `across` whose setting the clause tells, not denied nor in a figure of speech."""
        return tuple(rule for rule in self.across
                     if self._group_found(rule[0], clause, find_term_starts(clause, rule[0]), hidden, set()))

    def _group_found(self, group: tuple[Term, ...], sentence: list[str],
                     starts: dict[Term, list[int]], hidden: set[int], in_terms: set[int]) -> bool:
        return any(index not in hidden and not self._negated(sentence, index, in_terms)
                   for term in group for index in starts.get(term, ()))

    def _negated(self, sentence: list[str], index: int, in_terms: set[int]) -> bool:
        if not self.negatable:
            return False
        reach = _NEGATION_REACH
        for position in range(index - 1, -1, -1):
            word = sentence[position]
            if word in _NEGATION_BREAKS or reach == 0:
                return False
            if word in NEGATIONS and position not in in_terms:
                return True
            if word not in _LIST_WORDS:
                reach -= 1
        return False


@dataclass(frozen=True)
class SafetyContext:
    """Words that tell a sign happening now from talk about it; data, for clinical review."""

    history: tuple[Term, ...] = ()  # the past: "years ago", "as a kid"
    resolved: tuple[Term, ...] = ()  # over, for the whole sentence: "all fine now", "came back"
    now: tuple[Term, ...] = ()  # happening now: "right now", "since yesterday", "again"
    personal: frozenset[str] = frozenset()  # someone in the sentence: "i", "my", "he"
    idioms: tuple[Term, ...] = ()  # figures of speech that contain a term: "suicide sprints"
    info_frames: tuple[Term, ...] = ()  # "how do i know", "if i": no one in particular
    hypotheticals: tuple[Term, ...] = ()  # "if grandma falls...", "say i slip": imagined, whoever it names
    happening: tuple[Term, ...] = ()  # "just happened to me": the sign a question names is now
    # A question about self-harm as a topic ("warning signs of suicide"): talk. Any other question
    # that says a crisis ("what's the point in living anymore") is one.
    topic_frames: tuple[Term, ...] = ()
    # The recent past, in which a setting still holds: "had chemo last week" (`across_sentences`).
    recent: tuple[Term, ...] = ()
    # A show, a book or a lesson: talk, for the whole sentence, unless it names the writer's people.
    stories: tuple[Term, ...] = ()


@dataclass(frozen=True)
class Assessment:
    """What the safety check found: a sign happening now (`flag`), or only talk of one."""

    flag: RedFlag | None = None
    mentioned: RedFlag | None = None
    # A flag whose words are there only in a figure of speech ("nearly wet myself laughing").
    dismissed: RedFlag | None = None
    # Every clause is the past, a general question or imagined ("say I slip on the ice and can't
    # get up, what should I do"): nothing is told as happening now.
    only_talk: bool = False


@dataclass(frozen=True, eq=False)
class RedFlags:
    """The flags of knowledge/red-flags.yaml with the words that read people's messages."""

    flags: tuple[RedFlag, ...] = ()
    words: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    context: SafetyContext = SafetyContext()
    calm_examples: tuple[Example, ...] = ()  # messages that must raise no flag

    def __len__(self) -> int:
        return len(self.flags)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.flags)

    def assess(self, text: str, vocabulary: Vocabulary) -> Assessment:
        """The first flag a sentence raises (a crisis first, then in file order), else the first
        one only talked about."""
        mentioned = dismissed = None
        sentences = [self._read_clauses(sentence, vocabulary) for sentence in _SENTENCE.findall(text)]
        # Each sentence's clauses as written and in plain words, read once for the settings and the rules.
        readings = [(clauses, [self.read_plain(clause) for clause in clauses], talk) for clauses, talk, _ in sentences]
        # Clauses that tell of someone now ("I went down in the shop", "just happened to me"): a
        # question elsewhere in the message about the same sign ("is it normal to faint?") is then
        # not a general question.
        telling = [clause for clauses, talk, _ in sentences for clause, kind in zip(clauses, talk)
                   if not kind and self._names_someone(clause)]
        told = self._settings_told(readings)
        for (clauses, plain, talk), (_, _, after_comma) in zip(readings, sentences):
            for reading in (clauses, plain):
                # A comma costs a negation one word of its reach: "couldn't lift my arms, pee looks
                # like cola" denies nothing of the pee, where "no fever, stiff neck" still denies.
                words = [word for index, clause in enumerate(reading)
                         for word in ((_COMMA, *clause) if index in after_comma else clause)]
                idioms = find_covered(self.context.idioms, words)
                raised = self._raised(words, idioms, told)
                if raised is None:
                    dismissed = dismissed or (self._raised(words, set(), told) if idioms else None)
                    continue
                spoken, position = set(idioms), 0
                told_now = (raised.kind == "crisis" and bool(telling)) or any(
                    not _words_of(raised).isdisjoint(clause) or find_covered(self.context.happening, clause)
                    for clause in telling)
                for index, (clause, kind) in enumerate(zip(reading, talk)):
                    if index in after_comma:
                        position += 1  # the comma
                    # Thoughts of self-harm are never explained away as imagined, nor as a question
                    # unless it asks about self-harm as a topic (then a crisis said elsewhere raises itself).
                    crisis = raised.kind == "crisis"
                    if kind == "past" or (kind == "over" and raised.passes) or (kind == "topic" and crisis) or (
                            kind == "imagined" and not crisis) or (
                            kind in ("question", "topic") and not told_now and not crisis):
                        spoken.update(range(position, position + len(clause)))
                    position += len(clause)
                happening = self._raised(words, spoken, told) if spoken != idioms else raised
                if happening is not None:
                    return Assessment(flag=happening)
                mentioned = mentioned or raised
        only_talk = all(kind for _, talk, _ in sentences for kind in talk)
        return Assessment(mentioned=mentioned, dismissed=dismissed, only_talk=only_talk)

    def _read_clauses(self, sentence: str, vocabulary: Vocabulary) -> tuple[list[list[str]], list[str], set[int]]:
        """The sentence's clauses, each with what it is: "past", "over" (told as passed, "all fine
        now"), "question" (about a sign, naming no one), "topic" (a question about self-harm as a
        topic), "imagined" or "" (happening now, or in doubt). A question is judged between commas,
        the past clause by clause: "broke my hip years ago and now ..." is the past, then the present.
        Also the clauses that open after a comma."""
        question = sentence.rstrip().endswith("?") or bool(_SEARCH.search(sentence))
        clauses: list[list[str]] = []
        talk: list[str] = []
        after_comma: set[int] = set()
        for piece in _CLAUSE_END.split(sentence):
            words = [_with_g(word) for word in
                     vocabulary.expand_contractions(self.separate_glued(split_words(piece), vocabulary))]
            if not words:
                continue
            if clauses:
                after_comma.add(len(clauses))
            asked = self._talk_about_a_sign(words, question)
            topic = find_covered(self.context.topic_frames, words)
            # ...and names no one beyond its frame: "how can I help myself I want to die" is not a topic.
            if topic and (question or words[0] in _QUESTION_OPENINGS) and not self._names_someone(words, topic):
                asked = "topic"
            for clause in _split_at_breaks(words):
                clauses.append(clause)
                # "...and we are worried about him having a stroke": a clause of its own may imagine.
                talk.append(asked or self._talk_about_a_sign(clause, question)
                            or ("past" if self._tells_the_past(clause) else ""))
        # "foot went dead for a bit, all fine now": the sentence is over, unless it goes on to
        # something happening now ("the GP said all fine, but today my chest is crushing") or turns
        # with a "but" to something else ("pee is clear now but i cant feel my bum").
        words = [word for clause in clauses for word in clause]
        over = find_covered(self.context.resolved, words)
        if over and not any(index > min(over) for index in find_covered(self.context.now, words) - over):
            turn = next((index for index, word in enumerate(words) if index > max(over) and word in _CONTRASTS),
                        len(words))
            starts = [sum(len(clause) for clause in clauses[:index]) for index in range(len(clauses))]
            talk = [kind or ("over" if start < turn else "") for start, kind in zip(starts, talk)]
        if find_covered(self.context.stories, words) and (self.context.personal - _STORY_PEOPLE).isdisjoint(words):
            talk = [kind or "past" for kind in talk]
        # ...or the clause that tells it, when no one beyond its frame is there: "I watched a medical
        # drama where someone collapsed, and it made me paranoid".
        talk = [kind or ("past" if self._tells_a_story(clause) else "") for clause, kind in zip(clauses, talk)]
        return clauses, talk, after_comma

    def separate_glued(self, words: list[str], vocabulary: Vocabulary) -> list[str]:
        """Words typed without spaces, split ("legsnumb" is "legs numb"); not a word the rules,
        `words` or the vocabulary know ("sewerslide", "deadlifts") or one the rules repair."""
        index = _index_terms(self)
        return [part for word in split_glued(words) for part in (
            split_short_glued(word, index.telling)
            if word not in index.known and word not in vocabulary.known and _repair(word, self) == word
            else [word])]

    def _settings_told(self, readings: list[tuple[list[list[str]], list[list[str]], list[str]]]
                       ) -> dict[str, tuple[Rule, ...]]:
        """Each flag's `across` rules whose setting a clause told as now or lately, in either reading
        (a crisis also in a question or imagined: it is never explained away so)."""
        told: dict[str, tuple[Rule, ...]] = {}
        with_settings = [flag for flag in self.flags if flag.across]
        for clauses, plain, talk in readings:
            for clause, plain_clause, kind in zip(clauses, plain, talk):
                lately = kind == "past" and bool(find_covered(self.context.recent, clause))
                if kind in ("topic", "past", "over") and not lately:
                    continue
                for reading in (clause, plain_clause):
                    idioms = find_covered(self.context.idioms, reading)
                    for flag in with_settings:
                        if kind in ("question", "imagined") and flag.kind != "crisis":
                            continue
                        found = flag.settings_told_in(reading, idioms)
                        if found:
                            told[flag.id] = tuple(dict.fromkeys(told.get(flag.id, ()) + found))
        return told

    def _tells_the_past(self, words: list[str]) -> bool:
        context = self.context
        if find_covered(context.now, words):
            return False
        return bool(find_covered(context.history, words)) or any(_YEAR.match(word) for word in words)

    def _talk_about_a_sign(self, words: list[str], question: bool) -> str:
        """ "question" for a question naming no one, "imagined" for a sign only imagined ("say I
        slip on the ice and can't get up"), whoever it names; "" when the clause says it is now."""
        context = self.context
        if find_covered(context.now, words):
            return ""
        imagined = find_covered(context.hypotheticals, words)
        if imagined and min(imagined) <= _IMAGINED_FROM:
            # Only a clause that opens by imagining ("if grandma falls...", "say I slip..."): in "my
            # dad collapsed, what do I do if he stops breathing" the collapse is now.
            return "imagined"
        framed = find_covered(context.info_frames, words)
        if not framed or not (question or words[0] in _QUESTION_OPENINGS):
            return ""
        return "" if self._names_someone(words) else "question"

    def _tells_a_story(self, words: list[str]) -> bool:
        """A clause with a show or a book in it and no one else: "I watched a drama where a man fell"."""
        story = find_covered(self.context.stories, words)
        return bool(story) and not any(word in self.context.personal - _STORY_PEOPLE
                                       for index, word in enumerate(words) if index not in story)

    def _names_someone(self, words: list[str], framed_too: set[int] | frozenset[int] = frozenset()) -> bool:
        """A person in particular, beyond a question's frame: "my", "he", but not "how do I know"."""
        framed = find_covered(self.context.info_frames, words) | framed_too
        return any(word in self.context.personal for index, word in enumerate(words) if index not in framed)

    def _raised(self, words: list[str], hidden: set[int],
                told: dict[str, tuple[Rule, ...]] | None = None) -> RedFlag | None:
        index = _index_terms(self)
        starts = find_term_starts(words, index.terms)
        if not starts:
            return None
        present = {flag for term in starts for flag in index.flags.get(term, ())}
        # A negation inside a term ("have not been able to", "no feeling") is part of what it says.
        in_terms = {start + offset for term, found in starts.items() for start in found
                    for offset in range(0 if term.words[0] in NEGATIONS and len(term.words) > 1 else 1,
                                        len(term.words))}
        for flag in index.by_priority:
            if flag in present and flag.is_raised_by(words, starts, hidden, in_terms, (told or {}).get(flag.id, ())):
                return flag
        return None

    def read_plain(self, words: list[str]) -> list[str]:
        """Words as the rules write them: typos repaired, lay words mapped ("down below" -> "groin")."""
        repaired = [_repair(word, self) for word in words]
        return replace_phrases(repaired, self.words, _longest_word(self))


@lru_cache(maxsize=64)
def _words_of(flag: RedFlag) -> frozenset[str]:
    """The telling words of a flag's terms ("faint", "floor", "chest"), not "my", "the", "have" or
    "everything" ("my mum worries about everything" tells no sign)."""
    return frozenset(word.rstrip("*") for rule in flag.all_rules for group in rule for term in group
                     for word in term.words
                     if len(word) >= _TELLING_LENGTH and frequency(word.rstrip("*")) < _EVERYDAY_WORD
                     and word not in _INDEFINITE)


def _split_at_breaks(words: list[str]) -> list[list[str]]:
    """A clause split before "and", "but", "now", ...: each part may tell a different time."""
    parts: list[list[str]] = [[]]
    for word in words:
        if word in _TIME_BREAKS and parts[-1]:
            parts.append([])
        parts[-1].append(word)
    return parts


def find_covered(terms: tuple[Term, ...], words: list[str]) -> set[int]:
    """The positions of `words` that one of `terms` covers."""
    return {start + offset for term, found in find_term_starts(words, terms).items()
            for start in found for offset in range(len(term.words))}


@lru_cache(maxsize=1024)
def _index_by_first_word(terms: tuple[Term, ...]) -> dict[str | tuple[str, str], tuple[Term, ...]]:
    """Terms by their first word, or by its first letters and a * when that word is a prefix; a
    term whose second word must be whole, by its first two words: of the hundreds of terms that
    start with "i" ("i watched a film"), a message's "i have" tries none."""
    index: dict[str | tuple[str, str], list[Term]] = defaultdict(list)
    for term in terms:
        first = term.words[0]
        if len(term.words) > 2 or (len(term.words) == 2 and not term.prefix):
            index[(first, term.words[1])].append(term)
        else:
            index[first[:_MIN_PREFIX] + "*" if term.prefix and len(term.words) == 1 else first].append(term)
    return {key: tuple(found) for key, found in index.items()}


@dataclass(frozen=True)
class _TermIndex:
    terms: tuple[Term, ...]  # every term of every rule
    flags: dict[Term, list[RedFlag]]  # the flags that use a term
    targets: dict[str, list[str]]  # words of the rules and `words`, by first letter, for typo repair
    known: frozenset[str]  # the same words together
    telling: frozenset[str]  # the telling words of every flag (see _words_of)
    # A crisis outranks the emergency signs it may share words with ("not waking up"): the
    # person needs the crisis line; the emergency number is in that reply too.
    by_priority: tuple[RedFlag, ...]


@lru_cache(maxsize=8)
def _index_terms(red_flags: RedFlags) -> _TermIndex:
    flags: dict[Term, list[RedFlag]] = defaultdict(list)
    known: set[str] = set()
    for flag in red_flags.flags:
        for rule in flag.all_rules:
            for group in rule:
                for term in group:
                    if flag not in flags[term]:
                        flags[term].append(flag)
                    known.update(term.words[:-1] if term.prefix else term.words)
    for variant, canonical in red_flags.words.items():
        known.update(variant)
        known.update(canonical)
    targets: dict[str, list[str]] = defaultdict(list)
    # Only words as long as a repaired one: "tita" (an aunt) is no "tia" with a letter too many.
    for word in sorted(known):
        if word.isalpha() and len(word) >= _MIN_REPAIR_LENGTH:
            targets[word[0]].append(word)
    by_priority = tuple(sorted(red_flags.flags, key=lambda flag: flag.kind != "crisis"))
    telling = frozenset(word for flag in red_flags.flags for word in _words_of(flag))
    return _TermIndex(tuple(flags), dict(flags), dict(targets), frozenset(known), telling, by_priority)


@lru_cache(maxsize=8)
def _longest_word(red_flags: RedFlags) -> dict[str, int]:
    return longest_by_first_word(red_flags.words)


# Words shorter than this keep their "-in": "thin" is no "thing", "pin" no "ping".
_MIN_DROPPED_G = 5


@lru_cache(maxsize=16384)
def _with_g(word: str) -> str:
    """The dropped g of speech put back: "jerkin", "bleedin", "wearin off" are "-ing" words, when
    that word is the more common one ("raisin" stays, "basin" too)."""
    if len(word) >= _MIN_DROPPED_G and word.endswith("in") and frequency(word + "g") > frequency(word):
        return word + "g"
    return word


@lru_cache(maxsize=16384)
def _repair(word: str, red_flags: RedFlags) -> str:
    """A misspelt word as the rule word it most likely is ("chst" -> "chest"); real words stay."""
    if len(word) < _MIN_REPAIR_LENGTH or not word.isalpha():
        return word
    targets = _index_terms(red_flags).targets.get(word[0], [])
    squeezed = _REPEATS.sub(r"\1\1", word)
    if squeezed in targets or is_real_word(squeezed):
        return squeezed
    max_edits = 1 if len(squeezed) <= 7 else 2
    best = process.extractOne(squeezed, targets, scorer=OSA.distance, score_cutoff=max_edits)
    if best is None or frequency(squeezed) > frequency(best[0]) - _TYPO_RARITY:
        return word
    return best[0]


def find_term_starts(words: list[str], terms: tuple[Term, ...]) -> dict[Term, list[int]]:
    """Where each term occurs: one pass over the words, whatever the number of terms."""
    by_first = _index_by_first_word(terms)
    starts: dict[Term, list[int]] = {}
    for position, word in enumerate(words):
        following = words[position + 1] if position + 1 < len(words) else ""
        for term in (by_first.get(word, ()) + by_first.get((word, following), ())
                     + by_first.get(word[:_MIN_PREFIX] + "*", ())):
            if term.starts_at(words, position):
                starts.setdefault(term, []).append(position)
    return starts


def parse_term(text: str) -> Term | None:
    text = text.strip().lower()
    prefix = text.endswith("*")
    words = tuple(split_words(text.rstrip("*")))
    if not words or (prefix and len(words) == 1 and len(words[0]) < _MIN_PREFIX):
        return None
    return Term(words, prefix)


def expand_choices(text: str) -> list[str]:
    """Every phrase a context term with choices stands for: "passed out on the (sofa/bed)"."""
    match = _CHOICES.search(text)
    if match is None:
        return [text]
    return [expanded for choice in match.group(1).split("/")
            for expanded in expand_choices(text[:match.start()] + choice + text[match.end():])]


def _alternatives(group: str) -> list[str]:
    """The phrases of a group: "a | b", and a phrase with choices ("bitten by a (snake/spider)") for each."""
    return [phrase for alternative in group.split("|") for phrase in expand_choices(alternative.strip())]


def parse_rule(rule: str) -> tuple[tuple[Term, ...], ...]:
    return tuple(tuple(term for phrase in _alternatives(group) if (term := parse_term(phrase)))
                 for group in rule.split("+"))


def _parse_examples(checker: Checker, flag: Mapping, key: str, what: str) -> tuple[Example, ...]:
    items = flag.get(key)
    if items is None:
        return ()
    if not isinstance(items, Sequence):
        checker.fail(f"`{key}` of {what} should be a list of messages", flag.line_of(key),
                     f"write `{key}:` then one `- message` a line")
        return ()
    return tuple(Example(str(item), items.line_of(index)) for index, item in enumerate(items)
                 if isinstance(item, (str, int, float)))


def _parse_context(checker: Checker, root: Mapping) -> SafetyContext:
    table = root.get("context")
    if table is None:
        return SafetyContext()
    if checker.mapping(table, root.line_of("context"), "`context`") is None:
        return SafetyContext()
    checker.keys(table, set(), set(_CONTEXT_KEYS), "`context`")
    terms = {key: tuple(term for text in checker.text_list(table, key, f"`context: {key}`")
                        for phrase in expand_choices(text) if (term := parse_term(phrase)))
             for key in _CONTEXT_KEYS}
    personal = frozenset(term.words[0] for term in terms.pop("personal"))
    return SafetyContext(personal=personal, **terms)


def _parse_words(checker: Checker, root: Mapping) -> dict[tuple[str, ...], list[str]]:
    table = root.get("words")
    words: dict[tuple[str, ...], list[str]] = {}
    if table is None or checker.mapping(table, root.line_of("words"), "`words`") is None:
        return words
    for canonical in table:
        for variant in checker.text_list(table, canonical, f"the words for {canonical!r}", 1):
            words[tuple(split_words(variant))] = split_words(str(canonical))
    return words


def _parse_rules(checker: Checker, flag: Mapping, key: str, what: str, fewest_groups: int) -> tuple[Rule, ...]:
    if key not in flag:
        return ()
    rules = []
    for rule in checker.text_list(flag, key, what, 1):
        parsed = parse_rule(rule)
        if len(parsed) < fewest_groups:
            checker.fail(f"a rule of `{key}` in {what} has one group", flag.line_of(key),
                         "write the setting, then ` + ` and the signs")
        elif not all(parsed) or any(len(group) != len(_alternatives(raw))
                                    for group, raw in zip(parsed, rule.split("+"))):
            checker.fail(f"a rule of {what} has an empty group or a too short term", flag.line_of(key),
                         f"write terms on both sides of every `+` and `|`, and {_MIN_PREFIX} or "
                         "more letters before a `*`")
        else:
            rules.append(parsed)
    return tuple(rules)


def parse_red_flags(data: object, path: Path) -> tuple[RedFlags, list[KnowledgeError]]:
    checker = Checker(path, KnowledgeError)
    root = checker.mapping(data, 1, "the red flags file")
    flags: list[RedFlag] = []
    if root is None:
        return RedFlags(), checker.errors  # type: ignore[return-value]
    checker.keys(root, {"red_flags"}, {"words", "context", "calm_examples"}, "the red flags file")
    items = root.get("red_flags")
    if not isinstance(items, Sequence) or not items:
        checker.fail("`red_flags` should be a non-empty list", root.line_of("red_flags"),
                     "list the flags as `- id: ...` items")
        return RedFlags(), checker.errors  # type: ignore[return-value]
    seen: set[str] = set()
    for index, item in enumerate(items):
        flag = checker.mapping(item, items.line_of(index), f"red flag {index + 1}")
        if flag is None:
            continue
        checker.keys(flag, {"id", "kind", "label", "match"}, {"negatable", "passes", "examples", "near_misses",
                                                              "across_sentences"}, f"red flag {index + 1}")
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
        negatable, passes = flag.get("negatable", True), flag.get("passes", True)
        for key, value in (("negatable", negatable), ("passes", passes)):
            if not isinstance(value, bool):
                checker.fail(f"`{key}` in {what} should be true or false", flag.line_of(key),
                             f"write `{key}: false` or remove the key")
        negatable, passes = negatable is not False, passes is not False
        rules = _parse_rules(checker, flag, "match", what, 1)
        across = _parse_rules(checker, flag, "across_sentences", what, 2)
        flags.append(RedFlag(flag_id, kind or "emergency", label, rules, negatable,
                             _parse_examples(checker, flag, "examples", what),
                             _parse_examples(checker, flag, "near_misses", what), across, passes))
    red_flags = RedFlags(tuple(flags), _parse_words(checker, root), _parse_context(checker, root),
                         _parse_examples(checker, root, "calm_examples", "the red flags file"))
    return red_flags, checker.errors  # type: ignore[return-value]
