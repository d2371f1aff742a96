"""rag.question.timeparse: time expressions -> release-date scopes."""
from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.question.timeparse import TimeScope, parse_time, strip_time

D = date.fromisoformat
AS_OF = D("2024-05-15")  # default as_of for explicit (absolute) expressions

# (question, as_of or None for AS_OF, start, end, prefer_recent)
TABLE = [
    # explicit months / years
    ("What happened in March 2019?", None, "2019-03-01", "2019-03-31", False),
    ("Burglary arrests in Luton, March 2019", None, "2019-03-01", "2019-03-31", False),
    ("What did the DA announce in Sept. 2019?", None, "2019-09-01", "2019-09-30", False),
    ("Which releases came out in Jan 2020?", None, "2020-01-01", "2020-01-31", False),
    ("What did the office announce in 2017?", None, "2017-01-01", "2017-12-31", False),
    ("Who was charged during 2017?", None, "2017-01-01", "2017-12-31", False),
    ("2017", None, "2017-01-01", "2017-12-31", False),
    ("Luton knife arrests 2017?", None, "2017-01-01", "2017-12-31", False),
    ("In January 2022, what did Dallas County DA John Creuzot change?", None, "2022-01-01", "2022-01-31", False),
    ("In October 2006 a third-striker went on trial in Orange County.", None, "2006-10-01", "2006-10-31", False),
    # ranges
    ("Which gun cases were filed between May and July 2020?", None, "2020-05-01", "2020-07-31", False),
    ("What happened from March to May 2021?", None, "2021-03-01", "2021-05-31", False),
    ("Convictions between 2015 and 2017", None, "2015-01-01", "2017-12-31", False),
    ("Arrests between November and February 2020", None, "2019-11-01", "2020-02-29", False),
    ("What was filed between June 1 and June 9, 2015?", None, "2015-06-01", "2015-06-09", False),
    ("from May 2019 through July 2020", None, "2019-05-01", "2020-07-31", False),
    # single days
    ("What did the DA announce on June 9, 2015?", None, "2015-06-09", "2015-06-09", False),
    ("What was announced June 9, 2015?", None, "2015-06-09", "2015-06-09", False),
    ("What was announced on 9 June 2015?", None, "2015-06-09", "2015-06-09", False),
    ("What was announced on the 9th of June 2015?", None, "2015-06-09", "2015-06-09", False),
    ("Release dated 2015-06-09 about a DUI", None, "2015-06-09", "2015-06-09", False),
    # seasons, quarters, early/mid/late
    ("Shootings in the summer of 2019", None, "2019-06-01", "2019-08-31", False),
    ("Arrests in the winter of 2019", None, "2019-12-01", "2020-02-29", False),
    ("What was reported in Q1 2020?", None, "2020-01-01", "2020-03-31", False),
    ("What was reported in the third quarter of 2021?", None, "2021-07-01", "2021-09-30", False),
    ("What changed in early 2020?", None, "2020-01-01", "2020-04-30", False),
    ("Cases filed late 2019", None, "2019-09-01", "2019-12-31", False),
    ("What happened in mid-2019?", None, "2019-05-01", "2019-08-31", False),
    ("As of mid-April 2022, how many arrests?", None, "2022-04-01", "2022-04-30", False),
    ("Charges announced in late March 2020", None, "2020-03-01", "2020-03-31", False),
    # open-ended
    ("What has the DA announced since 2020?", None, "2020-01-01", "2024-05-15", False),
    ("since March 2019", D("2019-03-15"), "2019-03-01", "2019-03-15", False),
    ("Which cases were closed before 2010?", None, None, "2009-12-31", False),
    ("Which releases came after March 2019?", None, "2019-04-01", None, False),
    ("Charges filed until 2019", None, None, "2019-12-31", False),
    ("In the year to 31 May 2022, how many disruptions?", None, "2022-05-31", "2023-05-31", False),
    # relative to as_of, across month / year / leap boundaries
    ("What did the DA announce yesterday?", D("2021-01-01"), "2020-12-31", "2020-12-31", False),
    ("What was announced today?", D("2024-02-29"), "2024-02-29", "2024-02-29", False),
    ("What did the DA say this week?", D("2024-01-01"), "2024-01-01", "2024-01-01", False),  # Monday
    ("What did the DA say this week?", D("2024-01-07"), "2024-01-01", "2024-01-07", False),  # Sunday
    ("Riverside County's DA said this week that judges ...", D("2022-11-10"), "2022-11-07", "2022-11-10", False),
    ("Arrests last week", D("2024-03-01"), "2024-02-19", "2024-02-25", False),  # leap February
    ("Arrests last week", D("2024-01-03"), "2023-12-25", "2023-12-31", False),
    ("Charges this month", D("2024-02-29"), "2024-02-01", "2024-02-29", False),
    ("Charges last month", D("2024-01-03"), "2023-12-01", "2023-12-31", False),
    ("Charges last month", D("2024-03-31"), "2024-02-01", "2024-02-29", False),
    ("What was announced this year?", D("2024-01-03"), "2024-01-01", "2024-01-03", False),
    ("What was announced last year?", D("2024-01-03"), "2023-01-01", "2023-12-31", False),
    ("Arrests in the past 30 days", D("2024-03-01"), "2024-02-01", "2024-03-01", False),
    ("Releases over the last two weeks", D("2024-01-03"), "2023-12-21", "2024-01-03", False),
    ("Charges in the last three months", D("2024-05-31"), "2024-03-01", "2024-05-31", False),
    ("Seizures in the past year", D("2024-02-29"), "2023-03-01", "2024-02-29", False),
    ("Arrests over the past week", D("2024-01-03"), "2023-12-28", "2024-01-03", False),
    ("Arrests in the last 12 months", D("2023-01-31"), "2022-02-01", "2023-01-31", False),
    ("What has the DA recently announced?", D("2024-01-03"), "2023-10-06", "2024-01-03", True),
    ("Any recent fraud cases?", D("2024-01-03"), "2023-10-06", "2024-01-03", True),
    # prefer-recent only
    ("What is the latest release about knife crime?", None, None, None, True),
    ("the most recent conviction in Luton", None, None, None, True),
    ("Which was the newest scheme?", None, None, None, True),
    ("What was last announced about Dallow Cares?", None, None, None, True),
    ("What is the latest release from 2019?", None, "2019-01-01", "2019-12-31", True),
    # yearless month / day (weak) resolve to the latest on or before as_of
    ("What happened in February?", D("2024-01-03"), "2023-02-01", "2023-02-28", False),
    ("What happened in May?", D("2024-05-15"), "2024-05-01", "2024-05-31", False),
    ("What was announced on June 9?", D("2024-01-03"), "2023-06-09", "2023-06-09", False),
    # several expressions
    ("In June 2023 the team identified a woman found along Highway 60 in 1996.", None,
     "2023-06-01", "2023-06-30", False),
    ("Which releases since 2020 mention charges in March 2021?", None, "2021-03-01", "2021-03-31", False),
    ("said this week ... dismissed over the past four weeks?", D("2022-11-10"), "2022-11-07", "2022-11-10", False),
    ("As of mid-April 2022, arrests since the incidents that began in February", None,
     "2022-04-01", "2022-04-30", False),
]


