"""Check a generated answer's [n] citations against the sources it was shown.

``check_citations(text, sources, answerer=...)`` turns raw model text into an
:class:`~rag.models.Answer`:

1. A refusal ("I could not find ...", "not in the passages", ...) with no other
   claim becomes the standard refusal.
2. Markers (``[1]``, ``[1, 2]``, ``[1][2]``) naming no source are dropped.
3. Each sentence with content words is scored with :func:`support_score`
   against the text of the sources it cites, and every number it states must be in them
   (``supports``: "10 arrests" cited to "more than 21 arrests" is not supported); one
   citing nothing, or citing a source that does not support it, gets the source that
   supports it best, if any does (noted as re-cited); failing that, two
   passages *of the same release* that together support it (a sentence joining the
   sentence given in one passage with the name given in another cites both; across
   releases such a join is how "10 knives were found at the day of action" is
   stitched from two different events). Sentences nothing supports are marked
   ``(unsupported)`` or removed.
4. Sources are renumbered 1, 2, ... in order of first citation; only cited
   sources become citations (quote = exact release-body span).
5. With no supported sentence left, the answer is the refusal.

A sentence the model repeats (small models loop) is kept once. ``CitationChecker`` then replaces
every web address that no cited quote holds (``drop_uncited_links``).

Pure and deterministic; the same measure as the evaluation suite.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from ..errors import ConfigError
from ..models import Answer, Citation
from ..text.markers import MARKER, cited_numbers
from ..text.normalize import normalize
from ..text.sentences import answer_sentences
from ..text.tokenize import content_tokens
from .base import REFUSAL_TEXT, refusal
from .prompt import Source
from .support import missing_numbers, shown_text, support_score, supports

__all__ = ["UNSUPPORTED_MODES", "UNSUPPORTED_TAG", "CitationChecker", "check_citations", "is_refusal_sentence",
           "supporting_sources"]

UNSUPPORTED_MODES = ("mark", "remove")
UNSUPPORTED_TAG = "(unsupported)"

_NEG = r"(?:could ?not|couldn'?t|can ?not|can'?t|cannot|unable to|did not|didn'?t|do not|don'?t|was not able to)"
_WHERE = (r"(?:the\s+|these\s+|any\s+(?:of\s+the\s+)?)?(?:provided\s+|given\s+|retrieved\s+)?"
          r"(?:passages?|releases?|press releases?|sources?|documents?|context)\b")
_REFUSAL = re.compile(
    rf"\b(?:I|we)\s+{_NEG}\s+(?:find|locate|determine|identify|answer)\b"
    rf"|\b{_NEG}\s+(?:find|locate|determine)\s+(?:the\s+|an?\s+|any\s+)?(?:answer|information|mention|details?)\b"
    rf"|\b(?:not|cannot|can'?t)\s+(?:\w+\s+){{0,2}}(?:in|from|within|by)\s+{_WHERE}"
    rf"|\b(?:passages?|releases?|sources?|documents?|context)\s+(?:do|does|did)\s*(?:not|n'?t)\s+"
    r"(?:contain|mention|say|state|include|provide|specify|give|answer)\b"
    r"|\bthere (?:is|are) (?:no|insufficient|not enough) (?:information|mention|details?)\b",
    re.IGNORECASE,
)
_STOP = re.compile(r"(?:[.!?\u2026]+[\"'\u2019\u201d)\]]*)$")
# "[1] He was sentenced ...": a line led by its markers (small models write lists so)
_LEADING = re.compile(rf"(?m)^[ \t]*(?P<markers>(?:{MARKER.pattern}[ \t]*)+)(?P<line>\S.*?)[ \t]*$")


def _markers_last(text: str) -> str:
    """Lines led by citation markers with the markers moved to the line's end, where
    the sentence splitter reads them as the citation of that line's sentence."""
    return _LEADING.sub(lambda m: f"{m.group('line')} {m.group('markers').strip()}", text)


