"""Feedback: JSON Lines written per rating, and `rag feedback-to-eval` into the eval dataset format."""
import json
import threading

import pytest
from typer.testing import CliRunner

from eval.dataset import read_dataset
from rag.cli import app
from rag.errors import ConfigError
from rag.models import Answer, Chunk, Citation, Hit, Release
from rag.settings import Settings
from ui.chat import Turn
from ui.feedback import FeedbackLog, default_path, feedback_record, feedback_to_eval, read_feedback

KNIVES_QUOTE = ("The force’s community policing team in Luton has undertaken 20 weapons sweeps in parks across "
                "the town, where officers have located and seized 10 knives.")


def turn(question="How many knives were seized in Luton parks?", *, refused=False, history=(), cited=("000.txt",),
         filters=None) -> Turn:
    rel = Release("000.txt", "Since February", "2022-04-12", None, "corpus", KNIVES_QUOTE, "000.txt")
    citations = tuple(Citation(n, rid, "Since February", "2022-04-12", None, 0, len(KNIVES_QUOTE), KNIVES_QUOTE)
                      for n, rid in enumerate(cited, 1))
    text = "I could not find the answer in the releases." if refused else \
        "Officers seized 10 knives in 20 weapons sweeps. " + " ".join(f"[{c.n}]" for c in citations)
    answer = Answer(text, refused, () if refused else citations, "extractive", {"total": 12.0})
    hits = [Hit(Chunk("000.txt", 0, 0, 10, KNIVES_QUOTE[:10]), rel, 0.9, 1)]
    search_q = f"knives Luton: {question}" if history else question
    return Turn(question=question, history=list(history), search_question=search_q, hits=hits, answer=answer,
                answerer="extractive", k=5, filters=filters or {"date_from": None, "date_to": None, "sources": [],
                                                                "release_ids": [], "as_of": None})


def test_default_path_is_next_to_the_index():
    assert str(default_path(".rag/index")) == ".rag/feedback.jsonl"


def test_record_holds_question_answer_citations_settings_filters(tmp_path):
    log = FeedbackLog(tmp_path / "sub" / "feedback.jsonl")
    log.append(feedback_record(turn(filters={"date_from": "2022-01-01", "date_to": None, "sources": ["corpus"],
                                             "release_ids": [], "as_of": "2022-05-01"}), "up", Settings()))
    [row] = read_feedback(log.path)
    assert row["rating"] == "up" and row["question"].startswith("How many knives")
    assert row["answer"].startswith("Officers seized 10 knives") and row["answerer"] == "extractive"
    assert row["citations"][0]["release_id"] == "000.txt" and row["citations"][0]["quote"] == KNIVES_QUOTE
    assert row["settings"]["k"] == 5 and row["settings"]["retriever"] == "hybrid"
    assert row["filters"]["sources"] == ["corpus"] and row["filters"]["as_of"] == "2022-05-01"
    assert row["timestamp"].endswith("+00:00") and row["retrieved"][0]["release_id"] == "000.txt"
    with pytest.raises(ValueError):
        feedback_record(turn(), "meh", Settings())


def test_concurrent_appends_stay_whole_lines(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    record = feedback_record(turn(), "down", Settings())
    threads = [threading.Thread(target=lambda: [log.append(record) for _ in range(25)]) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(read_feedback(log.path)) == 200


def test_feedback_to_eval_output_is_a_valid_dataset(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    s = Settings()
    log.append(feedback_record(turn(), "down", s))  # later thumbs-up of the same question wins
    log.append(feedback_record(turn(), "up", s))
    log.append(feedback_record(turn("And how many arrests did they make?", history=["How many knives…"]), "up", s))
    log.append(feedback_record(turn("Who won the 1966 World Cup?", refused=True), "up", s))
    log.append(feedback_record(turn("What did the two releases say about patrols?", cited=("000.txt", "001.txt")),
                               "up", s))
    log.append(feedback_record(turn("When was the Dallow campaign launched?"), "down", s))
    # make the timestamps strictly ordered as written
    rows = [json.loads(line) for line in log.path.read_text().splitlines()]
    for i, row in enumerate(rows):
        row["timestamp"] = f"2026-01-01T00:00:{i:02d}+00:00"
    log.path.write_text("".join(json.dumps(r) + "\n" for r in rows))

    out = tmp_path / "questions.jsonl"
    good, bad, review = feedback_to_eval(log.path, out)
    assert (good, bad) == (4, 1) and review == tmp_path / "questions.needs_review.jsonl"
    questions = {q.question: q for q in read_dataset(out)}
    knives = questions["How many knives were seized in Luton parks?"]
    assert knives.gold_ids == ("000.txt",) and knives.type == "factoid" and knives.gold_quote == KNIVES_QUOTE
    assert knives.answer == "Officers seized 10 knives in 20 weapons sweeps." and knives.must_include == ("10", "20")
    assert "knives Luton: And how many arrests did they make?" in questions  # the standalone form
    assert questions["Who won the 1966 World Cup?"].type == "unanswerable"
    assert questions["Who won the 1966 World Cup?"].gold_ids == ()
    assert questions["What did the two releases say about patrols?"].type == "multi_doc"
    [fix] = read_dataset(review)
    raw = json.loads(review.read_text())
    assert fix.question == "When was the Dallow campaign launched?" and raw["needs_review"]
    assert raw["rejected_answer"].startswith("Officers seized") and raw["rejected_citations"] == ["000.txt"]


def test_cli_feedback_to_eval(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    log.append(feedback_record(turn(), "up", Settings()))
    log.append(feedback_record(turn("Is it wrong?"), "down", Settings()))
    out = tmp_path / "q.jsonl"
    result = CliRunner().invoke(app, ["feedback-to-eval", str(log.path), "--out", str(out),
                                      "--review", str(tmp_path / "fix.jsonl")])
    assert result.exit_code == 0, result.output
    assert "wrote 1 question(s)" in result.output and "1 thumbs-down" in result.output
    assert len(read_dataset(out)) == 1 and len(read_dataset(tmp_path / "fix.jsonl")) == 1


def test_cli_feedback_to_eval_errors_are_one_line(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["feedback-to-eval", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "q")])
    assert result.exit_code == 1 and "feedback file not found" in result.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"rating": "sideways", "question": "q"}\n')
    result = runner.invoke(app, ["feedback-to-eval", str(bad), "--out", str(tmp_path / "q")])
    assert result.exit_code == 1 and "bad.jsonl:1: not a feedback record" in result.output
    with pytest.raises(ConfigError):
        read_feedback(bad)


def test_two_indexes_in_one_folder_get_two_feedback_files(tmp_path):
    from ui.feedback import default_path

    assert default_path(tmp_path / "index") == tmp_path / "feedback.jsonl"
    assert default_path(tmp_path / "mine") == tmp_path / "feedback-mine.jsonl"
    assert default_path(tmp_path / "mine") != default_path(tmp_path / "theirs")
