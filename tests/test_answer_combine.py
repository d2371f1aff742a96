"""Questions asking two things: split into parts, searched and answered per part, combined."""
from __future__ import annotations

from datetime import date

from rag.answer.combine import combine
from rag.models import Answer, Chunk, Citation, Hit, Release
from rag.pipeline import interleave
from rag.question import analyse, analyse_parts
from rag.question.asked import question_parts
from rag.text.markers import cited_numbers


def test_a_two_part_question_keeps_its_context_in_each_part():
    q = ("Grace Coleman was charged with murder over the 2020 crash. What maximum sentence did she face when "
         "charged, and what sentence did she receive?")
    assert question_parts(q) == (
        "Grace Coleman was charged with murder over the 2020 crash. What maximum sentence did she face when charged?",
        "Grace Coleman was charged with murder over the 2020 crash. what sentence did she receive?")
    lead = "When Unique Gray was convicted, what sentence did he face, and what sentence was he given?"
    assert question_parts(lead)[1] == "When Unique Gray was convicted, what sentence was he given?"
    bare = "What weapon did Ramin Pirbazari use, and what prison term did he receive?"
    assert question_parts(bare)[1] == "Ramin Pirbazari: what prison term did he receive?"
    assert question_parts("How many knives were seized in Luton parks?") == ("How many knives were seized in Luton parks?",)
    assert analyse(bare).parts == question_parts(bare)


def test_a_later_part_looks_from_the_shared_time_on():
    """The charge is in January 2008; the sentence asked for in the second part came later."""
    q = analyse("Campbell was charged in January 2008. What maximum sentence did he face, and what sentence did he "
                "actually receive?", "2026-01-01")
    first, second = analyse_parts(q)
    assert (first.time_scope.start, first.time_scope.end) == (date(2008, 1, 1), date(2008, 1, 31))
    assert (second.time_scope.start, second.time_scope.end) == (date(2008, 1, 1), None)
    own = analyse("How much did the foundation give in 2022, and how much to continue it in 2024?", "2026-01-01")
    assert [p.time_scope.start.year for p in analyse_parts(own)] == [2022, 2024]  # its own time words stand
    assert analyse_parts(analyse("How many knives were seized?")) == (analyse("How many knives were seized?"),)


def cite(n, rid, start, quote):
    return Citation(n, rid, f"T {rid}", "2024-01-01", None, start, start + len(quote), quote)


def test_answers_are_joined_renumbered_and_a_shared_passage_listed_once():
    a = Answer("She faced 34 years. [1] Coleman was charged. [2]", False,
               (cite(1, "a", 0, "She faced 34 years."), cite(2, "a", 50, "Coleman was charged.")), "extractive",
               {"answer": 5.0}, "best support 0.6", 0.6)
    b = Answer("Coleman was charged. [1] She got 21 years to life. [2]", False,
               (cite(1, "a", 50, "Coleman was charged."), cite(2, "b", 10, "She got 21 years to life.")),
               "extractive", {"answer": 7.0}, "best support 0.7", 0.7)
    out = combine([a, b], "extractive")
    assert [c.n for c in out.citations] == [1, 2, 3] and [c.release_id for c in out.citations] == ["a", "a", "b"]
    assert out.text.count("Coleman was charged") == 1 and "21 years to life [3]" in out.text
    assert set(cited_numbers(out.text)) == {1, 2, 3} and out.confidence == 0.6 and out.timings_ms["answer"] == 12.0
    refused = Answer("I could not find the answer in the releases.", True, (), "extractive", {}, "weak", None)
    assert combine([refused, b], "extractive").citations[0].release_id == "a"
    assert combine([refused, refused], "extractive").refused


def hit(rid, seq):
    rel = Release(rid, rid, None, None, "s", "body text " * 10, rid)
    return Hit(Chunk(rid, seq, 0, 9, "body text"), rel, 1.0, seq + 1)


def test_interleave_takes_the_parts_in_turn_each_passage_once():
    out = interleave([[hit("a", 0), hit("b", 0), hit("c", 0)], [hit("d", 0), hit("a", 0)]], 4)
    assert [(h.release.id, h.rank) for h in out] == [("a", 1), ("d", 2), ("b", 3), ("c", 4)]


class Streamer:
    """A fake LLM answerer (streams, reads the whole question) registered through the real registry."""

    name, streams = "streamer", True

    def __init__(self, embedder=None, settings=None):
        pass

    def stream(self, question, hits):
        yield Answer("ok [1]", False, (), self.name, {"answer": 1.0}, "", None)

    def answer(self, question, hits):
        return next(iter(self.stream(question, hits)))

    def rewrite(self, question, history):
        raise NotImplementedError


def test_only_an_answerer_that_answers_per_part_gets_per_part_searches(tmp_path, hash_embedder):
    from rag.answer import ANSWERERS
    from rag.registry import registered
    from ui_support import build_pipeline

    pipe = build_pipeline(tmp_path / "idx", hash_embedder)
    searched = []
    search = pipe.search
    pipe.search = lambda q, *a, **kw: searched.append(getattr(q, "text", q)) or search(q, *a, **kw)
    q = "What weapon did Ramin Pirbazari use, and what prison term did he receive?"
    pipe.ask(q, answerer="extractive")
    assert len(searched) == 2  # one search per part, answered per part and combined
    searched.clear()
    with registered(ANSWERERS, "streamer", Streamer):
        pipe.ask(q, answerer="streamer")
    assert searched == [q]  # an LLM reads the whole question and its passages
