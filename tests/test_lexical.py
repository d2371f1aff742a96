"""BM25 lexical index: tokenizer, scores against a hand-written reference, filters,
persistence, and token storage in meta.sqlite (incremental updates, backfill)."""
from __future__ import annotations

import math
import sqlite3
from collections import Counter

import pytest
from hypothesis import given, settings, strategies as st

from conftest import write_release
from rag.chunking import ChunkerSettings
from rag.embedding import HashEmbedder
from rag.errors import IndexUnavailable
from rag.index import build_index, generations
from rag.index import lexical
from rag.index.lexical import LexicalIndex, tokenize

# words the tokenizer keeps as they are (checked below), so a query string maps to these tokens
WORDS = ["cat", "dog", "fish", "lamp", "rock", "gold", "7", "42", "3.5"]


# ---- reference ---------------------------------------------------------------

def reference_bm25(docs: dict, query: list[str], k1=1.2, b=0.75) -> dict:
    """Lucene BM25, term by term: obviously correct, slow."""
    n = len(docs)
    total = sum(len(d) for d in docs.values())
    if not n or not total:
        return {}
    avgdl = total / n
    df = Counter(t for d in docs.values() for t in set(d))
    scores = {}
    for key, doc in docs.items():
        tf = Counter(doc)
        s = 0.0
        for q in query:  # a repeated query term counts once per occurrence
            if tf[q]:
                idf = math.log(1 + (n - df[q] + 0.5) / (df[q] + 0.5))
                s += idf * tf[q] * (k1 + 1) / (tf[q] + k1 * (1 - b + b * len(doc) / avgdl))
        scores[key] = s
    return scores


def assert_matches_reference(got, ref: dict, k: int, allowed=None):
    expected = sorted(((key, s) for key, s in ref.items() if s > 0 and (allowed is None or key in allowed)),
                      key=lambda x: (-x[1], x[0]))[:k]
    assert len(got) == len(expected), (got, expected)
    for (gk, gs), (ek, es) in zip(got, expected):
        # float64 throughout (bm25s dtype="float64"): a handful of terms summed in another
        # order differ by ~1e-15 relative; 1e-9 leaves room and still catches any formula change
        assert gs == pytest.approx(es, rel=1e-9, abs=1e-12)
        if gk != ek:  # only a tie in exact arithmetic may come out in another order
            assert ref[gk] == pytest.approx(es, rel=1e-9, abs=1e-12), (got, expected)
    scores = [s for _, s in got]
    assert scores == sorted(scores, reverse=True)


def test_test_words_are_their_own_tokens():
    for w in WORDS:
        assert tokenize(w) == [w]


docs_strategy = st.lists(st.sampled_from(WORDS), max_size=12)
query_strategy = st.lists(st.sampled_from(WORDS + ["absent"]), max_size=5)


@settings(max_examples=300, deadline=None)
@given(
    docs=st.dictionaries(st.integers(0, 2**40), docs_strategy, max_size=15),
    query=query_strategy,
    k=st.integers(1, 20),
    k1=st.sampled_from([1.2, 0.9, 2.0]),
    b=st.sampled_from([0.75, 0.0, 1.0]),
    data=st.data(),
)
def test_chunk_scores_and_ranking_match_reference(docs, query, k, k1, b, data):
    index = LexicalIndex.build(docs, {}, k1=k1, b=b)
    ref = reference_bm25(docs, query, k1, b)
    assert_matches_reference(index.search_chunks(" ".join(query), k), ref, k)
    allowed = data.draw(st.sets(st.sampled_from(sorted(docs) + [2**41])) if docs else st.just(set()))
    assert_matches_reference(index.search_chunks(" ".join(query), k, allowed=allowed), ref, k, allowed)


@settings(max_examples=150, deadline=None)
@given(
    titles=st.dictionaries(st.text("abc/._", min_size=1, max_size=6), docs_strategy, max_size=12),
    query=query_strategy,
    k=st.integers(1, 15),
)
def test_title_scores_and_ranking_match_reference(titles, query, k):
    index = LexicalIndex.build({}, titles)
    assert_matches_reference(index.search_titles(" ".join(query), k), reference_bm25(titles, query), k)


