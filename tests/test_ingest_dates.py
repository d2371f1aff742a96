"""Date finding: the phrasings, plausibility, and the order of evidence on a scraped page."""
from __future__ import annotations

import datetime as dt

import pytest

from rag.ingest.dates import (
    extract_page_date,
    filename_date,
    find_dates,
    is_dateline,
    page_date_evidence,
    parse_date_value,
    plausible,
)

FAR_FUTURE = f"January 1, {dt.date.today().year + 3}"


@pytest.mark.parametrize(
    "line, iso",
    [
        ("Date: February 19, 2026", "2026-02-19"),
        ("Tuesday, June 9, 2015", "2015-06-09"),
        ("February 19, 2026", "2026-02-19"),
        ("Feb. 19, 2026", "2026-02-19"),
        ("Feb 19 2026", "2026-02-19"),
        ("19 February 2026", "2026-02-19"),
        ("7 Nov 2017", "2017-11-07"),
        ("7th November 2017", "2017-11-07"),
        ("December 1st, 2020", "2020-12-01"),
        ("Sept. 5, 2016", "2016-09-05"),
        ("2026-02-19", "2026-02-19"),
        ("2022-07-13 17:53:50", "2022-07-13"),
        ("2022-07-13T17:53:50Z", "2022-07-13"),
        ("02/19/2026", "2026-02-19"),
        ("October 31, 2018 Contact: Kimberlee Leach", "2018-10-31"),
        ("Posted on: Jan 01, 2025", "2025-01-01"),
        ("Admin | August 29, 2024", "2024-08-29"),
        ("Thursday,\u00a0July 30, 2015", "2015-07-30"),
        ("11 de abril de 2024 Contacto: Claire Crouch", "2024-04-11"),
        ("30 de diciembre, 2025", "2025-12-30"),
        ("Publicado el 11 de abril de 2024", "2024-04-11"),
        ("June 5, 2026: Federal Jury Convicts Four", "2026-06-05"),
        ("FOR IMMEDIATE RELEASE \u2013 June 1, 2020 at 10:00 a.m.", "2020-06-01"),
    ],
)
def test_datelines(line: str, iso: str) -> None:
    hits = find_dates(line)
    assert hits, line
    start, end, d = hits[0]
    assert d.isoformat() == iso
    assert is_dateline(line, start, end), line
    page = ["A headline", line, "Body text of the release follows here."]
    assert extract_page_date(page, [False] * 3, "x.txt") == iso


@pytest.mark.parametrize(
    "line",
    [
        "On Aug. 8, 2024, a man convicted of sex crimes was released.",
        "The crash happened on June 20, 2021 near the freeway.",
        "May 6, 2024 the DA filed a preliminary opposition",
    ],
)
def test_dates_inside_sentences_are_not_datelines(line: str) -> None:
    start, end, _ = find_dates(line)[0]
    assert not is_dateline(line, start, end)


@pytest.mark.parametrize(
    "text",
    [
        "March 3, 1985",  # before 1990
        "June 31, 2020",  # no such day
        FAR_FUTURE,  # more than a year ahead
        "DOB 11/1972",
        "Room 2026, Building 7",
        "February 2019 Contact: Kimberlee Leach",  # month only
        "",
    ],
)
def test_no_plausible_date(text: str) -> None:
    assert find_dates(text) == []


def test_plausible_bounds() -> None:
    today = dt.date(2026, 6, 1)
    assert plausible(dt.date(1990, 1, 1), now=today)
    assert not plausible(dt.date(1989, 12, 31), now=today)
    assert plausible(dt.date(2027, 6, 1), now=today)
    assert not plausible(dt.date(2027, 6, 3), now=today)


@pytest.mark.parametrize(
    "value, iso",
    [
        ("7 Nov 2017", "2017-11-07"),
        ("2017-11-07", "2017-11-07"),
        ("2017-11-07T10:00:00+01:00", "2017-11-07"),
        ("11/07/2017", "2017-11-07"),
        ("Tuesday, 7th November 2017", "2017-11-07"),
        ("Nov 7th, 2017", "2017-11-07"),
        (dt.date(2017, 11, 7), "2017-11-07"),
        (dt.datetime(2017, 11, 7, 9, 30), "2017-11-07"),
        ("November 2017", None),  # not a full date: refused, not invented
        ("sometime", None),
        ("1985-01-01", None),
        (None, None),
        (True, None),
        (20171107, None),
    ],
)
def test_parse_date_value(value: object, iso: str | None) -> None:
    assert parse_date_value(value) == iso


