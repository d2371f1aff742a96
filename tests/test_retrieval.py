"""Retrieval: fusion, filters, time scoping, reranking, and one contract every retriever passes."""
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import write_release
from rag.chunking import ChunkerSettings
from rag.embedding import HashEmbedder
from rag.errors import ConfigError
from rag.index import Index, build_index
from rag.models import Chunk, Hit, Release
from rag.retrieval import Filters, Retriever, diversify, widen
from rag.retrieval.fusion import rrf
from rag.retrieval.hybrid import RETRIEVERS, HybridConfig, HybridRetriever, retriever_config
from rag.question import analyse
from rag.question.mentions import specific_terms
from rag.retrieval.rerank import OverlapReranker, make_reranker

# ---- fusion ---------------------------------------------------------------


def reference_rrf(rankings, weights, k):
    scores = {}
    for ranking, w in zip(rankings, weights):
        dedup = list(dict.fromkeys(ranking))
        for rank, item in enumerate(dedup, 1):
            scores[item] = scores.get(item, 0) + w / (k + rank)
    return scores


def test_rrf_matches_reference_and_orders_ties_by_first_seen():
    lists = [["a", "b", "c", "b"], ["c", "a", "d"], ["e"]]
    fused = rrf(lists, [1.0, 0.5, 2.0], k=10)
    ref = reference_rrf(lists, [1.0, 0.5, 2.0], 10)
    assert dict(fused) == pytest.approx(ref)
    assert [s for _, s in fused] == sorted((s for _, s in fused), reverse=True)
    assert [i for i, _ in rrf([["x", "y"], ["y", "x"]])] == ["x", "y"]  # tie: first seen wins


def test_rrf_rejects_bad_arguments():
    with pytest.raises(ValueError, match="2 weights for 1"):
        rrf([["a"]], [1, 2])
    with pytest.raises(ValueError, match="-1"):
        rrf([["a"]], k=-1)


# ---- a small dated, two-source corpus --------------------------------------

TOPICS = {
    "kings/a.txt": ("2019-03-14", "Brooklyn jury convicts Marcus Vellin of the 2017 robbery of a bodega in Flatbush."),
    "kings/b.txt": ("2020-07-02", "Brooklyn man sentenced to 12 years for a Flatbush bodega robbery and assault."),
    "orange/c.txt": ("2019-03-20", "Orange County man charged with embezzling 400,000 dollars from a dental office."),
    "orange/d.txt": ("2023-11-05", "Orange County DA announces charges in a dental office embezzlement scheme."),
    "orange/e.txt": ("2024-01-02", "Orange County DA warns residents about fake jury duty phone scams."),
}


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    for rid, (date, text) in TOPICS.items():
        write_release(root, rid, " ".join([text] * 4), date=date)
    folder = tmp_path_factory.mktemp("idx")
    build_index([root], folder, HashEmbedder(64), ChunkerSettings(40, 8))
    return Index(folder)


@pytest.fixture(params=sorted(RETRIEVERS) + ["hybrid+overlap"])
def retriever(request, index) -> Retriever:
    name = request.param.split("+")[0]
    reranker = OverlapReranker() if request.param.endswith("overlap") else None
    return HybridRetriever(index, HashEmbedder(64), retriever_config(name), reranker)


# ---- the contract ----------------------------------------------------------


def test_contract_ranked_hits_with_exact_spans(retriever):
    assert isinstance(retriever, Retriever)
    hits = retriever.retrieve("bodega robbery in Flatbush", 3)
    assert 1 <= len(hits) <= 3
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for h in hits:
        assert h.release.body[h.chunk.start:h.chunk.end] == h.chunk.text
    assert hits[0].release.id.startswith("kings/")


def test_contract_caps_chunks_per_release(retriever):
    from dataclasses import replace

    for cap in (HybridConfig().per_release, 1):
        capped = HybridRetriever(retriever.index, retriever.embedder, replace(retriever.config, per_release=cap),
                                 retriever.reranker)
        hits = capped.retrieve("Orange County dental office embezzlement", 10)
        per = {}
        for h in hits:
            per[h.release.id] = per.get(h.release.id, 0) + 1
        assert max(per.values()) <= cap


