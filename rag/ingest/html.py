"""Saved web pages (HTML): main text, title, date and canonical URL, read by trafilatura.

trafilatura (with htmldate for the publication date) finds the article in the page and leaves out
navigation, cookie banners, scripts and footers, and decodes entities. What it returns is handed
on as page text (title line, then one paragraph per line) so that the boilerplate learned over the
page's group (:mod:`rag.ingest.boilerplate`) still removes what repeats on every page of a site.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .common import Skip

# a document that declares itself HTML in its first bytes (after a BOM, blanks and comments)
_HTML_START = re.compile(r"\A\ufeff?\s*(?:<!--.*?-->\s*)*(?:<\?xml[^>]*>\s*)?(?:<!doctype\s+html|<html[\s>])",
                         re.IGNORECASE | re.DOTALL)
EXTRACTOR = "trafilatura"  # recorded with synced pages: what turned their HTML into text


@dataclass(frozen=True)
class Extracted:
    """What a page yielded: ``text`` has the title as its first line, then one paragraph per line."""

    title: str
    date: str | None
    url: str | None
    text: str
    sitename: str | None = None


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
    title = " ".join((doc.title or "").split())
    paragraphs = [" ".join(line.split()) for line in doc.text.split("\n")]
    body = "\n\n".join(p for p in paragraphs if p)
    text = f"{title}\n\n{body}" if title else body
    date = doc.date if doc.date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc.date) else None
    canonical = doc.url if doc.url and doc.url.startswith(("http://", "https://")) else url
    return Extracted(title, date, canonical, text, doc.sitename or None)
