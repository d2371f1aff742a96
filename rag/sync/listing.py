"""What a feed or sitemap lists: page URLs with their dates (RSS/Atom by feedparser; sitemaps and
sitemap indexes read as XML, with ``lastmod``)."""
from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin

_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class ListingError(Exception):
    """Not a feed or sitemap; ``str(exc)`` says what it looked like."""


@dataclass(frozen=True)
class Entry:
    url: str
    lastmod: str | None = None  # ISO date-time or date as the listing gave it (feeds: normalised to UTC)
    title: str | None = None


@dataclass(frozen=True)
class Listing:
    kind: str                              # "rss", "atom", "sitemap" or "sitemap index"
    entries: tuple[Entry, ...] = ()        # release pages
    children: tuple[Entry, ...] = field(default=())  # sitemaps listed by a sitemap index


def read_listing(body: bytes, url: str) -> Listing:
    """The pages (or, for a sitemap index, the sitemaps) that ``body``, fetched from ``url``, lists."""
    head = body[:2048].lstrip().lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        return _sitemap(body, url)
    return _feed(body, url)


def _sitemap(body: bytes, url: str) -> Listing:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ListingError(f"broken sitemap XML: {exc}") from None
    tag = etree.QName(root).localname
    items = []
    for node in root:
        if not isinstance(node.tag, str) or etree.QName(node).localname not in ("url", "sitemap"):
            continue
        loc = _child(node, "loc")
        if loc:
            items.append(Entry(_absolute(loc, url), _child(node, "lastmod")))
    if tag == "sitemapindex":
        return Listing("sitemap index", children=tuple(_unique(items)))
    if tag == "urlset":
        return Listing("sitemap", entries=tuple(_unique(items)))
    raise ListingError(f"XML with root <{tag}>, not a sitemap")


def _child(node, name: str) -> str | None:
    for child in node:
        if isinstance(child.tag, str) and child.tag in (name, _SITEMAP_NS + name) and child.text:
            return child.text.strip() or None
    return None


def _feed(body: bytes, url: str) -> Listing:
    import feedparser

    parsed = feedparser.parse(body, response_headers={"content-location": url})
    version = parsed.get("version") or ""
    if not version:
        problem = parsed.get("bozo_exception")
        raise ListingError("not an RSS/Atom feed or a sitemap" + (f" ({problem})" if problem else ""))
    entries = []
    for item in parsed.entries:
        link = item.get("link") or next((ln.get("href") for ln in item.get("links", []) if ln.get("href")), None)
        if not link:
            continue
        with warnings.catch_warnings():  # feedparser warns when it maps a missing updated to published
            warnings.simplefilter("ignore", DeprecationWarning)
            stamp = item.get("updated_parsed") or item.get("published_parsed")
        lastmod = time.strftime("%Y-%m-%dT%H:%M:%SZ", stamp) if stamp else None
        entries.append(Entry(_absolute(link, url), lastmod, item.get("title")))
    return Listing("atom" if version.startswith("atom") else "rss", entries=tuple(_unique(entries)))


def _absolute(link: str, base: str) -> str:
    return urldefrag(urljoin(base, link.strip()))[0]


def _unique(entries: list[Entry]) -> list[Entry]:
    seen: set[str] = set()
    out = []
    for e in entries:
        if e.url.startswith(("http://", "https://")) and e.url not in seen:
            seen.add(e.url)
            out.append(e)
    return out