def test_ties_are_broken_by_chunk_id_and_only_matches_are_returned():
    docs = {9: ["cat", "dog"], 3: ["cat", "dog"], 5: ["dog", "cat"], 1: ["fish"], 7: ["lamp", "rock"]}
    index = LexicalIndex.build(docs, {})
    got = index.search_chunks("cat", 10)
    assert [c for c, _ in got] == [3, 5, 9]
    assert len({s for _, s in got}) == 1 and got[0][1] > 0
    assert [c for c, _ in index.search_chunks("cat", 2)] == [3, 5]
    assert index.search_chunks("absent words", 10) == []
    assert index.search_chunks("", 10) == [] and index.search_chunks("cat", 0) == []


# ---- tokenizer ---------------------------------------------------------------

def test_tokenize_numbers():
    assert tokenize("24,179 officers") == ["24179", *tokenize("officers")]
    assert tokenize("a rate of 2.02 percent.") == [*tokenize("rate"), "2.02", *tokenize("percent")]
    assert tokenize("$1.3 million, in 2019.") == ["1.3", "million", "2019"]
    assert tokenize("3,000.50") == ["3000.50"]
    assert tokenize("AR-15 and 9mm") == ["ar", "15", "9", "mm"]


def test_tokenize_stemming_makes_word_forms_meet():
    doc = set(tokenize("Officers seized 10 knives at the park."))
    assert set(tokenize("knives seized")) <= doc
    assert tokenize("knife") == tokenize("knives")
    assert tokenize("arrested") == tokenize("arrests") == tokenize("arrest")
    assert tokenize("Sentenced") == tokenize("sentencing")
    assert "10" in doc


def test_tokenize_stopwords_punctuation_case_and_unicode():
    assert tokenize("the of and to which was") == []
    assert tokenize("Luton, (Bedfordshire)!") == tokenize("luton bedfordshire")
    assert tokenize("O\u2019Brien\u2019s \u201ccase\u201d") == tokenize("O'Brien's \"case\"")
    assert tokenize("Jos\u00e9 CAF\u00c9") == tokenize("jose cafe")
    assert tokenize("\u041f\u0440\u0438\u0432\u0435\u0442 \u043c\u0438\u0440") == ["\u043f\u0440\u0438\u0432\u0435\u0442", "\u043c\u0438\u0440"]
    assert tokenize("") == [] and tokenize("... -- !!") == []
    text = "The 67-year-old man was sentenced to 20 years to life on 30 March 2016."
    assert tokenize(text) == tokenize(text)
    assert all(t == t.lower() and " " not in t for t in tokenize(text))


# ---- filters, titles ---------------------------------------------------------

def test_allowed_restricts_chunks_and_titles():
    chunks = {i: tokenize(t) for i, t in enumerate(
        ["Luton knife arrests", "Bedford knife seizure", "Dunstable burglary", "Luton burglary arrests"])}
    titles = {"a.txt": tokenize("Knife crime in Luton"), "b.txt": tokenize("Burglary in Bedford")}
    index = LexicalIndex.build(chunks, titles)
    assert [c for c, _ in index.search_chunks("luton arrests", 10)][:2] == [0, 3]
    assert [c for c, _ in index.search_chunks("luton arrests", 10, allowed={3, 2, 99})] == [3]
    assert [c for c, _ in index.search_chunks("luton arrests", 10, allowed=[1, 2])] == []
    assert index.search_chunks("luton", 10, allowed=()) == []
    assert [r for r, _ in index.search_titles("knives in Luton", 5)] == ["a.txt"]
    assert [r for r, _ in index.search_titles("Bedford burglary", 5)] == ["b.txt"]
    assert index.search_titles("Bedford burglary", 5, allowed=["a.txt", "zzz"]) == []


# ---- persistence -------------------------------------------------------------

QUERIES = ["luton knife arrests", "burglary", "bedford 2020", "nothing matches"]


def small_index():
    chunks = {10: tokenize("Luton knife arrests in 2020"), 2**40: tokenize("Bedford knife seizure"),
              3: tokenize("Dunstable burglary, 24,179 items")}
    titles = {"x/a.txt": tokenize("Knife crime in Luton"), "b.txt": tokenize("Burglary in Bedford 2020")}
    return LexicalIndex.build(chunks, titles, k1=1.5, b=0.5)