def is_refusal_sentence(sentence: str) -> bool:
    """Whether ``sentence`` says the answer is not in the sources."""
    return REFUSAL_TEXT.lower() in sentence.lower() or bool(_REFUSAL.search(sentence))


def _bare(sentence: str) -> str:
    """The sentence without citation markers, spaces tidied."""
    text = " ".join(MARKER.sub(" ", sentence).split())
    return re.sub(r"\s+([.,;:!?\u2026])", r"\1", text)


def _render(bare: str, numbers: Sequence[int], tag: str) -> str:
    """``bare`` with ``[a][b]`` (and ``tag``) before its final punctuation."""
    m = _STOP.search(bare)
    head, stop = (bare[: m.start()], m.group(0)) if m else (bare, "")
    extra = "".join(f"[{n}]" for n in numbers)
    for piece in (extra, tag):
        if piece:
            head = f"{head.rstrip()} {piece}"
    return head + stop


def _shown(src: Source) -> str:
    """Everything the model saw of a source: its title and date header, then the passage."""
    return shown_text(src.release.title, src.release.date, src.text)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def supporting_sources(sentence: str, by_n: dict[int, Source]) -> list[int]:
    """The source numbers that support ``sentence`` (``supports``): the single best source when
    it does, else the best source and the passage *of the
    same release* that adds most to it when together they reach it, else none. Ties
    go to the lower number."""
    def quotes(numbers: Sequence[int]) -> list[str]:
        return [_shown(by_n[n]) for n in numbers]

    def score(numbers: Sequence[int]) -> tuple[bool, float]:
        return not missing_numbers(sentence, quotes(numbers)), support_score(sentence, quotes(numbers))

    numbers = sorted(by_n)
    if not numbers:
        return []
    first = max(numbers, key=lambda n: (score([n]), -n))
    if supports(sentence, quotes([first])):
        return [first]
    others = [n for n in numbers if n != first and by_n[n].release.id == by_n[first].release.id]
    if not others:
        return []
    second = max(others, key=lambda n: (score([first, n]), -n))
    if score([first, second]) > score([first]) and supports(sentence, quotes([first, second])):
        return sorted([first, second])
    return []


