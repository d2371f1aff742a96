"""bench/choose_widen.py: ``retrieval.widen`` chosen by leave-one-file-out over the ablation rows."""
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from choose_widen import choose, decide, widen_rows  # noqa: E402

from rag.settings import load_settings  # noqa: E402


def row(label, changes, **kf):
    return {"label": label, "changes": changes,
            "files": {f: {"overall": {"key_fact_accuracy": v}} for f, v in kf.items()}}


def test_the_best_mean_on_the_files_given_wins_and_ties_go_to_the_smaller_value():
    report = {"rows": [row("shipped", {}, a=0.6, b=0.5),
                       row("no neighbouring chunks (widen 0)", {"retrieval__widen": 0}, a=0.5, b=0.6),
                       row("two each side (widen 2)", {"retrieval__widen": 2}, a=0.7, b=0.3),
                       row("no reader", {"extractive__reader": False}, a=0.9, b=0.9)]}
    scores = widen_rows(report)
    assert sorted(scores) == [0, 1, 2] and scores[1] == {"a": 0.6, "b": 0.5}  # the shipped row is widen 1
    assert choose(scores, ["a"]) == 2 and choose(scores, ["b"]) == 0
    assert choose(scores, ["a", "b"]) == 0  # 0.55 each for 0 and 1: the smaller


def test_the_shipped_value_changes_only_when_choosing_out_of_fold_beats_it_held_out():
    scores = {0: {"a": 0.5, "b": 0.5, "c": 0.5}, 1: {"a": 0.6, "b": 0.6, "c": 0.5}, 2: {"a": 0.6, "b": 0.6, "c": 0.7}}
    # chosen on all: 2; out of fold 2, 2, 1 (c held out: 1 and 2 tie on a and b) -> 0.6 + 0.6 + 0.5 = 1.7, as
    # shipped 1 scores: 1 stays
    assert choose(scores, ["a", "b", "c"]) == 2 and decide(scores, ["a", "b", "c"], 1) == 1
    # from 0, the out-of-fold choices (1.7) beat 1.5: the choice on all files is shipped
    assert decide(scores, ["a", "b", "c"], 0) == 2


def test_the_committed_ablation_chooses_the_shipped_value():
    report = json.loads((REPO / "bench" / "results" / "extractive_ablation.json").read_text(encoding="utf-8"))
    scores = widen_rows(report)
    assert sorted(scores) == [0, 1, 2]
    files = list(scores[0])
    assert decide(scores, files, 1) == load_settings(env={}).retrieval.widen == 1
