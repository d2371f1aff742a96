"""An answerability check for the extractive answerer, fitted and measured -- not shipped (no threshold helps).

    python bench/fit_answerable.py --index .rag/shared [--out bench/results] [--weights FILE] [--records DIR]
        [--dataset FILE ...] [--extra value] [--extra opening]

The question: can a fitted model over the ranked candidates as a whole (the reader's best probabilities,
how well the clause that asks and the question's focus are matched, whether a figure asked is held by
the reader's best sentences, whether the focus word has a value beside it: "740 falsified receipts" vs
"multiple felony counts", "his wife's company") tell an unanswerable "twin" -- a real case, a detail its
releases never give -- from an answerable question, where the refusal rules pass both?

Every question of the tuning files (dev, dev-more-a, dev-more-b, facts-f, facts-g, refuse-a and, since stop
58, refuse-d; facts-c, -d, -e, -h, -i and refuse-b, -c, -e are kept for judging) is asked through ``rag eval``'s own code; each time
the extractive answerer reads candidates (once per part of a question asking two things) the
candidates are recorded, ranked by the reader fitted without that file where one exists
(``bench/results/reader_folds``), so the reader's probabilities are out of fold. Rows:

* the question as read: label 1 when it is unanswerable, 0 when answerable;
* for an answerable question, the same candidates less every sentence holding one of its key facts
  (``must_include``): label 1 -- the right release is read and the asked detail is absent, as in an
  unanswerable twin.

Calls refused before ranking (a name no release read holds; a sentence asked and none reported) are
not rows: the check never sees them. A class-balanced logistic regression (``common.fit_linear``), C
by leave-one-file-out log loss; then the threshold: each file held out in turn, chosen on the others
among ``GRID`` by balanced accuracy of the final decision over the real questions (an answerable
question counts as refused when every call it made is refused, as ``combine`` does), the model refitted
without the held-out file. Writes the weights (with the scores under "fit"; default outside the repo) and
OUT/answerable_fit[_EXTRA...].{md,json}. ``--records DIR`` keeps each file's recorded rows (every column of ``ALL``)
so another feature set is refitted without asking again. Result (bench/results/answerable_fit.md): with the six
files every fold chose "never refuse" (the four twins refuse-a's rules miss scored 0.36-0.49 out of fold, about the
median answered answerable question); with refuse-d's fifteen missed twins added, refuse-d held out still chooses
"never", and no threshold refuses a third of them without refusing answerable questions elsewhere, with or
without the ``EXTRA`` groups (bench/results/answerable_fit_value_opening.md).
"""
from __future__ import annotations

import argparse
import json
import re
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Sequence

import numpy as np
from common import REPO, fit_linear, machine, predict_linear, write_report
from fit_refusal import DATASETS  # the tuning files

from eval.dataset import read_dataset
from eval.metrics_answer import fact_present
from eval.runner import evaluate
from rag.answer.evidence import Candidate
from rag.answer.outcome import unstated_sentence
from rag.answer.reader import FEATURES as READER_FEATURES
from rag.answer.reader import FIGURES, MONEY, asked_kinds, features, focus_stems, holds
from rag.fitted import LinearModel
from rag.pipeline import Pipeline
from rag.question import Question
from rag.question.asked import asked_clause
from rag.settings import load_settings
from rag.text.numbers import counts
from rag.text.people import PERSON
from rag.text.stem import suffix_stem
from rag.text.steps import DURATION

FOLDS = REPO / "bench" / "results" / "reader_folds"
WEIGHTS = Path(tempfile.gettempdir()) / "answerable_weights.json"  # measured, not shipped: see the module doc
BASE = ("top_support", "reader_top", "reader_second", "reader_eligible", "asked_top", "focus_top",
        "names_top", "dense_top", "lexical_top", "asks_figure", "figure_lacking", "has_focus", "focus_valued",
        "focus_bare", "novel_values")
# measured in stop 58 with refuse-d and not kept (``--extra``): does the reader's best sentence (best three) state a new
# value of the kind asked (a name, a place, a count, a sum, a rate, a date)? is it its release's opening sentence?
EXTRA = {"value": ("asks_value", "value_top1", "value_top3"), "opening": ("top_opening", "top_position")}
ALL = BASE + tuple(f for group in EXTRA.values() for f in group)  # the recorded rows' columns
_TOKEN = re.compile(r"\$?\d[\d,.]*|[A-Za-z][\w'’-]*")
_NUMBER_WORD = re.compile(r"^(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|"
                          r"thousands?|millions?)$", re.I)
BEFORE, AFTER = 3, 2  # words before and after a focus word where its value is looked for