@pytest.mark.parametrize("question,as_of,start,end,prefer", TABLE)
def test_table(question, as_of, start, end, prefer):
    scope = parse_time(question, as_of or AS_OF)
    assert scope is not None, question
    assert (scope.start, scope.end, scope.prefer_recent) == (
        start and D(start), end and D(end), prefer)
    assert scope.matched
    for part in scope.matched.split("; "):
        assert part in question


def test_table_is_big_enough():
    assert len(TABLE) >= 40


FALSE_POSITIVES = [
    "He was sentenced to 2017 days in jail.",
    "The fine was $2,019 for the violation.",
    "He was sentenced to 15 years in prison.",
    "What was case 2019-CF-123 about?",
    "Who killed the 19-year-old cashier?",
    "Where on Highway 60 was the body found?",
    "Who robbed the 99 Cent Store?",
    "How many of the 24,179 cases were dismissed?",
    "What is the defendant's last name?",
    "The jury at last reached a verdict; what was it?",
    "Police may have arrested the wrong man. Who?",
    "Who chose the name for May Day?",
    "On top of his 20-years-to-life murder sentence for a 2013 stabbing, how much extra time?",
    "What prison term did Tyheim Smith get for the 2015 botched robbery?",
    "She was charged over the December 2020 Newport Beach DUI crash.",
    "Who got a term for the 2017 East Flatbush shooting?",
    "According to the Dallas County DA's 2023 annual report, how many cases did the office indict that year?",
    "Which centre held an event after the 2017 Luton incidents?",
    "How many knives were seized in Luton parks?",
    "He was jailed for his role in 2019 robbery of a jeweller.",
    "Who said Jun Lee was at the scene?",
    "Police will march on City Hall; who organised it?",
    "What happened in 1985 at the plant?",  # years before 1990 are not release years
    "How many defendants were charged in a 12-month operation?",
    "Give its title and date.",
    "Serial murderer extradited for killing five women between 1986 and 1995",
    "Gang member agrees to continue parole hearing to 2014",
    "Cold case DNA hit after 2013 arrest led to charges",
    "",
]


