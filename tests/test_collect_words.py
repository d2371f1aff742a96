"""The words a count or list is about when no "about", "mention" ... says it (rag.collect.criteria,
rag.collect.run.telling_words), over the hand-built corpus of tests/test_collect.py."""
from __future__ import annotations

import pytest

from conftest import hash_pipeline
from test_collect import _corpus

from rag.collect import run
from rag.collect.criteria import question_words


@pytest.fixture(scope="module")
def pipe(tmp_path_factory):
    return hash_pipeline(tmp_path_factory, _corpus)


def test_question_words_drop_quote_marks_and_the_site_s_words():
    asked = "Counting both press releases and 'In The News' reposts, how many items did the DA post on its news page?"
    assert question_words(asked, ["kings_ny"]) == ""
    assert question_words("List every Brooklyn DA release of June 2025, with the defendants named in each.",
                          ["kings_ny"]) == "defendants"


def test_telling_words_are_those_few_releases_of_the_window_hold(pipe, monkeypatch):
    from rag.collect.criteria import Criteria
    window = Criteria(sources=("kings_ny",), start="2025-01-01", end="2025-12-31")
    store = pipe.index.store
    ids = store.release_ids_where(sources=("kings_ny",), date_from="2025-01-01", date_to="2025-12-31", dated=True)
    assert ids == {r.id for r in store.releases_where(sources=("kings_ny",), date_from="2025-01-01",
                                                      date_to="2025-12-31", dated=True)}
    assert ids == {"kings_ny/a.txt", "kings_ny/b.txt", "kings_ny/c.txt", "kings_ny/c2.txt"}
    # every page ends thanking the detectives (4 of the 4 releases of 2025 hold it); 2 of them announce charges,
    # 1 a robbery: under run.TELLING_SHARE (0.75), over 0.5
    assert run.telling_words(window, "detectives charges robbery", pipe.index) == "charges robbery"
    monkeypatch.setattr(run, "TELLING_SHARE", 0.5)
    assert run.telling_words(window, "detectives charges robbery", pipe.index) == "robbery"
    assert run.telling_words(Criteria(sources=("kings_ny",), start="2030-01-01"), "robbery", pipe.index) == ""


def test_a_count_the_rules_read_with_no_topic_said_counts_releases_about_its_telling_words(pipe, monkeypatch):
    question = "How many statements did the Brooklyn DA put out in 2025 reacting to robbery charges?"
    answer, _ = pipe.ask(question)
    assert answer.route == "count" and "about \u201creacting robbery charges\u201d" in answer.criteria, answer.criteria
    assert [m.release_id for m in answer.matches] == ["kings_ny/c.txt"]
    monkeypatch.setattr(run, "TELLING_SHARE", 0.0)  # off: every release of the window
    answer, _ = pipe.ask(question)
    assert answer.text.startswith("3 releases from kings_ny dated 2025-01-01 to 2025-12-31."), answer.text
    # a count with no content word left counts the whole window, the switch on or off
    monkeypatch.undo()
    answer, _ = pipe.ask("How many press releases did the Brooklyn DA publish in 2025?")
    assert answer.text.startswith("3 releases from kings_ny dated 2025-01-01 to 2025-12-31."), answer.text


def test_a_count_only_the_fitted_router_reads_needs_a_topic_and_two_releases(pipe, monkeypatch):
    from rag.collect import feedback
    monkeypatch.setattr(run, "read_route", lambda text: ("count", True))  # as the model reads "how many ... announce"
    monkeypatch.setattr(feedback, "FEEDBACK", False)  # the pages share a long last paragraph (see tests/test_collect.py)
    answer, _ = pipe.ask("How many gun buybacks did the Brooklyn DA announce?")
    assert answer.route == "count" and "gun buybacks" in answer.criteria, answer.criteria
    assert {"kings_ny/a.txt", "kings_ny/e.txt"} <= {m.release_id for m in answer.matches}
    answer, _ = pipe.ask("How many robbery charges did the Brooklyn DA announce?")  # one release: the normal answer
    assert answer.route == "fact" and not answer.matches
