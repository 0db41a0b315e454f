"""Kinesis throttling and partial failures, which moto never answers: a loopback proxy in front
of moto passes every call through, except that it answers chosen calls as Kinesis does when a
shard is over its limits. A throttled GetRecords is retried and the run still lands every
record; a PutRecords that fails some records has only those sent again.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from airloom.aws_ai.clients import retry_config
from airloom.datasets import read_table
from airloom.ingest.kinesis_ingestion import KinesisIngestion
from airloom.ingest.kinesis_publishing import OutgoingRecord, PublishTally, calls, put_all
from airloom.ingest.records import RecordSchema
from tests.harness.http_servers import RecordingHandler, RecordingServer, recording_server

THROTTLED = "ProvisionedThroughputExceededException"
SCHEMA = {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}


class ShardLimitServer(RecordingServer):
    """Forwards to moto; ``throttle[operation]`` calls are answered as throttled, and
    ``fail_first_record`` PutRecords calls fail their first record (the rest go to moto)."""

    moto_url = ""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.throttle: dict[str, int] = {}
        self.fail_first_record = 0
        self.operations: list[str] = []


class ShardLimitHandler(RecordingHandler):
    server: ShardLimitServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        operation = self.headers["X-Amz-Target"].split(".", 1)[1]
        self.server.operations.append(operation)
        if self.server.throttle.get(operation, 0) > 0:
            self.server.throttle[operation] -= 1
            self.send_json(400, {"__type": THROTTLED, "message": "Rate exceeded for shard"})
            return
        if operation == "PutRecords" and self.server.fail_first_record > 0:
            self.server.fail_first_record -= 1
            request = json.loads(body)
            request["Records"] = request["Records"][1:]
            status, answer = self.forward(json.dumps(request).encode())
            answer = json.loads(answer)
            answer["Records"].insert(0, {"ErrorCode": THROTTLED, "ErrorMessage": "Rate exceeded"})
            answer["FailedRecordCount"] = answer.get("FailedRecordCount", 0) + 1
            self.send_json(status, answer)
            return
        status, answer = self.forward(body)
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def forward(self, body: bytes) -> tuple[int, bytes]:
        headers = {k: v for k, v in self.headers.items() if k.lower().startswith("x-amz-")}
        headers["Content-Type"] = self.headers["Content-Type"]
        headers["Authorization"] = self.headers["Authorization"]
        request = urllib.request.Request(self.server.moto_url, body, headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


@pytest.fixture
def proxy(moto) -> Iterator[ShardLimitServer]:
    ShardLimitServer.moto_url = moto.url
    with recording_server(ShardLimitHandler, server_class=ShardLimitServer) as server:
        yield server


def client(url: str) -> Any:
    return boto3.client(
        "kinesis",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=retry_config(),
    )


def test_a_throttled_read_is_retried_and_a_partly_failed_put_resends_only_its_failures(
    proxy: ShardLimitServer, tmp_path: Path
) -> None:
    kinesis = client(proxy.url)
    stream = f"t{uuid.uuid4().hex[:10]}.events"
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    records = [OutgoingRecord(json.dumps({"id": i}).encode(), f"k{i}", i) for i in range(6)]
    proxy.fail_first_record = 1
    tally = PublishTally()
    for group in calls(records):
        put_all(kinesis, stream, group, tally, backoff=0.01)
    assert [op for op in proxy.operations if op == "PutRecords"] == ["PutRecords"] * 2
    assert (tally.records, tally.calls, tally.resent) == (6, 2, 1)

    proxy.throttle["GetRecords"] = 1
    summary = KinesisIngestion(
        kinesis,
        stream=stream,
        record_schema=RecordSchema(SCHEMA),
        dataset_uri=f"{tmp_path.as_uri()}/events",
        quarantine_uri=f"{tmp_path.as_uri()}/events_quarantine",
        max_records=1000,
        max_seconds=30,
    ).run()

    assert summary.retries == 1 and summary.written == 6
    landed = read_table(f"{tmp_path.as_uri()}/events").to_pylist()
    # Row 0 was resent after the others: it is last in the shard, and there once.
    assert [row["id"] for row in landed] == [1, 2, 3, 4, 5, 0]
    assert proxy.operations.count("GetRecords") >= 2
