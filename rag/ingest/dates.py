"""Finding and normalising publication dates.

Candidates are found with regular expressions (fast, and exact about what was
matched); structured values (front matter, JSON Lines) fall back to
``dateutil``.  Every result is an ISO ``YYYY-MM-DD`` string or ``None``; dates
before 1990 or more than a year in the future are rejected as implausible.

The scraped-page strategy lives in :func:`extract_page_date`; see its docstring
for the order in which the kinds of evidence are trusted.
"""
from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence

from dateutil import parser as _du_parser

EARLIEST = _dt.date(1990, 1, 1)
HEADER_LINES = 40  # "near the top": where a page's own date is looked for...
HEADER_PROSE = 3  # ...ending after this many sentences of body text (later dates are events)
_MAX_LINE_CHARS = 2000  # only the start of a (possibly huge) line is searched

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
    # Spanish (releases are often published in both languages)
    "ene": 1, "abr": 4, "ago": 8, "set": 9, "dic": 12,
}
def _ci(pattern: str) -> re.Pattern:
    """A case-insensitive pattern."""
    return re.compile(pattern, re.IGNORECASE)


_MON = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
    r"aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORD = r"(?:st|nd|rd|th)?"
# "February 19, 2026", "Feb. 19, 2026", "Sept 5 2016", "June 9th, 2015"
_MDY = _ci(
    rf"(?<![\w])(?P<mon>{_MON})\.?\s+(?P<day>\d{{1,2}}){_ORD}\s*,?\s*(?P<year>\d{{4}})(?!\d)"
)
# "19 February 2026", "7 Nov 2017", "1st of May, 2020"
_DMY = _ci(
    rf"(?<![\w])(?P<day>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<mon>{_MON})\.?\s*,?\s*(?P<year>\d{{4}})(?!\d)"
)
# "2026-02-19", "2026/02/19", "2022-07-13T17:53:50"
_YMD = re.compile(r"(?<!\d)(?P<year>\d{4})[-/](?P<mon>\d{1,2})[-/](?P<day>\d{1,2})(?!\d)")
# "02/19/2026" (US order)
_US = re.compile(r"(?<![\d/])(?P<mon>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})(?!\d)")
_MES = (
    r"(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|"
    r"octubre|noviembre|diciembre)"
)
# Spanish: "11 de abril de 2024", "30 de diciembre, 2025"
_ES = _ci(
    rf"(?<![\w])(?P<day>\d{{1,2}})\s+de\s+(?P<mon>{_MES})(?:\s+de\s+|\s*,\s*)(?P<year>\d{{4}})(?!\d)"
)
_PATTERNS = (_MDY, _DMY, _YMD, _US, _ES)
_YEAR = re.compile(r"(?:19|20)\d\d")  # cheap test before the real patterns

_FILENAME = re.compile(r"^(?P<year>(?:19|20)\d\d)[-_]?(?P<mon>\d\d)[-_]?(?P<day>\d\d)(?!\d)")

# Words that may surround a date on a "dateline" without making it prose.
_WEEKDAY = _ci(
    r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|rsday|urday)?\b\.?"
)
_TIME = _ci(
    r"T?\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?|\b[ap]\.?m\b\.?|\b(?:utc|gmt|[ecmp][sd]t)\b"
)
_LABELS = _ci(
    r"\b(?:published|posted|post|date|dated|updated|released?|issued|last|modified|created|"
    r"on|at|by|admin|for|immediate|news|press|media|advisory|"
    r"publicado|fecha|el|de|para|publicaci\u00f3n|inmediata)\b"
)
_RESIDUE_STRIP = " \t,;:|-\u2013\u2014\u2022/.()[]*#_"
_LABEL_LINE = _ci(
    r"^(?:date|dated|published|posted(?: on)?|released?|issued|updated|publish date|"
    r"date published|release date)\s*:?$"
)
_PROSE = re.compile(r"[a-z][.!?][\"'\u201d\u2019)]*$")
_MACHINE_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?\S*$")


def today() -> _dt.date:
    return _dt.date.today()


def plausible(d: _dt.date, *, now: _dt.date | None = None) -> bool:
    """True for dates from 1990 up to one year after ``now`` (default: today)."""
    now = now or today()
    return EARLIEST <= d <= now + _dt.timedelta(days=366)


def _month(token: str) -> int:
    return int(token) if token.isdigit() else _MONTHS[token[:3].lower()]


def find_dates(text: str) -> list[tuple[int, int, _dt.date]]:
    """All plausible calendar dates in ``text`` as ``(start, end, date)``, in order.

    Overlapping matches (e.g. the same span read two ways) keep the earliest.
    """
    if not _YEAR.search(text):
        return []
    found: list[tuple[int, int, _dt.date]] = []
    for rx in _PATTERNS:
        for m in rx.finditer(text):
            try:
                d = _dt.date(int(m["year"]), _month(m["mon"]), int(m["day"]))
            except (ValueError, KeyError):
                continue
            if plausible(d):
                found.append((m.start(), m.end(), d))
    found.sort()
    out: list[tuple[int, int, _dt.date]] = []
    for item in found:
        if not out or item[0] >= out[-1][1]:
            out.append(item)
    return out


