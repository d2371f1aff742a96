"""A refused part of a two-part question answered again over both parts' passages (rag.answer.combine.rescue_parts)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.answer import ExtractiveAnswerer
from rag.answer.combine import combine, rescue_parts
from rag.config import ExtractiveConfig
from rag.errors import ConfigError
from rag.models import Answer, Chunk, Hit, Release

REPO = Path(__file__).resolve().parents[1]

RESET = ("Brooklyn District Attorney Eric Gonzalez today announced that Project Reset, a diversion program, "
         "includes an arts-based course at the Brooklyn Museum.\n\n"
         "Since the launch of the program, 182 people completed Project Reset and had their cases dismissed.\n\n"
         "The District Attorney thanked the museum's educators for their work.")
OTHER = ("The Brooklyn District Attorney's Office announced a new hotline for tenants.\n\n"
         "Tenants can call the hotline every weekday.")
PARTS = ("Which museum runs the arts course of Brooklyn's Project Reset diversion program?",
         "how many people had completed it by 2019?")


def release(rid: str, body: str, title: str) -> Release:
    return Release(rid, title, "2019-10-02", f"https://example.org/{rid}", "test", body, rid)


def hits(r: Release) -> list[Hit]:
    out, pos = [], 0
    for para in r.body.split("\n\n"):
        start = r.body.index(para, pos)
        pos = start + len(para)
        out.append(Hit(Chunk(r.id, len(out), start, pos, para), r, 1.0 - len(out) / 10, len(out) + 1))
    return out


R_RESET, R_OTHER = release("reset.txt", RESET, "Project Reset"), release("other.txt", OTHER, "Tenant hotline")


def parts_answered(answerer, read):
    return [answerer.answer(p, passages) for p, passages in zip(PARTS, read)]


@pytest.fixture
def answerer(hash_embedder):
    return ExtractiveAnswerer(hash_embedder, top_k=20, part_support=0.0)


def test_a_refused_part_is_answered_from_the_answered_parts_passages(answerer):
    read = [hits(R_RESET), hits(R_OTHER)]  # the second part, split off, lost its subject and found another release
    answers = parts_answered(answerer, read)
    assert not answers[0].refused and "Brooklyn Museum" in answers[0].text
    assert answers[1].refused  # no number in its own passages: "how many" needs one
    rescued = rescue_parts(answerer, PARTS, read, answers)
    assert rescued[0] is answers[0] and not rescued[1].refused
    assert "182 people" in rescued[1].text and "with the other part's passages at support 0.00" in rescued[1].note
    assert {c.release_id for c in rescued[1].citations} == {"reset.txt"}
    whole = combine(rescued, answerer.name)
    assert "Brooklyn Museum" in whole.text and "182 people" in whole.text
    assert [c.n for c in whole.citations] == list(range(1, len(whole.citations) + 1))


def test_off_or_nothing_answered_or_another_answerer_leaves_the_answers(answerer, hash_embedder):
    read = [hits(R_RESET), hits(R_OTHER)]
    off = ExtractiveAnswerer(hash_embedder, top_k=20, part_support=1.0)  # never
    answers = parts_answered(off, read)
    assert rescue_parts(off, PARTS, read, answers) is answers
    both = [Answer("I could not find the answer in the releases.", True, (), "extractive", {}, "weak")] * 2
    assert rescue_parts(answerer, PARTS, read, both) is both  # a question refused as a whole stays refused

    class Model:  # an LLM's declined part has its own fallback
        name = "local"

    answers = parts_answered(answerer, read)
    assert rescue_parts(Model(), PARTS, read, answers) is answers


def test_the_other_checks_still_decline_a_rescued_part(answerer, hash_embedder):
    """Asked for a restitution amount that no passage states: the figure check declines at any floor (without
    it, the merged passages' "182 people completed ..." would be quoted)."""
    parts = (PARTS[0], "how much restitution did the people who completed Project Reset pay?")
    read = [hits(R_RESET), hits(R_OTHER)]
    answers = [answerer.answer(p, passages) for p, passages in zip(parts, read)]
    assert answers[1].refused
    rescued = rescue_parts(answerer, parts, read, answers)
    assert rescued[1] is answers[1]
    merged = read[1] + read[0]
    relaxed = ExtractiveAnswerer(hash_embedder, top_k=20, min_support=0.0)
    assert relaxed.answer(parts[1], merged).note.startswith("asked for a money amount (restitution)")
    unchecked = ExtractiveAnswerer(hash_embedder, top_k=20, min_support=0.0, figure_check=False)
    assert "182 people" in unchecked.answer(parts[1], merged).text


def test_part_support_is_the_committed_fits_choice_and_a_fraction():
    fit = json.loads((REPO / "bench" / "results" / "part_support_fit.json").read_text(encoding="utf-8"))
    assert ExtractiveConfig().part_support == fit["chosen_on_all"] == 0.25
    assert all(f["held_out_chosen"]["key_facts"] >= f["held_out_off"]["key_facts"] for f in fit["folds"])
    with pytest.raises(ConfigError, match="part_support"):
        ExtractiveConfig(part_support=1.5)
