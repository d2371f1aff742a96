"""What the `rag` commands print: index builds, syncs and answers (kept out of cli.py's command list)."""
from __future__ import annotations

import re
import sys
from collections import Counter

import typer


def reason_kind(reason: str) -> str:
    """Group skip reasons for the summary: the text before any detail."""
    for sep in (":", " (", " of "):
        reason = reason.split(sep)[0]
    return reason.strip()


def print_build_report(report, index_dir: str, out=None) -> None:
    """The summary line on ``out`` (stdout), the skip details on stderr."""
    err = sys.stderr
    out = out or sys.stdout
    if not report.written:
        print(f"index {index_dir} is up to date: {report.releases} releases, {report.chunks} chunks "
              f"({report.unchanged} unchanged, 0 added, 0 updated, 0 removed, {len(report.skipped)} skipped; "
              f"{report.seconds.get('total', 0):.1f}s)", file=out)
    else:
        print(f"indexed into {index_dir}: added {report.added}, updated {report.updated}, removed {report.removed}, "
              f"unchanged {report.unchanged}, skipped {len(report.skipped)}; embedded {report.chunks_embedded} chunks; "
              f"now {report.releases} releases, {report.chunks} chunks "
              f"({', '.join(f'{k} {v:.1f}s' for k, v in report.seconds.items())})", file=out)
    if report.kept:
        where = "; ".join(f"{n} from {origin}" for origin, n in report.kept.items())
        print(f"kept {sum(report.kept.values())} releases from other roots or feeds ({where}): "
              f"`rag index ... --replace` removes them", file=err)
    if report.skipped:
        kinds = Counter(reason_kind(s.reason) for s in report.skipped)
        print("skipped by reason: " + "; ".join(f"{n} {k}" for k, n in kinds.most_common()), file=err)
        for s in report.skipped[:20]:
            print(f"  skipped {s.path}: {s.reason}", file=err)
        if len(report.skipped) > 20:
            print(f"  ... and {len(report.skipped) - 20} more: `rag skipped --index {index_dir}` lists them all",
                  file=err)


def parse_every(text: str) -> float:
    """Seconds in an interval such as ``90s``, ``15m``, ``1h`` or ``1d``."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd])\s*", text or "")
    if not m or float(m.group(1)) <= 0:
        raise typer.BadParameter(f"{text!r} is not an interval: write e.g. 30m, 1h or 1d")
    return float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


def print_sync_report(report, index_dir: str) -> None:
    print(f"synced into {index_dir}: {report.new} new pages, {report.changed} changed, {report.unchanged} unchanged, "
          f"{report.not_fetched} known and not fetched again, {len(report.failed)} failed; "
          f"{report.requests} HTTP requests")
    for url, reason in report.failed:
        print(f"  failed {url}: {reason} (tried again next sync)", file=sys.stderr)
    if report.build is not None:
        print_build_report(report.build, index_dir)
    else:
        print("index unchanged (no page's text changed)")


def print_eval_results(results: dict, paths: dict) -> None:
    """``rag eval``'s console output: the metrics table, where the reports went, and one line on
    stderr per question that raised."""
    from eval.report import console_keys, metrics_table

    rows = metrics_table(results, console_keys(results))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(f"{cell:>{width}}" for cell, width in zip(row, widths)))
    print(f"report: {paths['html']}  results: {paths['results']}")
    for item in results["errors"]:
        print(f"error: {item['id']}: {item['error']}", file=sys.stderr)


def print_answer(answer, text: bool = True) -> None:
    from .export import source_line

    if text:
        print(answer.text)
    if answer.citations:
        print("\nSources:")
        for c in answer.citations:
            print(source_line(c))
            print(f"    chars {c.start}-{c.end}: “{' '.join(c.quote.split())}”")


def stream_answer(pipe, question, filters):
    """Show an LLM's tokens as they come; ``(answer, shown)``. In a terminal the tokens go to stdout
    and the checked answer is printed again only when the check changed it (``shown``); when stdout
    is a pipe or file the tokens go to stderr and stdout gets only the checked answer."""
    from .answer.turns import Waiting
    from .models import Answer

    live = sys.stdout if sys.stdout.isatty() else sys.stderr
    answer, waited, streamed = None, False, []
    for item in pipe.ask_stream(question, filters=filters):
        if isinstance(item, Answer):
            answer = item
        elif isinstance(item, str):
            print(item, end="", flush=True, file=live)
            streamed.append(item)
        elif isinstance(item, Waiting) and not waited:  # said once, not every second
            print(item.text, file=sys.stderr)
            waited = True
    print("", file=live)
    same = " ".join("".join(streamed).split()) == " ".join(answer.text.split())
    if live is sys.stdout and not same:
        print("\nChecked answer:", file=sys.stdout)
    if answer.note:
        print(f"({answer.answerer}: {answer.note})", file=sys.stderr)
    return answer, live is sys.stdout and same
