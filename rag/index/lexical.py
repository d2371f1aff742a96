"""BM25 lexical index over three fields: chunk text, release titles and whole releases (one doc
per release: its chunks' tokens, the chunk overlaps counted twice).

Scores are classic Lucene BM25, ``idf * tf*(k1+1) / (tf + k1*(1-b+b*dl/avgdl))`` with
``idf = ln(1 + (N-df+0.5)/(df+0.5))``; a query term counts once per occurrence in the
query. bm25s ("lucene" method) builds the per-term score matrix; its "lucene" term
factor omits the constant ``k1+1`` (as Lucene >= 8 does), which is multiplied back here.

Tokens come from ``rag.text.tokenize.bm25_tokens`` (Snowball stems, the BM25 stop words).
Tokenizing is the expensive part, so each chunk's and title's tokens are kept in the
generation's ``meta.sqlite`` (tables ``chunk_tokens``, ``title_tokens``), which is copied
forward between generations: an update tokenizes only new chunks, then
``build_from_db`` rebuilds BM25 from the stored tokens in seconds.
"""
from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path
from typing import Collection, Iterable

import numpy as np

from ..errors import IndexUnavailable
from ..text.tokenize import BM25_TOKENIZER, bm25_tokens as tokenize

TOKENIZER = BM25_TOKENIZER  # stored tokens of another tokenizer version are discarded
FORMAT = 2  # 2: the whole-release field
FOLDER = "bm25"


