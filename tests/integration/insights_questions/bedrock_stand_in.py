"""A loopback stand-in for Amazon Bedrock Runtime's Converse operation (moto has none).

It speaks the REST/JSON protocol botocore's service model describes: ``POST
/model/{modelId}/converse`` with a SigV4-signed JSON body, answered with a ConverseResponse whose
message holds a toolUse block, or with an error as AWS sends one (the status, the error type in
``x-amzn-ErrorType``, ``{"message": …}``). Answers are scripted; every request is kept.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import unquote

from tests.harness.http_servers import RecordingHandler, RecordingServer, recording_server


@dataclass(frozen=True)
class ToolAnswer:
    """The model calls the tool ``tool`` with ``input`` (or answers in words when text), after
    ``delay_s`` seconds (longer than the client waits: a timeout)."""

    input: object = None
    tool: str = "structured_query"
    text: str | None = None
    delay_s: float = 0.0


@dataclass(frozen=True)
class ErrorAnswer:
    """Bedrock refuses the call, e.g. 429 ThrottlingException or 403 AccessDeniedException."""

    status: int
    error_type: str
    message: str = "scripted error"


Reply = ToolAnswer | ErrorAnswer


@dataclass(frozen=True)
class ConverseCall:
    model_id: str
    body: dict[str, Any]
    headers: dict[str, str]


class BedrockStandIn(RecordingServer):
    """The stand-in server: ``script`` answers calls in turn, then ``otherwise`` answers."""

    def __init__(self, address: tuple[str, int], handler: type[RecordingHandler]) -> None:
        super().__init__(address, handler)
        self.script: list[Reply] = []
        self.otherwise: Reply = ErrorAnswer(400, "ValidationException", "nothing scripted")
        self.calls: list[ConverseCall] = []
        self._lock = threading.Lock()

    def answer(self, *replies: Reply, otherwise: Reply | None = None) -> None:
        """Script the next replies (and the one after them) and forget earlier calls."""
        with self._lock:
            self.script = list(replies)
            self.calls = []
            if otherwise is not None:
                self.otherwise = otherwise

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out has hung up before a delayed answer: expected, not news.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def next_reply(self, call: ConverseCall) -> Reply:
        with self._lock:
            self.calls.append(call)
            return self.script.pop(0) if self.script else self.otherwise


class ConverseHandler(RecordingHandler):
    server: BedrockStandIn

    def do_POST(self) -> None:
        parts = self.path.split("/")
        if len(parts) != 4 or parts[1] != "model" or parts[3] != "converse":
            self.send_json(404, {"message": f"no such operation: {self.path}"})
            return
        # botocore signs for the service "bedrock"; an unsigned request is refused as AWS does.
        authorization = self.headers.get("Authorization", "")
        if not authorization.startswith("AWS4-HMAC-SHA256") or "/bedrock/aws4_request" not in (
            authorization
        ):
            self._error(ErrorAnswer(403, "UnrecognizedClientException", "request not signed"))
            return
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        call = ConverseCall(unquote(parts[2]), body, dict(self.headers))
        reply = self.server.next_reply(call)
        if isinstance(reply, ErrorAnswer):
            self._error(reply)
            return
        time.sleep(reply.delay_s)
        if reply.text is not None:
            content: list[dict[str, Any]] = [{"text": reply.text}]
        else:
            tool_use = {"toolUseId": "tooluse_standin", "name": reply.tool, "input": reply.input}
            content = [{"toolUse": tool_use}]
        self.send_json(
            200,
            {
                "output": {"message": {"role": "assistant", "content": content}},
                "stopReason": "end_turn" if reply.text is not None else "tool_use",
                "usage": {"inputTokens": 100, "outputTokens": 20, "totalTokens": 120},
                "metrics": {"latencyMs": 5},
            },
        )

    def _error(self, error: ErrorAnswer) -> None:
        self.send_json(
            error.status,
            {"message": error.message},
            headers={"x-amzn-ErrorType": f"{error.error_type}:http://internal.amazon.com/"},
        )


@contextmanager
def bedrock_stand_in() -> Iterator[BedrockStandIn]:
    """The stand-in on a free loopback port until the block ends."""
    with recording_server(ConverseHandler, server_class=BedrockStandIn) as server:
        yield cast(BedrockStandIn, server)
