"""The fitted router (rag/question/route_model.py): its pure-Python TF-IDF and softmax against
scikit-learn's (the reference), the shipped weights, and how ``route`` consults it."""
from __future__ import annotations

import pytest

from rag.errors import ConfigError
from rag.question import route as route_module
from rag.question.route import pattern_route, read_route, route
from rag.question.route_model import RouteModel, load_route_model, reads_list, terms

QUESTIONS = [
    ("How many press releases did the Orange County DA publish in July 2024?", 1),
    ("Which 2023 Harris County releases announced a life sentence?", 1),
    ("Tally the Brooklyn DA's releases on gun buybacks in 2025.", 1),
    ("What happened in the case against Ashton Colby Sachs?", 2),
    ("Walk me through the prosecution of Jonah Whitlock.", 2),
    ("Bring me up to speed on the case of Rita Crane.", 2),
    ("What sentence did Jonah Whitlock receive?", 0),
    ("How many guns were turned in at the buyback?", 0),
    ("Where was Rita Crane arrested, and by whom?", 0),
    ("Which judge sentenced the man who robbed the bank?", 0),
]


def test_vector_and_probabilities_match_scikit_learn():
    sklearn = pytest.importorskip("sklearn")  # noqa: F841
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts, labels = [q for q, _ in QUESTIONS], [y for _, y in QUESTIONS]
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)
    X = vec.fit_transform(texts)
    lr = LogisticRegression(C=10.0, max_iter=5000).fit(X, labels)
    vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
    model = RouteModel.from_dict({"classes": ["fact", "aggregate", "case"], "vocabulary": vocab,
                                  "idf": vec.idf_.tolist(), "coef": lr.coef_.tolist(),
                                  "intercept": lr.intercept_.tolist(), "threshold": 0.5})
    # unseen wording too: words outside the vocabulary are dropped by both
    for text in texts + ["List the releases on carjackings, please", "what's the status of Rita Crane's trial"]:
        want = vec.transform([text]).toarray()[0]
        got = model.vector(text)
        # float64 sums of at most a few dozen terms: rounding ~1e-16 each, far under 1e-12
        assert all(abs(got.get(i, 0.0) - w) < 1e-12 for i, w in enumerate(want))
        probs = model.probabilities(text)
        for k, p in enumerate(lr.predict_proba(vec.transform([text]))[0]):
            assert abs(probs[model.classes[k]] - p) < 1e-12


def test_terms_are_the_vectorizers_words_and_bigrams():
    assert terms("Who's the D.A.? A DA, a DA") == {"who": 1, "the": 1, "da": 2, "who the": 1, "the da": 1, "da da": 1}


def test_shipped_weights_route_case_wordings_the_patterns_miss():
    model = load_route_model()
    assert model.classes == ("fact", "aggregate", "case") and 0.0 < model.threshold < 1.0
    speed = "Bring me up to speed on the prosecution of Jonah Whitlock."
    story = "Give me the story of the Whitlock prosecution, start to finish."
    assert {pattern_route(q) for q in (speed, story)} == {"fact"}
    assert route(speed) == "case" and route(story) == "case"
    # the model reads a count or list the patterns miss: taken as a list, or as a count where the question
    # asks "how many" (since stop 56; ``rag.collect.run`` sends either with no topic or under two matching
    # releases back to the normal answer); "how many people has the team arrested" reads like a count and
    # asks one figure: the model leaves it under the list threshold
    assert model.list_threshold is not None and 0.0 < model.list_threshold < 1.0
    tally = "Tally up the Orange County DA's 2023 releases on elder abuse."
    arrested = "So far this year, how many people has the child exploitation team arrested?"
    for text in (tally, arrested):
        p = model.probabilities(text)
        assert p["aggregate"] > p["fact"] and pattern_route(text) == "fact"
    assert read_route(tally) == ("list", True) and read_route(arrested) == ("fact", False)
    assert 1 - model.probabilities(arrested)["fact"] < model.list_threshold
    announced = "How many sex trafficking cases did the Brooklyn DA announce in 2025?"
    assert pattern_route(announced) == "fact" and read_route(announced) == ("count", True)
    # a single fact stays a fact, and a wording the patterns read keeps their route
    assert route("What sentence did Jonah Whitlock receive for the 2019 robbery?") == "fact"
    assert route("How many 2025 Brooklyn DA releases mention a gun buyback?") == "count"


def test_the_switches_leave_the_patterns_alone(monkeypatch):
    monkeypatch.setattr(route_module, "FITTED_COUNTS", False)
    assert read_route("How many sex trafficking cases did the Brooklyn DA announce in 2025?") == ("fact", False)
    monkeypatch.setattr(route_module, "MODEL", False)
    assert route("Bring me up to speed on the prosecution of Jonah Whitlock.") == "fact"
    assert read_route("Tally up the Orange County DA's 2023 releases on elder abuse.") == ("fact", False)


def test_weights_without_a_list_threshold_never_route_a_list():
    model = RouteModel.from_dict({"classes": ["fact", "aggregate", "case"], "vocabulary": ["tally"], "idf": [1.0],
                                  "coef": [[-5.0], [5.0], [0.0]], "intercept": [0.0, 0.0, 0.0], "threshold": 0.6})
    assert model.list_threshold is None
    p = model.probabilities("tally")
    assert p["aggregate"] > 0.99 and not reads_list(p, model.list_threshold) and reads_list(p, 0.65)


def test_missing_weights_name_the_script(tmp_path):
    with pytest.raises(ConfigError, match="bench/fit_route.py"):
        load_route_model(str(tmp_path / "none.json"))