def check_citations(text: str, sources: Sequence[Source], *, answerer: str,
                    timings_ms: dict | None = None, unsupported: str = "mark") -> Answer:
    """The checked, renumbered answer for model output ``text`` (see the module doc)."""
    if unsupported not in UNSUPPORTED_MODES:
        raise ValueError(f"unsupported must be one of {UNSUPPORTED_MODES}, got {unsupported!r}")
    by_n: dict[int, Source] = {}
    for src in sources:
        by_n.setdefault(src.n, src)
    sentences = answer_sentences(_markers_last(text or ""))
    if not sentences:
        return refusal(answerer, "empty answer", timings_ms)

    dropped: list[int] = []
    # (bare text, old source numbers, kind) with kind in supported/unsupported/plain/remark
    rows: list[tuple[str, list[int], str]] = []
    attached = repeats = 0
    recited: list[str] = []
    seen: set[str] = set()
    for sentence in sentences:
        nums = list(dict.fromkeys(cited_numbers(sentence)))
        valid = [n for n in nums if n in by_n]
        dropped.extend(n for n in nums if n not in by_n and n not in dropped)
        bare = _bare(sentence)
        if not re.search(r"\w", MARKER.sub("", bare)):  # markers or punctuation alone
            continue
        key = " ".join(normalize(bare).split())
        if key in seen:  # small models loop: the same sentence again says nothing new
            repeats += 1
            continue
        seen.add(key)
        if not valid and is_refusal_sentence(bare):
            if REFUSAL_TEXT.lower() not in bare.lower():
                rows.append((bare, [], "remark"))
            continue
        if not content_tokens(bare):  # claims nothing ("Yes."): kept as written
            rows.append((bare, valid, "plain"))
            continue
        if valid and supports(bare, [_shown(by_n[n]) for n in valid]):
            rows.append((bare, valid, "supported"))
            continue
        # uncited, or cited to a passage that does not support it (small models slip on
        # numbers): cite the passage (or pair of passages) that does support it, if any
        found = supporting_sources(bare, by_n)
        if found:
            if valid:
                recited.append(f"[{'/'.join(map(str, valid))}]->[{']['.join(map(str, found))}]")
            else:
                attached += 1
            rows.append((bare, found, "supported"))
        else:
            rows.append((bare, valid, "unsupported"))

    n_unsupported = sum(kind == "unsupported" for _, _, kind in rows)
    if unsupported == "remove":
        rows = [row for row in rows if row[2] != "unsupported"]
    notes: list[str] = []
    if dropped:
        notes.append("dropped " + "".join(f"[{n}]" for n in dropped))
    if repeats:
        notes.append(f"dropped {_plural(repeats, 'repeated sentence')}")
    if attached:
        notes.append(f"cited a source for {_plural(attached, 'uncited sentence')}")
    if recited:
        notes.append("re-cited to the supporting passage " + ", ".join(recited))
    if n_unsupported:
        done = "marked" if unsupported == "mark" else "removed"
        notes.append(f"{_plural(n_unsupported, 'unsupported sentence')} {done}")
    if not any(kind == "supported" for _, _, kind in rows):
        if all(kind == "remark" for _, _, kind in rows):
            return refusal(answerer, "; ".join(["the model refused"] + notes), timings_ms)
        return refusal(answerer, "; ".join(notes + ["no supported sentence"]), timings_ms)

    renumber: dict[int, int] = {}
    for _, nums, _ in rows:
        for n in nums:
            renumber.setdefault(n, len(renumber) + 1)
    parts = [_render(bare, [renumber[n] for n in nums], UNSUPPORTED_TAG if kind == "unsupported" else "")
             for bare, nums, kind in rows]
    citations = []
    for old, new in renumber.items():
        src = by_n[old]
        r = src.release
        citations.append(Citation(new, r.id, r.title, r.date, r.url, src.start, src.end, src.text))
    moved = [f"[{old}]->[{new}]" for old, new in renumber.items() if old != new]
    if moved:
        notes.append("renumbered " + " ".join(moved))
    if not notes:
        notes.append(f"all {_plural(len(rows), 'sentence')} supported")
    return Answer(" ".join(parts), False, tuple(citations), answerer, dict(timings_ms or {}), "; ".join(notes))


class CitationChecker:
    """The verification component of the LLM answerers: model text and the sources it was
    shown in, a checked Answer out (``check_citations``); sentences no source supports are
    marked ``(unsupported)`` or, with ``unsupported="remove"``, left out."""

    def __init__(self, unsupported: str = "mark"):
        if unsupported not in UNSUPPORTED_MODES:
            raise ConfigError(f"unsupported must be one of {', '.join(UNSUPPORTED_MODES)}, got {unsupported!r}")
        self.unsupported = unsupported

    def check(self, text: str, sources: Sequence[Source], *, answerer: str,
              timings_ms: dict | None = None) -> Answer:
        checked = check_citations(text, sources, answerer=answerer, timings_ms=timings_ms, unsupported=self.unsupported)
        return drop_uncited_links(checked)


_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>()\[\]\"']+[^\s<>()\[\]\"'.,;:!?]", re.I)
LINK_REMOVED = "[link removed: not in the cited passage]"


def drop_uncited_links(answer: Answer) -> Answer:
    """``answer`` with every web address that none of its cited quotes holds replaced by
    ``LINK_REMOVED``: a link in an answer is one the reader can check in the release."""
    quotes = " ".join(c.quote for c in answer.citations)

    def keep(m: re.Match) -> str:
        return m.group(0) if m.group(0) in quotes else LINK_REMOVED

    text = _URL.sub(keep, answer.text)
    return answer if text == answer.text else replace(answer, text=text)

