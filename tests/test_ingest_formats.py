"""Ingestion of each format: the bundled Bedfordshire files, front matter, dated text, JSON Lines."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.ingest import IngestResult, load_corpus
from rag.ingest.common import derive_title, truncate_words
from rag.ingest.formats import kind_of, parse_front_matter, unbold
from rag.models import Release

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "corpus"


def write(root: Path, rel: str, content: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def by_id(result: IngestResult) -> dict[str, Release]:
    return {r.id: r for r in result.releases}


# --------------------------------------------------------------------------- bundled corpus
@pytest.fixture(scope="module")
def bundled() -> IngestResult:
    if not BUNDLED.is_dir():
        pytest.skip("bundled corpus/ not present")
    return load_corpus([BUNDLED])


def test_bundled_all_ingested(bundled: IngestResult) -> None:
    assert bundled.skipped == ()
    assert [r.id for r in bundled.releases] == [
        "000_0fc0534938e8ed63.txt",
        "001_a3ef611ce9a10849.txt",
        "002_eb340d827de47128.txt",
        "003_3520f79daa9b6463.txt",
        "004_922700bf6da349a0.txt",
    ]
    for r in bundled.releases:
        assert Path(r.path).is_absolute() and Path(r.path).name == r.id
        assert r.title and r.body.strip() == r.body


def test_dated_text_format(bundled: IngestResult) -> None:
    r = by_id(bundled)["000_0fc0534938e8ed63.txt"]
    assert r.date == "2022-04-12"
    assert r.url is None
    assert r.source == "bedfordshire"  # root-level file: the name in the root's .rag-source
    assert r.body.startswith("Since February, officers from across Bedfordshire Police")
    assert "date 2022" not in r.body
    assert r.title.startswith("Since February, officers from across Bedfordshire Police")
    assert len(r.title) <= 120 and not r.title.endswith(" ")


def test_yaml_fence_front_matter(bundled: IngestResult) -> None:
    r = by_id(bundled)["001_a3ef611ce9a10849.txt"]
    assert r.title == "Officers increase patrols and engagement following Luton incidents"
    assert r.date == "2017-11-07"
    assert r.url == "https://www.bedfordshire.police.uk/news-and-appeals/luton-increase-engagement-patrols"
    assert r.source == "Bedfordshire"
    assert "```" not in r.body and "publish:" not in r.body
    # the bold lead paragraph lost its ** markers but not its text
    assert r.body.startswith("Our officers have been carrying out a number of community engagement")
    assert "**" not in r.body.split("\n\n", 1)[0]
    assert 'Chief Inspector Hoque said: "We are aware' in r.body
    assert " * A Street Meet at Hockwell Ring Community Centre" in r.body  # list kept as is
    r4 = by_id(bundled)["004_922700bf6da349a0.txt"]
    assert r4.title == "Police and partners tackle crime hotspots in Luton"
    assert (r4.date, r4.source) == ("2020-03-12", "Bedfordshire")


def test_scraped_pages_lose_cookie_banner(bundled: IngestResult) -> None:
    for rid in ("002_eb340d827de47128.txt", "003_3520f79daa9b6463.txt"):
        r = by_id(bundled)[rid]
        for junk in ("We use some essential cookies", "Quickly exit this site", "Your cookie preferences",
                     "Sorry, there was a technical problem", "This site is a beta"):
            assert junk not in r.body, (rid, junk)
            assert junk not in r.title
    r2 = by_id(bundled)["002_eb340d827de47128.txt"]
    assert r2.body.startswith("A new community-based campaign to tackle crime")
    assert "The campaign, which has been named ‘Dallow Cares’ by children at Dallow Primary School" in r2.body
    assert "The ‘Dallow Cares’ name was chosen by children from Dallow Primary School" in r2.body
    assert r2.title.startswith("A new community-based campaign")
    r3 = by_id(bundled)["003_3520f79daa9b6463.txt"]
    assert "Bedfordshire has pioneered the clear hold build concept through the Dallow Cares project" in r3.body
    assert r3.body.endswith("for their support and backing.”")


# --------------------------------------------------------------------------- front matter
def test_dash_front_matter_and_fallbacks(tmp_path: Path) -> None:
    write(tmp_path, "news/a.md",
          "---\ntitle: Hello World\ndate: 2021-03-04\nurl: https://x.test/a\n---\n\n# Heading\n\nBody text here.\n")
    write(tmp_path, "news/b.md", "---\npublish:\n  date: 7 Nov 2017\nog:\n  description: Only a description.\n---\n")
    write(tmp_path, "news/c.markdown", "---\n---\nNo title in this file. Second sentence.\n")
    result = load_corpus([tmp_path])
    got = by_id(result)
    a = got["news/a.md"]
    assert (a.title, a.date, a.url, a.source) == ("Hello World", "2021-03-04", "https://x.test/a", "news")
    assert a.body == "# Heading\n\nBody text here."
    b = got["news/b.md"]
    assert b.body == "Only a description." and b.date == "2017-11-07" and b.title == "Only a description."
    c = got["news/c.markdown"]
    assert c.title == "No title in this file." and c.date is None
    assert result.skipped == ()


def test_broken_yaml_front_matter(tmp_path: Path) -> None:
    write(tmp_path, "bad1.txt", "```yaml\ntitle: [unclosed\narea: X\n```\n\nBody.\n")
    write(tmp_path, "bad2.txt", "```yaml\ntitle: fine\nno closing fence\n")
    write(tmp_path, "bad3.md", "---\n- just\n- a list\n---\nBody\n")
    write(tmp_path, "bad4.md", "---\ntitle: x\n---\n\n")
    result = load_corpus([tmp_path])
    assert result.releases == ()
    why = {Path(s.path).name: s.reason for s in result.skipped}
    assert why["bad1.txt"].startswith("broken YAML front matter: ")
    assert "line" in why["bad1.txt"]
    assert why["bad2.txt"] == "broken YAML front matter: no closing ``` line"
    assert why["bad3.md"] == "broken YAML front matter: expected a mapping, got list"
    assert why["bad4.md"] == "no body text after the front matter"


def test_front_matter_helpers() -> None:
    assert kind_of("```yaml\na: 1\n```\nx") == "yaml-fence"
    assert kind_of("\n---\na: 1\n---\nx") == "front-matter"
    assert kind_of(" date 2022-04-12 Body") == "dated"
    assert kind_of("Some page title\nnav") == "page"
    assert unbold("**Lead paragraph. **\n\nNext **bold** word.") == "Lead paragraph.\n\nNext **bold** word."
    assert unbold("**a** and **b**") == "**a** and **b**"  # not simple: left alone
    fields, meta = parse_front_matter("```yaml\ntitle: T\narea: Kent\n```\nBody")
    assert (fields.title, fields.source, fields.body, meta["area"]) == ("T", "Kent", "Body", "Kent")


def test_dated_text_edge_cases(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", " date 2020-02-30 Impossible date but a body. More text.\n")
    write(tmp_path, "b.txt", " date 2020-02-03   \n")
    result = load_corpus([tmp_path])
    a = by_id(result)["a.txt"]
    assert a.date is None and a.body.startswith("Impossible date")
    assert [Path(s.path).name for s in result.skipped] == ["b.txt"]
    assert result.skipped[0].reason == "no body text after the date marker"


def test_root_level_files_take_the_marker_or_the_folder_name(tmp_path: Path) -> None:
    from rag.errors import ConfigError

    body = " Officers thanked residents for their help and asked anyone with information to call 101." * 3
    write(tmp_path / "newsroom", "a.txt", "Title A\n\nA man was charged with fraud in Luton." + body)
    write(tmp_path / "newsroom" / "kent", "b.txt", "Title B\n\nA burglar was jailed in Kent." + body)
    assert {r.id: r.source for r in load_corpus([tmp_path / "newsroom"]).releases} == {
        "a.txt": "newsroom", "kent/b.txt": "kent"}
    (tmp_path / "newsroom" / ".rag-source").write_text("Luton Council\n")
    result = load_corpus([tmp_path / "newsroom"])
    assert {r.id: r.source for r in result.releases} == {"a.txt": "Luton Council", "kent/b.txt": "kent"}
    assert not result.skipped  # the marker is not a release
    (tmp_path / "newsroom" / ".rag-source").write_text("two\nlines")
    with pytest.raises(ConfigError, match=r"newsroom/\.rag-source: the source name must be one line.*'two\\nlines'"):
        load_corpus([tmp_path / "newsroom"])


def test_title_helpers() -> None:
    long = "word " * 60
    assert len(truncate_words(long)) <= 120 and truncate_words(long).endswith("word\u2026")
    assert truncate_words("a b " * 40, limit=10) == "a b a b a\u2026" and truncate_words("short title") == "short title"
    assert truncate_words("Crime team seized knives, and more", limit=26) == "Crime team seized knives\u2026"
    assert derive_title("The U.S. Attorney said more. Then another sentence.") == "The U.S. Attorney said more."
    assert derive_title("\n\n  **Bold lead** rest of line") == "Bold lead rest of line"
    assert derive_title("## A heading\nbody") == "A heading"


# --------------------------------------------------------------------------- JSON Lines
def test_jsonl_good_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "r1", "title": "First", "date": "7 Nov 2017", "url": "https://x.test/1",
                    "body": "Body one."}),
        "",  # blank lines are not records
        "{not json",
        json.dumps({"id": "r2", "date": "2020-01-02", "body": "No title."}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "r3", "title": "Third", "date": "2019-12-31T10:00:00Z", "body": "Body three.",
                    "source": "wire"}),
        json.dumps({"id": "r1", "title": "Again", "body": "Same id as line 1."}),
        json.dumps({"id": 7, "title": "Numeric id", "body": "Body.", "date": None}),
        json.dumps({"id": "r8", "title": "Bad date", "body": "Body.", "date": "sometime"}),
        json.dumps({"id": "r9", "title": "  ", "body": "Body."}),
        json.dumps({"id": "r10", "title": "T", "body": 5}),
    ]
    path = write(tmp_path, "export.jsonl", "\n".join(lines) + "\n")
    result = load_corpus([tmp_path])
    got = by_id(result)
    assert sorted(got) == ["7", "r1", "r3", "r8"]
    r1 = got["r1"]
    assert (r1.title, r1.date, r1.url, r1.source) == ("First", "2017-11-07", "https://x.test/1", "export")
    assert got["r1"].path == f"{path}:1"
    assert got["r3"].date == "2019-12-31" and got["r3"].source == "wire" and got["r3"].url is None
    assert got["r8"].date is None
    why = {s.path.rsplit(":", 1)[1]: s.reason for s in result.skipped}
    assert why["3"].startswith("line 3: invalid JSON (")
    assert why["4"] == "line 4: missing required field 'title'"
    assert why["5"] == "line 5: expected a JSON object, got list"
    assert why["7"].startswith("id clash: 'r1'")
    assert why["10"] == "line 10: required field 'title' is empty"
    assert why["11"] == "line 11: field 'body' must be a string, got int"
    assert len(result.releases) + len(result.skipped) == 10  # one per non-blank line


def test_jsonl_file_as_root_and_bad_bytes(tmp_path: Path) -> None:
    good = json.dumps({"id": "a", "title": "A", "body": "Body."}).encode()
    path = write(tmp_path, "dump.jsonl", good + b"\n" + b'{"id": "b", "title": "caf\xe9", "body": "x"}\n')
    result = load_corpus(path)  # a single file as the root
    assert [r.id for r in result.releases] == ["a"]
    assert result.skipped[0].path == f"{path}:2"
    assert result.skipped[0].reason.startswith("line 2: not UTF-8 text (byte 0xe9 at offset ")
    empty = write(tmp_path, "sub/empty.jsonl", "\n\n")
    assert load_corpus([empty]).skipped[0].reason == "empty file (no JSON records)"
