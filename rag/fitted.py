"""A fitted linear model shipped as JSON beside the code that computes its features.

Each feature is standardised (``mean``, ``scale``), then a logistic regression's ``coef`` and
``intercept`` turn a row into a probability. The JSON is written by a fitting script under
``bench/`` (``bench/common.py``: ``fit_linear``), with the fit's cross-validated scores under
``"fit"``; nothing here is hand-set. Used by the sentence reader (``rag.answer.reader``) and by
a case's status sentences (``rag.collect.status``).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .errors import ConfigError

__all__ = ["LinearModel", "load_model", "logit", "read_weights", "sigmoid"]


def logit(p: float) -> float:
    """The log-odds of probability ``p`` (0 < p < 1): a probability threshold as a cut on ``logits``."""
    return math.log(p / (1 - p))


def sigmoid(z: float) -> float:
    """The probability of log-odds ``z``, computed on the side where ``exp`` cannot overflow."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True)
class LinearModel:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def logits(self, rows: Sequence[Sequence[float]]) -> list[float]:
        return [self.intercept + sum(w * (x - mu) / s for w, x, mu, s in zip(self.coef, row, self.mean, self.scale))
                for row in rows]

    def predict(self, rows: Sequence[Sequence[float]]) -> list[float]:
        """P(positive), one per row (no overflow however far a row's logit is from 0)."""
        return [sigmoid(z) for z in self.logits(rows)]

    @classmethod
    def from_dict(cls, data: dict):
        return cls(tuple(data["features"]), tuple(data["mean"]), tuple(data["scale"]), tuple(data["coef"]),
                   float(data["intercept"]))


def read_weights(path: str | Path, what: str, script: str) -> dict:
    """The JSON at ``path``; a ``ConfigError`` naming ``what`` and the ``script`` that fits it when
    it is missing or not JSON."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{what} weights not found: {path} (fit them with {script})") from None
    except ValueError as exc:
        raise ConfigError(f"{what} weights {path} are not JSON: {exc}") from None


def load_model(path: str | Path, what: str, features: Sequence[str], script: str, cls=LinearModel):
    """The model (of class ``cls``) in the JSON at ``path``; a ``ConfigError`` when it was fitted
    on other features than ``features`` (this version's), naming the ``script`` that refits it."""
    data = read_weights(path, what, script)
    if tuple(data["features"]) != tuple(features):
        raise ConfigError(f"{Path(path).name} was fitted on features {list(data['features'])}; this version computes "
                          f"{list(features)}: refit with {script}")
    return cls.from_dict(data)
