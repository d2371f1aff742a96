"""An answerer on the dev sets, one row per variant of the settings: every rule of the answer
path switched off in turn.

    python bench/answer_ablation.py --index .rag/shared --answerer extractive [--reader-folds DIR]
    python bench/answer_ablation.py --index .rag/shared --answerer local [--cache bench/results/local_cache.jsonl]
    python bench/answer_ablation.py --render bench/results/extractive_ablation.json   # Markdown again

``--only LABEL`` runs some variants and keeps the other rows of an earlier run in ``--out``.

``--reader-folds DIR`` (from ``bench/fit_reader.py --folds``) scores each dev file with reader
weights fitted without it, so no row credits the reader with questions it was fitted on. The
helper-written sets ``bench/datasets/facts-c.jsonl`` (Brooklyn, Orange County) and ``facts-d.jsonl``
(the six smaller counties), 60 questions each, were never fitted on: the shipped weights score them.

For ``local``, the model runs at temperature 0, so a prompt always gets the same answer: every generation
is kept in ``--cache`` by the hash of its messages, and a variant that changes only what
happens around the model (the citation check, the rescue, the quotes) re-scores the same
generations without running the model again; a variant that changes the prompt generates
only for the prompts it has not seen. Each row is a settings tree (the shipped one with the
listed changes), so every rule of the answer path gets its ablation row on every dev file.
Writes OUT/<answerer>_ablation.{md,json}. Latencies of cached generations are not real: take
them from `rag eval --answerer local` runs.
"""
from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from common import REPO, machine, write_report

from eval.dataset import read_dataset
from eval.runner import evaluate
from rag.pipeline import Pipeline
from rag.settings import load_settings

SHARED = REPO.parent / "shared" / "eval"
DATASETS = [SHARED / "dev.jsonl", SHARED / "dev-more-a.jsonl", SHARED / "dev-more-b.jsonl",
            REPO / "bench" / "datasets" / "facts-c.jsonl", REPO / "bench" / "datasets" / "facts-d.jsonl"]
