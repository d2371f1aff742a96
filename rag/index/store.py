"""SQLite metadata store: releases, chunk offsets, and the last run's skip report.

Chunk text is not stored: it is ``release.body[start:end]``, so the quote a user
opens is always the exact span of the release.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Iterable, Sequence

from ..errors import IndexUnavailable
from ..models import Chunk, Release, Skipped
from .vectors import ChunkIds

SCHEMA = """
CREATE TABLE IF NOT EXISTS releases(
  id TEXT PRIMARY KEY, title TEXT NOT NULL, date TEXT, url TEXT, source TEXT NOT NULL,
  path TEXT NOT NULL, body TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks(
  id INTEGER PRIMARY KEY, release_id TEXT NOT NULL, seq INTEGER NOT NULL,
  start INTEGER NOT NULL, "end" INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_release ON chunks(release_id);
CREATE INDEX IF NOT EXISTS releases_date ON releases(date);
CREATE TABLE IF NOT EXISTS skipped(path TEXT NOT NULL, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS names(release_id TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS names_value ON names(kind, value);
CREATE INDEX IF NOT EXISTS names_release ON names(release_id);
CREATE TABLE IF NOT EXISTS origins(location TEXT PRIMARY KEY, kind TEXT NOT NULL, updated_at TEXT NOT NULL);
"""
NAMES_VERSION = "1"  # rag.text.people's patterns; a store whose meta 'names' differs is re-read

_RELEASE_COLS = "id, title, date, url, source, body, path"


class _Rows(list):
    """Rows already read out of their cursor: iterate them, or ``fetchone()`` / ``fetchall()``."""

    def fetchone(self):
        return self[0] if self else None

    def fetchall(self) -> list:
        return list(self)


class SerialConnection:
    """The store's one sqlite3 connection, safe to share between threads.

    A loaded index serves many threads at once (the chat UI). Every call holds one re-entrant lock and
    reads its rows out before releasing it, so no cursor is ever live in two threads.
    """

    def __init__(self, db: sqlite3.Connection):
        self._db = db
        self.lock = threading.RLock()

    def execute(self, sql: str, params=()) -> _Rows:
        with self.lock:
            return _Rows(self._db.execute(sql, params).fetchall())

    def executemany(self, sql: str, rows) -> None:
        with self.lock:
            self._db.executemany(sql, rows)

    def executescript(self, script: str) -> None:
        with self.lock:
            self._db.executescript(script)

    def commit(self) -> None:
        with self.lock:
            self._db.commit()

    def close(self) -> None:
        with self.lock:
            self._db.close()


class MetaStore:
    def __init__(self, path: Path, *, readonly: bool = False, check: bool = True):
        """``readonly`` opens run SQLite's quick_check unless ``check`` is off (the caller has
        already verified the file against its recorded checksum)."""
        self.path = Path(path)
        uri = f"file:{self.path}?mode=ro" if readonly else f"file:{self.path}"
        if readonly and not self.path.is_file():
            raise IndexUnavailable(f"index file {self.path} is missing; rebuild with `rag index --rebuild`")
        try:
            db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            if readonly and check:
                result = db.execute("PRAGMA quick_check").fetchone()[0]
                if result != "ok":
                    raise sqlite3.DatabaseError(result)
        except sqlite3.DatabaseError as exc:
            raise IndexUnavailable(f"index file {self.path} is damaged ({exc}); rebuild with `rag index --rebuild`"
                                   ) from None
        self.db = SerialConnection(db)
        self._lock = self.db.lock  # held around every read that runs more than one statement
        self._releases: dict[str, Release] = {}
        self._source_counts: dict[str, int] | None = None
        self._titles: dict[str, tuple[str, ...]] = {}
        self.readonly = readonly
        self._max_id = -1
        if not readonly:
            self.db.executescript(SCHEMA)
            # chunk ids are FAISS ids: never reuse one, even after its release was removed
            row = self.db.execute(
                "SELECT MAX(COALESCE((SELECT MAX(id) FROM chunks), -1),"
                " COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key='max_chunk_id'), -1))"
            ).fetchone()
            self._max_id = row[0]

    def close(self) -> None:
        self.db.close()

    # ---- writing -------------------------------------------------------
    def release_hashes(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT id, hash FROM releases"))

    def release_paths(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT id, path FROM releases"))

    def record_origin(self, location: str, kind: str, when: str) -> None:
        """Remember a corpus root (``kind`` "folder"/"file") or a synced feed ("feed") and when it was
        last brought in (``rag sources`` lists them)."""
        self.db.execute("INSERT OR REPLACE INTO origins(location, kind, updated_at) VALUES (?,?,?)",
                        (location, kind, when))

    def forget_origins(self, keep) -> None:
        """Drop the recorded origins for which ``keep(location)`` is false (after ``--replace``)."""
        for (location,) in self.db.execute("SELECT location FROM origins").fetchall():
            if not keep(location):
                self.db.execute("DELETE FROM origins WHERE location=?", (location,))

    def delete_releases(self, ids: Iterable[str]) -> list[int]:
        """Remove releases and their chunks; return the removed chunk ids."""
        removed: list[int] = []
        for rid in ids:
            removed += [r[0] for r in self.db.execute("SELECT id FROM chunks WHERE release_id=?", (rid,))]
            self.db.execute("DELETE FROM chunks WHERE release_id=?", (rid,))
            self.db.execute("DELETE FROM releases WHERE id=?", (rid,))
            self.db.execute("DELETE FROM names WHERE release_id=?", (rid,))
        return removed

    def add_release(self, release: Release, chunks: Sequence[Chunk]) -> list[int]:
        """Insert a release and its chunks; return the new chunk ids (never reused)."""
        self.db.execute(
            "INSERT INTO releases(id, title, date, url, source, path, body, hash) VALUES (?,?,?,?,?,?,?,?)",
            (release.id, release.title, release.date, release.url, release.source,
             release.path, release.body, release.content_hash),
        )
        ids = list(range(self._max_id + 1, self._max_id + 1 + len(chunks)))
        self.db.executemany(
            'INSERT INTO chunks(id, release_id, seq, start, "end") VALUES (?,?,?,?,?)',
            [(cid, c.release_id, c.seq, c.start, c.end) for cid, c in zip(ids, chunks)],
        )
        self._max_id += len(chunks)
        return ids

    def add_names(self, release_id: str, people: Iterable[str], case_numbers: Iterable[str]) -> None:
        """Record the people and court case numbers a release names (see ``rag.text.people``)."""
        rows = [(release_id, "person", p) for p in people] + [(release_id, "case", c) for c in case_numbers]
        self.db.executemany("INSERT INTO names(release_id, kind, value) VALUES (?,?,?)", rows)

    def fill_names(self, read) -> int:
        """Give every release its ``names`` rows when the store has none of this version yet (an
        index from before them): ``read(body) -> (people, case_numbers)``. Returns how many
        releases were read (0 when already done). Does not commit."""
        if self.names_ready:
            return 0
        self.db.execute("DELETE FROM names")
        n = 0
        for rid, body in self.db.execute("SELECT id, body FROM releases"):
            self.add_names(rid, *read(body))
            n += 1
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('names', ?)", (NAMES_VERSION,))
        return n

    @property
    def names_ready(self) -> bool:
        """Whether every release's names are recorded (with this version of the patterns)."""
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key='names'").fetchone()
        except sqlite3.OperationalError:
            return False
        return bool(row) and row[0] == NAMES_VERSION

    def mark_names_ready(self) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('names', ?)", (NAMES_VERSION,))

    def set_skipped(self, skipped: Sequence[Skipped]) -> None:
        self.db.execute("DELETE FROM skipped")
        self.db.executemany("INSERT INTO skipped(path, reason) VALUES (?,?)", [(s.path, s.reason) for s in skipped])

    def commit(self) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('max_chunk_id', ?)", (str(self._max_id),))
        self.db.commit()

    # ---- reading -------------------------------------------------------
    def skipped(self) -> list[Skipped]:
        return [Skipped(p, r) for p, r in self.db.execute("SELECT path, reason FROM skipped ORDER BY path")]

    def origins(self) -> list[tuple[str, str, str]]:
        """``(location, kind, updated_at)`` of every root and feed brought in (none for an index
        built before they were recorded)."""
        try:
            return [tuple(r) for r in self.db.execute(
                "SELECT location, kind, updated_at FROM origins ORDER BY location").fetchall()]
        except sqlite3.OperationalError:
            return []

    def count(self, table: str) -> int:
        assert table in ("releases", "chunks", "skipped")
        return self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]

    def release(self, release_id: str) -> Release | None:
        with self._lock:
            if release_id not in self._releases:
                row = self.db.execute(f"SELECT {_RELEASE_COLS} FROM releases WHERE id=?", (release_id,)).fetchone()
                if row is None:
                    return None
                self._releases[release_id] = Release(*row)
            return self._releases[release_id]

    def releases(self) -> list[Release]:
        return [Release(*row) for row in self.db.execute(f"SELECT {_RELEASE_COLS} FROM releases ORDER BY id")]

    def chunks(self, chunk_ids: Sequence[int]) -> dict[int, tuple[Chunk, Release]]:
        """Chunk records (with text) and their releases, for the given ids."""
        out: dict[int, tuple[Chunk, Release]] = {}
        ids = [int(i) for i in chunk_ids]
        with self._lock:
            for i in range(0, len(ids), 500):
                part = ids[i:i + 500]
                marks = ",".join("?" * len(part))
                rows = self.db.execute(
                    f'SELECT id, release_id, seq, start, "end" FROM chunks WHERE id IN ({marks})', part
                ).fetchall()
                for cid, rid, seq, start, end in rows:
                    rel = self.release(rid)
                    out[cid] = (Chunk(rid, seq, start, end, rel.body[start:end]), rel)
        return out

    def chunk_ids_where(self, *, date_from: str | None = None, date_to: str | None = None,
                        sources: Sequence[str] = (), release_ids: Sequence[str] = ()) -> list[int] | None:
        """Ids of the chunks of releases dated within [date_from, date_to] (ISO days), of one of
        ``sources`` and one of ``release_ids`` (each condition only when given); None when
        nothing is given (all chunks). An undated release is outside any date range."""
        where, args = [], []
        if date_from:
            where.append("r.date >= ?")
            args.append(date_from)
        if date_to:
            where.append("r.date <= ?")
            args.append(date_to)
        if sources:
            where.append(f"r.source IN ({','.join('?' * len(sources))})")
            args += list(sources)
        if release_ids:
            where.append(f"r.id IN ({','.join('?' * len(release_ids))})")
            args += list(release_ids)
        if not where:
            return None
        sql = "SELECT c.id FROM chunks c JOIN releases r ON r.id = c.release_id WHERE " + " AND ".join(where)
        return ChunkIds((row[0] for row in self.db.execute(sql, args)),
                        {"date_from": date_from or None, "date_to": date_to or None, "sources": tuple(sources),
                         "release_ids": tuple(release_ids)})

    def releases_where(self, *, sources: Sequence[str] = (), date_from: str | None = None,
                       date_to: str | None = None, release_ids: Iterable[str] | None = None,
                       dated: bool | None = None) -> list[Release]:
        """Releases of one of ``sources``, dated within [date_from, date_to], among
        ``release_ids``, dated or undated (``dated``), each condition only when given; by date,
        then id (undated last). Read for one query, not kept in the release cache."""
        where, args = _where(sources, date_from, date_to, release_ids, dated)
        rows = self.db.execute(f"SELECT {_RELEASE_COLS} FROM releases{where} ORDER BY date IS NULL, date, id", args)
        return [Release(*row) for row in rows]

    def release_ids_where(self, *, sources: Sequence[str] = (), date_from: str | None = None,
                          date_to: str | None = None, dated: bool | None = None) -> set[str]:
        """The ids of ``releases_where``'s releases, their texts not read."""
        where, args = _where(sources, date_from, date_to, None, dated)
        return {row[0] for row in self.db.execute(f"SELECT id FROM releases{where}", args)}

    def ids_stating(self, value: str, kind: str, sources: Sequence[str] = ()) -> list[str]:
        """Ids of the releases (of one of ``sources``, if given) recorded as naming ``value`` (a
        ``kind`` "person" or "case" of table ``names``); an index from before that table is
        searched as text instead."""
        if not self.names_ready:
            return self.ids_containing(value, sources)
        sql = "SELECT DISTINCT n.release_id FROM names n JOIN releases r ON r.id = n.release_id " \
              "WHERE n.kind = ? AND n.value = ?"
        args = [kind, value]
        if sources:
            sql += f" AND r.source IN ({','.join('?' * len(sources))})"
            args += list(sources)
        return [row[0] for row in self.db.execute(sql, args)]

    def people(self) -> list[str]:
        """Every person the releases name as defendants are named (table ``names``), once each."""
        if not self.names_ready:
            return []
        return [r[0] for r in self.db.execute("SELECT DISTINCT value FROM names WHERE kind = 'person'")]

    def ids_containing(self, text: str, sources: Sequence[str] = ()) -> list[str]:
        """Ids of the releases (of one of ``sources``, if given) whose body holds ``text`` as is."""
        where, args = ["instr(body, ?) > 0"], [text]
        if sources:
            where.append(f"source IN ({','.join('?' * len(sources))})")
            args += list(sources)
        return [r[0] for r in self.db.execute("SELECT id FROM releases WHERE " + " AND ".join(where), args)]

    def holds_text(self, text: str) -> bool:
        """Whether any release's title or body holds ``text`` as is."""
        row = self.db.execute("SELECT 1 FROM releases WHERE instr(body, ?) > 0 OR instr(title, ?) > 0 LIMIT 1",
                              (text, text)).fetchone()
        return row is not None

    def source_counts(self, release_ids: Iterable[str] | None = None) -> dict[str, int]:
        """Releases per source, of all releases (read once for a read-only store: a generation
        never changes) or of ``release_ids``."""
        if release_ids is None:
            if self._source_counts is None or not self.readonly:
                self._source_counts = dict(self.db.execute("SELECT source, COUNT(*) FROM releases GROUP BY source"))
            return dict(self._source_counts)
        else:
            rows = self.db.execute("SELECT source, COUNT(*) FROM releases WHERE id IN (SELECT value FROM "
                                   "json_each(?)) GROUP BY source", (json.dumps(list(release_ids)),))
        return {source: n for source, n in rows}

    def titles(self, source: str) -> tuple[str, ...]:
        """The titles of ``source``'s releases (read once per source for a read-only store)."""
        if source not in self._titles or not self.readonly:
            self._titles[source] = tuple(t for (t,) in self.db.execute("SELECT title FROM releases WHERE source = ?",
                                                                        (source,)))
        return self._titles[source]

    def release_of_chunks(self, chunk_ids: Iterable[int]) -> dict[int, str]:
        """Chunk id -> release id, for the given chunk ids that exist."""
        ids = json.dumps([int(c) for c in chunk_ids])
        return dict(self.db.execute(
            "SELECT id, release_id FROM chunks WHERE id IN (SELECT value FROM json_each(?))", (ids,)))

    def first_chunk_id(self, release_id: str) -> int | None:
        row = self.db.execute("SELECT id FROM chunks WHERE release_id=? ORDER BY seq LIMIT 1", (release_id,)).fetchone()
        return row[0] if row else None

    def sources(self) -> list[str]:
        """The distinct non-empty release sources, sorted."""
        return [s for s in sorted(self.source_counts()) if s]

    def chunks_of(self, release_id: str) -> list[Chunk]:
        with self._lock:
            rel = self.release(release_id)
            if rel is None:
                return []
            rows = self.db.execute('SELECT seq, start, "end" FROM chunks WHERE release_id=? ORDER BY seq',
                                   (release_id,))
        return [Chunk(release_id, seq, s, e, rel.body[s:e]) for seq, s, e in rows]


def _where(sources, date_from, date_to, release_ids, dated) -> tuple[str, list]:
    """The WHERE clause (with its leading space; "" for none) and arguments of ``releases_where``."""
    where, args = [], []
    if sources:
        where.append(f"source IN ({','.join('?' * len(sources))})")
        args += list(sources)
    if date_from:
        where.append("date >= ?")
        args.append(date_from)
    if date_to:
        where.append("date <= ?")
        args.append(date_to + "~")  # a timestamped date on the last day is still inside
    if release_ids is not None:
        where.append("id IN (SELECT value FROM json_each(?))")
        args.append(json.dumps(list(release_ids)))
    if dated is not None:
        where.append("date IS NOT NULL AND date != ''" if dated else "(date IS NULL OR date = '')")
    return (" WHERE " + " AND ".join(where) if where else ""), args
