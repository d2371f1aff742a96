"""HTML extraction (rag.ingest.html + the page cleaning after it) scored on saved newsroom pages
whose right title, date, canonical URL and body sentences are written in the test data, and timed.

    python bench/html_extract.py [--out bench/results]

Sets: ``tests/data/html_pages`` (32 pages, 7 shapes; the title-suffix, labelled-date and
day-first rules of rag/ingest/html.py were written after its first run: title 28, date 29, url 32,
body 32, no junk 25 of 32) and ``tests/data/html_pages_b`` (16 pages, 8 other shapes, written
afterwards by a session that saw neither the code nor the first set; run once, not tuned on).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from common import REPO, machine, write_report

sys.path.insert(0, str(REPO))
from rag.ingest import load_corpus  # noqa: E402

SETS = {"html_pages (tuned)": REPO / "tests" / "data" / "html_pages",
        "html_pages_b (held out)": REPO / "tests" / "data" / "html_pages_b"}
FIELDS = ("title", "date", "url", "body_has", "body_lacks")


def score(folder: Path) -> dict:
    """Per-page checks of one set: ``{"pages": n, "correct": {field: n}, "misses": [...], "pages_per_s"}``."""
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    result = load_corpus([folder / name for name in expected])
    seconds = time.perf_counter() - t0
    got = {r.id: r for r in result.releases}
    correct = dict.fromkeys(FIELDS, 0)
    misses = [f"{s.path}: skipped ({s.reason})" for s in result.skipped]
    for name, want in expected.items():
        r = got.get(name)
        if r is None:
            continue
        body = " ".join(r.body.split())
        checks = {"title": r.title == want["title"], "date": r.date == want["date"], "url": r.url == want["url"],
                  "body_has": all(" ".join(s.split()) in body for s in want["body_has"]),
                  "body_lacks": not any(s in r.body for s in want["body_lacks"])}
        for field, ok in checks.items():
            correct[field] += ok
            if not ok:
                shown = {"title": r.title, "date": r.date, "url": r.url}.get(field, "")
                misses.append(f"{name}: {field} {shown!r}".rstrip(" '"))
    return {"pages": len(expected), "correct": correct, "misses": misses,
            "pages_per_s": round(len(expected) / seconds, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(REPO / "bench" / "results"))
    args = ap.parse_args()
    rows, data = [], {"machine": machine(), "sets": {}}
    for label, folder in SETS.items():
        if not (folder / "expected.json").is_file():
            continue
        s = score(folder)
        data["sets"][label] = s
        n = s["pages"]
        rows.append(f"| {label} | {n} | " + " | ".join(f"{s['correct'][f]}/{n}" for f in FIELDS)
                    + f" | {s['pages_per_s']} |")
    table = ("| set | pages | title | date | canonical url | body sentences found | no page junk in body | pages/s |\n"
             "|---|---|---|---|---|---|---|---|\n" + "\n".join(rows))
    write_report(args.out, "html_extract", table, data)
    for label, s in data["sets"].items():
        for miss in s["misses"]:
            print(f"  {label}: {miss}")


if __name__ == "__main__":
    main()
