"""Time expressions in a question -> a release-date scope (pure functions, no I/O).

``parse_time(question, as_of)`` returns a :class:`TimeScope` (inclusive ``start``/``end``
dates, either may be open) or ``None`` when the question holds no time expression.
The scope is meant for the *publication date of a release*; callers apply it softly.

Rules
-----
Dates ("atoms"): ``2015-06-09``; ``9 June 2015`` / ``9th of June 2015``; ``June 9, 2015``;
``March 2019`` / ``Sept. 2019``; ``2017``; ``early/mid/late 2020`` (Jan-Apr / May-Aug /
Sep-Dec); ``early/mid/late March 2020`` and ``mid-April 2022`` (the whole month: a release
"as of mid-April" may come out any day of it); ``the summer of 2019`` (spring Mar-May,
summer Jun-Aug, autumn/fall Sep-Nov, winter Dec Y..Feb Y+1); ``Q1 2020`` / ``the first
quarter of 2020``. Month names full or abbreviated, with or without a dot. A year is a
4-digit token 1990..as_of.year+1 standing alone (not in ``$2,019``, ``24,179``,
``2019-CF-123``, ``19-year-old``, ``2017 days``); impossible days (June 31) are ignored.

Which atoms count: only those governed by a temporal word, or standing alone:
  in / during / on / throughout / as of / from D -> D;  since D -> D.start..as_of;
  before / prior to D -> ..D.start-1;  after D -> D.end+1..;  until / till / through D -> ..D.end;
  between|from A and|to|until|through B -> A.start..B.end (a yearless A takes B's year, or
  the year before when A's month is later: "between November and February 2020"); two months joined
  by a dash, the year after the second ("May-June 2026", "in March–April 2024") likewise, and months
  listed after in/during/for ("in October and November 2024", "during June, July or August 2019");
  "in the year (or 12 months) to|ending D" -> D..D+1 year: figures for a period that ends on
  D are published on or after D (normally within a year), and the scope is a release date.
  A full date/month with its year and no temporal word ("March 2019", "June 9, 2015") counts
  unless it is used as an adjective: preceded by a determiner / possessive / "of" ("a 2013
  stabbing", "the December 2020 Newport Beach DUI crash", "the DA's 2023 annual report") or
  followed by an event noun ("in 2019 robbery"). A bare year counts only as the whole
  question, at its very start before a comma/colon/dash ("2017: ...") or as its last word
  ("Luton knife arrests 2017?", but not after to/and/than/by...: "between 1986 and 1995"
  with 1986 out of range stays None). Yearless months/days ("in February", "on June 9") need a
  capitalised month ("may have" is never May) and resolve to the latest such month/day on or
  before as_of; they are *weak*: used only when no dated expression is present.
Relative to as_of: today; yesterday; this week (Monday..as_of); last week (previous
Monday..Sunday); this month (1st..as_of); last month (the previous calendar month); this
year (Jan 1..as_of); last year (the previous calendar year); [in|over|within] the
past|last|previous [N] days|weeks|months|years and "past|last N units" -> a rolling window
as_of-N units+1 day..as_of (N = 1..999 or one..twelve, default 1: "the past week" = 7 days,
"over the last year" = 12 months; "past week/month/year" without "the" is rolling too);
"recent"/"recently" -> the last 90 days and prefer_recent. "latest", "newest", "most
recent(ly)", "last announced" -> prefer_recent=True, no bounds of their own. "last" on its
own ("last name", "at last") never triggers.

Several expressions: they are intersected, latest first (sorted by end, open = latest);
an expression that would empty the intersection is dropped. A release reports on events
before it, so when expressions conflict the latest is the likeliest publication window
("In June 2023 ... found along Highway 60 in 1996" -> June 2023). ``matched`` holds the
phrases used, in question order, joined by "; "; ``strip_time`` removes exactly those.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

date = _dt.date
RECENT_DAYS = 90
_SEP = "; "


@dataclass(frozen=True)
class TimeScope:
    start: date | None  # inclusive; None = open
    end: date | None  # inclusive; None = open
    prefer_recent: bool = False
    matched: str = ""

    @property
    def bounded(self) -> bool:
        return self.start is not None or self.end is not None

    def contains(self, iso_date: str | None) -> bool:
        """Whether a release dated ``iso_date`` (YYYY-MM-DD...) falls in the scope.

        Unbounded scopes contain everything; a missing or unreadable date is outside any
        bounded scope.
        """
        if not self.bounded:
            return True
        if not iso_date:
            return False
        try:
            d = date.fromisoformat(iso_date.strip()[:10])
        except ValueError:
            return False
        return (self.start is None or self.start <= d) and (self.end is None or d <= self.end)


# ---------------------------------------------------------------- vocabulary
_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
           "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12}
_NUMS = {w: i for i, w in enumerate(
    "one two three four five six seven eight nine ten eleven twelve".split(), 1)}
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 14)}
_ORD = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
        "back": 2, "latter": 2}  # "the back half"; "the final/last quarter" is the fourth (``_atom``)
_DETERMINERS = set("a an the this that these those his her their its our my your whose "
                   "each every same of".split())
_LINKS = set("to and or than between from by at with for".split())
_EVENT_NOUN = (r"(?:shootings?|stabbings?|murders?|killings?|robber(?:y|ies)|crash(?:es)?|cases?|"
               r"attacks?|incidents?|homicides?|fires?|riots?|reports?|investigations?|"
               r"indictments?|trials?|convictions?|arrests?|fraud|schemes?|collisions?|assaults?|"
               r"burglar(?:y|ies)|heists?|raids?|operations?|elections?|budgets?|annual|"
               r"surveys?|laws?|days|years|months|weeks|hours|people|victims)\b")

_MON = (r"\b(?:(?:january|february|march|april|may|june|july|august|september|october|november|"
        r"december)(?!\w)|(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?(?!\w))")
_Y = r"(?:19|20)\d\d(?!\w|[-/.,:]\d|-[A-Za-z]|\s*%)"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?(?![\w-])"
_QUAL = r"(?:(?:early|mid|late)(?:-|\s+))?"
_NUM = r"(?:\d{1,3}|" + "|".join(_NUMS) + ")"
ATOM = ("(?<![\\w$£€#.,/-])(?:"
        r"\d{4}-\d{2}-\d{2}(?![\d-])"
        rf"|(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MON}(?:,?\s+{_Y})?"
        rf"|{_MON}\s+{_DAY}(?:,?\s+{_Y})?"
        rf"|(?:the\s+)?{_QUAL}(?:spring|summer|autumn|fall|winter)(?:\s+of)?\s+{_Y}"
        rf"|q[1-4]\s+{_Y}|(?:the\s+)?(?:first|second|third|fourth|final|last|1st|2nd|3rd|4th)\s+quarter\s+(?:of\s+)?{_Y}"
        rf"|h[12]\s+{_Y}|(?:the\s+)?(?:first|second|back|latter|1st|2nd)\s+half\s+(?:of\s+)?{_Y}"
        rf"|(?:the\s+)?(?:first|last|final|opening|closing)\s+{_NUM}\s+months\s+(?:of\s+)?{_Y}"
        rf"|(?:the\s+)?(?:first|last|final)\s+week\s+(?:of\s+)?{_MON}(?:,?\s+{_Y})?"
        rf"|{_QUAL}{_MON}(?:,?\s+(?:of\s+)?{_Y})?"
        rf"|{_QUAL}{_Y})")

_F = re.IGNORECASE
_GOVERNED = re.compile(r"\b(?P<prep>in|during|on|since|before|after|until|till|through|"
                       rf"throughout|as\s+of|prior\s+to|from)\s+(?P<a>{ATOM})", _F)
_RANGE = re.compile(rf"\b(?:between|from)\s+(?P<a>{ATOM})\s*(?:and|to|until|till|through|thru|-|–)"
                    rf"\s*(?P<b>{ATOM})", _F)
# "May-June 2026", "(March – April 2024)": two months joined by a dash, the year after the second
_MONTH_SPAN = re.compile(rf"(?:\b(?:in|during|for)\s+)?(?<![\w-])(?P<a>{_MON})\s*[-\u2013\u2014]\s*"
                         rf"(?P<b>{_MON},?\s+{_Y})", _F)
# "in October and November 2024", "during September, October and November 2019": months listed after a
# temporal word, the year after the last -- the first month's start to the last one's end
_MONTH_LIST = re.compile(rf"\b(?:in|during|for|over|throughout)\s+(?P<a>{_MON})(?:\s*,\s*{_MON})*,?\s+"
                         rf"(?:and|&|or|through|thru|to)\s+(?P<b>{_MON},?\s+{_Y})", _F)
_YEAR_TO = re.compile(r"\bin\s+the\s+(?:year|12\s+months|twelve\s+months)\s+(?:to|ending|up\s+to)"
                      rf"\s+(?P<a>{ATOM})", _F)
_BARE = re.compile(rf"(?P<a>{ATOM})", _F)
_ROLLING = re.compile(r"\b(?:(?:in|over|during|within|for)\s+)?(?:the\s+(?:past|last|previous)"
                      rf"(?:\s+(?P<n>{_NUM}))?|(?:past|last)\s+(?P<n2>{_NUM})|past)\s+"
                      r"(?P<unit>day|week|month|year)s?\b(?!-\w|\s+of\b)", _F)
_TWO_YEARS = re.compile(r"\b(?:in|during)\s+(?P<a>(?:19|20)\d\d)\s+(?:and|&)\s+(?P<b>(?:19|20)\d\d)\b", _F)
_MONTH_OF = re.compile(rf"(?:\b(?:in|during)\s+)?(?P<mon>{_MON})\s+(?:of\s+)?(?P<which>last|this)\s+year\b|"
                       rf"\blast\s+(?P<mon2>{_MON})", _F)
_CALENDAR = re.compile(r"\b(?P<which>this|last)\s+(?P<unit>week|month|year)\b(?!-\w|\s+of\b)", _F)
_DAYWORD = re.compile(r"\b(?:as\s+of\s+)?(?P<w>today|yesterday)\b", _F)
_RECENT = re.compile(r"(?<!most )(?<!most\s\s)\brecent(?:ly)?\b", _F)
_PREFER = re.compile(r"\b(?:latest|newest|most\s+recent(?:ly)?|last\s+announced)\b", _F)


# ---------------------------------------------------------------- atoms
@dataclass(frozen=True)
class _Span:
    start: date
    end: date
    yearless: bool = False


def _month_end(y: int, m: int) -> date:
    return date(y, m, 1) + relativedelta(months=1, days=-1)


def _atom(text: str, as_of: date, year: int | None = None) -> _Span | None:
    """The period one ATOM match denotes; ``year`` fills in a missing year."""
    t = " ".join(text.lower().split())
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
        try:
            d = date.fromisoformat(t)
        except ValueError:
            return None
        return _Span(d, d) if 1990 <= d.year <= as_of.year + 1 else None
    ym = re.search(r"(?<!\d)(?:19|20)\d\d(?!\d)", t)
    yearless = ym is None and year is None
    y = int(ym.group()) if ym else (year if year is not None else as_of.year)
    if not 1990 <= y <= as_of.year + 1:
        return None
    qual = re.match(r"(?:the\s+)?(early|mid|late)", t)
    if (s := re.search(r"spring|summer|autumn|fall|winter", t)) and ym:
        a, b = _SEASONS[s.group()]
        return _Span(date(y, a, 1), _month_end(y + (b - 1) // 12, (b - 1) % 12 + 1))
    if nm := re.search(rf"(first|last|final|opening|closing)\s+({_NUM})\s+months", t):
        n = int(nm.group(2)) if nm.group(2).isdigit() else _NUMS[nm.group(2)]
        if not 1 <= n <= 12:
            return None
        if nm.group(1) in ("first", "opening"):
            return _Span(date(y, 1, 1), _month_end(y, n))
        return _Span(date(y, 13 - n, 1), date(y, 12, 31))
    if q := re.search(r"q([1-4])|(\w+)\s+quarter", t):
        n = int(q.group(1)) if q.group(1) else _ORD.get(q.group(2), 4)
        return _Span(date(y, 3 * n - 2, 1), _month_end(y, 3 * n))
    if h := re.search(r"\bh([12])\b|(\w+)\s+half", t):
        n = int(h.group(1)) if h.group(1) else _ORD[h.group(2)]
        return _Span(date(y, 6 * n - 5, 1), _month_end(y, 6 * n))
    mm = re.search(_MON, t)
    if mm is None:
        if not ym:
            return None
        if qual:
            a = {"early": 1, "mid": 5, "late": 9}[qual.group(1)]
            return _Span(date(y, a, 1), _month_end(y, a + 3))
        return _Span(date(y, 1, 1), date(y, 12, 31))
    m = _MONTHS[mm.group()[:3]]
    dm = re.search(r"(?<!\d)(\d{1,2})(?!\d)", t)
    try:
        start = date(y, m, int(dm.group(1)) if dm else 1)
    except ValueError:
        return None
    end = start if dm else _month_end(y, m)
    if wk := re.search(r"(first|last|final)\s+week", t):  # "the first week of June 2026": days 1-7
        end = _month_end(y, m)
        start, end = (start, start + relativedelta(days=6)) if wk.group(1) == "first" else (
            end - relativedelta(days=6), end)
    if yearless and start > as_of:  # the latest such month/day on or before as_of
        start, end = start - relativedelta(years=1), end - relativedelta(years=1)
        end = end if dm else _month_end(end.year, end.month)
    return _Span(start, end, yearless)


def _usable(m: re.Match, q: str, span: _Span | None, governed: bool) -> bool:
    """Reject adjectival dates, event-noun heads and a lower-case yearless "may"."""
    if span is None:
        return False
    a = m.group("a")
    after = q[m.end():]
    if re.match(r"[\s-]+" + _EVENT_NOUN, after, _F):
        return False
    if span.yearless:
        mon = re.search(_MON, a, _F)
        return governed and mon is not None and mon.group()[0].isupper()
    if governed:
        return True
    before = re.findall(r"[\w'’]+", q[: m.start()])
    prev = before[-1].lower() if before else ""
    if prev in _DETERMINERS or prev.endswith(("'s", "’s", "s'", "s’")):
        return False
    if re.search(_MON, a, _F) or re.fullmatch(r"\d{4}-\d{2}-\d{2}", a) or not re.fullmatch(
            r"(?:19|20)\d\d", a.strip()):
        return True  # a dated month / day / season / quarter / qualified year
    if not before or prev.isdigit():  # bare year: whole question, or first before punctuation
        return not prev and (re.match(r"\s*(?:[,:;–—-]|$)", after) is not None)
    if prev in _LINKS:  # "between 1986 and 1995", "continue the hearing to 2014"
        return False
    return re.fullmatch(r"[\s?.!]*", after) is not None  # ... or the last word


# ---------------------------------------------------------------- candidates
@dataclass(frozen=True)
class _Cand:
    pos: int
    stop: int
    start: date | None
    end: date | None
    weak: bool = False
    prefer: bool = False


def _governed(prep: str, s: _Span, as_of: date) -> tuple[date | None, date | None]:
    prep = " ".join(prep.lower().split())
    if prep == "since":
        return s.start, (as_of if as_of >= s.start else None)
    if prep in ("before", "prior to"):
        return None, s.start - _dt.timedelta(days=1)
    if prep == "after":
        return s.end + _dt.timedelta(days=1), None
    if prep in ("until", "till", "through"):
        return None, s.end
    return s.start, s.end


def _relative(unit: str, n: int, as_of: date) -> tuple[date, date]:
    delta = relativedelta(**{unit + "s": n}) if unit != "week" else relativedelta(days=7 * n)
    return as_of - delta + _dt.timedelta(days=1), as_of


def _candidates(q: str, as_of: date) -> list[_Cand]:
    out: list[_Cand] = []
    for m in [*_RANGE.finditer(q), *_MONTH_SPAN.finditer(q), *_MONTH_LIST.finditer(q)]:
        b = _atom(m.group("b"), as_of)
        if b is None or not _usable(m, q, b, True):
            continue
        a = _atom(m.group("a"), as_of, None if b.yearless else b.start.year)
        if a and not b.yearless and not re.search(r"(?<!\d)(?:19|20)\d\d(?!\d)", m.group("a")) \
                and a.start > b.start:
            a = _atom(m.group("a"), as_of, b.start.year - 1)
        if a and a.start <= b.end:
            out.append(_Cand(m.start(), m.end(), a.start, b.end, weak=b.yearless))
    for m in _YEAR_TO.finditer(q):
        s = _atom(m.group("a"), as_of)
        if s and not s.yearless:
            out.append(_Cand(m.start(), m.end(), s.end, s.end + relativedelta(years=1)))
    for m in _GOVERNED.finditer(q):
        s = _atom(m.group("a"), as_of)
        if _usable(m, q, s, True):
            out.append(_Cand(m.start(), m.end(), *_governed(m.group("prep"), s, as_of), weak=s.yearless))
    for m in _BARE.finditer(q):
        s = _atom(m.group("a"), as_of)
        if _usable(m, q, s, False):
            out.append(_Cand(m.start(), m.end(), s.start, s.end))
    for m in _ROLLING.finditer(q):
        n = m.group("n") or m.group("n2") or "1"
        n = int(n) if n.isdigit() else _NUMS[n.lower()]
        try:
            if n > 0:
                out.append(_Cand(m.start(), m.end(), *_relative(m.group("unit").lower(), n, as_of)))
        except (ValueError, OverflowError):  # "the past 999 years" before year 1
            pass
    for m in _TWO_YEARS.finditer(q):  # "in 2023 and 2024": both years
        a, b = sorted((int(m.group("a")), int(m.group("b"))))
        if 1990 <= a and b <= as_of.year + 1:
            out.append(_Cand(m.start(), m.end(), date(a, 1, 1), date(b, 12, 31)))
    for m in _MONTH_OF.finditer(q):  # "October of last year", "in May this year", "last October"
        mon = _MONTHS[(m.group("mon") or m.group("mon2")).lower()[:3]]
        if m.group("mon"):
            y = as_of.year - (m.group("which").lower() == "last")
        else:  # the latest such month before this one
            y = as_of.year if mon < as_of.month else as_of.year - 1
        out.append(_Cand(m.start(), m.end(), date(y, mon, 1), _month_end(y, mon)))
    for m in _CALENDAR.finditer(q):
        unit, this = m.group("unit").lower(), m.group("which").lower() == "this"
        if unit == "week":
            monday = as_of - _dt.timedelta(days=as_of.weekday())
            s, e = (monday, as_of) if this else (monday - _dt.timedelta(days=7), monday - _dt.timedelta(days=1))
        elif unit == "month":
            first = as_of.replace(day=1)
            s, e = (first, as_of) if this else (first - relativedelta(months=1), first - _dt.timedelta(days=1))
        else:
            s, e = (date(as_of.year, 1, 1), as_of) if this else (date(as_of.year - 1, 1, 1), date(as_of.year - 1, 12, 31))
        out.append(_Cand(m.start(), m.end(), s, e))
    for m in _DAYWORD.finditer(q):
        d = as_of - _dt.timedelta(days=1 if m.group("w").lower() == "yesterday" else 0)
        out.append(_Cand(m.start(), m.end(), d, d))
    for m in _RECENT.finditer(q):
        out.append(_Cand(m.start(), m.end(), as_of - _dt.timedelta(days=RECENT_DAYS - 1), as_of, prefer=True))
    for m in _PREFER.finditer(q):
        out.append(_Cand(m.start(), m.end(), None, None, prefer=True))
    chosen: list[_Cand] = []  # leftmost-longest, non-overlapping
    for c in sorted(out, key=lambda c: (c.pos, c.pos - c.stop)):
        if not chosen or c.pos >= chosen[-1].stop:
            chosen.append(c)
    return chosen


def _intersect(a: tuple, b: tuple) -> tuple | None:
    s = max((x for x in (a[0], b[0]) if x is not None), default=None)
    e = min((x for x in (a[1], b[1]) if x is not None), default=None)
    return None if s is not None and e is not None and s > e else (s, e)


# ---------------------------------------------------------------- API
def parse_time(question: str, as_of: date | None = None) -> TimeScope | None:
    """The release-date scope a question asks for, or None (see the module docstring)."""
    as_of = as_of or date.today()
    cands = _candidates(question or "", as_of)
    if not cands:
        return None
    bounded = [c for c in cands if c.start is not None or c.end is not None]
    pool = [c for c in bounded if not c.weak] or bounded
    used = [c for c in cands if c.prefer and c not in bounded]
    rng: tuple = (None, None)
    if pool:
        latest_first = sorted(pool, key=lambda c: (c.end or date.max, c.start or date.min), reverse=True)
        rng = (latest_first[0].start, latest_first[0].end)
        used.append(latest_first[0])
        for c in latest_first[1:]:
            if (r := _intersect(rng, (c.start, c.end))) is not None:
                rng = r
                used.append(c)
    if not used:
        return None
    used.sort(key=lambda c: c.pos)
    return TimeScope(rng[0], rng[1], any(c.prefer for c in cands),
                     _SEP.join(question[c.pos:c.stop] for c in used))


def strip_time(question: str, scope: TimeScope | None) -> str:
    """``question`` without the phrases in ``scope.matched``, whitespace and commas tidied."""
    out = question
    if scope is not None and scope.matched:
        for phrase in scope.matched.split(_SEP):
            out = out.replace(phrase, " ", 1)
    out = re.sub(r"\s+", " ", out)
    out = re.sub(r"\s+([,.;:?!])", r"\1", out)
    out = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", out)
    out = re.sub(r"^[\s,;:–—-]+", "", out)
    return out.strip()