class _Field:
    """One BM25 field: doc keys (sorted), vocabulary and the term-major (CSC) score matrix."""

    def __init__(self, keys: np.ndarray, vocab: dict[str, int], data, indices, indptr, scale: float):
        self.keys, self.vocab, self.scale = keys, vocab, scale
        self.data, self.indices, self.indptr = data, indices, indptr

    @classmethod
    def build(cls, docs: dict, key_dtype, k1: float, b: float) -> "_Field":
        keys = sorted(docs)
        corpus = [list(docs[k]) for k in keys]
        if not any(corpus):
            empty = np.zeros(0, dtype=np.float64)
            return cls(np.array(keys, dtype=key_dtype), {}, empty, empty.astype(np.int32), np.zeros(1, np.int64), k1 + 1)
        import bm25s

        model = bm25s.BM25(k1=k1, b=b, method="lucene", dtype="float64")
        model.index(corpus, create_empty_token=False, show_progress=False)
        s = model.scores
        return cls(np.array(keys, dtype=key_dtype), model.vocab_dict, s["data"], s["indices"], s["indptr"], k1 + 1)

    def __len__(self) -> int:
        return len(self.keys)

    def search(self, query: str, k: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
        """(doc position, score) best first, ties by position (= key order)."""
        cols = [self.vocab[t] for t in tokenize(query) if t in self.vocab]
        if k <= 0 or not cols or len(self.keys) == 0:
            return []
        starts, ends = self.indptr[cols], self.indptr[np.asarray(cols) + 1]
        docs = np.concatenate([self.indices[s:e] for s, e in zip(starts, ends)])
        weights = np.concatenate([self.data[s:e] for s, e in zip(starts, ends)])
        scores = np.bincount(docs, weights=weights, minlength=len(self.keys))
        cand = np.flatnonzero(scores > 0) if allowed is None else allowed[scores[allowed] > 0]
        if len(cand) > k:
            kth = np.partition(scores[cand], len(cand) - k)[len(cand) - k]
            cand = cand[scores[cand] >= kth]  # keeps every tie at the cut, then sorted below
        order = np.lexsort((cand, -scores[cand]))[:k]
        return [(int(cand[i]), float(scores[cand[i]] * self.scale)) for i in order]

    def positions(self, allowed: Collection) -> np.ndarray:
        """Positions of the allowed keys that are in this field."""
        items = allowed if isinstance(allowed, np.ndarray) else list(allowed)
        want = np.unique(np.asarray(items, dtype=np.int64 if self.keys.dtype.kind in "iu" else str))
        pos = np.searchsorted(self.keys, want)
        ok = pos < len(self.keys)
        ok[ok] = self.keys[pos[ok]] == want[ok]
        return pos[ok]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(folder / "matrix.npz", data=self.data, indices=self.indices, indptr=self.indptr, keys=self.keys)
        vocab = sorted(self.vocab, key=self.vocab.__getitem__)
        (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, scale: float) -> "_Field":
        with np.load(folder / "matrix.npz", allow_pickle=False) as z:
            data, indices, indptr, keys = z["data"], z["indices"], z["indptr"], z["keys"]
        vocab = {t: i for i, t in enumerate(json.loads((folder / "vocab.json").read_text(encoding="utf-8")))}
        if (len(indptr) != len(vocab) + 1 or indptr[-1] != len(data) or len(data) != len(indices)
                or (len(indices) and not 0 <= indices.min() <= indices.max() < len(keys))):
            raise ValueError(f"inconsistent BM25 matrix in {folder}")
        return cls(keys, vocab, data, indices, indptr, scale)


class LexicalIndex:
    """BM25 (bm25s, Lucene variant, k1=1.2, b=0.75 default) over chunk text, release titles and
    whole releases."""

    def __init__(self, chunks: _Field, titles: _Field, releases: _Field, k1: float, b: float):
        self.chunks, self.titles, self.releases, self.k1, self.b = chunks, titles, releases, k1, b

    @classmethod
    def build(cls, chunk_tokens: dict[int, list[str]], title_tokens: dict[str, list[str]],
              release_tokens: dict[str, list[str]] | None = None, *, k1: float = 1.2, b: float = 0.75) -> "LexicalIndex":
        return cls(_Field.build({int(c): t for c, t in chunk_tokens.items()}, np.int64, k1, b),
                   _Field.build(dict(title_tokens), str, k1, b), _Field.build(dict(release_tokens or {}), str, k1, b),
                   k1, b)

    def __len__(self) -> int:
        return len(self.chunks)

    def search_chunks(self, query: str, k: int, allowed: Collection[int] | None = None) -> list[tuple[int, float]]:
        """(chunk_id, score) best first; only scores > 0; ties by chunk id ascending."""
        pos = None if allowed is None else self.chunks.positions(allowed)
        return [(int(self.chunks.keys[i]), s) for i, s in self.chunks.search(query, k, pos)]

    def search_titles(self, query: str, k: int, allowed: Collection[str] | None = None) -> list[tuple[str, float]]:
        """(release_id, score) best first; only scores > 0; ties by release id ascending."""
        pos = None if allowed is None else self.titles.positions(allowed)
        return [(str(self.titles.keys[i]), s) for i, s in self.titles.search(query, k, pos)]

    def search_releases(self, query: str, k: int, allowed: Collection[str] | None = None) -> list[tuple[str, float]]:
        """(release_id, score) over whole releases, best first; only scores > 0; ties by release id."""
        pos = None if allowed is None else self.releases.positions(allowed)
        return [(str(self.releases.keys[i]), s) for i, s in self.releases.search(query, k, pos)]

    def release_idf(self, token: str) -> float:
        """BM25's IDF of an index token over whole releases (a token no release holds: as if one did)."""
        field = self.releases
        col = field.vocab.get(token)
        df = max(1, int(field.indptr[col + 1] - field.indptr[col])) if col is not None else 1
        n = len(field.keys)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def releases_with(self, groups: Iterable[Iterable[str]]) -> set[str] | None:
        """Ids of the releases whose text holds, for every group, one of its tokens (index
        tokens: see ``rag.text.tokenize.bm25_tokens``); None when no groups are given."""
        field = self.releases
        docs: set[int] | None = None
        for group in groups:
            here: set[int] = set()
            for tok in dict.fromkeys(group):
                col = field.vocab.get(tok)
                if col is not None:
                    here.update(field.indices[field.indptr[col]:field.indptr[col + 1]].tolist())
            docs = here if docs is None else docs & here
        return None if docs is None else {str(field.keys[i]) for i in docs}

    def save(self, folder: Path) -> None:
        """Write into ``folder/bm25/`` (the generation folder is published atomically later)."""
        out = Path(folder) / FOLDER
        self.chunks.save(out / "chunks")
        self.titles.save(out / "titles")
        self.releases.save(out / "releases")
        info = {"format": FORMAT, "tokenizer": TOKENIZER, "method": "lucene", "k1": self.k1, "b": self.b,
                "chunks": len(self.chunks), "titles": len(self.titles), "releases": len(self.releases)}
        (out / "lexical.json").write_text(json.dumps(info, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        out = Path(folder) / FOLDER
        if not (out / "lexical.json").is_file():
            raise IndexUnavailable(f"no BM25 index at {out}: rebuild the index with `rag index`")
        try:
            info = json.loads((out / "lexical.json").read_text(encoding="utf-8"))
            if info.get("format") != FORMAT or info.get("tokenizer") != TOKENIZER:
                raise IndexUnavailable(f"BM25 index at {out} has format {info.get('format')}/{info.get('tokenizer')},"
                                  f" this version reads {FORMAT}/{TOKENIZER}: rebuild the index with `rag index`")
            k1, b = float(info["k1"]), float(info["b"])
            chunks, titles = _Field.load(out / "chunks", k1 + 1), _Field.load(out / "titles", k1 + 1)
            releases = _Field.load(out / "releases", k1 + 1)
            if (len(chunks), len(titles), len(releases)) != (info["chunks"], info["titles"], info["releases"]):
                raise ValueError("document counts differ from lexical.json")
        except IndexUnavailable:
            raise
        except Exception as e:  # any unreadable or inconsistent file
            raise IndexUnavailable(f"BM25 index at {out} is corrupt ({type(e).__name__}: {e}): rebuild it with `rag index`") from e
        return cls(chunks, titles, releases, k1, b)


# ---- persistent tokens in meta.sqlite -----------------------------------

def ensure_tables(db: sqlite3.Connection) -> None:
    """Create the token tables; drop stored tokens made by another tokenizer version."""
    for sql in ("chunk_tokens(chunk_id INTEGER PRIMARY KEY, tokens TEXT NOT NULL)",
                "title_tokens(release_id TEXT PRIMARY KEY, tokens TEXT NOT NULL)",
                "meta(key TEXT PRIMARY KEY, value TEXT)"):  # meta: as in rag.index.store
        db.execute(f"CREATE TABLE IF NOT EXISTS {sql}")
    row = db.execute("SELECT value FROM meta WHERE key='lexical_tokenizer'").fetchone()
    if row is None or row[0] != TOKENIZER:
        if row is not None or db.execute("SELECT 1 FROM chunk_tokens UNION ALL SELECT 1 FROM title_tokens LIMIT 1").fetchone():
            db.execute("DELETE FROM chunk_tokens")
            db.execute("DELETE FROM title_tokens")
        db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('lexical_tokenizer', ?)", (TOKENIZER,))


def store_tokens(db: sqlite3.Connection, chunk_texts: dict[int, str], titles: dict[str, str]) -> None:
    """Tokenize and insert (or replace) chunk texts and release titles."""
    store_token_lists(db, {c: tokenize(t) for c, t in chunk_texts.items()}, {r: tokenize(t) for r, t in titles.items()})


def store_token_lists(db: sqlite3.Connection, chunks: dict[int, list[str]], titles: dict[str, list[str]]) -> None:
    """Insert (or replace) chunks' and release titles' tokens, already made by :func:`tokenize`."""
    ensure_tables(db)
    db.executemany("INSERT OR REPLACE INTO chunk_tokens(chunk_id, tokens) VALUES (?,?)",
                   ((int(c), " ".join(t)) for c, t in chunks.items()))
    db.executemany("INSERT OR REPLACE INTO title_tokens(release_id, tokens) VALUES (?,?)",
                   ((r, " ".join(t)) for r, t in titles.items()))


def delete_tokens(db: sqlite3.Connection, chunk_ids: Iterable[int], release_ids: Iterable[str]) -> None:
    ensure_tables(db)
    db.executemany("DELETE FROM chunk_tokens WHERE chunk_id=?", ((int(c),) for c in chunk_ids))
    db.executemany("DELETE FROM title_tokens WHERE release_id=?", ((r,) for r in release_ids))


def build_from_db(db: sqlite3.Connection, *, k1: float = 1.2, b: float = 0.75) -> LexicalIndex:
    """Build BM25 from all stored tokens (no tokenizing); a release's document is its chunks'
    tokens in order."""
    ensure_tables(db)
    chunks = {c: t.split() for c, t in db.execute("SELECT chunk_id, tokens FROM chunk_tokens")}
    titles = {r: t.split() for r, t in db.execute("SELECT release_id, tokens FROM title_tokens")}
    releases: dict[str, list[str]] = {}
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'chunks'").fetchone():  # a bare token store has none
        for rid, cid in db.execute("SELECT release_id, id FROM chunks ORDER BY release_id, seq"):
            releases.setdefault(rid, []).extend(chunks.get(cid, ()))
    return LexicalIndex.build(chunks, titles, releases, k1=k1, b=b)


def backfill(db: sqlite3.Connection, *, batch: int = 2000) -> int:
    """Bring the token tables in line with ``releases``/``chunks`` (rag.index.store schema).

    Tokenizes every chunk without a token row (an index built before BM25, chunks added
    since, or all of them after a tokenizer change), re-tokenizes titles (cheap) and writes
    those that are new or changed, and deletes rows whose chunk or release is gone. So one
    call after the store is updated is enough. Does not commit. Returns the number of
    chunks and titles (re)tokenized and written.
    """
    ensure_tables(db)
    db.execute("DELETE FROM chunk_tokens WHERE chunk_id NOT IN (SELECT id FROM chunks)")
    db.execute("DELETE FROM title_tokens WHERE release_id NOT IN (SELECT id FROM releases)")
    stored = dict(db.execute("SELECT release_id, tokens FROM title_tokens"))
    fresh = {rid: " ".join(tokenize(title)) for rid, title in db.execute("SELECT id, title FROM releases")}
    titles = [(rid, tokens) for rid, tokens in fresh.items() if stored.get(rid) != tokens]
    db.executemany("INSERT OR REPLACE INTO title_tokens(release_id, tokens) VALUES (?,?)", titles)
    missing = db.execute(
        'SELECT release_id, id, start, "end" FROM chunks'
        " WHERE id NOT IN (SELECT chunk_id FROM chunk_tokens) ORDER BY release_id, id").fetchall()
    done, pending, body = len(titles), {}, (None, "")
    for rid, cid, start, end in missing:
        if body[0] != rid:
            body = (rid, db.execute("SELECT body FROM releases WHERE id=?", (rid,)).fetchone()[0])
        pending[cid] = body[1][start:end]
        if len(pending) >= batch:
            store_tokens(db, pending, {})
            done, pending = done + len(pending), {}
    store_tokens(db, pending, {})
    return done + len(pending)
