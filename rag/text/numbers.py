"""Which numbers in a sentence are counts ("34 felony counts", "four of the ten defendants", "twice",
"750 hours"), and which are something else a "how many" question is not answered by: a date or year,
a clock time, an age ("25-years-old", "Nolan, 47,"), an ordinal ("his 16th birthday"), a street
address, a code or case number, a percentage.

``counts(text)`` lists the counts, ``counts_of(text, nouns)`` tells whether one counts a noun asked ("how many
service centers": "28 centers", not "28 other prosecutors"); ``AGE`` is what states a person's age
("36-year-old", "Smith, 36,", "aged 36", "(36)"), also read by ``rag.question.asked`` for "how old was X?".
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from .stem import snowball

__all__ = ["AGE", "counts", "counts_of"]

AGE = re.compile(r"\b\d{1,3}[\s-]years?[\s-]old\b|,\s*\d{1,3},|\b(?:age|aged)\s+\d{1,3}\b|\(\d{1,3}\)", re.I)

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_STREET = r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Way|Place|Pl|Court|Ct|Parkway|Highway)"
_NOT_COUNT = re.compile(
    rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\b(?:19|20)\d\d\b|\b\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?"  # dates
    r"|\b\d{1,2}(?::\d\d)?\s*[ap]\.?m\b|\b\d{1,2}:\d\d\b"  # clock times
    r"|\b\d+(?:st|nd|rd|th)\b"  # ordinals
    rf"|{AGE.pattern}|\bages\s+\d+|,\s*\d{{1,3}}\s*(?=\bof\b|\band\b)"  # ages
    rf"|\b\d[\d,-]*\s+(?:block\s+of\s+)?(?-i:(?:[A-Z][\w.]*\s+){{1,3}}{_STREET})\b"  # street addresses
    r"|\b(?:no\.|number|#|section|code|case|docket|ordinance)\s*[\w-]*\d[\w.-]*"  # codes, case numbers
    r"|\b\d[\d,.]*\s*(?:%|percent)", re.I)
_COUNT = re.compile(r"\b\d[\d,]*(?:\.\d+)?\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|"
                    r"seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|dozens?|once|twice|both|"
                    r"several|half)\b", re.I)


def counts(text: str) -> list[str]:
    """The counts ``text`` states, in order: numbers and number words that are not a date, a time, an
    age, an ordinal, an address, a code or a percentage."""
    return _COUNT.findall(_blank_not_counts(text))


def _blank_not_counts(text: str) -> str:
    """``text`` with every number that is no count (``_NOT_COUNT``) blanked to spaces, offsets kept."""
    return _NOT_COUNT.sub(lambda m: " " * len(m.group()), text)


_WORD = re.compile(r"[^\W\d_]+")
COUNTED_WINDOW = 5  # words after a count that may name what it counts ("25 active fentanyl-related homicide cases")


def counts_of(text: str, nouns: Sequence[str]) -> bool:
    """Whether ``text`` states a count of one of ``nouns`` (compared by Snowball stem): a count (``counts``)
    followed within ``COUNTED_WINDOW`` words by one of them ("10 knives", "six prior strike convictions",
    "a 63-count indictment"), not a count of something else ("28 other prosecutors" for "how many centers")."""
    wanted = set(snowball([n.lower() for n in nouns]))
    for m in _COUNT.finditer(_blank_not_counts(text)):
        after = [w.lower() for w in _WORD.findall(text[m.end():m.end() + 160])[:COUNTED_WINDOW]]
        if wanted & set(snowball(after)):
            return True
    return False
