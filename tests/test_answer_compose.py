"""Picking and composing the extractive answer's quotes (``rag.answer.extractive.pick``/``compose``)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from rag.answer.evidence import Candidate
from rag.answer.extractive import compose, pick, repeats
from rag.models import Citation, Release
from rag.text.sentences import answer_sentences
from rag.text.tokenize import content_stems


def _cand(release: Release, text: str) -> Candidate:
    start = release.body.index(text)
    return Candidate(0, release, start, start + len(text), text, frozenset(text.lower().split()))


def _release(rid: str, body: str) -> Release:
    return Release(rid, f"Title of {rid}", "2024-01-02", None, "test", body, rid)


def test_a_near_duplicate_by_cosine_is_one_from_another_release():
    """Two sentences of one release share the title their vectors embed, so a high cosine between
    them is no paraphrase; the same statement in another release is."""
    one = _release("a", "The force was rated good. The commissioner welcomed the rating.")
    other = _release("b", "The force has been rated as good.")
    cands = [_cand(one, "The force was rated good."), _cand(one, "The commissioner welcomed the rating."),
             _cand(other, "The force has been rated as good.")]
    vecs = np.ones((3, 4), dtype=np.float32) / 2.0  # unit vectors, every cosine 1.0
    assert pick(cands, vecs, 0, range(3), 3, lambda i: True) == [0, 1]
    assert pick(cands, None, 0, range(3), 3, lambda i: True) == [0, 1, 2]  # without vectors: words only


def test_a_quote_without_a_stop_does_not_run_into_the_next():
    body = "Officers made calls.\n* Door to door calls offering crime prevention advice\nCall 101 to report crime."
    r = _release("a", body)
    text, cites = compose([_cand(r, "Officers made calls."),
                           _cand(r, "* Door to door calls offering crime prevention advice"),
                           _cand(r, "Call 101 to report crime.")])
    assert text == ("Officers made calls. [1] * Door to door calls offering crime prevention advice [2]. "
                    "Call 101 to report crime. [3]")
    assert len(answer_sentences(text)) == 3 and [c.quote for c in cites][1].endswith("advice")


def test_what_an_earlier_part_quoted_is_not_quoted_again_nor_counted():
    """``repeat``: sentences an earlier part of the question quoted. The combined answer says them once,
    so a later part's quota goes to sentences it has not said."""
    r = _release("a", "One fact here. Two fact here. Three fact here. Four fact here.")
    cands = [_cand(r, t) for t in ("One fact here.", "Two fact here.", "Three fact here.", "Four fact here.")]
    keep = lambda i: True  # noqa: E731
    assert pick(cands, None, 0, range(4), 2, keep) == [0, 1]
    assert pick(cands, None, 0, range(4), 2, keep, [False, True, False, False]) == [0, 2]  # a repeat is skipped
    assert pick(cands, None, 0, range(4), 2, keep, [True, False, False, False]) == [0, 1, 2]  # a repeated lead: free
    assert pick(cands, None, 0, range(4), 2, keep, [False] * 4) == [0, 1]


def test_a_repeat_is_a_sentence_said_or_a_near_duplicate_of_one():
    r, other = _release("a", "The unit is called the VERU. It is run by the council."), _release(
        "b", "The unit is called the VERU team. Officers seized knives.")
    cands = [_cand(r, "The unit is called the VERU."), _cand(r, "It is run by the council."),
             _cand(other, "The unit is called the VERU team."), _cand(other, "Officers seized knives.")]
    cands = [replace(c, stems=frozenset(content_stems(c.text))) for c in cands]  # as the ranker stems them
    said = [Citation(1, "a", "Title of a", None, None, 0, 28, "The unit is called the VERU.")]
    assert repeats(cands, said) == [True, False, True, False]  # the sentence, and its near-duplicate elsewhere
    assert repeats(cands, []) == [False] * 4
