"""One tokenizer, configured per use with its word splitter, stop words and stemmer
(model: bm25s' ``Tokenizer(stopwords=, stemmer=)``).

The configured tokenizers:

* :data:`bm25_tokens` -- what the BM25 index stores and searches: :func:`index_words`,
  :data:`~rag.text.stopwords.BM25_STOPWORDS`, Snowball. Part of the index format
  (:data:`BM25_TOKENIZER`): a change here means a new version and a re-tokenized index.
* :func:`content_stems` -- what the answerers match between a question and a sentence:
  :func:`words`, :data:`~rag.text.stopwords.QUESTION_STOPWORDS`, the suffix stemmer.
* :func:`content_tokens` -- what the support measure compares: the words of
  :func:`~rag.text.normalize.normalize`, :data:`~rag.text.stopwords.SUPPORT_STOPWORDS`,
  no stemming (a paraphrase must not look like support).

Numbers are never stop words and never stemmed.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Callable, Collection

from . import stem
from .normalize import normalize
from .stopwords import BM25_STOPWORDS, QUESTION_STOPWORDS, SUPPORT_STOPWORDS

Splitter = Callable[[str], list[str]]


class Tokenizer:
    """``split`` the text into normalised words, drop ``stopwords``, ``stemmer`` the rest."""

    def __init__(self, split: Splitter, stopwords: Collection[str] = frozenset(),
                 stemmer: stem.Stemmer | None = None):
        self.split, self.stopwords, self.stemmer = split, frozenset(stopwords), stemmer

    def __call__(self, text: str) -> list[str]:
        out: list[str] = []
        words: list[str] = []
        where: list[int] = []
        for tok in self.split(text or ""):
            if tok[:1].isdigit():
                out.append(tok)
            elif tok not in self.stopwords:
                where.append(len(out))
                out.append(tok)
                words.append(tok)
        if self.stemmer is not None and words:
            for i, stemmed in zip(where, self.stemmer(words)):
                out[i] = stemmed
        return out


# ---- word splitters -------------------------------------------------------------------

_INDEX_WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:'[^\W\d_]+)*")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\uff07": "'", "`": "'"})


def index_words(text: str) -> list[str]:
    """Lower-cased, accent-folded words and numbers; numbers keep decimals and lose thousands
    separators: "24,179" -> "24179", "2.02" -> "2.02"."""
    if not text:
        return []
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
        text = "".join(c for c in text if not unicodedata.combining(c))
    return [tok.replace(",", "") if tok[0].isdigit() else tok for tok in _INDEX_WORD.findall(text.lower())]


_WORD = re.compile(r"\d[\d,]*(?:\.\d+)?|[^\W\d_]+(?:['’][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['’]s$")

NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}


def normalise_token(tok: str) -> str:
    """Lower-case, drop possessive and inner apostrophes, '1,000' -> '1000', 'ten' -> '10'."""
    tok = _POSSESSIVE.sub("", tok.lower())
    tok = tok.replace("’", "").replace("'", "")
    if tok[:1].isdigit():
        return tok.replace(",", "")
    return NUMBER_WORDS.get(tok, tok)


def words(text: str) -> list[str]:
    """Normalised word and number tokens of ``text`` (see :func:`normalise_token`)."""
    return [normalise_token(t) for t in _WORD.findall(text)]


def normalized_words(text: str) -> list[str]:
    """The words of :func:`~rag.text.normalize.normalize`."""
    return normalize(text).split()


# ---- the configured tokenizers ---------------------------------------------------------

BM25_TOKENIZER = "v1-snowball-english"
"""The BM25 index's tokenizer version: stored tokens of another version are discarded."""

bm25_tokens = Tokenizer(index_words, BM25_STOPWORDS, stem.snowball)
_content_stems = Tokenizer(words, QUESTION_STOPWORDS, stem.suffix)
_content_tokens = Tokenizer(normalized_words, SUPPORT_STOPWORDS)


def content_stems(text: str) -> list[str]:
    """Stems of the content words and numbers of ``text``, in order (repeats kept)."""
    return _content_stems(text)


def content_tokens(text: str) -> set[str]:
    """The distinct :func:`~rag.text.normalize.normalize` tokens of ``text`` that are not
    support stop words."""
    return set(_content_tokens(text))
