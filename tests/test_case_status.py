"""A case's status sentences (rag/collect/status.py) and the fitted linear model they share with
the sentence reader (rag/fitted.py)."""
from __future__ import annotations

import json
import math

import pytest

from rag.collect.case import case_steps
from rag.collect.status import FEATURES, WEIGHTS, candidates, features, load_status, status_spans
from rag.errors import ConfigError
from rag.fitted import LinearModel
from rag.models import Release

BODY = ("Brooklyn District Attorney Eric Gonzalez today announced that Marcus Hale, 31, was sentenced to "
        "20 years in prison for the 2019 shooting of a store clerk in Flatbush. "
        "The investigation began when officers responded to a call about shots fired inside the store. "
        "Detectives recovered surveillance video that showed the defendant entering the store with a handgun. "
        "District Attorney Gonzalez said, \u201cThis was a senseless act of violence against a hard-working man.\u201d "
        "The victim spent three weeks in the hospital and still walks with a cane today. "
        "Co-defendant Leon Price pleaded guilty to robbery and was sentenced to 7 years in prison. "
        "A third man charged in the case remains at large and a warrant is pending for his arrest. "
        "The case was prosecuted by Assistant District Attorney Jane Roe of the Homicide Bureau.")
RELEASE = Release("kings_ny/hale.txt", "Man Sentenced for Flatbush Store Shooting", "2021-03-04", None, "kings_ny", BODY,
                  "kings_ny/hale.txt")


def test_shipped_weights_load_and_record_their_fit():
    model = load_status()
    assert model.features == FEATURES and len(model.coef) == len(FEATURES)
    fit = json.loads(WEIGHTS.read_text(encoding="utf-8"))["fit"]
    assert fit["script"] == "bench/fit_case_status.py" and fit["k"] >= 1
    for name, alone in fit["step_sentence_alone"].items():  # the committed held-out scores beat the step sentence
        assert fit["held_out_covered"][name][str(fit["k"])] >= alone


def test_weights_for_other_features_are_refused(tmp_path):
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1]
    bad = tmp_path / "w.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(ConfigError, match="refit with bench/fit_case_status.py"):
        load_status(str(bad))
    with pytest.raises(ConfigError, match="case status weights not found"):
        load_status(str(tmp_path / "none.json"))
    (tmp_path / "junk.json").write_text("{not json")
    with pytest.raises(ConfigError, match="not JSON"):
        load_status(str(tmp_path / "junk.json"))


def test_status_sentences_state_where_the_case_stands():
    step = case_steps([RELEASE])[0]
    assert step.step == "sentenced" and BODY[step.start:step.end].startswith("Brooklyn District Attorney")
    picked = [BODY[s:e] for s, e in status_spans(RELEASE, (step.start, step.end), step.step)]
    assert picked == ["Co-defendant Leon Price pleaded guilty to robbery and was sentenced to 7 years in prison.",
                      "A third man charged in the case remains at large and a warrant is pending for his arrest."]
    assert status_spans(RELEASE, (step.start, step.end), step.step, k=0) == []
    one = status_spans(RELEASE, (step.start, step.end), step.step, k=1)
    assert len(one) == 1 and one[0] in status_spans(RELEASE, (step.start, step.end), step.step)


def test_features_are_one_row_per_candidate_sentence():
    spans = candidates(RELEASE)
    rows = features(RELEASE, spans, "sentenced")
    assert len(rows) == len(spans) and all(len(r) == len(FEATURES) for r in rows)
    term, own = FEATURES.index("term"), FEATURES.index("own_step")
    clerk = next(i for i, (s, e) in enumerate(spans) if "Leon Price" in BODY[s:e])
    video = next(i for i, (s, e) in enumerate(spans) if "surveillance video" in BODY[s:e])
    assert rows[clerk][term] == 1.0 and rows[clerk][own] == 1.0
    assert rows[video][term] == 0.0 and rows[video][own] == 0.0


def test_linear_model_is_standardise_then_logistic():
    model = LinearModel(("a", "b"), (1.0, 2.0), (2.0, 4.0), (0.5, -1.0), 0.25)
    z = 0.25 + 0.5 * (3.0 - 1.0) / 2.0 - 1.0 * (10.0 - 2.0) / 4.0
    # a handful of double-precision operations each way: equal to well within 1e-12
    assert model.logits([[3.0, 10.0]])[0] == pytest.approx(z, abs=1e-12)
    assert model.predict([[3.0, 10.0]])[0] == pytest.approx(1.0 / (1.0 + math.exp(-z)), abs=1e-12)
