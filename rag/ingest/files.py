"""Finding corpus files and reading them as text (or saying why not)."""
from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ConfigError

from .common import Skip, normalise_newlines

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
JSONL_SUFFIXES = frozenset({".jsonl"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
MAX_BYTES = 64 * 1024 * 1024  # bigger "text" files are almost surely not press releases
SOURCE_MARKER = ".rag-source"  # in a root folder: one line, the source of the files at its top level
_SOURCE_NAME = re.compile(r"[A-Za-z0-9][\w .&'-]{0,79}")

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive or Office document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh", "bzip2 archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document"),
    (b"\x7fELF", "executable"),
    (b"RIFF", "RIFF media file"),
    (b"SQLite format 3\x00", "SQLite database"),
)
_CONTROL = bytes(sorted(set(range(32)) - {9, 10, 12, 13, 27}))


@dataclass(frozen=True)
class CorpusFile:
    """One file found under a root."""

    root_index: int
    root_name: str  # name of the root directory (the source of root-level files)
    path: str  # absolute path
    rel: str  # path relative to the root, forward slashes: the release id
    group: str  # top-level folder under the root; "" for files at the root's top level
    problem: str = ""  # why it is not read though found (a symlink leaving the root)

    @property
    def suffix(self) -> str:
        return os.path.splitext(self.rel)[1].lower()

    @property
    def source(self) -> str:
        """Default source: the top-level folder, else the root directory's name."""
        return self.group or self.root_name


def discover(roots: Sequence[str | os.PathLike]) -> list[CorpusFile]:
    """Every non-hidden file under ``roots``, in a deterministic order.

    Roots are taken in the order given; files within a root are sorted by their
    relative path.  A root may also be a single file.  A missing root raises
    :class:`~rag.errors.ConfigError` (a caller mistake, not a bad file).
    """
    found: list[CorpusFile] = []
    for index, root in enumerate(roots):
        base = Path(os.path.abspath(os.path.expanduser(os.fspath(root))))
        if not base.exists():
            raise ConfigError(f"corpus root does not exist: {os.fspath(root)}")
        if base.is_file():
            found.append(CorpusFile(index, root_source(base.parent), str(base), base.name, ""))
            continue
        if not base.is_dir():
            raise ConfigError(f"corpus root is not a directory or file: {os.fspath(root)}")
        found.extend(_walk(index, base))
    return found


def _walk(index: int, base: Path) -> list[CorpusFile]:
    """Files under ``base``. A symlink is never followed: one leading outside the root is reported
    (its target may be anything on the machine), one leading inside is reported as read under
    its own path (following it would read the same files twice, or loop)."""
    real_base = os.path.realpath(base)
    out = []

    def found(full: str, problem: str = "") -> None:
        rel = os.path.relpath(full, base).replace(os.sep, "/")
        group = rel.split("/", 1)[0] if "/" in rel else ""
        out.append(CorpusFile(index, root_name, full, rel, group, problem))

    root_name = root_source(base)

    for dirpath, dirnames, filenames in os.walk(base):
        links = [d for d in dirnames if not d.startswith(".") and os.path.islink(os.path.join(dirpath, d))]
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in links)
        for name in filenames + links:
            if name.startswith("."):
                continue
            full = os.path.join(dirpath, name)
            found(full, symlink_problem(full, real_base) if os.path.islink(full) else "")
    out.sort(key=lambda f: f.rel)
    return out


def root_source(base: Path) -> str:
    """The source of the files at ``base``'s top level: the name in its ``.rag-source`` file (the
    bundled ``corpus/`` says ``bedfordshire``), else the folder's own name; a bad marker is a
    :class:`ConfigError` naming the file."""
    marker = base / SOURCE_MARKER
    if not marker.is_file():
        return base.name
    try:
        name = marker.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{marker}: cannot read the source name: {exc}") from None
    if not _SOURCE_NAME.fullmatch(name):
        raise ConfigError(f"{marker}: the source name must be one line of letters, digits, spaces or _.&'- "
                          f"(at most 80 characters), got {name[:100]!r}")
    return name


def symlink_problem(path: str, real_base: str) -> str:
    """Why a symlink under the corpus root is not followed (see ``_walk``)."""
    target = os.path.realpath(path)
    kind = "folder" if os.path.isdir(target) else "file"
    if not os.path.exists(target):
        return f"broken symlink (to {os.readlink(path)})"
    if os.path.commonpath([target, real_base]) != real_base:
        return f"symlink to a {kind} outside the corpus root ({target}): not followed"
    inside = os.path.relpath(target, real_base).replace(os.sep, "/")
    return f"symlink to the {kind} {inside} of this corpus, which is read under its own path"


def unsupported_reason(f: CorpusFile) -> str | None:
    """Why the file is not ingested (its type, or a symlink not followed), or ``None`` when it is."""
    if f.problem:
        return f.problem
    suffix = f.suffix
    if suffix in TEXT_SUFFIXES or suffix in JSONL_SUFFIXES or suffix in HTML_SUFFIXES:
        return None
    return f"unsupported file type {suffix}" if suffix else "unsupported file type (no extension)"


def read_bytes(path: str) -> bytes:
    """The file's bytes, or :class:`Skip` (unreadable, too big, empty, binary)."""
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            raise Skip(f"file larger than {MAX_BYTES // 2**20} MB ({size / 2**20:.1f} MB)")
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise Skip(f"cannot read file: {exc.strerror or exc}") from None
    if not data:
        raise Skip("empty file")
    kind = binary_kind(data)
    if kind:
        raise Skip(f"binary file ({kind})")
    return data


def binary_kind(data: bytes) -> str | None:
    """What kind of binary ``data`` looks like, or ``None`` for text-like bytes."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 text, not UTF-8"
    nul = data.find(b"\x00")
    if nul >= 0:
        return f"NUL byte at offset {nul}"
    head = data[:8192]
    controls = len(head) - len(head.translate(None, _CONTROL))
    if controls > max(8, len(head) // 20):
        return f"{controls} control characters in the first {len(head)} bytes"
    return None


def decode(data: bytes, *, offset: int = 0) -> str:
    """Strict UTF-8 (a leading BOM is dropped), newlines normalised; or :class:`Skip`."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        raise Skip(f"not UTF-8 text (byte 0x{bad:02x} at offset {offset + exc.start})") from None
    return normalise_newlines(text.removeprefix("\ufeff"))


def read_text(path: str) -> str:
    """The file as text, or :class:`Skip` with the reason it cannot be used."""
    text = decode(read_bytes(path))
    if not text.strip():
        raise Skip("empty file (whitespace only)")
    return text
