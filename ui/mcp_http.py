"""The MCP tools of `rag mcp` over streamable HTTP at ``/mcp`` on the `rag serve` app (one process
with the page and the ``/v1`` API).

The same four tools as over stdio (``rag/mcp_server.py``), served by the official SDK's
streamable-HTTP transport in stateless mode (no session is held between requests, so any of several
``rag serve`` processes behind a load balancer can answer any request). The same rule as ``/v1``:
with an API key (``--api-key`` / ``RAG_API_KEY``) a request needs ``Authorization: Bearer KEY``
(401 without); on a host that is not loopback and has no key, ``/mcp`` answers 403. On loopback the
SDK's DNS-rebinding protection is on (a browser page on another site cannot drive the tools).
"""
from __future__ import annotations

import contextlib

from .guard import reply_json
from .openai_api import authorised

PATH = "/mcp"


class McpHttp:
    """The ``/mcp`` route and the lifespan that runs its session manager, for ``RagBlocks.launch``."""

    def __init__(self, pipeline, settings, *, api_key: str = "", enabled: bool = True):
        self.pipeline, self.settings = pipeline, settings
        self.api_key, self.enabled = api_key, enabled
        self._server = self._app = None

    def prepare(self, host: str | None) -> None:
        """Build the SDK's app before the server starts (its session manager runs in the lifespan)."""
        from rag.mcp_server import build_server

        self._server = build_server(self.settings, self.pipeline)
        self._app = self._server.streamable_http_app(streamable_http_path=PATH, stateless_http=True,
                                                     host=host or "127.0.0.1")

    def lifespan(self, outer=None):
        """A FastAPI lifespan that runs ``outer`` (if any) and the MCP session manager."""
        manager = self._server.session_manager

        @contextlib.asynccontextmanager
        async def both(app):
            async with contextlib.AsyncExitStack() as stack:
                if outer is not None:
                    await stack.enter_async_context(outer(app))
                await stack.enter_async_context(manager.run())
                yield

        return both

    def route(self):
        from starlette.routing import Route

        return Route(PATH, endpoint=self)  # an ASGI app (a bound method would be a GET-only handler)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            if not self.enabled:
                return await reply_json(send, 403, "MCP over HTTP is off on this server: it listens beyond loopback "
                                               "without an API key (start it with --api-key or RAG_API_KEY)")
            if self.api_key:
                header = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
                if not authorised(header, self.api_key):
                    return await reply_json(send, 401, "missing or wrong API key (send Authorization: Bearer KEY)")
        return await self._app(scope, receive, send)
