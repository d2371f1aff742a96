"""A name the releases read lack but the archive holds is no grounds to refuse (rag.retrieval.known)."""
from __future__ import annotations

import pytest

from conftest import write_release
from rag.answer.evidence import SentenceRanker
from rag.index import build_index
from rag.models import Chunk, Hit, Release
from rag.pipeline import Pipeline, make_embedder
from rag.question import analyse
from rag.retrieval.known import known_as_context, missing_from
from rag.settings import Settings

CLUB = ("A 61-year-old repeat offender was sentenced to life in prison on Tuesday for shooting a nightclub "
        "owner in 2018. Judge Kristin Guiney assessed the punishment after the defendant chose the judge.")
HOUSTON = "Houston police officers arrested two men after a robbery at a gas station on Bissonnet Street."
QUESTION = "Which judge sentenced the repeat offender who shot a Houston nightclub owner?"
INVENTED = "Which judge sentenced Delbert Quarrington for shooting a nightclub owner?"


def hit(rid: str, body: str) -> Hit:
    release = Release(rid, "", "2024-01-15", None, "test", body, rid)
    return Hit(Chunk(rid, 0, 0, len(body), body), release, 1.0, 1)


class Archive:
    """A fake archive: the texts it holds."""

    def __init__(self, *bodies: str):
        self.bodies = bodies

    def holds_text(self, text: str) -> bool:
        return any(text in b for b in self.bodies)


def test_a_place_the_archive_holds_elsewhere_becomes_context():
    q = analyse(QUESTION)
    read = [hit("club.txt", CLUB)]
    assert [m.text for m in missing_from(q, read)] == ["Houston"]
    grounded = known_as_context(q, read, Archive(CLUB, HOUSTON))
    assert missing_from(grounded, read) == []
    assert [m.kind for m in grounded.mentions if m.text == "Houston"] == ["context"]
    assert SentenceRanker().missing(grounded, read) == [] and SentenceRanker().missing(q, read)


def test_a_name_the_archive_does_not_hold_still_refuses():
    q = analyse(INVENTED)
    read = [hit("club.txt", CLUB)]
    grounded = known_as_context(q, read, Archive(CLUB, HOUSTON))
    assert grounded is q
    assert [m.text for m in SentenceRanker().missing(grounded, read)] == ["Delbert Quarrington"]


def test_nothing_missing_leaves_the_question_as_it_is():
    q = analyse("Which judge sentenced the repeat offender who shot a nightclub owner?")
    assert known_as_context(q, [hit("club.txt", CLUB)], Archive()) is q


@pytest.fixture(scope="module")
def pipe(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    write_release(root, "club.txt", CLUB)
    write_release(root, "houston.txt", HOUSTON)
    index_dir = tmp_path_factory.mktemp("idx")
    settings = Settings(index_dir=str(index_dir)).with_(embedder="hash")
    report = build_index([root], index_dir, make_embedder(settings), settings.chunking)
    assert not report.skipped, report.skipped
    return Pipeline(settings)


def test_the_store_answers_whether_the_archive_holds_a_text(pipe):
    store = pipe.index.store
    assert store.holds_text("Houston") and store.holds_text("Kristin Guiney")
    assert not store.holds_text("Delbert Quarrington") and not store.holds_text("houston")  # as is


def test_the_pipeline_grounds_on_the_archive_only_when_switched_on(pipe):
    q = analyse(QUESTION)
    read = [hit("club.txt", CLUB)]
    gen = pipe.refresh()
    assert not missing_from(pipe.grounded(q, read, gen), read)
    off = Pipeline(pipe.settings.with_(retrieval__known_names=False))
    assert [m.text for m in missing_from(off.grounded(q, read, off.refresh()), read)] == ["Houston"]
