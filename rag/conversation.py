"""Follow-up questions made standalone before retrieval.

"and what sentence did he get?" after "Who killed livery cab driver Fawaz Naji?" is
searched as "Fawaz Naji livery cab driver: and what sentence did he get?". This is the
cheap rule used when no LLM is configured: a follow-up (it leans on a pronoun or
"and/what about", and names nothing itself) borrows the specific terms of the last
question that had some. An LLM rewriter can replace it behind the same function shape.
"""
from __future__ import annotations

import re
from typing import Sequence

from .retrieval.rerank import specific_terms

_LEANS = re.compile(
    r"^\s*(and|also|what about|how about|so)\b|\b(he|she|they|him|her|them|his|hers|their|it|its|that|this|"
    r"those|these|the defendant|the victim|the case)\b", re.I)
_CONTENT = re.compile(r"[A-Za-z][A-Za-z'’-]{3,}")
_SMALL = {"what", "which", "when", "where", "who", "whom", "whose", "does", "did", "about", "with", "from",
          "that", "this", "they", "them", "their", "there", "have", "been", "were", "will", "would", "could",
          "should", "also", "then", "than", "into", "after", "before"}


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
        if w.lower() not in _SMALL and w.lower() not in seen:
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
