"""Which numbers are counts (``rag.text.numbers``)."""
from __future__ import annotations

import pytest

from rag.text.numbers import counts, counts_of


@pytest.mark.parametrize("text, expected", [
    ("arrested 4 of the 10 defendants", ["4", "10"]),
    ("charged with 34 felony counts", ["34"]),
    ("fired twice into the crowd", ["twice"]),
    ("On September 7, 2020 at approximately 2:44 a.m.", []),  # a date, a year, a time
    ("who was a week shy of his 16th birthday", []),  # an ordinal
    ("the victim, who was 25-years-old at the time", []),  # an age
    ("Jeffrey Catanzarite, 59, Irvine, and Max Matos, 78, Long Beach", []),  # ages after names
    ("was in Brooklyn Criminal Court at 120 Schermerhorn Street", []),  # an address
    ("in violation of Penal Code 187 in case number 21-0042", []),  # codes
    ("a 12 percent rise", []),
    ("More than 750 hours of additional patrols", ["750"]),  # a length of time counts
])
def test_counts(text, expected):
    assert counts(text) == expected



def test_a_count_of_the_thing_asked():
    settled = "Firestone agreed to a more than $3 million settlement with her office and 28 other prosecutors."
    assert counts(settled) and not counts_of(settled, ["service", "centers"])  # 28 prosecutors, no centers
    assert counts_of("Investigators inspected 41 Firestone service centers.", ["service", "centers"])
    assert counts_of("officers located and seized 10 knives", ["knife"])  # Snowball stems, irregular plurals folded
    assert counts_of("arraigned on a 63-count indictment", ["felony", "counts"])  # "63-count"
    assert counts_of("the first of 25 active fentanyl-related homicide cases", ["cases"])  # five words on
    assert not counts_of("stealing $16,300 in shoes and other merchandise on March 28", ["pairs"])
    assert not counts_of("On March 28, 2024 the centers closed.", ["centers"])  # a date counts nothing
