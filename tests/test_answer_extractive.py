"""ExtractiveAnswerer over hand-made releases (HashEmbedder); the contract and a real-model run are in
test_answer_extractive_contract.py."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.answer import REFUSAL_TEXT, ExtractiveAnswerer
from rag.models import Answer, Chunk, Hit, Release

REPO = Path(__file__).resolve().parents[1]

LUTON = (
    "Since February, officers from across Bedfordshire Police have been involved in additional "
    "patrols following a number of incidents.\n\n"
    "More than 750 hours of additional patrols have taken place so far.\n\n"
    "Police checking the parks in Luton for offensive weapons\n\n"
    "Officers have made more than 21 arrests since the operation began.\n\n"
    "The community policing team in Luton has undertaken 20 weapons sweeps in parks across the "
    "town, where officers have located and seized 10 knives.\n\n"
    "Detective Chief Inspector Aaron Kiff said: “This increase in police activity comes in response "
    "to a number of incidents. Anyone involved will be identified.”"
)
KINGS = (
    "Kings County District Attorney Eric Gonzalez today announced that John Smith, 34, was sentenced "
    "to 15 years in prison for the 2021 shooting of a delivery worker in Flatbush.\n\n"
    "The defendant pleaded guilty to attempted murder on March 3, 2023. Justice Ann Lee imposed the "
    "sentence.\n\n"
    "District Attorney Gonzalez said, “Gun violence will not be tolerated in our borough.”"
)
ORANGE = (
    "SANTA ANA – Maria Lopez, 41, of Irvine, was sentenced today to 7 years in state prison for "
    "embezzling $250,000 from her employer, case # 21CF0042.\n\n"
    "Lopez worked as a bookkeeper for a dental office from 2015 to 2020 [2]. She wrote checks to "
    "herself and hid them in the ledger."
)


def release(rid: str, body: str, title: str = "", date: str | None = "2024-01-15") -> Release:
    return Release(rid, title, date, f"https://example.org/{rid}", "test", body, rid)


def paragraph_chunks(r: Release) -> list[Chunk]:
    chunks, pos = [], 0
    for para in r.body.split("\n\n"):
        start = r.body.index(para, pos)
        pos = start + len(para)
        chunks.append(Chunk(r.id, len(chunks), start, pos, para))
    return chunks


def hits_for(*releases: Release) -> list[Hit]:
    """Every paragraph of the releases, in the given order, as hits."""
    chunks = [(c, r) for r in releases for c in paragraph_chunks(r)]
    return [Hit(c, r, 1.0 - i / 100, i + 1) for i, (c, r) in enumerate(chunks)]


R_LUTON = release("luton.txt", LUTON, "Patrols stepped up in Luton", "2022-04-12")
R_KINGS = release("kings.txt", KINGS, "Man sentenced for Flatbush shooting")
R_ORANGE = release("orange.txt", ORANGE, "Bookkeeper sentenced for embezzlement")


@pytest.fixture
def answerer(hash_embedder):
    return ExtractiveAnswerer(hash_embedder, top_k=20)


def check_citations(ans: Answer, hits) -> None:
    """[n] markers and citations agree; quotes are exact release spans."""
    markers = [int(n) for n in re.findall(r"\[(\d+)\]", ans.text)]
    ns = [c.n for c in ans.citations]
    assert sorted(set(markers)) == sorted(ns) == list(range(1, len(ns) + 1))
    assert len(markers) == len(ns)
    releases = {h.release.id: h.release for h in hits}
    for c in ans.citations:
        r = releases[c.release_id]
        assert r.body[c.start:c.end] == c.quote
        assert c.quote == c.quote.strip() and c.quote
        assert (c.title, c.date, c.url) == (r.title, r.date, r.url)


def test_answers_how_many_with_the_number_first(answerer):
    hits = hits_for(R_LUTON, R_KINGS)
    ans = answerer.answer("How many knives were seized in Luton parks?", hits)
    assert not ans.refused
    assert ans.answerer == "extractive"
    assert "answer" in ans.timings_ms and "embed" in ans.timings_ms
    check_citations(ans, hits)
    first = ans.citations[0]
    assert first.release_id == "luton.txt" and "10 knives" in first.quote
    assert ans.text.startswith(" ".join(first.quote.split()) + " [1]")


def test_lexical_only_mode_answers_too():
    hits = hits_for(R_KINGS, R_LUTON)
    ans = ExtractiveAnswerer(None, top_k=20).answer("How many knives were seized in Luton parks?", hits)
    assert not ans.refused
    assert "10 knives" in ans.citations[0].quote
    assert "embed" not in ans.timings_ms


def test_who_and_when_questions(answerer):
    hits = hits_for(R_KINGS, R_ORANGE)
    ans = answerer.answer("How long was John Smith sentenced to prison for?", hits)
    assert not ans.refused and "15 years" in ans.citations[0].quote
    check_citations(ans, hits)
    ans = answerer.answer("When did John Smith plead guilty?", hits)
    assert not ans.refused and "March 3, 2023" in ans.text
    assert all(c.release_id == "kings.txt" for c in ans.citations)


def test_named_person_restricts_sources(answerer):
    hits = hits_for(R_KINGS, R_ORANGE)
    ans = answerer.answer("What sentence did Maria Lopez receive?", hits)
    assert not ans.refused
    assert {c.release_id for c in ans.citations} == {"orange.txt"}
    assert "7 years" in ans.citations[0].quote


def test_case_number_and_quoted_phrase(answerer):
    hits = hits_for(R_KINGS, R_ORANGE)
    assert not answerer.answer("Who was sentenced in case 21CF0042?", hits).refused
    assert answerer.answer("Who was sentenced in case 22CF0999?", hits).refused
    assert not answerer.answer('Who said "gun violence will not be tolerated"?', hits).refused
    assert answerer.answer('Who said "crime does not pay"?', hits).refused


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of France?",
        "What sentence did the Orange County DA announce for Marisol Quintanilla-Brandt?",
        "What sentence did Jane Smith receive?",  # a Smith is there, not Jane
        "How do I bake sourdough bread?",
        "What is the boiling point of water?",
    ],
)
def test_refuses_without_evidence(answerer, question):
    hits = hits_for(R_LUTON, R_KINGS, R_ORANGE)
    ans = answerer.answer(question, hits)
    assert ans.refused
    assert ans.text == REFUSAL_TEXT and ans.citations == ()
    assert ans.note and "answer" in ans.timings_ms


@pytest.mark.parametrize(
    "question, missing",
    [
        ("How many knives did Marisol Quintanilla-Brandt seize in Luton parks?", "Marisol Quintanilla-Brandt"),
        ("What sentence did Jane Smith receive for the 2021 Flatbush shooting?", "Jane Smith"),
        ("How many knives were seized in Luton parks in 2019?", "2019"),
        ('Who said "zero tolerance" about Luton?', "zero tolerance"),
    ],
)
def test_refuses_when_a_named_thing_is_missing_despite_overlap(answerer, question, missing):
    hits = hits_for(R_LUTON, R_KINGS, R_ORANGE)
    ans = answerer.answer(question, hits)
    assert ans.refused and ans.citations == ()
    assert missing in ans.note
    # without the name the same question is answerable: the refusal is the name's doing
    assert not answerer.answer(question.replace(missing, "").replace('""', ""), hits).refused


HOCKWELL = (
    "Additional patrols were put in place in Luton following a stabbing in Hockwell Ring last "
    "week.\n\nOfficers are continuing to follow a number of lines of enquiry into the stabbing "
    "and have spoken to residents across Luton about the arrests they fear."
)
R_HOCKWELL = release("hockwell.txt", HOCKWELL, "Officers increase patrols in Luton", "2017-11-07")


def test_how_many_needs_a_number_and_when_needs_a_date(answerer):
    hits = hits_for(R_HOCKWELL)
    ans = answerer.answer("How many people were arrested after the Hockwell Ring stabbing in Luton?", hits)
    assert ans.refused and "number" in ans.note
    ans = answerer.answer("When did the Hockwell Ring stabbing patrols start?", hits)
    assert not ans.refused and "last week" in ans.text
    dallow = release("dallow.txt", "The Dallow Cares campaign was named by pupils at Dallow Primary "
                     "School.\n\nThe campaign aims to tackle crime and promote pride in Dallow.")
    ans = answerer.answer("When did the Dallow Cares campaign get underway?", hits_for(dallow))
    assert ans.refused and "date" in ans.note
    ans = answerer.answer("Who named the Dallow Cares campaign?", hits_for(dallow))
    assert not ans.refused and "pupils" in ans.citations[0].quote


def test_releases_naming_most_of_the_question_supply_the_answer(hash_embedder):
    # R_LUTON answers "how many arrests" for Luton, but only R_HOCKWELL names Hockwell Ring
    answerer = ExtractiveAnswerer(hash_embedder, top_k=20, min_support=0.1, min_relative=0.0)  # grounding decides
    hits = hits_for(R_LUTON, R_HOCKWELL)
    ans = answerer.answer("How many arrests were made in Luton after the Hockwell Ring stabbing?", hits)
    assert ans.refused  # 21 arrests belongs to another operation
    ans = answerer.answer("How many arrests were made in Luton?", hits)
    assert not ans.refused and "21 arrests" in ans.citations[0].quote


def test_refuses_with_no_hits_or_empty_question(answerer):
    assert answerer.answer("How many knives were seized?", []).refused
    assert answerer.answer("   ", hits_for(R_LUTON)).refused


def test_generic_institution_words_do_not_refuse(answerer):
    # the release never says "Brooklyn": the DA's jurisdiction is context, not a name to match
    hits = hits_for(R_KINGS)
    ans = answerer.answer("What sentence did the Brooklyn DA announce for John Smith?", hits)
    assert not ans.refused
    assert "15 years" in ans.citations[0].quote


def test_acronym_matches_spelled_out_title(answerer):
    ans = answerer.answer("What did DCI Kiff say about police activity?", hits_for(R_LUTON))
    assert not ans.refused
    assert "Kiff" in ans.text or "police activity" in ans.text


def test_max_sentences_and_duplicates(hash_embedder):
    hits = hits_for(R_LUTON)
    hits = hits + hits  # overlapping retrievals of the same passages
    for compose, extra in (("reader", 0), ("support", 1)):  # by support, the reader's best may be one more
        for k in (1, 2, 3):
            ans = ExtractiveAnswerer(hash_embedder, max_sentences=k, min_support=0.2, min_relative=0.0, top_k=50,
                                     compose=compose, more_sentences=0).answer(
                "How many patrols, arrests and knives in Luton?", hits)
            assert not ans.refused
            assert 1 <= len(ans.citations) <= k + extra
            spans = [(c.release_id, c.start, c.end) for c in ans.citations]
            assert len(spans) == len(set(spans))
            check_citations(ans, hits)
        assert len(ans.citations) >= 3


class WordReader:
    """A stand-in for the fitted reader: a sentence is likely in the order of ``words`` it holds."""

    def __init__(self, *words: str):
        self.words = words

    def probabilities(self, question, cands):
        return [next((1.0 - i / 10 for i, w in enumerate(self.words) if w in c.text), 0.0) for c in cands]


def test_compose_follows_the_reader_or_the_support(hash_embedder):
    """By reader: its likeliest sentences, support aside (a two-part question's second fact shares few words
    with it); by support: the best supported ones, the reader's best put in front."""
    from rag.answer.evidence import SentenceRanker
    from rag.config import EvidenceConfig

    hits = hits_for(R_LUTON)
    question = "How many knives were seized in Luton parks, and who spoke for the police?"
    ranker = SentenceRanker(hash_embedder, EvidenceConfig(top_k=50), WordReader("10 knives", "Aaron Kiff"))
    by_reader = ExtractiveAnswerer(ranker=ranker, max_sentences=2, min_support=0.1).answer(question, hits)
    quotes = [c.quote for c in by_reader.citations]
    assert len(quotes) == 2 and "10 knives" in quotes[0] and "Aaron Kiff" in quotes[1]
    check_citations(by_reader, hits)
    by_support = ExtractiveAnswerer(ranker=ranker, max_sentences=2, min_support=0.1, compose="support").answer(
        question, hits)
    assert "10 knives" in by_support.citations[0].quote
    assert not any("Aaron Kiff" in c.quote for c in by_support.citations)


