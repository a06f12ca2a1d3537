"""Triage: is a message an emergency? The red-flag rules first, then a model of their examples.

Rules are exact and reviewable, but people describe an emergency in more ways than any list holds
("someone turned off the power to my leg"). So a logistic regression (scikit-learn) learns from
the examples and near misses the clinician reviews in red-flags.yaml, with the knowledge base's
own questions and example messages and the messages not-covered.yaml lists as ordinary messages (not
the small talk, so that a new "thanks" phrase cannot move an alarm), and
catches what the rules miss. It only adds alarms: it never silences a rule; where the rules found
a sign only talked about ("what are the signs of a stroke", the past, a figure of speech) it
alarms only when far surer; and it stays out when they found no sign and nothing happening now
(general questions, "say I slip on the ice and can't get up").
Trained when the knowledge loads (see classifier.py); the same files always give the same model.
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from pathlib import Path

import snowballstemmer

from .classifier import LinearModel, canonical, trained_model
from .errors import KnowledgeError
from .knowledge import Knowledge
from .safety import Assessment, RedFlag, RedFlags
from .vocabulary import CLAUSE_BREAKS, Vocabulary, split_words

CALM = "calm"
# The model alarms when it gives the emergency classes together at least this probability.
# Measured on the two never-tuned safety batches: see README, Safety. 0.45, tried at stop 20,
# caught two more emergencies but sent a postman's "near the end of my round" to a crisis line;
# at stop 23, with the entries' example stories as ordinary messages, it kept every emergency the
# stories alone cost (README, Safety).
_ALARM = 0.45
# ...and at least this when the rules read the message as only talk of a sign. At stop 20, of every
# batch's look-alikes read so, one reached it (a film's "her throat closed up", 0.98) and the next
# was 0.67; the emergencies read so scored 0.99, 0.89, 0.60, 0.57 and 0.20 (README, Safety).
_ALARM_OVER_TALK = 0.8
# Ordinary messages it learns from: every question and example of a small knowledge base, a
# spread of a large one (training time grows with them).
_MOST_ORDINARY = 2000
# Inverse regularisation strength of the regression (scikit-learn's C).
_STRENGTH = 3.0
# Part of the cache key: change it when the features or the fitting change.
_MODEL_VERSION = 4
# "No" and "without" deny the few words after them, up to a clause break; "not" and "cannot" are
# left alone, as they tell many signs ("cannot feel", "not breathing").
_DENIALS = frozenset({"no", "without", "nor"})
_DENIAL_REACH = 3
_STEMMER = snowballstemmer.stemmer("english")


class Triage:
    """The safety check every message goes through before anything else."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.red_flags = knowledge.red_flags
        self.vocabulary = knowledge.vocabulary
        self._flags = {flag.id: flag for flag in self.red_flags.flags}
        self.model = _trained(self.red_flags, self.vocabulary, _ordinary_messages(knowledge))

    def assess(self, text: str) -> Assessment:
        found = self.red_flags.assess(text, self.vocabulary)
        talk = bool(found.mentioned or found.dismissed)
        if found.flag or self.model is None or (found.only_talk and not talk) or not self._says_something(text):
            return found
        # Where the rules read a sign only talked of, the model must be far surer to alarm: the
        # rules' reading of the past, a question or a figure of speech can be wrong.
        probabilities = self.model.probabilities(_features(self.red_flags, self.vocabulary, text))
        flags = [(probability, label) for probability, label in zip(probabilities, self.model.classes)
                 if label != CALM]
        urgency = 1.0 - probabilities[self.model.classes.index(CALM)]
        needed = _ALARM_OVER_TALK if talk else _ALARM
        if urgency < needed:
            return found
        # The kind first, by all its flags together: a stroke the model spreads over stroke, fainting
        # and leg weakness is an emergency, however sure it is of the one crisis flag.
        by_kind: dict[str, float] = {}
        for probability, label in flags:
            by_kind[self._flags[label].kind] = by_kind.get(self._flags[label].kind, 0.0) + probability
        kind = max(by_kind, key=lambda name: by_kind[name])
        _, flag = max((probability, label) for probability, label in flags if self._flags[label].kind == kind)
        return Assessment(flag=self._flags[flag])

    def _says_something(self, text: str) -> bool:
        """A word beyond small words, fillers and "now": "and right now?" or "like right now tho"
        after an answer tells the model nothing of a sign, and it once read the crisis line into it."""
        return not self._empty_words.issuperset(self.vocabulary.expand_contractions(split_words(text)))

    @cached_property
    def _empty_words(self) -> frozenset[str]:
        now = {word for term in self.red_flags.context.now for word in term.words}
        fillers = {filler for filler in self.vocabulary.filler_words if " " not in filler}
        return frozenset(self.vocabulary.stop_words | self.vocabulary.question_words | fillers | CLAUSE_BREAKS | now)