@pytest.mark.parametrize("question", FALSE_POSITIVES)
def test_false_positives(question):
    assert parse_time(question, AS_OF) is None


def test_future_years_beyond_next_are_ignored():
    assert parse_time("plans announced in 2026", D("2024-05-15")) is None
    assert parse_time("plans announced in 2025", D("2024-05-15")).start == D("2025-01-01")


def test_impossible_day_is_ignored():
    assert parse_time("on June 31, 2015", AS_OF) is None


def test_as_of_defaults_to_today():
    scope = parse_time("what happened today?")
    assert scope.start == scope.end == date.today()


def test_mixed_prefer_and_bounds():
    scope = parse_time("the most recent arrest this month", D("2024-02-10"))
    assert (scope.start, scope.end, scope.prefer_recent) == (D("2024-02-01"), D("2024-02-10"), True)
    assert scope.matched == "most recent; this month"


# ---------------------------------------------------------------- strip_time
@pytest.mark.parametrize("question,as_of,expected", [
    ("In January 2022, what did Dallas County DA John Creuzot change?", AS_OF,
     "what did Dallas County DA John Creuzot change?"),
    ("Riverside County's DA said this week that judges have been throwing out cases. "
     "How many criminal cases were dismissed over the past four weeks?", D("2022-11-10"),
     "Riverside County's DA said that judges have been throwing out cases. "
     "How many criminal cases were dismissed?"),
    ("What is the latest release about knife crime?", AS_OF, "What is the release about knife crime?"),
    ("Which gun cases were filed between May and July 2020 in Brooklyn?", AS_OF,
     "Which gun cases were filed in Brooklyn?"),
    ("In June 2023 the team identified a woman found in 1996.", AS_OF,
     "the team identified a woman found in 1996."),
    ("Who was convicted in November.", AS_OF, "Who was convicted."),
    ("What did the DA say in Sept. 2019?", AS_OF, "What did the DA say?"),
])
def test_strip_time(question, as_of, expected):
    assert strip_time(question, parse_time(question, as_of)) == expected


def test_strip_time_without_scope_tidies_whitespace():
    assert strip_time("  how   many knives ?  ", None) == "how many knives?"
    assert strip_time("how many knives?", TimeScope(None, None, False, "")) == "how many knives?"


# ---------------------------------------------------------------- contains
def test_contains():
    march = TimeScope(D("2019-03-01"), D("2019-03-31"), False, "in March 2019")
    assert march.contains("2019-03-01") and march.contains("2019-03-31")
    assert march.contains("2019-03-15T10:00:00")
    assert not march.contains("2019-04-01") and not march.contains("2019-02-28")
    assert not march.contains(None) and not march.contains("") and not march.contains("soon")
    before = parse_time("before 2010", AS_OF)
    assert before.contains("1999-01-01") and not before.contains("2010-01-01")
    after = parse_time("after March 2019", AS_OF)
    assert after.contains("2030-01-01") and not after.contains("2019-03-31") and not after.contains(None)
    latest = parse_time("the latest release", AS_OF)
    assert latest.contains(None) and latest.contains("1999-01-01")


