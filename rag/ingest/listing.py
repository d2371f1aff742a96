"""Archive pages: a newsroom index, "Press Releases 2019" or "Media Advisory Archives" page that
a scraper kept beside the releases. It lists other releases' headlines, each under its date, so
it names every person and topic of the releases it lists without reporting any of them: counts,
lists and case histories leave it out, and say so. (The search still may return it: leaving it out
of the passages changed no retrieval number on the twelve dev and bench files and lost one key fact.)

A page is an archive page when at least ``LISTED`` of its lines are a headline of another
release of its source or a bare date ("November 26", "6/3/2026", "October 24, 2022"). Measured
on the shared index (8,580 releases, bodies after boilerplate removal): the 13 archive pages
have 5 to 235 such lines; no release has more than 4 (a "related" sidebar of three headlines and
a date, or an advisory's four event dates).
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from ..models import Release

__all__ = ["LISTED", "is_listing", "listed_lines", "listings", "title_key"]

LISTED = 5
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_LINE = re.compile(rf"\s*(?:\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\d{{4}}-\d\d-\d\d|{_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?|"
                        rf"\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?)\s*", re.I)
_MIN_TITLE = 21  # characters: a headline, not a one-word heading ("News", "Press Releases") that titles a page


def title_key(text: str) -> str:
    """A title as titles are compared: case and whitespace aside."""
    return " ".join(text.lower().split())


def listed_lines(body: str, title: str, titles: frozenset[str]) -> int:
    """How many lines of ``body`` are a headline in ``titles`` (``title_key``s; the page's own
    ``title`` aside) or a bare date."""
    own, n = title_key(title), 0
    for line in body.splitlines():
        key = title_key(line)
        if not key:
            continue
        if (len(key) >= _MIN_TITLE and key != own and key in titles) or _DATE_LINE.fullmatch(line):
            n += 1
    return n


def is_listing(release: Release, titles: frozenset[str]) -> bool:
    """Whether ``release`` is an archive page (see the module's doc); ``titles``: the
    ``title_key``s of its source's releases."""
    return listed_lines(release.body, release.title, titles) >= LISTED


def listings(store, releases: Iterable[Release]) -> set[str]:
    """The ids of the archive pages among ``releases`` (their sources' titles read from ``store``)."""
    releases = list(releases)
    keys = {s: frozenset(map(title_key, store.titles(s))) for s in {r.source for r in releases}}
    return {r.id for r in releases if is_listing(r, keys[r.source])}
