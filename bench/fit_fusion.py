"""Fit the hybrid retriever's fusion weights by cross-validation over the dev sets.

    python bench/fit_fusion.py --index .rag/shared [--dataset FILE ...] [--out bench/results]
    python bench/fit_fusion.py --index .rag/shared --grid release   # the whole-release field's weight
    python bench/fit_fusion.py --index .rag/shared --grid window --dataset ... # the in-window lists' weight alone
    python bench/fit_fusion.py --index .rag/shared --grid joint --tuning --judges   # stop 66: more data, judged

Score fusion adds min-max normalised lists, so only the weights' ratios matter: the dense
weight stays 1 and the grid moves the others (BM25 over chunks, titles for lookup questions
and for the rest, the in-window lists of a question naming a time). Each dataset is a fold:
the weights are chosen on the others (mean MRR@10, then hit@1) and scored on it, which is
the estimate of how the choice does on questions it was not tuned on. The weights chosen on
all folds are printed last; the shipped default changes only when they win where they were
not tuned. ``--tuning`` adds the tuning fact and refusal sets (answerable questions) as folds; ``--judges``
scores the judge sets (``JUDGES``, never used to choose) with the default, the weights chosen on all folds
and plain BM25. Every search's result is remembered per query (``_Memo``), so each setting only fuses
again. Writes OUT/fusion_fit.{md,json} (every fold's choice, out-of-fold scores beside
the shipped default and plain BM25 over chunks, and per question where the default ranks the
gold release below plain BM25).
"""
from __future__ import annotations

import argparse
import itertools
import json
import statistics
from dataclasses import asdict, replace
from pathlib import Path

from common import REPO, machine, write_report

from eval import metrics as m
from eval.dataset import read_dataset
from eval.runner import RETRIEVE_DEPTH, ranked_releases
from rag.pipeline import Pipeline
from rag.question import analyse
from rag.retrieval import NO_FILTERS, Filters
from rag.retrieval.hybrid import HybridRetriever, retriever_config
from rag.settings import load_settings

SHARED = REPO.parent / "shared" / "eval"
DATASETS = [SHARED / "dev.jsonl", SHARED / "dev-more-a.jsonl", SHARED / "dev-more-b.jsonl",
            REPO / "bench" / "datasets" / "time_probes.jsonl"]
TUNING = [REPO / "bench" / "datasets" / f"{n}.jsonl" for n in
          ("facts-f", "facts-g", "facts-j", "facts-k", "refuse-a", "refuse-d", "refuse-f")]
JUDGES = [REPO / "bench" / "datasets" / f"{n}.jsonl" for n in
          ("facts-c", "facts-d", "facts-e", "facts-h", "facts-i", "refuse-b", "refuse-c", "refuse-e", "refuse-g",
           "refuse-h")]
GRIDS = {
    "fusion": {  # written to fusion_fit.*; the whole-release field off, as when this grid was run
        "bm25_weight": (1.0, 1.5, 2.0, 3.0, 4.0),
        "title_weight": (0.0, 0.25, 0.5, 1.0),
        "other_title_weight": (0.0, 0.25, 0.5),
        "window_weight": (0.5, 1.0, 2.0),
        "release_weight": (0.0,),
    },
    "window": {  # written to fusion_fit_window.*; the other weights as shipped
        "window_weight": (0.5, 1.0, 2.0, 3.0, 4.0),
    },
    "joint": {  # written to fusion_fit_joint.*; the five weights together, from the shipped ones up (the lexical
        # lists against the dense one: a first grid, 0.75-1.5 / 0.25-0.5 / 0-0.5 / 0.25-1, chose its upper corner)
        "bm25_weight": (1.0, 1.5, 2.0, 3.0),
        "title_weight": (0.25, 0.5, 1.0),
        "other_title_weight": (0.25, 0.5, 1.0),
        "release_weight": (0.5, 1.0, 2.0),
        "window_weight": (1.0, 2.0),
    },
    "shipped": {},  # written to fusion_fit_shipped.*; the shipped weights alone (where they are behind plain BM25)
    "release": {  # written to fusion_fit_release.*; the other weights as shipped
        "release_weight": (0.0, 0.25, 0.5, 1.0, 2.0),
        "bm25_weight": (1.0, 2.0),
    },
}


