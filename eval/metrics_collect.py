"""Metrics for questions about many releases (types ``aggregate`` and ``timeline``). Pure.

* ``count_exact``: the first whole number the answer states equals the expected count (a
  question whose ``must_include`` is one whole number); None otherwise.
* ``list_recall`` / ``list_precision``: the gold releases among the releases the answer cites.
* ``chain_recall``: the share of a case's releases (``gold_ids``, in date order) cited;
  ``chain_order``: 1.0 when the cited ones are numbered in that order (citation numbers follow
  the answer's chain), else 0.0.
* ``routing_ok``: the route taken is the one the question type needs: "count" or "list" for
  ``aggregate``, "case" for ``timeline``, "fact" for every other type.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["COLLECT_KEYS", "EXPECTED_ROUTES", "chain_order", "collect_metrics", "count_exact", "list_scores",
           "routing_ok"]

COLLECT_KEYS = ("routing_ok", "count_exact", "list_recall", "list_precision", "chain_recall", "chain_order")
EXPECTED_ROUTES = {"aggregate": ("count", "list"), "timeline": ("case",)}
_WHOLE = re.compile(r"(?<![\d.,])\d[\d,]*(?![\d,]*\.\d)")


def count_exact(answer_text: str, must_include: Sequence[str]) -> float | None:
    facts = [f.replace(",", "") for f in must_include]
    if len(facts) != 1 or not facts[0].isdigit():
        return None
    first = _WHOLE.search(answer_text or "")
    return 1.0 if first and first.group(0).replace(",", "") == facts[0] else 0.0


def list_scores(cited_ids: Sequence[str], gold_ids: Sequence[str]) -> tuple[float | None, float | None]:
    """(recall, precision) of the distinct cited releases against the gold ones."""
    cited, gold = set(cited_ids), set(gold_ids)
    if not gold:
        return None, None
    recall = len(cited & gold) / len(gold)
    return recall, (len(cited & gold) / len(cited) if cited else None)


def chain_order(cited: Sequence[tuple[int, str]], gold_ids: Sequence[str]) -> float | None:
    """``cited`` holds (citation number, release id); 1.0 when the gold releases' first numbers
    rise in gold order; None when fewer than two are cited."""
    first: dict[str, int] = {}
    for n, rid in sorted(cited):
        first.setdefault(rid, n)
    order = [first[g] for g in gold_ids if g in first]
    if len(order) < 2:
        return None
    return 1.0 if order == sorted(order) else 0.0


def routing_ok(qtype: str, route: str) -> float:
    return 1.0 if route in EXPECTED_ROUTES.get(qtype, ("fact",)) else 0.0


def collect_metrics(qtype: str, route: str, answer_text: str, must_include: Sequence[str],
                    cited: Sequence[tuple[int, str]], gold_ids: Sequence[str]) -> dict:
    """Every key of ``COLLECT_KEYS`` for one question (None where it does not apply)."""
    out: dict = dict.fromkeys(COLLECT_KEYS)
    out["routing_ok"] = routing_ok(qtype, route)
    ids = [rid for _, rid in cited]
    if qtype == "aggregate":
        out["count_exact"] = count_exact(answer_text, must_include)
        out["list_recall"], out["list_precision"] = list_scores(ids, gold_ids)
    elif qtype == "timeline":
        out["chain_recall"], _ = list_scores(ids, gold_ids)
        out["chain_order"] = chain_order(cited, gold_ids)
    return out
