"""The one support measure shared by the answerers and the evaluation suite.

Pure and deterministic: :func:`normalize` (text canonicalisation for matching),
:func:`support_score` (lexical support of a sentence by quoted text) with
:data:`SUPPORT_THRESHOLD` / :data:`SUPPORT_METHOD`, :func:`cited_numbers`
(citation markers) and :func:`answer_sentences` (answer text split into
sentences, each keeping its trailing ``[n]``).  ``eval`` imports these from here;
nothing here imports ``eval``.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "MARKER",
    "STOPWORDS",
    "SUPPORT_METHOD",
    "SUPPORT_THRESHOLD",
    "answer_sentences",
    "cited_numbers",
    "content_tokens",
    "normalize",
    "support_score",
]

# --------------------------------------------------------------------------- normalisation

MARKER = re.compile(r"\[\s*(\d+(?:\s*,\s*\d+)*)\s*\]")
"""A citation marker: ``[1]`` or ``[1, 2]``; ``[1][2]`` is two markers."""

_CHAR_MAP = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        # hyphen, non-breaking hyphen, figure dash, en dash, em dash, bar, minus, small em dash
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58", "-"),
    }
)
_SEPARATORS = re.compile(r"[-/]")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL = re.compile(r"\d+\.\d+")
_CURRENCY_SUFFIX = re.compile(r"(\d[\d,]*(?:\.\d+)?)(k|m|mn|bn|b|tn)")
_MAGNITUDES = {"k": "thousand", "m": "million", "mn": "million", "bn": "billion", "b": "billion", "tn": "trillion"}

_UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}


def _canonical_number(tok: str) -> str:
    """``24,179`` -> ``24179``; ``2.50`` -> ``2.5``; ``3.0`` -> ``3``; anything else unchanged."""
    if _THOUSANDS.fullmatch(tok):
        tok = tok.replace(",", "")
    if _DECIMAL.fullmatch(tok):
        tok = tok.rstrip("0").rstrip(".")
    return tok


def _clean_token(raw: str) -> tuple[list[str], bool, bool]:
    """Strip punctuation/symbols from the ends of one whitespace token.

    Returns (tokens, punctuation_before, punctuation_after); the punctuation flags
    mark a hard boundary that number-word phrases do not cross.
    """
    if raw == "&":
        return ["and"], False, False
    i, j = 0, len(raw)
    currency = False
    while i < j and unicodedata.category(raw[i])[0] in "PS":
        currency = currency or unicodedata.category(raw[i]) == "Sc"
        i += 1
    while j > i and unicodedata.category(raw[j - 1])[0] in "PS":
        j -= 1
    before = any(unicodedata.category(c)[0] == "P" for c in raw[:i])
    after = any(unicodedata.category(c)[0] == "P" for c in raw[j:])
    tok = raw[i:j]
    if not tok:
        return [], before or after, before or after
    m = _CURRENCY_SUFFIX.fullmatch(tok) if currency else None
    if m:
        return [_canonical_number(m.group(1)), _MAGNITUDES[m.group(2)]], before, after
    return [_canonical_number(tok)], before, after


def _parse_number_words(toks: list[str], hard: list[bool], i: int) -> tuple[int, int]:
    """Read the number-word phrase starting at ``toks[i]``; return (value, index after it)."""
    total, group, last = 0, 0, ""
    j = i
    while j < len(toks):
        if j > i and hard[j - 1]:
            break
        t = toks[j]
        if t in _UNITS:
            v = _UNITS[t]
            if not (last == "" or (last == "tens" and 1 <= v <= 9) or (last in ("hundred", "thousand") and v >= 1)):
                break
            group += v
            last = "unit"
            if v == 0:  # "zero" only stands alone
                j += 1
                break
        elif t in _TENS:
            if last not in ("", "hundred", "thousand"):
                break
            group += _TENS[t]
            last = "tens"
        elif t == "hundred":
            if last not in ("unit", "tens") or not 0 < group < 100:
                break
            group *= 100
            last = "hundred"
        elif t == "thousand":
            if last not in ("unit", "tens", "hundred") or total or not group:
                break
            total, group, last = group * 1000, 0, "thousand"
        elif t == "and" and last in ("hundred", "thousand") and not hard[j] and j + 1 < len(toks):
            nxt = toks[j + 1]
            if not (nxt in _TENS or _UNITS.get(nxt, 0) >= 1):
                break
        else:
            break
        j += 1
    return total + group, j


_UNIT = re.compile(r"(\d)(kg|mg|g|lbs?|oz|km|cm|mm|ft|ml)\b")


def normalize(text: str) -> str:
    """Canonical form of ``text`` for matching; tokens joined by single spaces.

    Applied in this order:

    1. Citation markers (``[3]``, ``[1, 2]``) are removed.
    2. Unicode NFKC (full-width forms, ligatures, non-breaking spaces), then lowercase.
    3. Curly single quotes/primes -> ``'``; curly double quotes/guillemets -> ``"``;
       every dash and the minus sign -> ``-``.
    4. ``%`` -> `` percent``; the two tokens ``per cent`` -> ``percent``.
    5. Hyphens and slashes separate tokens (``covid-19`` -> ``covid 19``,
       ``twenty-five`` -> ``twenty five``); other splitting is on whitespace.
    6. Unicode punctuation and symbols are stripped from both ends of each token
       (``"(24,179),"`` -> ``24,179``; ``$2.02`` -> ``2.02``); inner ones stay
       (``2.02``, ``o'brien``, ``at&t``).  A token that was only punctuation is
       dropped; a lone ``&`` becomes ``and``.  Currency symbols are thus dropped,
       and a currency amount with a magnitude suffix is spelled out:
       ``£4.3m`` -> ``4.3 million``, ``$2bn`` -> ``2 billion`` (k, m, mn, b, bn,
       tn; only after a currency symbol, since a bare ``10m`` may be metres).
    7. Numerals: thousands separators are removed (``24,179`` -> ``24179``; only
       well-formed 3-digit groups), trailing fractional zeros are dropped
       (``3.0`` -> ``3``, ``2.50`` -> ``2.5``).
    8. Number words become digits: ``zero``..``nineteen``, the tens, and phrases
       built from them with ``hundred``/``thousand`` (and an optional ``and`` after
       those): ``ten`` -> ``10``, ``twenty five`` -> ``25``, ``one hundred and
       twenty`` -> ``120``.  A phrase does not run across punctuation, and
       ``hundred``/``thousand`` without a number word before them, ``million``,
       ordinals (``first``) and plurals (``hundreds``) stay words.  Both sides of
       every comparison go through the same function, so ``ten`` matches ``10``.

    A number glued to a unit of weight, length or volume is split (``23kg`` -> ``23 kg``),
    so ``23`` matches it; other letter suffixes (``1st``, ``10m``) are left alone.

    Not normalised: word-form magnitudes versus digits (``2 million`` vs
    ``2000000``), bare suffixes (``4.3m``), plurals, stemming, British/American
    spelling, abbreviations (``u.s`` vs ``us``).
    """
    text = MARKER.sub(" ", text)
    text = unicodedata.normalize("NFKC", text).lower().translate(_CHAR_MAP)
    text = _SEPARATORS.sub(" ", text.replace("%", " percent "))
    text = _UNIT.sub(r"\1 \2", text)
    toks: list[str] = []
    hard: list[bool] = []  # hard[i]: punctuation right after toks[i]
    for raw in text.split():
        parts, before, after = _clean_token(raw)
        if before and hard:
            hard[-1] = True
        for part in parts:
            if part == "cent" and toks and toks[-1] == "per" and not hard[-1]:
                toks[-1] = "percent"
                continue
            toks.append(part)
            hard.append(False)
        if after and hard:
            hard[-1] = True
    out: list[str] = []
    i = 0
    while i < len(toks):
        if toks[i] in _UNITS or toks[i] in _TENS:
            value, i = _parse_number_words(toks, hard, i)
            out.append(str(value))
        else:
            out.append(toks[i])
            i += 1
    return " ".join(out)



# --------------------------------------------------------------------------- support

SUPPORT_METHOD = "lexical-overlap"
"""How :func:`support_score` judges support: lexical overlap of content tokens."""

SUPPORT_THRESHOLD = 0.6
"""A cited sentence is supported when at least this share of its content tokens is in its quotes."""

STOPWORDS: frozenset[str] = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself of off on once only or other our ours ourselves out
    over own same she should so some such than that their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while
    who whom why will with would you your yours yourself yourselves said says according""".split()
)
"""Words ignored by :func:`support_score`.  Negations (``no``, ``not``, ``nor``) are
deliberately NOT stopwords: a claim that drops or adds one must not look supported."""

