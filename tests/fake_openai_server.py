"""A real HTTP server on 127.0.0.1 that imitates an OpenAI-compatible chat endpoint.

Set ``server.mode`` (and ``deltas`` / ``delay``) before a request; every request's
path, headers and JSON body are recorded in ``server.requests``.
"""
from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def chunk(text: str | None = None, finish: str | None = None) -> bytes:
    delta = {} if text is None else {"content": text}
    obj = {"id": "x", "object": "chat.completion.chunk",
           "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return b"data: " + json.dumps(obj).encode() + b"\n\n"


class _Handler(BaseHTTPRequestHandler):
    server: FakeOpenAIServer

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        srv = self.server
        srv.requests.append({"path": self.path, "headers": dict(self.headers),
                             "body": json.loads(raw) if raw else None})
        with srv.counting:
            srv.active += 1
            srv.most_active = max(srv.most_active, srv.active)
        try:
            getattr(self, "mode_" + srv.mode)()
        finally:
            with srv.counting:
                srv.active -= 1

    def _start(self, status=200, ctype="text/event-stream", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()

    def _send(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()

    def mode_sse(self):
        self._start()
        self._send(chunk(None))  # role-only first chunk, as OpenAI sends
        for d in self.server.deltas:
            self._send(chunk(d))
        self._send(chunk(None, "stop") + b"data: [DONE]\n\n")

    def mode_error500(self):
        body = json.dumps({"error": {"message": "boom", "type": "server_error"}}).encode()
        self._start(500, "application/json", [("Content-Length", str(len(body)))])
        self._send(body)

    def mode_error404_text(self):
        body = b"<html>Not Found</html>"
        self._start(404, "text/html", [("Content-Length", str(len(body)))])
        self._send(body)

    def mode_garbage(self):
        self._start()
        self._send(chunk("Hello"))
        self._send(b"data: {this is not json\n\n")
        self._send(b"data: [DONE]\n\n")

    def mode_no_choices(self):
        self._start()
        self._send(b'data: {"id": "x", "object": "chat.completion.chunk"}\n\n' + b"data: [DONE]\n\n")

    def mode_no_delta(self):
        self._start()
        self._send(b'data: {"choices": [{"index": 0}]}\n\n' + b"data: [DONE]\n\n")

    def mode_cut(self):  # HTTP/1.0-style close after a few deltas, no [DONE], no finish_reason
        self._start()
        self._send(chunk("The answer") + chunk(" is"))

    def mode_cut_chunked(self):  # chunked body whose connection drops mid-body
        self.protocol_version = "HTTP/1.1"
        self._start(extra=[("Transfer-Encoding", "chunked")])
        data = chunk("The answer")
        self._send(b"%x\r\n" % len(data) + data + b"\r\n")
        self.close_connection = True

    def mode_finish_no_done(self):
        self._start()
        self._send(chunk("Done") + chunk(None, "stop"))

    def mode_slow_headers(self):
        time.sleep(self.server.delay)
        self.mode_sse()

    def mode_hang(self):  # headers and keep-alives, then nothing until the client gives up
        self._start()
        self._send(b": keep-alive\n\n")
        time.sleep(self.server.delay)

    def mode_slow_first(self):  # headers at once, first token late
        self._start()
        self._send(b": keep-alive\n\n")
        time.sleep(self.server.delay)
        self._send(chunk("late") + b"data: [DONE]\n\n")

    def mode_pings(self):  # keep-alive comments, each gap short, but no token for a long time
        self._start()
        for _ in range(15):
            self._send(b": ping\n\n")
            time.sleep(self.server.delay)
        self._send(chunk("late") + b"data: [DONE]\n\n")

    def mode_trickle(self):  # every gap short, the whole answer slow
        self._start()
        for i in range(40):
            self._send(chunk(f"w{i} "))
            time.sleep(self.server.delay)
        self._send(b"data: [DONE]\n\n")

    def mode_json(self):
        body = json.dumps({"id": "x", "object": "chat.completion", "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "Plain JSON answer [1]."},
             "finish_reason": "stop"}]}).encode()
        self._start(200, "application/json", [("Content-Length", str(len(body)))])
        self._send(body)

    def mode_empty(self):
        self._start()
        self._send(chunk(None) + chunk("  ") + chunk(None, "stop") + b"data: [DONE]\n\n")


class FakeOpenAIServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode = "sse"
        self.deltas = ["The ", "answer ", "is ", "42 [1]."]
        self.delay = 0.0
        self.requests: list[dict] = []
        self.counting, self.active, self.most_active = threading.Lock(), 0, 0  # requests worked on at once
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def handle_error(self, request, client_address) -> None:  # client hung up on a slow mode
        pass

    def start(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def dead_port() -> int:
    """A port on 127.0.0.1 with nothing listening."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
