"""Compare a results file with a baseline: per-question diff and a metric gate.

Only deterministic metrics gate (retrieval, key facts, token F1, refusals, the
lexical citation measures, routing and the count, list and chain measures). Latency depends on the machine and never gates.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import ConfigError

# metric -> +1 when higher is better, -1 when lower is better
GATED = {
    "hit@1": 1, "hit@4": 1, "hit@10": 1, "recall@10": 1, "mrr@10": 1, "ndcg@10": 1,
    "key_fact_accuracy": 1, "token_f1": 1, "refusal_rate_unanswerable": 1, "false_refusal_rate": -1,
    "citation_validity": 1, "citation_precision": 1, "citation_support": 1,
    "routing_ok": 1, "count_exact": 1, "list_recall": 1, "list_precision": 1, "chain_recall": 1, "chain_order": 1,
}
DEFAULT_TOLERANCE = 0.02


@dataclass
class Comparison:
    tolerance: float
    deltas: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    regressions: list[str] = field(default_factory=list)   # gated metrics that fell past tolerance
    newly_failing: list[dict] = field(default_factory=list)
    newly_passing: list[dict] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)        # baseline questions absent now

    @property
    def failed(self) -> bool:
        return bool(self.regressions)

    def to_json(self) -> dict:
        return {"tolerance": self.tolerance, "failed": self.failed, "regressions": self.regressions,
                "deltas": {k: {"baseline": b, "current": c} for k, (b, c) in self.deltas.items()},
                "newly_failing": self.newly_failing, "newly_passing": self.newly_passing, "missing": self.missing}


def load_results(path: str | Path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"baseline results not found: {path}") from None
    except ValueError as exc:
        raise ConfigError(f"baseline {path} is not a results JSON file: {exc}") from None
    if not isinstance(data, dict) or "metrics" not in data or "questions" not in data:
        raise ConfigError(f"baseline {path} lacks 'metrics' and 'questions': not a `rag eval` results file")
    return data


def _brief(row: dict) -> dict:
    return {"id": row["id"], "type": row["type"], "question": row["question"], "answer": row["answer"],
            "refused": row["refused"], "retrieved": [r["release_id"] for r in row["retrieved"][:3]],
            "gold_ids": row["gold_ids"]}


def compare(current: dict, baseline: dict, tolerance: float = DEFAULT_TOLERANCE) -> Comparison:
    if not isinstance(tolerance, (int, float)) or not 0 <= tolerance < 1:
        raise ConfigError(f"tolerance must be a number in [0, 1), got {tolerance!r}")
    result = Comparison(tolerance=float(tolerance))
    now, then = current["metrics"]["overall"], baseline["metrics"]["overall"]
    for key, direction in GATED.items():
        b, c = then.get(key), now.get(key)
        result.deltas[key] = (b, c)
        if b is None or c is None:
            continue
        if (c - b) * direction < -tolerance - 1e-12:
            result.regressions.append(f"{key} {b:.3f} -> {c:.3f}")
    old = {q["id"]: q for q in baseline["questions"]}
    new = {q["id"]: q for q in current["questions"]}
    for qid, row in new.items():
        if qid not in old:
            continue
        was, now_passed = old[qid]["metrics"]["passed"], row["metrics"]["passed"]
        if was and not now_passed:
            result.newly_failing.append(_brief(row))
        elif now_passed and not was:
            result.newly_passing.append(_brief(row))
    result.missing = sorted(set(old) - set(new))
    return result