def test_contract_hard_filters(retriever):
    hits = retriever.retrieve("Orange County robbery", 5, Filters(sources=("orange",)))
    assert hits and all(h.release.source == "orange" for h in hits)
    hits = retriever.retrieve("robbery", 5, Filters(release_ids=("kings/b.txt",)))
    assert {h.release.id for h in hits} == {"kings/b.txt"}
    hits = retriever.retrieve("dental", 5, Filters(date_from="2023-01-01", date_to="2023-12-31"))
    assert {h.release.id for h in hits} == {"orange/d.txt"}
    assert retriever.retrieve("dental", 5, Filters(date_from="2030-01-01")) == []


def test_contract_rejects_bad_k(retriever):
    with pytest.raises(ConfigError, match="k must be a positive integer"):
        retriever.retrieve("x", 0)


# ---- time words --------------------------------------------------------------


def test_time_words_lift_releases_in_the_window(index):
    on = HybridRetriever(index, HashEmbedder(64), retriever_config("hybrid"))
    off = HybridRetriever(index, HashEmbedder(64), retriever_config("hybrid", dates=False))
    q = "dental office embezzlement charges in March 2019"
    assert on.retrieve(q, 1)[0].release.id == "orange/c.txt"
    assert analyse(q).time_scope.start == dt.date(2019, 3, 1)  # the window the retriever used
    # soft: a window with no releases in it changes nothing
    q2 = "dental office embezzlement charges in 1995"
    assert [h.release.id for h in on.retrieve(q2, 3)] == [h.release.id for h in off.retrieve(q2, 3)]


def test_relative_time_uses_as_of(index):
    r = HybridRetriever(index, HashEmbedder(64), retriever_config("hybrid"))
    hits = r.retrieve("What did the Orange County DA announce last week?", 1, Filters(as_of="2024-01-08"))
    assert hits[0].release.id == "orange/e.txt"


def test_latest_prefers_recent_releases(index):
    r = HybridRetriever(index, HashEmbedder(64), retriever_config("hybrid"))
    hits = r.retrieve("latest Orange County DA announcement", 3)
    assert hits[0].release.date >= "2023-11-05"


# ---- filters, rerank, widen ---------------------------------------------------


def test_filters_validate_values():
    with pytest.raises(ConfigError, match="'March'"):
        Filters(date_from="March")
    with pytest.raises(ConfigError, match="after"):
        Filters(date_from="2020-02-01", date_to="2020-01-01")
    assert Filters(sources="orange").sources == ("orange",)
    assert not Filters(as_of="2024-01-01").restricts


def test_config_and_registry_errors():
    with pytest.raises(ConfigError, match="bm25, bm25-chunks, dense, hybrid"):
        retriever_config("splade")
    with pytest.raises(ConfigError, match="at least one"):
        HybridConfig(dense=False, bm25=False)
    with pytest.raises(ConfigError, match="none, cross-encoder, overlap"):
        make_reranker("colbert")
    with pytest.raises(ConfigError, match="folder not found"):
        make_reranker("cross-encoder", "/no/such/model")
    assert make_reranker("none") is None


def _hit(rid, text, title="", rank=1):
    rel = Release(rid, title, None, None, "s", text, "/" + rid)
    return Hit(Chunk(rid, 0, 0, len(text), text), rel, 1.0 / (60 + rank), rank)  # RRF-like scores


def test_overlap_reranker_lifts_exact_names_and_numbers():
    hits = [_hit("a", "A man was sentenced for a robbery.", rank=1),
            _hit("b", "Juan Ramos received an additional six years.", rank=2),
            _hit("c", "Another case entirely.", rank=3)]
    out = OverlapReranker().rerank("How much extra time did Juan Ramos get?", hits)
    assert out[0].release.id == "b" and [h.rank for h in out] == [1, 2, 3]
    assert specific_terms("Did Juan Ramos get 24,179 days in 'Operation Silver'?")[:4] == [
        "operation silver", "juan", "ramos", "24179"]


