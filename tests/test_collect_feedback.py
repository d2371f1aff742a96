"""The topic match's second look (rag/collect/feedback.py): releases like the ones it took."""
from __future__ import annotations

import json

import pytest

from rag.collect import feedback
from rag.models import Release

BUYBACK = "The district attorney held a gun buyback in Brownsville; residents turned in forty firearms and rifles."


def _release(rid: str, title: str, body: str) -> Release:
    return Release(id=rid, title=title, date="2025-03-01", url=None, source="kings_ny", body=body, path=f"{rid}.txt")


def test_likeness_is_highest_for_texts_like_the_taken_ones():
    texts = [BUYBACK, BUYBACK.replace("Brownsville", "Canarsie"), "A bookkeeper was charged with tax fraud and theft."]
    like = feedback.likeness(texts, [0])
    assert like[1] > like[2]  # the other buyback reads like the one taken; the fraud does not
    assert like[0] == 1.0  # the only release taken is compared with nothing but itself
    both = feedback.likeness(texts, [0, 1])
    assert both[0] == pytest.approx(both[1])  # one cosine each way: float64 sums, equal well within 1e-6
    assert feedback.likeness(["only one"], [0]) == [1.0]


def test_rows_take_the_best_release_when_none_reaches_the_threshold():
    releases = [_release("a", "Gun Buyback", BUYBACK), _release("b", "Gun Buyback in Canarsie", BUYBACK),
                _release("c", "Bookkeeper Charged", "A bookkeeper was charged with tax fraud and theft.")]
    rows = feedback.feedback_rows(releases, [-1.0, -2.0, -3.0], 0.75, [0, 0, 0])  # none reaches 0.75: "a" is taken
    assert [r[0] for r in rows] == [-1.0, -2.0, -3.0]
    assert rows[0][1] == 1.0 and rows[1][1] > rows[2][1] and max(r[2] for r in rows) == 1.0
    assert feedback.feedback_rows([], [], 0.75, []) == []


def test_shipped_second_look_decides_at_its_threshold():
    """Loading, and refusing weights for other features, is the fitted models' contract (tests/test_fitted.py)."""
    shipped = feedback.load_feedback()
    assert 0.0 < shipped.threshold < 1.0
    assert json.loads(feedback.WEIGHTS.read_text(encoding="utf-8"))["fit"]["topic_match_alone"]
    releases = [_release("a", "Gun Buyback", BUYBACK), _release("c", "Bookkeeper Charged", "Tax fraud and theft.")]
    rows = feedback.feedback_rows(releases, [2.0, -4.0], 0.75, [1.0, 0.0])
    assert shipped.keep(releases, [2.0, -4.0], 0.75, [1.0, 0.0]) == [p >= shipped.threshold for p in shipped.model.predict(rows)]
