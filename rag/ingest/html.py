"""Saved web pages (HTML): main text, title, date and canonical URL, read by trafilatura.

trafilatura (with htmldate for the publication date) finds the article in the page and leaves out
navigation, cookie banners, scripts and footers, and decodes entities. What it returns is handed
on as page text (title line, then one paragraph per line) so that the boilerplate learned over the
page's group (:mod:`rag.ingest.boilerplate`) still removes what repeats on every page of a site.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

from .common import Skip

# a document that declares itself HTML in its first bytes (after a BOM, blanks and comments)
_HTML_START = re.compile(r"\A\ufeff?\s*(?:<!--.*?-->\s*)*(?:<\?xml[^>]*>\s*)?(?:<!doctype\s+html|<html[\s>])",
                         re.IGNORECASE | re.DOTALL)
# a publication date the page states for machines (meta tags, JSON-LD, <time datetime>): htmldate's
# reading of it is trusted; without one, htmldate guesses from the page's text and took "This page was
# last modified on 08/15/2023" for 3 of 4 old table-layout pages, so the article's own dateline comes first
_DATE_MARKUP = re.compile(
    r"datePublished|published_time|first-published|dateCreated|<time\b[^>]*\bdatetime="
    r"|\bname=[\"'](?:date|pubdate|publishdate|publish-date|dc\.date[\w.]*|dcterms\.(?:created|date|issued)"
    r"|citation_publication_date|sailthru\.date|parsely-pub-date)[\"']", re.IGNORECASE)
# a date a release gives itself in words: "FOR IMMEDIATE RELEASE -- June 7, 2022", "Published: 14 March
# 2025", "Posted on ..." (never "Last updated/revised/modified ...", the page's, not the release's)
_LABELLED = re.compile(r"\b(?:for immediate release|published(?: on)?|posted(?: on)?|issued(?: on)?|release date)"
                       r"[\s:|,\u2013\u2014-]*", re.IGNORECASE)
_SEPARATOR = re.compile(r"\s+(?:\||-|\u2013|\u2014|::|\u00bb|/)\s+")


@dataclass(frozen=True)
class Extracted:
    """What a page yielded: ``text`` has the title as its first line, then one paragraph per line."""

    title: str
    date: str | None          # from the page's date markup, or a labelled date in its text
    url: str | None
    text: str
    sitename: str | None = None
    guessed_date: str | None = None  # htmldate's guess from a page with neither


def looks_like_html(text: str) -> bool:
    """Whether ``text`` is an HTML document (for text files saved with another extension)."""
    return bool(_HTML_START.match(text[:4096]))


def extract_html(html: str, url: str | None = None) -> Extracted:
    """The article in ``html``; :class:`Skip` when the page holds none (an empty or script-only page).

    ``url`` is where the page came from (a synced page), used when the page declares no canonical
    URL of its own.
    """
    from trafilatura import bare_extraction  # heavy (lxml, htmldate): only when a page is read

    try:
        doc = bare_extraction(html, url=url, with_metadata=True, include_comments=False, include_tables=True,
                              include_formatting=False, include_links=False, include_images=False)
    except Exception as exc:  # the library's own parse errors: the page is skipped, not the run
        raise Skip(f"could not read the HTML: {type(exc).__name__}: {exc}") from None
    if doc is None or not (doc.text or "").strip():
        raise Skip("no article text found in the HTML page")
    title = headline(" ".join((doc.title or "").split()), html)
    paragraphs = [" ".join(line.split()) for line in doc.text.split("\n")]
    body = "\n\n".join(p for p in paragraphs if p)
    text = f"{title}\n\n{body}" if title else body
    date = doc.date if doc.date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc.date) else None
    marked = bool(_DATE_MARKUP.search(html))
    canonical = doc.url if doc.url and doc.url.startswith(("http://", "https://")) else url
    stated = date if marked else labelled_date(visible_text(html), day_first=day_first(html, canonical))
    return Extracted(title, stated, canonical, text, doc.sitename or None, None if stated else date)


def day_first(html: str, url: str | None) -> bool:
    """Whether 04/09/2023 on this page is 4 September: a British, Irish or Australasian page."""
    lang = re.search(r"<html\b[^>]*\blang=[\"']?([\w-]+)", html[:5000], re.IGNORECASE)
    if lang and lang.group(1).lower() in ("en-gb", "en-ie", "en-au", "en-nz", "cy", "cy-gb"):
        return True
    host = (re.match(r"https?://([^/:]+)", url or "") or [None, ""])[1]
    return host.endswith((".uk", ".ie", ".au", ".nz"))


def visible_text(html: str) -> str:
    """The page's text without scripts and styles (for dates the article text leaves out)."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return ""
    for node in root.xpath("//script|//style|//noscript|//template"):
        node.drop_tree()
    return " ".join(root.text_content().split())


_NUMERIC = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def labelled_date(text: str, *, day_first: bool = False) -> str | None:
    """The first date right after a release's own date label (see ``_LABELLED``); ``day_first``
    reads 04/09/2023 as 4 September."""
    import datetime as dt

    from .dates import find_dates, plausible

    for m in _LABELLED.finditer(text):
        near = text[m.end(): m.end() + 60]
        numeric = _NUMERIC.match(near)
        if numeric and day_first:
            day, month, year = (int(g) for g in numeric.groups())
            try:
                d = dt.date(year, month, day)
            except ValueError:
                continue
            if plausible(d):
                return d.isoformat()
            continue
        hits = find_dates(near)
        if hits and hits[0][0] <= 15:  # "Posted on Thursday, 21 March 2024": a weekday may come first
            return hits[0][2].isoformat()
    return None


def headline(title: str, html: str) -> str:
    """``title`` without a site name joined to it ("Headline | Anyshire Police"), when one side of
    the separator is the page's ``<h1>``."""
    if not _SEPARATOR.search(title):
        return title
    for m in re.finditer(r"<h1\b[^>]*>(.*?)</h1>", html, re.IGNORECASE | re.DOTALL):
        h1 = " ".join(unescape(re.sub(r"<[^>]+>", " ", m.group(1))).split())
        if h1 and h1 != title and any(part == h1 for part in _SEPARATOR.split(title)):
            return h1
        if h1 and title.startswith(h1) and _SEPARATOR.match(title[len(h1):]):
            return h1
    return title
