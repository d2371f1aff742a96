"""Fit the route model (rag/question/route_model.py): fact, aggregate (count or list) or case;
the product takes its case route, and its aggregate route as a list for a question asking no "how
many/much" and, since stop 56 (``rag.question.route.FITTED_COUNTS``), as a count for one asking it
(``rag.question.route.read_route``). Each has a way back to the normal answer (``rag.collect.run``): a
case question naming nobody a release names, a count or list with no topic or fewer than two matching
releases. The thresholds are chosen with "how many/much" questions left to "fact" (as before stop 56):
with the count route inside the fact budget below, the choice moved the case threshold 0.65 -> 0.9,
which routes 3 fewer of the judges' 36 case histories, so the count route takes the list threshold
chosen here (every fact question of the tuning and judge files keeps its answer with it: README).

    python bench/fit_route.py --index .rag/shared [--out bench/results] [--weights rag/question/route_weights.json]

Questions and their labels come from the tuning files' ``type``: every fact and refuse file tuned
on (``dev``, ``dev-more-a``, ``dev-more-b``, ``facts-f``, ``facts-g``, ``refuse-a``, the bundled
set) is "fact" but for its aggregate questions; ``collect-a`` .. ``collect-i``, ``-p`` to ``-t`` and
``dev-aggregate-timeline`` hold "aggregate" and "case" (timeline) questions; ``routes-a`` and
``routes-b`` (``ROUTE_FILES``) are labelled by route alone. Never read: the judge
files (``facts-c/-d/-e/-h/-i``, ``refuse-b/-c``, ``collect-j`` .. ``-o``, ``-u``, ``-v``), scored at the end only.

TF-IDF over word unigrams and bigrams, class-balanced multinomial logistic regression over the
three classes. Scored leaving one file out, as the product reads it: a question is routed to a case
when 1 - P(fact) reaches the case threshold and P(case) > P(aggregate), to a list when it reaches
the list threshold and the question asks no "how many/much". C and both thresholds are chosen
together: among the triples with which the model alone changes the answer of at most
``MAX_FACT_MISROUTED`` of the fact questions out of fold (the routing must cost single-fact
questions nothing; a fact question sent to a case or a list whose way back returns it to its
normal answer -- no release names its person, no topic or under two releases -- costs nothing:
``answer_changes``, read over ``--index``), the one with which the product -- the patterns, then
the model for what they leave to "fact" -- routes the most count, list and case questions out of
fold (the patterns were written on these files, so that count is optimistic alike for every
triple); ties to the higher thresholds, then the smaller C. (Until stop 54 the case threshold was chosen first, by the model alone, and the
list threshold then got what was left of the budget; until stop 54's second fit every fact
question sent elsewhere counted against it, gone back or not.) Then
fitted on every question. Writes the weights and OUT/route_fit.{md,json} (out of fold, and the judges with the
shipped route: patterns, then the model).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from collect import SETS
from common import REPO, machine, write_report

from eval.dataset import read_dataset
from rag.jsonl import read_objects
from rag.question.route import asks_amount, pattern_route
from rag.question.route_model import WEIGHTS, RouteModel, reads_case, reads_list

SHARED = REPO.parent / "shared" / "eval"
DATA = REPO / "bench" / "datasets"
TUNING = {"dev": SHARED / "dev.jsonl", "dev-more-a": SHARED / "dev-more-a.jsonl", "dev-more-b": SHARED / "dev-more-b.jsonl",
          "facts-f": DATA / "facts-f.jsonl", "facts-g": DATA / "facts-g.jsonl", "refuse-a": DATA / "refuse-a.jsonl",
          "bundled": REPO / "eval" / "datasets" / "bundled.jsonl", "dev-aggregate-timeline": SETS["dev"],
          **{f"collect-{x}": SETS[x] for x in "abcdefghipqrst"},
          **{f"routes-{x}": DATA / f"routes-{x}.jsonl" for x in "ab"}}
# questions written for the router alone (stop 53, two helper sessions that saw no code and no other set): a route
# each, no answers; their "fact" questions share words with counts, lists and cases ("How many counts did X face?")
ROUTE_FILES = {"routes-a", "routes-b"}
ROUTE_LABEL = {"fact": "fact", "count": "aggregate", "list": "aggregate", "case": "case"}
JUDGES = {**{f"facts-{x}": DATA / f"facts-{x}.jsonl" for x in "cdehi"}, "refuse-b": DATA / "refuse-b.jsonl",
          "refuse-c": DATA / "refuse-c.jsonl", **{f"collect-{x}": SETS[x] for x in "jklmnouv"}}
CLASSES = ("fact", "aggregate", "case")
LABEL = {"aggregate": "aggregate", "timeline": "case"}
CS = (0.3, 1.0, 3.0, 10.0, 30.0)
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.3, 0.96, 0.05))
MAX_FACT_MISROUTED = 0.01
PATTERN_CLASS = {"fact": "fact", "count": "aggregate", "list": "aggregate", "case": "case"}


def questions(files: dict[str, Path]) -> list[dict]:
    rows = []
    for name, path in files.items():
        if name in ROUTE_FILES:  # questions labelled by route only: {"id", "question", "route"}
            rows += [{"file": name, "id": q["id"], "text": q["question"], "label": ROUTE_LABEL[q["route"]]}
                     for _, q in read_objects(path, "route questions")]
        else:
            rows += [{"file": name, "id": q.id, "text": q.question, "label": LABEL.get(q.type, "fact"), "as_of": q.as_of}
                     for q in read_dataset(path)]
    return rows


def answer_changes(rows: list[dict], index_dir: str) -> dict[tuple[str, str], dict[str, bool]]:
    """For each fact question: whether the case route and the fitted list route would each answer it
    in place of its normal answer, or go back to it (``rag.collect.run``'s ways back: a case whose
    person no release names; a list with no topic or under two releases). A fact question the model
    sends to a route that goes back costs nothing."""
    from rag.collect.case import case_history
    from rag.collect.find import find_matches
    from rag.collect.run import fitted_list_holds, read_criteria
    from rag.index import Index
    from rag.question import analyse

    index = Index(index_dir)
    sources = index.store.sources()
    out = {}
    for r in rows:
        if r["label"] != "fact":
            continue
        q = analyse(r["text"], r.get("as_of"))
        listed = find_matches(index.store, index.lexical, read_criteria(q, index, fitted=True))
        out[(r["file"], r["id"])] = {"case": case_history(index.store, index.lexical, q, sources) is not None,
                                     "aggregate": fitted_list_holds(listed)}
    return out


def changed(rows: list[dict], routes: list[str], changes: dict) -> int:
    """How many fact questions ``routes`` would give another answer than their normal one."""
    return sum(1 for r, x in zip(rows, routes)
               if r["label"] == "fact" and x != "fact" and changes[(r["file"], r["id"])][x])


def fit(rows: list[dict], c: float) -> dict:
    """Vectorizer and model on ``rows``: the JSON ``RouteModel.from_dict`` reads (threshold 0.5)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    X = vec.fit_transform([r["text"] for r in rows])
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=5000).fit(X, [CLASSES.index(r["label"]) for r in rows])
    vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
    return {"classes": list(CLASSES), "vocabulary": vocab, "idf": vec.idf_.tolist(), "coef": model.coef_.tolist(),
            "intercept": model.intercept_.tolist(), "threshold": 0.5}