def test_diversify_and_widen(index):
    hits = index.hits([(i, 1.0) for i in range(len(index))])
    capped = diversify(hits, 100, 1)
    assert len({h.release.id for h in capped}) == len(capped)
    h = capped[0]
    wide = widen(h, index.store, 1)
    assert wide.chunk.start <= h.chunk.start and wide.chunk.end >= h.chunk.end
    assert wide.release.body[wide.chunk.start:wide.chunk.end] == wide.chunk.text
    assert widen(h, index.store, 0) is h


# ---- score fusion --------------------------------------------------------------


def reference_score_fusion(lists, weights):
    """Straight from the definition, with numpy: sum_i w_i * (s - min_i) / (max_i - min_i)."""
    import numpy as np

    ids = sorted({i for lst in lists for i, _ in lst})
    total = np.zeros(len(ids))
    for lst, w in zip(lists, weights):
        if not lst:
            continue
        first = {}
        for i, s in lst:
            first.setdefault(i, s)
        vals = np.array(list(first.values()), dtype=float)
        span = vals.max() - vals.min()
        for i, s in first.items():
            total[ids.index(i)] += w * ((s - vals.min()) / span if span else 1.0)
    return dict(zip(ids, total))


def test_score_fusion_matches_reference():
    from rag.retrieval.fusion import score_fusion

    lists = [[("a", 0.9), ("b", 0.5), ("c", 0.1)], [("c", 12.0), ("d", 3.0), ("a", 1.0)], [("b", 2.0)]]
    fused = score_fusion(lists, [1.0, 2.0, 0.5])
    ref = reference_score_fusion(lists, [1.0, 2.0, 0.5])
    assert {i: round(s, 9) for i, s in fused} == {i: round(s, 9) for i, s in ref.items()}
    assert [i for i, _ in fused] == sorted(ref, key=lambda i: -ref[i])
    # c: 0 + 2*1 = 2; a: 1 + 0 = 1; d: 2*(2/11); b: 0.5 + 0.5*1 = 1.0 -> a before b (first seen)
    assert [i for i, _ in fused] == ["c", "a", "b", "d"]


@given(st.lists(st.lists(st.tuples(st.sampled_from("abcdefgh"), st.floats(-5, 5, allow_nan=False)), max_size=8),
                min_size=1, max_size=4),
       st.data())
def test_score_fusion_property_matches_reference(lists, data):
    from rag.retrieval.fusion import score_fusion

    weights = data.draw(st.lists(st.floats(0, 3), min_size=len(lists), max_size=len(lists)))
    fused = dict(score_fusion(lists, weights))
    ref = reference_score_fusion(lists, weights)
    assert fused.keys() == ref.keys()
    for i in ref:
        assert abs(fused[i] - ref[i]) < 1e-9


def test_score_fusion_keeps_the_gap_that_rrf_levels():
    """A clear BM25 winner stays first under score fusion; RRF lets two second places beat it."""
    from rag.retrieval.fusion import rrf, score_fusion

    dense = [("x", 0.61), ("gold", 0.60), ("y", 0.40)]
    bm25 = [("gold", 30.0), ("x", 9.0), ("y", 8.0)]
    assert score_fusion([dense, bm25], [1.0, 2.0])[0][0] == "gold"
    assert rrf([[i for i, _ in dense], [i for i, _ in bm25]], [1.0, 1.0])[0][0] == "x"  # a tie: first seen
    dense2 = [("x", 0.61), ("y", 0.60), ("gold", 0.59)]
    bm25_2 = [("gold", 30.0), ("x", 9.0), ("y", 8.5)]
    assert score_fusion([dense2, bm25_2], [1.0, 2.0])[0][0] == "gold"
    assert rrf([[i for i, _ in dense2], [i for i, _ in bm25_2]], [1.0, 1.0])[0][0] == "x"


