"""Counts, lists and case histories (rag/collect) on every set of those types, with each rule
switched off in turn, the fitted topic match against the word runs, and the word runs' window
(``MAX_GAP``) swept.

    python bench/collect.py --index .rag/shared [--bundled-index .rag/index] [--out bench/results]

Sets: ``../shared/eval/dev-aggregate-timeline.jsonl`` (the dev file, tuned on) and
``bench/datasets/collect-{a,b,c}.jsonl``: 16, 16 and 20 questions written by three helper
sessions that never saw the code, each run once before any change was read from it (those
first-run numbers are in the README); all three were then tuned on. ``collect-d.jsonl`` (20,
a fourth helper) was run once, then tuned on; ``collect-e.jsonl`` and ``-f`` (20 each, a
fifth and a sixth) too; ``collect-g.jsonl`` (20, a seventh) was run once at the end; ``-h`` and ``-i`` (20
each) later, once each; the case questions of all of them then fitted the status sentences
(``bench/fit_case_status.py``). ``collect-j.jsonl`` (20 case histories) judged that fit and was never
fitted on; ``collect-k.jsonl`` (20 counts and lists) was run once and never tuned on, nor was
``collect-l.jsonl`` (20 counts and lists, written by a helper while the fitted topic match was built), nor
``collect-m.jsonl`` (10 counts and lists, 10 case histories, written by a helper in stop 51, run once
before the fitted case route and once after), nor ``collect-n.jsonl`` (8 lists, 6 counts, 6 case histories in
deliberately varied wordings, written by a helper in stop 53 from the index's catalogue of titles and dates, run
once before the fitted list route and once after), nor ``collect-o.jsonl`` (12 lists, 8 counts, the same way, by
another helper); ``collect-p.jsonl`` and ``-q`` (14 lists and 6 counts each, the same way, two more helpers) were
run once and then tuned on (the topic match and the router are fitted on them); so were ``collect-r.jsonl``,
``-s`` and ``-t`` (14 lists and 6 counts, 14 and 6, 12 and 8; stop 54, three more helpers told to describe half the
topics in plain words). ``collect-u.jsonl`` and ``-v`` (12 lists and 8 counts each, two more helpers in stop 54) were
run once before that stop's refits and once after, and are never tuned on. With ``--bundled-index``
(an index of ``corpus/``), the bundled set's counts (``eval/datasets/bundled.jsonl``) too.

Per question, "met" is the issue's target: a count exact with its list complete (recall >= 0.9,
precision >= 0.8), a list complete, a case with its latest outcome stated (key facts) and >= 80%
of its releases cited in date order. Switches are module attributes set for one row (the same
code paths the settings would switch); the fact path is untouched by all of them. ``--only`` runs the
rows named and keeps the others' last numbers from OUT/collect.json.
"""
from __future__ import annotations

import argparse
import json
import contextlib
from pathlib import Path

from common import REPO, machine, write_report

from eval.dataset import read_dataset
from eval.runner import evaluate
from rag.pipeline import Pipeline
from rag.settings import Settings

SETS = {"dev": REPO.parent / "shared" / "eval" / "dev-aggregate-timeline.jsonl",
        "a": REPO / "bench" / "datasets" / "collect-a.jsonl",
        "b": REPO / "bench" / "datasets" / "collect-b.jsonl",
        "c": REPO / "bench" / "datasets" / "collect-c.jsonl",
        "d": REPO / "bench" / "datasets" / "collect-d.jsonl",
        "e": REPO / "bench" / "datasets" / "collect-e.jsonl",
        "f": REPO / "bench" / "datasets" / "collect-f.jsonl",
        "g": REPO / "bench" / "datasets" / "collect-g.jsonl",
        "h": REPO / "bench" / "datasets" / "collect-h.jsonl",
        "i": REPO / "bench" / "datasets" / "collect-i.jsonl",
        "j": REPO / "bench" / "datasets" / "collect-j.jsonl",
        "k": REPO / "bench" / "datasets" / "collect-k.jsonl",
        "l": REPO / "bench" / "datasets" / "collect-l.jsonl",
        "m": REPO / "bench" / "datasets" / "collect-m.jsonl",
        "n": REPO / "bench" / "datasets" / "collect-n.jsonl",
        "o": REPO / "bench" / "datasets" / "collect-o.jsonl",
        "p": REPO / "bench" / "datasets" / "collect-p.jsonl",
        "q": REPO / "bench" / "datasets" / "collect-q.jsonl",
        "r": REPO / "bench" / "datasets" / "collect-r.jsonl",
        "s": REPO / "bench" / "datasets" / "collect-s.jsonl",
        "t": REPO / "bench" / "datasets" / "collect-t.jsonl",
        "u": REPO / "bench" / "datasets" / "collect-u.jsonl",
        "v": REPO / "bench" / "datasets" / "collect-v.jsonl"}


def met(q: dict) -> bool:
    m = q["metrics"]
    if q["type"] == "aggregate":
        complete = (m["list_recall"] or 0) >= 0.9 and (m["list_precision"] or 0) >= 0.8
        return complete and m["count_exact"] in (None, 1.0)
    return m["key_fact_accuracy"] == 1.0 and (m["chain_recall"] or 0) >= 0.8 and m["chain_order"] in (None, 1.0)


@contextlib.contextmanager
def patched(changes: dict):
    """Set module attributes (``"module:NAME": value``) for one row."""
    import importlib

    old = []
    for key, value in changes.items():
        mod, name = key.split(":")
        module = importlib.import_module(mod)
        old.append((module, name, getattr(module, name)))
        setattr(module, name, value)
    try:
        yield
    finally:
        for module, name, value in old:
            setattr(module, name, value)


