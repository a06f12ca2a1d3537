"""The intent model: which entry a whole message asks about, learnt from reviewed example messages.

Matching scores a message against each entry's short questions. A real post ("been running five
years, upped my mileage, now my glute seizes around mile 8: training harder, or something else?")
shares few words with any of them. So each entry's `examples` (whole messages people sent, in the
editors' words) and the not-covered file's `examples` (messages in the articles' words that no
article answers) train a logistic regression over the matcher's stems and stem pairs. The responder
asks it only when matching is unsure, and lets it decline an answer when it is sure no article
answers the message. Without examples there is no model and matching alone decides.
"""

from __future__ import annotations

from dataclasses import dataclass

from .classifier import LinearModel, canonical, trained_model
from .knowledge import Knowledge
from .matcher import Matcher
from .vocabulary import split_words

NOT_ANSWERED = "(not answered)"
# Inverse regularisation strength of the regression (scikit-learn's C). The fit runs to
# scikit-learn's default tolerance: a looser one stopped early, and one new synonym then moved
# replies to messages that did not use it.
_STRENGTH = 10.0
# Part of the cache key: change it when the features or the fitting change.
_MODEL_VERSION = 1


@dataclass(frozen=True)
class Intent:
    """The likeliest entry (or NOT_ANSWERED), its probability, and that of no entry at all."""

    entry_id: str
    probability: float
    not_answered: float


class IntentModel:
    def __init__(self, knowledge: Knowledge, matcher: Matcher) -> None:
        self.matcher = matcher
        self.model = _train(knowledge, matcher)

    def knows(self, entry_id: str) -> bool:
        return self.model is not None and entry_id in self.model.classes

    def learnt(self, stem: str) -> bool:
        """Whether the entries' examples used the word ("shift", "barely"): then the model's reading
        weighs it. Not a word it learnt as what no article answers ("hamstring")."""
        if self.model is None or stem not in self.model.features:
            return False
        weights = self.model.weights[:, self.model.features[stem]]
        return self.model.classes[int(weights.argmax())] != NOT_ANSWERED

    def read(self, text: str, after: str | None = None) -> Intent | None:
        """The model's reading of a message; `after`: the entry answered just before, for a
        follow-up ("how much exactly" after the water answer)."""
        if self.model is None:
            return None
        probabilities = self.model.probabilities(_features(self.matcher, text, after))
        best = int(probabilities.argmax())
        classes = self.model.classes
        not_answered = float(probabilities[classes.index(NOT_ANSWERED)]) if NOT_ANSWERED in classes else 0.0
        return Intent(classes[best], float(probabilities[best]), not_answered)


def _features(matcher: Matcher, text: str, after: str | None = None) -> list[str]:
    """The message's stems as matching reads them (typos repaired, synonyms mapped), and pairs;
    for a follow-up, the entry it follows, alone and with each stem."""
    stems = list(matcher.stems_of(split_words(text)))
    features = stems + [f"{first} {second}" for first, second in zip(stems, stems[1:])]
    if after is not None:
        features += [f"after {after}"] + [f"after {after} {stem}" for stem in stems]
    return features


def _train(knowledge: Knowledge, matcher: Matcher) -> LinearModel | None:
    """Trained on the entries that have examples (their questions and follow-ups too), and the
    messages no article answers; a library without examples needs no model."""
    samples: list[tuple[str, str | None]] = []
    labels: list[str] = []
    for entry in knowledge.entries.values():
        if entry.examples:
            samples += [(text, None) for text in (*entry.questions, *entry.examples)]
            samples += [(text, after) for after, text in entry.follow_ups]
            labels += [entry.id] * (len(entry.questions) + len(entry.examples) + len(entry.follow_ups))
    if len(set(labels)) < 2:
        return None
    samples += [(text, None) for text in knowledge.scope.examples]
    labels += [NOT_ANSWERED] * len(knowledge.scope.examples)
    # Everything a reading depends on besides the texts: the words typos are repaired towards and
    # the vocabulary (synonyms, stop words), in an order that is the same in every process.
    fingerprint = [_MODEL_VERSION, sorted(matcher.normaliser.known_words), canonical(knowledge.vocabulary)]
    return trained_model("intent", fingerprint, samples, labels, _STRENGTH,
                         lambda sample: _features(matcher, *sample))
