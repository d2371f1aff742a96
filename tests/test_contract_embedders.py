"""One contract for every embedder in the registry, and for each runtime of the real model:
shape and type, unit rows, the same vector for the same text, and similar texts nearer than
unrelated ones."""
from __future__ import annotations

import numpy as np
import pytest

from rag.embedding import EMBEDDERS, Embedder, get_embedder

TEXTS = ["Bedfordshire Police seized knives in Luton parks.",
         "Officers recovered knives during weapons sweeps of Luton's parks.",
         "The council approved a budget for new library opening hours."]
# hash: the registered fake; minilm: the shipped default runtime and plain sentence-transformers
CASES = [("hash", None), ("minilm", "openvino-int8"), ("minilm", "torch")]
# unit rows: float32 normalisation then a norm, each of the `dim` squares and sums rounding by
# at most eps, so 1 within dim * eps on any CPU
EPS = float(np.finfo(np.float32).eps)


def test_every_registered_embedder_is_covered():
    assert {name for name, _ in CASES} == set(EMBEDDERS.names())


@pytest.fixture(scope="module", params=CASES, ids=lambda c: "-".join(filter(None, c)))
def embedder(request, tmp_path_factory):
    name, backend = request.param
    options = {"backend": backend} if backend else {}
    return get_embedder(name, cache_dir=str(tmp_path_factory.getbasetemp() / "embed-cache"), **options)


def test_is_an_embedder(embedder):
    assert isinstance(embedder, Embedder) and embedder.name and embedder.dim > 0


def test_shape_type_and_unit_rows(embedder):
    vectors = embedder.embed(TEXTS)
    assert vectors.shape == (len(TEXTS), embedder.dim) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=0, atol=embedder.dim * EPS)
    assert embedder.embed([]).shape == (0, embedder.dim)


def test_the_same_text_gets_the_same_vector(embedder):
    a, b = embedder.embed(TEXTS), embedder.embed(TEXTS)
    # the same batch through the same graph; a threaded runtime may sum in another order, so
    # within float32 rounding of a unit vector's dot products (dim * eps)
    np.testing.assert_allclose(a, b, rtol=0, atol=embedder.dim * EPS)


def test_similar_texts_are_nearer_than_unrelated_ones(embedder):
    v = embedder.embed(TEXTS)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2])
