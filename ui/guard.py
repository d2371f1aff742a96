"""Small holes closed at the HTTP edge of `rag serve`, as one ASGI middleware.

* Uploads are off unless the page offers them (``rag serve`` on loopback, or ``--allow-upload``):
  ``/gradio_api/upload`` then answers 403 (nothing is written to disk by an unauthenticated
  client); when on, an upload request may be up to ``max_upload`` bytes.
* Request bodies are capped at ``MAX_BODY`` bytes (413 before any of it is read): a question is a
  few hundred bytes, and a 5 MB malformed request was echoed whole into the log.
* Gradio's ``/monitoring`` dashboard is off (``enable_monitoring=False`` at launch; it printed
  its URL and key on the console), and answered 404 here too.
"""
from __future__ import annotations

import json

MAX_BODY = 1 << 20  # 1 MiB
_UPLOAD_PATHS = ("/gradio_api/upload", "/upload")
_MONITORING = ("/monitoring", "/gradio_api/monitoring")


async def reply_json(send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class Guard:
    def __init__(self, app, max_body: int = MAX_BODY, *, uploads: bool = False, max_upload: int = MAX_BODY):
        self.app = app
        self.max_body = max_body
        self.uploads = uploads
        self.max_upload = max_upload

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        limit = self.max_body
        if path.rstrip("/") in _UPLOAD_PATHS:
            if not self.uploads:
                return await reply_json(send, 403, "uploads are off on this server")
            limit = self.max_upload
        if any(path == p or path.startswith(p + "/") for p in _MONITORING):
            return await reply_json(send, 404, "not found")
        length = dict(scope.get("headers") or []).get(b"content-length")
        try:
            too_big = length is not None and int(length) > limit
        except ValueError:
            return await reply_json(send, 400, "bad Content-Length")
        if too_big:
            return await reply_json(send, 413, f"request body over {limit} bytes")
        return await self.app(scope, receive, send)