def test_score_fusion_rejects_mismatched_weights():
    from rag.retrieval.fusion import score_fusion

    with pytest.raises(ValueError, match="1 weights for 2 lists"):
        score_fusion([[("a", 1.0)], [("b", 1.0)]], [1.0])


def test_unknown_fusion_is_named():
    with pytest.raises(ConfigError, match="fusion must be one of score, rrf, got 'max'"):
        retriever_config("hybrid", fusion="max")


def test_prime_embeds_queries_in_one_batch_and_reuses_them(index):
    class Counting(HashEmbedder):
        calls: list = []

        def embed(self, texts, *, progress=False):
            self.calls.append(len(texts))
            return super().embed(texts, progress=progress)

    emb = Counting(64)
    r = HybridRetriever(index, emb, retriever_config("hybrid"))
    questions = ["bodega robbery in Flatbush", "dental office embezzlement", "jury duty scams"]
    r.prime(questions)
    assert emb.calls == [3]
    before = [h.chunk for h in r.retrieve(questions[0], 3)]
    assert emb.calls == [3]  # no new embedding
    fresh = HybridRetriever(index, HashEmbedder(64), retriever_config("hybrid"))
    assert [h.chunk for h in fresh.retrieve(questions[0], 3)] == before  # same results as unprimed
    r.retrieve("something new", 3)
    assert emb.calls == [3, 1]


# ---- quoted phrases ------------------------------------------------------------

PHRASED = {
    "p/robbery.txt": "The DA said streets are safe again and no one will rest after the Flatbush bodega robbery verdict. "
                     "Safe streets mean the bodega robbery victims can rest.",
    "p/quote.txt": "At a community meeting the DA said: we will not rest until the streets are safe. "
                   "The meeting was held at the library.",
    "p/other.txt": "The Flatbush bodega robbery trial ended with a verdict for the store owner and the streets.",
}


def small_index(tmp_path_factory, name: str, texts: dict[str, str], date: str, chunker: ChunkerSettings) -> Index:
    """``texts`` (release id -> body) indexed with the hash embedder."""
    root = tmp_path_factory.mktemp(name)
    for rid, text in texts.items():
        write_release(root, rid, text, date=date)
    folder = tmp_path_factory.mktemp(f"{name}-idx")
    build_index([root], folder, HashEmbedder(64), chunker)
    return Index(folder)


@pytest.fixture(scope="module")
def phrased_index(tmp_path_factory):
    return small_index(tmp_path_factory, "phrased", PHRASED, "2021-05-01", ChunkerSettings(60, 8))


def test_a_quoted_phrase_puts_the_chunks_holding_it_verbatim_first(phrased_index):
    q = "Which release quotes the DA saying 'we will not rest until the streets are safe' after the Flatbush bodega robbery?"
    on = HybridRetriever(phrased_index, HashEmbedder(64), retriever_config("hybrid"))
    off = HybridRetriever(phrased_index, HashEmbedder(64), retriever_config("hybrid", phrase_weight=0))
    assert off.retrieve(q, 3)[0].release.id != "p/quote.txt"  # its words alone favour the robbery releases
    hits = on.retrieve(q, 3)
    assert hits[0].release.id == "p/quote.txt"
    assert [h.rank for h in hits] == [1, 2, 3] and hits[0].score > hits[1].score
    # the same words unquoted, or a quoted phrase no release holds, change nothing
    plain = q.replace("'", "")
    assert [h.release.id for h in on.retrieve(plain, 3)] == [h.release.id for h in off.retrieve(plain, 3)]
    absent = q.replace("will not rest", "shall never rest")
    assert [h.release.id for h in on.retrieve(absent, 3)] == [h.release.id for h in off.retrieve(absent, 3)]


def test_phrase_settings_are_checked():
    with pytest.raises(ConfigError, match="phrase_weight must be a number >= 0, got -1"):
        HybridConfig(phrase_weight=-1)
    with pytest.raises(ConfigError, match="phrase_depth must be a positive integer, got 0"):
        HybridConfig(phrase_depth=0)


