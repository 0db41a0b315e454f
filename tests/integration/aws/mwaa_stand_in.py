"""A stand-in for the MWAA control-plane API, served over HTTP on loopback.

moto (5.2.x) has no MWAA backend, so this speaks the three REST-JSON operations
`airloom deploy` uses (CreateEnvironment, GetEnvironment, UpdateEnvironment) the way botocore
sends them, and records every update so tests can see what the environment was told.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REGION = "eu-west-1"
ACCOUNT = "123456789012"


@dataclass
class MwaaState:
    environments: dict[str, dict[str, Any]] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    state: MwaaState

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def _name(self) -> str | None:
        parts = self.path.split("?")[0].strip("/").split("/")
        return parts[1] if len(parts) == 2 and parts[0] == "environments" else None

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")

    def _reply(self, status: int, body: dict[str, Any], error: str | None = None) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if error:
            self.send_header("x-amzn-ErrorType", error)
        self.end_headers()
        self.wfile.write(payload)

    def _arn(self, name: str) -> str:
        return f"arn:aws:airflow:{REGION}:{ACCOUNT}:environment/{name}"

    def _missing(self, name: str) -> None:
        self._reply(404, {"message": f"Environment {name} not found"}, "ResourceNotFoundException")

    def do_PUT(self) -> None:  # CreateEnvironment
        name = self._name()
        if name is None:
            return self._reply(404, {"message": "unknown path"}, "ValidationException")
        self.state.environments[name] = {
            **self._body(),
            "Name": name,
            "Arn": self._arn(name),
            "Status": "AVAILABLE",
        }
        self._reply(200, {"Arn": self._arn(name)})

    def do_GET(self) -> None:  # GetEnvironment
        name = self._name()
        if name not in self.state.environments:
            return self._missing(str(name))
        self._reply(200, {"Environment": self.state.environments[name]})

    def do_PATCH(self) -> None:  # UpdateEnvironment
        name = self._name()
        if name not in self.state.environments:
            return self._missing(str(name))
        update = self._body()
        self.state.updates.append({"Name": name, **update})
        self.state.environments[name].update(update)
        self._reply(200, {"Arn": self._arn(name)})


@dataclass(frozen=True)
class MwaaStandIn:
    url: str
    state: MwaaState


@contextmanager
def mwaa_stand_in() -> Iterator[MwaaStandIn]:
    state = MwaaState()
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield MwaaStandIn(url=f"http://127.0.0.1:{server.server_port}", state=state)
    finally:
        server.shutdown()
        server.server_close()