def _values(text: str, asked: frozenset[str]) -> list[tuple[str, bool]]:
    """Each word of ``text`` and whether it is a value the question does not already give: a number, or a
    capitalised word (not the sentence's first) that the question lacks."""
    out = []
    for i, m in enumerate(_TOKEN.finditer(text)):
        w = m.group(0)
        value = bool(w[0].isdigit() or w[0] == "$" or _NUMBER_WORD.match(w)) or (i > 0 and w[0].isupper())
        out.append((w, value and w.lower().strip("$") not in asked))
    return out


def focus_values(question: Question, texts: Sequence[str]) -> tuple[bool, bool, float]:
    """Over ``texts``: whether one names what the question asks about (its focus: "how many felony counts",
    "which company") with a value beside it ("740 falsified receipts", "Acme Corp."), whether one names it
    bare ("multiple felony counts", "his wife's company"), and the most new values one holds (share of 5)."""
    focus = focus_stems(question)
    asked = frozenset(w.lower() for w in _TOKEN.findall(question.text))
    valued = bare = False
    most = 0
    for text in texts:
        words = _values(text, asked)
        most = max(most, sum(v for _, v in words))
        for i, (w, _) in enumerate(words):
            if focus and suffix_stem(w.lower()) in focus:
                near = words[max(0, i - BEFORE): i] + words[i + 1: i + 1 + AFTER]
                if any(v for _, v in near):
                    valued = True
                else:
                    bare = True
    return valued, bare and not valued, min(most, 5) / 5


_NAME = re.compile(rf"\b{PERSON}")
_PLACE = re.compile(r"\b(?:in|at|from|near|to|inside|outside)\s+(?:the\s+)?([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b", re.I)
_PERCENT = re.compile(r"\d\s?%|\bpercent\b|\b\d+(?:\.\d+)?\s?(?:per cent)\b", re.I)
_ASKS_PERCENT = re.compile(r"\b(?:rate|percent(?:age)?|share|proportion|level)\b", re.I)


def _new(found, question: str) -> bool:
    q = question.lower()
    return any(f.lower() not in q for f in found)


def asked_values(question: Question) -> list[str]:
    """The kinds of value ``question`` asks for that a sentence can state (a sum, a count, a length of
    time, a name, a place, a rate, a date)."""
    kinds = [k for k in asked_kinds(question) if k in FIGURES]
    clause = asked_clause(question.text)
    if _ASKS_PERCENT.search(clause):
        kinds.append("percent")
    if question.answer_type == "time":  # "when", "in what year", "what date" (rag.question.asked.answer_type)
        kinds.append("date")
    return kinds


def states_new_value(kind: str, text: str, question: str) -> bool:
    """Whether ``text`` states a value of ``kind`` that ``question`` does not already give."""
    if kind == "money":
        return _new([m.group(0) for m in MONEY.finditer(text)], question)
    if kind == "count":
        return _new(counts(text), question)
    if kind == "duration":
        return _new([m.group(0) for m in DURATION.finditer(text)], question)
    if kind == "person":
        return _new(_NAME.findall(text), question)
    if kind == "place":
        return _new(_PLACE.findall(text), question)
    if kind == "percent":
        return bool(_PERCENT.search(text))
    return _new(_YEAR.findall(text), question)


_COLUMN = {name: READER_FEATURES.index(name) for name in ("lexical_asked", "focus", "names_here")}


def question_features(question: Question, cands: Sequence[Candidate], probs: Sequence[float],
                      floor: float) -> list[float]:
    """One row of :data:`ALL` for the candidates of one question (``probs``: the reader's; ``floor``:
    the support a sentence needs to be quoted)."""
    rows = features(question, cands)
    ranked = sorted(probs, reverse=True)
    eligible = [p for p, c in zip(probs, cands) if c.support >= floor]
    figures = [k for k in asked_kinds(question) if k in FIGURES]
    order = sorted(range(len(cands)), key=lambda i: (-probs[i], i))
    best3 = [cands[i].text for i in order[:3]]
    top = cands[order[0]]
    lacking = bool(figures) and not any(holds(k, t) for k in figures for t in best3)
    valued, bare, novel = focus_values(question, best3)
    has_focus = bool(focus_stems(question))
    return [max(c.support for c in cands), ranked[0], ranked[1] if len(ranked) > 1 else 0.0,
            max(eligible, default=0.0), *(max(r[_COLUMN[n]] for r in rows) for n in ("lexical_asked", "focus",
                                                                                     "names_here")),
            max(c.dense for c in cands), max(c.lexical for c in cands), float(bool(figures)), float(lacking),
            float(has_focus), float(valued), float(bare), novel, *value_features(question, best3),
            float(top.release.body[:top.start].strip() == ""), top.start / max(1, len(top.release.body))]


