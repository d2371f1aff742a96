"""Faster runtimes for the same all-MiniLM-L6-v2 weights: ONNX Runtime (fp32, int8) and OpenVINO (fp32, bf16, int8).

sentence-transformers' own ``backend="onnx"``/``"openvino"`` goes through
optimum-onnx / optimum-intel, whose releases pin ``transformers<4.58`` and fail
to import beside the transformers 5 this project runs. So the export is done
here with the pieces that do work: ``torch.onnx.export`` of the BERT encoder
from the local safetensors (offline, once), ONNX Runtime's dynamic int8
quantisation, OpenVINO reading the same ONNX file, and NNCF's static int8
quantisation for OpenVINO (calibrated on the bundled corpus). Tokenising (the model's
own ``tokenizer.json``, truncated at 256 wordpieces), mean pooling and L2
normalisation reproduce the model's sentence-transformers modules exactly.

Exports are cached under the ``cache.dir`` setting (default ``~/.cache/press-rag``) in
``onnx/<model-hash>/``, where the hash covers the weights, tokenizer and config,
so a changed model never reuses a stale export. Each file is written to a
temporary name and renamed, so a crash or a concurrent export never leaves a
half file behind.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from .errors import ConfigError

ONNX_FP32 = "model.onnx"
ONNX_INT8 = "model_qint8.onnx"
OV_INT8 = "openvino_int8_{}.xml"      # {} = hash of the calibration texts
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


@contextmanager
def _written_whole(target: Path) -> Iterator[str]:
    """A temporary path beside ``target``; renamed onto it when the block succeeds, removed
    otherwise, so a crash mid-export never leaves a half-written model in the cache."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=target.suffix + ".tmp")
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _notice(what: str, folder: Path) -> None:
    import sys

    print(f"preparing the embedding model: {what} into {folder} (once)...", file=sys.stderr, flush=True)


@lru_cache(maxsize=8)
def model_hash(model_path: str) -> str:
    """sha256 (16 hex) of the files that decide the vectors: weights, tokenizer, configs."""
    h = hashlib.sha256()
    root = Path(model_path)
    for name in ("model.safetensors", "tokenizer.json", "config.json", "sentence_bert_config.json",
                 "1_Pooling/config.json", "modules.json"):
        path = root / name
        if path.is_file():
            h.update(name.encode())
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
    return h.hexdigest()[:16]


