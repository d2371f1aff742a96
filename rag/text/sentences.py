"""Sentences: release text split with exact character offsets, and answer text split into
claims (pure functions, no model); the abbreviation lists both use.

``split_sentences(text)`` (release bodies) returns ``(start, end)`` spans such that
``text[start:end]`` is a stripped, non-empty sentence. Spans are ordered, never
overlap, and together cover every non-whitespace character of ``text``.

Rules, in order:

* a blank line always ends a sentence; a single newline ends one unless the next
  line starts with a lower-case letter or with what no sentence opens with (``, ; : ) ]``, or a
  possessive: "Ce" / "cena" / "’s next parole hearing", a scraped page's broken emphasis), or
  the text is hard-wrapped at a fixed width and the line before it is full: it does not end in
  ``.!?…`` and the next line's first word would not have fitted on it (within ``WRAP_FIT``)
  (``wrap_width``: PDF and e-mail text broken at ~80-100 columns, "... a grant of $12,500 from the
  Texas" / "Bar Foundation to continue ..."), or the line ends in a word no
  sentence or heading ends with (``TITLE_SMALL_WORDS`` and "than": "More than" / "342 people" / "with mental
  health disorders ...", a web page's emphasis; "... Officers Involved in" / "Summer 2020 Protests");
* ``.``, ``!``, ``?`` and ``…`` (plus any closing quotes or brackets after them)
  end a sentence when followed by whitespace and then an upper-case letter, a
  digit or an opening quote/bracket;
* a ``.`` does not end a sentence after a title (``Dr.``, ``Mr.``, ``Sgt.``...),
  a single initial (``John F. Kennedy``), a dotted upper-case acronym (``U.S.``),
  ``e.g.``/``i.e.``, ``No.``/month abbreviations before a number, or ``a.m.``/``p.m.``
  before a weekday, month or time zone.

``answer_sentences(text)`` (answers, model output) breaks at any ``.``/``!``/``?`` followed by
whitespace, keeping each citation marker with the claim it cites; the evaluation scores
citations per answer sentence with it.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .markers import MARKER
from .stopwords import TITLE_SMALL_WORDS

TERMINALS = ".!?…"
CLOSERS = "\"'”’)]»"
OPENERS = "\"'“‘([«"

# Abbreviations that are never sentence ends (lower-cased, without the dot).
TITLES = frozenset(
    "mr mrs ms mx dr prof sr jr st sgt det insp supt cpl pc ds dc di dci lt capt cmdr col "
    "gen gov sen rep hon rev fr mt ft messrs vs v atty asst dept".split()
)
# Abbreviations that do not end a sentence when a number follows ("No. 5", "Nov. 18").
BEFORE_NUMBER = frozenset(
    "no nos vol p pp fig art sec ch jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
NEVER_END_DOTTED = frozenset({"e.g", "i.e", "cf", "viz", "approx", "est"})
TIME_MARKS = frozenset({"a.m", "p.m"})
AFTER_TIME_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december jan feb mar apr jun jul aug "
    "sep sept oct nov dec et est edt ct cst cdt mt mst pt pst pdt gmt bst utc".split()
)

MAX_WRAP_WIDTH = 150
"""Fixed-width text is wrapped at 60-132 columns; a text whose lines run longer is not wrapped."""
WRAP_PERCENTILE = 0.9
"""The wrap width is this percentile of a text's line lengths: most lines of a wrapped
paragraph end within a word of the width, the last one shorter."""

WRAP_FIT = 0.88
"""A line break is the wrapper's when the line, a space and the next word pass this share of the width:
PDF text is set in proportional fonts, so full lines vary in characters; 0.88 is the 5th percentile of
that reach over the breaks certainly made by a wrapper (``bench/fit_wrap.py``)."""
FULL_SHARE = 0.75
"""In wrapped text most lines are full: more than half of them reach this share of the width (a wrapper
breaks within one word of it; the lines ending a paragraph are the shorter ones)."""

_WORD_BEFORE_DOT = re.compile(r"([^\W\d_](?:[^\W\d_]|\.)*)$")
_NEXT_WORD = re.compile(r"[^\W_]+")


def _protected_period(text: str, dot: int, nxt: int) -> bool:
    """True when the '.' at ``dot`` belongs to an abbreviation, given the next
    non-space character is at ``nxt``."""
    m = _WORD_BEFORE_DOT.search(text, max(0, dot - 30), dot)
    if not m:
        return False
    word = m.group(1)
    low = word.lower()
    next_char = text[nxt]
    if low in TITLES:
        return True
    if len(word) == 1 and word.isupper():  # an initial: "John F. Kennedy"
        return True
    if low in BEFORE_NUMBER and next_char.isdigit():
        return True
    if "." in word:
        if low in NEVER_END_DOTTED:
            return True
        if low in TIME_MARKS:
            nw = _NEXT_WORD.match(text, nxt)
            return bool(nw and nw.group(0).lower() in AFTER_TIME_WORDS)
        return word.replace(".", "").isupper()  # "U.S. Attorney", "U.K. Border Force"
    return low in NEVER_END_DOTTED


def wrap_width(text: str) -> int | None:
    """The column ``text`` is hard-wrapped at, or None when it is not wrapped (fewer than five
    lines; lines longer than :data:`MAX_WRAP_WIDTH`: a paragraph per line; no more than half of
    the lines full: a list or headings)."""
    lengths = sorted(len(line.rstrip()) for line in text.split("\n") if line.strip())
    if len(lengths) < 5:
        return None
    width = lengths[int(WRAP_PERCENTILE * (len(lengths) - 1))]
    if width > MAX_WRAP_WIDTH or sum(n >= FULL_SHARE * width for n in lengths) <= len(lengths) / 2:
        return None  # a paragraph per line, or lines of any length (a list, headings): not wrapped
    return width


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends with a sentence stop (``.!?…``, closing quotes or brackets after it);
    text of closing marks alone closes what came before it, so it counts as an end too."""
    return text.rstrip().rstrip(CLOSERS)[-1:] in TERMINALS


