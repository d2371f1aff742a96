"""rag.answer.support: the one support measure, shared with the evaluation suite."""
from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import eval.metrics as em
import eval.metrics_answer as ema
from rag.answer import support
from rag.answer.support import SUPPORT_METHOD, SUPPORT_THRESHOLD, support_score
from rag.text.markers import cited_numbers
from rag.text.normalize import normalize
from rag.text.sentences import answer_sentences
from rag.text.stopwords import SUPPORT_STOPWORDS as STOPWORDS
from rag.text.tokenize import content_tokens

REPO = Path(__file__).resolve().parents[1]
QUOTE = "John Smith, 34, was sentenced to 10 years in prison and must pay $24,179 in restitution."


def test_support_score_basics():
    assert SUPPORT_METHOD == "lexical-overlap"
    assert SUPPORT_THRESHOLD == 0.6
    assert support_score("Smith was sentenced to ten years [1].", QUOTE) == 1.0
    assert support_score("Smith was acquitted by a jury.", [QUOTE]) == pytest.approx(1 / 3)
    assert support_score("Smith was not sentenced.", [QUOTE]) == pytest.approx(2 / 3)  # negation counts
    assert support_score("Smith owes 24179 dollars.", []) == 0.0
    assert support_score("It was [1].", [QUOTE]) == 1.0


def test_content_tokens_and_normalize():
    assert content_tokens("A $24,179 was paid [2].") == {"24179", "paid"}
    assert content_tokens("It was one.") == {"1"}
    assert "not" not in STOPWORDS and "a" in STOPWORDS
    assert normalize("Twenty-five [3] officers") == "25 officers"


def test_cited_numbers_and_answer_sentences():
    assert cited_numbers("A [1]. B [2, 3][1]. C[4][5]") == [1, 2, 3, 1, 4, 5]
    assert cited_numbers("(1) [a] [-1]") == []
    text = "Smith got 10 years. [1] Mr. Smith must pay $24,179.[2] He appealed."
    assert answer_sentences(text) == ["Smith got 10 years [1].", "Mr. Smith must pay $24,179[2].", "He appealed."]
    assert answer_sentences("") == []


def test_eval_uses_the_same_functions():
    shared = {"normalize": normalize, "support_score": support.support_score, "cited_numbers": cited_numbers,
              "STOPWORDS": STOPWORDS, "SUPPORT_THRESHOLD": support.SUPPORT_THRESHOLD,
              "SUPPORT_METHOD": support.SUPPORT_METHOD}
    for name, value in shared.items():
        assert getattr(ema, name) is value and getattr(em, name) is value
    assert ema.split_sentences is answer_sentences is em.split_sentences


def test_no_duplicated_logic_left_in_eval():
    src = inspect.getsource(ema)
    for name in ("normalize", "support_score", "cited_numbers", "split_sentences", "_parse_number_words"):
        assert f"def {name}(" not in src
    assert "STOPWORDS: frozenset" not in src and "SUPPORT_THRESHOLD =" not in src


def test_rag_never_imports_eval():
    code = ("import sys; import rag.answer.support, rag.answer.prompt, rag.answer.citecheck, rag.text.normalize; "
            "assert not any(m == 'eval' or m.startswith('eval.') for m in sys.modules), 'eval imported'")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
    for path in (REPO / "rag").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name in ("support.py", "prompt.py", "citecheck.py"):
            assert "import eval" not in text and "from eval" not in text, path


def test_numbers_glued_to_units_match_the_bare_number():
    from eval.metrics import key_fact_accuracy

    assert normalize("seized almost 23kg of cocaine") == "seized almost 23 kg of cocaine"
    assert key_fact_accuracy("The force seized almost 23kg of cocaine.", ["23"]) == 1.0
    assert normalize("the 1st of 10m") == "the 1st of 10m"
