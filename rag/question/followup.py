"""Follow-up questions made standalone before retrieval.

"and what sentence did he get?" after "Who killed livery cab driver Fawaz Naji?" is
searched as "Fawaz Naji livery cab driver: and what sentence did he get?". This is the
cheap rule used when no LLM is configured: a follow-up (it leans on a pronoun or
"and/what about", and names nothing itself) borrows the specific terms of the last
question that had some. With an LLM answerer, ``llm_standalone`` asks the model for
the rewrite (one short generation) and keeps the rule as its fallback.
"""
from __future__ import annotations

import re
from typing import Sequence

from ..errors import RagError
from ..text.stopwords import QUESTION_STOPWORDS
from .mentions import specific_terms

_LEANS = re.compile(
    r"^\s*(and|also|what about|how about|so)\b|\b(he|she|they|him|her|them|his|hers|their|it|its|that|this|"
    r"those|these|the defendant|the victim|the case)\b", re.I)
_CONTENT = re.compile(r"[A-Za-z][A-Za-z'’-]{3,}")


def is_follow_up(question: str) -> bool:
    return bool(_LEANS.search(question)) and not specific_terms(question)


def context_words(question: str) -> list[str]:
    """The names and numbers of an earlier question, then its content words (at most 8 words in all).

    Names alone were too little: "Luton" from "How many knives were seized in Luton
    parks?" found another Luton release; "knives seized parks" pins the right one.
    """
    words = list(specific_terms(question))
    seen = {w.lower() for w in words}
    for w in _CONTENT.findall(question):
        if w.lower() not in QUESTION_STOPWORDS and w.lower() not in seen:
            seen.add(w.lower())
            words.append(w)
    return words[:8]


def standalone(question: str, history: Sequence[str]) -> str:
    """``question`` itself, or prefixed with the context of the last earlier question."""
    if not history or not is_follow_up(question):
        return question
    for earlier in reversed(history):
        words = context_words(earlier)
        if words:
            return f"{' '.join(words)}: {question.strip()}"
    return question


REWRITE_SYSTEM = (
    "Rewrite the user's follow-up question so that it can be understood without the conversation: "
    "replace pronouns with the names, places and cases they refer to in the earlier questions. "
    "Reply with the rewritten question only, on one line."
)
_LABEL = re.compile(r"^\s*(?:rewritten|standalone)?\s*(?:question)?\s*:\s*", re.I)


def rewrite_messages(question: str, history: Sequence[str]) -> list[dict]:
    earlier = "\n".join(f"- {h.strip()}" for h in list(history)[-3:])
    return [{"role": "system", "content": REWRITE_SYSTEM},
            {"role": "user", "content": f"Earlier questions:\n{earlier}\nFollow-up question: {question.strip()}"}]


def clean_rewrite(text: str, history: Sequence[str]) -> str | None:
    """The model's first line, unlabelled and unquoted; None when it is unusable (empty, too
    long, or it shares no word with the earlier questions, i.e. it carried no context over)."""
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    if not lines:
        return None
    line = _LABEL.sub("", lines[0]).strip().strip('"“”').strip()
    if len(line.split()) < 3 or len(line) > 300:
        return None
    earlier = {w.lower() for h in history for w in context_words(h)}
    if not earlier & {w.lower() for w in _CONTENT.findall(line)} and not earlier & set(line.lower().split()):
        return None
    return line


def llm_standalone(stream, question: str, history: Sequence[str], *, max_chars: int = 400) -> str:
    """A follow-up rewritten by an LLM (``stream(messages) -> Iterator[str]``); the cheap rule
    when the question is not a follow-up, the model fails, or its rewrite is unusable."""
    if not history or not is_follow_up(question):
        return question
    parts: list[str] = []
    try:
        tokens = stream(rewrite_messages(question, history))
        for delta in tokens:
            parts.append(delta)
            text = "".join(parts)
            if "\n" in text.lstrip() or len(text) > max_chars:
                break
        close = getattr(tokens, "close", None)
        if close:
            close()
    except RagError:
        return standalone(question, history)
    return clean_rewrite("".join(parts), history) or standalone(question, history)
