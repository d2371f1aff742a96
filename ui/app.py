"""The Gradio app: a chat tab with a sources panel, a search tab, feedback, and an API.

``build_app(pipeline, settings, feedback_path)`` returns the Blocks; ``demo.launch(...)``
adds the page's script, CSS and theme. API endpoints for ``gradio_client``:

- ``/ask`` (question, history, answerer, k, date_from, date_to, sources, as_of) -> ``Answer.to_json()``
  plus ``question``, ``search_question`` and ``retrieved``;
- ``/search`` (query, k, date_from, date_to, sources, as_of) -> ``{"query", "hits": [...]}``
  (as ``rag search --json``);
- ``/release`` (release_id) -> the release's fields, body included.

With ``allow_upload`` an "Add releases" tab takes .txt/.md/.html/.jsonl files or a .zip and indexes
them beside the rest (``Pipeline.add_files``); questions keep being answered meanwhile.
"""
from __future__ import annotations

import logging
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from rag.errors import RagError  # noqa: E402
from rag.text.quotes import phrase_span  # noqa: E402

from . import render  # noqa: E402
from .assets import CSS, HEAD, theme  # noqa: E402
from .chat import (MAX_K, ChatService, Done, Partial, Retrieved, Turn, check_question, filters_json,  # noqa: E402
                   parse_filters)
from .feedback import FeedbackLog, default_path, feedback_record  # noqa: E402

log = logging.getLogger(__name__)

BUNDLED_EXAMPLES = [
    "How many knives were seized in Luton parks?",
    "And how many arrests did they make?",
    "What is the Dallow Cares campaign?",
    "How did the inspectorate rate Bedfordshire Police's work with children?",
]
BUNDLED_MARKER = "000_0fc0534938e8ed63.txt"
# after "Open release": bring the release, or the passage marked in it, into view
SCROLL_TO_RELEASE = """() => { setTimeout(() => {
  const el = document.querySelector('#rag-release-view mark') || document.querySelector('#rag-release-view article');
  if (el) el.scrollIntoView({block: 'center'});
}, 150); }"""
MAX_UPLOAD = 100 * 2**20  # bytes in one upload request (a zip of a few thousand releases)
SHOWN_QUESTION_CHARS = 300


class RagBlocks(gr.Blocks):
    """Blocks whose ``launch`` brings the page script, CSS and an offline theme along, and closes
    the small holes (``guard.py``: no uploads, no monitoring page, bodies capped)."""

    def launch(self, *args, **kwargs):
        from starlette.middleware import Middleware

        from .guard import Guard

        kwargs.setdefault("enable_monitoring", False)
        uploads = getattr(self, "rag_allow_upload", False)
        if uploads:
            kwargs.setdefault("max_file_size", MAX_UPLOAD)
        app_kwargs = dict(kwargs.get("app_kwargs") or {})
        app_kwargs["middleware"] = [*app_kwargs.get("middleware", []),
                                    Middleware(Guard, uploads=uploads, max_upload=MAX_UPLOAD)]
        kwargs["app_kwargs"] = app_kwargs
        kwargs.setdefault("head", HEAD)
        kwargs.setdefault("css", CSS)
        kwargs.setdefault("theme", theme())
        mcp = getattr(self, "rag_mcp", None)
        if mcp is not None:  # MCP over streamable HTTP (ui/mcp_http.py): its session manager runs in the lifespan
            mcp.prepare(kwargs.get("server_name"))
            app_kwargs["lifespan"] = mcp.lifespan(app_kwargs.get("lifespan"))
        out = super().launch(*args, **kwargs)
        api = getattr(self, "rag_api", None)
        if api is not None:  # the OpenAI-compatible routes on the same server (ui/openai_api.py)
            self.server_app.include_router(api)
        if mcp is not None:
            self.server_app.router.routes.insert(0, mcp.route())
        return out


