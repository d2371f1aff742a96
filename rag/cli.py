"""The `rag` command: a thin edge that turns library errors into one-line messages."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from .cli_report import (parse_every, print_answer, print_build_report, print_eval_results,  # noqa: F401
                         print_sync_report, reason_kind, stream_answer)
from .errors import RagError
from .settings import Settings, load_settings

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Ask questions of press releases and get answers with checkable citations.")

IndexOpt = typer.Option(None, "--index", help="Index folder (default: .rag/index, or RAG_INDEX_DIR).")
FromOpt = typer.Option(None, "--from", help="Only releases dated on or after this day (YYYY-MM-DD).")
ToOpt = typer.Option(None, "--to", help="Only releases dated on or before this day (YYYY-MM-DD).")
SourceOpt = typer.Option(None, "--source", help="Only releases of this source (county/force/area); repeatable.")
ReleaseOpt = typer.Option(None, "--release", help="Only this release id; repeatable.")
AsOfOpt = typer.Option(None, "--as-of", help="The day 'today' means in the question (default: today).")
RetrieverOpt = typer.Option(None, "--retriever", help="hybrid (default), hybrid-dev-fit, hybrid-chunks, hybrid-rrf, "
                                                      "dense, bm25 or bm25-chunks.")
RerankOpt = typer.Option(None, "--rerank", help="none (default), overlap, or cross-encoder (needs rerank_model).")
DatesOpt = typer.Option(None, "--dates/--no-dates", help="Read time words in the question (default: on).")


def _filters(date_from, date_to, source, release, as_of):
    from .retrieval import Filters

    return _run(lambda: Filters(date_from=date_from, date_to=date_to, sources=tuple(source or ()),
                                release_ids=tuple(release or ()), as_of=as_of))


def _settings(**overrides) -> Settings:
    return _run(lambda: load_settings().with_(**overrides))


def _fail(message: str, code: int = 1):
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def _run(fn):
    """Call fn(); a RagError (a bad setting or input, a missing index) becomes one line on stderr
    and exit 1."""
    try:
        return fn()
    except RagError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("interrupted", 130)


@app.command()
def index(
    corpus: Optional[List[Path]] = typer.Argument(None, help="Corpus folder(s) or .jsonl file(s); default: the bundled corpus/."),
    index_dir: Optional[str] = IndexOpt,
    rebuild: bool = typer.Option(False, "--rebuild", help="Ignore the existing index and build from scratch "
                                 "(the index then holds only these roots)."),
    replace: bool = typer.Option(False, "--replace", help="Remove the releases of other roots and feeds "
                                 "(kept by default)."),
    embedder: Optional[str] = typer.Option(None, help="Embedding backend name (minilm, hash)."),
    ray: Optional[str] = typer.Option(None, "--ray", metavar="ADDRESS",
                                      help="Embed on a Ray cluster: 'local' (started in this process), "
                                           "HOST:PORT of a running head, or 'auto' (env RAG_RAY_ADDRESS)."),
):
    """Build or update the index: embeds only new or changed releases. Releases the index holds
    from other roots or feeds are kept unless --replace."""
    from .pipeline import index_corpus

    settings = _settings(index_dir=index_dir, embedder=embedder, ray__address=ray)
    roots = [str(p) for p in corpus] if corpus else [settings.corpus]
    report = _run(lambda: index_corpus(settings, roots, rebuild=rebuild, progress=True, replace=replace))
    print_build_report(report, settings.index_dir)


@app.command()
def sync(
    urls: Optional[List[str]] = typer.Argument(None, help="Feed (RSS/Atom) or sitemap URLs; none: every one "
                                                "this index has synced before."),
    index_dir: Optional[str] = IndexOpt,
    source: Optional[str] = typer.Option(None, "--source", help="Source name for these feeds' releases "
                                         "(default: the site's host)."),
    every: Optional[str] = typer.Option(None, "--every", help="Keep running: sync again after this interval "
                                        "(30m, 1h, 1d); stop with Ctrl-C."),
    delay: Optional[float] = typer.Option(None, "--delay", help="Seconds between requests to one host (default 1)."),
):
    """Fetch new and changed releases from newsroom feeds and sitemaps into the index."""
    import time

    from .pipeline import sync_feeds

    interval = parse_every(every) if every else None
    settings = _settings(index_dir=index_dir, sync__delay_s=delay)
    first = list(urls or ())
    while True:
        report = _run(lambda: sync_feeds(settings, first, source=source, progress=True))
        print_sync_report(report, settings.index_dir)
        if interval is None:
            return
        first = []  # the URLs are remembered now
        print(f"next sync in {every} (Ctrl-C stops)", file=sys.stderr, flush=True)
        try:
            time.sleep(interval)
        except KeyboardInterrupt:
            return


@app.command()
def sources(index_dir: Optional[str] = IndexOpt):
    """List the roots and feeds the index holds releases from, with counts and last update."""
    from .index import Index, scope
    from .sync.state import FILE, SyncState

    settings = _settings(index_dir=index_dir)
    idx = _run(lambda: Index(settings.index_dir, qdrant=settings.vectors.qdrant(settings.index_dir)))
    recorded = [o for o in idx.store.origins() if o[1] != "feed"]
    counts = scope.by_origin(idx.store.release_paths().values(), [loc for loc, _, _ in recorded])
    for location, kind, when in recorded:
        print(f"{kind}\t{location}\t{counts.pop(location, 0)} releases\tupdated {when}")
    if (Path(settings.index_dir) / FILE).exists():
        state = _run(lambda: SyncState(settings.index_dir))
        for url, s in state.summary().items():
            extra = f"\t{s['failing']} pages failing (tried again next sync)" if s["failing"] else ""
            extra += f"\tlast error: {s['error']}" if s["error"] else ""
            print(f"feed\t{url}\t{s['pages']} releases\tsynced {s['synced_at'] or 'never'}{extra}")
            counts.pop(scope.origin_of(url, []), None)
        state.close()
    for origin, n in counts.items():
        print(f"{'site' if scope.is_url(origin) else 'folder'}\t{origin}\t{n} releases\t(not recorded)")


@app.command()
def skipped(index_dir: Optional[str] = IndexOpt):
    """List every file the last `rag index` skipped, with the reason."""
    from .index import Index

    idx = _run(lambda: Index(_settings(index_dir=index_dir).index_dir))
    for s in idx.store.skipped():
        print(f"{s.path}\t{s.reason}")


def _pipeline(settings: Settings):
    from .index import generations
    from .pipeline import Pipeline, index_corpus

    def load():
        if generations.current(Path(settings.index_dir)) is None and settings.index_dir == Settings.index_dir:
            print(f"no index yet: building {settings.index_dir} from {settings.corpus}", file=sys.stderr)
            print_build_report(index_corpus(settings, progress=True), settings.index_dir, out=sys.stderr)
        return Pipeline(settings)

    return _run(load)


@app.command()
def search(
    query: str = typer.Argument(..., help="What to look for."),
    index_dir: Optional[str] = IndexOpt,
    k: int = typer.Option(10, "-k", "--top", min=1, max=100, help="Number of passages."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    date_from: Optional[str] = FromOpt, date_to: Optional[str] = ToOpt, source: Optional[List[str]] = SourceOpt,
    release: Optional[List[str]] = ReleaseOpt, as_of: Optional[str] = AsOfOpt,
    retriever: Optional[str] = RetrieverOpt, rerank: Optional[str] = RerankOpt, dates: Optional[bool] = DatesOpt,
):
    """Citation lookup: ranked passages with release title, date, id and score."""
    filters = _filters(date_from, date_to, source, release, as_of)
    pipe = _pipeline(_settings(index_dir=index_dir, retriever=retriever, rerank=rerank, dates=dates))
    hits = _run(lambda: pipe.search(query, k, filters))
    if as_json:
        print(json.dumps({"query": query, "hits": [
            {"rank": h.rank, "score": round(h.score, 4), "release_id": h.release.id, "title": h.release.title,
             "date": h.release.date, "url": h.release.url, "start": h.chunk.start, "end": h.chunk.end,
             "text": h.chunk.text} for h in hits]}, ensure_ascii=False, indent=2))
        return
    scope = pipe.analyse(query, filters).time_scope if pipe.settings.retrieval.dates else None
    if scope is not None and (scope.start or scope.end or scope.prefer_recent):
        print(f"time words “{scope.matched}”: releases from {scope.start or '…'} to {scope.end or '…'}"
              + (" preferred" if scope.start or scope.end else "") + (", newest first" if scope.prefer_recent else ""))
    if not hits:
        print("no passages found")
    for h in hits:
        print(f"{h.rank:>2}. [{h.score:.3f}] {h.release.title} ({h.release.date or 'undated'})")
        print(f"    {h.release.id}  chars {h.chunk.start}-{h.chunk.end}" + (f"  {h.release.url}" if h.release.url else ""))
        print(f"    {_snippet(h.chunk.text, query)}")


def _snippet(text: str, query: str, limit: int = 300) -> str:
    """``limit`` characters of a passage, flattened: from its start, or centred on the
    phrase the query quotes (in «»), so a citation lookup shows where it was said."""
    from .text.quotes import phrase_span

    span = phrase_span(text, query)
    if span is None:
        flat = " ".join(text.split())
        return flat[:limit] + ("…" if len(flat) > limit else "")
    start, end = span
    pad = max(0, (limit - (end - start)) // 2)
    left, right = max(0, start - pad), min(len(text), end + pad)
    inner = f"{text[left:start]}«{text[start:end]}»{text[end:right]}"
    return ("…" if left else "") + " ".join(inner.split()) + ("…" if right < len(text) else "")


@app.command()
def ask(
    question: str = typer.Argument(..., help="Your question."),
    index_dir: Optional[str] = IndexOpt,
    answerer: Optional[str] = typer.Option(None, help="Answerer name (default: extractive)."),
    k: Optional[int] = typer.Option(None, "-k", "--top", min=1, max=50, help="Passages handed to the answerer."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (same as --format json)."),
    fmt: str = typer.Option("text", "--format", help="text, json, or markdown (the answer, then its numbered "
                                                     "sources with title, date, link and quote)."),
    date_from: Optional[str] = FromOpt, date_to: Optional[str] = ToOpt, source: Optional[List[str]] = SourceOpt,
    release: Optional[List[str]] = ReleaseOpt, as_of: Optional[str] = AsOfOpt,
    retriever: Optional[str] = RetrieverOpt, rerank: Optional[str] = RerankOpt, dates: Optional[bool] = DatesOpt,
):
    """Answer a question from the releases, citing each claim \\[n]."""
    if fmt not in ("text", "json", "markdown"):
        _fail(f"unknown --format {fmt!r}; choose text, json or markdown")
    as_json = as_json or fmt == "json"
    settings = _settings(index_dir=index_dir, answerer=answerer, top_k=k, retriever=retriever, rerank=rerank,
                         dates=dates)
    if not question.strip():
        _fail("the question is empty")
    filters = _filters(date_from, date_to, source, release, as_of)
    pipe = _pipeline(settings)
    if as_json or fmt == "markdown" or not _run(lambda: pipe.answerer()).streams:
        answer, _hits = _run(lambda: pipe.ask(question, filters=filters))
        shown = False
    else:  # an LLM answerer: show tokens as they come, then the checked answer
        answer, shown = _run(lambda: stream_answer(pipe, question, filters))
    if as_json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
        return
    if fmt == "markdown":
        from .export import answer_markdown

        print(answer_markdown(question, answer), end="")
        return
    print_answer(answer, text=not shown)


@app.command()
def case(
    name: str = typer.Argument(..., help="The person's first and last name (middle names optional)."),
    index_dir: Optional[str] = IndexOpt, source: Optional[List[str]] = SourceOpt,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
):
    """A case's history: every release naming NAME, in date order, each step cited."""
    pipe = _pipeline(_settings(index_dir=index_dir))
    answer = _run(lambda: pipe.case(name, _filters(None, None, source, None, None)))
    if as_json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
        return
    if answer.refused:
        _fail(answer.note)
    print_answer(answer)


