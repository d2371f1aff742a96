"""How far a hard-wrapped line's next word reaches past its text: the tolerance ``rag.text.sentences.WRAP_FIT``.

    python bench/fit_wrap.py --index .rag/shared [--out bench/results]

Releases converted from PDF are set in proportional fonts, so their full lines vary in characters
(92-109 on a Dallas release whose wrap width, the 90th-percentile line length, is 103). Over every
wrapped release body of the index (``wrap_width`` not None: what the answerer splits), the line breaks that are certainly a wrapper's -- the line
does not end a sentence and the next line starts lower-case -- give the ratio (line + space + next
word) / width; the shipped ``WRAP_FIT`` is its 5th percentile, so ~95% of those breaks are read as
wraps. The table also shows, at each tolerance, the share of breaks before a capital (headings, or a
wrap before a name) that would be joined. Writes OUT/wrap_fit.{md,json}.
"""
from __future__ import annotations

import argparse

from common import REPO, machine, write_report

from rag.pipeline import Pipeline
from rag.settings import load_settings
from rag.text.sentences import CLOSERS, TERMINALS, WRAP_FIT, wrap_width

GRID = (1.0, 0.95, 0.9, 0.85, 0.8)


def ratios(text: str) -> tuple[list[float], list[float]]:
    """(ratios before a lower-case line, ratios before any other line) of ``text``'s unterminated lines."""
    width = wrap_width(text)
    lower: list[float] = []
    other: list[float] = []
    if not width:
        return lower, other
    lines = text.split("\n")
    for line, nxt in zip(lines, lines[1:]):
        line, nxt = line.rstrip(), nxt.strip()
        if not line or not nxt or line.rstrip(CLOSERS)[-1:] in TERMINALS:
            continue
        ratio = (len(line) + 1 + len(nxt.split()[0])) / width
        (lower if nxt[0].islower() else other).append(ratio)
    return lower, other


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[int(q * (len(values) - 1))] if values else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--out", default=str(REPO / "bench" / "results"))
    args = ap.parse_args()
    lower: list[float] = []
    other: list[float] = []
    releases = Pipeline(load_settings().with_(index_dir=args.index)).index.store.releases()
    wrapped = 0
    for release in releases:
        a, b = ratios(release.body)
        wrapped += bool(a or b)
        lower += a
        other += b
    fitted = round(percentile(lower, 0.05), 2)
    rows = [{"tolerance": t, "wraps_read": round(sum(r > t for r in lower) / len(lower), 3),
             "capital_breaks_joined": round(sum(r > t for r in other) / len(other), 3)} for t in GRID]
    lines = [f"Wrapped release bodies: {wrapped} of {len(releases)} in `{args.index}`; {len(lower)} certain wraps (next line "
             f"lower-case), {len(other)} breaks before a capital. 5th percentile of the certain wraps' ratio: "
             f"**{fitted}** (shipped `WRAP_FIT` {WRAP_FIT}).", "",
             "| tolerance | certain wraps read as wraps | breaks before a capital joined |", "|---|---|---|"]
    lines += [f"| {r['tolerance']} | {r['wraps_read']:.3f} | {r['capital_breaks_joined']:.3f} |" for r in rows]
    write_report(args.out, "wrap_fit", "\n".join(lines),
                 {"machine": machine(), "index": args.index, "wrapped_releases": wrapped, "releases": len(releases),
                  "certain_wraps": len(lower), "capital_breaks": len(other), "fitted": fitted, "shipped": WRAP_FIT,
                  "grid": rows})


if __name__ == "__main__":
    main()
