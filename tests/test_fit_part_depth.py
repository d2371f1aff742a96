"""bench/fit_part_depth.py and bench/fit_part_support.py choose a value the same way: most key facts on the files
given, then the best citation precision, then the value nearest to the old one; a held-out file never counts."""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from fit_part_support import choose  # noqa: E402


def _scores(key_facts: float, precision: float) -> dict:
    return {"answerable": 10, "key_facts": key_facts, "precision_sum": precision * 10, "precision_n": 10}


def test_most_key_facts_then_precision_then_nearest_to_the_old_value():
    results = {5: {"a": _scores(4, 0.9), "b": _scores(5, 0.9)},
               8: {"a": _scores(5, 0.8), "b": _scores(5, 0.8)},
               10: {"a": _scores(5, 0.8), "b": _scores(5, 0.8)}}
    assert choose(results, ["a", "b"], off=5) == 8     # 10 key facts at 8 and 10: the one nearer to 5
    assert choose(results, ["b"], off=5) == 5          # level key facts on b: 5's citation precision is better
    assert choose(results, ["a", "b"], off=10) == 10   # the tie broken towards the old value, whichever it is
    support = {1.0: {"a": _scores(3, 0.9)}, 0.25: {"a": _scores(3, 0.9)}, 0.0: {"a": _scores(3, 0.9)}}
    assert choose(support, ["a"]) == 1.0               # fit_part_support's default: nearest to off (1.0)