def out_of_fold(rows: list[dict], c: float) -> list[dict]:
    """Each row's probabilities from the model fitted without its file."""
    probs: list = [None] * len(rows)
    for name in dict.fromkeys(r["file"] for r in rows):
        model = RouteModel.from_dict(fit([r for r in rows if r["file"] != name], c))
        for i, r in enumerate(rows):
            if r["file"] == name:
                probs[i] = model.probabilities(r["text"])
    return probs


def decide(p: dict, threshold: float, text: str = "", list_threshold: float | None = None) -> str:
    """The model's route as the thresholds are chosen: "case", "aggregate" (a list) or "fact"; a question
    asking "how many/much" stays "fact" here (the product's count route takes it at the list threshold
    chosen without it: see the module's doc)."""
    if reads_case(p, threshold):
        return "case"
    return "aggregate" if reads_list(p, list_threshold) and not asks_amount(text) else "fact"


def scores(rows: list[dict], routes: list[str]) -> dict:
    out = {}
    for label in CLASSES:
        got = [r2 for r, r2 in zip(rows, routes) if r["label"] == label]
        out[label] = {"n": len(got), "recall": round(sum(g == label for g in got) / len(got), 4) if got else None}
    facts = [r2 for r, r2 in zip(rows, routes) if r["label"] == "fact"]
    out["fact_misrouted"] = sum(g != "fact" for g in facts)
    return out


def routed(s: dict) -> int:
    """How many count, list and case questions ``scores`` found routed to their kind."""
    return round(sum(s[k]["recall"] * s[k]["n"] for k in ("aggregate", "case") if s[k]["n"]))


