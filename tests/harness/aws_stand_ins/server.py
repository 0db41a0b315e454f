"""The stand-in server: routing, AWS error answers, throttling on demand, a log of calls."""

from __future__ import annotations

import importlib
import json
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

import boto3

from tests.harness.http_servers import RecordingServer, recording_server

# Service modules of this package; each defines TARGETS and/or ROUTES (see register()).
SERVICES = (
    "comprehend",
    "translate",
    "textract",
    "rekognition",
    "transcribe",
    "polly",
    "bedrock",
    "glue",
    "mwaa_serverless",
    "sagemaker_training",
)
REGION = "us-east-1"
ACCOUNT = "123456789012"


class AwsError(Exception):
    """An error answer as the service sends it: ``__type`` code, message, HTTP status, and
    the error shape's own members where the service's model has some (``Reason`` …)."""

    def __init__(
        self, code: str, message: str, status: int = 400, fields: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status
        self.fields = fields or {}


@dataclass(frozen=True)
class Reply:
    """A non-JSON answer (audio for Polly): body bytes and headers."""

    body: bytes
    headers: dict[str, str]


# A JSON-protocol handler: (stand-in, request body) -> answer body.
Handler = Callable[["StandIn", dict[str, Any]], Any]
# A REST-JSON handler: (stand-in, path match, request body, query) -> answer body or Reply.
RouteHandler = Callable[["StandIn", "re.Match[str]", dict[str, Any], dict[str, str]], Any]


class StandIn(RecordingServer):
    """The server, and what tests steer and read."""

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self.targets: dict[str, Handler] = {}
        self.routes: list[tuple[str, re.Pattern[str], str, RouteHandler]] = []
        self.calls: Counter[str] = Counter()
        self.bodies: list[tuple[str, dict[str, Any]]] = []
        self.state: dict[str, Any] = {}  # services' own state (async jobs …)
        self._throttle: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.moto_url: str | None = None

    # -- what tests steer ------------------------------------------------------------------

    def throttle(self, operation: str, times: int = 1) -> None:
        """The next ``times`` calls of ``operation`` (e.g. ``BatchDetectSentiment``) answer
        ``ThrottlingException``, as a service over its rate does."""
        with self._lock:
            self._throttle[operation] += times

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.bodies.clear()
            self._throttle.clear()

    def s3(self) -> Any:
        """A client of the moto server holding the objects requests name."""
        if self.moto_url is None:
            raise AwsError("InternalServerException", "the stand-in was given no S3", 500)
        return boto3.client(
            "s3",
            endpoint_url=self.moto_url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def read_object(
        self, bucket: str, key: str, missing: str = "InvalidS3ObjectException"
    ) -> bytes:
        """An object's bytes; a missing one answers the service's own error code."""
        try:
            return self.s3().get_object(Bucket=bucket, Key=key)["Body"].read()
        except self.s3().exceptions.NoSuchKey:
            raise AwsError(missing, f"Unable to get object metadata from S3: {key}") from None
        except self.s3().exceptions.NoSuchBucket:
            raise AwsError(missing, f"The bucket {bucket} does not exist") from None

    # -- serving ---------------------------------------------------------------------------

    def answer(self, operation: str, call: Callable[[], Any]) -> Any:
        with self._lock:
            self.calls[operation] += 1
            if self._throttle[operation] > 0:
                self._throttle[operation] -= 1
                raise AwsError("ThrottlingException", "Rate exceeded")
        return call()


class _Handler(BaseHTTPRequestHandler):
    server: StandIn

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError:
            body = {}
        try:
            result = self._dispatch(body)
        except AwsError as error:
            self._send(
                error.status,
                json.dumps(
                    {"__type": error.code, "message": error.message, **error.fields}
                ).encode(),
                {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": error.code},
            )
            return
        if isinstance(result, Reply):
            self._send(200, result.body, result.headers)
        else:
            self._send(200, json.dumps(result).encode(), {"Content-Type": "application/json"})

    def _dispatch(self, body: dict[str, Any]) -> Any:
        target = self.headers.get("X-Amz-Target")
        if target:
            handler = self.server.targets.get(target)
            if handler is None:
                raise AwsError("UnknownOperationException", f"no operation {target}")
            operation = target.rsplit(".", 1)[-1]
            self.server.bodies.append((operation, body))
            return self.server.answer(operation, lambda: handler(self.server, body))
        path, _, query_text = self.path.partition("?")
        query = dict(pair.split("=", 1) for pair in query_text.split("&") if "=" in pair)
        for method, pattern, operation, route in self.server.routes:
            match = pattern.fullmatch(path)
            if method == self.command and match:
                self.server.bodies.append((operation, body))
                return self.server.answer(
                    operation, lambda r=route, m=match: r(self.server, m, body, query)
                )
        raise AwsError("UnknownOperationException", f"no route {self.command} {path}", 404)

    def _send(self, status: int, payload: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


def register(server: StandIn) -> None:
    """Every service module's operations: ``TARGETS`` (``X-Amz-Target`` → handler) and
    ``ROUTES`` (``(method, path regex, operation name, handler)``)."""
    for name in SERVICES:
        try:
            module = importlib.import_module(f"tests.harness.aws_stand_ins.{name}")
        except ModuleNotFoundError as missing:
            if missing.name != f"tests.harness.aws_stand_ins.{name}":
                raise
            continue  # a service not served (yet)
        server.targets.update(getattr(module, "TARGETS", {}))
        for method, path, operation, handler in getattr(module, "ROUTES", ()):
            server.routes.append((method, re.compile(path), operation, handler))


@contextmanager
def aws_stand_in(moto_url: str | None = None) -> Iterator[StandIn]:
    """The stand-in on a free loopback port, reading objects from ``moto_url``'s S3."""
    with recording_server(_Handler, server_class=StandIn) as server:
        assert isinstance(server, StandIn)
        server.moto_url = moto_url
        register(server)
        yield server


def aws_connection(moto_url: str, stand_in_url: str) -> dict[str, Any]:
    """An Airflow AWS connection: moto for what it implements (S3, Kinesis, IAM …), the
    stand-in for the AI services and Glue job runs, through the provider's per-service
    ``service_config``."""
    stand_in = {"endpoint_url": stand_in_url}
    return {
        "conn_type": "aws",
        "login": "testing",
        "password": "testing",
        "extra": {
            "region_name": REGION,
            "endpoint_url": moto_url,
            "service_config": {
                service: stand_in
                for service in (
                    "comprehend",
                    "translate",
                    "textract",
                    "rekognition",
                    "transcribe",
                    "polly",
                    "bedrock-runtime",
                    "glue",  # moto keeps Glue jobs but never runs their scripts
                    "mwaa-serverless",  # moto has no MWAA Serverless
                    "sagemaker",  # training jobs only: moto keeps them but never runs one
                )
            },
        },
    }
