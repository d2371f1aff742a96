"""A case's status sentences (rag/collect/status.py)."""
from __future__ import annotations

import json
from rag.collect.case import case_steps
from rag.collect.status import FEATURES, WEIGHTS, candidates, features, load_status, status_spans
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


def test_status_sentences_state_where_the_case_stands():
    step = case_steps([RELEASE])[0]
    assert step.step == "sentenced" and BODY[step.start:step.end].startswith("Brooklyn District Attorney")
    picked = [BODY[s:e] for s, e in status_spans(RELEASE, (step.start, step.end), step.step, k=2)]
    assert picked == ["Co-defendant Leon Price pleaded guilty to robbery and was sentenced to 7 years in prison.",
                      "A third man charged in the case remains at large and a warrant is pending for his arrest."]
    shown = [BODY[s:e] for s, e in status_spans(RELEASE, (step.start, step.end), step.step)]  # STATUS_SENTENCES, 3
    assert len(shown) == 3 and set(picked) < set(shown)
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
