"""Embedding backends: the same model through torch, ONNX Runtime (fp32, int8) and OpenVINO.

Real model, a few real texts; the exports go to a temporary cache folder.
"""
import threading

import numpy as np
import pytest

from rag.embedding import (
    VARIANT_MIN_COSINE,
    SentenceTransformerEmbedder,
    compatible_variants,
    get_embedder,
)
from rag.errors import ConfigError, IndexMismatchError
from rag.index.manifest import Manifest

TEXTS = [
    "Brooklyn man sentenced to 20 years to life for 2013 stabbing murder in Sunset Park (2016-03-30)\n"
    "He received an additional six years in prison for assaulting another man who tried to aid the victim.",
    "Bedfordshire Police seized knives and made four arrests in Luton town centre on Saturday night.",
    "The defendant pleaded guilty to wire fraud and faces a maximum of 20 years in federal prison.",
    "short",
    "word " * 400,  # longer than the model's 256-wordpiece window: truncated the same way everywhere
]

# A float32 vector divided by its norm, then measured again: each of the 384 squares and sums
# rounds by at most eps, so the norm is 1 within 384 * eps (4.6e-5) on any CPU.
UNIT_NORM_TOL = 384 * float(np.finfo(np.float32).eps)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    """A cache folder of this module's own (the ``cache.dir`` setting): exports start cold."""
    return tmp_path_factory.mktemp("press-rag-cache")


@pytest.fixture(scope="module")
def reference(real_embedder):
    return real_embedder.embed(TEXTS)


@pytest.mark.parametrize("backend,dtype,min_cos", [
    ("onnx", "float32", 0.9999),
    ("onnx-int8", "float32", 0.97),
    ("openvino", "float32", 0.9999),
    ("openvino", "bfloat16", 0.999),
    ("openvino-int8", "float32", 0.985),
])
def test_backend_vectors_agree_with_torch_fp32(cache_dir, reference, backend, dtype, min_cos):
    pytest.importorskip("openvino" if backend.startswith("openvino") else "onnxruntime")
    if backend == "openvino-int8":
        pytest.importorskip("nncf")
    emb = SentenceTransformerEmbedder(backend=backend, dtype=dtype, batch_size=2, cache_dir=str(cache_dir))
    vectors = emb.embed(TEXTS)
    assert vectors.shape == (len(TEXTS), 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=0, atol=UNIT_NORM_TOL)
    cos = (vectors * reference).sum(axis=1)
    # int8: real text only; a 256-token run of one repeated word is far outside the
    # calibrated activation ranges (static int8: cosine ~0.91 there)
    real = cos[:-1] if backend.endswith("-int8") else cos
    assert real.min() >= min_cos, cos
    assert real.min() >= VARIANT_MIN_COSINE[emb.variant] - 0.02  # the recorded agreement is not optimistic
    alone = emb.embed(TEXTS[:1])[0]
    # Length-sorted batches and per-row pooling: the batch changes a text's vector only by the
    # rounding of kernels chosen for another shape, which differ between CPUs. So compare the
    # cosine, with a bound set by the format, never elementwise: float32 keeps 24 bits, so any
    # order of summation agrees to ~1e-6 (cos >= 1 - 1e-6); bf16 keeps 8 bits (a relative error
    # up to 2^-8 per number, compounded over 6 layers: cos >= 1 - 1e-3); the int8 graphs run what
    # is not int8 in OpenVINO's choice of precision, bf16 on CPUs that have it (the bf16 bound);
    # dynamic int8 also scales activations per batch (measured 0.99 here).
    floor = {"onnx-int8": 0.99, "openvino-int8": 1 - 1e-3}.get(
        backend, 1 - 1e-3 if dtype == "bfloat16" else 1 - 1e-6)
    assert float(alone @ vectors[0]) >= floor
    # what a search sees does not change: the other texts rank the same against it either way
    assert np.argsort(-(vectors[1:-1] @ alone)).tolist() == np.argsort(-(vectors[1:-1] @ vectors[0])).tolist()


def test_export_is_cached_and_reused(cache_dir):
    pytest.importorskip("onnxruntime")
    SentenceTransformerEmbedder(backend="onnx", cache_dir=str(cache_dir)).embed(["warm"])
    files = list(cache_dir.glob("onnx/*/model.onnx"))
    assert len(files) == 1
    stamp = files[0].stat().st_mtime_ns
    SentenceTransformerEmbedder(backend="onnx", cache_dir=str(cache_dir)).embed(["again"])
    assert files[0].stat().st_mtime_ns == stamp and not list(cache_dir.glob("onnx/*/*.tmp"))