STEPS = ("ground", "outcome", "figure", "lookup", "centre", "rescue", "quote_lead")
OLD_RETRIEVAL = {"retrieval__retriever": "hybrid-chunks"}  # without the whole-release BM25 field
NARROW = {"retrieval__widen": 0}  # each passage its own chunk only (the default before stop 32)
VARIANTS = {  # answerer -> [(label, settings changes)]
    "extractive": [
        ("shipped", {}),
        ("no reader (hand-set sentence rank)", {"extractive__reader": False}),
        ("no split of two-part questions", {"retrieval__split": False}),
        ("a later part searched with its own words only", {"retrieval__split_search": False}),
        ("first passage not read whole (its chunk widened only)", {"retrieval__whole_first": False}),
        ("no whole-release BM25 field", OLD_RETRIEVAL),
        ("none of the three (the rules before #14)",
         {"extractive__reader": False, "retrieval__split": False, **OLD_RETRIEVAL}),
        ("no release-level support for lookups", {"extractive__release_support": False}),
        ("refusal threshold 0.40 (min_support before stop 49)", {"extractive__min_support": 0.40}),
        ("no outcome check (a sentence asked or a term faced, none stated)", {"extractive__outcome_check": False}),
        ("no sentence shape (a sentence asked: one stating it leads)", {"extractive__sentence_shape": False}),
        ("no figure check (an amount, age, judge, court date, firearm or count asked, none quoted)", {"extractive__figure_check": False}),
        ("no sentencing passage of the named defendant", {"retrieval__case_passages": False}),
        ("a name the archive holds elsewhere still refuses", {"retrieval__known_names": False}),
        ("sentences after the lead by support, not the reader", {"extractive__compose": "support"}),
        ("another release's sentences only at reader probability 0.5", {"extractive__other_release": 0.5}),
        ("no second figure of a kind the lead states under the support floor (second_figure 1.0)",
         {"extractive__second_figure": 1.0}),
        ("no second look at a refused part of a two-part question (part_support 1.0)",
         {"extractive__part_support": 1.0}),
        ("a part of a two-part question reads 5 passages, as a whole question (part_top_k 5; before stop 67)",
         {"retrieval__part_top_k": 5, "extractive__evidence__top_k": 5}),
        ("a later part may quote again what an earlier part quoted (fresh_parts off; before stop 68)",
         {"extractive__fresh_parts": False}),
        ("no more sentences of the lead's release after the 4 (more_sentences 0; before stop 69)",
         {"extractive__more_sentences": 0}),
        ("6 sentences at most, all read by the checks (max_sentences 6, more_sentences 0)",
         {"extractive__max_sentences": 6, "extractive__more_sentences": 0}),
        ("2 sentences at most", {"extractive__max_sentences": 2, "extractive__more_sentences": 0}),
        ("3 sentences at most", {"extractive__max_sentences": 3, "extractive__more_sentences": 0}),
        ("no neighbouring chunks (widen 0)", NARROW),
        ("two neighbouring chunks each side (widen 2)", {"retrieval__widen": 2}),
    ],
    "local": [  # rows that change the prompt are measured on widen 0, whose generations are cached
        ("shipped", {}),
        ("no flash attention in llama.cpp", {"local__flash_attn": False}),
        ("no neighbouring chunks (widen 0)", NARROW),
        ("widen 0, no split of two-part questions", {**NARROW, "retrieval__split_llm": False}),
        ("a later part searched with its own words only", {"retrieval__split_search": False}),
        ("first passage not read whole (its chunk widened only)", {"retrieval__whole_first": False}),
        ("widen 0, no whole-release BM25 field", {**NARROW, **OLD_RETRIEVAL}),
        ("widen 0, no reader (hand-set sentence rank)", {**NARROW, "extractive__reader": False}),
        ("no rescue", {"local__policy__steps": [s for s in STEPS if s != "rescue"]}),
        ("no sentence shape (a sentence asked: one stating it leads)", {"extractive__sentence_shape": False}),
        ("no outcome step (a sentence asked or a term faced, none stated)", {"local__policy__steps": [s for s in STEPS if s != "outcome"]}),
        ("no figure step (an amount, age, judge, court date or firearm asked, none read)", {"local__policy__steps": [s for s in STEPS if s != "figure"]}),
        ("widen 0, no sentencing passage of the named defendant", {**NARROW, "retrieval__case_passages": False}),
        ("a name the archive holds elsewhere still refuses", {"retrieval__known_names": False}),
        ("no quote after the answer", {"local__policy__steps": [s for s in STEPS if s != "quote_lead"]}),
        ("only the best sentence quoted after the answer", {"local__policy__lead_quotes": "best"}),
        ("no release-level support for lookups", {"extractive__release_support": False}),
        ("extractive sentences after the lead by support, not the reader", {"extractive__compose": "support"}),
    ],
}
KEYS = ("key_fact_accuracy", "false_refusal_rate", "refusal_rate_unanswerable", "citation_precision",
        "citation_support")
LATENCY = ("latency_first_token_p50_ms", "latency_total_p50_ms")  # real only for generations not cached


def cache_key(messages, backend) -> str:
    """The cache's key for ``messages`` sent to ``backend``: the prompt, and llama.cpp's flash attention
    when on (its kernel gives a few generations another token; keys without it are generations without)."""
    text = json.dumps(messages, sort_keys=True)
    if getattr(backend, "flash_attn", False):
        text += "\nflash_attn"
    return hashlib.sha256(text.encode()).hexdigest()


class CachedChat:
    """A chat backend that answers a prompt it has seen from the cache, else asks ``inner``."""

    def __init__(self, inner, path: Path):
        self.inner, self.path, self.name = inner, path, inner.name
        self.cache: dict[str, str] = {}
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                self.cache[row["key"]] = row["text"]
        self.generated = 0

    def stream(self, messages):
        key = cache_key(messages, self.inner)
        if key not in self.cache:
            text = "".join(self.inner.stream(messages))
            self.cache[key] = text
            self.generated += 1
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps({"key": key, "text": text}) + "\n")
        yield self.cache[key]


