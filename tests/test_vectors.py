"""Contract suite: every VectorIndex type behaves like the numpy reference.

Exact types (faiss-flat, numpy; and Qdrant on data this small) must match the reference id for id;
the approximate IVF types (rag/index/ann.py) must find nearly the same neighbours with nearly the
same scores. Everything else (shapes, empty results, removal,
``allowed``, save and load) is the same contract for all.
"""
import numpy as np
import pytest

from rag.errors import ConfigError
from rag.index.vector_registry import EXACT_INDEXES, VECTOR_INDEXES, load_vector_index, new_vector_index
from rag.index.vectors import FaissFlatIndex, NumpyIndex, VectorIndex


def unit(rows):
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.fixture(params=sorted(VECTOR_INDEXES))
def backend(request):
    return request.param


DIM = 16
# (min recall of the reference's top k, score tolerance) for the approximate types. SQ8 keeps
# each number in 8 bits over its range (|x| <= 1 for unit vectors: a step of 2/255, an error of
# at most 1/255 per number, at most sqrt(DIM)/255 = 0.016 on a dot product with a unit query),
# well inside 0.05; PQ keeps a byte per sub-vector and is lossy by design
APPROXIMATE = {"faiss-ivf-pq": (0.5, 0.2)}
# Qdrant builds HNSW only for a segment past its indexing threshold (thousands of vectors); the few
# hundred here are searched exhaustively in float32 (qdrant-client's local mode: always numpy), so
# here they must match the reference as the exact types do
EXACT_HERE = (*EXACT_INDEXES, "qdrant", "qdrant-edge")


def float32_dot_bound(dim: int) -> float:
    """Largest rounding error of a float32 dot product of two unit vectors of ``dim``
    numbers, in any summation order (BLAS, SIMD width): dim * eps * sum|a_i b_i| <= dim * eps."""
    return dim * float(np.finfo(np.float32).eps)


def assert_like_reference(backend, got, want):
    min_recall, atol = APPROXIMATE.get(backend, (0.9, 0.05))
    (s1, i1), (s2, i2) = got, want
    if backend in EXACT_HERE:
        bound = float32_dot_bound(DIM)
        gaps = -np.diff(s2, axis=1)
        # the data has no near-ties, so the order is the same on every CPU
        assert (gaps[np.isfinite(gaps)] > 2 * bound).all()
        np.testing.assert_array_equal(i1, i2)
        np.testing.assert_allclose(s1, s2, rtol=0, atol=bound)
        return
    found = [len(set(a[a >= 0]) & set(b[b >= 0])) / max(1, (b >= 0).sum()) for a, b in zip(i1, i2)]
    assert np.mean(found) >= min_recall, found
    steps = np.diff(s1, axis=1)
    assert (steps[np.isfinite(steps)] <= 1e-6).all()  # best first
    np.testing.assert_allclose(s1[i1 >= 0], s2[i1 >= 0], atol=atol)  # near the true ranks' scores


def test_is_a_vector_index(backend):
    assert isinstance(new_vector_index(backend, 8), VectorIndex)


def test_matches_reference_on_random_data(backend):
    rng = np.random.default_rng(0)
    vecs = unit(rng.normal(size=(500, DIM)))
    ids = np.arange(1000, 1500)
    idx, ref = new_vector_index(backend, DIM), NumpyIndex(DIM)
    idx.add(ids, vecs)
    ref.add(ids, vecs)
    q = unit(rng.normal(size=(5, DIM)))
    assert_like_reference(backend, idx.search(q, 10), ref.search(q, 10))


def test_remove_and_empty(backend):
    idx = new_vector_index(backend, 4)
    scores, ids = idx.search(unit([[1, 0, 0, 0]]), 3)
    assert (ids == -1).all()
    idx.add([7, 8, 9], unit([[1, 0, 0, 0], [0, 1, 0, 0], [1, 1, 0, 0]]))
    idx.remove([7])
    assert len(idx) == 2
    _, ids = idx.search(unit([[1, 0, 0, 0]]), 3)
    assert ids[0].tolist()[:2] == [9, 8] and ids[0][2] == -1


def test_add_after_first_batch_and_remove_many(backend):
    """Incremental updates: a second add (IVF: into trained buckets) and removal of a block."""
    rng = np.random.default_rng(3)
    vecs = unit(rng.normal(size=(600, 12)))
    idx, ref = new_vector_index(backend, 12), NumpyIndex(12)
    for part in (slice(0, 400), slice(400, 600)):
        idx.add(np.arange(600)[part], vecs[part])
        ref.add(np.arange(600)[part], vecs[part])
    gone = list(range(0, 600, 3))
    idx.remove(gone)
    ref.remove(gone)
    assert len(idx) == len(ref) == 400
    q = unit(rng.normal(size=(4, 12)))
    got = idx.search(q, 8)
    assert not set(got[1].ravel()) & set(gone)
    assert_like_reference(backend, got, ref.search(q, 8))


def test_shape_errors(backend):
    idx = new_vector_index(backend, 4)
    with pytest.raises(ConfigError, match=r"\(n, 4\)"):
        idx.add([1], np.zeros((1, 5)))
    with pytest.raises(ConfigError, match="2 ids for 1 vectors"):
        idx.add([1, 2], np.zeros((1, 4)))


def test_unknown_backend_lists_names():
    with pytest.raises(ConfigError, match="faiss-flat, faiss-ivf-flat, faiss-ivf-pq, faiss-ivf-sq8, numpy, qdrant, qdrant-edge"):
        new_vector_index("annoy", 4)


def test_faiss_round_trip(tmp_path):
    idx = FaissFlatIndex(4)
    idx.add([3, 5], unit([[1, 0, 0, 0], [0, 1, 0, 0]]))
    idx.save(tmp_path / "v.faiss")
    back = FaissFlatIndex.load(tmp_path / "v.faiss")
    assert len(back) == 2 and back.search(unit([[0, 1, 0, 0]]), 1)[1][0, 0] == 5


def test_save_load_round_trip_keeps_type_and_results(backend, tmp_path):
    if backend == "numpy":
        pytest.skip("the numpy reference is not a stored index type")
    rng = np.random.default_rng(4)
    vecs = unit(rng.normal(size=(300, 8)))
    idx = new_vector_index(backend, 8)
    idx.add(np.arange(300) * 2, vecs)
    idx.save(tmp_path / "v.faiss")
    back = load_vector_index(tmp_path / "v.faiss", getattr(idx, "params", {}))
    assert back.name == idx.name and len(back) == 300 and getattr(back, "params", {}) == getattr(idx, "params", {})
    q = unit(rng.normal(size=(3, 8)))
    for a, b in zip(idx.search(q, 5), back.search(q, 5)):
        np.testing.assert_array_equal(a, b)


def test_allowed_ids_restrict_search_like_reference(backend):
    rng = np.random.default_rng(1)
    vecs = unit(rng.normal(size=(400, 8)))
    ids = np.arange(400)
    idx, ref = new_vector_index(backend, 8), NumpyIndex(8)
    idx.add(ids, vecs)
    ref.add(ids, vecs)
    q = unit(rng.normal(size=(3, 8)))
    for allowed in (list(range(0, 400, 7)), list(range(0, 400, 97)), list(range(200))):
        got = idx.search(q, 5, allowed=allowed)
        assert set(got[1].ravel()) - {-1} <= set(allowed)
        assert_like_reference(backend, got, ref.search(q, 5, allowed=allowed))
    assert (idx.search(q, 5, allowed=[])[1] == -1).all()
