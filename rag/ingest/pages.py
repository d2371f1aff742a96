"""Title, date and body of a scraped web page, given what its group taught us."""
from __future__ import annotations

import re
from collections.abc import Sequence

from ..text.stopwords import TITLE_SMALL_WORDS
from .boilerplate import (
    GroupModel,
    boilerplate_flags,
    footer_leftovers,
    line_keys,
    removable,
)
from .common import Skip, clean_title, derive_title, tidy_body
from .dates import extract_page_date, find_dates
from .formats import Fields

TITLE_SCAN = 12  # "For Immediate Release: <title>" is looked for in this many lines
WRAPPED_TITLE = 90  # a PDF letterhead title this short that a Title Case line follows was wrapped
TITLE_REPEAT_SCAN = 30  # the page title repeated as a heading is dropped this far down
MIN_WORDS = 20  # fewer words left than this: a stub, not a release
MIN_LINE_WORDS = 5  # ...and at least one line must be more than a menu item

_FOR_IMMEDIATE = re.compile(
    r"^(?:for immediate release|para publicaci[oó]n inmediata)\s*[:\u2013\u2014-]\s*(?P<title>\S.*)$",
    re.IGNORECASE,
)
_NON_ALNUM = re.compile(r"\W+|_")
_CONTACT = re.compile(r"\bcontact\s*:", re.IGNORECASE)
_BOT_CHECK = (
    "pardon our interruption",
    "made us think you were a bot",
    "checking your browser",
    "verify you are human",
    "are you a robot",
    "enable javascript and cookies to continue",
    "attention required! | cloudflare",
    "request unsuccessful. incapsula",
)


def parse_page(
    text: str, model: GroupModel, filename: str, keys: Sequence[str] | None = None
) -> Fields:
    """Fields of one scraped page; :class:`Skip` when nothing but boilerplate is left.

    ``keys`` (optional) are the page's :func:`~rag.ingest.boilerplate.line_keys`,
    when the caller already has them.
    """
    lines = text.split("\n")
    keys = line_keys(lines) if keys is None else keys
    flags = boilerplate_flags(keys, model)
    date = extract_page_date(keys, flags, filename)
    title, title_idx = page_title(keys, flags, model)
    body = page_body(lines, keys, flags, model, title, title_idx)
    check_substance(body, text, cleaned=any(flags))
    if not title:
        title = derive_title(body)
    return Fields(title, date, None, body)


def _title_case(line: str) -> bool:
    """A headline's continuation: "Creuzot Following the Passing of Former DA Craig Watkins", "Churches",
    not a dateline "(Dallas, Texas) - ..." nor a sentence "Let me begin by thanking ..."."""
    if line[0] in "(\"'\u201c\u2018" or line.endswith((".", "!", "?", ":", ",")):
        return False
    words = [w for w in re.findall(r"[^\W\d_][\w'\u2019.-]*", line) if w.lower() not in TITLE_SMALL_WORDS]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


def _title_like(title: str) -> bool:
    if sum(c.isalpha() for c in title) < 3 or _CONTACT.search(title):
        return False
    hits = find_dates(title)
    return not (hits and hits[0][0] == 0)  # letterhead: "October 31, 2018 Contact: ..."