def is_dateline(line: str, start: int, end: int) -> bool:
    """Whether the date at ``line[start:end]`` is the point of the line.

    True for lines such as ``"Tuesday, June 9, 2015"``, ``"Date: February 19, 2026"``,
    ``"Posted on Jan 01, 2025"``, ``"Admin | August 29, 2024"``,
    ``"2022-07-13 17:53:50"`` and letterhead lines that start with the date and go
    on with a contact (``"October 31, 2018 Contact: Jane Doe"``).  False for a date
    inside a sentence.
    """
    before, after = line[:start], line[end:]
    residue = _LABELS.sub(" ", _TIME.sub(" ", _WEEKDAY.sub(" ", before + " " + after)))
    if not "".join(residue.split()).strip(_RESIDUE_STRIP):
        return True
    before_rest = "".join(_LABELS.sub(" ", _WEEKDAY.sub(" ", before)).split())
    if before_rest.strip(_RESIDUE_STRIP):
        return False
    after = after.lstrip()
    # letterhead "October 31, 2018 Contact: ..." or dated headline "June 5, 2026: Jury Convicts ..."
    return after.lower().startswith("contact") or after.startswith((":", "- ", "\u2013", "\u2014", "|"))


def is_label_line(line: str) -> bool:
    """``"Published"``, ``"Date:"`` and the like: a label whose value is on the next line."""
    return bool(_LABEL_LINE.match(line.strip()))


def filename_date(name: str) -> str | None:
    """ISO date from a file-name prefix such as ``2016_03_30_...`` or ``20230228_...``."""
    m = _FILENAME.match(name)
    if not m:
        return None
    try:
        d = _dt.date(int(m["year"]), int(m["mon"]), int(m["day"]))
    except ValueError:
        return None
    return d.isoformat() if plausible(d) else None


def parse_date_value(value: object) -> str | None:
    """Normalise a structured date (front matter, JSON) to ISO, or ``None``.

    Accepts ``date``/``datetime`` objects and strings in any common form
    ("7 Nov 2017", "2017-11-07", "11/07/2017", "Tuesday, 7th November 2017").
    A string that does not name a full day (e.g. "November 2017") gives ``None``.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return value.isoformat() if plausible(value) else None
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        return None
    hits = find_dates(value)
    if hits:
        return hits[0][2].isoformat()
    try:
        # Two different defaults: a field missing from the string shows up as a
        # difference, so partial dates are refused instead of being invented.
        a = _du_parser.parse(value, default=_dt.datetime(2001, 1, 1))
        b = _du_parser.parse(value, default=_dt.datetime(2002, 2, 2))
    except (ValueError, OverflowError, TypeError):
        return None
    if a != b or not plausible(a.date()):
        return None
    return a.date().isoformat()


def extract_page_date(
    lines: Sequence[str],
    boilerplate: Sequence[bool],
    filename: str,
) -> str | None:
    """The publication date of a scraped page, or ``None``.

    Evidence, most trusted first:

    1. a *dateline* (see :func:`is_dateline`) in the page header, top-down: the
       first ``HEADER_LINES`` non-boilerplate lines, up to and including the
       ``HEADER_PROSE``-th sentence-like line of body text.  A boilerplate dateline (the same date on
       many pages, e.g. a "Latest news" sidebar) only counts when the line before
       it is a label such as ``Published``;
    2. a date prefix of the file name (``2016_03_30_...``, ``20230228_...``);
    3. a machine timestamp line (``2022-07-13 17:53:50``) anywhere in the page
       (CMS metadata, usually at the bottom);
    4. the first date inside a sentence in the page header (a release's first
       sentences usually date it; dates further down are those of events).
    """
    return page_date_evidence(lines, boilerplate, filename)[0]


_WEEKDAY_NAME = re.compile(r"\b(mon|tues|wednes|thurs|fri|satur|sun)day\b", re.IGNORECASE)
_WEEKDAY_INDEX = {"mon": 0, "tues": 1, "wednes": 2, "thurs": 3, "fri": 4, "satur": 5, "sun": 6}


def _check_weekday(line: str, d: _dt.date, filename: str) -> _dt.date:
    """Repair a dateline whose weekday contradicts it ("Wednesday, January 7, 2014"
    in January 2015): prefer the file-name date, then the same day a year off,
    when that falls on the stated weekday."""
    m = _WEEKDAY_NAME.search(line)
    if not m:
        return d
    weekday = _WEEKDAY_INDEX[m.group(1).lower()]
    if d.weekday() == weekday:
        return d
    candidates = [filename_date(filename)]
    for years in (1, -1):
        try:
            candidates.append(d.replace(year=d.year + years).isoformat())
        except ValueError:
            pass
    for iso in candidates:
        if iso:
            alt = _dt.date.fromisoformat(iso)
            if alt.weekday() == weekday and abs((alt - d).days) <= 400 and plausible(alt):
                return alt
    return d


def page_date_evidence(
    lines: Sequence[str], boilerplate: Sequence[bool], filename: str
) -> tuple[str | None, str]:
    """``(date, which rule of extract_page_date found it)``; for tests and tuning."""
    prev_line = ""
    embedded: str | None = None
    content_seen = prose_seen = 0
    for i, raw in enumerate(lines):
        line = raw.strip()[:_MAX_LINE_CHARS]
        if not line:
            continue
        if not boilerplate[i]:
            content_seen += 1
            if content_seen > HEADER_LINES or prose_seen >= HEADER_PROSE:
                break
            if _PROSE.search(line) and line.count(" ") >= 7:
                prose_seen += 1
        for start, end, d in find_dates(line):
            if is_dateline(line, start, end):
                if not boilerplate[i] or is_label_line(prev_line):
                    return _check_weekday(line, d, filename).isoformat(), "dateline"
            elif embedded is None and not boilerplate[i]:
                embedded = d.isoformat()
        prev_line = line
    from_name = filename_date(filename)
    if from_name:
        return from_name, "filename"
    for raw in lines:
        line = raw.strip()
        if line[:1].isdigit() and _MACHINE_STAMP.match(line):
            hits = find_dates(line)
            if hits:
                return hits[0][2].isoformat(), "timestamp"
    return embedded, ("sentence" if embedded else "none")
