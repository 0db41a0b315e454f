"""HTTP Basic authentication in front of a loopback server, as an MLflow behind an
authenticating proxy asks of its clients.

Every request must carry one of ``users``' login and password: it is then forwarded to the
upstream server and its answer returned; otherwise it gets 401 and never reaches upstream.
The proxy records who made each accepted request, so a test can tell whose credentials a
process really used.
"""

from __future__ import annotations

import base64
import http.client
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}


@dataclass
class BasicAuthProxy:
    url: str
    users: Mapping[str, str]
    accepted: list[str] = field(default_factory=list)  # the login of each request let through
    refused: int = 0

    def logins(self) -> set[str]:
        return set(self.accepted)

    def reset(self) -> None:
        self.accepted.clear()
        self.refused = 0


def _handler(proxy: BasicAuthProxy, upstream: str) -> type[BaseHTTPRequestHandler]:
    target = urlsplit(upstream)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _login(self) -> str | None:
            scheme, _, token = (self.headers.get("Authorization") or "").partition(" ")
            if scheme.lower() != "basic":
                return None
            try:
                login, _, password = base64.b64decode(token).decode().partition(":")
            except ValueError:
                return None
            return login if proxy.users.get(login) == password else None

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            login = self._login()
            if login is None:
                with lock:
                    proxy.refused += 1
                message = b"401 Unauthorized: HTTP Basic credentials required"
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="mlflow"')
                self.send_header("Content-Length", str(len(message)))
                self.end_headers()
                self.wfile.write(message)
                return
            with lock:
                proxy.accepted.append(login)
            headers = {
                k: v
                for k, v in self.headers.items()
                if k.lower() not in _HOP_BY_HOP | {"host", "authorization", "content-length"}
            }
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=300)
            try:
                connection.request(self.command, self.path, body=body or None, headers=headers)
                answer = connection.getresponse()
                data = answer.read()
            finally:
                connection.close()
            self.send_response(answer.status)
            for key, value in answer.getheaders():
                if key.lower() not in _HOP_BY_HOP | {"content-length"}:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

    return Handler


@contextmanager
def basic_auth_proxy(upstream: str, users: Mapping[str, str]) -> Iterator[BasicAuthProxy]:
    """A proxy on a free loopback port in front of ``upstream``, accepting only ``users``."""
    proxy = BasicAuthProxy(url="", users=dict(users))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(proxy, upstream))
    server.daemon_threads = True
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="basic-auth proxy", daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
