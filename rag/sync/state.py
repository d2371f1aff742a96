"""What ``rag sync`` remembers between runs, in ``INDEX_DIR/sync.sqlite``: the feeds and sitemaps
(with their HTTP validators) and every page fetched (validators, content hash, the text read from
it, the last failure). A page once read stays, whatever later fetches do, so nothing indexed is lost.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..errors import IndexUnavailable
from ..ingest.html import Extracted

FILE = "sync.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS listings(
  url TEXT PRIMARY KEY, parent TEXT, source TEXT NOT NULL, added_at TEXT NOT NULL, kind TEXT,
  etag TEXT, last_modified TEXT, lastmod TEXT, synced_at TEXT, error TEXT);
CREATE TABLE IF NOT EXISTS pages(
  url TEXT PRIMARY KEY, listing TEXT NOT NULL, source TEXT NOT NULL, lastmod TEXT, etag TEXT, last_modified TEXT,
  sha256 TEXT, indexed_sha256 TEXT, fetched_at TEXT, error TEXT, failures INTEGER NOT NULL DEFAULT 0,
  title TEXT, date TEXT, canonical TEXT, text TEXT, sitename TEXT);
"""


@dataclass(frozen=True)
class Page:
    url: str
    listing: str
    source: str
    lastmod: str | None
    etag: str | None
    last_modified: str | None
    sha256: str | None
    indexed_sha256: str | None
    error: str | None
    extracted: Extracted | None

    @property
    def read(self) -> bool:
        return self.extracted is not None


class SyncState:
    def __init__(self, index_dir: str | Path):
        Path(index_dir).mkdir(parents=True, exist_ok=True)
        path = Path(index_dir) / FILE
        try:
            self.db = sqlite3.connect(path, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise IndexUnavailable(f"sync state {path} is damaged ({exc}): delete it and run `rag sync URL...` "
                                   "again (the indexed releases stay)") from None

    def close(self) -> None:
        self.db.close()

    # ---- listings ------------------------------------------------------------------------------
    def add_listing(self, url: str, source: str, when: str, parent: str | None = None) -> None:
        self.db.execute("INSERT OR IGNORE INTO listings(url, parent, source, added_at) VALUES (?,?,?,?)",
                        (url, parent, source, when))
        self.db.commit()

    def top_listings(self) -> list[tuple[str, str]]:
        """``(url, source)`` of every feed or sitemap given to ``rag sync`` (not those an index listed)."""
        return [tuple(r) for r in self.db.execute(
            "SELECT url, source FROM listings WHERE parent IS NULL ORDER BY added_at, url")]

    def listings(self) -> list[tuple[str, str | None, str, str | None, str | None, str | None]]:
        """``(url, kind, source, synced_at, error, parent)`` of every listing."""
        return [tuple(r) for r in self.db.execute(
            "SELECT url, kind, source, synced_at, error, parent FROM listings ORDER BY url")]

    def validators(self, url: str) -> tuple[str | None, str | None, str | None]:
        row = self.db.execute("SELECT etag, last_modified, lastmod FROM listings WHERE url=?", (url,)).fetchone()
        return tuple(row) if row else (None, None, None)

    def listing_done(self, url: str, when: str, *, kind: str | None = None, etag: str | None = None,
                     last_modified: str | None = None, lastmod: str | None = None, error: str | None = None) -> None:
        if error is not None:
            self.db.execute("UPDATE listings SET error=? WHERE url=?", (error, url))
        else:
            self.db.execute("UPDATE listings SET kind=COALESCE(?, kind), etag=?, last_modified=?, "
                            "lastmod=COALESCE(?, lastmod), synced_at=?, error=NULL WHERE url=?",
                            (kind, etag, last_modified, lastmod, when, url))
        self.db.commit()

    def summary(self) -> dict[str, dict]:
        """Per feed given to ``rag sync``: pages read, pages failing now, last sync, last error."""
        parent = {url: par for url, _k, _s, _w, _e, par in self.listings()}

        def top(url: str) -> str:
            for _ in range(8):  # a sitemap index's sitemaps name it as parent
                if not parent.get(url):
                    return url
                url = parent[url]
            return url

        out = {url: {"pages": 0, "failing": 0, "synced_at": when, "error": error}
               for url, _kind, _source, when, error, par in self.listings() if not par}
        for page in self.pages():
            entry = out.get(top(page.listing))
            if entry is not None:
                entry["pages"] += page.read
                entry["failing"] += bool(page.error)
        return out

    def failed_children(self, url: str) -> list[str]:
        """The sitemaps of the index ``url`` whose last fetch failed."""
        return [u for (u,) in self.db.execute("SELECT url FROM listings WHERE parent=? AND error IS NOT NULL", (url,))]

    def listing_error(self, url: str) -> str | None:
        row = self.db.execute("SELECT error FROM listings WHERE url=?", (url,)).fetchone()
        return row[0] if row else None

    def set_lastmod(self, url: str, lastmod: str) -> None:
        """The ``lastmod`` a sitemap index gave this sitemap, once its pages were read (committed with
        the index's own record)."""
        self.db.execute("UPDATE listings SET lastmod=? WHERE url=?", (lastmod, url))

    # ---- pages ---------------------------------------------------------------------------------
    def page(self, url: str) -> Page | None:
        row = self.db.execute(f"SELECT {_PAGE_COLS} FROM pages WHERE url=?", (url,)).fetchone()
        return _page(row) if row else None

    def pages(self) -> list[Page]:
        return [_page(r) for r in self.db.execute(f"SELECT {_PAGE_COLS} FROM pages ORDER BY url")]

    def failed(self) -> list[Page]:
        return [p for p in self.pages() if p.error]

    def page_listed(self, url: str, listing: str, source: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO pages(url, listing, source) VALUES (?,?,?)", (url, listing, source))

    def page_read(self, url: str, when: str, sha256: str, extracted: Extracted, *, lastmod: str | None,
                  etag: str | None, last_modified: str | None) -> None:
        self.db.execute("UPDATE pages SET sha256=?, fetched_at=?, error=NULL, failures=0, lastmod=?, etag=?, "
                        "last_modified=?, title=?, date=?, canonical=?, text=?, sitename=? WHERE url=?",
                        (sha256, when, lastmod, etag, last_modified, extracted.title, extracted.date,
                         extracted.url, extracted.text, extracted.sitename, url))
        self.db.commit()

    def page_checked(self, url: str, when: str, lastmod: str | None) -> None:
        """Fetched and found unchanged (304, or the same bytes)."""
        self.db.execute("UPDATE pages SET fetched_at=?, error=NULL, failures=0, lastmod=COALESCE(?, lastmod) "
                        "WHERE url=?", (when, lastmod, url))
        self.db.commit()

    def page_failed(self, url: str, reason: str) -> None:
        self.db.execute("UPDATE pages SET error=?, failures=failures+1 WHERE url=?", (reason, url))
        self.db.commit()

    def mark_indexed(self) -> None:
        self.db.execute("UPDATE pages SET indexed_sha256=sha256 WHERE sha256 IS NOT NULL")
        self.db.commit()


_PAGE_COLS = ("url, listing, source, lastmod, etag, last_modified, sha256, indexed_sha256, error, "
              "title, date, canonical, text, sitename")


def _page(row) -> Page:
    url, listing, source, lastmod, etag, last_modified, sha, indexed, error, title, date, canonical, text, site = row
    extracted = Extracted(title or "", date, canonical, text, site) if text is not None else None
    return Page(url, listing, source, lastmod, etag, last_modified, sha, indexed, error, extracted)
