"""The answer to a count, a list or a case: the number and the criteria, then every release cited.

Text, one claim per line so each line's citation checks against its own quote:

    4 releases from kings_ny dated 2025-01-01 to 2025-12-31 mentioning "gun buyback" in one sentence.
    - 2025-04-03 — Brooklyn District Attorney ... Gun Buyback: <the sentence that matched> [1]

A case: its latest step first, then the chain in date order, each step cited.
"""
from __future__ import annotations

import re

from ..models import Answer, Citation, Listed, Release
from ..text.sentences import one_line
from .case import CaseStep, defendant_span
from .match import Matches
from .status import status_spans

__all__ = ["MAX_LINES", "answer_case", "answer_matches"]

MAX_LINES = 200  # releases written out in the text; ``Answer.matches`` holds every one
MAX_UNDATED = 10  # undated matches named in the text (not counted in a window, so not cited)
_ASKS_NAMES = re.compile(r"\b(?:name|names|who|whom|defendants?|identify)\b", re.I)
_LISTS_PEOPLE = re.compile(r"\b(?:people|persons|suspects|individuals)\b", re.I)  # "List the people ... charged"


def _quote(release: Release, start: int, end: int) -> str:
    """The passage on one line, a space put back after a comma that lost it ("22,pleaded")."""
    return re.sub(r"(?<=\w),(?=[^\W\d_])", ", ", one_line(release.body[start:end]))


def _citation(n: int, release: Release, start: int, end: int) -> Citation:
    return Citation(n, release.id, release.title, release.date, release.url, start, end, release.body[start:end])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def answer_matches(matches: Matches, question: str, route: str, answerer: str) -> Answer:
    """The count (or list) of ``matches`` as an Answer citing every counted release."""
    crit = matches.criteria
    counted = matches.counted
    dupes = [m for m in matches.matches if m.duplicate_of and not m.translation]
    translated = [m for m in matches.matches if m.translation]
    head = " ".join([_plural(len(counted), "release"), *crit.conditions()]) + "."
    for note in matches.notes:
        head += f" ({note[0].upper()}{note[1:]}.)"
    if dupes:
        head += f" {_plural(len(dupes), 'more release')} repeat{'s' if len(dupes) == 1 else ''} the text of one counted (not counted again)."
    if translated:
        head += (f" {_plural(len(translated), 'more release')} {'is a translation' if len(translated) == 1 else 'are translations'}"
                 " of one counted (not counted again).")
    if matches.undated:
        shown = "; ".join(f"\u201c{' '.join(m.release.title.split())}\u201d ({m.release.id})"
                          for m in matches.undated[:MAX_UNDATED])
        more = len(matches.undated) - MAX_UNDATED
        head += (f" {_plural(len(matches.undated), 'undated release')} also match{'es' if len(matches.undated) == 1 else ''}"
                 f" and cannot be placed in the window (not counted): {shown}{f'; and {more} more' if more > 0 else ''}.")
    lines, citations, listed, n_of = [head], [], [], {}
    names = bool(_ASKS_NAMES.search(question) or (route == "list" and _LISTS_PEOPLE.search(question)))
    for m in matches.matches:
        rel, n = m.release, len(citations) + 1
        n_of[rel.id] = n
        citations.append(_citation(n, rel, m.start, m.end))
        dup = n_of.get(m.duplicate_of) if m.duplicate_of else None
        listed.append(Listed(n, rel.id, rel.title, rel.date, rel.url, "translation" if m.translation else "", dup))
        if len(lines) > MAX_LINES:
            continue
        quote = "" if not crit.runs else f": {_quote(rel, m.start, m.end)}"
        line = f"- {rel.date or 'undated'} — {' '.join(rel.title.split())}{quote} [{n}]"
        if dup:
            line += f" (translation of [{dup}])" if m.translation else f" (same text as [{dup}])"
        if names and (span := defendant_span(rel)) is not None:
            k = len(citations) + 1
            citations.append(_citation(k, rel, span[0], span[1]))
            line += f"\n  Named: {_quote(rel, span[0], span[1])} [{k}]"
        lines.append(line)
    listed += [Listed(None, m.release.id, m.release.title, None, m.release.url, "undated") for m in matches.undated]
    if len(matches.matches) > MAX_LINES:
        lines.append(f"… and {len(matches.matches) - MAX_LINES} more (every one is in the answer's list of matches).")
    return Answer("\n".join(lines), False, tuple(citations), answerer, note=f"{route}: {crit.describe()}",
                  route=route, criteria=crit.describe(), matches=tuple(listed))


def answer_case(name: str, steps: list[CaseStep], answerer: str, criteria: str | None = None) -> Answer:
    """The case of ``name``: the latest dated step first, then every release in date order.
    ``criteria``: what the releases were found by, in words (default "releases naming NAME"). A
    translation of another step (``CaseStep.translation_of``) is listed, marked "translation of [n]",
    and neither counted again nor taken as the latest step."""
    criteria = criteria or f"releases naming {name}"
    n_of = {s.release.id: i for i, s in enumerate(steps, start=1)}
    dup = [n_of.get(s.translation_of) if s.translation_of else None for s in steps]
    dated = [i for i, s in enumerate(steps) if s.release.date and dup[i] is None]
    citations, listed, lines = [], [], []
    for i, s in enumerate(steps, start=1):
        citations.append(_citation(i, s.release, s.start, s.end))
        label = "translation" if dup[i - 1] else s.step if s.release.date else "undated"
        listed.append(Listed(i, s.release.id, s.release.title, s.release.date, s.release.url, label, dup[i - 1]))
    latest = max(dated, key=lambda i: (steps[i].release.date, i)) if dated else None
    if latest is not None:
        s = steps[latest]
        line = (f"Latest ({s.release.date}{', ' + s.step if s.step else ''}): "
                f"{_quote(s.release, s.start, s.end)} [{latest + 1}]")
        for where in status_spans(s.release, (s.start, s.end), s.step):  # where the case stands
            k = len(citations) + 1
            citations.append(_citation(k, s.release, *where))
            line += f" {_quote(s.release, *where)} [{k}]"
        lines.append(line)
    translated = sum(1 for d in dup if d)
    more = (f" ({_plural(translated, 'more release')} {'is a translation' if translated == 1 else 'are translations'}"
            " of one listed, not counted again)") if translated else ""
    counted = _plural(len(steps) - translated, "release")
    lines.append(f"{counted}{criteria.removeprefix('releases')}, in date order{more}:")
    for i, s in enumerate(steps, start=1):
        when = s.release.date or "undated"
        tail = f" (translation of [{dup[i - 1]}])" if dup[i - 1] else ""
        lines.append(f"- {when}{', ' + s.step if s.step else ''}: {_quote(s.release, s.start, s.end)} [{i}]{tail}")
        span = defendant_span(s.release)
        if span is not None and not (s.start <= span[0] < s.end):
            k = len(citations) + 1
            citations.append(_citation(k, s.release, span[0], span[1]))
            lines.append(f"  Named: {_quote(s.release, span[0], span[1])} [{k}]")
    return Answer("\n".join(lines), False, tuple(citations), answerer, note=f"case: {name}", route="case",
                  criteria=criteria, matches=tuple(listed))