_OPEN_ENDINGS = TITLE_SMALL_WORDS | {"than"}
_LAST_WORD = re.compile(r"([^\W\d_]+)\s*$")


def _open_line(line: str) -> bool:
    """Whether ``line`` ends in a word that cannot end a sentence or a heading ("More than", "in", "the"), so
    the next line goes on with it: a web page's emphasis ("More than\\n342 people\\nwith mental health
    disorders ...") or a title broken before its last words ("... Officers Involved in\\nSummer 2020 Protests")."""
    m = _LAST_WORD.search(line)
    return bool(m) and m.group(1).lower() in _OPEN_ENDINGS and not ends_sentence(line)


def _wrapped(line: str, following: str, width: int | None) -> bool:
    """Whether the line break after ``line`` was made by a fixed-width wrapper: ``line`` does
    not end a sentence and, with the first word of ``following``, it would have passed
    :data:`WRAP_FIT` of ``width``."""
    line = line.rstrip()
    if not width or not line or ends_sentence(line):
        return False
    word = following.split(None, 1)[0] if following.strip() else ""
    return len(line) + 1 + len(word) > WRAP_FIT * width


_CONTINUING = ",;:)]"


def _glued(text: str, j: int) -> bool:
    """Whether the line starting at ``j`` opens with what goes on with the line before it without a space:
    punctuation no sentence opens with (a comma, a semicolon, a colon, a closing bracket) or a possessive
    ("Ce\\ncena\\n’s next parole hearing", "Miami, Florida\\n, State Attorney ...": scraped pages break lines
    around emphasis and links)."""
    ch = text[j]
    return ch in _CONTINUING or (ch in "’'" and text[j + 1:j + 2].islower())