# ---------------------------------------------------------------- dev set
DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"
DEV_EXPECTED = {
    "dev-011": ("2022-01-01", "2022-01-31"),
    "dev-012": ("2024-01-01", "2024-12-31"),
    "dev-014": ("2022-04-01", "2022-04-30"),
    "dev-021": ("2021-04-01", "2021-04-30"),
    "dev-023": ("2006-10-01", "2006-10-31"),
    "dev-026": ("2009-01-01", "2009-12-31"),
    "dev-028": ("2022-05-31", "2023-05-31"),
    "dev-039": ("2022-11-07", "2022-11-10"),
    "dev-041": ("2024-06-02", "2025-06-01"),
    "dev-043": ("2023-06-01", "2023-06-30"),
    "dev-044": ("2018-01-01", "2025-06-01"),
}


@pytest.mark.skipif(not DEV.is_file(), reason="shared dev set not found")
def test_dev_set():
    for line in DEV.read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        as_of = D(q["as_of"]) if q.get("as_of") else D("2025-06-01")
        scope = parse_time(q["question"], as_of)
        want = DEV_EXPECTED.get(q["id"])
        got = scope and (scope.start.isoformat(), scope.end.isoformat())
        assert got == want, (q["id"], q["question"], got)


# ---------------------------------------------------------------- properties
RELATIVE = ["yesterday", "today", "this week", "last week", "this month", "last month",
            "this year", "last year", "recently", "the past week", "over the last year"]
UNITS = ["days", "weeks", "months", "years"]
NUMBER_WORDS = "one two three four five six seven eight nine ten eleven twelve".split()


@st.composite
def relative_phrases(draw):
    if draw(st.booleans()):
        return draw(st.sampled_from(RELATIVE))
    n = draw(st.integers(1, 12))
    number = draw(st.sampled_from([str(n), NUMBER_WORDS[n - 1]]))
    lead = draw(st.sampled_from(["in the past", "over the last", "in the last", "within the past"]))
    return f"{lead} {number} {draw(st.sampled_from(UNITS))}"


@settings(max_examples=300, deadline=None)
@given(as_of=st.dates(D("1995-01-01"), D("2099-12-31")), phrase=relative_phrases())
def test_relative_expressions_end_on_or_before_as_of(as_of, phrase):
    scope = parse_time(f"What was announced {phrase}?", as_of)
    assert scope is not None and scope.start is not None and scope.end is not None
    assert scope.start <= scope.end <= as_of
    assert scope.contains(scope.start.isoformat()) and scope.contains(scope.end.isoformat())
    assert scope.contains((scope.end + timedelta(days=0)).isoformat())
    assert not scope.contains((scope.end + timedelta(days=1)).isoformat())


@settings(max_examples=300, deadline=None)
@given(question=st.text(max_size=80), as_of=st.dates(D("1995-01-01"), D("2099-12-31")))
def test_never_raises_and_scopes_are_ordered(question, as_of):
    scope = parse_time(question, as_of)
    if scope is not None:
        assert scope.start is None or scope.end is None or scope.start <= scope.end
        assert isinstance(strip_time(question, scope), str)


WORDS = ["in", "on", "since", "before", "after", "between", "and", "from", "to", "the", "a", "of",
         "March", "May", "may", "Sept.", "June", "February", "9", "31", "29th", "2019", "1996", "2099",
         "2100", "1989", "2019-06-09", "2019-02-30", "summer", "winter", "Q4", "early", "mid-", "late",
         "last", "past", "this", "week", "weeks", "month", "year", "years", "999", "twelve", "today",
         "yesterday", "recently", "latest", ",", "?", "year to", "shooting", "DA's"]


