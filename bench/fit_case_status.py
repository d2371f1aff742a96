"""Fit which sentences of a case's latest release state where the case stands (rag/collect/status.py).

    python bench/fit_case_status.py --index .rag/shared [--out bench/results] [--weights rag/collect/status_weights.json]

Records: every case-history question ("timeline") of the sets the count-and-case work was tuned
on (``FIT_SETS``: the shared dev file and ``bench/datasets/collect-a`` ... ``-i``) that the
product routes to a case: the sentences of the latest dated release its answer lists (what
``status_spans`` reads), labelled 1 when a sentence holds one of the question's ``must_include``
strings (its latest outcome). Sets written later (``collect-j`` on) are never read here.

Scores, each set held out in turn (weights fitted on the others): a question's latest line
"covers" when its step sentence and the model's best ``k`` other sentences hold every
``must_include`` string; reported for k = 1, 2, 3 over a grid of C, the step sentence alone
beside them. C is chosen by pooled coverage at ``STATUS_SENTENCES`` (the smaller C on ties);
each feature group is then left out in turn. Writes the weights (fitted on every record) and
OUT/case_status_fit.{md,json}.
"""
from __future__ import annotations

import json
from pathlib import Path

from collect import SETS
from common import fit_arguments, fit_linear, machine, predict_linear, write_report

from eval.dataset import read_dataset
from rag.collect.case import case_steps
from rag.collect import status
from rag.collect.status import FEATURES, GROUPS, STATUS_SENTENCES, WEIGHTS, candidates, features
from rag.pipeline import Pipeline
from rag.settings import Settings
from rag.text.normalize import normalize

FIT_SETS = ("dev", "a", "b", "c", "d", "e", "f", "g", "h", "i")
CS = (0.01, 0.03, 0.1, 0.3, 1.0)
KS = (1, 2, 3)


def records(pipe: Pipeline, name: str) -> list[dict]:
    """One record per case question of set ``name`` routed to a case with a dated release."""
    store, out = pipe.index.store, []
    for q in read_dataset(SETS[name]):
        if q.type != "timeline":
            continue
        answer, _ = pipe.ask(q.question, answerer="extractive")
        dated = [m for m in answer.matches if m.date] if answer.route == "case" else []
        if not dated:
            continue
        release = store.release(max(dated, key=lambda m: m.date).release_id)
        step = case_steps([release])[0]
        spans = candidates(release)
        texts = [normalize(release.body[s:e]) for s, e in spans]
        must = [normalize(m) for m in q.must_include]
        out.append({"id": q.id, "X": features(release, spans, step.step), "spans": spans,
                    "y": [int(any(m in t for m in must)) for t in texts], "texts": texts, "must": must,
                    "step_text": normalize(release.body[step.start:step.end]),
                    "skip": [step.start, step.end]})
    return out


def covered(record: dict, scores: list[float], k: int) -> bool:
    """Whether the step sentence and the ``k`` best other sentences hold every must string."""
    skip = tuple(record["skip"])
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    best = [i for i in order if not (record["spans"][i][0] < skip[1] and skip[0] < record["spans"][i][1])][:k]
    said = " ".join([record["step_text"], *(record["texts"][i] for i in best)])
    return all(m in said for m in record["must"])


def held_out(data: dict[str, list[dict]], c: float, keep=FEATURES) -> dict[str, dict[int, int]]:
    """Per held-out set: questions covered at each k, by weights fitted on the other sets."""
    cols = [FEATURES.index(f) for f in keep]

    def cut(recs):
        return [{**r, "X": [[row[i] for i in cols] for row in r["X"]]} for r in recs]

    out = {}
    for held in data:
        weights = fit_linear(cut([r for n in data if n != held for r in data[n]]), c, keep)
        scores = predict_linear(weights, cut(data[held]))
        out[held] = {k: sum(covered(r, s, k) for r, s in zip(data[held], scores)) for k in KS}
    return out


def main() -> None:
    args = fit_arguments(__doc__, WEIGHTS)
    pipe = Pipeline(Settings(index_dir=args.index))
    status.STATUS_SENTENCES = 0  # the answers need no status model while its records are gathered
    data = {name: records(pipe, name) for name in FIT_SETS}
    status.STATUS_SENTENCES = STATUS_SENTENCES
    n = {name: len(recs) for name, recs in data.items()}
    alone = {name: sum(covered(r, [0.0] * len(r["texts"]), 0) for r in recs) for name, recs in data.items()}
    grid = {c: held_out(data, c) for c in CS}
    pooled = {c: {k: sum(v[k] for v in grid[c].values()) for k in KS} for c in CS}
    best_c = max(CS, key=lambda c: (pooled[c][STATUS_SENTENCES], -c))
    ablation = {}
    for group, names in GROUPS.items():
        keep = tuple(f for f in FEATURES if f not in names)
        ablation[group] = sum(v[STATUS_SENTENCES] for v in held_out(data, best_c, keep).values())
    weights = fit_linear([r for recs in data.values() for r in recs], best_c, FEATURES)
    weights["fit"] = {"script": "bench/fit_case_status.py", "C": best_c, "k": STATUS_SENTENCES, "sets": list(FIT_SETS),
                      "questions": n, "held_out_covered": grid[best_c], "step_sentence_alone": alone}
    Path(args.weights).write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")

    total = sum(n.values())
    lines = [f"Case status sentences, each set held out in turn (weights fitted on the others): questions whose "
             f"latest line (step sentence + the k best other sentences) holds every must_include string. "
             f"{total} case questions routed to a case; index `{args.index}`.", "",
             "| C | k | " + " | ".join(FIT_SETS) + " | pooled |", "|" + "---|" * (len(FIT_SETS) + 3),
             "| – | step sentence alone | " + " | ".join(f"{alone[s]}/{n[s]}" for s in FIT_SETS) + f" | {sum(alone.values())}/{total} |"]
    for c in CS:
        for k in KS:
            lines.append(f"| {c} | {k} | " + " | ".join(f"{grid[c][s][k]}/{n[s]}" for s in FIT_SETS) +
                         f" | {pooled[c][k]}/{total} |")
    lines += ["", f"Chosen C = {best_c} (pooled coverage at k = {STATUS_SENTENCES}). Each feature group left out "
              f"(same C, k = {STATUS_SENTENCES}, pooled; all groups: {pooled[best_c][STATUS_SENTENCES]}/{total}):", "",
              "| left out | pooled covered |", "|---|---|"]
    lines += [f"| {group} | {v}/{total} |" for group, v in ablation.items()]
    write_report(args.out, "case_status_fit", "\n".join(lines),
                 {"machine": machine(), "index": args.index, "questions": n, "step_sentence_alone": alone,
                  "grid": {str(c): grid[c] for c in CS}, "chosen_c": best_c, "ablation": ablation})


if __name__ == "__main__":
    main()
