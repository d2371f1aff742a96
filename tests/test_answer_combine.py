"""Questions asking two things: split into parts, searched and answered per part, combined."""
from __future__ import annotations

from datetime import date

from rag.answer.combine import combine
from rag.models import Answer, Chunk, Citation, Hit, Release
from rag.pipeline import interleave, reciprocal
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
    topic = ("The former Buena Park parks manager who paid phantom employees: what maximum term did he face, and what "
             "sentence did he receive?")
    assert question_parts(topic)[1] == ("The former Buena Park parks manager who paid phantom employees: what sentence "
                                        "did he receive?")
    bare = "What weapon did Ramin Pirbazari use, and what prison term did he receive?"
    assert question_parts(bare)[1] == "Ramin Pirbazari: what prison term did he receive?"
    assert question_parts("How many knives were seized in Luton parks?") == ("How many knives were seized in Luton parks?",)
    assert analyse(bare).parts == question_parts(bare)


def test_a_second_part_after_a_preposition_or_naming_only_another_year():
    """"..., and by what date did ...?" asks a second thing; "..., and how many in 2024?" asks the first
    part's question of 2024 (its year replaced), not "how many in 2024" of nothing."""
    prep = "Which judge granted the order in December 2021, and by what date did the DA urge comments in 2022?"
    assert question_parts(prep) == ("Which judge granted the order in December 2021?",
                                    "by what date did the DA urge comments in 2022?")
    year = "The Lifer Hearing Unit fought parole. How many hearings were held in San Diego in 2023, and how many in 2024?"
    assert question_parts(year) == ("The Lifer Hearing Unit fought parole. How many hearings were held in San Diego in 2023?",
                                    "The Lifer Hearing Unit fought parole. How many hearings were held in San Diego in 2024?")
    money = "How much was the grant in fiscal 2020, and how much in March 2021?"
    assert question_parts(money)[1] == "How much was the grant in March 2021?"
    # no year to replace: the second part borrows the first's names, as before
    assert question_parts("How many arrests were made in Luton, and how many in Bedford?") == (
        "How many arrests were made in Luton?", "Luton: how many in Bedford?")


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


def test_a_later_part_does_not_require_the_shared_year():
    """The sentencing release need not repeat "2019", the year of the indictment both parts share;
    the names stay required, and a year the later part names itself stays its own."""
    q = analyse("When the operators of Go Navy Tax Services were indicted in 2019, how many counts did they face, "
                "and what sentence did Paul Flanagan eventually receive?")
    first, second = analyse_parts(q)
    assert "2019" in [m.text for m in first.required_mentions]
    assert "2019" not in [m.text for m in second.required_mentions]
    assert {"Go Navy Tax Services", "Paul Flanagan"} <= {m.text for m in second.required_mentions}
    own = analyse("How much did the foundation give in 2022, and how much to continue it in 2024?")
    assert "2024" in [m.text for m in analyse_parts(own)[1].required_mentions]


def test_a_later_part_is_searched_with_the_whole_question():
    """"What fine did he get?" names nothing: its search also carries the question's cougar head;
    what the part asks (its text, its words) stays its own."""
    q = analyse("How much did the undercover officer pay the Borough Park man for a mounted cougar head, and what "
                "fine did he get when he pleaded guilty?")
    first, second = analyse_parts(q)
    assert "cougar" not in second.text and "cougar" in second.search_text
    assert second.search_text.startswith(analyse(second.text).search_text)
    assert first.search_text == analyse(first.text).search_text
    assert "cougar" not in " ".join(second.stems)
    own = analyse_parts(q, whole_search=False)[1]  # retrieval.split_search off
    assert own.search_text == analyse(own.text).search_text and "cougar" not in own.search_text


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
    llm = Answer("Coleman was sentenced to 21 years to life [1]. She faced 34 years [2].", False,
                 (cite(1, "b", 10, "She got 21 years to life."), cite(2, "c", 0, "Up to 34 years.")), "local",
                 {"answer": 1.0}, "", None)
    both = combine([a, llm], "local")  # a new sentence on a passage already cited stays; a repeat goes
    assert both.text == ("She faced 34 years [1]. Coleman was charged [2]. Coleman was sentenced to 21 years to life "
                         "[3].") and [c.release_id for c in both.citations] == ["a", "a", "b"]
    refused = Answer("I could not find the answer in the releases.", True, (), "extractive", {}, "weak", None)
    assert combine([refused, b], "extractive").citations[0].release_id == "a"
    quoted = Answer("She faced 34 years [1].\nThe release says: “Up to 34 years.” [2]", False,
                    (cite(1, "a", 0, "She faced 34 years."), cite(2, "c", 0, "Up to 34 years.")), "local",
                    {"answer": 1.0}, "", None)
    lines = combine([quoted, b], "local").text.splitlines()  # the quote keeps its line; the next part its own
    assert lines == ["She faced 34 years [1].", "The release says: “Up to 34 years.” [2]",
                     "Coleman was charged [3]. She got 21 years to life [4]."]
    again = Answer("Up to 34 years [1].\nThe release says: “Up to 34 years.” [1]", False,
                   (cite(1, "c", 0, "Up to 34 years."),), "local", {"answer": 1.0}, "", None)
    # the later part's repeat of the quote goes, and its marker with it (no line of bare markers)
    assert combine([quoted, again], "local").text.splitlines() == [
        "She faced 34 years [1].", "The release says: “Up to 34 years.” [2]", "Up to 34 years [2]."]
    assert combine([refused, refused], "extractive").refused


