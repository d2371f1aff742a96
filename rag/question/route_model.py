"""A fitted reading of which way a question goes, for the questions the route's patterns miss.

``load_route_model().probabilities(question)`` -> {"fact": p, "aggregate": p, "case": p}: a multinomial
logistic regression over the question's word unigrams and bigrams, TF-IDF weighted exactly as
scikit-learn's ``TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)`` weights them (lower
case, words of two or more letters or digits, tf -> 1 + log tf, times the IDF, unit length).
The vocabulary, IDF, weights and the thresholds on 1 - P(fact) at or over which a question the
patterns leave to "fact" goes to the case route or the list route (``rag.question.route.route``) are
in ``route_weights.json``, written by ``bench/fit_route.py`` (fitted on the tuning files' questions,
the thresholds chosen leaving one file out); nothing here is hand-set.
"""
from __future__ import annotations

import functools
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..fitted import read_weights

__all__ = ["WEIGHTS", "RouteModel", "load_route_model", "reads_case", "reads_list", "terms"]

WEIGHTS = Path(__file__).with_name("route_weights.json")
_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token_pattern


def terms(text: str) -> Counter:
    """The question's unigrams and bigrams, counted, as the vectorizer reads them."""
    words = _TOKEN.findall((text or "").lower())
    return Counter(words + [f"{a} {b}" for a, b in zip(words, words[1:])])


@dataclass(frozen=True)
class RouteModel:
    classes: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: tuple[float, ...]
    coef: tuple[tuple[float, ...], ...]  # one row per class, one column per vocabulary term
    intercept: tuple[float, ...]
    threshold: float  # 1 - P(fact) at or over which the route takes the model's case reading
    list_threshold: float | None = None  # ... its count-or-list reading, as a list (None: never)

    def vector(self, text: str) -> dict[int, float]:
        """The question's TF-IDF vector (sparse: term index -> weight)."""
        raw = {self.vocabulary[t]: (1.0 + math.log(n)) * self.idf[self.vocabulary[t]]
               for t, n in terms(text).items() if t in self.vocabulary}
        norm = math.sqrt(sum(v * v for v in raw.values()))
        return {i: v / norm for i, v in raw.items()} if norm else {}

    def probabilities(self, text: str) -> dict[str, float]:
        """P(class) for each of ``classes`` (a softmax over the classes' linear scores)."""
        vec = self.vector(text)
        logits = [b + sum(row[i] * v for i, v in vec.items()) for row, b in zip(self.coef, self.intercept)]
        top = max(logits)
        exp = [math.exp(z - top) for z in logits]
        return {c: e / sum(exp) for c, e in zip(self.classes, exp)}

    @classmethod
    def from_dict(cls, data: dict) -> "RouteModel":
        return cls(tuple(data["classes"]), {t: i for i, t in enumerate(data["vocabulary"])}, tuple(data["idf"]),
                   tuple(tuple(r) for r in data["coef"]), tuple(data["intercept"]), float(data["threshold"]),
                   None if data.get("list_threshold") is None else float(data["list_threshold"]))


def reads_case(p: dict[str, float], threshold: float) -> bool:
    """Whether probabilities ``p`` make a question the patterns left to "fact" a case question:
    1 - P(fact) at or over ``threshold``, and a case history likelier than a count or list."""
    return 1.0 - p["fact"] >= threshold and p["case"] > p["aggregate"]


def reads_list(p: dict[str, float], threshold: float | None) -> bool:
    """Whether probabilities ``p`` make a question the patterns left to "fact" a list question:
    1 - P(fact) at or over ``threshold`` (None: never), and a count or list at least as likely as a
    case history (``reads_case`` is asked first)."""
    return threshold is not None and 1.0 - p["fact"] >= threshold and p["aggregate"] >= p["case"]


@functools.cache
def load_route_model(path: str = str(WEIGHTS)) -> RouteModel:
    return RouteModel.from_dict(read_weights(path, "route", "bench/fit_route.py"))
