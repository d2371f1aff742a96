"""A second look at the topic match: the releases that read like the ones it took (pseudo-relevance feedback).

The topic match (``rag.collect.topic``) scores each release of a window on its own words. Releases about
one topic read like each other, whatever words the question used, so a release much like the ones the
topic match takes is likelier about the topic, and one unlike them likelier not. Each candidate of the
window gets its TF-IDF cosine (scikit-learn; the title twice and the first ``TEXT_CHARS`` characters of
the body, over the window's candidates) to the releases the topic match takes at its threshold (the best
one when it takes none; itself left out), and that cosine over the window's highest; with the topic
match's logit, and the three again times whether the topic is worded as releases word it (some release of
the window holds its word runs), so the fit weighs likeness apart for topics worded so and for topics
described, a second logistic regression fitted by ``bench/fit_topic_feedback.py`` decides, at its own
threshold. That script fits it on the topic match's *out-of-fold* logits (for each set, from weights
fitted without it) and scores it on each set held out in turn. Weights: ``feedback_weights.json`` beside
this file. Switch: ``FEEDBACK``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from ..fitted import LinearModel, load_model, logit, read_weights
from ..models import Release

__all__ = ["FEATURES", "FEEDBACK", "TEXT_CHARS", "WEIGHTS", "Feedback", "feedback_rows", "likeness", "load_feedback"]

FEEDBACK = True
WEIGHTS = Path(__file__).with_name("feedback_weights.json")
SCRIPT = "bench/fit_topic_feedback.py"
FEATURES = ("topic_logit", "like_taken", "like_taken_rel", "words_used",
            "words_used_topic_logit", "words_used_like_taken", "words_used_like_taken_rel")
TEXT_CHARS = 3000


def _text(release: Release) -> str:
    return f"{release.title} {release.title} {release.body[:TEXT_CHARS]}"


def likeness(texts: Sequence[str], taken: Sequence[int]) -> list[float]:
    """Each text's mean TF-IDF cosine to the texts at the indices ``taken`` (itself left out; 1.0 when
    it is the only one taken), the IDF over ``texts``."""
    if len(texts) < 2:
        return [1.0] * len(texts)
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
    except ValueError:  # no word left (stop words only)
        return [0.0] * len(texts)
    cos = (matrix @ matrix[list(taken)].T).toarray()
    out = []
    for i in range(len(texts)):
        others = [cos[i, j] for j, k in enumerate(taken) if k != i]
        out.append(float(sum(others) / len(others)) if others else 1.0)
    return out


def feedback_rows(releases: Sequence[Release], logits: Sequence[float], threshold: float,
                  runs: Sequence[float]) -> list[list[float]]:
    """One row of :data:`FEATURES` per release: the topic match's logit, its likeness to the releases
    whose logit reaches ``threshold`` (a probability; the best release when none does), that over the
    window's highest likeness; whether the topic is worded as releases word it (a release of the window
    holds its word runs: ``runs``, the topic match's ``runs_sentence`` per release), and that times each
    of the three, so the fit weighs likeness apart for topics worded so and for topics described."""
    if not releases:
        return []
    z = logit(threshold)
    taken = [i for i, v in enumerate(logits) if v >= z] or [max(range(len(logits)), key=lambda i: logits[i])]
    like = likeness([_text(r) for r in releases], taken)
    top = max(like) or 1.0
    used = float(max(runs, default=0.0) > 0)
    return [[float(v), s, s / top, used, used * float(v), used * s, used * s / top] for v, s in zip(logits, like)]


@dataclass(frozen=True)
class Feedback:
    """The fitted second stage and its threshold (a probability)."""

    model: LinearModel
    threshold: float

    def keep(self, releases: Sequence[Release], logits: Sequence[float], first_threshold: float,
             runs: Sequence[float]) -> list[bool]:
        """Whether each release is about the topic, given the topic match's ``logits``, threshold and word
        runs (see ``feedback_rows``)."""
        probs = self.model.predict(feedback_rows(releases, logits, first_threshold, runs))
        return [p >= self.threshold for p in probs]


@lru_cache(maxsize=4)
def load_feedback(path: str = str(WEIGHTS)) -> Feedback:
    """The shipped (or given) second stage."""
    model = load_model(path, "topic feedback", FEATURES, SCRIPT)
    return Feedback(model, float(read_weights(path, "topic feedback", SCRIPT)["threshold"]))
