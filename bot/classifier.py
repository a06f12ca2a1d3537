"""A multinomial logistic regression (scikit-learn) over a message's features, kept as plain arrays.

Two readers use one: triage (is this an emergency?) and the intent model (which entry does this
message ask?). Both learn from reviewed examples in the knowledge files, so the same files always
give the same model. Fitting takes about a second; the arrays are cached in the user's cache folder
by a hash of everything the model learns from, and read back without importing scikit-learn.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import numpy as np


# Models kept in the cache folder per name (urgency, intent).
_MODELS_KEPT = 8


@dataclass(frozen=True, eq=False)
class LinearModel:
    features: dict[str, int]
    weights: np.ndarray  # one row per class, one column per feature
    biases: np.ndarray
    classes: tuple[str, ...]

    def probabilities(self, features: list[str]) -> np.ndarray:
        """Each class's probability, in the order of `classes`."""
        columns = sorted({self.features[feature] for feature in features if feature in self.features})
        scores = self.biases + self.weights[:, columns].sum(axis=1)
        probabilities = np.exp(scores - scores.max())
        return probabilities / probabilities.sum()


def trained_model(name: str, fingerprint: object, samples: Sequence[Any], labels: list[str], strength: float,
                  read: Callable[[Any], list[str]], tolerance: float = 1e-4) -> LinearModel:
    """The model of these samples (texts, or JSON-able tuples), each `read` into features; from the
    cache when the samples, labels and `fingerprint` (everything a reading depends on, JSON-able)
    were seen before.

    `strength` is scikit-learn's C (inverse regularisation), `tolerance` its stopping criterion."""
    key = hashlib.sha256(json.dumps([fingerprint, strength, tolerance, samples, labels]).encode()).hexdigest()
    cached = _load_model(name, key)
    if cached is not None:
        return cached
    return _save_model(name, key, _fit([read(sample) for sample in samples], labels, strength, tolerance))


def _fit(readings: list[list[str]], labels: list[str], strength: float, tolerance: float) -> LinearModel:
    # Imported here: scikit-learn takes half a second to import, and a cached model needs none of it.
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = CountVectorizer(analyzer=lambda reading: reading, binary=True)
    regression = LogisticRegression(C=strength, max_iter=2000, tol=tolerance)
    regression.fit(vectorizer.fit_transform(readings), labels)
    features = {str(feature): int(column) for feature, column in vectorizer.vocabulary_.items()}
    weights, biases = regression.coef_, regression.intercept_
    if len(regression.classes_) == 2:
        # scikit-learn keeps one row for two classes; two rows read the same as many.
        weights, biases = np.vstack([-weights / 2, weights / 2]), np.array([-biases[0] / 2, biases[0] / 2])
    return LinearModel(features, weights, biases, tuple(str(label) for label in regression.classes_))


def _model_path(name: str, key: str) -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "health-faq-bot" / f"{name}-{key[:32]}.npz"


def _load_model(name: str, key: str) -> LinearModel | None:
    """The model these examples trained before, from the user's cache folder: arrays, no code."""
    path = _model_path(name, key)
    try:
        with np.load(path, allow_pickle=False) as saved:
            names = [str(feature) for feature in saved["features"]]
            model = LinearModel(dict(zip(names, range(len(names)))), saved["weights"], saved["biases"],
                                tuple(str(label) for label in saved["classes"]))
    except (OSError, ValueError, KeyError):
        return None
    try:
        os.utime(path)  # used now: the pruning keeps the models used last, not those made last
    except OSError:
        pass
    return model


def _save_model(name: str, key: str, model: LinearModel) -> LinearModel:
    """Keep the model for the next start; a folder that cannot be written costs only the time."""
    path = _model_path(name, key)
    names = sorted(model.features, key=model.features.__getitem__)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
        np.savez(partial, features=np.array(names), weights=model.weights, biases=model.biases,
                 classes=np.array(model.classes))
        os.replace(partial, path)
        # Every edit of the knowledge makes a new model: keep the few used last of each name.
        saved = sorted(path.parent.glob(f"{name}-*.npz"), key=lambda old: old.stat().st_mtime, reverse=True)
        for old in saved[_MODELS_KEPT:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
    return model


def canonical(value: object) -> object:
    """A JSON-able form of a value, for a fingerprint: sets and dicts come out sorted (a set's own
    order changes from one process to the next, and the cache key must not), paths not at all."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: canonical(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, dict):
        return sorted([json.dumps(canonical(key)), canonical(item)] for key, item in value.items())
    if isinstance(value, (set, frozenset)):
        return sorted(json.dumps(canonical(item)) for item in value)
    if isinstance(value, (list, tuple)):
        return [canonical(item) for item in value]
    return None if isinstance(value, PurePath) else value  # where a file is says nothing of its words