def heading(n_releases: int, n_chunks: int) -> str:
    return (f"## press-rag: ask the press releases\n"
            f"Every claim in an answer carries a citation [n]: click it to see the quoted passage. "
            f"Index: {n_releases} releases, {n_chunks} passages.")


def render_skip(s):
    """A skipped upload named by its path under the uploads folder."""
    from rag.index.uploads import FOLDER
    from rag.models import Skipped

    return Skipped(s.path.rsplit(f"/{FOLDER}/", 1)[-1], s.reason)


def _shown_question(text: str) -> str:
    text = (text or "").strip()
    return text if len(text) <= SHOWN_QUESTION_CHARS else text[:SHOWN_QUESTION_CHARS] + "…"


def chat_messages(turns: list[Turn]) -> list[dict]:
    """The Chatbot's value: two messages per turn, all text escaped, [n] linked to the panel."""
    out = []
    for no, t in enumerate(turns, 1):
        out.append({"role": "user", "content": render.question_markdown(_shown_question(t.question))})
        if t.error:
            content = render.message_markdown(t.error)
        elif t.answer is not None:
            content = render.answer_markdown(t.answer, no)
        elif t.partial:
            content = render.streaming_markdown(t.partial)
        elif t.search_question:
            content = render.writing_markdown(len(t.hits), t.answerer, t.deadlines)
        else:
            content = render.pending_markdown("Searching the releases…")
        out.append({"role": "assistant", "content": content})
    return out


