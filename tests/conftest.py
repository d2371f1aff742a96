"""Shared fixtures: the real corpora (when present), fakes, and small corpora."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

# No timing asserts: hypothesis's default 200 ms deadline per example failed a property test on
# a loaded 2-core machine (the example was right, only slow). Correctness is what is tested.
settings.register_profile("press-rag", deadline=None)
settings.load_profile("press-rag")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PROSECUTORS = SHARED / "corpora" / "us-prosecutors" / "text"
BUNDLED = REPO / "corpus"


def needs_shared():
    return pytest.mark.skipif(not PROSECUTORS.is_dir(), reason=f"shared corpus not found at {PROSECUTORS}")


@pytest.fixture
def hash_embedder():
    from rag.embedding import HashEmbedder

    return HashEmbedder(64)


@pytest.fixture(scope="session")
def real_embedder():
    from rag.embedding import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def bundled_pipeline(tmp_path_factory, real_embedder):
    """A Pipeline over an index of the bundled corpus built with the real embedder (read only)."""
    from rag.pipeline import Pipeline, index_corpus
    from rag.settings import Settings

    settings = Settings(index_dir=str(tmp_path_factory.mktemp("bundled-idx")), corpus=str(BUNDLED))
    index_corpus(settings, embedder=real_embedder)
    return Pipeline(settings, embedder=real_embedder)


@pytest.fixture(scope="module")
def llm_server():
    """A fake OpenAI-compatible server on 127.0.0.1 (tests/fake_openai_server.py)."""
    from fake_openai_server import FakeOpenAIServer

    srv = FakeOpenAIServer().start()
    yield srv
    srv.stop()


def write_release(root: Path, name: str, body: str, date: str = "2024-01-15") -> Path:
    """A release in the ' date YYYY-MM-DD' format."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f" date {date} {body}\n", encoding="utf-8")
    return path


def hash_pipeline(tmp_path_factory, make_corpus):
    """A Pipeline (hash embedder) over a corpus ``make_corpus(root)`` writes, indexed with nothing skipped."""
    from rag.index import build_index
    from rag.pipeline import Pipeline, make_embedder
    from rag.settings import Settings

    root = tmp_path_factory.mktemp("corpus")
    make_corpus(root)
    index_dir = tmp_path_factory.mktemp("idx")
    settings = Settings(index_dir=str(index_dir)).with_(embedder="hash")
    report = build_index([root], index_dir, make_embedder(settings), settings.chunking)
    assert not report.skipped, report.skipped
    return Pipeline(settings)
