"""bench/common.py ``fit_listwise``: the sentence reader's listwise fit (one softmax per question).

Its gradient is checked against central differences of its own loss (the reference), and the fit
on a synthetic set where the answer is known: one sentence per question is marked by a feature
within the question, and a second feature moves every sentence of a question alike, so it can
never change a ranking.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

pytest.importorskip("sklearn")
pytest.importorskip("scipy")

from common import fit_listwise, listwise_loss, predict_linear  # noqa: E402

from rag.fitted import LinearModel  # noqa: E402


def _questions(seed: int, n: int = 200) -> list[dict]:
    """``n`` questions of 8 sentences, one positive: feature 0 is noise plus 1.5 on the positive,
    feature 1 the question's own level, the same on all its sentences."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        level, marks, pos = rng.normal(), rng.normal(size=8), int(rng.integers(8))
        marks[pos] += 1.5
        out.append({"X": [[float(m), float(level)] for m in marks], "y": [int(i == pos) for i in range(8)]})
    return out


def test_gradient_matches_central_differences_of_the_loss():
    records = _questions(0, 30)
    loss = listwise_loss(records, np.zeros(2), np.ones(2), 0.01)
    w = np.array([0.7, -0.3])
    _, grad = loss(w)
    h = 1e-6  # float64 central differences: error ~h**2 from the curvature plus ~1e-16/h from rounding, both < 1e-7
    numeric = [(loss(w + h * e)[0] - loss(w - h * e)[0]) / (2 * h) for e in np.eye(2)]
    assert np.allclose(grad, numeric, atol=1e-6)


def test_fit_ranks_by_the_marking_feature_and_loads_as_a_linear_model():
    weights = fit_listwise(_questions(1), 0.01, ["marks", "level"])
    model = LinearModel.from_dict(weights)
    assert model.features == ("marks", "level")
    marks, level = weights["coef"]
    assert marks > 0
    # the level has no gradient but the penalty's (it shifts a whole softmax): its weight goes to ~0
    assert abs(level) < 0.05 * marks
    test = _questions(2)
    scores = predict_linear(weights, test)
    top1 = np.mean([r["y"][int(np.argmax(s))] for r, s in zip(test, scores)])
    # the best possible ranker here is "the largest mark": its top-1 on the same questions
    best = np.mean([r["y"][int(np.argmax([row[0] for row in r["X"]]))] for r in test])
    assert top1 == best
    # the calibrated probabilities put positives above negatives on average
    probs = [(p, y) for r in test for p, y in zip(model.predict(r["X"]), r["y"])]
    assert np.mean([p for p, y in probs if y]) > np.mean([p for p, y in probs if not y])
