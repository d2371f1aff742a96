"""Canonical text for matching answers against sources: :func:`normalize` (numbers, number
words, currency amounts, dashes and quotes, citation markers; rules in its docstring).

The evaluation's key facts, token F1 and support measure all compare text through it, and so
do the answerers' citation check: both sides of every comparison go through the same function.
"""
from __future__ import annotations

import re
import unicodedata

from .markers import MARKER

_CHAR_MAP = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        # hyphen, non-breaking hyphen, figure dash, en dash, em dash, bar, minus, small em dash
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58", "-"),
    }
)
_SEPARATORS = re.compile(r"[-/]")
_GLUED_COMMA = re.compile(r",(?=[^\W\d_])")  # "22,pleaded": a scraped page's missing space after a comma
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
       ``twenty-five`` -> ``twenty five``), and so does a comma with a letter right after it (a
       scraped page's ``22,pleaded`` -> ``22 pleaded``; ``24,179`` stays); other splitting is on whitespace.
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
    text = _SEPARATORS.sub(" ", _GLUED_COMMA.sub(", ", text.replace("%", " percent ")))
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