def shipped(p: dict, text: str, threshold: float, list_threshold: float | None = None) -> str:
    kind = PATTERN_CLASS[pattern_route(text)]
    return kind if kind != "fact" else decide(p, threshold, text, list_threshold)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True, help="the index the ways back are read over")
    ap.add_argument("--out", default=str(REPO / "bench" / "results"))
    ap.add_argument("--weights", default=str(WEIGHTS))
    args = ap.parse_args()
    rows = questions(TUNING)
    n_fact = sum(r["label"] == "fact" for r in rows)
    changes = answer_changes(rows, args.index)
    grid, oof, joint = {}, {}, {}
    for c in CS:
        oof[c] = out_of_fold(rows, c)
        for t in THRESHOLDS:
            grid[(c, t)] = scores(rows, [decide(p, t) for p in oof[c]])
            for tl in (None, *THRESHOLDS):
                alone = [decide(p, t, r["text"], tl) for p, r in zip(oof[c], rows)]
                if changed(rows, alone, changes) <= MAX_FACT_MISROUTED * n_fact:
                    joint[(c, t, tl)] = routed(scores(rows, [shipped(p, r["text"], t, tl) for p, r in zip(oof[c], rows)]))
    # the product's routing out of fold (patterns, then the model), case and list thresholds chosen together
    c, t, tl = max(joint, key=lambda k: (joint[k], k[1], k[2] or 1.0, -k[0]))
    lists = {x: scores(rows, [decide(p, t, r["text"], x) for p, r in zip(oof[c], rows)]) for x in THRESHOLDS}
    chosen = [decide(p, t, r["text"], tl) for p, r in zip(oof[c], rows)]
    sent, kept_back = scores(rows, chosen)["fact_misrouted"], changed(rows, chosen, changes)
    weights = fit(rows, c)
    weights["threshold"] = float(t)
    weights["list_threshold"] = None if tl is None else float(tl)
    model = RouteModel.from_dict(weights)
    judges = questions(JUDGES)
    judged = {"model": scores(judges, [decide(model.probabilities(r["text"]), t, r["text"], tl) for r in judges]),
              "patterns": scores(judges, [PATTERN_CLASS[pattern_route(r["text"])] for r in judges]),
              "case only (before)": scores(judges, [shipped(model.probabilities(r["text"]), r["text"], t) for r in judges]),
              "shipped": scores(judges, [shipped(model.probabilities(r["text"]), r["text"], t, tl) for r in judges])}
    tuned_shipped = scores(rows, [shipped(p, r["text"], t, tl) for p, r in zip(oof[c], rows)])
    weights["fit"] = {"C": c, "rows": len(rows), "files": list(TUNING), "out_of_fold": lists[tl] if tl else grid[(c, t)],
                      "max_fact_misrouted": MAX_FACT_MISROUTED, "fact_answers_changed": kept_back}
    Path(args.weights).write_text(json.dumps(weights) + "\n", encoding="utf-8")

    def line(name, s):
        return (f"| {name} | {s['fact']['recall']} ({s['fact_misrouted']} of {s['fact']['n']} misrouted) | "
                f"{s['aggregate']['recall']} (n {s['aggregate']['n']}) | {s['case']['recall']} (n {s['case']['n']}) |")

    best = sorted(joint, key=lambda k: (joint[k], k[1], k[2] or 1.0, -k[0]), reverse=True)[:5]
    lines = [f"{len(rows)} tuning questions ({n_fact} fact) from {len(TUNING)} files; leave one file out. Chosen together: "
             f"C = {c}, case threshold {t}, list threshold {tl}: of the triples with which the model alone changes the "
             f"answer of at most {MAX_FACT_MISROUTED:.0%} of the fact questions out of fold (sent to a case or a list "
             "whose way back does not return them to their normal answer), the one with which the "
             "product (the patterns, then the model; counts asking \"how many/much\" left to the patterns) routes the most "
             "count, list and case questions out of fold (ties: the higher thresholds, the smaller C). Best triples "
             "(C, case, list: routed): " + "; ".join(f"{k[0]}, {k[1]}, {k[2]}: {joint[k]}" for k in best) + ". With the "
             f"chosen triple the model alone sends {sent} of the {n_fact} fact questions elsewhere out of fold; "
             f"{kept_back} of them would get another answer (the others go back).", "",
             "| row | fact kept | aggregate routed | case routed |", "|---|---|---|---|",
             line(f"tuning, model alone, case route only, out of fold (C={c}, threshold {t})", grid[(c, t)]),
             *[line(f"tuning, model alone, out of fold, list threshold {x}", lists[x]) for x in THRESHOLDS],
             line("tuning, patterns then model out of fold (patterns written on these files)", tuned_shipped),
             line("judges, patterns alone (before)", judged["patterns"]),
             line("judges, model alone", judged["model"]),
             line("judges, patterns then the model's case route (before)", judged["case only (before)"]),
             line("judges, patterns then model (shipped)", judged["shipped"])]
    write_report(args.out, "route_fit", "\n".join(lines),
                 {"machine": machine(), "chosen": {"C": c, "threshold": t, "list_threshold": tl},
                  "joint": [{"C": k[0], "threshold": k[1], "list_threshold": k[2], "routed": v} for k, v in joint.items()],
                  "lists": {str(x): v for x, v in lists.items()}, "judges": judged, "tuning_shipped": tuned_shipped,
                  "grid": [{"C": cc, "threshold": tt, **s} for (cc, tt), s in grid.items()]})


if __name__ == "__main__":
    main()
