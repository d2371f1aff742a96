"""Make "what did <source> announce last week?" probes from an index, in the eval format.

    python bench/make_time_probes.py --index DIR [--n 60] [--seed 7] [--out bench/datasets/time_probes.jsonl]

For a random dated release, as_of is the Wednesday after its week, and the gold set is
every release of the same source dated in the previous Monday..Sunday: a question
whose only real content is its time words. The dev set has few of these; they keep a
retriever honest about "last week" (a release from another week must not win just
because it matches "announce" better).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sqlite3
from pathlib import Path

from rag.index import generations

SOURCE_NAMES = {  # how a person names each source of the shared corpus
    "orange_ca": "the Orange County District Attorney",
    "kings_ny": "the Brooklyn District Attorney",
    "cook_il": "the Cook County State's Attorney",
    "san_diego_ca": "the San Diego County District Attorney",
    "riverside_ca": "the Riverside County District Attorney",
    "los_angeles_ca": "the Los Angeles County District Attorney",
    "bedfordshire": "Bedfordshire Police",
}
PHRASINGS = ("What did {name} announce last week?", "What did {name} say last week?",
             "Which cases did {name} publicise last week?")


def probes(db: sqlite3.Connection, n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    rows = db.execute("SELECT id, source, date FROM releases WHERE date >= '2010-01-01' ORDER BY id").fetchall()
    rows = [r for r in rows if r[1] in SOURCE_NAMES]
    out, seen = [], set()
    while len(out) < n and rows:
        rid, source, date = rng.choice(rows)
        day = dt.date.fromisoformat(date)
        monday = day - dt.timedelta(days=day.weekday())
        if (source, monday) in seen:
            continue
        seen.add((source, monday))
        sunday = monday + dt.timedelta(days=6)
        gold = [r for (r,) in db.execute("SELECT id FROM releases WHERE source=? AND date BETWEEN ? AND ? ORDER BY id",
                                         (source, monday.isoformat(), sunday.isoformat()))]
        question = rng.choice(PHRASINGS).format(name=SOURCE_NAMES[source])
        out.append({"id": f"time-{len(out) + 1:03d}", "corpus": source, "question": question[0].upper() + question[1:],
                    "answer": "", "must_include": [], "gold_ids": gold, "gold_quote": "", "type": "date_scoped",
                    "as_of": (sunday + dt.timedelta(days=3)).isoformat()})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True)
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default="bench/datasets/time_probes.jsonl")
    args = ap.parse_args()
    folder = generations.current(Path(args.index))
    if folder is None:
        raise SystemExit(f"no index at {args.index}")
    db = sqlite3.connect(f"file:{folder / 'meta.sqlite'}?mode=ro", uri=True)
    rows = probes(db, args.n, args.seed)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"wrote {len(rows)} probes to {args.out}")


if __name__ == "__main__":
    main()