def _ordinary_messages(knowledge: Knowledge) -> tuple[str, ...]:
    """The entries' example stories too: with only short questions as ordinary messages, the model
    had learnt that a long story is an emergency ("...is he right?" raised a stroke at stop 22)."""
    messages = [text for entry in knowledge.entries.values()
                for text in (*entry.questions, *entry.examples)]
    step = max(1, len(messages) // _MOST_ORDINARY)
    return tuple(messages[::step]) + knowledge.scope.examples


# Recent models by the files they came from: tests and reloads build many triages of one knowledge.
_MODELS: list[tuple[RedFlags, Vocabulary, tuple[str, ...], LinearModel | None]] = []
_MODELS_KEPT = 4


def _trained(red_flags: RedFlags, vocabulary: Vocabulary, ordinary: tuple[str, ...]) -> LinearModel | None:
    for flags, words, messages, model in _MODELS:
        if flags is red_flags and words is vocabulary and messages == ordinary:
            return model
    model = _train(red_flags, vocabulary, ordinary)
    _MODELS.insert(0, (red_flags, vocabulary, ordinary, model))
    del _MODELS[_MODELS_KEPT:]
    return model


@lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    """Snowball's stem, remembered: the stemmer is pure Python, and people repeat their words."""
    return _STEMMER.stemWord(word)


def _features(red_flags: RedFlags, vocabulary: Vocabulary, text: str) -> list[str]:
    """The message's stems in the rules' plain reading, and each pair of neighbours. A word a "no"
    denies is a word of its own ("no numbness between my legs" is not numbness), which the
    examples teach as they teach the rest ("no feeling in my legs" is an emergency)."""
    words = red_flags.read_plain(
        vocabulary.expand_contractions(red_flags.separate_glued(split_words(text), vocabulary)))
    stems, denied = [], 0
    for word in words:
        if word in _DENIALS:
            denied = _DENIAL_REACH
        elif word in CLAUSE_BREAKS:
            denied = 0
        elif denied:
            denied -= 1
            stems.append(f"no {_stem(word)}")
            continue
        stems.append(_stem(word))
    return stems + [f"{first} {second}" for first, second in zip(stems, stems[1:])]


def _train(red_flags: RedFlags, vocabulary: Vocabulary, ordinary: tuple[str, ...]) -> LinearModel | None:
    texts, labels = [], []
    for flag in red_flags.flags:
        texts += [example.text for example in flag.examples]
        labels += [flag.id] * len(flag.examples)
        texts += [example.text for example in flag.near_misses]
        labels += [CALM] * len(flag.near_misses)
    texts += [example.text for example in red_flags.calm_examples] + list(ordinary)
    labels += [CALM] * (len(texts) - len(labels))
    if len(set(labels)) < 2 or CALM not in labels:
        return None
    # Everything a reading depends on besides the texts: the rules' words and the contractions.
    reading_rules = [_MODEL_VERSION, canonical(red_flags.words),
                     canonical([flag.all_rules for flag in red_flags.flags]), canonical(vocabulary.contractions)]
    return trained_model("urgency", reading_rules, texts, labels, _STRENGTH,
                         lambda text: _features(red_flags, vocabulary, text))


def failing_examples(triage: Triage, path: Path) -> list[KnowledgeError]:
    """Each example that does not raise its flag (or one of its kind), and each near miss or
    calm example that raises any."""
    errors = []
    for flag in triage.red_flags.flags:
        for example in flag.examples:
            found = triage.assess(example.text).flag
            if found is None or found.kind != flag.kind:
                got = f"raises {found.id!r}" if found else "raises no flag"
                errors.append(KnowledgeError(f"the example {example.text!r} of {flag.id!r} {got}", path,
                                             example.line, fix="widen a rule of the flag, or move the example"))
        errors += _raising(triage, flag.near_misses, path, f"near miss of {flag.id!r}")
    errors += _raising(triage, triage.red_flags.calm_examples, path, "calm example")
    return errors


def _raising(triage: Triage, examples: tuple, path: Path, what: str) -> list[KnowledgeError]:  # type: ignore[type-arg]
    errors = []
    for example in examples:
        found: RedFlag | None = triage.assess(example.text).flag
        if found is not None:
            errors.append(KnowledgeError(
                f"the {what} {example.text!r} raises {found.id!r}", path, example.line,
                fix="narrow the rule, or add the figure of speech to `context: idioms`"))
    return errors