def build_app(pipeline, settings=None, feedback_path=None, *, concurrency: int = 8,
              examples: list[str] | None = None, allow_upload: bool = False, api_key: str = "",
              api: bool = True) -> gr.Blocks:
    """The page and, unless ``api`` is false, the OpenAI-compatible ``/v1`` API (``api_key``: the bearer
    token it requires; see ui/openai_api.py)."""
    settings = settings or pipeline.settings
    service = ChatService(pipeline)
    service.warm_up()
    feedback = FeedbackLog(feedback_path or default_path(settings.index_dir))
    n_releases, n_chunks = service.stats()
    sources = service.sources()
    if examples is None:
        examples = BUNDLED_EXAMPLES if service.release(BUNDLED_MARKER) else []

    def panel(turns: list[Turn]) -> str:
        parts = []
        for no, t in enumerate(turns, 1):
            if t.error:
                continue
            status = ""
            if t.answer is None:
                status = (f"Retrieved {len(t.hits)} passages; the answer is being written…" if t.search_question
                          else "Searching…")
            releases = {}
            if t.answer is not None:
                releases = {c.release_id: service.release(c.release_id) for c in t.answer.citations}
            parts.append(render.turn_html(no, _shown_question(t.question), t.hits, t.answer, releases, status,
                                          t.siblings))
        return render.sources_panel(parts)

    def respond(message, turns, answerer, k, date_from, date_to, source_filter, as_of):
        if not (message or "").strip():  # Enter on an empty box: nothing to do
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        turns = list(turns or [])
        history = [t.question for t in turns if not t.error]
        turn = Turn(question=(message or "").strip(), history=history, answerer=answerer or settings.answerer,
                    k=int(k or 0), deadlines=service.deadlines(answerer))
        turns.append(turn)
        box = gr.skip()  # a refused question stays in the box to be edited
        try:
            question = check_question(message)
            filters = parse_filters(date_from, date_to, source_filter, as_of)
            turn.filters = filters_json(filters)
            yield chat_messages(turns), turns, panel(turns), ""  # accepted: the box is emptied, once
            for event in service.run(question, history, answerer=answerer, k=k, filters=filters):
                if isinstance(event, Partial):  # the panel does not change while the answer streams
                    turn.partial = event.text
                    yield chat_messages(turns), turns, gr.skip(), gr.skip()
                    continue
                if isinstance(event, Retrieved):
                    turn.hits, turn.search_question = event.hits, event.search_question
                elif isinstance(event, Done):
                    turn.answer = event.answer
                    turn.siblings = service.siblings(event.answer)
                yield chat_messages(turns), turns, panel(turns), gr.skip()
        except RagError as exc:
            turn.error = f"Cannot answer: {exc}"
            yield chat_messages(turns), turns, panel(turns), box
        except Exception as exc:  # shown in the chat rather than as a broken page
            log.exception("chat turn failed")
            turn.error = f"Something went wrong: {type(exc).__name__}: {exc}"
            yield chat_messages(turns), turns, panel(turns), box

    def export(turns, kind: str, which: str = "conversation"):
        """The conversation's answered turns (or only the last) as a Markdown or JSON file to download."""
        import tempfile
        from pathlib import Path

        from rag.export import conversation_json, conversation_markdown

        done = [(t.question, t.answer) for t in (turns or []) if t.answer is not None]
        if not done:
            raise gr.Error("Nothing to export yet: ask a question first.", print_exception=False)
        if which == "last answer":
            done = done[-1:]
        folder = Path(tempfile.mkdtemp(prefix="press-rag-export-"))
        stem = "press-rag-answer" if which == "last answer" else "press-rag-conversation"
        path = folder / f"{stem}.{'md' if kind == 'markdown' else 'json'}"
        path.write_text(conversation_markdown(done) if kind == "markdown" else conversation_json(done),
                        encoding="utf-8")
        return str(path)

    def clear():
        return [], [], render.EMPTY_PANEL, ""

    def on_like(turns, data: gr.LikeData):
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        no = int(index) // 2
        turns = turns or []
        if not 0 <= no < len(turns) or turns[no].answer is None:
            return "Only answers can be rated."
        liked = data.liked
        if liked is True or liked == "Like":
            rating = "up"
        elif liked is False or liked == "Dislike":
            rating = "down"
        else:
            return "Rating removed (the earlier line stays in the feedback file)."
        feedback.append(feedback_record(turns[no], rating, settings))
        return f"Thanks: {'👍' if rating == 'up' else '👎'} on answer {no + 1} saved to {feedback.path}."

    def do_search(query, k, date_from, date_to, source_filter, as_of):
        try:
            filters = parse_filters(date_from, date_to, source_filter, as_of)
            hits = service.search(query, k, filters)
        except RagError as exc:
            return render.error_html(f"Cannot search: {exc}"), gr.update(), None
        found = {"query": query, "spans": {}}
        for h in hits:  # each release's best passage, to mark when it is opened
            if h.release.id not in found["spans"] and h.span() is not None:
                found["spans"][h.release.id] = list(h.span())
        return (render.search_results_html(query, hits), (hits[0].release.id if hits else gr.update()), found)

    def open_release(release_id, found):
        release_id = (release_id or "").strip()
        if not release_id:
            return render.error_html("Enter a release id (search results show them).")
        release = service.release(release_id)
        span = None
        if release is not None and found:
            span = phrase_span(release.body, found.get("query") or "") or found.get("spans", {}).get(release_id)
        return render.release_html(release, release_id, tuple(span) if span else None)

    # ---- API (gradio_client) ----------------------------------------------------------
    def add_files(paths):
        if not paths:
            return gr.skip(), gr.skip(), gr.skip()
        try:
            saved, report = pipeline.add_files(paths)
        except RagError as exc:
            return render.error_html(f"Cannot add the files: {exc}"), gr.skip(), gr.skip()
        mine = tuple("/" + f for f in saved.files)
        skipped = [*saved.skipped, *(render_skip(s) for s in (report.skipped if report else ())
                                     if s.path.endswith(mine))]
        ids = [*report.added_ids, *report.updated_ids] if report else []
        return (render.upload_html(report, [service.release(i) for i in ids], skipped, service.stats()),
                gr.update(choices=service.sources()), heading(*service.stats()))

    def ask(question: str, history: list[str] | None = None, answerer: str = "", k: int = 0,
            date_from: str = "", date_to: str = "", sources: list[str] | None = None, as_of: str = "") -> dict:
        """Answer a question from the releases; earlier questions in `history` make a follow-up standalone."""
        try:
            filters = parse_filters(date_from, date_to, sources, as_of)
            answer, hits, search_question = service.ask(question, history or [], answerer=answerer or None,
                                                        k=k, filters=filters)
        except RagError as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        out = answer.to_json()
        out.update(question=question, search_question=search_question,
                   retrieved=[{"rank": h.rank, "score": round(h.score, 4), "release_id": h.release.id,
                               "title": h.release.title, "date": h.release.date} for h in hits])
        return out

    def search(query: str, k: int = 10, date_from: str = "", date_to: str = "", sources: list[str] | None = None,
               as_of: str = "") -> dict:
        """Citation lookup: ranked passages with release title, date, id, offsets and score."""
        try:
            hits = service.search(query, k, parse_filters(date_from, date_to, sources, as_of))
        except RagError as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        return {"query": query, "hits": [
            {"rank": h.rank, "score": round(h.score, 4), "release_id": h.release.id, "title": h.release.title,
             "date": h.release.date, "url": h.release.url, "start": h.chunk.start, "end": h.chunk.end,
             "text": h.chunk.text} for h in hits]}

    def release(release_id: str) -> dict:
        """One release by id: title, date, url, source and the whole body."""
        r = service.release(release_id)
        if r is None:
            raise gr.Error(f"no release with id {release_id!r}", print_exception=False)
        return {"id": r.id, "title": r.title, "date": r.date, "url": r.url, "source": r.source, "body": r.body}

    # ---- layout -----------------------------------------------------------------------
    with RagBlocks(title="press-rag", analytics_enabled=False) as demo:
        header = gr.Markdown(heading(n_releases, n_chunks), elem_id="rag-heading")
        with gr.Accordion("Filters: date range, source, as-of date", open=False):
            with gr.Row():
                date_from = gr.Textbox(label="From (YYYY-MM-DD)", placeholder="2020-01-01", elem_id="rag-from")
                date_to = gr.Textbox(label="To (YYYY-MM-DD)", placeholder="2022-12-31", elem_id="rag-to")
                as_of = gr.Textbox(label="As of (what 'today' means)", placeholder="today", elem_id="rag-as-of")
                source_filter = gr.Dropdown(sources, value=[], multiselect=True, label="Sources",
                                            elem_id="rag-sources-filter")
        filter_inputs = [date_from, date_to, source_filter, as_of]
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                turns = gr.State([])
                with gr.Row():
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(label="Answers", height=520, elem_id="rag-chat", latex_delimiters=[],
                                             sanitize_html=True, render_markdown=True, buttons=["copy"],
                                             placeholder="Ask a question about the press releases.")
                        feedback_status = gr.Markdown("", elem_id="rag-feedback-status")
                        with gr.Row():
                            msg = gr.Textbox(label="Question", placeholder="Ask a question (Enter to send)",
                                             scale=5, elem_id="rag-question", autofocus=True)
                            send = gr.Button("Ask", variant="primary", scale=1, elem_id="rag-ask")
                        with gr.Row():
                            answerer = gr.Dropdown(service.answerer_names(), value=settings.answerer,
                                                   label="Answerer", elem_id="rag-answerer")
                            k = gr.Slider(1, MAX_K, value=settings.retrieval.top_k, step=1, label="Passages (k)",
                                          elem_id="rag-k")
                            clear_btn = gr.Button("New conversation", elem_id="rag-clear")
                        with gr.Row():
                            export_which = gr.Radio(["conversation", "last answer"], value="conversation",
                                                    label="Export", elem_id="rag-export-which")
                            export_md = gr.Button("As Markdown", size="sm", elem_id="rag-export-md")
                            export_json = gr.Button("As JSON", size="sm", elem_id="rag-export-json")
                        exported = gr.File(label="Exported", interactive=False, elem_id="rag-export-file")
                        if examples:
                            gr.Examples([[q] for q in examples], inputs=[msg], label="Example questions")
                    with gr.Column(scale=2):
                        sources_panel = gr.HTML(render.EMPTY_PANEL, label="Sources", show_label=True,
                                                elem_id="rag-sources-panel", container=True, js_on_load=None)
            if allow_upload:
                with gr.Tab("Add releases", id="add"):
                    gr.Markdown("Add your own releases to this index: `.txt`, `.md` (YAML front matter or a "
                                "`date YYYY-MM-DD` line), saved web pages (`.html`), `.jsonl`, or a `.zip` of "
                                "them. A file uploaded again under the same name replaces the earlier one.")
                    # no file_types: a file of another type is taken and named in the report with the
                    # reason, not dropped in the browser
                    upload = gr.File(label="Releases to add", file_count="multiple", type="filepath",
                                     elem_id="rag-upload")
                    upload_status = gr.HTML("", elem_id="rag-upload-status")
            with gr.Tab("Search", id="search"):
                with gr.Row():
                    query = gr.Textbox(label="Look up passages", placeholder="e.g. weapons sweeps in parks",
                                       scale=5, elem_id="rag-search-query")
                    search_k = gr.Slider(1, MAX_K, value=10, step=1, label="Results", scale=1)
                    search_btn = gr.Button("Search", variant="primary", scale=1, elem_id="rag-search")
                results = gr.HTML("", elem_id="rag-search-results", js_on_load=None)
                with gr.Row():
                    release_id = gr.Textbox(label="Release id", placeholder="e.g. 000_0fc0534938e8ed63.txt",
                                            scale=5, elem_id="rag-release-id")
                    open_btn = gr.Button("Open release", scale=1, elem_id="rag-open-release")
                release_view = gr.HTML("", elem_id="rag-release-view", js_on_load=None)
                last_search = gr.State(None)  # the last search's query and each release's best passage

        chat_inputs = [msg, turns, answerer, k, *filter_inputs]
        chat_outputs = [chatbot, turns, sources_panel, msg]
        gr.on([msg.submit, send.click], respond, chat_inputs, chat_outputs, api_name="chat_ui",
              api_visibility="undocumented", show_progress="hidden")
        gr.on([clear_btn.click, chatbot.clear], clear, None, chat_outputs, api_name="clear_ui",
              api_visibility="undocumented", queue=False)
        export_md.click(lambda t, w: export(t, "markdown", w), [turns, export_which], [exported],
                        api_name="export_md_ui", api_visibility="undocumented")
        export_json.click(lambda t, w: export(t, "json", w), [turns, export_which], [exported],
                          api_name="export_json_ui", api_visibility="undocumented")
        chatbot.like(on_like, [turns], [feedback_status], api_name="feedback_ui", api_visibility="undocumented")
        gr.on([query.submit, search_btn.click], do_search, [query, search_k, *filter_inputs],
              [results, release_id, last_search],
              api_name="search_ui", api_visibility="undocumented")
        gr.on([release_id.submit, open_btn.click], open_release, [release_id, last_search], [release_view],
              api_name="release_ui", api_visibility="undocumented").then(None, js=SCROLL_TO_RELEASE)
        if allow_upload:
            upload.upload(add_files, [upload], [upload_status, source_filter, header], concurrency_limit=1,
                          api_name="upload_ui", api_visibility="undocumented")
        gr.api(ask, api_name="ask")
        gr.api(search, api_name="search")
        gr.api(release, api_name="release")
    demo.queue(default_concurrency_limit=concurrency)
    demo.rag_feedback_path = feedback.path
    demo.rag_allow_upload = allow_upload
    from .mcp_http import McpHttp
    from .openai_api import router

    demo.rag_api = router(service, api_key=api_key, enabled=api)
    demo.rag_mcp = McpHttp(pipeline, settings, api_key=api_key, enabled=api)
    return demo
