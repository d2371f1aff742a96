"""The topic match's second look (rag/collect/feedback.py): releases like the ones it took."""
from __future__ import annotations

import json

import pytest

from rag.collect import feedback
from rag.errors import ConfigError
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


def test_shipped_second_look_loads_and_weights_for_other_features_are_refused(tmp_path):
    shipped = feedback.load_feedback()
    assert shipped.model.features == feedback.FEATURES and 0.0 < shipped.threshold < 1.0
    data = json.loads(feedback.WEIGHTS.read_text(encoding="utf-8"))
    assert data["fit"]["held_out_complete"] and data["fit"]["topic_match_alone"]  # the fit's scores travel along
    releases = [_release("a", "Gun Buyback", BUYBACK), _release("c", "Bookkeeper Charged", "Tax fraud and theft.")]
    rows = feedback.feedback_rows(releases, [2.0, -4.0], 0.75, [1.0, 0.0])
    assert shipped.keep(releases, [2.0, -4.0], 0.75, [1.0, 0.0]) == [p >= shipped.threshold for p in shipped.model.predict(rows)]
    data["features"] = data["features"][:-1]
    bad = tmp_path / "w.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(ConfigError, match="refit with bench/fit_topic_feedback.py"):
        feedback.load_feedback(str(bad))
    with pytest.raises(ConfigError, match="topic feedback weights not found"):
        feedback.load_feedback(str(tmp_path / "none.json"))
