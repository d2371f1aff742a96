"""The extractive answerer's lookups: "which release ...?" answered with the release's title and
date, by a quoted phrase, or by the release as a whole when its details are spread over it."""
from __future__ import annotations

import pytest

from rag.answer.extractive import ExtractiveAnswerer
from rag.models import Chunk, Hit, Release
from test_answer_extractive import R_KINGS, R_LUTON, R_ORANGE, check_citations, hits_for, release


@pytest.fixture
def answerer(hash_embedder):
    return ExtractiveAnswerer(hash_embedder, top_k=20)


def test_lookup_questions_name_the_release_title_and_date():
    body = "Officers seized 10 knives in Luton parks during 20 weapons sweeps. More patrols will follow."
    rel = Release("a.txt", "Knife sweeps in Luton parks", "2022-04-12", None, "beds", body, "/a.txt")
    hit = Hit(Chunk("a.txt", 0, 0, len(body), body), rel, 0.9, 1)
    ans = ExtractiveAnswerer().answer(
        "Which release reported knives seized in weapons sweeps of Luton parks? Give its title and date.", [hit])
    assert not ans.refused
    assert ans.text.startswith("The release is “Knife sweeps in Luton parks” (2022-04-12)")
    assert ans.citations[0].release_id == "a.txt"
    plain = ExtractiveAnswerer().answer("How many knives were seized in Luton parks?", [hit])
    assert "The release is" not in plain.text


def test_a_lookup_of_a_quoted_phrase_is_answered_by_the_sentence_holding_it(answerer):
    hits = hits_for(R_LUTON, R_KINGS, R_ORANGE)
    q = "Which release quotes a district attorney saying 'Gun violence will not be tolerated'? Give its title."
    ans = answerer.answer(q, hits)
    assert not ans.refused and ans.confidence == 1.0
    assert ans.text.startswith("The release is “Man sentenced for Flatbush shooting”")
    assert ans.citations[0].quote == "District Attorney Gonzalez said, “Gun violence will not be tolerated in our borough.”"
    check_citations(ans, hits)
    # not a lookup: the quoted phrase earns no more than its words
    plain = answerer.answer("What did the DA say after 'Gun violence will not be tolerated'?", hits)
    assert (plain.confidence or 0.0) < 1.0
    # a phrase nobody said is no evidence
    assert answerer.answer("Which release quotes someone saying 'crime does not pay'?", hits).refused


SPREAD = ("Officers launched a new scheme in Dunstable on Monday.\n\n"
          "Youth workers will be part of it from June.\n\n"
          "They will join the patrols at weekends.\n\n"
          "The Home Office is paying for the first year.\n\n"
          "The money comes from the safer streets fund.")
R_SPREAD = release("spread.txt", SPREAD, "New scheme launched in Dunstable", "2023-05-02")


def test_a_lookup_whose_details_are_spread_over_a_release_is_answered_by_that_release():
    """No one sentence holds enough of what the question describes; the release as a whole does
    (lexical support only: no embedder)."""
    hits = hits_for(R_KINGS, R_SPREAD, R_ORANGE)
    q = "Which release described youth workers joining weekend patrols in Dunstable, paid for by the Home Office safer streets fund?"
    off = ExtractiveAnswerer(top_k=20, release_support=False).answer(q, hits)
    assert off.refused and off.note.startswith("weak evidence")  # each sentence alone is weak evidence
    ans = ExtractiveAnswerer(top_k=20).answer(q, hits)
    assert not ans.refused and ans.note.startswith("release support")
    assert ans.text.startswith("The release is “New scheme launched in Dunstable” (2023-05-02): ")
    assert {c.release_id for c in ans.citations} == {"spread.txt"}
    check_citations(ans, hits)
    # not a lookup: the same details asked as a fact get no release-level pass
    assert ExtractiveAnswerer(top_k=20).answer(
        "Did youth workers join weekend patrols in Dunstable, paid for by the Home Office safer streets fund?",
        hits).refused
