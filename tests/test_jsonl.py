"""rag.jsonl: one JSON Lines reader whose errors name the file and line."""
import pytest

from rag.errors import ConfigError
from rag.jsonl import read_objects


def test_reads_objects_skipping_blank_lines(tmp_path):
    p = tmp_path / "q.jsonl"
    p.write_text('{"a": 1}\n\n  \n{"b": 2}\n', encoding="utf-8")
    assert list(read_objects(p, "dataset")) == [(f"{p}:1", {"a": 1}), (f"{p}:4", {"b": 2})]


@pytest.mark.parametrize("content, message", [
    (b'{"a": 1}\n{"a": \n', ":2: not valid JSON"),
    (b'[1, 2]\n', ":1: each line must be a JSON object"),
    (b'{"a": "\xff"}\n', "is not UTF-8 text"),
])
def test_bad_lines_name_file_and_line(tmp_path, content, message):
    p = tmp_path / "bad.jsonl"
    p.write_bytes(content)
    with pytest.raises(ConfigError, match=message) as err:
        list(read_objects(p, "feedback file"))
    assert str(p) in str(err.value)


def test_missing_file_names_what_it_is(tmp_path):
    with pytest.raises(ConfigError, match="feedback file not found: .*nope.jsonl"):
        list(read_objects(tmp_path / "nope.jsonl", "feedback file"))