def value_features(question: Question, best: Sequence[str]) -> list[float]:
    """Whether the question asks for a kind of value, and whether the reader's best sentence (best three)
    states a new value of a kind asked."""
    kinds = asked_values(question)
    if not kinds:
        return [0.0, 0.0, 0.0]
    top1 = any(states_new_value(k, best[0], question.text) for k in kinds) if best else False
    top3 = any(states_new_value(k, t, question.text) for k in kinds for t in best)
    return [1.0, float(top1), float(top3)]


CS = (0.01, 0.1, 1.0, 10.0)
GRID = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.01)


def record(pipe: Pipeline, questions, name: str) -> list[dict]:
    """One record per answerer call: the question's id, the real row and label, whether the shipped
    answerer refused, and (answerable questions) the row with the key-fact sentences taken out."""
    answerer = pipe.answerer("extractive")
    ranker, cfg, inner = answerer.ranker, answerer.config, answerer.answer
    out: list[dict] = []
    current: dict = {}

    def row(q, cands) -> list[float]:  # the quoting floor as the extractive answerer sets it
        floor = max(cfg.min_support, cfg.min_relative * max(c.support for c in cands))
        return question_features(q, cands, ranker.reader.probabilities(q, cands), floor)

    def answer(q, hits):
        result = inner(q, hits)
        missing, top = ranker.ground(q, hits)
        if missing or (cfg.outcome_check and unstated_sentence(q, top)):
            return result
        cands, _ = ranker.rank(q, top)
        if not cands:
            return result
        rec = {"id": current["id"], "file": name, "refused": result.refused, "label": int(not current["gold"]),
               "X": row(q, cands)}
        facts = current["facts"]
        if current["gold"] and facts:
            rest = [c for c in cands if not any(fact_present(c.text, f) for f in facts)]
            if rest and len(rest) < len(cands):
                rec["X_removed"] = row(q, rest)
        out.append(rec)
        return result

    answerer.answer = answer
    for q in questions:
        current.update(id=q.id, gold=bool(q.gold_ids), facts=list(q.must_include))
        evaluate(pipe, [q], answerer="extractive", dataset=name)
    return out


def select(records: list[dict], features: Sequence[str]) -> list[dict]:
    """The records with only the columns of ``features`` (in that order)."""
    cols = [ALL.index(f) for f in features]
    pick = lambda row: [row[i] for i in cols]  # noqa: E731
    return [{**r, "X": pick(r["X"]), **({"X_removed": pick(r["X_removed"])} if "X_removed" in r else {})}
            for r in records]


def rows(records: list[dict]) -> dict:
    """The records as one fit's rows and labels (the real rows, then the key-fact-removed ones)."""
    X = [r["X"] for r in records] + [r["X_removed"] for r in records if "X_removed" in r]
    y = [r["label"] for r in records] + [1 for r in records if "X_removed" in r]
    return {"X": X, "y": y}


def log_loss(weights: dict, data: dict) -> float:
    z = np.array(predict_linear(weights, [data])[0])
    y = np.array(data["y"])
    return float(np.mean(np.logaddexp(0, z) - y * z))


def decide(records: list[dict], probs: list[float], t: float, gold: dict[str, bool]) -> dict:
    """Per question of ``records``: refused when every call it made is refused (shipped or p >= t)."""
    calls = defaultdict(list)
    for r, p in zip(records, probs):
        calls[r["id"]].append(r["refused"] or p >= t)
    able = [q for q in calls if gold[q]]
    unable = [q for q in calls if not gold[q]]
    fr = sum(all(calls[q]) for q in able) / len(able) if able else 0.0
    ur = sum(all(calls[q]) for q in unable) / len(unable) if unable else 1.0
    return {"answerable": len(able), "unanswerable": len(unable), "false_refusals": round(fr, 4),
            "unanswerable_refused": round(ur, 4), "balanced": round((ur + 1 - fr) / 2, 4)}


def probabilities(weights: dict, records: list[dict]) -> list[float]:
    return LinearModel.from_dict(weights).predict([r["X"] for r in records])