_SENTENCE_END = re.compile(r"[.!?]+[\"'\u2019\u201d)\]]*(?=\s)")
_MARKERS_AFTER_STOP = re.compile(r"([.!?]+)((?:\s*\[\s*\d+(?:\s*,\s*\d+)*\s*\])+)")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st sr jr inc ltd co corp vs etc gov sen rep gen lt col sgt capt det "
    "jan feb mar apr jun jul aug sep sept oct nov dec e.g i.e u.s u.k a.m p.m".split()
)


def cited_numbers(text: str) -> list[int]:
    """The citation numbers in ``text``, in order of appearance, repeats kept.

    ``"A [1]. B [2, 3][1]."`` -> ``[1, 2, 3, 1]``.
    """
    return [int(n) for m in MARKER.finditer(text) for n in m.group(1).split(",")]


def answer_sentences(text: str) -> list[str]:
    """Split answer text into sentences, keeping each citation marker with its claim.

    Markers written after the full stop (``"... £5m. [1] Next"``, ``"£5m.[1]"``) are
    moved before it so they stay with the sentence they cite.  Breaks are at
    ``.``/``!``/``?`` (plus closing quotes/brackets) followed by whitespace, and at
    line breaks; not after common abbreviations (``Mr.``, ``U.S.``) or single
    initials.  Empty pieces are dropped.
    """
    text = _MARKERS_AFTER_STOP.sub(lambda m: m.group(2) + m.group(1), text)
    pieces: list[str] = []
    for line in text.splitlines():
        start = 0
        for m in _SENTENCE_END.finditer(line):
            pieces.append(line[start : m.end()])
            start = m.end()
        pieces.append(line[start:])
        pieces.append("\n")  # never merge across a line break
    out: list[str] = []
    glue = False
    for piece in pieces:
        if piece == "\n":
            glue = False
            continue
        piece = piece.strip()
        if not piece:
            continue
        if glue and out:
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
        last = piece.rsplit(None, 1)[-1].lower().rstrip(".")
        glue = piece.endswith(".") and (last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()))
    return out


