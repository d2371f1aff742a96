"""An answer, or a conversation of them, as Markdown (the answer, then its numbered sources with
title, date, link and the quoted span) or as JSON (the ``rag ask --json`` object with its question).
Used by ``rag ask --format markdown`` and the chat's export buttons."""
from __future__ import annotations

import json
from collections.abc import Sequence

from .models import Answer
from .text.sentences import one_line


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]") if text else text


def source_line(c) -> str:
    """A citation as plain text: ``[n] Title (date) url-or-id`` (the CLI's and the API's "Sources:")."""
    return f"[{c.n}] {c.title} ({c.date or 'undated'}) {c.url or c.release_id}"


def answer_markdown(question: str, answer: Answer, heading: str = "##") -> str:
    """One question and its answer; each source as ``n. [Title](url) (date), release id, chars a-b``
    with the quote below it."""
    lines = [f"{heading} {question.strip()}", "", answer.text.strip()]
    if answer.refused:
        lines += ["", "*(declined: the releases do not answer this)*"]
    if answer.citations:
        lines += ["", "Sources:", ""]
        for c in answer.citations:
            title = _md_escape(c.title) or c.release_id
            linked = f"[{title}]({c.url})" if c.url else title
            lines.append(f"{c.n}. {linked} ({c.date or 'undated'}), release `{c.release_id}`, "
                         f"chars {c.start}-{c.end}")
            lines.append(f"   > {one_line(c.quote)}")
    lines += ["", f"*Answered by {answer.answerer}.*"]
    return "\n".join(lines) + "\n"


def conversation_markdown(turns: Sequence[tuple[str, Answer]], title: str = "press-rag conversation") -> str:
    return "\n".join([f"# {title}", ""] + [answer_markdown(q, a) for q, a in turns])


def answer_json(question: str, answer: Answer) -> dict:
    return {"question": question, **answer.to_json()}


def conversation_json(turns: Sequence[tuple[str, Answer]]) -> str:
    return json.dumps([answer_json(q, a) for q, a in turns], ensure_ascii=False, indent=2) + "\n"
