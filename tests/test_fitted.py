"""The fitted linear models shipped as JSON (rag/fitted.py): one contract every model passes --
the sentence reader (rag/answer/reader.py), a case's status sentences (rag/collect/status.py) and the
topic match's second look (rag/collect/feedback.py)."""
from __future__ import annotations

import json
import math

import pytest

from rag.answer import reader
from rag.collect import feedback, status, topic
from rag.errors import ConfigError
from rag.fitted import LinearModel, sigmoid

MODELS = [  # (loader, shipped weights, features this version computes, what it is called, fitting script)
    (reader.load_reader, reader.WEIGHTS, reader.FEATURES, "reader", "bench/fit_reader.py"),
    (status.load_status, status.WEIGHTS, status.FEATURES, "case status", "bench/fit_case_status.py"),
    (lambda path=str(feedback.WEIGHTS): feedback.load_feedback(path).model, feedback.WEIGHTS, feedback.FEATURES,
     "topic feedback", "bench/fit_topic_feedback.py"),
]


@pytest.mark.parametrize("load, weights, features, what, script", MODELS, ids=[m[3] for m in MODELS])
def test_shipped_weights_load_and_other_weights_are_refused(tmp_path, load, weights, features, what, script):
    model = load()
    assert model.features == features and len(model.coef) == len(features) == len(model.mean) == len(model.scale)
    assert json.loads(weights.read_text(encoding="utf-8"))["fit"]  # the fit's scores travel with the weights
    data = json.loads(weights.read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1]
    bad = tmp_path / "w.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(ConfigError, match=f"refit with {script}"):
        load(str(bad))
    with pytest.raises(ConfigError, match=f"{what} weights not found"):
        load(str(tmp_path / "none.json"))
    (tmp_path / "junk.json").write_text("{not json")
    with pytest.raises(ConfigError, match="not JSON"):
        load(str(tmp_path / "junk.json"))


def test_shipped_topic_match_loads_and_weights_for_other_features_are_refused(tmp_path):
    """The topic match ships a subset of ``topic.FEATURES`` (the groups its fit kept) and a threshold."""
    model = topic.load_topic()
    assert set(model.model.features) <= set(topic.FEATURES) and 0.0 < model.threshold < 1.0
    data = json.loads(topic.WEIGHTS.read_text(encoding="utf-8"))
    assert data["fit"]["held_out_complete"] and data["fit"]["dropped"] is not None
    assert model.probabilities([[0.0] * len(topic.FEATURES)])[0] == pytest.approx(
        model.model.predict([[0.0] * len(model.model.features)])[0], abs=1e-12)  # same rows, columns picked by name
    data["features"] = [*data["features"][:-1], "no_such_feature"]
    bad = tmp_path / "w.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(ConfigError, match="refit with bench/fit_topic_match.py"):
        topic.load_topic(str(bad))
    with pytest.raises(ConfigError, match="topic match weights not found"):
        topic.load_topic(str(tmp_path / "none.json"))


def test_linear_model_is_standardise_then_logistic():
    model = LinearModel(("a", "b"), (1.0, 2.0), (2.0, 4.0), (0.5, -1.0), 0.25)
    z = 0.25 + 0.5 * (3.0 - 1.0) / 2.0 - 1.0 * (10.0 - 2.0) / 4.0
    # a handful of double-precision operations each way: equal to well within 1e-12
    assert model.logits([[3.0, 10.0]])[0] == pytest.approx(z, abs=1e-12)
    assert model.predict([[3.0, 10.0]])[0] == pytest.approx(1.0 / (1.0 + math.exp(-z)), abs=1e-12)


def test_a_logit_far_from_zero_gives_a_probability_not_an_overflow():
    # a row far outside the fitted range (here a feature 1000 scales away) once raised OverflowError in exp
    model = LinearModel(("a",), (0.0,), (1.0,), (1.0,), 0.0)
    low, high = model.predict([[-1000.0], [1000.0]])
    assert low == 0.0 or low < 1e-300  # exp(-1000) underflows to 0.0 in double precision
    assert high == 1.0
    assert sigmoid(-2.0) == pytest.approx(1.0 - sigmoid(2.0), abs=1e-15)  # both sides of 0 agree (a few ulps)