def hit(rid, seq):
    rel = Release(rid, rid, None, None, "s", "body text " * 10, rid)
    return Hit(Chunk(rid, seq, 0, 9, "body text"), rel, 1.0, seq + 1)


def test_interleave_takes_the_parts_in_turn_each_passage_once():
    out = interleave([[hit("a", 0), hit("b", 0), hit("c", 0)], [hit("d", 0), hit("a", 0)]], 4)
    assert [(h.release.id, h.rank) for h in out] == [("a", 1), ("d", 2), ("b", 3), ("c", 4)]


def test_reciprocal_puts_a_release_both_parts_find_first():
    # "b" is second for part 1 and first for part 2: 1/2 + 1 beats "a" (1) and "d" (1/2)
    out = reciprocal([[hit("a", 0), hit("b", 0), hit("c", 0)], [hit("b", 1), hit("d", 0)]], 10)
    assert [(h.release.id, h.chunk.seq, h.rank) for h in out] == [("b", 1, 1), ("b", 0, 2), ("a", 0, 3), ("d", 0, 4),
                                                                  ("c", 0, 5)]


def test_reciprocal_ranks_releases_not_passages():
    # part 1's second release (b) comes before part 2's third (f), though a's passages put it later in turn
    lists = [[hit("a", 0), hit("a", 1), hit("a", 2), hit("b", 0)], [hit("d", 0), hit("e", 0), hit("f", 0)]]
    first_seen = lambda hits: list(dict.fromkeys(h.release.id for h in hits))  # noqa: E731
    assert first_seen(reciprocal(lists, 10)) == ["a", "d", "e", "b", "f"]
    assert first_seen(interleave(lists, 10)) == ["a", "d", "e", "f", "b"]
    assert len(reciprocal(lists, 3)) == 3


class Streamer:
    """A fake LLM answerer (streams its text, then the answer) registered through the real registry."""

    name, streams = "streamer", True

    def __init__(self, embedder=None, settings=None):
        self.read = []

    def stream(self, question, hits):
        self.read.append(question.text)
        yield "ok "
        yield "[1]"
        cited = Citation(1, hits[0].release.id, "t", None, None, 0, 4, hits[0].release.body[:4])
        yield Answer("ok [1]", False, (cited,), self.name, {"first_token": 5.0, "answer": 10.0}, "", None)

    def answer(self, question, hits):
        return list(self.stream(question, hits))[-1]

    def rewrite(self, question, history):
        raise NotImplementedError


def test_each_part_is_searched_and_answered_by_either_kind_of_answerer(tmp_path, hash_embedder):
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
        items = list(pipe.ask_stream(q, answerer="streamer"))
        llm = pipe.answerer("streamer")
    assert searched == llm.read == list(question_parts(q))  # an LLM too: one generation per part
    assert [i for i in items if isinstance(i, str)] == ["ok ", "[1]", " ", "ok ", "[1]"]  # the parts in turn
    answer = items[-1]
    assert answer.note.startswith("asked 2 things") and answer.timings_ms["first_token"] == 5.0

    searched.clear()
    pipe.settings = pipe.settings.with_(retrieval__split_llm=False)
    with registered(ANSWERERS, "streamer", Streamer):
        pipe._answerers.pop("streamer", None)
        pipe.ask(q, answerer="streamer")
    assert searched == [q]  # switched off: an LLM reads the whole question and its passages