@pytest.mark.parametrize(
    "name, iso",
    [
        ("2016_03_30_brooklyn-man-sentenced.txt", "2016-03-30"),
        ("20230228_mother-who-drowned.txt", "2023-02-28"),
        ("2023-02-28-x.md", "2023-02-28"),
        ("2015_13_01_x.txt", None),
        ("press_1985_story.txt", None),
        ("news_x.txt", None),
        ("202302281_x.txt", None),
    ],
)
def test_filename_date(name: str, iso: str | None) -> None:
    assert filename_date(name) == iso


BODY = [
    "Houston Man Sentenced to 60 Years",
    "",
    "A Houston man was sentenced on Friday for killing his girlfriend on June 20, 2021, officials said.",
    "He pleaded guilty last week to the shootings in front of several witnesses.",
]


def test_evidence_order() -> None:
    flags = [False] * len(BODY)
    # no dateline: the file-name date beats a date inside a sentence (usually the crime's)
    assert page_date_evidence(BODY, flags, "20230217_houston-man.txt") == ("2023-02-17", "filename")
    # nothing better: the sentence date
    assert page_date_evidence(BODY, flags, "houston-man.txt") == ("2021-06-20", "sentence")
    # a dateline beats the file name
    lines = BODY[:1] + ["Thursday, July 30, 2015"] + BODY[1:]
    assert page_date_evidence(lines, [False] * len(lines), "2015_09_10_x.txt") == ("2015-07-30", "dateline")
    # a CMS timestamp anywhere beats a sentence date
    lines = BODY + ["x"] * 60 + ["2022-07-13 17:53:50"]
    assert page_date_evidence(lines, [False] * len(lines), "x.txt") == ("2022-07-13", "timestamp")
    assert page_date_evidence(["Title", "No dates at all in this page."], [False, False], "x.txt") == (None, "none")


def test_boilerplate_datelines_need_a_label() -> None:
    lines = ["Title", "Recent news", "June 8, 2026", "Published", "September 23, 2011", "Body sentence here, and more."]
    flags = [False, True, True, True, True, False]  # even the page's own date line may be boilerplate
    assert extract_page_date(lines, flags, "x.txt") == "2011-09-23"
    flags_no_label = [False, True, True, True, True, False]
    lines_no_label = ["Title", "Recent news", "June 8, 2026", "Other", "September 23, 2011", "Body."]
    assert extract_page_date(lines_no_label, flags_no_label, "x.txt") is None


def test_header_ends_after_three_sentences() -> None:
    prose = [f"Sentence number {i} of the release goes on for a while." for i in range(3)]
    lines = ["Title", *prose, "On March 5, 2014 the defendant did something."]
    assert extract_page_date(lines, [False] * len(lines), "x.txt") is None
    lines = ["Title", prose[0], "March 5, 2014", *prose[1:]]
    assert extract_page_date(lines, [False] * len(lines), "x.txt") == "2014-03-05"


def test_header_window_skips_boilerplate_lines() -> None:
    nav = [f"Menu item {i}" for i in range(60)]
    lines = ["Title | Site", *nav, "June 5, 2026: Man Charged", "Body sentence of the release here."]
    flags = [False] + [True] * 60 + [False, False]
    assert extract_page_date(lines, flags, "x.txt") == "2026-06-05"


def test_weekday_repairs_a_wrong_year() -> None:
    line = "Wednesday, January 7, 2014"  # 7 January 2014 was a Tuesday; 2015's a Wednesday
    assert extract_page_date(["T", line, "Body."], [False] * 3, "2015_01_09_x.txt") == "2015-01-07"
    # wrong month: the file-name date falls on the stated weekday
    line = "Monday, March 13, 2015"
    assert extract_page_date(["T", line, "Body."], [False] * 3, "2015_04_13_x.txt") == "2015-04-13"
    # consistent weekday: kept even if the file name disagrees
    line = "Thursday, August 27, 2015"
    assert extract_page_date(["T", line, "Body."], [False] * 3, "2015_09_04_x.txt") == "2015-08-27"