def _continues(text: str, j: int) -> bool:
    """Whether the line starting at ``j`` goes on with the one before it: a lower-case first letter, or
    ``_glued``."""
    return text[j].islower() or _glued(text, j)


def _boundaries(text: str) -> list[int]:
    """Cut positions: a new sentence starts at each returned index."""
    cuts: list[int] = []
    n = len(text)
    width = wrap_width(text)
    line_start = 0
    i = 0
    while i < n:
        ch = text[i]
        if ch == "\n":
            j = i + 1
            blank = False
            while j < n and text[j].isspace():
                blank = blank or text[j] == "\n"
                j += 1
            if j < n and (blank or not _continues(text, j)):
                if blank or not (_wrapped(text[line_start:i], text[j:j + 40], width) or _open_line(text[line_start:i])):
                    cuts.append(j)
            line_start = text.rfind("\n", 0, j) + 1
            i = j
            continue
        if ch in TERMINALS:
            j = i + 1
            while j < n and (text[j] in TERMINALS or text[j] in CLOSERS):
                j += 1
            if j < n and text[j].isspace():
                k = j
                while k < n and text[k].isspace() and text[k] != "\n":
                    k += 1
                if k < n and text[k] != "\n":
                    nxt = text[k]
                    starts = nxt.isupper() or nxt.isdigit() or nxt in OPENERS
                    simple_dot = ch == "." and j == i + 1
                    if starts and not (simple_dot and _protected_period(text, i, k)):
                        cuts.append(k)
                i = k
                continue
            i = j
            continue
        i += 1
    return cuts


def _strip_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text``: ``text[s:e]`` is a stripped sentence (a new list each call)."""
    return list(_spans(text, WRAP_FIT))


@lru_cache(maxsize=2048)
def _spans(text: str, wrap_fit: float) -> tuple[tuple[int, int], ...]:
    """``split_sentences``, remembered for the last texts split: a count or a case reads each release
    of its window several times (features, lead, the sentence shown), and a server meets the same
    releases again (about 1 ms per release body on these cores; the texts are held: ~6 MB at 2048
    releases of the shared corpora's mean length, 2.7 kB). ``wrap_fit`` is ``WRAP_FIT`` when called, so a
    changed tolerance (a test, a fit) is never answered from before."""
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in _boundaries(text) + [len(text)]:
        span = _strip_span(text, start, cut)
        if span:
            spans.append(span)
        start = cut
    return tuple(spans)


_LINE_BREAK = re.compile(r"[^\S\n]*\n\s*")


def one_line(text: str) -> str:
    """``text`` (a sentence as the release breaks it) on one line, as an answer shows it: each run of whitespace
    one space, and none at a line break before what goes on with the line without a space (``_glued``, a
    possessive: "Parrott\\n, 64" reads "Parrott, 64", "Ce\\ncena\\n’s" reads "Ce cena’s")."""
    def join(m: re.Match) -> str:
        return "" if m.end() < len(text) and _glued(text, m.end()) else " "
    return " ".join(_LINE_BREAK.sub(join, text).split())


def sentences(text: str) -> list[str]:
    """Convenience: the sentence strings themselves."""
    return [text[s:e] for s, e in split_sentences(text)]


# ---- answers: claims with their citation markers -------------------------------------

_SENTENCE_END = re.compile(r"[.!?]+[\"'\u2019\u201d)\]]*(?=\s)")
_MARKERS_AFTER_STOP = re.compile(rf"([.!?]+)((?:\s*{MARKER.pattern})+)")
# Abbreviations that never end a sentence of answer text (titles, companies, months, "U.S.").
ANSWER_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st sr jr inc ltd co corp vs etc gov sen rep gen lt col sgt capt det "
    "jan feb mar apr jun jul aug sep sept oct nov dec e.g i.e u.s u.k a.m p.m".split()
)


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
        glue = piece.endswith(".") and (last in ANSWER_ABBREVIATIONS or (len(last) == 1 and last.isalpha()))
    return out