def test_save_load_round_trip(tmp_path):
    index = small_index()
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert (loaded.k1, loaded.b, len(loaded)) == (1.5, 0.5, 3)
    for q in QUERIES:
        assert loaded.search_chunks(q, 5) == index.search_chunks(q, 5)
        assert loaded.search_titles(q, 5) == index.search_titles(q, 5)
    assert loaded.search_chunks("knife", 5, allowed=[2**40]) == index.search_chunks("knife", 5, allowed=[2**40])
    empty = LexicalIndex.build({}, {})
    empty.save(tmp_path / "empty")
    assert LexicalIndex.load(tmp_path / "empty").search_chunks("knife", 5) == []


def test_load_missing_or_corrupt_raises_index_error(tmp_path):
    with pytest.raises(IndexUnavailable, match="no BM25 index"):
        LexicalIndex.load(tmp_path / "nowhere")
    small_index().save(tmp_path)
    (tmp_path / "bm25" / "chunks" / "matrix.npz").write_bytes(b"half a file")
    with pytest.raises(IndexUnavailable, match="corrupt"):
        LexicalIndex.load(tmp_path)
    small_index().save(tmp_path)
    (tmp_path / "bm25" / "titles" / "vocab.json").write_text('["only-one-term"]')
    with pytest.raises(IndexUnavailable, match="corrupt"):
        LexicalIndex.load(tmp_path)
    (tmp_path / "bm25" / "lexical.json").write_text("{not json")
    with pytest.raises(IndexUnavailable, match="corrupt"):
        LexicalIndex.load(tmp_path)


# ---- token storage -----------------------------------------------------------

def same_results(a: LexicalIndex, b: LexicalIndex, queries):
    for q in queries:
        assert a.search_chunks(q, 10) == b.search_chunks(q, 10)
        assert a.search_titles(q, 10) == b.search_titles(q, 10)
        assert a.search_releases(q, 10) == b.search_releases(q, 10)


def test_incremental_token_store_equals_build_from_scratch():
    texts = {i: f"Officers in town {i % 4} made {i} arrests and seized {i % 3} knives" for i in range(20)}
    titles = {f"r{i}": f"Arrests in town {i}" for i in range(5)}
    db = sqlite3.connect(":memory:")
    lexical.store_tokens(db, texts, titles)
    lexical.delete_tokens(db, [0, 5, 6, 19], ["r1"])
    added = {20 + i: f"Burglary report {i}: 24,179 items seized" for i in range(6)}
    lexical.store_tokens(db, added, {"r9": "Burglary in town 9", "r2": "Changed title: knives seized"})
    final_texts = {i: t for i, t in texts.items() if i not in (0, 5, 6, 19)} | added
    final_titles = {k: v for k, v in titles.items() if k != "r1"} | {"r9": "Burglary in town 9",
                                                                     "r2": "Changed title: knives seized"}
    scratch = LexicalIndex.build({i: tokenize(t) for i, t in final_texts.items()},
                                 {r: tokenize(t) for r, t in final_titles.items()})
    incremental = lexical.build_from_db(db)
    same_results(incremental, scratch, ["arrests town 2", "knives seized", "burglary 24,179", "town 9"])
    assert list(incremental.chunks.keys) == sorted(final_texts)
    assert incremental.search_chunks("town 1 arrests", 3)[0][0] != 5


def test_tokens_of_another_tokenizer_version_are_dropped():
    db = sqlite3.connect(":memory:")
    lexical.store_tokens(db, {1: "knives"}, {"a": "title"})
    db.execute("UPDATE meta SET value='v0' WHERE key='lexical_tokenizer'")
    lexical.ensure_tables(db)
    assert db.execute("SELECT COUNT(*) FROM chunk_tokens").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM title_tokens").fetchone()[0] == 0


# ---- backfill on a real index --------------------------------------------------

CHUNKS = ChunkerSettings(48, 8)


def body(topic: str, n: int = 6) -> str:
    return " ".join(f"Officers in {topic} made {i} arrests and seized {i} knives near the park." for i in range(n))


def expected_tokens(db):
    chunks = {cid: tokenize(text[s:e]) for cid, text, s, e in db.execute(
        'SELECT c.id, r.body, c.start, c."end" FROM chunks c JOIN releases r ON r.id = c.release_id')}
    titles = {rid: tokenize(t) for rid, t in db.execute("SELECT id, title FROM releases")}
    releases: dict[str, list[str]] = {}
    for rid, cid in db.execute("SELECT release_id, id FROM chunks ORDER BY release_id, seq"):
        releases.setdefault(rid, []).extend(chunks[cid])
    return chunks, titles, releases


