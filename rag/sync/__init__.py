"""``rag sync``: keep an index current from newsroom feeds (RSS/Atom) and sitemaps.

Each run fetches the listings (conditional GET), then only the pages that are new, changed by the
listing's own dates, or failed last time; reads them with :mod:`rag.ingest.html`; and, when any
page's text changed, updates the index incrementally (a synced page's URL is its release id).
Every failure is reported with its reason and retried next run; a page once read stays indexed
whatever later fetches say (feeds list only their latest items). The feeds are remembered in
``INDEX_DIR/sync.sqlite``, so ``sync(index_dir, [])`` refreshes them all.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from ..config import SyncConfig
from ..errors import ConfigError
from ..ingest import SyncedPage, load_pages
from ..ingest.common import Skip
from ..ingest.html import extract_html
from .http import FetchError, Fetched, PoliteClient
from .listing import ListingError, read_listing
from .state import SyncState

__all__ = ["SyncReport", "sync", "default_source"]

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})
MAX_DEPTH = 3  # sitemap index -> sitemap index -> sitemap: deeper is a loop or a mistake


@dataclass
class SyncReport:
    listings: list[tuple[str, str]] = field(default_factory=list)  # (url, what happened)
    new: int = 0          # pages read for the first time
    changed: int = 0      # pages whose text changed
    unchanged: int = 0    # pages fetched (or 304) and found the same
    not_fetched: int = 0  # known pages the listing gave no reason to fetch again
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    requests: int = 0
    build: object = None  # the index update's BuildReport, when the index changed


def default_source(url: str) -> str:
    """A feed's source name when none is given: its host, without ``www.``."""
    host = urlsplit(url).hostname or "web"
    return host.removeprefix("www.")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def sync(index_dir: str | Path, urls: Sequence[str], build: Callable, *, config: SyncConfig = SyncConfig(),
         source: str | None = None, client: PoliteClient | None = None,
         say: Callable[[str], None] | None = None, max_release_chars: int = 400_000) -> SyncReport:
    """Sync ``urls`` (new ones are remembered) or, when empty, every feed remembered.

    ``build(ingested, origins)`` updates the index from the synced pages (see
    ``rag.pipeline.sync_index``); it is called only when a page's text changed or a page read
    earlier is not in the index yet. The caller holds the index's write lock.
    """
    bad = [u for u in urls if not u.startswith(("http://", "https://"))]
    if bad:
        raise ConfigError(f"not an http(s) URL: {bad[0]!r} (rag sync reads feeds and sitemaps on the web; "
                          "use `rag index FOLDER` for files)")
    state = SyncState(index_dir)
    try:
        for url in urls:
            state.add_listing(url, source or default_source(url), _now())
        todo = list(urls) or [u for u, _ in state.top_listings()]
        if not todo:
            raise ConfigError(f"no feeds or sitemaps to sync in {index_dir}: give their URLs (`rag sync URL...`)")
        report = SyncReport()
        run = _Run(state, client or PoliteClient(config), report, say or (lambda line: None))
        try:
            for url in todo:
                run.listing(url, source or dict(state.top_listings()).get(url) or default_source(url), None, 0)
            run.retry_failed(todo)
        finally:
            report.requests = run.client.requests
            if client is None:
                run.client.close()
        pages = [p for p in state.pages() if p.read]
        if any(p.sha256 != p.indexed_sha256 for p in pages):
            ingested = load_pages([SyncedPage(p.url, p.source, urlsplit(p.url).netloc, p.extracted)
                                   for p in pages], max_release_chars=max_release_chars)
            report.build = build(ingested, [(u, "feed") for u in todo])
            state.mark_indexed()
        return report
    finally:
        state.close()


@dataclass
class _Run:
    state: SyncState
    client: PoliteClient
    report: SyncReport
    say: Callable[[str], None]
    seen: set[str] = field(default_factory=set)

    def listing(self, url: str, source: str, parent: str | None, depth: int) -> None:
        if url in self.seen or depth > MAX_DEPTH:
            return
        self.seen.add(url)
        etag, last_modified, _ = self.state.validators(url)
        try:
            got = self.client.get(url, etag=etag, last_modified=last_modified)
            if got.not_modified:
                self.state.listing_done(url, _now(), etag=got.etag, last_modified=got.last_modified)
                self._note(url, "not modified since the last sync")
                for child in self.state.failed_children(url):  # an index's sitemaps that failed last time
                    self.listing(child, source, url, depth + 1)
                return
            listing = read_listing(got.body, got.url)
        except (FetchError, ListingError) as exc:
            self.state.listing_done(url, _now(), error=str(exc))
            self._fail(url, str(exc))
            return
        if listing.children:
            self._note(url, f"{listing.kind}: {len(listing.children)} sitemaps")
            for child in listing.children:
                self.state.add_listing(child.url, source, _now(), parent=url)
                known = self.state.validators(child.url)[2]
                if child.lastmod and known == child.lastmod:
                    continue  # the index says this sitemap has not changed
                self.listing(child.url, source, url, depth + 1)
                if child.lastmod and not self.state.listing_error(child.url):  # a failed one is read again next time
                    self.state.set_lastmod(child.url, child.lastmod)
        else:
            self._note(url, f"{listing.kind}: {len(listing.entries)} pages listed")
            for entry in listing.entries:
                self.state.page_listed(entry.url, url, source)
                page = self.state.page(entry.url)
                if page is not None and page.read and not page.error and (
                        not entry.lastmod or entry.lastmod == page.lastmod):
                    self.report.not_fetched += 1
                    continue
                self.page(entry.url, entry.lastmod)
        self.state.listing_done(url, _now(), kind=listing.kind, etag=got.etag, last_modified=got.last_modified)

    def retry_failed(self, todo: Sequence[str]) -> None:
        """Pages that failed last time and were not tried again above (their listing was unchanged)."""
        for page in self.state.failed():
            if page.url not in self.seen:
                self.page(page.url, page.lastmod)

    def page(self, url: str, lastmod: str | None) -> None:
        self.seen.add(url)
        page = self.state.page(url)
        try:
            got = self.client.get(url, etag=page.etag if page and page.read else None,
                                  last_modified=page.last_modified if page and page.read else None)
            if got.not_modified:
                self.state.page_checked(url, _now(), lastmod)
                self.report.unchanged += 1
                return
            sha = hashlib.sha256(got.body).hexdigest()
            if page is not None and page.read and page.sha256 == sha:
                self.state.page_checked(url, _now(), lastmod)
                self.report.unchanged += 1
                return
            if got.content_type not in HTML_TYPES:
                raise Skip(f"not an HTML page ({got.content_type})")
            extracted = extract_html(_decode(got), url=got.url)
        except (FetchError, Skip) as exc:
            self.state.page_failed(url, str(exc))
            self._fail(url, str(exc))
            return
        self.state.page_read(url, _now(), sha, extracted, lastmod=lastmod, etag=got.etag,
                             last_modified=got.last_modified)
        if page is not None and page.read:
            self.report.changed += 1
        else:
            self.report.new += 1

    def _note(self, url: str, what: str) -> None:
        self.report.listings.append((url, what))
        self.say(f"{url}: {what}")

    def _fail(self, url: str, reason: str) -> None:
        self.report.failed.append((url, reason))  # printed once, with the report


def _decode(got: Fetched) -> str:
    if got.charset:
        try:
            return got.body.decode(got.charset, "replace")
        except LookupError:
            pass
    try:
        return got.body.decode("utf-8")
    except UnicodeDecodeError:
        return got.body.decode("cp1252", "replace")
