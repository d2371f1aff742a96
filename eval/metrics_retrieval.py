"""Release-level retrieval metrics with binary relevance.

Every function takes ``ranked`` -- release ids in rank order, best first -- and
``gold`` -- the ids of the relevant releases.  ``ranked`` may repeat an id (several
chunks of one release were retrieved); only the FIRST occurrence counts, so the
list is de-duplicated preserving order before anything is measured.  ``k`` counts
distinct releases after that de-duplication.

The definitions match trec_eval (checked against ``pytrec_eval`` in the tests):

* ``hit_at_k``    == trec ``success.k`` (and ``P.1`` at k=1)
* ``recall_at_k`` == trec ``recall.k``
* ``mrr_at_k``    == trec ``recip_rank`` computed on the run cut at k
* ``ndcg_at_k``   == trec ``ndcg_cut.k`` with gains of 1 for relevant releases

Empty ``gold`` raises ``ValueError``: retrieval is only scored for answerable
questions, and every ratio here would otherwise be undefined.
"""
from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence

__all__ = [
    "RETRIEVAL_KEYS",
    "dedupe",
    "hit_at_k",
    "mrr_at_k",
    "ndcg_at_k",
    "rank_with_ties",
    "recall_at_k",
    "retrieval_metrics",
]

RETRIEVAL_KEYS: tuple[str, ...] = ("hit@1", "hit@4", "hit@10", "recall@10", "mrr@10", "ndcg@10")
"""The keys of :func:`retrieval_metrics`, in report order."""


def dedupe(ranked: Iterable[str]) -> list[str]:
    """``ranked`` with repeated ids removed, keeping each id's first (best) position."""
    seen: set[str] = set()
    out: list[str] = []
    for rid in ranked:
        if rid not in seen:
            seen.add(rid)
            out.append(rid)
    return out


def _prepare(ranked: Sequence[str], gold: Collection[str], k: int) -> tuple[list[str], frozenset[str]]:
    """Validate inputs; return the top ``k`` distinct ids and the gold set."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if isinstance(gold, str):
        raise TypeError("gold must be a collection of release ids, not a single string")
    gold_set = frozenset(gold)
    if not gold_set:
        raise ValueError("gold is empty: retrieval metrics are only defined for answerable questions")
    return dedupe(ranked)[:k], gold_set


def hit_at_k(ranked: Sequence[str], gold: Collection[str], k: int) -> float:
    """1.0 if any gold release is among the top ``k`` distinct releases, else 0.0."""
    top, gold_set = _prepare(ranked, gold, k)
    return 1.0 if any(rid in gold_set for rid in top) else 0.0


def recall_at_k(ranked: Sequence[str], gold: Collection[str], k: int) -> float:
    """Share of the gold releases found among the top ``k`` distinct releases."""
    top, gold_set = _prepare(ranked, gold, k)
    return sum(1 for rid in top if rid in gold_set) / len(gold_set)


def mrr_at_k(ranked: Sequence[str], gold: Collection[str], k: int) -> float:
    """``1/rank`` of the first gold release within the top ``k`` (ranks from 1), else 0.0.

    Averaged over questions by the caller, this is the mean reciprocal rank.
    """
    top, gold_set = _prepare(ranked, gold, k)
    for rank, rid in enumerate(top, start=1):
        if rid in gold_set:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranked: Sequence[str], gold: Collection[str], k: int) -> float:
    """Normalised discounted cumulative gain at ``k`` with binary gains.

    DCG = sum over ranks i = 1..k of ``rel_i / log2(i + 1)`` with ``rel_i`` 1 for a
    gold release and 0 otherwise; the ideal DCG puts ``min(len(gold), k)`` gold
    releases at the top.  The result lies in [0, 1].
    """
    top, gold_set = _prepare(ranked, gold, k)
    dcg = math.fsum(1.0 / math.log2(i + 2) for i, rid in enumerate(top) if rid in gold_set)
    ideal = math.fsum(1.0 / math.log2(i + 2) for i in range(min(len(gold_set), k)))
    return dcg / ideal


def retrieval_metrics(ranked: Sequence[str], gold: Collection[str]) -> dict[str, float]:
    """All release-level retrieval metrics for one question, keyed by :data:`RETRIEVAL_KEYS`.

    ``{"hit@1", "hit@4", "hit@10", "recall@10", "mrr@10", "ndcg@10"}``; raises
    ``ValueError`` when ``gold`` is empty.
    """
    return {
        "hit@1": hit_at_k(ranked, gold, 1),
        "hit@4": hit_at_k(ranked, gold, 4),
        "hit@10": hit_at_k(ranked, gold, 10),
        "recall@10": recall_at_k(ranked, gold, 10),
        "mrr@10": mrr_at_k(ranked, gold, 10),
        "ndcg@10": ndcg_at_k(ranked, gold, 10),
    }


def rank_with_ties(scored: Sequence[tuple[str, float]]) -> list[str]:
    """Ids ordered the way trec_eval orders a run: score descending, ties by id DESCENDING.

    trec_eval sorts a run by similarity, highest first, and breaks equal scores by
    comparing the document ids with ``strcmp``, greater id first (verified against
    ``pytrec_eval``: for equal scores ``c`` ranks above ``b`` above ``a``, and
    ``"b9"`` above ``"b10"``).  Python compares ``str`` by code point, which is the
    same order as ``strcmp`` on the UTF-8 bytes.  The order of ``scored`` itself
    does not matter.  Repeated ids are kept (use :func:`dedupe`, or let the
    metric functions do it); a NaN score raises ``ValueError``.

    Use this only when reproducing trec_eval; the metric functions otherwise take
    the caller's order as given.
    """
    for rid, score in scored:
        if math.isnan(score):
            raise ValueError(f"NaN score for {rid!r}")
    return [rid for rid, _ in sorted(scored, key=lambda pair: (pair[1], pair[0]), reverse=True)]