def test_whole_release_field_finds_words_spread_over_chunks():
    chunks = {1: tokenize("Officers seized knives in Luton"), 2: tokenize("The operation was named Boson"),
              3: tokenize("Knives seized in Dunstable"), 4: tokenize("Operation Costello ended")}
    releases = {"a": chunks[1] + chunks[2], "b": chunks[3] + chunks[4]}
    index = LexicalIndex.build(chunks, {}, releases)
    assert index.search_releases("knives seized in operation Boson", 2)[0][0] == "a"
    assert [r for r, _ in index.search_releases("knives", 5, allowed={"b"})] == ["b"]
    assert index.search_releases("nothing here", 5) == []


def stored_tokens(db):
    return ({c: t.split() for c, t in db.execute("SELECT chunk_id, tokens FROM chunk_tokens")},
            {r: t.split() for r, t in db.execute("SELECT release_id, tokens FROM title_tokens")})


def forget_tokens(db, where_chunk="1", where_title="1"):
    lexical.ensure_tables(db)
    db.execute(f"DELETE FROM chunk_tokens WHERE {where_chunk}")
    db.execute(f"DELETE FROM title_tokens WHERE {where_title}")


def test_backfill_on_a_built_index_then_only_missing_chunks_are_tokenized(tmp_path, monkeypatch):
    root = tmp_path / "corpus"
    write_release(root, "a.txt", body("Luton"))
    write_release(root, "b.txt", body("Dunstable"))
    write_release(root, "sub/c.txt", body("Bedford"), date="2020-03-12")
    build_index([root], tmp_path / "idx", HashEmbedder(64), CHUNKS)
    db = sqlite3.connect(generations.current(tmp_path / "idx") / "meta.sqlite")
    forget_tokens(db)  # as an index built before BM25 existed
    n_chunks = db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
    assert lexical.backfill(db) == n_chunks + 3
    db.commit()
    assert stored_tokens(db) == expected_tokens(db)[:2]
    assert lexical.backfill(db) == 0
    index = lexical.build_from_db(db)
    top = index.search_chunks("knives seized in Bedford", 1)[0][0]
    assert db.execute("SELECT release_id FROM chunks WHERE id=?", (top,)).fetchone()[0] == "sub/c.txt"
    b_chunks = [r[0] for r in db.execute("SELECT id FROM chunks WHERE release_id='b.txt'")]
    db.close()

    # the next generation copies meta.sqlite, token rows included
    write_release(root, "a.txt", body("Luton town centre", 2))  # changed
    (root / "b.txt").unlink()                                    # removed
    write_release(root, "d.txt", body("Leighton Buzzard", 2))    # added
    build_index([root], tmp_path / "idx", HashEmbedder(64), CHUNKS)
    folder = generations.current(tmp_path / "idx")
    db = sqlite3.connect(folder / "meta.sqlite")
    # whatever build_index stored: start from old rows only (a.txt's old title, b.txt's orphans)
    forget_tokens(db, "chunk_id IN (SELECT id FROM chunks WHERE release_id IN ('a.txt', 'd.txt'))",
                  "release_id = 'd.txt'")
    db.execute("INSERT OR REPLACE INTO title_tokens VALUES ('a.txt', 'stale'), ('b.txt', 'orphan')")
    db.executemany("INSERT OR REPLACE INTO chunk_tokens VALUES (?, 'orphan')", [(c,) for c in b_chunks])
    new_chunks = db.execute("SELECT COUNT(*) FROM chunks WHERE release_id IN ('a.txt', 'd.txt')").fetchone()[0]
    calls = []
    monkeypatch.setattr(lexical, "tokenize", lambda text: calls.append(text) or tokenize(text))
    assert lexical.backfill(db) == new_chunks + 2  # and the titles of a.txt and d.txt
    assert len(calls) == new_chunks + 3  # the new chunks, plus every (cheap) title
    monkeypatch.undo()
    assert stored_tokens(db) == expected_tokens(db)[:2]
    scratch = LexicalIndex.build(*expected_tokens(db))
    same_results(lexical.build_from_db(db), scratch, ["Leighton Buzzard arrests", "knives", "Dunstable", "town centre"])
    assert lexical.build_from_db(db).search_chunks("Dunstable", 5) == []
    lexical.build_from_db(db).save(folder)
    assert LexicalIndex.load(folder).search_titles("Leighton Buzzard", 5)[0][0] == "d.txt"