def default_threads() -> int:
    """The number of cores this process may use (the ``embed_threads`` setting overrides it)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _max_seq_length(model_path: Path) -> int:
    try:
        return int(json.loads((model_path / "sentence_bert_config.json").read_text())["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return 256


def export_onnx(model_path: Path, folder: Path) -> Path:
    """The fp32 ONNX graph of the encoder (token embeddings out), exported once."""
    target = folder / ONNX_FP32
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    _notice("ONNX export", folder)
    import torch
    from transformers import AutoModel

    bert = AutoModel.from_pretrained(str(model_path), attn_implementation="eager").eval()

    class Encoder(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    sample = torch.ones((2, 8), dtype=torch.int64)
    axes = {name: {0: "batch", 1: "sequence"} for name in (*INPUTS, "last_hidden_state")}
    import warnings

    with _written_whole(target) as tmp, warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(Encoder(bert), (sample, sample, torch.zeros_like(sample)), tmp,
                          input_names=list(INPUTS), output_names=["last_hidden_state"],
                          dynamic_axes=axes, opset_version=17, dynamo=False)
    return target


def export_int8(model_path: Path, folder: Path) -> Path:
    """Dynamic (weights-only calibration free) int8 quantisation of the fp32 graph."""
    target = folder / ONNX_INT8
    if target.is_file():
        return target
    source = export_onnx(model_path, folder)
    _notice("dynamic int8 quantisation", folder)
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with _written_whole(target) as tmp:
        quantize_dynamic(str(source), tmp, weight_type=QuantType.QInt8, per_channel=True)
    return target


def calibration_texts() -> list[str]:
    """Fixed calibration texts for static int8: windows of 32-200 words over the bundled corpus.

    Activation ranges of BERT layers are generic; measured on the prosecutor sample,
    calibrating on these gives the same agreement with fp32 as calibrating on that
    corpus itself (min cosine 0.994)."""
    from .ingest import load_corpus
    from .models import uncut_title
    from .settings import BUNDLED_CORPUS

    if not BUNDLED_CORPUS.is_dir():
        raise ConfigError(f"backend openvino-int8 calibrates on the bundled corpus, not found at {BUNDLED_CORPUS}")
    texts = []
    for release in sorted(load_corpus([BUNDLED_CORPUS]).releases, key=lambda r: r.id):
        words = release.body.split()
        title = uncut_title(release.title)
        header = f"{title} ({release.date})\n" if release.date else f"{title}\n"
        for size in (32, 96, 200):
            for start in range(0, max(1, len(words) - size + 1), max(16, size // 2)):
                texts.append(header + " ".join(words[start:start + size]))
    return texts


INT8_RECIPE = "nncf-transformer-mixed-1"  # change when the quantisation recipe changes: new file, new cache key


@lru_cache(maxsize=1)
def calibration_hash() -> str:
    """Names the static int8 graph: recipe + calibration texts."""
    return hashlib.sha256("\x00".join([INT8_RECIPE, *calibration_texts()]).encode()).hexdigest()[:12]


def export_openvino_int8(model_path: Path, folder: Path) -> Path:
    """Static int8 (NNCF post-training quantisation, transformer preset) of the fp32 graph."""
    texts = calibration_texts()
    target = folder / OV_INT8.format(calibration_hash())
    if target.is_file() and target.with_suffix(".bin").is_file():
        return target
    source = export_onnx(model_path, folder)
    _notice("OpenVINO static int8 quantisation (~30 s)", folder)
    import logging

    import nncf
    import openvino as ov

    nncf.set_log_level(logging.ERROR)
    tokens = _Tokens(model_path)
    data = [{"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            for _, ids, mask, types in _batches(tokens.encode(texts), 8, tokens.pad_id)]
    model = ov.Core().read_model(str(source))
    import contextlib
    import sys

    with contextlib.redirect_stdout(sys.stderr):  # NNCF's progress bars: keep stdout clean (rag ... --json)
        quantized = nncf.quantize(model, nncf.Dataset(data), model_type=nncf.ModelType.TRANSFORMER,
                                  preset=nncf.QuantizationPreset.MIXED, subset_size=len(data))
    stem = f"tmp-{os.getpid()}-{target.stem}"
    ov.save_model(quantized, str(folder / f"{stem}.xml"), compress_to_fp16=False)
    for suffix in (".bin", ".xml"):  # the .xml last: its presence means both are whole
        os.chmod(folder / f"{stem}{suffix}", 0o644)
        os.replace(folder / f"{stem}{suffix}", target.with_suffix(suffix))
    return target


class _Tokens:
    """The model's fast tokenizer, truncating at the model's window, no padding."""

    def __init__(self, model_path: Path):
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(_max_seq_length(model_path))
        self.pad_id = self.tokenizer.token_to_id("[PAD]") or 0

    def encode(self, texts: Sequence[str]):
        return self.tokenizer.encode_batch(list(texts))


def _batches(encodings, batch_size: int, pad_id: int):
    """Longest first, so each batch pads only to lengths close to its own (as sentence-transformers does)."""
    order = sorted(range(len(encodings)), key=lambda i: -len(encodings[i].ids))
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        width = max(len(encodings[i].ids) for i in rows)
        ids = np.full((len(rows), width), pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for r, i in enumerate(rows):
            n = len(encodings[i].ids)
            ids[r, :n] = encodings[i].ids
            mask[r, :n] = 1
        yield rows, ids, mask, np.zeros_like(ids)


def _pool(tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over real tokens, then unit length: the model's Pooling + Normalize modules."""
    m = mask[..., None].astype(np.float32)
    summed = (tokens.astype(np.float32) * m).sum(axis=1)
    vectors = summed / np.clip(m.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.clip(norms, 1e-12, None)


class InferRequestPool:
    """OpenVINO infer requests shared by threads: each call borrows an idle one, or makes one.

    An infer request serves one inference at a time (a second caller gets "Infer Request is
    busy"), and the chat embeds questions from several threads at once. Requests are made on
    demand, so there are never more than the threads that embedded at the same moment (the
    server's concurrency limit), each kept for reuse; a lock around one shared request would
    make every user queue behind the others' embedding instead.
    """

    def __init__(self, make: Callable[[], object]):
        self._make = make
        self._idle: list = []
        self._lock = threading.Lock()
        self.created = 0

    @contextmanager
    def request(self) -> Iterator[object]:
        with self._lock:
            request = self._idle.pop() if self._idle else None
            if request is None:
                self.created += 1
        if request is None:
            request = self._make()
        try:
            yield request
        finally:
            with self._lock:
                self._idle.append(request)


class RuntimeEncoder:
    """Token ids in, sentence vectors out, through ONNX Runtime or OpenVINO."""

    def __init__(self, model_path: Path, backend: str, dtype: str = "float32", threads: int | None = None,
                 cache_dir: str | Path | None = None):
        from .config import DEFAULT_CACHE_DIR

        self.model_path = Path(model_path)
        self.backend = backend
        self.threads = threads or default_threads()
        self.folder = Path(cache_dir or DEFAULT_CACHE_DIR) / "onnx" / model_hash(str(self.model_path))
        self.tokens = _Tokens(self.model_path)
        self.dim = 384
        if backend == "onnx":
            self._run = self._ort(export_onnx(self.model_path, self.folder))
        elif backend == "onnx-int8":
            self._run = self._ort(export_int8(self.model_path, self.folder))
        elif backend == "openvino":
            self._run = self._openvino(export_onnx(self.model_path, self.folder), dtype)
        elif backend == "openvino-int8":
            self._run = self._openvino(export_openvino_int8(self.model_path, self.folder), None)
        else:  # pragma: no cover - the embedder validates first
            raise ConfigError(f"no runtime for backend {backend!r}")

    def _ort(self, path: Path):
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.log_severity_level = 3
        # no busy-waiting threads: on a small shared machine spinning steals the cores it waits for
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])

        def run(ids, mask, types):
            return session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]

        return run

    def _openvino(self, path: Path, dtype: str | None):
        """dtype None (int8 graphs): OpenVINO's own choice for what is not int8 (bf16 where the CPU has it)."""
        import openvino as ov

        core = ov.Core()
        config = {"INFERENCE_NUM_THREADS": self.threads, "PERFORMANCE_HINT": "LATENCY"}
        if dtype is not None:
            config["INFERENCE_PRECISION_HINT"] = "bf16" if dtype == "bfloat16" else "f32"
        compiled = core.compile_model(core.read_model(str(path)), "CPU", config)
        pool = InferRequestPool(compiled.create_infer_request)

        def run(ids, mask, types):
            with pool.request() as request:  # an infer request runs one inference at a time
                out = request.infer({"input_ids": ids, "attention_mask": mask, "token_type_ids": types})
                return np.array(next(iter(out.values())))  # a copy: the request is reused once released

        return run

    def encode(self, texts: Sequence[str], batch_size: int, progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        encodings = self.tokens.encode(texts)
        batches = _batches(encodings, batch_size, self.tokens.pad_id)
        if progress:
            from tqdm import tqdm

            batches = tqdm(batches, total=-(-len(texts) // batch_size), desc="embed", unit="batch")
        for rows, ids, mask, types in batches:
            out[rows] = _pool(np.asarray(self._run(ids, mask, types)), mask)
        return out