@app.command("eval")
def eval_(
    dataset: Path = typer.Option(..., "--dataset", help="Questions, JSON Lines (fields as ../shared/eval/dev.jsonl)."),
    index_dir: Optional[str] = IndexOpt,
    corpus: Optional[List[Path]] = typer.Option(None, "--corpus", help="Index these corpus roots first (repeatable)."),
    answerer: Optional[str] = typer.Option(None, help="Answerer name (default: extractive)."),
    retriever: Optional[str] = RetrieverOpt, rerank: Optional[str] = RerankOpt, dates: Optional[bool] = DatesOpt,
    baseline: Optional[Path] = typer.Option(None, help="An earlier results.json to compare with (regression gate)."),
    tolerance: float = typer.Option(0.02, help="Largest allowed drop of a gated metric."),
    out: Path = typer.Option(Path("eval-out"), "--out", help="Folder for results.json, report.md, report.html."),
):
    """Run a question set through the pipeline; score retrieval, answers, citations, refusals."""
    import hashlib

    from eval.dataset import read_dataset
    from eval.regression import compare, load_results
    from eval.report import write_report
    from eval.runner import evaluate

    from .pipeline import index_corpus

    settings = _settings(index_dir=index_dir, answerer=answerer, retriever=retriever, rerank=rerank, dates=dates)
    if corpus:
        roots = [str(p.resolve()) for p in corpus]
        if index_dir is None:
            key = hashlib.sha1("\n".join(roots).encode()).hexdigest()[:10]
            settings = settings.with_(index_dir=f".rag/eval-index-{key}")
        print_build_report(_run(lambda: index_corpus(settings, roots, progress=True)), settings.index_dir)
    questions = _run(lambda: read_dataset(dataset))
    base = _run(lambda: load_results(baseline)) if baseline else None
    pipe = _pipeline(settings)
    results = _run(lambda: evaluate(pipe, questions, answerer=answerer, dataset=str(dataset), progress=True))
    comparison = _run(lambda: compare(results, base, tolerance)) if base else None
    paths = write_report(results, out, comparison)
    print_eval_results(results, paths)
    if comparison is not None:
        for label, items in (("newly failing", comparison.newly_failing), ("newly passing", comparison.newly_passing)):
            for item in items:
                print(f"{label}: {item['id']} ({item['type']}) {item['question']}")
        if comparison.failed:
            _fail("regression gate failed: " + "; ".join(comparison.regressions), code=3)
        print(f"regression gate passed (tolerance {comparison.tolerance})")
    if results["errors"]:
        _fail(f"{len(results['errors'])} of {len(results['questions'])} questions raised an error (scored as failed "
              f"answers, listed under \"errors\" in {paths['results']})")


