from hypothesis import given, settings, strategies as st
import pytest

from rag.chunking import ChunkerSettings, chunk_release, count_tokens, locate
from rag.errors import ConfigError
from rag.models import Release


def release(body: str) -> Release:
    return Release(id="r.txt", title="A title", date="2024-01-02", url=None, source="s", body=body, path="/x/r.txt")


LONG = "\n\n".join(
    f"Paragraph {i}. Officers seized {i} knives in the park on Tuesday, and the council said more patrols would follow."
    for i in range(40)
)


def test_offsets_are_exact_and_cover_the_body():
    chunks = chunk_release(release(LONG), ChunkerSettings(64, 16))
    assert len(chunks) > 5
    for c in chunks:
        assert LONG[c.start:c.end] == c.text
        assert count_tokens(c.text) <= 64
    assert [c.seq for c in chunks] == list(range(len(chunks)))
    # every non-space character of the body lies in some chunk
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    assert all(i in covered for i, ch in enumerate(LONG) if not ch.isspace())


def test_chunks_overlap():
    chunks = chunk_release(release(LONG), ChunkerSettings(64, 24))
    assert any(b.start < a.end for a, b in zip(chunks, chunks[1:]))


def test_empty_body_gives_no_chunks():
    assert chunk_release(release("   \n ")) == []


def test_embed_text_has_title_and_date_header():
    c = chunk_release(release("Ten knives were seized."))[0]
    assert c.embed_text("Knife sweep", "2022-04-12").startswith("Knife sweep (2022-04-12)\n")
    assert c.embed_text("Knife sweep", None).startswith("Knife sweep\n")


@pytest.mark.parametrize("size, overlap", [(8, 0), (100, 100), (100, -1), ("100", 10)])
def test_bad_settings_quote_the_value(size, overlap):
    with pytest.raises(ConfigError) as exc:
        ChunkerSettings(size, overlap)
    assert repr(size) in str(exc.value) or repr(overlap) in str(exc.value)


def test_locate_finds_repeated_pieces_in_order():
    body = "abc abc abc"
    assert locate(body, ["abc", "abc", "abc"]) == [(0, 3), (4, 7), (8, 11)]


text_st = st.text(
    alphabet=st.sampled_from(list("abcdefghij KLMNOP.,;!?\n\n\t’“”é0123456789")), min_size=0, max_size=3000
)


@settings(max_examples=150, deadline=None)
@given(body=text_st, size=st.integers(16, 80), overlap_frac=st.floats(0, 0.5))
def test_property_offsets_exact(body, size, overlap_frac):
    cs = ChunkerSettings(size, int(size * overlap_frac))
    chunks = chunk_release(release(body), cs)
    last = -1
    for c in chunks:
        assert body[c.start:c.end] == c.text
        assert c.text.strip() == c.text and c.text
        assert c.start > last
        last = c.start


@pytest.mark.skipif(not __import__("conftest").PROSECUTORS.is_dir(), reason="shared corpus not present")
def test_offsets_exact_on_the_whole_shared_corpus():
    """Every chunk of every release of both shared corpora is its exact body slice."""
    from conftest import PROSECUTORS, SHARED
    from rag.ingest import load_corpus

    result = load_corpus([SHARED / "corpora" / "bedfordshire", PROSECUTORS])
    assert len(result.releases) > 8000
    total = 0
    for rel in result.releases:
        chunks = chunk_release(rel)
        assert chunks, rel.id
        for c in chunks:
            assert rel.body[c.start:c.end] == c.text, (rel.id, c.seq)
        total += len(chunks)
    assert total > 40000
