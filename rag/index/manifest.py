"""The index manifest: what built the index, so a mismatched reader stops early."""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import IndexUnavailable, IndexMismatchError

FORMAT_VERSION = 1
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Manifest:
    embedder: str
    dim: int
    chunk_tokens: int
    overlap_tokens: int
    vector_index: str = "flat-ip"
    format_version: int = FORMAT_VERSION
    releases: int = 0
    chunks: int = 0
    corpus: tuple[str, ...] = ()
    built_at: str = ""
    extra: dict = field(default_factory=dict)
    # the embedder's backend and precision, e.g. "onnx-int8" ("" in indexes from before it was recorded)
    embed_variant: str = ""
    # how the vector index was built: IVF factory, nlist, nprobe, trained_on ({} for exact flat)
    vector_params: dict = field(default_factory=dict)
    # every other file of the generation at save: relative path -> [size, sha256] ({} before it was recorded)
    files: dict = field(default_factory=dict)

    @property
    def variant(self) -> str:
        """The recorded variant; indexes from before it was recorded were built by torch."""
        return self.embed_variant or f"torch-{self.extra.get('embed_dtype', 'float32')}"

    def write(self, folder: Path) -> None:
        data = asdict(self)
        data["corpus"] = list(self.corpus)
        write_atomic(folder / MANIFEST, json.dumps(data, indent=2, sort_keys=True))

    @classmethod
    def read(cls, folder: Path) -> "Manifest":
        path = folder / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError(f"a JSON {type(data).__name__}, not an object")
            data["corpus"] = tuple(data.get("corpus", ()))
            return cls(**data)
        except FileNotFoundError:
            raise IndexUnavailable(f"index manifest missing: {path}; rebuild with `rag index --rebuild`") from None
        except (ValueError, TypeError, UnicodeDecodeError) as exc:
            raise IndexUnavailable(f"index manifest unreadable: {path} ({exc}); rebuild with `rag index --rebuild`") from None

    def verify(self, folder: Path) -> None:
        """Raise IndexUnavailable, naming the file, when a file recorded at save is missing or
        differs in size or checksum (nothing recorded, as in older indexes: nothing checked)."""
        for name, (size, digest) in sorted(self.files.items()):
            path = Path(folder) / name
            problem = None
            if not path.is_file():
                problem = "missing"
            elif path.stat().st_size != size:
                problem = f"{path.stat().st_size} bytes, {size} when saved"
            elif file_digest(path) != digest:
                problem = "its checksum differs from the one recorded when it was saved"
            if problem:
                raise IndexUnavailable(f"index file {path} is damaged ({problem}); rebuild with `rag index --rebuild`")

    def check(self, embedder: str, dim: int, chunk_tokens: int | None = None, overlap_tokens: int | None = None,
              variant: str | None = None) -> None:
        """Raise IndexMismatchError when this index cannot serve the given settings.

        ``variant`` (the embedder's backend and precision) may differ from the one
        that built the index only where both give the same vectors within tolerance
        (rag.embedding.compatible_variants); None skips that check."""
        problems = []
        if self.format_version != FORMAT_VERSION:
            problems.append(f"format version {self.format_version} (this program reads {FORMAT_VERSION})")
        if self.embedder != embedder:
            problems.append(f"embedding model {self.embedder!r} (now {embedder!r})")
        if self.dim != dim:
            problems.append(f"dimension {self.dim} (now {dim})")
        if variant is not None and self.embedder == embedder:
            from ..embedding import compatible_variants

            if not compatible_variants(self.variant, variant):
                problems.append(f"embedding backend {self.variant!r}, whose vectors differ from those of "
                                f"{variant!r} (query it with {self.variant!r})")
        if chunk_tokens is not None and (self.chunk_tokens, self.overlap_tokens) != (chunk_tokens, overlap_tokens):
            problems.append(
                f"chunks of {self.chunk_tokens}/{self.overlap_tokens} tokens (now {chunk_tokens}/{overlap_tokens})"
            )
        if problems:
            raise IndexMismatchError(
                "the index was built with " + "; ".join(problems) + ": rebuild it with `rag index --rebuild`"
            )


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def record_files(folder: Path) -> dict[str, list]:
    """Size and sha256 of every file of a generation folder but the manifest, for ``Manifest.files``."""
    folder = Path(folder)
    return {p.relative_to(folder).as_posix(): [p.stat().st_size, file_digest(p)]
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST}
