"""Metric functions of the evaluation suite -- one import for all of them.

Retrieval metrics live in :mod:`eval.metrics_retrieval`, answer and citation
metrics in :mod:`eval.metrics_answer`; this module re-exports both and adds the
set-level helpers :func:`percentile` and :func:`aggregate`.  Every function is
pure (no I/O, no global state) and deterministic.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from eval.metrics_answer import (
    STOPWORDS,
    SUPPORT_METHOD,
    SUPPORT_THRESHOLD,
    citation_precision,
    citation_support,
    citation_validity,
    cited_numbers,
    fact_present,
    key_fact_accuracy,
    normalize,
    refusal_rates,
    split_sentences,
    support_score,
    token_f1,
)
from eval.metrics_retrieval import (
    RETRIEVAL_KEYS,
    dedupe,
    hit_at_k,
    mrr_at_k,
    ndcg_at_k,
    rank_with_ties,
    recall_at_k,
    retrieval_metrics,
)

__all__ = [
    "RETRIEVAL_KEYS",
    "STOPWORDS",
    "SUPPORT_METHOD",
    "SUPPORT_THRESHOLD",
    "aggregate",
    "citation_precision",
    "citation_support",
    "citation_validity",
    "cited_numbers",
    "dedupe",
    "fact_present",
    "hit_at_k",
    "key_fact_accuracy",
    "mrr_at_k",
    "ndcg_at_k",
    "normalize",
    "percentile",
    "rank_with_ties",
    "recall_at_k",
    "refusal_rates",
    "retrieval_metrics",
    "split_sentences",
    "support_score",
    "token_f1",
]


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0 <= p <= 100) of ``values`` with linear interpolation.

    Same definition as ``numpy.percentile(values, p)`` (method ``"linear"``): sort,
    take the virtual index ``(p / 100) * (n - 1)`` and interpolate between the two
    neighbouring values.  Empty ``values``, NaN values, or ``p`` outside [0, 100]
    raise ``ValueError``.
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= p <= 100:  # also rejects NaN
        raise ValueError(f"p must be within [0, 100], got {p!r}")
    data = sorted(float(v) for v in values)
    if any(math.isnan(v) for v in data):
        raise ValueError("percentile of NaN")
    index = (p / 100) * (len(data) - 1)
    lo = math.floor(index)
    hi = min(lo + 1, len(data) - 1)
    a, b, t = data[lo], data[hi], index - lo
    if a == b:
        return a
    # numpy's _lerp: interpolate from whichever end is nearer, for accuracy.
    return b - (b - a) * (1 - t) if t >= 0.5 else a + (b - a) * t


def aggregate(rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> dict[str, float | int | None]:
    """Mean of each key over the rows where it is present and not ``None``, plus ``n``.

    ``n`` is the number of rows.  A key with no usable value in any row maps to
    ``None``.  Booleans count as 0/1.  Sums use ``math.fsum`` so the result does
    not depend on float rounding order beyond the final division.  A key named
    ``"n"`` raises ``ValueError``.
    """
    if "n" in keys:
        raise ValueError('"n" is reserved for the row count')
    out: dict[str, float | int | None] = {}
    for key in keys:
        values = [float(row[key]) for row in rows if row.get(key) is not None]
        out[key] = math.fsum(values) / len(values) if values else None
    out["n"] = len(rows)
    return out