def choose(per_file: dict[str, list[dict]], probs: dict[str, list[float]], gold: dict[str, bool]) -> float:
    """The threshold with the best pooled balanced accuracy; ties: the highest (fewest refusals)."""
    pooled = [r for n in per_file for r in per_file[n]]
    p = [x for n in per_file for x in probs[n]]
    score = {t: decide(pooled, p, t, gold)["balanced"] for t in GRID}
    best = max(score.values())
    return max(t for t in GRID if score[t] == best)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--out", default=str(REPO / "bench" / "results"))
    ap.add_argument("--weights", default=str(WEIGHTS))
    ap.add_argument("--dataset", action="append", type=Path, help="a tuning file (repeatable; default the six)")
    ap.add_argument("--extra", action="append", choices=sorted(EXTRA), default=[],
                    help="a feature group added to the fifteen (measured, not kept: see EXTRA)")
    ap.add_argument("--records", type=Path, help="a folder of recorded rows, one file per dataset: read when there, "
                                                  "else recorded and written")
    args = ap.parse_args()
    base = load_settings().with_(index_dir=args.index)
    data, gold, pipe = {}, {}, None
    for path in args.dataset or DATASETS:
        name = Path(path).stem
        saved = args.records / f"{name}.json" if args.records else None
        if saved and saved.exists():
            kept = json.loads(saved.read_text(encoding="utf-8"))
            data[name], found = kept["data"], kept["gold"]
        else:  # the reader fitted without this file where one was (bench/results/reader_folds)
            fold = FOLDS / f"without-{name}.json"
            settings = base.with_(extractive__reader_weights=str(fold)) if fold.exists() else base
            pipe = Pipeline(settings, embedder=pipe.embedder if pipe else None)
            questions = read_dataset(path)
            found = {q.id: bool(q.gold_ids) for q in questions}
            data[name] = record(pipe, questions, name)
            if saved:
                saved.parent.mkdir(parents=True, exist_ok=True)
                saved.write_text(json.dumps({"data": data[name], "gold": found}), encoding="utf-8")
        gold.update(found)
        print(name, len(data[name]), "calls", flush=True)
    names = list(data)
    FEATURES = BASE + tuple(f for g in args.extra for f in EXTRA[g])
    data = {n: select(rs, FEATURES) for n, rs in data.items()}

    # C by leave-one-file-out log loss on the real rows
    cv = {}
    for c in CS:
        losses = []
        for held in names:
            w = fit_linear([rows([r for n in names if n != held for r in data[n]])], c, FEATURES)
            losses.append(log_loss(w, {"X": [r["X"] for r in data[held]], "y": [r["label"] for r in data[held]]}))
        cv[c] = round(float(np.mean(losses)), 4)
    c = min(CS, key=lambda k: (cv[k], k))

    folds, oof = [], {}
    for held in names:
        others = [n for n in names if n != held]
        w = fit_linear([rows([r for n in others for r in data[n]])], c, FEATURES)
        probs = {n: probabilities(w, data[n]) for n in names}
        oof[held] = probs[held]
        t = choose({n: data[n] for n in others}, probs, gold)
        folds.append({"held_out": held, "chosen": t, "held_out_chosen": decide(data[held], probs[held], t, gold),
                      "held_out_off": decide(data[held], probs[held], 2.0, gold)})
    weights = fit_linear([rows([r for n in names for r in data[n]])], c, FEATURES)
    t_all = choose(data, {n: probabilities(weights, data[n]) for n in names}, gold)
    per_t = {str(t): {n: decide(data[n], oof[n], t, gold) for n in names} for t in GRID}
    weights["fit"] = {"script": "bench/fit_answerable.py", "C": c, "cv_log_loss": {str(k): v for k, v in cv.items()},
                      "threshold": t_all, "files": names, "folds": folds}
    Path(args.weights).parent.mkdir(parents=True, exist_ok=True)
    Path(args.weights).write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")

    cell = "FR {false_refusals:.3f} / UR {unanswerable_refused:.3f}".format
    lines = [f"Answerability check ({len(FEATURES)} features), fitted on {', '.join(names)} (index `{args.index}`); C = {c} by leave-one-file-out "
             f"log loss {cv}. Each file held out: the model refitted and the threshold chosen on the others "
             "(balanced accuracy of refusing); FR: answerable refused, UR: unanswerable refused, over questions.", "",
             "| held out | chosen on the others | held out: with the check | held out: without |", "|---|---|---|---|"]
    lines += [f"| {f['held_out']} | {f['chosen']} | {cell(**f['held_out_chosen'])} | {cell(**f['held_out_off'])} |"
              for f in folds]
    lines += ["", f"Chosen on all files: {t_all}.", "", "Out of fold, per threshold:", "",
              "| threshold | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    lines += [f"| {t} | " + " | ".join(cell(**per_t[str(t)][n]) for n in names) + " |" for t in GRID]
    lines += ["", "Coefficients (standardised features): " + ", ".join(
        f"{f} {w:+.2f}" for f, w in zip(FEATURES, weights["coef"]))]
    write_report(Path(args.out), "_".join(["answerable_fit", *args.extra]), "\n".join(lines),
                 {"machine": machine(), "index": args.index, "C": c, "cv_log_loss": cv, "folds": folds,
                  "chosen_on_all": t_all, "per_threshold_out_of_fold": per_t, "weights": weights})


if __name__ == "__main__":
    main()