def _no_self_named(question, index):
    return ()


def _no_modifiers(text, sources):
    return ""


def _no_case_numbers(store, found):
    return found


def _no_archives(store, releases):
    return set()


ROWS = {
    "shipped": {},
    "word runs, not the fitted topic match": {"rag.collect.find:TOPIC_MODEL": False},
    "word runs, topic words 0 apart": {"rag.collect.find:TOPIC_MODEL": False, "rag.collect.match:MAX_GAP": 0},
    "word runs, topic words up to 1 apart": {"rag.collect.find:TOPIC_MODEL": False, "rag.collect.match:MAX_GAP": 1},
    "word runs, topic words up to 2 apart": {"rag.collect.find:TOPIC_MODEL": False, "rag.collect.match:MAX_GAP": 2},
    "word runs, topic words in order only": {"rag.collect.find:TOPIC_MODEL": False, "rag.collect.match:UNORDERED": False},
    "no self-named publishers": {"rag.collect.run:publisher_sources": _no_self_named},
    "no topic from modifiers": {"rag.collect.criteria:_modifier_topic": _no_modifiers},
    "no filler dropping": {"rag.collect.criteria:TOPIC_FILLER": frozenset()},
    "no case numbers": {"rag.collect.case:_with_case_numbers": _no_case_numbers},
    "translations counted": {"rag.collect.find:TRANSLATIONS": False},
    "translations the topic match misses not joined": {"rag.collect.find:TRANSLATIONS_JOIN": False},
    "archive pages kept": {"rag.collect.find:listings": _no_archives, "rag.collect.case:listings": _no_archives},
    "no status sentences in a case's latest line": {"rag.collect.status:STATUS_SENTENCES": 0},
    "one status sentence": {"rag.collect.status:STATUS_SENTENCES": 1},
    "two status sentences": {"rag.collect.status:STATUS_SENTENCES": 2},
    "no routing (all facts)": {"rag.collect.run:read_route": lambda text: ("fact", False)},
    "patterns only (no fitted case or list route)": {"rag.question.route:MODEL": False},
    "no fitted list route": {"rag.question.route_model:reads_list": lambda p, threshold: False},
    "no fitted count route (a \"how many\" the patterns miss is a fact)": {"rag.question.route:FITTED_COUNTS": False},
    "the fitted list without its way back": {"rag.collect.run:fitted_list_holds": lambda matches: True},
    "the fitted list without the question's words as its topic": {"rag.collect.run:WORDS_TOPIC": False},
    "no case asked by description": {"rag.pipeline:described_case": lambda *args: None},
    "no topic match in case histories": {"rag.collect.run:CASE_TOPIC": False},
    "no second look (the topic match alone)": {"rag.collect.feedback:FEEDBACK": False},
    "no telling words (a count with no topic said counts its whole window)": {"rag.collect.run:TELLING_SHARE": 0.0},
    "telling words below 25% of the window": {"rag.collect.run:TELLING_SHARE": 0.25},
    "telling words below 50% of the window": {"rag.collect.run:TELLING_SHARE": 0.5},
    "every content word telling": {"rag.collect.run:TELLING_SHARE": 1.01},
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--out", default=str(REPO / "bench" / "results"))
    ap.add_argument("--bundled-index", help="an index of corpus/, for the bundled set's counts")
    ap.add_argument("--only", action="append",
                    help="row label(s) to run (default: all); the other rows are kept from OUT/collect.json")
    args = ap.parse_args()
    pipe = Pipeline(Settings(index_dir=args.index))
    bundled = Pipeline(Settings(index_dir=args.bundled_index)) if args.bundled_index else None
    data = {"machine": machine(), "rows": {}}
    earlier = Path(args.out) / "collect.json"
    if args.only and earlier.is_file():  # rows not run now keep their last numbers
        data["rows"] = json.loads(earlier.read_text(encoding="utf-8")).get("rows", {})
    keys = ("met", "routing_ok", "count_exact", "list_recall", "list_precision", "chain_recall", "chain_order",
            "key_fact_accuracy", "latency_total_p50_ms")
    lines = ["| row | set | n | " + " | ".join(keys) + " |", "|" + "---|" * (len(keys) + 3)]
    for label, changes in ROWS.items():
        if args.only and label not in args.only:
            continue
        data["rows"][label] = {}
        with patched(changes):
            sets = [(name, path, pipe) for name, path in SETS.items() if Path(path).is_file()]
            if bundled is not None:
                sets.append(("bundled", REPO / "eval" / "datasets" / "bundled.jsonl", bundled))
            for name, path, on in sets:
                questions = [q for q in read_dataset(path) if q.type in ("aggregate", "timeline")]
                res = evaluate(on, questions, dataset=str(path))
                overall = dict(res["metrics"]["overall"])
                overall["met"] = sum(met(q) for q in res["questions"]) / len(res["questions"])
                data["rows"][label][name] = {k: overall.get(k) for k in keys} | {"n": overall["n"]}
    for label in [label for label in ROWS if label in data["rows"]]:
        for name, cell in data["rows"][label].items():
            cells = " | ".join("–" if cell.get(k) is None else f"{cell[k]:.3f}" if k != "latency_total_p50_ms"
                               else f"{cell[k]:.0f}" for k in keys)
            lines.append(f"| {label} | {name} | {cell['n']} | {cells} |")
    write_report(args.out, "collect", "\n".join(lines), data)


if __name__ == "__main__":
    main()
