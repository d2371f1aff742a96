"""Joining the bundled model: order, size and hash are checked; a mismatch is refused."""
import hashlib

import pytest

from rag.answer import model_file
from rag.errors import ConfigError


def parts(tmp_path, blobs):
    out = []
    for i, blob in enumerate(blobs):
        p = tmp_path / f"p{i}"
        p.write_bytes(blob)
        out.append(p)
    return out


def test_join_verifies_and_caches(tmp_path):
    blobs = [b"abc" * 1000, b"def" * 7, b"g"]
    whole = b"".join(blobs)
    digest = hashlib.sha256(whole).hexdigest()
    calls = []

    def provide():
        calls.append(1)
        return parts(tmp_path, blobs)

    path = model_file.bundled_model_path(parts=provide, folder=tmp_path / "cache", size=len(whole), sha256=digest)
    assert path.read_bytes() == whole and len(calls) == 1
    again = model_file.bundled_model_path(parts=provide, folder=tmp_path / "cache", size=len(whole), sha256=digest)
    assert again == path and len(calls) == 1  # cached: not joined twice


def test_wrong_order_or_bytes_is_refused(tmp_path):
    blobs = [b"first-", b"second"]
    digest = hashlib.sha256(b"".join(blobs)).hexdigest()
    with pytest.raises(ConfigError, match="refusing"):
        model_file.join_parts(parts(tmp_path, blobs[::-1]), tmp_path / "m.gguf", size=12, sha256=digest)
    assert not (tmp_path / "m.gguf").exists() and not (tmp_path / "m.gguf.part").exists()


def test_missing_part_package_is_named():
    with pytest.raises(ConfigError, match="no-such-model-part1==0.2.0"):
        model_file.part_paths(parts=2, module="no_such_model_part{}")


def test_a_tampered_cache_is_rejoined(tmp_path):
    blobs = [b"x" * 50]
    digest = hashlib.sha256(blobs[0]).hexdigest()
    provide = lambda: parts(tmp_path, blobs)  # noqa: E731
    path = model_file.bundled_model_path(parts=provide, folder=tmp_path / "c", size=50, sha256=digest)
    path.with_name(path.name + ".sha256").write_text("bad\n")
    assert model_file.bundled_model_path(parts=provide, folder=tmp_path / "c", size=50, sha256=digest).read_bytes() == blobs[0]
