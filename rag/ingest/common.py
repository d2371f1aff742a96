"""Small helpers shared by the ingest modules."""
from __future__ import annotations

import re

from ..models import TITLE_CUT

TITLE_MAX = 120  # a title made from the body's first sentence
HEADLINE_MAX = 250  # a page's own headline is kept whole up to here (Orange County's run to ~200); longer is prose

_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*(?=\s|$)")
_MD_DECOR = re.compile(r"^(?:#{1,6}\s+|[*_]{1,3})|[*_]{1,3}$")
_BLANK_RUNS = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")


class Skip(Exception):
    """A file or record that cannot become a release; ``str(exc)`` is the reason."""


def squash(text: str) -> str:
    """Collapse all whitespace (no-break spaces too) to single spaces."""
    return " ".join(text.split())


def truncate_words(text: str, limit: int = TITLE_MAX) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, ending in "…" when cut (a
    reader sees that the title goes on)."""
    text = squash(text)
    if len(text) <= limit:
        return text
    limit -= 1  # room for the ellipsis
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:-\u2013\u2014") + TITLE_CUT


def clean_title(text: str, limit: int = HEADLINE_MAX) -> str:
    """A title as shown: whitespace squashed, markdown heading/bold markers removed, cut at ``limit``."""
    text = squash(text.replace("**", "").replace("__", ""))
    for _ in range(2):
        text = _MD_DECOR.sub("", text).strip()
    return truncate_words(text, limit)


def derive_title(body: str) -> str:
    """A title for text that has none: its first sentence (or line), cut to ~120 chars."""
    for line in body.split("\n"):
        line = squash(line)
        if any(c.isalpha() for c in line):
            line = clean_title(line)
            for m in _SENTENCE_END.finditer(line):
                if line[: m.end()].count(" ") >= 3:  # 4+ words: not just "The U.S."
                    line = line[: m.end()]
                    break
            return truncate_words(line)
    return ""


def tidy_body(lines: list[str]) -> str:
    """Join body lines: no-break spaces made plain, trailing blanks and blank runs removed."""
    text = "\n".join(line.rstrip().replace("\u00a0", " ") for line in lines)
    return _BLANK_RUNS.sub("\n\n", text).strip()


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