def content_tokens(text: str) -> set[str]:
    """The distinct :func:`normalize` tokens of ``text`` that are not :data:`STOPWORDS`."""
    return {t for t in normalize(text).split() if t not in STOPWORDS}


def support_score(sentence: str, quotes: Iterable[str] | str) -> float:
    """Lexical support of one sentence by its quote(s), in [0, 1] (method ``lexical-overlap``).

    The share of the sentence's distinct content tokens -- :func:`normalize` tokens
    (citation markers removed) that are not in :data:`STOPWORDS` -- which occur
    among the normalised tokens of any of the quotes (each quote normalised on
    its own).  A sentence with no content tokens scores 1.0 (it claims nothing).
    No stemming or synonyms: a paraphrase scores low, which is why the support
    threshold (:data:`SUPPORT_THRESHOLD`) is below 1.  Independent of the eval
    data structures, so it can check any generated sentence against any text.
    """
    if isinstance(quotes, str):
        quotes = [quotes]
    content = content_tokens(sentence)
    if not content:
        return 1.0
    quote_tokens: set[str] = set()
    for quote in quotes:
        quote_tokens.update(normalize(quote).split())
    return len(content & quote_tokens) / len(content)


def shown_text(title: str, date: str | None, quote: str) -> str:
    """What a reader (or the model) sees of a cited source: title, date, then the quote.
    Support is measured against this, so a claim naming the release's title is supported."""
    return f"{title} ({date or 'undated'}) {quote}"
