"""Reciprocal rank fusion: pure functions over ranked id lists."""
from __future__ import annotations

from typing import Hashable, Sequence

RRF_K = 60


def rrf(rankings: Sequence[Sequence[Hashable]], weights: Sequence[float] | None = None,
        k: int = RRF_K) -> list[tuple[Hashable, float]]:
    """Fuse ranked lists: score(d) = sum_i w_i / (k + rank_i(d)), ranks from 1.

    An id repeated within one list counts at its first (best) rank only. Ties are
    broken by the order in which ids were first seen across the lists, so the
    result is deterministic.
    """
    if weights is None:
        weights = [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError(f"{len(weights)} weights for {len(rankings)} rankings")
    if k < 0:
        raise ValueError(f"rrf k must be >= 0, got {k!r}")
    scores: dict[Hashable, float] = {}
    first_seen: dict[Hashable, int] = {}
    for ranking, weight in zip(rankings, weights):
        seen: set = set()
        rank = 0
        for item in ranking:
            if item in seen:
                continue
            seen.add(item)
            rank += 1
            first_seen.setdefault(item, len(first_seen))
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], first_seen[kv[0]]))


def min_max(scored: Sequence[tuple[Hashable, float]]) -> dict[Hashable, float]:
    """Scores of one ranked list rescaled to [0, 1]: best 1, worst listed 0; all equal -> 1.

    An id repeated within the list keeps its first (best) score.
    """
    first: dict[Hashable, float] = {}
    for item, s in scored:
        first.setdefault(item, s)
    if not first:
        return {}
    hi, lo = max(first.values()), min(first.values())
    return {item: (s - lo) / (hi - lo) if hi > lo else 1.0 for item, s in first.items()}


def score_fusion(lists: Sequence[Sequence[tuple[Hashable, float]]], weights: Sequence[float] | None = None
                 ) -> list[tuple[Hashable, float]]:
    """Convex combination of min-max normalised scores: score(d) = sum_i w_i * norm_i(d).

    An id missing from a list gets 0 from it. Unlike RRF it keeps how far apart the
    scores are, so a clear BM25 winner is not levelled with the runner-up. Ties are
    broken by the order in which ids were first seen, so the result is deterministic.
    """
    if weights is None:
        weights = [1.0] * len(lists)
    if len(weights) != len(lists):
        raise ValueError(f"{len(weights)} weights for {len(lists)} lists")
    scores: dict[Hashable, float] = {}
    first_seen: dict[Hashable, int] = {}
    for scored, weight in zip(lists, weights):
        for item, norm in min_max(scored).items():
            first_seen.setdefault(item, len(first_seen))
            scores[item] = scores.get(item, 0.0) + weight * norm
    return sorted(scores.items(), key=lambda kv: (-kv[1], first_seen[kv[0]]))


FUSIONS = ("score", "rrf")
