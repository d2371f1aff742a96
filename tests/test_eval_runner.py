"""rag eval: dataset reading, the runner's contract, reports, and the regression gate."""
import json

import pytest
from typer.testing import CliRunner

from conftest import BUNDLED, REPO
from eval.dataset import read_dataset
from eval.regression import compare, load_results
from eval.report import write_report
from eval.runner import METRIC_KEYS, evaluate
from rag.cli import app
from rag.errors import ConfigError
from rag.pipeline import Pipeline, index_corpus, make_embedder
from rag.settings import Settings

DATASET = REPO / "eval" / "datasets" / "bundled.jsonl"
BASELINE = REPO / "eval" / "baselines" / "bundled.json"


def line(**over):
    row = {"id": "q1", "corpus": "x", "question": "How many knives?", "answer": "10 knives", "must_include": ["10"],
           "gold_ids": ["000_0fc0534938e8ed63.txt"], "gold_quote": "", "type": "factoid", "as_of": None}
    row.update(over)
    return json.dumps(row)


@pytest.mark.parametrize("bad, message", [
    ("{not json", "not valid JSON"),
    (line(type="trivia"), "type 'trivia'"),
    (line(must_include="10"), "'must_include' must be a list"),
    (line(as_of="last week"), "as_of must be null or an ISO date"),
    (line(gold_ids=None), "'gold_ids'"),
])
def test_bad_dataset_lines_name_file_and_line(tmp_path, bad, message):
    path = tmp_path / "d.jsonl"
    path.write_text(line(id="ok") + "\n" + bad + "\n")
    with pytest.raises(ConfigError) as exc:
        read_dataset(path)
    assert f"{path}:2" in str(exc.value) and message in str(exc.value)


def test_reads_the_shared_dev_format():
    questions = read_dataset(DATASET)
    assert len(questions) >= 25 and {q.type for q in questions} == {
        "factoid", "date_scoped", "multi_doc", "unanswerable", "lookup", "aggregate"}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """The shipped configuration (default embedding backend), as `rag eval` runs it."""
    settings = Settings(index_dir=str(tmp_path_factory.mktemp("idx")), corpus=str(BUNDLED))
    embedder = make_embedder(settings)
    index_corpus(settings, embedder=embedder)
    return Pipeline(settings, embedder=embedder)


@pytest.fixture(scope="module")
def results(pipeline):
    return evaluate(pipeline, read_dataset(DATASET), dataset=str(DATASET))


def test_results_follow_the_contract(results):
    assert set(results) >= {"settings", "metrics", "questions"}
    overall = results["metrics"]["overall"]
    assert list(overall) == list(METRIC_KEYS)
    assert set(results["metrics"]["by_type"]) == {"factoid", "date_scoped", "multi_doc", "unanswerable", "lookup",
                                                  "aggregate"}
    q = results["questions"][0]
    assert {"id", "retrieved", "answer", "citations", "refused", "timings_ms", "metrics"} <= set(q)
    assert all({"release_id", "score"} == set(r) for r in q["retrieved"])
    unanswerable = results["metrics"]["by_type"]["unanswerable"]
    assert unanswerable["hit@1"] is None and unanswerable["refusal_rate_unanswerable"] is not None
    json.dumps(results)  # serialisable


def test_report_files_with_plots(results, tmp_path):
    comparison = compare(results, results)
    paths = write_report(results, tmp_path, comparison)
    html = paths["html"].read_text()
    assert "data:image/png;base64," in html and "Newly failing" in html
    assert (tmp_path / "by_type.png").stat().st_size > 1000 and (tmp_path / "vs_baseline.png").exists()
    assert "| overall |" in paths["markdown"].read_text()
    assert json.loads(paths["results"].read_text())["comparison"]["failed"] is False


def test_bundled_set_holds_its_committed_baseline(results):
    """The regression gate CI relies on: the bundled question set against eval/baselines/bundled.json."""
    comparison = compare(results, load_results(BASELINE))
    assert not comparison.failed, (comparison.regressions, comparison.newly_failing)


class BrokenRetriever:
    """Returns the least similar passages: a deliberately broken retriever."""

    name = "broken"

    def __init__(self, inner):
        self.inner = inner

    def retrieve(self, query, k, filters=None):
        hits = self.inner.retrieve(query, 40)
        return list(reversed(hits))[:k]


def test_broken_retriever_fails_the_gate_with_a_per_question_diff(pipeline, results):
    good = pipeline.retriever
    pipeline.retriever = BrokenRetriever(good)
    try:
        broken = evaluate(pipeline, read_dataset(DATASET), dataset=str(DATASET))
    finally:
        pipeline.retriever = good
    comparison = compare(broken, results)
    assert comparison.failed
    assert any(r.startswith("hit@1") for r in comparison.regressions)
    assert comparison.newly_failing and all("id" in q and "question" in q for q in comparison.newly_failing)