def render(report: dict) -> str:
    """The report as Markdown: every variant on every file, then the shipped row per question type."""
    name, rows = report["answerer"], report["rows"]
    names = list(rows[0]["files"])
    cached = "; generations cached by prompt, temperature 0" if name == "local" else ""
    folds = "; reader weights fitted without the file scored" if report.get("reader_folds") else ""
    lines = [f"`{name}` answerer variants on the dev sets (`{report['index']}`{cached}{folds}). Cells: key facts / "
             "false refusals / unanswerable refused / citation precision; multi_doc key facts below.", "",
             "| variant | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for row in rows:
        cells = []
        for n in names:  # a row from an earlier run may lack a file scored later: "–"
            o = row["files"].get(n, {}).get("overall") or dict.fromkeys(KEYS[:4])
            cells.append(" / ".join("–" if o[k] is None else f"{o[k]:.3f}" for k in KEYS[:4]))
        lines.append(f"| {row['label']} | " + " | ".join(cells) + " |")
    lines += ["", "| variant | " + " | ".join(f"{n} multi_doc" for n in names) + " |", "|---" * (len(names) + 1) + "|"]
    for row in rows:
        cells = [f"{(row['files'][n]['by_type'].get('multi_doc') or {}).get('key_fact_accuracy') or 0:.3f}"
                 if n in row["files"] else "–" for n in names]
        lines.append(f"| {row['label']} | " + " | ".join(cells) + " |")
    first = rows[0]
    types = sorted({t for n in names for t in first["files"][n]["by_type"]})
    lines += ["", f"`{first['label']}` per question type (same cells):", "",
              "| type | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for t in types:
        cells = []
        for n in names:
            o = first["files"][n]["by_type"].get(t)
            cells.append("–" if o is None else " / ".join("–" if o[k] is None else f"{o[k]:.3f}" for k in KEYS[:4]))
        lines.append(f"| {t} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index")
    ap.add_argument("--dataset", action="append", type=Path)
    ap.add_argument("--answerer", default="extractive", choices=sorted(VARIANTS))
    ap.add_argument("--reader-folds", type=Path, help="reader weights fitted without each file: without-<file>.json")
    ap.add_argument("--cache", type=Path, default=REPO / "bench" / "results" / "local_cache.jsonl")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    ap.add_argument("--only", action="append", help="run only the variants with these labels")
    ap.add_argument("--render", type=Path, help="only re-render this results JSON as Markdown")
    args = ap.parse_args()
    if args.render:
        report = json.loads(args.render.read_text(encoding="utf-8"))
        report.setdefault("reader_folds", "bench/results/reader_folds")
        (args.render.with_suffix(".md")).write_text(render(report) + "\n", encoding="utf-8")
        return
    if not args.index:
        ap.error("--index is required")
    base = load_settings().with_(index_dir=args.index)
    files = args.dataset or DATASETS
    report = {"machine": machine(), "index": args.index, "answerer": args.answerer, "rows": []}
    pipe = None
    name = args.answerer
    for label, changes in VARIANTS[name]:
        if args.only and label not in args.only:
            continue
        row = {"label": label, "changes": changes, "files": {}, "generated": 0}
        for path in files:
            settings = base.with_(**changes)
            fold = args.reader_folds / f"without-{Path(path).stem}.json" if args.reader_folds else None
            if fold is not None and fold.is_file():  # no fold for a file the shipped weights never saw
                settings = settings.with_(extractive__reader_weights=str(fold))
            pipe = Pipeline(settings, embedder=pipe.embedder if pipe else None)
            if name == "local":
                llm = pipe.answerer(name)
                llm.backend = CachedChat(llm.backend, args.cache)
            results = evaluate(pipe, read_dataset(path), answerer=name, dataset=str(path))
            if name == "local":
                row["generated"] += llm.backend.generated
            row["files"][Path(path).stem] = {"overall": {k: results["metrics"]["overall"][k] for k in KEYS + LATENCY},
                                             "by_type": {t: {k: m[k] for k in KEYS}
                                                         for t, m in results["metrics"]["by_type"].items()}}
        report["rows"].append(row)
        print(label, json.dumps({f: v["overall"]["key_fact_accuracy"] for f, v in row["files"].items()}),
              f"({row['generated']} new generations)", flush=True)
    report["reader_folds"] = str(args.reader_folds or "")
    earlier = args.out / f"{name}_ablation.json"
    if args.only and earlier.is_file():  # a partial run: the other variants' rows stay
        kept = {r["label"]: r for r in json.loads(earlier.read_text(encoding="utf-8"))["rows"]}
        kept.update({r["label"]: r for r in report["rows"]})
        report["rows"] = [kept[label] for label, _ in VARIANTS[name] if label in kept]
    write_report(args.out, f"{name}_ablation", render(report), report)


if __name__ == "__main__":
    main()
