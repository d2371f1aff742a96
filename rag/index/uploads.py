"""Files added from the chat page: kept under ``INDEX_DIR/uploads`` (one more corpus root of the
index, so an upload survives a restart and a later upload of the same name updates it) and
indexed at once, beside whatever else the index holds.

A ``.zip`` is unpacked into a folder named after it (its releases take that folder's name as
their source); members with a path leaving that folder, or of a type that is not read, are
skipped and reported, and an archive past ``MAX_ZIP_BYTES`` unpacked is refused.
"""
from __future__ import annotations

import os
import re
import shutil
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..ingest.files import HTML_SUFFIXES, JSONL_SUFFIXES, TEXT_SUFFIXES
from ..models import Skipped

FOLDER = "uploads"
READ_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
MAX_ZIP_BYTES = 200 * 2**20   # unpacked; a zip bomb stops here
MAX_ZIP_MEMBERS = 5000
_UNSAFE = re.compile(r"[^\w.\- ]+")


@dataclass
class Saved:
    files: list[str] = field(default_factory=list)        # paths under the uploads folder
    skipped: list[Skipped] = field(default_factory=list)  # (uploaded name, reason)


def uploads_root(index_dir: str | Path) -> Path:
    return Path(index_dir) / FOLDER


def safe_name(name: str) -> str:
    """A file name kept from the upload: its last part, without characters a path should not hold."""
    base = _UNSAFE.sub("_", PurePosixPath(name.replace("\\", "/")).name).strip(" .")
    return base or "upload"


def save_uploads(index_dir: str | Path, files: Sequence[str | Path]) -> Saved:
    """Copy uploaded files (temporary paths, named as uploaded) into the uploads folder."""
    root = uploads_root(index_dir)
    root.mkdir(parents=True, exist_ok=True)
    out = Saved()
    for path in files:
        name = safe_name(os.path.basename(os.fspath(path)))
        suffix = os.path.splitext(name)[1].lower()
        if suffix == ".zip":
            _unzip(Path(path), root / name[: -len(suffix)], name, out)
        elif suffix in READ_SUFFIXES:
            shutil.copyfile(path, root / name)
            out.files.append(f"{FOLDER}/{name}")
        else:
            out.skipped.append(Skipped(name, f"unsupported file type {suffix or '(no extension)'}: "
                                             "upload .txt, .md, .html, .htm, .jsonl or a .zip of them"))
    return out


def _unzip(path: Path, folder: Path, name: str, out: Saved) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            if len(members) > MAX_ZIP_MEMBERS:
                out.skipped.append(Skipped(name, f"{len(members)} files in the archive, over {MAX_ZIP_MEMBERS}"))
                return
            total = sum(m.file_size for m in members)
            if total > MAX_ZIP_BYTES:
                out.skipped.append(Skipped(name, f"{total:,} bytes unpacked, over the limit of {MAX_ZIP_BYTES:,}"))
                return
            for m in members:
                inner = PurePosixPath(m.filename.replace("\\", "/"))
                where = f"{name}:{m.filename}"
                if inner.is_absolute() or ".." in inner.parts or any(p.startswith(".") for p in inner.parts):
                    out.skipped.append(Skipped(where, "path leaves the archive's folder or is hidden: not unpacked"))
                    continue
                if inner.suffix.lower() not in READ_SUFFIXES:
                    out.skipped.append(Skipped(where, f"unsupported file type {inner.suffix or '(no extension)'}"))
                    continue
                target = folder.joinpath(*[safe_name(p) for p in inner.parts])
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(m) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                out.files.append(str(target.relative_to(folder.parent.parent)))
    except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
        out.skipped.append(Skipped(name, f"cannot unpack the archive: {exc}"))
