"""Read an evaluation set: JSON Lines with the fields of ``../shared/eval/dev.jsonl``."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ConfigError
from rag.jsonl import read_objects

TYPES = ("factoid", "date_scoped", "multi_doc", "unanswerable", "lookup", "aggregate", "timeline")
_REQUIRED = {"id": str, "question": str, "answer": str, "must_include": list, "gold_ids": list, "type": str}


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answer: str
    must_include: tuple[str, ...]
    gold_ids: tuple[str, ...]
    type: str
    corpus: str = ""
    gold_quote: str = ""
    as_of: str | None = None

    @property
    def answerable(self) -> bool:
        return bool(self.gold_ids)


def read_dataset(path: str | Path) -> list[Question]:
    """Parse every line; a bad line raises ConfigError naming file, line and field."""
    questions: list[Question] = []
    seen: set[str] = set()
    for where, row in read_objects(path, "dataset"):
        for field, kind in _REQUIRED.items():
            if not isinstance(row.get(field), kind):
                raise ConfigError(f"{where}: field {field!r} must be a {kind.__name__}, got {row.get(field)!r}")
        if row["type"] not in TYPES:
            raise ConfigError(f"{where}: type {row['type']!r} is not one of {', '.join(TYPES)}")
        if row["id"] in seen:
            raise ConfigError(f"{where}: duplicate id {row['id']!r}")
        seen.add(row["id"])
        as_of = row.get("as_of")
        if as_of is not None:
            try:
                dt.date.fromisoformat(as_of)
            except (TypeError, ValueError):
                raise ConfigError(f"{where}: as_of must be null or an ISO date, got {as_of!r}") from None
        questions.append(Question(
            id=row["id"], question=row["question"], answer=row["answer"],
            must_include=tuple(map(str, row["must_include"])), gold_ids=tuple(map(str, row["gold_ids"])),
            type=row["type"], corpus=str(row.get("corpus") or ""), gold_quote=str(row.get("gold_quote") or ""),
            as_of=as_of,
        ))
    if not questions:
        raise ConfigError(f"dataset {path} has no questions")
    return questions