def load(paths):
    """Answerable questions per dataset: (name, [(id, type, analysed question, filters, gold ids)])."""
    out = []
    for path in paths:
        rows = []
        for q in read_dataset(path):
            if q.gold_ids:
                filters = Filters(as_of=q.as_of) if q.as_of else NO_FILTERS
                rows.append((q.id, q.type, analyse(q.question, filters.as_of), filters, set(q.gold_ids)))
        out.append((Path(path).stem, rows))
    return out


class _Memo:
    """Remembers each search's result by its arguments (a query vector by its bytes, ``allowed`` as a set), so a
    grid of weights searches once per question and fuses per setting."""

    def __init__(self, inner):
        self._inner, self._seen = inner, {}

    def __getattr__(self, name):
        attr = getattr(self._inner, name)
        if not name.startswith("search"):
            return attr

        def search(query, k, allowed=None):
            key = (name, query.tobytes() if hasattr(query, "tobytes") else query, k,
                   None if allowed is None else frozenset(allowed))
            if key not in self._seen:
                self._seen[key] = attr(query, k, allowed=allowed)
            return self._seen[key]
        return search


def remember_searches(index) -> None:
    """Wrap ``index``'s BM25 fields and vectors in ``_Memo`` (its ``lexical`` property returns the wrapped one)."""
    index._lexical = _Memo(index.lexical)
    index.vectors = _Memo(index.vectors)


def score(retriever: HybridRetriever, rows) -> list[dict]:
    scored = []
    for qid, qtype, question, filters, gold in rows:
        hits = retriever.retrieve(question, RETRIEVE_DEPTH * 2, filters)
        ranked = [r["release_id"] for r in ranked_releases(hits)][:RETRIEVE_DEPTH]
        row = m.retrieval_metrics(ranked, gold)
        row.update(id=qid, type=qtype, rank=next((i for i, r in enumerate(ranked, 1) if r in gold), None))
        scored.append(row)
    return scored


def summary(rows: list[dict]) -> dict:
    return {k: round(statistics.fmean(r[k] for r in rows), 4) for k in ("hit@1", "mrr@10")} | {"n": len(rows)}


