"""`rag sync` against a loopback newsroom (tests/sync_site.py) serving pages made from real
releases: first sync (fetch, read, index), a second with nothing changed, a third after 3 pages
changed and 2 were added. Counts the HTTP requests the server saw and times each run.

    python bench/sync.py [--pages 200] [--out bench/results]

The client's per-host delay is 0 here (loopback; the default 1 s would make a first sync of N pages
take N seconds by design). The embedder is the shipped default (int8 MiniLM).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, machine, write_report

sys.path[:0] = [str(REPO), str(REPO / "tests")]
from sync_site import Page, Site  # noqa: E402

from rag.config import SyncConfig  # noqa: E402
from rag.ingest import load_corpus  # noqa: E402
from rag.pipeline import make_embedder, sync_feeds  # noqa: E402
from rag.settings import Settings  # noqa: E402

SHARED = REPO.parent / "shared" / "corpora" / "us-prosecutors" / "text" / "orange_ca"


def pages(n: int) -> dict[str, Page]:
    folder = SHARED if SHARED.is_dir() else REPO / "corpus"
    releases = [r for r in load_corpus([folder]).releases if r.date][:n]
    return {f"/news/{i:04d}.html": Page(r.title, r.date, r.body.replace("\n\n", "\n")) for i, r in enumerate(releases)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=200)
    ap.add_argument("--out", default=str(REPO / "bench" / "results"))
    args = ap.parse_args()
    site = Site(pages(args.pages)).start()
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(index_dir=str(Path(tmp) / "idx"), sync=SyncConfig(delay_s=0.0))
        embedder = make_embedder(settings)
        embedder.embed(["warm-up"])
        for label in ("first sync", "nothing changed", "3 changed, 2 new"):
            if label.startswith("3 changed"):
                for path in list(site.pages)[:3]:
                    site.pages[path].body += "\nThe case was adjourned to a later date."
                    site.pages[path].modified += 3600
                for i in range(2):
                    site.pages[f"/news/new-{i}.html"] = Page(f"New release {i} about a court hearing", "2025-02-01",
                                                            "The hearing was held on Monday at the county court. "
                                                            "Prosecutors said the defendant would be sentenced "
                                                            "next month.")
                site.feed_changed += 1
            site.reset_counts()
            t0 = time.perf_counter()
            report = sync_feeds(settings, [site.base + "/feed.xml"] if label == "first sync" else [], embedder=embedder)
            seconds = time.perf_counter() - t0
            build = report.build.seconds if report.build is not None else {}
            fetched = report.new + report.changed + report.unchanged
            runs.append({"run": label, "requests": len(site.requests), "new": report.new, "changed": report.changed,
                         "not_fetched": report.not_fetched, "failed": len(report.failed), "seconds": round(seconds, 2),
                         "index_seconds": round(build.get("total", 0.0), 2),
                         "fetch_read_pages_per_s": round(fetched / max(seconds - build.get("total", 0.0), 1e-9), 1)
                         if fetched else None})
    site.stop()
    rows = [f"| {r['run']} | {r['requests']} | {r['new']} | {r['changed']} | {r['not_fetched']} | {r['failed']} | "
            f"{r['seconds']} | {r['index_seconds']} | {r['fetch_read_pages_per_s'] or '-'} |" for r in runs]
    table = ("| run | HTTP requests | new | changed | known, not fetched | failed | seconds | of which indexing | "
             "pages/s fetched and read |\n|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows))
    write_report(args.out, "sync", table, {"machine": machine(), "pages": args.pages, "runs": runs})


if __name__ == "__main__":
    main()