def page_title(
    keys: Sequence[str], flags: Sequence[bool], model: GroupModel
) -> tuple[str, int | None]:
    """``(title, index of the line it replaces)``; the index is ``None`` when the
    title was found inside the text (which then stays in the body).

    1. the first line, with the learned site suffix stripped, unless it is
       boilerplate or letterhead (starts with a date, names a contact);
    2. ``For Immediate Release: <title>`` within the first lines (PDF letterheads),
       joined with one continuation line when the title was broken mid-phrase or, short, is
       followed by a Title Case line (the PDF wrapped it: "... District Attorney John" /
       "Creuzot Following the Passing of Former DA Craig Watkins");
    3. the first non-boilerplate line: all of it when it reads as a heading
       (then it leaves the body), else its first sentence (which stays).
    """
    nonblank = [i for i, key in enumerate(keys) if key]
    if not nonblank:
        return "", None
    first = nonblank[0]
    if not flags[first]:
        title = clean_title(model.strip_affixes(keys[first]))
        if _title_like(title):
            return title, first
    for pos, i in enumerate(nonblank[:TITLE_SCAN]):
        m = _FOR_IMMEDIATE.match(keys[i])
        if not m:
            continue
        title = m.group("title")
        if pos + 1 < len(nonblank):
            nxt = keys[nonblank[pos + 1]]
            last_word = title.rsplit(" ", 1)[-1]
            if nxt and len(nxt) <= 100 and not title.endswith((".", "!", "?")) and (
                nxt[0].islower() or last_word.islower() or len(title) <= WRAPPED_TITLE and _title_case(nxt)
            ):
                title = f"{title} {nxt}"
        return clean_title(title), None
    for i in nonblank:
        if not flags[i] and _title_like(keys[i]):
            if len(keys[i]) <= 200 and not keys[i].endswith((".", "!", "?", ":")):
                return clean_title(model.strip_affixes(keys[i])), i  # a heading
            return derive_title(keys[i]), None  # a sentence: keep it in the body
    return "", None


def page_body(
    lines: Sequence[str],
    keys: Sequence[str],
    flags: Sequence[bool],
    model: GroupModel,
    title: str,
    title_idx: int | None,
) -> str:
    """The page minus its title line, boilerplate, noise and repeats of the title."""
    flags = list(flags)
    if title_idx is not None:
        flags[title_idx] = True  # not content, for the fragment test of its neighbours
    drop = removable(keys, flags)
    for i in footer_leftovers(keys, flags):
        drop[i] = True
    if title_idx is not None:
        drop[title_idx] = True
        title = model.strip_affixes(keys[title_idx])  # untruncated, for repeats below
    title_key = _loose(title)
    kept: list[int] = []
    seen = 0
    for i in range(len(lines)):
        if drop[i]:
            continue
        key = keys[i]
        if key:
            seen += 1
            if title_idx is not None and seen <= TITLE_REPEAT_SCAN and _repeats_title(key, title_key, model):
                continue
        kept.append(i)
    return tidy_body([lines[i] for i in kept])


def _loose(text: str) -> str:
    """Letters and digits only, case-folded: "Title - X" matches "TITLE – X"."""
    return _NON_ALNUM.sub("", text.casefold())


def _repeats_title(key: str, title_key: str, model: GroupModel) -> bool:
    if not title_key or not (0.7 * len(title_key) <= len(key) <= 3 * len(title_key) + 60):
        return False  # (cheap tests first: most lines are far shorter or longer...)
    if title_key[:8] not in _loose(key[:60]):
        return False  # (...or start differently)
    loose = _loose(key)
    if loose == title_key:
        return True
    return title_key in loose and _loose(model.strip_affixes(key)) == title_key


def check_substance(body: str, raw: str, *, cleaned: bool = True) -> None:
    """:class:`Skip` for bot-check interstitials and pages left with no real text.

    A page needs ``MIN_WORDS`` words and one line of ``MIN_LINE_WORDS``+ words
    (menus and sign-up forms have neither).  ``cleaned``: whether boilerplate
    was removed from the page (only changes the wording of the reason).
    """
    n_words = len(body.split()) if len(body) < 4000 else 1000  # (long enough either way)
    sentence = any(line.count(" ") >= MIN_LINE_WORDS - 1 for line in body.split("\n"))
    if n_words < MIN_WORDS or not sentence:
        if cleaned:
            raise Skip(
                "no body text after removing boilerplate (bot-check or stub page; "
                f"{n_words} words left)"
            )
        if n_words == 0:
            raise Skip("no body text below the title")
        raise Skip(f"too little text for a release (stub page; {n_words} words)")
    if n_words < 300:
        head = " ".join(raw[:4000].split()).casefold()
        for phrase in _BOT_CHECK:
            if phrase in head:
                raise Skip(f"bot-check page ({phrase!r})")