def test_under_the_support_floor_the_reader_adds_a_competing_figure_only_when_likely_and_nothing_unlikely(
        hash_embedder):
    """A sentence under the support floor is quoted only when the reader finds it likely (``min_reader``),
    and very likely (``second_figure``) when it states a second figure of the kind asked: "21 arrests"
    would compete with "10 knives"."""
    from rag.answer.evidence import SentenceRanker
    from rag.config import EvidenceConfig

    hits = hits_for(R_LUTON)
    question = "How many knives were seized in Luton parks?"
    # reader probabilities: "10 knives" 1.0, "Aaron Kiff" 0.9, "21 arrests" 0.8
    ranker = SentenceRanker(hash_embedder, EvidenceConfig(top_k=50),
                            WordReader("10 knives", "Aaron Kiff", "21 arrests"))
    kw = dict(ranker=ranker, max_sentences=3, min_support=0.1, min_relative=1.0)
    ans = ExtractiveAnswerer(**kw).answer(question, hits)  # second_figure 0.9
    quotes = [c.quote for c in ans.citations]
    assert "10 knives" in quotes[0] and any("Aaron Kiff" in q for q in quotes)
    assert not any("21 arrests" in q for q in quotes)
    likely = ExtractiveAnswerer(**kw, second_figure=0.75).answer(question, hits)
    assert any("21 arrests" in c.quote for c in likely.citations)
    check_citations(likely, hits)
    unlikely = ExtractiveAnswerer(**kw, min_reader=0.95).answer(question, hits)
    assert [c.quote for c in unlikely.citations] == quotes[:1]


