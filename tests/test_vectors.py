"""Contract suite: every VectorIndex backend behaves like the numpy reference."""
import numpy as np
import pytest

from rag.errors import ConfigError
from rag.index.vectors import VECTOR_INDEXES, FaissFlatIndex, NumpyIndex, VectorIndex, new_vector_index


def unit(rows):
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.fixture(params=sorted(VECTOR_INDEXES))
def backend(request):
    return request.param


def test_is_a_vector_index(backend):
    assert isinstance(new_vector_index(backend, 8), VectorIndex)


def test_matches_reference_on_random_data(backend):
    rng = np.random.default_rng(0)
    vecs = unit(rng.normal(size=(500, 16)))
    ids = np.arange(1000, 1500)
    idx, ref = new_vector_index(backend, 16), NumpyIndex(16)
    idx.add(ids, vecs)
    ref.add(ids, vecs)
    q = unit(rng.normal(size=(5, 16)))
    s1, i1 = idx.search(q, 10)
    s2, i2 = ref.search(q, 10)
    np.testing.assert_array_equal(i1, i2)
    np.testing.assert_allclose(s1, s2, rtol=1e-5, atol=1e-5)


def test_remove_and_empty(backend):
    idx = new_vector_index(backend, 4)
    scores, ids = idx.search(unit([[1, 0, 0, 0]]), 3)
    assert (ids == -1).all()
    idx.add([7, 8, 9], unit([[1, 0, 0, 0], [0, 1, 0, 0], [1, 1, 0, 0]]))
    idx.remove([7])
    assert len(idx) == 2
    _, ids = idx.search(unit([[1, 0, 0, 0]]), 3)
    assert ids[0].tolist()[:2] == [9, 8] and ids[0][2] == -1


def test_shape_errors(backend):
    idx = new_vector_index(backend, 4)
    with pytest.raises(ConfigError, match=r"\(n, 4\)"):
        idx.add([1], np.zeros((1, 5)))
    with pytest.raises(ConfigError, match="2 ids for 1 vectors"):
        idx.add([1, 2], np.zeros((1, 4)))


def test_unknown_backend_lists_names():
    with pytest.raises(ConfigError, match="faiss-flat, numpy"):
        new_vector_index("annoy", 4)


def test_faiss_round_trip(tmp_path):
    idx = FaissFlatIndex(4)
    idx.add([3, 5], unit([[1, 0, 0, 0], [0, 1, 0, 0]]))
    idx.save(tmp_path / "v.faiss")
    back = FaissFlatIndex.load(tmp_path / "v.faiss")
    assert len(back) == 2 and back.search(unit([[0, 1, 0, 0]]), 1)[1][0, 0] == 5


def test_allowed_ids_restrict_search_like_reference(backend):
    rng = np.random.default_rng(1)
    vecs = unit(rng.normal(size=(200, 8)))
    ids = np.arange(200)
    idx, ref = new_vector_index(backend, 8), NumpyIndex(8)
    idx.add(ids, vecs)
    ref.add(ids, vecs)
    allowed = list(range(0, 200, 7))
    q = unit(rng.normal(size=(3, 8)))
    s1, i1 = idx.search(q, 5, allowed=allowed)
    s2, i2 = ref.search(q, 5, allowed=allowed)
    np.testing.assert_array_equal(i1, i2)
    assert set(i1.ravel()) <= set(allowed)
    assert (idx.search(q, 5, allowed=[])[1] == -1).all()
