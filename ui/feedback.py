"""Thumbs up/down on answers, kept as JSON Lines, and turned into evaluation questions.

One line per rating (``FeedbackLog.append``), with everything needed to replay the question:
the question as asked and as searched, the answer, its citations, the answerer, ``k``,
the retrieval settings and the filters.

``feedback_to_eval`` writes the eval dataset format (``eval/dataset.py``): a thumbs-up gives
a question whose ``gold_ids`` are the cited releases and whose ``answer`` is the answer
text; a thumbs-down goes to a separate review file, marked ``needs_review``, because the
right answer is not known yet. The latest rating of a question wins.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import threading
from dataclasses import asdict
from pathlib import Path

from rag.errors import ConfigError
from rag.jsonl import read_objects
from rag.text.markers import strip_markers

FIELDS = ("id", "corpus", "question", "answer", "must_include", "gold_ids", "gold_quote", "type", "as_of")
_NUMBER = re.compile(r"\b\d[\d,.]*\b")


def default_path(index_dir: str | Path) -> Path:
    """``feedback.jsonl`` next to the index folder (``.rag/feedback.jsonl`` for ``.rag/index``); for an
    index of another name, ``feedback-NAME.jsonl``, so two servers of two indexes in one folder do not
    write into one file."""
    index = Path(index_dir)
    return index.parent / ("feedback.jsonl" if index.name == "index" else f"feedback-{index.name}.jsonl")


def feedback_record(turn, rating: str, settings) -> dict:
    """The JSON object written for one rating of one answered ``turn`` (a ``ui.chat.Turn``)."""
    if rating not in ("up", "down"):
        raise ValueError(f"rating must be 'up' or 'down', got {rating!r}")
    answer = turn.answer
    return {
        "timestamp": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "rating": rating,
        "question": turn.question,
        "search_question": turn.search_question,
        "history": list(turn.history),
        "answer": answer.text,
        "refused": answer.refused,
        "answerer": answer.answerer,
        "note": answer.note,
        "citations": [asdict(c) for c in answer.citations],
        "retrieved": [{"rank": h.rank, "release_id": h.release.id, "score": round(h.score, 4)} for h in turn.hits],
        "settings": {"answerer": turn.answerer or settings.answerer, "k": turn.k or settings.retrieval.top_k,
                     "retriever": settings.retrieval.retriever, "rerank": settings.retrieval.rerank,
                     "dates": settings.retrieval.dates, "widen": settings.retrieval.widen,
                     "embedder": settings.embedding.model, "index_dir": str(settings.index_dir)},
        "filters": dict(turn.filters),
    }


class FeedbackLog:
    """Appends one JSON line per rating; safe to call from many threads."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def append(self, record: dict) -> None:
        line = json.dumps(record, ensure_ascii=False)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line + "\n")

    def read(self) -> list[dict]:
        return read_feedback(self.path)


def read_feedback(path: str | Path) -> list[dict]:
    out = []
    for where, row in read_objects(path, "feedback file"):
        if row.get("rating") not in ("up", "down") or not isinstance(row.get("question"), str):
            raise ConfigError(f"{where}: not a feedback record (needs 'rating' up/down and 'question')")
        out.append(row)
    return out


def _question_type(row: dict, question: str, cited: list[str]) -> str:
    from rag.question.lookup import asks_for_release

    filters = row.get("filters") or {}
    if row.get("refused"):
        return "unanswerable"
    if len(cited) > 1:
        return "multi_doc"
    if filters.get("date_from") or filters.get("date_to"):
        return "date_scoped"
    if asks_for_release(question):
        return "lookup"
    return "factoid"


def _key_facts(answer: str, question: str) -> list[str]:
    """Numbers in the answer that the question does not already contain (a reviewer may add names)."""
    asked = set(_NUMBER.findall(question))
    facts = []
    for n in _NUMBER.findall(answer):
        n = n.rstrip(".,")
        if n and n not in asked and n not in facts:
            facts.append(n)
    return facts[:3]


def to_eval_question(row: dict, corpus: str = "feedback") -> dict:
    """One eval-dataset row from one feedback record (``needs_review`` set for a thumbs-down)."""
    question = (row.get("search_question") or row["question"]).strip()
    qid = "fb-" + hashlib.sha1(question.lower().encode("utf-8")).hexdigest()[:12]
    citations = row.get("citations") or []
    cited = list(dict.fromkeys(c["release_id"] for c in citations if c.get("release_id")))
    answer = " ".join(strip_markers(row.get("answer") or "").split())
    filters = row.get("filters") or {}
    out = {"id": qid, "corpus": corpus, "question": question}
    if row["rating"] == "up":
        refused = bool(row.get("refused"))
        out.update(answer="" if refused else answer,
                   must_include=[] if refused else _key_facts(answer, question),
                   gold_ids=[] if refused else cited,
                   gold_quote="" if refused or not citations else citations[0].get("quote", ""),
                   type=_question_type(row, question, cited), as_of=filters.get("as_of"))
    else:
        out.update(answer="", must_include=[], gold_ids=[], gold_quote="", type="factoid",
                   as_of=filters.get("as_of"),
                   needs_review="thumbs-down: write the right answer, must_include, gold_ids, gold_quote and type",
                   rejected_answer=answer, rejected_citations=cited)
    out["source"] = {"feedback_timestamp": row.get("timestamp"), "rating": row["rating"],
                     "asked": row["question"], "answerer": row.get("answerer"), "filters": filters}
    return out


def feedback_to_eval(feedback: str | Path, out: str | Path, review: str | Path | None = None,
                     corpus: str = "feedback") -> tuple[int, int, Path]:
    """Write thumbs-up questions to ``out`` and thumbs-down ones to ``review``; return the counts."""
    rows = read_feedback(feedback)
    latest: dict[str, dict] = {}
    for row in sorted(rows, key=lambda r: r.get("timestamp") or ""):
        q = to_eval_question(row, corpus)
        latest.pop(q["id"], None)  # the latest rating of a question wins, in the order they came
        latest[q["id"]] = q
    out = Path(out)
    review = Path(review) if review else out.with_name(out.stem + ".needs_review" + out.suffix)
    good = [q for q in latest.values() if "needs_review" not in q]
    bad = [q for q in latest.values() if "needs_review" in q]
    for path, items in ((out, good), (review, bad)):
        if path == out or items:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in items), encoding="utf-8")
    return len(good), len(bad), review