def test_another_release_s_sentence_needs_the_reader_s_other_release_probability(hash_embedder):
    """After the lead, a sentence of another release is quoted only at ``other_release`` or more: it is
    often about another case, and cites a release that is not the answer's."""
    from rag.answer.evidence import SentenceRanker
    from rag.config import EvidenceConfig

    hits = hits_for(R_KINGS, R_ORANGE)
    question = "What prison sentence was imposed, and who imposed it?"  # names nothing: both releases are read
    # reader probabilities: "15 years" 1.0, "Justice Ann Lee" 0.9, "7 years" (the other release) 0.8
    ranker = SentenceRanker(hash_embedder, EvidenceConfig(top_k=50),
                            WordReader("15 years", "Justice Ann Lee", "7 years"))
    kw = dict(ranker=ranker, max_sentences=3, min_support=0.05, min_relative=0.0, more_sentences=0)
    both = ExtractiveAnswerer(**kw).answer(question, hits)
    assert {c.release_id for c in both.citations} == {"kings.txt", "orange.txt"}
    home = ExtractiveAnswerer(**kw, other_release=0.85).answer(question, hits)
    assert {c.release_id for c in home.citations} == {"kings.txt"}  # the lead's release only
    assert "15 years" in home.citations[0].quote and "Justice Ann Lee" in home.citations[1].quote