@settings(max_examples=500, deadline=None)
@given(words=st.lists(st.sampled_from(WORDS), max_size=12),
       as_of=st.dates(D("1990-01-01"), D("2099-12-31")))
def test_date_vocabulary_fuzz(words, as_of):
    question = " ".join(words)
    scope = parse_time(question, as_of)
    if scope is not None:
        assert scope.start is None or scope.end is None or scope.start <= scope.end
        for part in scope.matched.split("; "):
            assert part in question
        strip_time(question, scope)


def test_a_month_of_last_year_and_last_month_name():
    import datetime as dt

    from rag.question.timeparse import parse_time

    as_of = dt.date(2024, 3, 15)
    for text in ("put out in October of last year?", "in October last year", "last October"):
        scope = parse_time(text, as_of)
        assert (scope.start, scope.end) == (dt.date(2023, 10, 1), dt.date(2023, 10, 31)), text
    scope = parse_time("last February", as_of)
    assert (scope.start, scope.end) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    scope = parse_time("in January this year", as_of)
    assert (scope.start, scope.end) == (dt.date(2024, 1, 1), dt.date(2024, 1, 31))


def test_halves_quarters_and_first_or_last_months_and_weeks():
    import datetime as dt

    from rag.question.timeparse import parse_time

    for text, start, end in (("in the first half of 2022", (2022, 1, 1), (2022, 6, 30)),
                             ("during the second half of 2021", (2021, 7, 1), (2021, 12, 31)),
                             ("in H2 2020", (2020, 7, 1), (2020, 12, 31)),
                             ("in the back half of 2020", (2020, 7, 1), (2020, 12, 31)),
                             ("in the final quarter of 2021", (2021, 10, 1), (2021, 12, 31)),
                             ("in the last two months of 2024", (2024, 11, 1), (2024, 12, 31)),
                             ("in the first 6 months of 2023", (2023, 1, 1), (2023, 6, 30)),
                             ("in the first three months of 2023", (2023, 1, 1), (2023, 3, 31)),
                             ("in the first week of June 2022", (2022, 6, 1), (2022, 6, 7)),
                             ("in the last week of February 2024", (2024, 2, 23), (2024, 2, 29))):
        scope = parse_time(text, dt.date(2024, 3, 15))
        assert (scope.start, scope.end) == (dt.date(*start), dt.date(*end)), text


def test_two_years_joined_by_and():
    import datetime as dt

    from rag.question.timeparse import parse_time

    scope = parse_time("exonerated in 2023 and 2024", dt.date(2026, 1, 1))
    assert (scope.start, scope.end) == (dt.date(2023, 1, 1), dt.date(2024, 12, 31))


def test_two_months_joined_by_a_dash_before_the_year():
    as_of = date(2026, 7, 1)
    for text, start, end in (("latest news (May-June 2026)", date(2026, 5, 1), date(2026, 6, 30)),
                             ("releases in March–April 2024", date(2024, 3, 1), date(2024, 4, 30)),
                             ("during Nov - Dec 2023", date(2023, 11, 1), date(2023, 12, 31))):
        scope = parse_time(text, as_of)
        assert (scope.start, scope.end) == (start, end), text
    assert parse_time("latest news (May-June 2026)", as_of).prefer_recent  # "latest" is still read


def test_months_listed_after_a_temporal_word_span_first_to_last():
    as_of = date(2026, 7, 1)
    for text, start, end in (("Who was charged in October and November 2024 for fraud?", date(2024, 10, 1), date(2024, 11, 30)),
                             ("sentenced in September and October 2024", date(2024, 9, 1), date(2024, 10, 31)),
                             ("during June, July or August 2019", date(2019, 6, 1), date(2019, 8, 31)),
                             ("in November and February 2020", date(2019, 11, 1), date(2020, 2, 29))):
        scope = parse_time(text, as_of)
        assert (scope.start, scope.end) == (start, end), text
    assert parse_time("the March and April 2019 shootings", as_of) is None  # no temporal word: an adjective