def test_gate_tolerance_and_direction():
    def res(**metrics):
        return {"metrics": {"overall": metrics}, "questions": []}
    assert not compare(res(**{"hit@1": 0.89}), res(**{"hit@1": 0.9}), 0.02).failed
    assert compare(res(**{"hit@1": 0.85}), res(**{"hit@1": 0.9}), 0.02).failed
    assert compare(res(false_refusal_rate=0.2), res(false_refusal_rate=0.1), 0.02).failed
    assert not compare(res(false_refusal_rate=0.0), res(false_refusal_rate=0.1), 0.02).failed
    with pytest.raises(ConfigError, match="tolerance"):
        compare(res(), res(), 1.5)


def test_rag_eval_command_end_to_end(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RAG_EMBEDDER", "hash")
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["eval", "--dataset", str(DATASET), "--corpus", str(BUNDLED), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert (out / "report.html").exists() and "overall" in r.stdout
    # the same results as baseline pass; a doctored, better baseline fails with exit 3
    baseline = json.loads((out / "results.json").read_text())
    baseline["metrics"]["overall"]["hit@1"] = 1.5
    (tmp_path / "base.json").write_text(json.dumps(baseline))
    r = CliRunner().invoke(app, ["eval", "--dataset", str(DATASET), "--corpus", str(BUNDLED), "--out", str(out),
                                 "--baseline", str(tmp_path / "base.json")])
    assert r.exit_code == 3 and "regression gate failed: hit@1" in r.output
    r = CliRunner().invoke(app, ["eval", "--dataset", str(tmp_path / "missing.jsonl")])
    assert r.exit_code == 1 and "dataset not found" in r.output


def test_a_question_that_raises_is_scored_as_failed_and_the_run_goes_on(pipeline, monkeypatch):
    questions = read_dataset(DATASET)[:3]
    ask = pipeline.ask

    def flaky(question, **kwargs):
        if question == questions[1].question:
            raise ZeroDivisionError("boom\n  in two lines")
        return ask(question, **kwargs)

    monkeypatch.setattr(pipeline, "ask", flaky)
    res = evaluate(pipeline, questions, dataset="three")
    assert [r["id"] for r in res["questions"]] == [q.id for q in questions]  # nothing lost
    bad = res["questions"][1]
    assert res["errors"] == [{"id": questions[1].id, "error": bad["error"]}]
    assert bad["error"].startswith("ZeroDivisionError: boom in two lines (at test_eval_runner.py:")
    assert bad["answer"] == "" and not bad["refused"] and bad["citations"] == [] and bad["retrieved"] == []
    assert not bad["metrics"]["passed"] and bad["metrics"]["routing_ok"] == 0.0
    assert all("error" not in r for r in (res["questions"][0], res["questions"][2]))
    assert res["metrics"]["overall"]["n"] == 3

    def broken(question, **kwargs):  # a bad setting or a missing index stops the run, as before
        raise ConfigError("no such answerer")

    monkeypatch.setattr(pipeline, "ask", broken)
    with pytest.raises(ConfigError, match="no such answerer"):
        evaluate(pipeline, questions, dataset="three")


def test_rag_eval_lists_the_questions_that_raised_and_exits_1(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RAG_EMBEDDER", "hash")
    dataset = tmp_path / "d.jsonl"
    dataset.write_text("\n".join(DATASET.read_text().splitlines()[:2]) + "\n")
    first = read_dataset(dataset)[0]
    ask = Pipeline.ask
    monkeypatch.setattr(Pipeline, "ask", lambda self, q, **kw: 1 / 0 if q == first.question else ask(self, q, **kw))
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["eval", "--dataset", str(dataset), "--corpus", str(BUNDLED), "--out", str(out)])
    assert r.exit_code == 1, r.output
    assert f"error: {first.id}: ZeroDivisionError: division by zero (at test_eval_runner.py:" in r.output
    assert "1 of 2 questions raised an error" in r.output
    saved = json.loads((out / "results.json").read_text())  # the results are written all the same
    assert len(saved["questions"]) == 2 and saved["errors"][0]["id"] == first.id
    report = (out / "report.md").read_text()
    assert "## Errors (1)" in report and "ERROR: ZeroDivisionError: division by zero" in report
    assert "ERROR: ZeroDivisionError" in (out / "report.html").read_text()  # the question table of both reports


def test_an_error_names_the_innermost_frame_of_this_projects_code():
    from eval.runner import failure

    def ask():
        return json.loads("{")  # raises inside the standard library's json/decoder.py

    try:
        ask()
    except ValueError as exc:
        line = failure(exc)
    assert line.startswith("JSONDecodeError: Expecting property name enclosed in double quotes")
    assert line.endswith(f"(at test_eval_runner.py:{ask.__code__.co_firstlineno + 1})")  # not decoder.py
