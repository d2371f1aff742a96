"""`rag mcp`: the index as MCP tools for agents (official MCP Python SDK), over stdio (and over streamable
HTTP at ``/mcp`` on the `rag serve` app: ``ui/mcp_http.py``).

Tools: ``search_releases`` (passages with their release, date and offsets), ``ask`` (a cited
answer), ``get_release`` (a whole release) and ``count_releases`` (releases holding a topic, by
source and dates, each listed). A bad value comes back as a tool error naming it (the SDK's
``ToolError``); nothing is printed on stdout but the protocol.
"""
from __future__ import annotations

from typing import Any

from .errors import RagError
from .settings import Settings

INSTRUCTIONS = ("Press releases of police forces, prosecutors and councils. Use search_releases to find "
                "passages, ask for a short answer whose every claim cites a release ([n] = citations[n-1]), "
                "get_release to read a release whole, count_releases to count releases about a topic.")


def build_server(settings: Settings, pipeline=None):
    """The MCP server over ``settings.index_dir`` (``pipeline``: one already loaded)."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    from .pipeline import Pipeline
    from .retrieval import Filters

    state: dict[str, Any] = {"pipeline": pipeline}

    def pipe():
        if state["pipeline"] is None:
            state["pipeline"] = Pipeline(settings)
        return state["pipeline"]

    def filters(date_from, date_to, sources, as_of=None) -> Filters:
        try:
            return Filters(date_from=date_from or None, date_to=date_to or None, sources=tuple(sources or ()),
                           as_of=as_of or None)
        except RagError as exc:
            raise ToolError(str(exc)) from None

    server = MCPServer("press-rag", instructions=INSTRUCTIONS)

    @server.tool()
    def search_releases(query: str, k: int = 10, date_from: str | None = None, date_to: str | None = None,
                        sources: list[str] | None = None) -> list[dict]:
        """Passages of press releases that match `query`, best first: each with release_id, title, date
        (YYYY-MM-DD or null), url, source, the passage text and its start/end character offsets in the
        release. Optional: k (1-50), date_from/date_to (YYYY-MM-DD), sources (source names)."""
        if not 1 <= k <= 50:
            raise ToolError(f"k must be from 1 to 50, got {k}")
        try:
            hits = pipe().search(query, k, filters(date_from, date_to, sources))
        except RagError as exc:
            raise ToolError(str(exc)) from None
        return [{"release_id": h.release.id, "title": h.release.title, "date": h.release.date, "url": h.release.url,
                 "source": h.release.source, "start": h.chunk.start, "end": h.chunk.end, "score": round(h.score, 4),
                 "text": h.chunk.text} for h in hits]

    @server.tool()
    def ask(question: str, date_from: str | None = None, date_to: str | None = None,
            sources: list[str] | None = None, as_of: str | None = None) -> dict:
        """A short answer to `question` from the releases, every claim marked [n]; `citations` holds
        source n's release_id, title, date, url, start/end offsets and the exact quote. `refused` is
        true when the releases do not answer it. Counting questions ("how many releases mention ...")
        and case histories ("what happened in the case against NAME") are answered over the whole index.
        Optional: date_from/date_to (YYYY-MM-DD), sources, as_of (the day 'today' means)."""
        try:
            answer, _hits = pipe().ask(question, filters=filters(date_from, date_to, sources, as_of))
        except RagError as exc:
            raise ToolError(str(exc)) from None
        return answer.to_json()

    @server.tool()
    def get_release(release_id: str) -> dict:
        """One whole release by its release_id (as search_releases and ask return it): title, date, url,
        source and body text."""
        r = pipe().index.release(release_id.strip())
        if r is None:
            raise ToolError(f"no release with id {release_id!r}")
        return {"release_id": r.id, "title": r.title, "date": r.date, "url": r.url, "source": r.source, "body": r.body}

    @server.tool()
    def count_releases(topic: str = "", sources: list[str] | None = None, date_from: str | None = None,
                       date_to: str | None = None) -> dict:
        """How many releases are about `topic` (scored by the fitted topic match, as a count
        question's topic; empty: every release), of `sources` (empty: all) dated date_from..date_to (YYYY-MM-DD, inclusive). Returns
        count, the criteria in words, and every matching release (release_id, title, date, url), a
        re-post of the same text (or a translation) marked duplicate_of and not counted."""
        from .collect.run import count_topic

        f = filters(date_from, date_to, sources)
        try:
            answer = count_topic(pipe().index, topic, sources=f.sources, start=f.date_from, end=f.date_to)
        except RagError as exc:
            raise ToolError(str(exc)) from None
        data = answer.to_json()
        return {"count": sum(1 for m in answer.matches if not m.duplicate_of), "criteria": data.get("criteria"),
                "answer": answer.text, "matches": data.get("matches", [])}

    return server