def test_a_part_the_model_declines_gets_the_fallback_answer_only_beside_an_answered_part():
    from types import SimpleNamespace

    from rag.pipeline import part_fallbacks

    said = Answer("x [1]", False, (cite(1, "a", 0, "x"),), "local", {}, "", None)
    declined = Answer("I could not find the answer in the releases.", True, (), "local", {}, "the model refused", None)
    quoted = Answer("y [1]", False, (cite(1, "b", 0, "y"),), "extractive", {}, "best support 0.5", 0.5)
    llm = SimpleNamespace(streams=True, fallback=SimpleNamespace(answer=lambda part, hits: quoted))
    parts, read = [analyse("What weapon?"), analyse("What term?")], [[], []]
    out = part_fallbacks(llm, parts, read, [said, declined])
    assert out[0] is said and out[1].text == "y [1]" and out[1].note.startswith("the model declined this part")
    assert part_fallbacks(llm, parts, read, [declined, declined]) == [declined, declined]  # nothing answered: declined
    extractive = SimpleNamespace(streams=False, fallback=None)
    assert part_fallbacks(extractive, parts, read, [said, declined]) == [said, declined]


def test_a_part_reads_part_top_k_passages_with_the_extractive_answerer_and_top_k_with_an_llm(tmp_path, hash_embedder):
    """``retrieval.part_top_k``: a part's own release is often further down its search than a whole question's;
    an LLM's parts read ``top_k`` (its prompt would grow), as a whole question does."""
    from rag.answer import ANSWERERS
    from rag.registry import registered
    from ui_support import build_pipeline

    pipe = build_pipeline(tmp_path / "idx", hash_embedder)
    pipe.settings = pipe.settings.with_(top_k=3, retrieval__part_top_k=6)
    lengths = []
    read = pipe.read
    pipe.read = lambda question, hits, *a: lengths.append(len(hits)) or read(question, hits, *a)
    q = "What weapon did Ramin Pirbazari use, and what prison term did he receive?"
    pipe.ask(q, answerer="extractive")
    assert lengths == [6, 6]
    lengths.clear()
    pipe.ask("What weapon did Ramin Pirbazari use?", answerer="extractive")
    assert lengths == [3]  # a whole question: top_k
    lengths.clear()
    with registered(ANSWERERS, "streamer", Streamer):
        pipe.ask(q, answerer="streamer")
    assert lengths == [3, 3]


def test_a_later_part_quotes_what_the_earlier_one_did_not(tmp_path, hash_embedder):
    """With the extractive answerer a later part is told what the earlier parts quoted (``said``): it quotes
    none of it again, so its ``max_sentences`` are all its own, and the combined answer holds each once."""
    from ui_support import build_pipeline

    from rag.answer.extractive import ExtractiveAnswerer

    span = lambda c: (c.release_id, c.start, c.end)  # noqa: E731
    pipe = build_pipeline(tmp_path / "idx", hash_embedder)
    whole = pipe.answerer("extractive")
    ans = whole.without_more()  # a part quotes its max_sentences alone
    assert whole.config.more_sentences > 0 and ans.config.more_sentences == 0 and ans.ranker is whole.ranker
    whole.without_more = lambda: ans
    calls, gave = [], []
    answer = ans.answer
    ans.answer = lambda part, hits, said=(): calls.append((part, hits, said)) or gave.append(
        answer(part, hits, said)) or gave[-1]
    q = ("The HMICFRS report praised Bedfordshire Police's collaboration with a county unit that works with young "
         "people at risk of county lines. What is that unit called, and who manages it?")  # bundled-021
    combined, _ = pipe.ask(q, answerer="extractive")
    assert len(calls) == 2 and calls[0][2] == () and not gave[0].refused and not gave[1].refused
    assert calls[1][2] == gave[0].citations
    assert all(len(g.citations) <= ans.max_sentences + 1 for g in gave)  # + a repeated lead, free
    spans = [span(c) for c in combined.citations]
    assert len(spans) == len(set(spans)) and not combined.refused

    part, hits, _ = calls[1]
    alone = answer(part, hits).citations  # told nothing
    assert len(alone) > 1
    told = [span(c) for c in answer(part, hits, alone[1:]).citations]
    assert told[0] == span(alone[0]) and not set(told[1:]) & {span(c) for c in alone[1:]}  # same lead; no repeat
    off = ExtractiveAnswerer(config=ans.config.with_dict({"fresh_parts": False}, "extractive"), ranker=ans.ranker)
    assert off.answer(part, hits, alone[1:]).citations == alone  # switched off
