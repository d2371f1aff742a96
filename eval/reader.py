"""The sentence reader's data: candidate sentences of the dev questions, labelled.

Shared by the fitting script (bench/fit_reader.py) and the test that the shipped weights
reproduce their committed scores. A candidate is a sentence of the passages the extractive
answerer reads for the question (retrieved as ``rag eval`` retrieves, grounded as the
answerer grounds); it is a positive when it holds one of the question's key facts
(``must_include``, compared as the evaluation compares them) and belongs to a gold release.
A question asking two things is read as the pipeline reads it (``retrieval.split``): one
record per part, from that part's own passages; when it has as many key facts as parts, the
i-th fact is the i-th part's (the dev sets list them in the order asked), else any counts.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from rag.answer.evidence import SentenceRanker
from rag.answer.reader import features
from rag.models import Hit
from rag.question import analyse, analyse_parts
from rag.retrieval import NO_FILTERS, Filters

from .dataset import Question
from .metrics import fact_present
from .runner import RETRIEVE_DEPTH


def collect(pipe, ranker: SentenceRanker, questions: Sequence[Question], name: str = "",
            more: Callable[[list[Hit]], list[Hit]] | None = None) -> list[dict]:
    """One record per answerable question with candidates: their features, labels (holds a key
    fact of a gold release) and the hand-set rank. ``more`` adds passages to those read (a
    variant measured by bench/reader_variants.py)."""
    out = []
    top_k = pipe.settings.retrieval.top_k
    for q in questions:
        if not q.gold_ids:
            continue
        filters = Filters(as_of=q.as_of) if q.as_of else NO_FILTERS
        question = analyse(q.question, filters.as_of)
        parts = analyse_parts(question, pipe.settings.retrieval.split_search) if pipe.settings.retrieval.split else ()
        if len(parts) < 2:
            parts = (question,)
        for i, part in enumerate(parts):
            facts = [q.must_include[i]] if len(parts) > 1 and len(q.must_include) == len(parts) else q.must_include
            hits = pipe.passages(pipe.search(part, RETRIEVE_DEPTH * 2, filters)[:top_k])
            _, top = ranker.ground(part, hits)
            cands, _ = ranker.rank(part, top + more(top) if more else top)
            if not cands:
                continue
            labels = [int(c.release.id in q.gold_ids and any(fact_present(c.text, f) for f in facts)) for c in cands]
            out.append({"id": q.id if len(parts) == 1 else f"{q.id}#{i + 1}", "type": q.type, "file": name,
                        "X": features(part, cands), "y": labels, "hand": [c.rank_score for c in cands]})
    return out


def top1(records: list[dict], scores: list[list[float]]) -> dict:
    """Of the questions with a positive candidate, the share whose best-scored one is positive."""
    able = [(r, s) for r, s in zip(records, scores) if any(r["y"])]
    hits = sum(r["y"][int(np.argmax(s))] for r, s in able)
    return {"top1": round(hits / len(able), 4) if able else None, "answerable": len(able), "questions": len(records)}
