"""People and court case numbers as press releases name them (pure patterns).

Prosecutors' releases name a defendant in a few fixed ways: "Jonah Q. Whitlock, 30, of
Flatbush", "Andrew Williams, aka John Williams, 41, was", "identified the defendant as Julius
Esquilin"; and state a case as "Case #14ZF0333", "Case No. 20NF2102". These patterns are what
``rag.collect`` quotes ("Named: ...") and what the index stores per release (table ``names``).
A name mentioned any other way is still found by searching the text for it.
"""
from __future__ import annotations

import re

__all__ = ["AGED_FIRST", "CASE_NUMBER", "DEFENDANT", "IDENTIFIED", "PERSON", "STEP_NAMED", "case_numbers",
           "named_people"]

# a name's later words: an initial ("Q."), "Jr."/"Sr.", or a word with no full stop -- so a name never
# runs across a sentence's end ("... of Buena Park. Jonathan Peterson, 25, ...")
PERSON = r"[A-Z][a-z]+(?:\s+(?:[A-Z]\.|[JS]r\.|[A-Z][\w'’-]+)(?![\w'’-])){1,3}"
DEFENDANT = re.compile(rf"\b(?:defendants? (?:was |is )?(?:identified )?as|identified as)\s+(?P<a>{PERSON})|"
                       rf"\b(?P<b>{PERSON}),\s+(?:aka\s[^,]+,\s+)?\d{{1,3}},\s*\w")
# the form that names only a defendant ("identified the defendant as X"): "X, 28," and "the victim was
# identified as X" may name the victim
IDENTIFIED = re.compile(rf"\bdefendants? (?:was |is )?(?:identified )?as\s+(?P<a>{PERSON})")
# an age before a name ("the arrest of 36-year-old Rodney Poucely"): victims are named so too, so it is
# only quoted beside a step of the case, never stored as a defendant
AGED_FIRST = re.compile(rf"\b\d{{1,3}}-year-old\s+(?P<c>{PERSON})")
# a full name beside a step of the case ("Clifford Chaun Loyer faces up to life", "Loyer was sentenced", "a jury
# found Clifford Chaun Loyer guilty"): quoted, like AGED_FIRST, never stored
STEP_NAMED = re.compile(rf"\b(?P<d>{PERSON})\s+(?:faces\b|pleaded\b|pled\b|(?:was|is|has been|had been)\s+"
                        rf"(?:\w+\s+){{0,2}}?(?:convicted|sentenced|charged|arraigned|indicted|found guilty)\b)|"
                        rf"\bfound\s+(?P<e>{PERSON})\s+guilty\b")
CASE_NUMBER = re.compile(r"\bCase\s*(?:#|No\.?|Number)\s*:?\s*([A-Z0-9]*\d[A-Z0-9-]{3,}[A-Z0-9])")


def named_people(text: str) -> list[str]:
    """The people ``text`` names as a defendant is named (see the module's doc), in order, once each."""
    return list(dict.fromkeys((m["a"] or m["b"]).strip() for m in DEFENDANT.finditer(text or "")))


def case_numbers(text: str) -> list[str]:
    """The court case numbers ``text`` states, in order, once each."""
    return list(dict.fromkeys(CASE_NUMBER.findall(text or "")))
