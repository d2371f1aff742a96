"""Answer-level metrics: text normalisation, key facts, token F1, refusals, citations.

All functions are pure and deterministic.  Text comparisons go through
:func:`normalize`, whose rules are listed in its docstring.  The support measure
(:func:`support_score`, :data:`SUPPORT_THRESHOLD`, :data:`SUPPORT_METHOD`) lives in
:mod:`rag.answer.support` and the text rules it uses (:func:`normalize`, :data:`STOPWORDS`,
:func:`cited_numbers`, the answer sentence splitter) in :mod:`rag.text`, shared with the
answerers and re-exported here; ``split_sentences`` is ``answer_sentences`` there.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from rag.answer.support import SUPPORT_METHOD, SUPPORT_THRESHOLD, shown_text, support_score
from rag.text.markers import cited_numbers
from rag.text.normalize import normalize
from rag.text.sentences import answer_sentences as split_sentences
from rag.text.stopwords import SUPPORT_STOPWORDS as STOPWORDS
from rag.models import Citation

__all__ = [
    "STOPWORDS",
    "SUPPORT_METHOD",
    "SUPPORT_THRESHOLD",
    "citation_precision",
    "citation_support",
    "citation_validity",
    "cited_numbers",
    "fact_present",
    "key_fact_accuracy",
    "normalize",
    "refusal_rates",
    "split_sentences",
    "support_score",
    "token_f1",
]

# --------------------------------------------------------------------------- answers

_ARTICLES = frozenset({"a", "an", "the"})


# a possessive ending ("the Commission's award", "Gonzalez's office"), once quotes are plain
_POSSESSIVE = re.compile(r"(?<=\w)'s(?= |$)")


def fact_present(answer_text: str, fact: str) -> bool:
    """Whether normalised ``fact`` occurs in normalised ``answer_text`` on token boundaries.

    ``"24,179"`` is present in ``"24179 cases"``; ``"24"`` is not. A possessive ending on either side
    does not hide it: ``"Human Relations Commission"`` is present in ``"the Human Relations
    Commission’s award"`` (a release that names it only so could otherwise never be quoted to
    match). A fact that normalises to nothing (only punctuation) raises ``ValueError``.
    """
    needle = normalize(fact)
    if not needle:
        raise ValueError(f"key fact {fact!r} is empty after normalisation")
    hay = normalize(answer_text)
    if f" {needle} " in f" {hay} ":
        return True
    return f" {_POSSESSIVE.sub('', needle)} " in f" {_POSSESSIVE.sub('', hay)} "


def key_fact_accuracy(answer_text: str, must_include: Sequence[str]) -> float | None:
    """1.0 if EVERY ``must_include`` string is present (see :func:`fact_present`), else 0.0.

    All-or-nothing per answer.  Empty ``must_include`` -> ``None`` (not applicable,
    e.g. unanswerable questions).  A bare ``str`` raises ``TypeError`` (it would
    otherwise be read as a list of characters).
    """
    if isinstance(must_include, str):
        raise TypeError("must_include must be a sequence of strings, not a single string")
    if not must_include:
        return None
    return 1.0 if all(fact_present(answer_text, fact) for fact in must_include) else 0.0


def token_f1(answer_text: str, reference: str) -> float:
    """SQuAD-style token F1 in [0, 1] over :func:`normalize` tokens minus ``a``/``an``/``the``.

    Token overlap counts multiplicity (multiset intersection).  If either side
    has no tokens, the score is 1.0 when both are empty and 0.0 otherwise (the
    SQuAD convention).
    """
    pred = [t for t in normalize(answer_text).split() if t not in _ARTICLES]
    ref = [t for t in normalize(reference).split() if t not in _ARTICLES]
    if not pred or not ref:
        return 1.0 if pred == ref else 0.0
    same = sum((Counter(pred) & Counter(ref)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(ref)
    return 2 * precision * recall / (precision + recall)


def refusal_rates(items: Sequence[tuple[bool, bool]]) -> dict[str, float | None]:
    """Refusal behaviour over a question set.

    ``items`` holds ``(is_unanswerable, refused)`` per question.  Returns
    ``refusal_rate_unanswerable`` -- share of unanswerable questions that were
    refused (higher is better; ``None`` if there are none) -- and
    ``false_refusal_rate`` -- share of answerable questions that were refused
    (lower is better; ``None`` if there are none).
    """
    unanswerable = [bool(refused) for is_unans, refused in items if is_unans]
    answerable = [bool(refused) for is_unans, refused in items if not is_unans]
    return {
        "refusal_rate_unanswerable": sum(unanswerable) / len(unanswerable) if unanswerable else None,
        "false_refusal_rate": sum(answerable) / len(answerable) if answerable else None,
    }



def citation_validity(answer_text: str, citations: Sequence[Citation], *, refused: bool = False) -> float | None:
    """Share of the markers in ``answer_text`` whose number is a listed citation's ``n``.

    Every number counts once per occurrence (``[1, 2]`` is two markers).
    ``None`` when the text has no markers and either no citations are listed or
    the answer is a refusal (nothing to check).  Citations listed on a
    non-refused answer whose text has no markers -> 0.0: the sources are not
    attached to any claim, which is a citation failure.
    """
    markers = cited_numbers(answer_text)
    if not markers:
        return None if refused or not citations else 0.0
    listed = {c.n for c in citations}
    return sum(1 for n in markers if n in listed) / len(markers)


def citation_precision(citations: Sequence[Citation], gold_ids: Iterable[str]) -> float | None:
    """Share of listed citations whose ``release_id`` is a gold release; ``None`` if none listed.

    Each listed citation counts, so two quotes from one gold release count twice.
    """
    if not citations:
        return None
    gold = frozenset(gold_ids)
    return sum(1 for c in citations if c.release_id in gold) / len(citations)



def citation_support(answer_text: str, citations: Sequence[Citation]) -> float | None:
    """Share of cited sentences supported by the sources they cite (lexical, see :func:`support_score`);
    a source is what the reader sees of it: title, date and quote (:func:`shown_text`).

    A cited sentence is one with at least one marker (see :func:`split_sentences`).
    It is supported when ``support_score(sentence, quotes of its cited numbers)``
    >= :data:`SUPPORT_THRESHOLD`; a sentence whose markers resolve to no listed
    citation is unsupported.  ``None`` when no sentence carries a marker.
    """
    quotes_by_n: dict[int, list[str]] = {}
    for c in citations:
        quotes_by_n.setdefault(c.n, []).append(shown_text(c.title, c.date, c.quote))
    cited = [(s, cited_numbers(s)) for s in split_sentences(answer_text)]
    cited = [(s, nums) for s, nums in cited if nums]
    if not cited:
        return None
    supported = 0
    for sentence, nums in cited:
        quotes = [q for n in dict.fromkeys(nums) for q in quotes_by_n.get(n, ())]
        if quotes and support_score(sentence, quotes) >= SUPPORT_THRESHOLD:
            supported += 1
    return supported / len(cited)