def is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


@app.command()
def serve(
    index_dir: Optional[str] = IndexOpt,
    host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0 exposes the UI to the network)."),
    port: int = typer.Option(7860, min=1, max=65535, help="Port to listen on."),
    answerer: Optional[str] = typer.Option(None, help="Default answerer in the UI (default: extractive)."),
    feedback: Optional[Path] = typer.Option(None, "--feedback",
                                            help="Feedback JSON Lines file (default: feedback.jsonl next to the index)."),
    concurrency: int = typer.Option(8, min=1, max=64, help="Requests worked on at once (model work is serialised)."),
    api_key: Optional[str] = typer.Option(None, "--api-key", envvar="RAG_API_KEY",
                                          help="Bearer token the OpenAI-compatible /v1 API requires (env "
                                               "RAG_API_KEY); without one the API answers only on loopback."),
    allow_upload: Optional[bool] = typer.Option(None, "--allow-upload/--no-upload",
                                                help="Let the page add files to the index (default: on when "
                                                     "--host is loopback, off otherwise)."),
):
    """The chat UI in the browser: answers with clickable citations, a search tab, feedback, and
    an "Add releases" tab for your own files."""
    from .answer import ANSWERERS

    settings = _settings(index_dir=index_dir, answerer=answerer)
    _run(lambda: ANSWERERS.factory(settings.answerer))  # an unknown name: the error lists the valid ones
    pipe = _pipeline(settings)
    print("starting the web UI…", file=sys.stderr)
    try:
        from ui.app import build_app
    except ImportError as exc:
        _fail(f"the web UI needs gradio (pip install -e .): {exc}")
    uploads = allow_upload if allow_upload is not None else is_loopback(host)
    demo = _run(lambda: build_app(pipe, settings, feedback, concurrency=concurrency, allow_upload=uploads,
                                  api_key=api_key or "", api=bool(api_key) or is_loopback(host)))
    try:
        demo.launch(server_name=host, server_port=port, prevent_thread_lock=True, quiet=True)
    except OSError as exc:
        _fail(f"cannot listen on {host}:{port}: {exc}")
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    print(f"press-rag UI: http://{shown}:{port}  (feedback: {demo.rag_feedback_path}; Ctrl+C stops)", flush=True)
    if api_key or is_loopback(host):
        print(f"OpenAI-compatible API: http://{shown}:{port}/v1  (models: press-rag-<answerer>"
              f"{'; bearer key required' if api_key else ''})", flush=True)
        print(f"MCP tools (streamable HTTP): http://{shown}:{port}/mcp", flush=True)
    try:
        demo.block_thread()
    except KeyboardInterrupt:
        pass
    finally:
        demo.close()


