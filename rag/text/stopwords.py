"""The stop word lists, in one place: one base list of English function words, and each
use's documented difference from it (model: bm25s' stopwords.py).

* :data:`FUNCTION_WORDS` -- the base; :data:`QUESTION_STOPWORDS` adds the words that frame a
  question rather than say what it is about ("tell", "how many", "please").
* :data:`BM25_STOPWORDS` -- what the BM25 index drops. It is shorter than the base and is part
  of the index's tokenizer version (``v1-snowball-english``): changing it changes every stored
  token, so it changes only with that version.
* :data:`SUPPORT_STOPWORDS` -- what the support measure (answers' citation check and the
  evaluation's citation support) ignores. Negations ("no", "not", "nor") are deliberately
  *not* in it: a claim that drops or adds one must not look supported. It also keeps "the"
  and the contractions, as it always has; changing it changes every recorded support score.
"""
from __future__ import annotations

FUNCTION_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing done down during each
    else ever few for from further had has have having he her here hers herself him himself his
    how i if in into is it its itself just let me more most my myself no nor not now of off on
    once only or other ought our ours ourselves out over own per same shall she should so some
    such than that the their theirs them themselves then there these they this those through to
    too under until up upon us very was we were what whatever when where whether which while who
    whom whose why will with within would you your yours yourself isnt arent wasnt werent dont
    doesnt didnt cant couldnt wouldnt shouldnt wont hasnt havent hadnt whats whos wheres whens
    hows im ive youre theyre thats theres""".split()
)

QUESTION_FILLER = frozenset(
    """tell say said says announce announced according describe explain give gave get got
    happen happened happens know list mention mentioned please show summarise summarize
    many much kind sort type ok anything something thing things""".split()
)
"""Words that frame a question rather than say what it is about."""

QUESTION_STOPWORDS = FUNCTION_WORDS | QUESTION_FILLER

_CONTRACTIONS = frozenset(
    """isnt arent wasnt werent dont doesnt didnt cant couldnt wouldnt shouldnt wont hasnt havent
    hadnt whats whos wheres whens hows im ive youre theyre thats theres""".split()
)

BM25_STOPWORDS = (FUNCTION_WORDS - _CONTRACTIONS - frozenset(
    """about above after again against all also am any because before below between both done
    down during each else ever few further here herself himself just let more most myself now
    off once only other ought ourselves out over own per same shall themselves through under
    until up upon us very whatever whether whose within yours yourself""".split()
)) | frozenset({"don't", "it's", "that's"})

NEGATIONS = frozenset({"no", "nor", "not"})

TITLE_SMALL_WORDS = frozenset("a an and as at by for from in into of on or the to with".split())
"""Words a Title Case headline leaves lower-case ("Creuzot Following the Passing of Former DA ...")."""

SUPPORT_STOPWORDS = (FUNCTION_WORDS - _CONTRACTIONS - NEGATIONS - frozenset(
    "the done else ever let now ought per shall upon us whatever whether whose within".split()
)) | frozenset({"said", "says", "according", "yourselves"})

TOPIC_FILLER = frozenset(
    """case cases charge charges matter matters issue issues incident incidents story stories news
    item items topic topics subject subjects""".split()
)
"""Words that say a release is *about something* without saying what: "releases that dealt
with human trafficking cases" counts releases about human trafficking, whether or not they
say "cases" (``rag.collect.criteria``; dropped only from a run that keeps two words: "cold
cases" stays a phrase)."""