def test_more_sentences_come_from_the_lead_s_release_and_no_check_reads_them(hash_embedder):
    """``more_sentences`` quotes the reader's next likeliest sentences of the lead's release after the
    ``max_sentences`` (another release's are left out), and the figure check reads only the ``max_sentences``:
    a judge named in a sixth-best sentence does not answer "which judge"."""
    from rag.answer.evidence import SentenceRanker
    from rag.config import EvidenceConfig

    hits = hits_for(R_KINGS, R_ORANGE)
    question = "What prison sentence was imposed, and who imposed it?"
    ranker = SentenceRanker(hash_embedder, EvidenceConfig(top_k=50),
                            WordReader("15 years", "7 years", "Justice Ann Lee", "pleaded guilty"))
    kw = dict(ranker=ranker, max_sentences=1, min_support=0.05, min_relative=0.0)
    one = ExtractiveAnswerer(**kw, more_sentences=0).answer(question, hits)
    assert [c.release_id for c in one.citations] == ["kings.txt"] and "15 years" in one.citations[0].quote
    more = ExtractiveAnswerer(**kw, more_sentences=2).answer(question, hits)
    # the next two likeliest: "7 years" (orange: left out, its place not filled) and "Justice Ann Lee"
    assert [c.release_id for c in more.citations] == ["kings.txt", "kings.txt"]
    assert "15 years" in more.citations[0].quote and "Justice Ann Lee" in more.citations[1].quote
    check_citations(more, hits)

    judge = "Which judge heard the case of John Smith?"
    ranker = SentenceRanker(hash_embedder, EvidenceConfig(top_k=50), WordReader("15 years", "Justice Ann Lee"))
    kw = dict(ranker=ranker, min_support=0.05, min_relative=0.0)
    assert not ExtractiveAnswerer(**kw, max_sentences=2, more_sentences=0).answer(judge, hits_for(R_KINGS)).refused
    unread = ExtractiveAnswerer(**kw, max_sentences=1, more_sentences=2).answer(judge, hits_for(R_KINGS))
    assert unread.refused and "judge" in unread.note


