"""Site boilerplate learned from the corpus itself (nothing is typed per website).

Scraped pages of one *group* (a top-level folder of a corpus root; the files at
a root's top level form one group) share navigation, cookie banners, contact
blocks, "latest news" sidebars and title suffixes.  A line is recognised as
boilerplate by how many files of its group contain it (its *document
frequency*, ``df``; lines are compared with whitespace collapsed):

* ``df >= max(2, ceil(8% of the group))``  - the *relative* rule, or
* ``df >= 30`` and the line is not prose    - the *absolute* rule, which only
  matters for groups of more than 375 files.

Measured on the prosecutor corpus (8,635 pages in 10 folders) and Bedfordshire:

* 5 files (Bedfordshire): 2 files are enough - the cookie banner is on 2 of 5.
* 43 files (Cook, Miami-Dade): 4 files, so two (or three) versions of one
  release keep their text; 59 (Riverside): 5, which also catches "latest news"
  sidebar items that were current for only a few crawled pages.
* 114 files (Harris): 10 - the 12 pages of its newer site layout share their
  navigation (12 pages) and a "more news" list (10-11 pages) that 10% would miss.
* 6,423 files (Orange County): navigation is in every file, sidebar titles of
  other releases in 30-5,000 files, the same release headline in under 10.
* *Prose* (a line of 6+ words ending like a sentence) is exempt from the
  absolute rule: in Orange County "Senior Deputy District Attorney X of the
  Homicide Unit is prosecuting this case." recurs in 43 releases and is real
  content, while sidebar headlines (no final period) recurring in 30+ are not.

Two guards keep real text that happens to recur:

* *near-duplicates*: a candidate line found in at most 4 files, all of which
  are near-duplicates of each other (Jaccard similarity >= 0.5 of their sets of
  lines with 6+ words), is content shared by versions of one release, not
  boilerplate.
  (This only matters in groups of up to 50 files.)
* *inline fragments*: some scrapers break sentences at links ("...families,"
  / "State's Attorney Burke said" / ". My administration..."); up to 3
  candidate lines directly between two content lines that read as part of the
  same sentence are kept (see :func:`removable`).

Also dropped: generic page furniture (bare image URLs, CMS timestamps) and
page-specific lines stranded after the footer, such as links to the previous
and next release (see :func:`footer_leftovers`).
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

FRACTION = 0.08
ABSOLUTE = 30
NEARDUP_MAX_DF = 4
NEARDUP_JACCARD = 0.5
FRAGMENT_RUN = 3
FOOTER_RUN = 8
SEPARATORS = (" - ", " | ", " \u2022 ", " \u2013 ", " \u2014 ", " :: ", " \u00bb ", " \u00ab ")

_SENTENCE_END = tuple(".!?\u2026\"'\u201d\u2019)")
_FRAGMENT_START = re.compile(r"^[a-z,.;:)\]!?\u2019\u201d%]")
_NO_CLOSE = re.compile(r"[\w,\u2014\u2013-]$")
_NOISE = (
    re.compile(r"^https?://\S+\.(?:jpe?g|png|gif|webp|svg|bmp|ico|tiff?)(?:\?\S*)?$", re.I),
    re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?\S*$"),
)


def line_key(line: str) -> str:
    """How lines are compared: whitespace (including no-break spaces) collapsed."""
    s = line.strip()
    if s.isprintable() and "  " not in s:  # fast path: nothing to collapse
        return s
    return " ".join(s.split())


def line_keys(lines: Sequence[str]) -> list[str]:
    """:func:`line_key` of every line (fast when no line needs collapsing)."""
    return [line_key(line) for line in lines]


def text_line_keys(text: str) -> tuple[list[str], list[str]]:
    """``(lines, keys)`` of a text."""
    lines = text.split("\n")
    return lines, line_keys(lines)


def relative_threshold(n_docs: int) -> int:
    return max(2, math.ceil(FRACTION * n_docs))


def absolute_threshold(n_docs: int) -> int:
    return min(relative_threshold(n_docs), ABSOLUTE)


def is_prose(key: str) -> bool:
    """A sentence: 6+ words, some lower case, ending in sentence punctuation."""
    return key.endswith(_SENTENCE_END) and key.count(" ") >= 5 and any(c.islower() for c in key)


def is_noise(key: str) -> bool:
    """Page furniture recognisable without statistics (image URLs, CMS timestamps)."""
    return any(rx.match(key) for rx in _NOISE)


@dataclass(frozen=True)
class GroupModel:
    """What was learned about one group of scraped pages."""

    n_docs: int
    boilerplate: frozenset[str]
    suffixes: frozenset[str]

    def is_boilerplate(self, line: str) -> bool:
        return line_key(line) in self.boilerplate

    def strip_affixes(self, title: str) -> str:
        """Remove a learned site suffix (" - Site Name") from a page title."""
        title = line_key(title)
        for _ in range(2):  # "Title | Section | Site" may carry two
            suffix = split_suffix(title)
            if suffix and suffix[1] in self.suffixes:
                title = suffix[0]
        return title.strip()


def split_suffix(title: str) -> tuple[str, str] | None:
    """``("Title", "Site")`` split at the last separator, or ``None``."""
    best = max(((title.rfind(sep), sep) for sep in SEPARATORS), key=lambda t: t[0])
    pos, sep = best
    if pos <= 0:
        return None
    head, tail = title[:pos].strip(), title[pos + len(sep):].strip()
    return (head, tail) if head and tail else None


def first_line(keys: Sequence[str]) -> str:
    for key in keys:
        if key:
            return key
    return ""


def learn(docs: Sequence[Sequence[str]]) -> GroupModel:
    """Learn boilerplate lines and title suffixes from the pages of one group.

    ``docs`` holds each page as its list of line keys (:func:`line_keys`).
    Pure and deterministic.
    """
    n = len(docs)
    if n < 2:
        return GroupModel(n, frozenset(), frozenset())
    keysets = [frozenset(keys) - {""} for keys in docs]
    df: Counter[str] = Counter()
    for ks in keysets:
        df.update(ks)
    rel, absolute = relative_threshold(n), absolute_threshold(n)
    candidates = {
        k for k, c in df.items() if c >= rel or (c >= absolute and not is_prose(k))
    }
    candidates -= _near_duplicate_lines(keysets, df, candidates)

    suffixes: Counter[str] = Counter()
    for keys in docs:
        split = split_suffix(first_line(keys))
        if split:
            suffixes[split[1]] += 1
    return GroupModel(
        n_docs=n,
        boilerplate=frozenset(candidates),
        suffixes=frozenset(k for k, c in suffixes.items() if c >= absolute),
    )


def _near_duplicate_lines(
    keysets: Sequence[frozenset[str]], df: Counter[str], candidates: set[str]
) -> set[str]:
    """Candidate lines explained by near-duplicate files rather than by the site."""
    rare = {k for k in candidates if df[k] <= NEARDUP_MAX_DF}
    if not rare:
        return set()
    holders: dict[str, list[int]] = defaultdict(list)
    for i, ks in enumerate(keysets):
        for k in ks & rare:
            holders[k].append(i)
    similar: dict[tuple[int, int], bool] = {}

    def near(a: int, b: int) -> bool:
        # Compared on text lines only: pages of one site share many short menu
        # lines, while versions of one release share their sentences.
        if (a, b) not in similar:
            x, y = _long_lines(keysets[a]), _long_lines(keysets[b])
            similar[a, b] = bool(x and y) and len(x & y) >= NEARDUP_JACCARD * len(x | y)
        return similar[a, b]

    keep = set()
    for k, docs in holders.items():
        if all(near(a, b) for i, a in enumerate(docs) for b in docs[i + 1:]):
            keep.add(k)
    return keep


def _long_lines(keys: frozenset[str]) -> frozenset[str]:
    return frozenset(k for k in keys if k.count(" ") >= 5)


def boilerplate_flags(keys: Sequence[str], model: GroupModel) -> list[bool]:
    """Per line key: is it (statistically) boilerplate?  Blank lines are not."""
    bp = model.boilerplate
    return [bool(k) and k in bp for k in keys]


def removable(keys: Sequence[str], flags: Sequence[bool]) -> list[bool]:
    """Per line key: should it leave the body?

    Boilerplate (``flags``) except inline fragments, plus generic noise.  A run of
    up to ``FRAGMENT_RUN`` boilerplate lines directly between two content lines is
    a fragment when the text reads on through it: the run or the line after it
    starts in lower case or with punctuation, or (for a single line) the line
    before it stops mid-sentence.
    """
    n = len(keys)
    out = [False] * n
    i = 0
    while i < n:
        key = keys[i]
        if not key:
            i += 1
            continue
        if not flags[i]:
            out[i] = key.startswith(("http", "1", "2")) and is_noise(key)
            i += 1
            continue
        j = i
        while j < n and keys[j] and flags[j]:
            j += 1
        keep = _is_fragment(keys, i, j)
        for k in range(i, j):
            out[k] = not keep
        i = j
    return out


def _is_fragment(keys: Sequence[str], start: int, end: int) -> bool:
    """Whether boilerplate lines ``keys[start:end]`` continue the sentence around them."""
    if start == 0 or end >= len(keys) or end - start > FRAGMENT_RUN:
        return False
    prev, nxt = keys[start - 1], keys[end]
    if not prev or not nxt:  # a blank line on either side: a paragraph of its own
        return False
    return bool(
        _FRAGMENT_START.match(keys[start])
        or _FRAGMENT_START.match(nxt)
        or (end - start == 1 and _NO_CLOSE.search(prev))
    )


def footer_leftovers(keys: Sequence[str], flags: Sequence[bool]) -> list[int]:
    """Lines after the page footer: the last run of ``FOOTER_RUN``+ boilerplate
    lines that follows the first sentence and is followed by at most one more
    (a teaser in a "related posts" list).

    Footers (site map, "recent news") are learned as boilerplate, but a few lines
    inside or after them are page-specific ("Link to: <previous release>").
    """
    run = 0
    seen_prose = False
    footer_end = -1
    prose_after = 0
    for i, key in enumerate(keys):
        if not key:
            continue
        if flags[i]:
            run += 1
            if run >= FOOTER_RUN and seen_prose:
                footer_end, prose_after = i, 0
            continue
        run = 0
        if is_prose(key):
            seen_prose = True
            prose_after += 1
            if prose_after >= 2:  # the text goes on: that block was not the footer
                footer_end = -1
    if footer_end < 0:
        return []
    return [i for i in range(footer_end + 1, len(keys)) if keys[i]]