# ---- the whole-release field ---------------------------------------------------------

SPREAD = {
    "w/spread.txt": "Jane Quorn led the patrols in the town centre on Friday night with partners. "
                    "Officers spoke to shop owners, checked licensed premises and visited the bus station. "
                    "Later the team searched gardens near the park and the river path for hidden weapons. "
                    "The work was part of Operation Zebedee, which seized eleven knives in the week.",
    "w/decoy.txt": "Jane Quorn and Zebedee Quorn ran a charity fun run for the hospital, raising money for beds. "
                   "Runners of all ages took part in the event and the weather was kind to everyone.",
}


@pytest.fixture(scope="module")
def spread_index(tmp_path_factory):
    return small_index(tmp_path_factory, "spread", SPREAD, "2022-05-01", ChunkerSettings(24, 4))


def test_the_whole_release_field_lifts_a_release_whose_words_are_spread_over_chunks(spread_index):
    q = "What did Operation Zebedee under Jane Quorn do?"
    chunks_only = HybridRetriever(spread_index, HashEmbedder(64), retriever_config("bm25-chunks"))
    with_field = HybridRetriever(spread_index, HashEmbedder(64), retriever_config("bm25-chunks", release_weight=1.0))
    assert spread_index.lexical.search_releases(q, 2)[0][0] == "w/spread.txt"
    assert len(spread_index.store.chunks_of("w/spread.txt")) > 1  # the words are spread over its chunks
    assert chunks_only.retrieve(q, 1)[0].release.id == "w/decoy.txt"  # one chunk holds both names
    assert with_field.retrieve(q, 1)[0].release.id == "w/spread.txt"
    assert retriever_config("hybrid").release_weight > 0 == retriever_config("bm25-chunks").release_weight


def test_the_answerer_reads_each_hit_with_one_neighbouring_chunk_each_side_by_default(tmp_path):
    """``retrieval.widen`` 1 (shipped): the passage handed to the answerer is the hit's chunk grown by
    the chunks before and after it, so a fact in the next paragraph is a candidate; 0: the chunk alone.
    ``retrieval.whole_first`` (shipped): the first passage is its whole release."""
    from rag.pipeline import Pipeline, make_embedder
    from rag.settings import Settings

    paragraphs = [f"Paragraph {i} tells of the {word} case in some detail, " * 12
                  for i, word in enumerate(["burglary", "robbery", "restitution", "fraud", "arson"])]
    write_release(tmp_path / "corpus", "long.txt", "\n\n".join(paragraphs))
    settings = Settings(index_dir=str(tmp_path / "idx")).with_(embedder="hash")
    build_index([tmp_path / "corpus"], tmp_path / "idx", make_embedder(settings), settings.chunking)
    pipe = Pipeline(settings)
    gen = pipe.refresh()
    chunks = gen.index.store.chunks_of("long.txt")
    assert len(chunks) >= 4 and settings.retrieval.widen == 1
    hits = [h for h in pipe.search("the robbery case", 10, generation=gen) if 0 < h.chunk.seq < len(chunks) - 1]
    assert hits, "a hit in the middle of the release"
    first, second = pipe.passages(hits[:1] * 2, generation=gen)
    assert (first.chunk.start, first.chunk.end) == (0, len(first.release.body))  # retrieval.whole_first
    assert first.chunk.text == first.release.body
    before, after = chunks[hits[0].chunk.seq - 1], chunks[hits[0].chunk.seq + 1]
    assert (second.chunk.start, second.chunk.end) == (before.start, after.end)
    assert second.chunk.text == second.release.body[before.start:after.end]
    parts = Pipeline(settings.with_(retrieval__whole_first=False)).passages(hits[:1], generation=gen)
    assert (parts[0].chunk.start, parts[0].chunk.end) == (before.start, after.end)
    narrow = Pipeline(settings.with_(retrieval__widen=0, retrieval__whole_first=False))
    assert narrow.passages(hits[:1], generation=gen)[0] is hits[0]
