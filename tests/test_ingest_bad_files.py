"""Bad input never crashes ingestion: each bad file becomes a Skipped with a clear reason."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write_release
from rag.errors import ConfigError
from rag.ingest import load_corpus
from rag.ingest.files import binary_kind

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"
GOOD = ("A good release title\nThe county court heard the case on Monday and the jury returned a verdict "
        "quickly, the prosecutor said in a statement issued after the hearing.\n")


def skipped_by_name(result) -> dict[str, str]:
    return {Path(s.path).name: s.reason for s in result.skipped}


def test_bad_files_each_get_a_reason(tmp_path: Path) -> None:
    files: dict[str, bytes] = {
        "empty.txt": b"",
        "blank.txt": b"  \n\t\n  \n",
        "image.txt": PNG,
        "nul.txt": b"Some text\x00with a NUL byte in it",
        "latin1.txt": "Caf\u00e9 owner charged with fraud after a long investigation".encode("latin-1"),
        "utf16.txt": "Title\nBody".encode("utf-16"),
        "doc.pdf": b"%PDF-1.4 whatever",
        "notes": b"no extension",
        "broken.md": b"```yaml\ntitle: [oops\n```\nBody text.\n",
        "bom.txt": "\ufeff date 2021-05-06 A body that starts after a byte-order mark.".encode(),
        "good.txt": GOOD.encode(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / ".hidden.txt").write_text("ignored")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config.txt").write_text("ignored")
    result = load_corpus([tmp_path])
    why = skipped_by_name(result)
    assert why == {
        "empty.txt": "empty file",
        "blank.txt": "empty file (whitespace only)",
        "image.txt": "binary file (PNG image)",
        "nul.txt": "binary file (NUL byte at offset 9)",
        "latin1.txt": "not UTF-8 text (byte 0xe9 at offset 3)",
        "utf16.txt": "binary file (UTF-16 text, not UTF-8)",
        "doc.pdf": "unsupported file type .pdf",
        "notes": "unsupported file type (no extension)",
        "broken.md": why["broken.md"],
    }
    assert why["broken.md"].startswith("broken YAML front matter: ")
    assert sorted(r.id for r in result.releases) == ["bom.txt", "good.txt"]
    bom = next(r for r in result.releases if r.id == "bom.txt")
    assert bom.date == "2021-05-06" and bom.body.startswith("A body that starts")
    assert all(s.reason for s in result.skipped)


def test_binary_kinds() -> None:
    assert binary_kind(b"\xff\xd8\xff\xe0 jpeg") == "JPEG image"
    assert binary_kind(b"PK\x03\x04 zip") == "ZIP archive or Office document"
    assert binary_kind(bytes(range(1, 32)) * 20) is not None  # control characters
    assert binary_kind("Plain text with tabs\tand\r\nnewlines\f".encode()) is None


def test_missing_root_is_a_config_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(ConfigError, match="nope"):
        load_corpus([missing])
    with pytest.raises(ConfigError):
        load_corpus([tmp_path, str(missing)])


def test_id_clash_between_roots(tmp_path: Path) -> None:
    for root in ("a", "b"):
        (tmp_path / root).mkdir()
        (tmp_path / root / "same.txt").write_text(f"Title {root}\n{GOOD} A different body for root {root}.")
    result = load_corpus([tmp_path / "a", tmp_path / "b"])
    assert [r.path for r in result.releases] == [str(tmp_path / "a" / "same.txt")]
    (skip,) = result.skipped
    assert skip.path == str(tmp_path / "b" / "same.txt")
    assert skip.reason == f"id clash: 'same.txt' was already ingested from {tmp_path / 'a' / 'same.txt'}"


def test_exact_duplicate(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: Same\n---\nSame body text.\n")
    (tmp_path / "b.md").write_text("---\ntitle: Same\ndate: 2020-01-01\n---\nSame body text.\n")
    (tmp_path / "c.md").write_text("---\ntitle: Other\n---\nSame body text.\n")
    result = load_corpus([tmp_path])
    assert [r.id for r in result.releases] == ["a.md", "c.md"]
    assert skipped_by_name(result) == {"b.md": "exact duplicate of a.md"}


def test_five_megabyte_files(tmp_path: Path) -> None:
    para = ("The county prosecutor said the investigation into the fraud scheme continues, "
            "and more charges may follow as detectives review the records. ")
    big = "Big release title\n" + "\n".join(para * 3 for _ in range(5 * 2**20 // (len(para) * 3)))
    (tmp_path / "big.txt").write_text(big)
    (tmp_path / "oneline.txt").write_text("x" * 5 * 2**20)
    (tmp_path / "digits.txt").write_text("2020-01-01 " * (5 * 2**20 // 11))
    result = load_corpus([tmp_path], max_release_chars=10 * 2**20)  # parsed whole when the limit allows
    got = {r.id: r for r in result.releases}
    assert got["big.txt"].title == "Big release title"
    assert len(got["big.txt"].body) > 4 * 2**20
    assert len(result.releases) + len(result.skipped) == 3
    assert all(s.reason for s in result.skipped)
    default = load_corpus([tmp_path])  # by default, too long to be one release
    assert not default.releases and len(default.skipped) == 3


def test_progress_bar_goes_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "good.txt").write_text(GOOD)
    quiet = load_corpus([tmp_path])
    loud = load_corpus([tmp_path], progress=True)
    assert quiet == loud
    assert capsys.readouterr().out == ""


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)), min_size=1, max_size=6),
       st.sampled_from([".txt", ".md", ".jsonl"]))
def test_arbitrary_bytes_never_raise(tmp_path_factory: pytest.TempPathFactory, blobs: list[bytes], ext: str) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    for i, blob in enumerate(blobs):
        (root / f"f{i}{ext}").write_bytes(blob)
    result = load_corpus([root])
    assert all(s.reason for s in result.skipped)
    for r in result.releases:
        assert r.body and r.body == r.body.strip()
        assert r.date is None or (len(r.date) == 10 and r.date[4] == "-")
    if ext != ".jsonl":
        assert len(result.releases) + len(result.skipped) == len(blobs)


def test_a_release_too_long_to_be_one_is_skipped_with_the_reason(tmp_path):
    from rag.settings import load_settings

    write_release(tmp_path, "log.txt", "A line of a server log, not a press release. " * 10_000)  # 460,000 characters
    write_release(tmp_path, "ok.txt", "Officers seized knives in Luton parks on Friday.")
    result = load_corpus([tmp_path])
    assert [r.id for r in result.releases] == ["ok.txt"]
    (skip,) = result.skipped
    assert skip.path.endswith("log.txt") and "over the limit of 400,000" in skip.reason
    assert "max_release_chars" in skip.reason
    limit = load_settings(env={"RAG_MAX_RELEASE_CHARS": "1000000"}).ingest.max_release_chars
    assert len(load_corpus([tmp_path], max_release_chars=limit).releases) == 2
