"""Where a case stands: the sentences of its latest release that state it, picked by a fitted model.

A case's answer opens with its latest release's step sentence ("... was sentenced today to ...");
where the case stands often sits further down ("The other defendants remain pending", "Alleyne was
sentenced to 20 to 30 years"). Each sentence of that release gets features that carry across
cases -- where it sits, whether it states a term, an outcome word, the release's own step or any
step (``rag.text.steps``) -- and a logistic regression fitted on the case questions of the count-
and-case sets (``bench/fit_case_status.py``: a sentence holding the question's latest outcome is a
positive, each set held out in turn) scores them; the ``STATUS_SENTENCES`` best follow the step
sentence. Feature groups that did not earn their place in the fit's leave-one-group-out table
(whether it names the person, quotes someone, states only a possible outcome, repeats the title)
were left out. The weights ship as ``status_weights.json`` beside this file.
"""
from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

from ..fitted import LinearModel, load_model
from ..models import Release
from ..text.steps import OUTCOME, STEP_PATTERNS, TERM
from .match import lead_spans

__all__ = ["FEATURES", "GROUPS", "STATUS_SENTENCES", "WEIGHTS", "candidates", "features", "load_status",
           "status_spans"]

WEIGHTS = Path(__file__).with_name("status_weights.json")
STATUS_SENTENCES = 3  # after the step sentence; 2 before stop 56 (bench/collect.py row "two status sentences")
MAX_SENTENCES = 80  # of the release read

GROUPS = {  # feature groups, each left out in turn by the fit
    "position": ("position", "first", "first_three"),
    "outcome": ("term", "outcome_word", "own_step", "any_step", *(f"step_{s}" for s in STEP_PATTERNS)),
}
FEATURES = tuple(f for group in GROUPS.values() for f in group)


def candidates(release: Release) -> list[tuple[int, int]]:
    """The sentences read: the release's sentences that say more than its title (``lead_spans``)."""
    return lead_spans(release, limit=MAX_SENTENCES)


def features(release: Release, spans: list[tuple[int, int]], step: str = "") -> list[list[float]]:
    """One row of :data:`FEATURES` per span of ``release``; ``step`` is the release's own step label."""
    rows = []
    for i, (start, end) in enumerate(spans):
        text = release.body[start:end]
        row = [math.log1p(i), float(i == 0), float(i < 3),
               float(bool(TERM.search(text))), float(bool(OUTCOME.search(text))),
               float(bool(step and STEP_PATTERNS[step].search(text))),
               float(any(p.search(text) for p in STEP_PATTERNS.values())),
               *(float(bool(p.search(text))) for p in STEP_PATTERNS.values())]
        rows.append(row)
    return rows


@lru_cache(maxsize=4)
def load_status(path: str = str(WEIGHTS)) -> LinearModel:
    """The shipped (or given) fitted status model."""
    return load_model(path, "case status", FEATURES, "bench/fit_case_status.py")


def status_spans(release: Release, skip: tuple[int, int], step: str = "", k: int | None = None) -> list[tuple[int, int]]:
    """The ``k`` (default ``STATUS_SENTENCES``) sentences of ``release`` the model scores highest,
    ``skip`` (the step sentence already shown) left out, in body order."""
    k = STATUS_SENTENCES if k is None else k
    spans = candidates(release)
    if k <= 0 or not spans:
        return []
    scores = load_status().logits(features(release, spans, step))
    ranked = sorted(range(len(spans)), key=lambda i: (-scores[i], i))
    best = [spans[i] for i in ranked if not (spans[i][0] < skip[1] and skip[0] < spans[i][1])]
    return sorted(best[:k])