def test_torch_bf16_rows_are_unit_length(real_embedder):
    emb = SentenceTransformerEmbedder(dtype="bfloat16")
    np.testing.assert_allclose(np.linalg.norm(emb.embed(TEXTS[:3]), axis=1), 1.0, rtol=0, atol=UNIT_NORM_TOL)


def test_bad_backend_and_dtype_are_refused_with_the_valid_values():
    with pytest.raises(ConfigError, match="torch, onnx, onnx-int8, openvino, openvino-int8"):
        SentenceTransformerEmbedder(backend="tensorrt")
    with pytest.raises(ConfigError, match="float32"):
        SentenceTransformerEmbedder(backend="onnx", dtype="bfloat16")
    with pytest.raises(ConfigError, match="cpu"):
        SentenceTransformerEmbedder(backend="onnx", device="cuda")
    with pytest.raises(ConfigError, match="threads"):
        SentenceTransformerEmbedder(threads=0)
    with pytest.raises(ConfigError, match="torch, onnx"):
        get_embedder("minilm", backend="nope")


def test_variants_and_registry(tmp_path, monkeypatch):
    from rag.embedding import embedder_from
    from rag.settings import Settings, load_settings

    assert SentenceTransformerEmbedder().variant == "torch-float32"
    assert SentenceTransformerEmbedder(backend="onnx-int8").variant == "onnx-int8"
    assert SentenceTransformerEmbedder(backend="openvino", dtype="bfloat16").variant == "openvino-bfloat16"
    assert SentenceTransformerEmbedder(backend="openvino-int8").variant == "openvino-int8"
    assert get_embedder("minilm").variant == "openvino-int8"  # the measured default
    assert Settings().embedding.backend == "openvino-int8"
    monkeypatch.chdir(tmp_path)  # no rag.toml
    assert embedder_from(load_settings(env={"RAG_EMBED_BACKEND": "onnx"}).embedding).variant == "onnx-float32"
    assert get_embedder("minilm", backend="torch").variant == "torch-float32"
    assert get_embedder("hash").name == "hash-256"


def test_fingerprints_differ_by_backend():
    prints = {SentenceTransformerEmbedder(backend=b).fingerprint for b in ("torch", "onnx", "onnx-int8", "openvino-int8")}
    prints.add(SentenceTransformerEmbedder(dtype="bfloat16").fingerprint)
    assert len(prints) == 5 and all(p.startswith(SentenceTransformerEmbedder.MODEL_NAME) for p in prints)


def test_compatibility_rule_and_manifest_check():
    assert compatible_variants("torch-float32", "onnx-float32")
    assert compatible_variants("openvino-bfloat16", "torch-float32")
    assert compatible_variants("onnx-int8", "onnx-int8")
    assert compatible_variants("openvino-int8", "torch-float32")
    assert not compatible_variants("torch-float32", "onnx-int8")
    old = Manifest(embedder="m", dim=384, chunk_tokens=160, overlap_tokens=32, extra={"embed_dtype": "float32"})
    assert old.variant == "torch-float32"
    old.check("m", 384, variant="onnx-float32")
    with pytest.raises(IndexMismatchError, match="onnx-int8"):
        old.check("m", 384, variant="onnx-int8")
    Manifest(embedder="m", dim=384, chunk_tokens=160, overlap_tokens=32, embed_variant="onnx-int8").check(
        "m", 384, variant="onnx-int8")


@pytest.mark.parametrize("backend", ["openvino-int8", "openvino", "onnx"])
def test_backends_embed_from_many_threads_at_once(cache_dir, backend):
    """The chat embeds questions from several threads: every call answers, each with the
    vector it gets alone (one shared OpenVINO infer request failed: "Infer Request is busy")."""
    pytest.importorskip("openvino" if backend.startswith("openvino") else "onnxruntime")
    emb = SentenceTransformerEmbedder(backend=backend, cache_dir=str(cache_dir))
    texts = [f"{TEXTS[i % 3]} ({i})" for i in range(24)]
    alone = emb.embed(texts)
    barrier = threading.Barrier(8)
    out: dict[int, np.ndarray] = {}
    errors: list[str] = []

    def worker(start: int) -> None:
        barrier.wait(timeout=60)
        for i in range(start, len(texts), 8):
            try:
                out[i] = emb.embed([texts[i]])[0]
            except Exception as exc:  # collected and asserted on below
                errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(8)]
    [t.start() for t in threads]
    [t.join(timeout=120) for t in threads]
    assert not errors, errors[:3]
    together = np.stack([out[i] for i in range(len(texts))])
    # the same text through the same graph: equal up to float32 accumulation order (unit vectors)
    assert float((together * alone).sum(axis=1).min()) >= 0.9999
