"""Saving uploaded files under INDEX_DIR/uploads: names made safe, zips unpacked safely."""
import zipfile

from rag.index.uploads import MAX_ZIP_BYTES, safe_name, save_uploads, uploads_root


def test_names_keep_only_their_last_part():
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\Users\\me\\release 1.txt") == "release 1.txt"
    assert safe_name("..") == "upload" and safe_name("a<b>.md") == "a_b_.md"


def test_a_zip_is_unpacked_into_its_own_folder_and_what_it_cannot_hold_is_named(tmp_path):
    z = tmp_path / "spring.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("news/a.txt", " date 2024-01-01 Officers seized knives.")
        zf.writestr("../evil.txt", "x")
        zf.writestr("/abs.txt", "x")
        zf.writestr("logo.png", b"\x89PNG")
        zf.writestr(".hidden/b.txt", "x")
    saved = save_uploads(tmp_path / "idx", [z])
    assert saved.files == ["uploads/spring/news/a.txt"]
    assert (uploads_root(tmp_path / "idx") / "spring" / "news" / "a.txt").is_file()
    reasons = {s.path: s.reason for s in saved.skipped}
    assert reasons["spring.zip:../evil.txt"].startswith("path leaves the archive's folder")
    assert reasons["spring.zip:/abs.txt"].startswith("path leaves the archive's folder")
    assert reasons["spring.zip:logo.png"] == "unsupported file type .png"
    assert ".hidden/b.txt" in " ".join(reasons)
    assert not (tmp_path / "idx" / "evil.txt").exists() and not (tmp_path / "evil.txt").exists()


def test_a_zip_bomb_and_a_broken_zip_are_refused(tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.txt", b"0" * (MAX_ZIP_BYTES + 1))
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really")
    saved = save_uploads(tmp_path / "idx", [bomb, broken])
    assert saved.files == []
    reasons = dict((s.path, s.reason) for s in saved.skipped)
    assert "over the limit" in reasons["bomb.zip"] and reasons["broken.zip"].startswith("cannot unpack the archive")