def test_sentence_cut_by_chunk_edge_is_quoted_whole(answerer):
    body = R_LUTON.body
    start = body.index("where officers have located")  # mid-sentence
    chunk = Chunk(R_LUTON.id, 0, start, len(body), body[start:])
    hits = [Hit(chunk, R_LUTON, 0.9, 1)]
    ans = answerer.answer("How many knives were seized in Luton parks?", hits)
    assert not ans.refused
    quote = ans.citations[0].quote
    assert quote.startswith("The community policing team") and quote.endswith("10 knives.")
    check_citations(ans, hits)


def test_list_items_are_sentences_but_headlines_are_fragments():
    from rag.answer.evidence import collect_candidates

    body = ("Engagement events in Luton included:\n\n"
            " * A council engagement event at Lewsey Community Centre\n"
            " - A Street Meet at Hockwell Ring\n"
            "2) Door to door calls\n\n"
            "Police checking the parks in Luton for weapons\n\n"
            "That is all.")
    r = release("list.txt", body)
    cands = {c.text: c.fragment for c in collect_candidates(hits_for(r))}
    assert cands["* A council engagement event at Lewsey Community Centre"] is False
    assert cands["- A Street Meet at Hockwell Ring"] is False
    assert cands["2) Door to door calls"] is False
    assert cands["Police checking the parks in Luton for weapons"] is True
    assert cands["Engagement events in Luton included:"] is True


def test_prefers_higher_ranked_hit_on_ties(answerer):
    sentence = "Officers seized 12 stolen bicycles from a garage in Dunstable."
    a = release("a.txt", sentence + "\n\nNothing else happened.")
    b = release("b.txt", sentence + "\n\nThe weather was fine.")
    for first, second in ((a, b), (b, a)):
        hits = hits_for(first, second)
        ans = answerer.answer("How many stolen bicycles were seized in Dunstable?", hits)
        assert ans.citations[0].release_id == first.id
        assert len([c for c in ans.citations if "bicycles" in c.quote]) == 1


def test_markers_inside_release_text_are_neutralised(answerer):
    hits = hits_for(R_ORANGE)
    ans = answerer.answer("Where did Maria Lopez work as a bookkeeper?", hits)
    assert not ans.refused
    check_citations(ans, hits)  # the body's own "[2]" must not look like a citation


def test_deterministic(answerer):
    hits = hits_for(R_LUTON, R_KINGS, R_ORANGE)
    q = "How many arrests were made in Luton?"
    a1, a2 = answerer.answer(q, hits), answerer.answer(q, list(hits))
    assert (a1.text, a1.citations, a1.refused) == (a2.text, a2.citations, a2.refused)


def test_hit_score_is_ignored(answerer):
    hits = hits_for(R_LUTON)
    rescored = [Hit(h.chunk, h.release, -1000.0 * h.score, h.rank) for h in hits]
    q = "How many knives were seized in Luton parks?"
    assert answerer.answer(q, hits).text == answerer.answer(q, rescored).text