def objective(s: dict) -> tuple:
    return (s["mrr@10"], s["hit@1"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--dataset", action="append", type=Path)
    ap.add_argument("--out", default=str(REPO / "bench" / "results"))
    ap.add_argument("--grid", choices=sorted(GRIDS), default="fusion")
    ap.add_argument("--tuning", action="store_true", help="add the tuning fact and refusal sets as folds")
    ap.add_argument("--judges", action="store_true", help="score the judge sets (never used to choose)")
    args = ap.parse_args()
    grid = GRIDS[args.grid]
    stem = "fusion_fit" if args.grid == "fusion" else f"fusion_fit_{args.grid}"
    settings = load_settings().with_(index_dir=args.index)
    pipe = Pipeline(settings)
    folds = load((args.dataset or DATASETS) + (TUNING if args.tuning else []))
    judges = load(JUDGES) if args.judges else []
    remember_searches(pipe.index)
    base = retriever_config(settings.retrieval.retriever, dates=settings.retrieval.dates)
    retriever = HybridRetriever(pipe.index, pipe.embedder, base)
    retriever.prime([q for _, rows in folds + judges for _, _, q, _, _ in rows])

    configs = [dict(zip(grid, values)) for values in itertools.product(*grid.values())]
    per_config: list[dict[str, list[dict]]] = []
    for i, weights in enumerate(configs, 1):
        retriever.config = replace(base, **weights)
        per_config.append({name: score(retriever, rows) for name, rows in folds})
        if i % 20 == 0:
            print(f"{i}/{len(configs)} configurations", flush=True)

    def pooled(results: dict[str, list[dict]], names) -> dict:
        return summary([r for n in names for r in results[n]])

    retriever.config = base
    default = {name: score(retriever, rows) for name, rows in folds}
    retriever.config = retriever_config("bm25-chunks", dates=False)
    plain = {name: score(retriever, rows) for name, rows in folds}

    names = [n for n, _ in folds]
    report = {"machine": machine(), "grid": grid, "default": asdict(base), "folds": []}
    for held in names:
        train = [n for n in names if n != held]
        best = max(range(len(configs)), key=lambda i: objective(pooled(per_config[i], train)))
        report["folds"].append({
            "held_out": held, "chosen": configs[best], "train": pooled(per_config[best], train),
            "held_out_chosen": pooled(per_config[best], [held]), "held_out_default": pooled(default, [held]),
            "held_out_plain_bm25": pooled(plain, [held]),
        })
    best_all = max(range(len(configs)), key=lambda i: objective(pooled(per_config[i], names)))
    report["chosen_on_all"] = {"weights": configs[best_all], "scores": {n: pooled(per_config[best_all], [n])
                                                                          for n in names}}
    report["per_config"] = [{"weights": c, "scores": {n: pooled(r, [n]) for n in names}}
                            for c, r in zip(configs, per_config)]
    report["default_scores"] = {n: pooled(default, [n]) for n in names}
    report["plain_bm25_scores"] = {n: pooled(plain, [n]) for n in names}
    report["behind_plain_bm25"] = [
        {"dataset": n, "id": d["id"], "type": d["type"], "default_rank": d["rank"], "bm25_rank": p["rank"]}
        for n in names for d, p in zip(default[n], plain[n])
        if p["rank"] is not None and (d["rank"] is None or d["rank"] > p["rank"])]

    lines = ["Fusion weights by cross-validation: each dataset held out in turn, weights chosen on the others "
             "(mean MRR@10, then hit@1) over the grid " + json.dumps(grid) + f"; index `{args.index}`.", "",
             "| held out | chosen on the others | held out: chosen | held out: default | held out: plain BM25 |",
             "|---|---|---|---|---|"]
    for f in report["folds"]:
        cells = [f"hit@1 {s['hit@1']:.3f} / MRR {s['mrr@10']:.3f}" for s in
                 (f["held_out_chosen"], f["held_out_default"], f["held_out_plain_bm25"])]
        lines.append(f"| {f['held_out']} (n={f['held_out_chosen']['n']}) | {json.dumps(f['chosen'])} | "
                     + " | ".join(cells) + " |")
    lines += ["", f"Chosen on all folds: {json.dumps(report['chosen_on_all']['weights'])}.", "",
              "Questions where the default ranks the gold release below plain BM25 over chunks:", ""]
    lines += [f"- {b['dataset']} {b['id']} ({b['type']}): default rank {b['default_rank']}, BM25 rank {b['bm25_rank']}"
              for b in report["behind_plain_bm25"]] or ["- none"]
    if judges:
        lines += judge_lines(retriever, base, configs[best_all], judges, report)
    write_report(args.out, stem, "\n".join(lines), report)


def judge_lines(retriever, base, chosen: dict, judges, report: dict) -> list[str]:
    """The judge sets scored with the default, the weights chosen on all folds and plain BM25 (into ``report``)."""
    rows = {}
    for label, config in (("default", base), ("chosen", replace(base, **chosen)),
                          ("plain BM25", retriever_config("bm25-chunks", dates=False))):
        retriever.config = config
        rows[label] = {name: score(retriever, qs) for name, qs in judges}
    retriever.config = base
    report["judges"] = {label: {n: summary(r) for n, r in per.items()} for label, per in rows.items()}
    pooled = {label: summary([r for rs in per.values() for r in rs]) for label, per in rows.items()}
    report["judges_pooled"] = pooled
    out = ["", "The judge sets (never used to choose), hit@1 / MRR@10:", "",
           "| judge | default | chosen on all folds | plain BM25 |", "|---|---|---|---|"]
    for name, _ in judges + [("all judges", None)]:
        cells = [pooled[label] if name == "all judges" else summary(rows[label][name]) for label in rows]
        scores = " | ".join(f"{c['hit@1']:.3f} / {c['mrr@10']:.3f}" for c in cells)
        out.append(f"| {name} (n={cells[0]['n']}) | {scores} |")
    return out


if __name__ == "__main__":
    main()
