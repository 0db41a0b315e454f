"""Small servers on loopback that remember every request (or byte) they were sent."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RecordingServer(ThreadingHTTPServer):
    """A threading HTTP server whose ``seen`` lists each request line it parsed (``"GET /x"``)
    and ``headers`` each request's headers."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self.seen: list[str] = []
        self.headers: list[dict[str, str]] = []

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class RecordingHandler(BaseHTTPRequestHandler):
    """Records each parsed request on its server; answers GET with ``{}`` unless overridden."""

    server: RecordingServer

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        if parsed:
            self.server.seen.append(f"{self.command} {self.path}")
            self.server.headers.append(dict(self.headers))
        return parsed

    def do_GET(self) -> None:
        self.send_json(200, {})

    def send_json(
        self, status: int, body: object, headers: Mapping[str, str] | None = None
    ) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def recording_server(
    handler: type[BaseHTTPRequestHandler] = RecordingHandler,
    host: str = "127.0.0.1",
    server_class: type[RecordingServer] = RecordingServer,
) -> Iterator[RecordingServer]:
    """``handler`` served by ``server_class`` on a free port of ``host`` until the block ends."""
    server = server_class((host, 0), handler)
    # A short poll interval: shutdown() waits for one, and tests start many servers.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


class RawListener:
    """A TCP listener that keeps the bytes each accepted connection sent before it closed."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.socket = socket.create_server((host, 0))
        self.socket.settimeout(0.1)
        self.port = self.socket.getsockname()[1]
        self.received: list[bytes] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                if self.stopping.is_set():  # and nothing left waiting in the backlog
                    return
                continue
            with connection:
                connection.settimeout(10)
                chunks = []
                while chunk := connection.recv(4096):
                    chunks.append(chunk)
                self.received.append(b"".join(chunks))

    def stop(self) -> list[bytes]:
        """What each connection sent, once the listener has stopped."""
        self.stopping.set()
        self.thread.join(10)
        self.socket.close()
        return self.received
