"""What a question asks for, and whether quoted sentences visibly hold it (pure functions).

* ``answer_type(question)``: "quantity" (how many/much/long...), "time" (when, what
  date/year...), "person" (who) or None.
* ``has_shape(kind, sentence)``: the sentence holds that kind of thing: a number, a
  date or time, a capitalised name.
* ``shows_asked_thing(question, quotes)``: the quotes hold what was asked beyond the
  question's own words (a number *and* the counted thing, a date, a new name).
* ``asks_two_things(question)``: "what X ..., and what Y ...?" (or two question marks).
* ``asked_figure(question)`` / ``states_figure(kind, text)``: a figure asked for by name that an
  answer must state ("how much restitution" -> a money amount, "how old was X" -> an age, "which
  judge" -> a judge named, "on what date is the trial" -> a date beside "trial", "what type of firearm" -> a
  kind of gun, "how many" -> a count, not a date or an age, and of the thing counted unless people:
  ``counted_thing``).
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from ..text.stem import suffix_stem as stem
from ..text.numbers import AGE, counts, counts_of
from ..text.steps import DURATION
from ..text.stopwords import QUESTION_STOPWORDS as STOPWORDS, TITLE_SMALL_WORDS
from ..text.tokenize import content_stems, normalise_token, words as tokens
from .mentions import question_mentions

__all__ = ["FIGURE_NAMES", "MONEY", "REQUIRED_SHAPES", "answer_type", "asked_clause", "asked_figure", "figure_anchor",
           "figure_name", "asks_two_things", "counted_thing", "has_shape", "names_someone", "question_parts", "shows_asked_thing",
           "states_figure"]

_QUESTION_TYPES = (  # checked in this order; the first that matches wins
    ("quantity", re.compile(r"\bhow (many|much|long|old|far|often)\b|\bnumber of\b|"
                            r"\bwhat (amount|percentage|sum)\b", re.I)),
    # "when" only opens a question; mid-sentence it is a conjunction ("raised when it was planned"), and
    # so is an opening "when" clause that another question word follows ("When X was charged, what ...?")
    ("time", re.compile(r"^\W*when\s+(?:did|does|do|was|were|is|are|will|would|has|have|had|can|could)\b|"
                        r"^\W*when\b(?![^?]*,\s*(?:what|which|how|who|whom|whose|where|why)\b)|"
                        r"\b(what|which) (date|day|year|month|time)\b", re.I)),
    ("person", re.compile(r"\bwho(m|se)?\b", re.I)),
)
_ANSWER_SHAPES = {
    "quantity": re.compile(
        r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
        r"fifty|hundreds?|thousands?|millions?|billions?|dozens?|once|twice|half)\b", re.I),
    "time": re.compile(
        r"\b(19|20)\d\d\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|"
        r"\b(january|february|march|april|june|july|august|september|october|november|december)\b|"
        r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tonight)\b|"
        r"\b(last|this|next) (week|month|year|morning|evening|night|weekend)\b|"
        r"\b\d{1,2}[:.]\d\d\b|\b[ap]\.m\.", re.I),
    "person": re.compile(r"(?<=[\w,;:]\s)[A-Z][a-z]+(?:[\s-][A-Z][a-z]+)+"),
}
# Question types whose answer must show in the cited text: a "how many" answered
# without a number, or a "when" without a date, is no answer.
REQUIRED_SHAPES = ("quantity", "time")


def answer_type(question: str) -> str | None:
    """"quantity", "time", "person" or None: what kind of thing the question asks for."""
    for kind, pattern in _QUESTION_TYPES:
        if pattern.search(question):
            return kind
    return None


def has_shape(kind: str | None, sentence: str) -> bool:
    """Whether ``sentence`` holds the kind of thing asked for (a number, a date, a name)."""
    return kind is not None and bool(_ANSWER_SHAPES[kind].search(sentence))


_COUNTED = re.compile(r"\bhow (?:many|much)\s+(?=((?:[^\W\d_]+\s*){1,3}))", re.I)  # words not consumed
_NAME_OF = re.compile(r"\bname of\b", re.I)  # "what was the name of ...": a person too


def shows_asked_thing(question: str, quotes: Sequence[str]) -> bool:
    """Whether ``quotes`` visibly hold what ``question`` asks for, beyond its own words:
    for "how many X" a number and X (every counted X, for "how many X ... and how many
    Y"); for "when" a date; for "who" / "the name of" a name the question does not
    already give. Other questions: False (nothing to see)."""
    text = " ".join(quotes)
    if not text:
        return False
    stems = set(content_stems(text))
    kind = answer_type(question)
    if kind == "quantity":
        counted = [next((w for w in m.group(1).split() if w.lower() not in STOPWORDS), "")
                   for m in _COUNTED.finditer(question)]
        return has_shape(kind, text) and all(stem(normalise_token(w)) in stems for w in counted if w)
    if kind == "time":
        return has_shape(kind, text)
    if kind == "person" or _NAME_OF.search(question):
        asked = set(tokens(question))
        lead = quotes[0]
        return any(m.kind == "name" and not set(m.tokens) <= asked for m in question_mentions(lead))
    return False


# "and" before the second question word, a preposition between them or not ("..., and by what date did ...?")
_PREPOSITION = r"(?:(?:by|on|in|at|for|from|to|with|until|under|after|before|during)\s+)?"
_WH = r"(?:what|which|how|who|whom|whose|when|where|why)\b"
_SECOND_ASK = re.compile(rf"\band\s+{_PREPOSITION}{_WH}|\?.*\w.*\?", re.I | re.S)


def asks_two_things(question: str) -> bool:
    """Whether ``question`` asks for two things: "which project ..., and which inspector
    led it?", "how many hours ... and how many firearms ...?", or two questions in one."""
    return bool(_SECOND_ASK.search(question))


_SPLIT = re.compile(rf",?\s+and\s+(?={_PREPOSITION}{_WH})", re.I)
# a year the question is about ("in 2023", "during fiscal 2021", "by March 2024"), and a second part that only
# names another ("..., and how many in 2024?"): it asks the first part's question of that year
_YEAR = r"(?:in|during|for|by|as of)\s+(?:(?:early|late|mid-?|fiscal|calendar)\s*)?(?:[A-Z][a-z]+\s+)?(?:19|20)\d\d\b"
_YEAR_PHRASE = re.compile(rf"\b{_YEAR}")
_ELLIPTICAL = re.compile(rf"^how (?:many|much)\s+(?P<year>{_YEAR})\W*$", re.I)
_LEAD_CLAUSE = re.compile(rf"^(?:when|while|after|before|as|in|once|since|under|of)\b[^?]*?,\s*(?={_WH})", re.I)
_LEAD_TOPIC = re.compile(rf"^[^?]*(?::|\s[\u2013\u2014-])\s*(?={_WH})", re.I)  # "The Buena Park manager: what ..."
_LAST_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def question_parts(question: str) -> tuple[str, ...]:
    """A question asking two things, as two questions that each carry its context: "Smith was
    charged in 2019. What maximum sentence did he face, and what sentence did he receive?" ->
    ("Smith was charged in 2019. What maximum sentence did he face?", "Smith was charged in
    2019. what sentence did he receive?"); a leading clause ("When X was convicted, what ...")
    or a topic before a colon or dash ("The former Buena Park manager who paid phantom employees: what ...")
    goes with both; with neither, the second part is led by the names the first one gives. One
    part (the question itself) when it asks one thing."""
    text = question.strip()
    pieces = _LAST_SENTENCE.split(text)
    context, last = " ".join(pieces[:-1]), pieces[-1]
    m = _SPLIT.search(last)
    if not m or "?" not in last[m.end():] and not last.rstrip().endswith("?"):
        return (text,)
    first, second = last[: m.start()].rstrip(" ,"), last[m.end():].strip()
    if not re.search(rf"\b{_WH}", first, re.I):  # "knives seized parks: and how many arrests?" asks one thing
        return (text,)
    lead = _LEAD_CLAUSE.match(first) or _LEAD_TOPIC.match(first)
    ellipsis, years = _ELLIPTICAL.match(second), list(_YEAR_PHRASE.finditer(first))
    if ellipsis and years:  # "how many hearings were held in 2023, and how many in 2024?"
        year = years[-1]
        second = f"{first[: year.start()]}{ellipsis['year']}{first[year.end():]}".rstrip(" ?") + "?"
    elif lead:
        second = f"{first[: lead.end()].rstrip()} {second}"
    elif not context:  # "What did X do, and where was she?": the second part borrows X
        names = [m.text for m in question_mentions(first) if m.kind in ("name", "quote")]
        if names:
            second = f"{', '.join(names)}: {second}"
    if not first.endswith("?"):
        first += "?"
    return tuple(f"{context} {p}".strip() for p in (first, second))


# a question word opening the question's last sentence, or a clause after a comma, colon, dash or "and"
_ASKING = re.compile(rf"(?:^|[,:;\u2013\u2014]\s*|\s-\s|\band\s+)(?P<wh>{_WH})", re.I)


def asked_clause(question: str) -> str:
    """The clause that asks, without the context that describes: "In the case of the Spring man who shot his
    ex-girlfriend's new boyfriend, how long had he been lying in wait?" -> "how long had he been lying in
    wait?"; "Smith was charged in 2019. Which judge sentenced him?" -> "Which judge sentenced him?". The
    question's last sentence from its last clause-opening question word ("who shot" inside a description
    opens no clause); the last sentence when no question word opens one."""
    pieces = _LAST_SENTENCE.split(question.strip())
    for i in range(len(pieces) - 1, -1, -1):  # "... the unlicensed Dr. Nargiza, arrested?" is one sentence
        last = " ".join(pieces[i:])
        opening = [m.start("wh") for m in _ASKING.finditer(last)]
        if opening:
            return last[opening[-1]:]
    return pieces[-1]


# the nouns of a person ("the victim", "two 17-year-olds", "the couple"): a name asked of one, a count of them
_PERSON_NOUN = (r"(?:wo)?m[ae]n|boys?|girls?|child(?:ren)?|sons?|daughters?|victims?|"
                r"widow(?:er)?s?|wi(?:fe|ves)|husbands?|mothers?|fathers?|(?:brother|sister)s?(?:-in-law)?|"
                r"couples?|teen(?:ager)?s?|drivers?|passengers?|persons?|people|\d+-year-olds?|suspects?|"
                r"defendants?|(?:girl|boy)?friends?|employees?|workers?|owners?|landlords?|tenants?|students?|"
                r"nurses?|doctors?|patients?|relatives?|nephews?|nieces?|cousins?|accomplices?|gunm[ae]n|"
                r"infants?|bab(?:y|ies)|toddlers?|residents?|individuals?")
# A figure the question asks for by name (checked in this order), and what states it. The money words are
# the payments a release states as an amount; an age is asked of a person ("how old was Zephaniah Trevino",
# "how old was the victim"; group ``name``: the person named), not of a thing ("how old was the oldest
# crime": a year answers it).
_FIGURE_ASKED = {
    # a person's name asked of someone the question only describes ("what was the name of the 17-year-old stabbed at
    # the party", "what are the names of the couple who paid ...", "who was the woman that ..."); before "money": "who
    # paid $276,000" is context
    "name": re.compile(r"\b(?:(?:what|which)\s+(?:is|was|were|are)\s+(?:the\s+)?names?\s+of|"
                       r"who\s+(?:is|was|were|are))\s+(?:(?:the|his|her|their|a|an|both|two|three)\s+)?"
                       rf"(?:[\w'’-]+\s+){{0,3}}?(?:{_PERSON_NOUN})\b", re.I),
    "money": re.compile(r"\b(?:how much|what|which)\b[^?]*\b(?:restitution|compensation|settlement|fines?|fined|bail|"
                        r"bond|amount|money|dollars?|paid|pay|cost|worth|value|damages)\b", re.I),
    "age": re.compile(r"\b[Hh]ow old (?:was|were|is|are)\s+(?:(?:[Dd]r|Mr|Mrs|Ms)\.\s+)?"
                      r"(?:(?P<name>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)|(?:he|she|they)\b|"
                      r"the (?:defendant|victim|man|woman|boy|girl|suspect|teen\w*|child|driver|officer)s?\b)"),
    # "Which San Diego Superior Court judge ...": up to five words between
    "judge": re.compile(r"\b(?:which|what|name of the|who was the)\s+(?:[\w.'’-]+\s+){0,5}?"
                        r"(?:judge|justice|magistrate)\b", re.I),
    "lawyer": re.compile(r"\b(?:defen[cs]e|defendant'?s?)\s+(?:attorney|lawyer|counsel)\b|"
                         r"\bwho\s+(?:represented|was representing|is representing)\b", re.I),
    # the length of a named term (group ``word``): "how long a period of post-release supervision"
    "term": re.compile(r"\bhow long\b[^?]*\b(?P<word>post-release supervision|supervised release|probation|"
                       r"parole)\b", re.I),
    # the kind of gun ("what type of firearm", "what kind of gun"); "what weapon" may be anything ("a potato peeler")
    "firearm": re.compile(r"\b(?:what|which)\s+(?:type|kind|make|model|caliber|brand|sort)\s+of\s+(?:\w+\s+)?"
                          r"(?:guns?|firearms?|handguns?|rifles?|pistols?|shotguns?)\b|"
                          r"\b(?:what|which)\s+(?:guns?|firearms?)\s+(?:did|do|does|was|were|is|are|had|has)\b", re.I),
    # a count: a date, an age or a case number does not answer it
    "count": re.compile(r"\bhow many\b", re.I),
    # "how did X plead" (not "what plea deal": a deal's terms answer it)
    "plea": re.compile(r"\bhow did\b[^?]*\bplead\b|"
                       r"\bwhat\s+(?:was\s+(?:his|her|their|the)\s+)?plea\b(?!\s+(?:deal|bargain|offer|agreement))", re.I),
}
# the date of a court event asked ("on what date is the murder trial scheduled to begin?", "when is X due back in
# court?"; group ``word``): it must be stated beside the event, not any date of the case
_EVENT_DATE_ASKED = re.compile(r"^\W*(?:when\b|(?:on|by)?\s*what (?:date|day)\b)[^?]*?\b(?P<word>trial|sentencing|"
                               r"hearing|arraignment|court|arrested|arrest)\b", re.I)
_EVENT_STEM = {"sentencing": "sentenc", "arraignment": "arraign", "arrested": "arrest"}
MONEY = re.compile(r"[$£€]\s?\d|\b\d[\d,.]*\s*(million|billion|thousand)?\s*(dollars|pounds)\b", re.I)  # a sum stated
_FIGURE_STATED = {
    "date": _ANSWER_SHAPES["time"],
    "money": MONEY,
    "age": AGE,
    "judge": re.compile(r"\b(?:[Jj]udge|[Jj]ustice|[Mm]agistrate|Hon\.)\s+[A-Z]"),
    "lawyer": re.compile(r"\bdefen[cs]e (?:attorney|lawyer|counsel)\b|\brepresented by\b|"
                         r"\b(?:his|her|their) (?:attorney|lawyer)\b", re.I),
    "term": DURATION,
    "plea": re.compile(r"\bplead\w*|\bpled\b|\bpleas?\b|\bguilty\b|\bno contest\b|\bnolo\b", re.I),
    "firearm": re.compile(r"\b(?:rifles?|handguns?|pistols?|shotguns?|revolvers?|AR-?15|AK-?47|Glock|Uzi|"
                          r"semi-?automatic|automatic weapon|assault weapon|ghost guns?|caliber|\d+\s?mm)\b|"
                          r"(?<!\w)\.\d{2,3}\b", re.I),
}
FIGURE_NAMES = {"name": "a person's name", "money": "a money amount", "age": "an age", "judge": "a judge's name",
                "lawyer": "a defence lawyer", "term": "the length of a term",
                "date": "the date of a court event", "firearm": "the kind of firearm",
                "count": "a count", "plea": "a plea"}


def figure_name(kind: str, anchor: str = "") -> str:
    """The figure of ``kind`` in words, with what it must stand beside: "a money amount (bail)"."""
    return FIGURE_NAMES[kind] + (f" ({anchor})" if anchor else "")


def asked_figure(question: str) -> str | None:
    """The figure ``question`` asks for by name ("name", "money", "age", "judge", "lawyer", "term", "firearm",
    "count", "plea", "date"; see ``FIGURE_NAMES``), or None. A "when" question asks for a date, whatever it
    names ("when was the bail set?"): "date" when its asking clause names a court event (trial, sentencing,
    hearing, arraignment, court, an arrest)."""
    if answer_type(question) == "time":
        return "date" if _EVENT_DATE_ASKED.search(asked_clause(question)) else None
    return next((kind for kind, pattern in _FIGURE_ASKED.items() if pattern.search(question)), None)


# the payment itself asked for ("what bond amount", "how much restitution"), not named as context ("how
# much is Walgreens paying under its settlement"): the sum must be stated beside it
_PAYMENT = re.compile(r"\b(?:how much|what|which)\s+(?:(?:the|a|an|total)\s+)?(?P<word>restitution|compensation|"
                      r"settlement|fine|bail|bond)\b", re.I)


def figure_anchor(question: str, kind: str | None) -> str:
    """What the figure of ``kind`` asked must stand beside: the payment asked the amount of ("bond"
    for "what bond amount was set"), the last name of the person whose age is asked by name ("how old
    was Dr. Benjamin Harouni": the age must be theirs); or ""."""
    if kind == "money":
        m = _PAYMENT.search(question)
        return m["word"].lower() if m else ""
    if kind == "term":  # the term asked the length of: a duration in a sentence naming it
        return _FIGURE_ASKED["term"].search(question)["word"].lower()
    if kind == "count":
        return counted_thing(question)
    if kind == "date":  # the event asked the date of: a date in a sentence naming it ("sentenc" for sentencing)
        word = _EVENT_DATE_ASKED.search(asked_clause(question))["word"].lower()
        return _EVENT_STEM.get(word, word)
    m = _FIGURE_ASKED["age"].search(question) if kind == "age" else None
    return m["name"].split()[-1] if m and m["name"] else ""


# "how many <thing counted> ...": the words after "how many" (and "of the"), a comparative aside ("how many more
# ..."), up to the first stop word ("how many Firestone service centers in ...": Firestone service centers)
_COUNTED_RUN = re.compile(r"\bhow many\s+(?:of\s+(?:the|its|his|her|their|these|those)\s+)?"
                          r"(?:(?:more|fewer|additional|other|new|total|such|separate|different)\s+)?"
                          r"(?P<run>[\w'’-]+(?:\s+[\w'’-]+){0,2})", re.I)
# a count of people is stated with many nouns ("how many people did it warn": "1,200 email addresses", "how many
# participants": "71 people"), and "how many times" counts whatever was done ("20 weapons sweeps"): any count
# answers them, as before
_ANY_COUNT = re.compile(rf"^(?:{_PERSON_NOUN}|participants?|offenders?|prosecutors?|attorneys?|das|officers?|"
                        r"clients?|members?|parents?|graduates?|investors?|customers?|homeowners?|seniors?|"
                        r"citizens?|holders?|protest[eo]rs?|witnesses?|inmates?|youths?|juveniles?|deputies|police|"
                        r"constables?|pcs|pcsos?|staff|personnel|agents?|detectives?|troopers?|recruits?|volunteers?|"
                        r"times|occasions|instances)$", re.I)


def counted_thing(question: str) -> str:
    """The thing a "how many" question counts, when it is no person: "how many Firestone service centers in San Diego
    County ..." -> "Firestone service centers", "how many pairs of shoes" -> "pairs"; "" for people ("how many
    victims"), for "how many times" or none named ("how many were dismissed")."""
    m = _COUNTED_RUN.search(question)
    words = []
    for word in (m["run"].split() if m else ()):
        if word.lower() in STOPWORDS:
            break
        words.append(word)
    if any(_ANY_COUNT.match(w) for w in words):
        return ""
    return " ".join(words)


def states_figure(kind: str, text: str, anchor: str = "", given: str = "") -> bool:
    """Whether ``text`` states a figure of ``kind`` ("$5,000", "36-year-old", "Judge Smith"); with
    an ``anchor`` (``figure_anchor``), a sum in a sentence naming the payment ("fined $300"), an
    age beside the name ("Harouni, 64," / "64-year-old Benjamin Harouni"). A name must be one that
    ``given`` (the question) does not give (``names_someone``)."""
    if kind == "count":  # with an anchor (``counted_thing``): a count of that thing
        return counts_of(text, anchor.split()) if anchor else bool(counts(text))
    if kind == "name":
        return names_someone(text, given)
    if not _FIGURE_STATED[kind].search(text):
        return False
    if not anchor:
        return True
    if kind == "age":
        name = re.escape(anchor)
        return re.search(rf"\b{name}\W{{1,3}}\(?\d{{1,3}}\b|\b\d{{1,3}}-year-old\s+(?:[A-Z][\w.'’-]*\s+){{0,3}}{name}\b",
                         text) is not None
    return re.search(rf"\b{re.escape(anchor)}", text, re.I) is not None


# the words of a capitalised run that make it a place or a thing, not a person ("Valley Center")
_PLACE_WORDS = frozenset("""street st avenue ave road rd boulevard blvd drive highway freeway route park center centre
    area valley canyon beach bay heights hills hill lake river island islands county city town village mall plaza market
    hospital school academy college university church temple mosque theater theatre club bank company inc llc corp
    restaurant hotel motel airport station""".split())
_SPEAKS = re.compile(r"\W*(?:\w\s+)?(?:announced|said|says|stated|added|noted)\b")  # "Summer Stepha n announced today"


def names_someone(text: str, given: str = "") -> bool:
    """Whether ``text`` names a person ``given`` (the question) does not: a capitalised run of two words or
    more (``question_mentions``' names; an institution or a rank is none, and a headline in Title Case, its
    small words (``TITLE_SMALL_WORDS``) aside, names nobody by capitals) that is not all in capitals, holds no
    word of a place or a thing ("Valley Center"), and is not the speaker of a statement ("Summer Stephan
    announced today ...": the prosecutor)."""
    words = re.findall(r"[^\W\d_][\w'’-]*", text)
    if len(words) >= 4 and all(w[0].isupper() or w.lower() in TITLE_SMALL_WORDS for w in words):  # a headline
        return False
    asked = set(tokens(given))
    for m in question_mentions(text):
        if m.kind != "name" or len(m.tokens) < 2 or set(m.tokens) <= asked or m.text.isupper():
            continue
        if any(t in _PLACE_WORDS for t in m.tokens) or _SPEAKS.match(text, _end(text, m.tokens)):
            continue
        return True
    return False


def _end(text: str, words: Sequence[str]) -> int:
    """Where the run of ``words`` (normalised tokens, in order) ends in ``text``; its length if not found."""
    pos = 0
    for word in words:
        found = re.compile(rf"\b{re.escape(word)}", re.I).search(text, pos)
        if found is None:
            return len(text)
        pos = found.end()
    return pos