@app.command()
def mcp(index_dir: Optional[str] = IndexOpt):
    """Serve the index as MCP tools over stdio (search_releases, ask, get_release, count_releases), for
    agents and editors."""
    from .mcp_server import build_server

    settings = _settings(index_dir=index_dir)
    server = _run(lambda: build_server(settings, _pipeline(settings)))
    server.run("stdio")


@app.command("feedback-to-eval")
def feedback_to_eval(
    feedback: Path = typer.Argument(..., help="Feedback JSON Lines written by `rag serve`."),
    out: Path = typer.Option(..., "--out", help="Evaluation questions from thumbs-up answers (JSON Lines)."),
    review: Optional[Path] = typer.Option(None, "--review",
                                          help="Thumbs-down questions to fix by hand (default: OUT.needs_review.jsonl)."),
    corpus: str = typer.Option("feedback", help="Value of the questions' corpus field."),
):
    """Turn UI feedback into eval questions: thumbs-up ones ready, thumbs-down ones marked needs_review."""
    from ui.feedback import feedback_to_eval as convert

    good, bad, review_path = _run(lambda: convert(feedback, out, review, corpus=corpus))
    print(f"wrote {good} question(s) to {out}" + (f"; {bad} thumbs-down question(s) to review in {review_path}"
                                                    if bad else ""))


def main():  # console-script entry point
    app()


if __name__ == "__main__":
    main()
