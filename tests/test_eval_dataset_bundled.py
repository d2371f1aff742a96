"""Sanity checks for the hand-written evaluation set over the bundled corpus.

Plain JSON parsing only: no project imports, so these tests stay valid whatever
the pipeline does.  They check the file's shape and that every reference is
grounded in the releases in ``corpus/``.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATASET = REPO / "eval" / "datasets" / "bundled.jsonl"
CORPUS = REPO / "corpus"

TYPES = {"factoid", "date_scoped", "multi_doc", "unanswerable", "lookup", "aggregate"}
FIELDS = {
    "id": str,
    "corpus": str,
    "question": str,
    "answer": str,
    "must_include": list,
    "gold_ids": list,
    "gold_quote": str,
    "type": str,
}


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def load() -> list[dict]:
    rows = []
    for n, line in enumerate(DATASET.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as e:  # pragma: no cover - reported as failure
            pytest.fail(f"line {n} is not valid JSON: {e}")
    return rows


ROWS = load()
ANSWERABLE = [r for r in ROWS if r.get("type") != "unanswerable"]


def _ids(rows):
    return [r.get("id", "?") for r in rows]


def test_every_line_parses_to_an_object():
    lines = [l for l in DATASET.read_text(encoding="utf-8").splitlines() if l.strip()]
    assert len(lines) == len(ROWS)
    assert all(isinstance(r, dict) for r in ROWS)


@pytest.mark.parametrize("row", ROWS, ids=_ids(ROWS))
def test_fields_and_types(row):
    for name, kind in FIELDS.items():
        assert name in row, f"missing {name}"
        assert isinstance(row[name], kind), f"{name} should be {kind.__name__}"
    assert "as_of" in row
    assert row["as_of"] is None or isinstance(row["as_of"], str)
    assert row["corpus"] == "bundled"
    assert row["question"].strip() and row["answer"].strip()
    assert all(isinstance(s, str) and s.strip() for s in row["must_include"])
    assert all(isinstance(s, str) and s.strip() for s in row["gold_ids"])
    assert row["type"] in TYPES


def test_ids_unique():
    ids = [r["id"] for r in ROWS]
    assert len(ids) == len(set(ids))


def test_size_and_type_coverage():
    assert len(ROWS) >= 25
    counts = Counter(r["type"] for r in ROWS)
    for t in TYPES:
        assert counts[t] >= 3, f"only {counts[t]} questions of type {t}"


@pytest.mark.parametrize("row", ANSWERABLE, ids=_ids(ANSWERABLE))
def test_answerable_gold_is_grounded(row):
    assert row["gold_ids"], "answerable question without gold_ids"
    assert row["must_include"], "answerable question without must_include"
    texts = []
    for gid in row["gold_ids"]:
        path = CORPUS / gid
        assert path.is_file(), f"gold id {gid} is not a file in corpus/"
        texts.append(squash(path.read_text(encoding="utf-8")))
    quote = squash(row["gold_quote"])
    assert quote, "answerable question without gold_quote"
    assert any(quote in t for t in texts), f"gold_quote not found verbatim in {row['gold_ids']}"


@pytest.mark.parametrize("row", ROWS, ids=_ids(ROWS))
def test_must_include_appears_in_answer(row):
    answer = squash(row["answer"]).lower()
    for s in row["must_include"]:
        assert squash(s).lower() in answer, f"{s!r} not in reference answer"


def test_multi_doc_has_two_releases():
    for r in ROWS:
        if r["type"] == "multi_doc":
            assert len(set(r["gold_ids"])) >= 2, r["id"]


def test_unanswerable_has_no_gold():
    for r in ROWS:
        if r["type"] == "unanswerable":
            assert r["gold_ids"] == [], r["id"]
            assert r["must_include"] == [], r["id"]
            assert r["gold_quote"] == "", r["id"]


@pytest.mark.parametrize("row", ROWS, ids=_ids(ROWS))
def test_as_of_is_null_or_iso_date(row):
    if row["as_of"] is not None:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["as_of"])
        dt.date.fromisoformat(row["as_of"])
