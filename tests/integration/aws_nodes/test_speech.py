"""``polly`` and ``transcribe`` through the builder: text → speech files in S3 → text again.

The AI services are the loopback stand-in (moto's Polly and Transcribe answer canned results
that ignore the audio and never read S3); S3 is moto. The Polly stand-in's "speech" carries its
text in the samples and the Transcribe stand-in hears it back
(:mod:`tests.harness.aws_stand_ins.spoken_text`), so each row's transcript can be asserted
against the row's own text.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from airloom.datasets import read_table
from tests.harness.airflow import load_dag_file, run_dag_object
from tests.harness.aws_stand_ins import spoken_text
from tests.harness.aws_stand_ins.server import REGION, StandIn
from tests.integration.aws_nodes.conftest import AWS_CONN_ID
from tests.integration.builder.specs import node, spec

TRIGGER = "airloom.aws_ai.transcription.TranscriptionJobsEndedTrigger"
TOO_LONG = "Please call me back. " * 150  # 3,150 characters: over Polly's 3,000
GREETING = "Guten Tag, das ist nicht gut"  # what the recording of row t1 says
ROWS = [
    # id, text (for polly → transcribe), recording (for transcribe on its own)
    ("t1", "The order arrived on time", "recordings/greeting.wav"),
    ("t2", "Refund my purchase, please", "FOREIGN"),
    ("t3", TOO_LONG, "recordings/notes.wav"),
    ("t4", "Über naïve café: très bien", None),
    ("t5", "   ", "recordings/missing.wav"),
    ("t6", "Thank you for calling", "recordings/memo.aiff"),
]
SPOKEN = ["t1", "t2", "t4", "t6"]
WHEN = datetime(2026, 12, 1, tzinfo=UTC)  # the run's logical date, to run it again


@dataclass
class InlineTriggers:
    """The triggers ``dag.test()`` ran in the triggerer's place, with the events they gave."""

    runs: list[tuple[str, dict[str, Any] | None]] = field(default_factory=list)
    rebuilt: list[bool] = field(default_factory=list)  # whether each came back from its kwargs


@pytest.fixture
def inline_triggers(monkeypatch: pytest.MonkeyPatch) -> InlineTriggers:
    from airflow.sdk.definitions import dag as dag_module

    seen = InlineTriggers()
    run_trigger: Callable[..., Any] = dag_module._run_inline_trigger

    def watched(trigger: Any, ti: Any) -> Any:
        classpath, kwargs = trigger.serialize()
        # The triggerer rebuilds a trigger from what it serialized: it must come back the same.
        seen.rebuilt.append(type(trigger)(**kwargs).serialize() == (classpath, kwargs))
        event = run_trigger(trigger, ti)
        seen.runs.append((classpath, event.payload if event else None))
        return event

    monkeypatch.setattr(dag_module, "_run_inline_trigger", watched)
    return seen


@pytest.fixture
def s3(moto) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=moto.url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def buckets(s3: Any) -> tuple[str, str]:
    """The tenant's bucket with its recordings, and another tenant's bucket."""
    ours, theirs = f"speech-{uuid.uuid4().hex[:10]}", f"others-{uuid.uuid4().hex[:10]}"
    for bucket in (ours, theirs):
        s3.create_bucket(Bucket=bucket)
    recordings = {
        "recordings/greeting.wav": spoken_text.wav(GREETING),
        "recordings/notes.wav": b"these are meeting notes, not audio",
        "recordings/memo.aiff": spoken_text.wav("an aiff file Transcribe does not take"),
    }
    for key, body in recordings.items():
        s3.put_object(Bucket=ours, Key=f"speech/{key}", Body=body)
    s3.put_object(Bucket=theirs, Key="secret.wav", Body=spoken_text.wav("their secret"))
    return ours, theirs


def _input_rows(lake: Path, tenant: str, ours: str, theirs: str) -> None:
    def recording(path: str | None) -> str | None:
        if path == "FOREIGN":
            return f"s3://{theirs}/secret.wav"
        return f"s3://{ours}/speech/{path}" if path else None

    folder = lake / "tenants" / tenant / "inputs" / "speech"
    folder.mkdir(parents=True, exist_ok=True)
    table = pa.table(
        {
            "id": [row[0] for row in ROWS],
            "text": [row[1] for row in ROWS],
            "recording": [recording(row[2]) for row in ROWS],
        }
    )
    pq.write_table(table, folder / "calls.parquet")


def _design(bucket: str, name: str = "speech") -> dict[str, Any]:
    aws = {"aws_conn_id": AWS_CONN_ID}
    wait = {"waiter_delay": 1, "waiter_max_attempts": 10}
    return spec(
        name,
        nodes=[
            node(
                "ingest",
                "file_ingest",
                {"source": "lake://inputs/speech/*.parquet", "format": "parquet",
                 "dataset": "speech/calls"},
            ),
            node(
                "speak",
                "polly",
                {"text_column": "text", "id_column": "id", "voice_id": "Joanna",
                 "output_format": "pcm", "output_location": f"s3://{bucket}/speech/audio/",
                 "output_dataset": "speech/audio", **aws},
                x=200,
            ),
            node(
                "listen",
                "transcribe",
                {"audio_column": "audio_uri", "language_code": "en-US",
                 "output_location": f"s3://{bucket}/speech/transcripts/",
                 "output_dataset": "speech/heard", "max_concurrent_jobs": 2, **aws, **wait},
                x=400,
            ),
            node(
                "recordings",
                "transcribe",
                {"audio_column": "recording", "identify_language": True,
                 "output_location": f"s3://{bucket}/speech/transcripts/",
                 "output_dataset": "speech/recordings", **aws, **wait},
                x=200,
            ),
        ],
        edges=[
            {"source": "ingest.table", "target": "speak.table"},
            {"source": "speak.table", "target": "listen.table"},
            {"source": "ingest.table", "target": "recordings.table"},
        ],
    )  # fmt: skip


def _rows(lake: Path, tenant: str, dataset: str) -> dict[str, dict[str, Any]]:
    table = read_table((lake / "tenants" / tenant / dataset).as_uri())
    return {row["id"]: row for row in table.to_pylist()}


def _problems(design: Any, tenant: Any, document: dict[str, Any]) -> list[dict[str, Any]]:
    """The builder's problems, each with the param it names (``nodes.1.params.x`` → ``x``)."""
    return [
        {**problem, "param": str(problem["field"]).rsplit(".", 1)[-1]}
        for problem in design.problems(tenant, document)
    ]


def _sent(stand_in: StandIn, operation: str) -> list[dict[str, Any]]:
    return [body for name, body in stand_in.bodies if name == operation]


def test_text_spoken_by_polly_is_heard_back_by_transcribe_row_by_row(
    design, stand_in_calls: StandIn, lake: Path, s3: Any, buckets: tuple[str, str],
    inline_triggers: InlineTriggers,
) -> None:  # fmt: skip
    ours, theirs = buckets
    tenant = design.tenant(connections=(AWS_CONN_ID,), s3={f"s3://{ours}/speech/": AWS_CONN_ID})
    _input_rows(lake, tenant.name, ours, theirs)
    published = design.publish(tenant, _design(ours))
    stand_in_calls.throttle("SynthesizeSpeech", 1)
    stand_in_calls.throttle("StartTranscriptionJob", 1)

    result = run_dag_object(load_dag_file(published.path, published.dag_id), logical_date=WHEN)

    assert result.succeeded, result.task_states
    texts = {row[0]: row[1] for row in ROWS}

    # polly: one WAV per spoken row, named by its id; the others keep their error.
    audio = _rows(lake, tenant.name, "speech/audio")
    assert list(audio) == [row[0] for row in ROWS]  # every row once, in order
    for row_id in SPOKEN:
        assert audio[row_id]["audio_uri"] == f"s3://{ours}/speech/audio/{row_id}.wav"
        assert audio[row_id]["characters"] == len(texts[row_id])
        assert audio[row_id]["error"] is None
    assert audio["t3"]["audio_uri"] is None
    assert audio["t3"]["error"].startswith("TEXT_TOO_LONG: the text has 3150 characters")
    assert audio["t5"]["error"] == "EMPTY: the row has no text to speak"
    stored = s3.list_objects_v2(Bucket=ours, Prefix="speech/audio/")["Contents"]
    assert sorted(item["Key"] for item in stored) == [f"speech/audio/{i}.wav" for i in SPOKEN]
    wav = s3.get_object(Bucket=ours, Key="speech/audio/t4.wav")["Body"].read()
    assert spoken_text.decode_wav(wav)[0] == texts["t4"]  # a WAV file that says the text

    # transcribe after polly: each spoken row's transcript is its own text.
    heard = _rows(lake, tenant.name, "speech/heard")
    assert list(heard) == [row[0] for row in ROWS]
    for row_id in SPOKEN:
        assert heard[row_id]["transcript"] == texts[row_id]
        assert heard[row_id]["language"] == "en-US"
        seconds = 0.05 + 0.025 * len(texts[row_id].encode())
        assert heard[row_id]["duration_s"] == pytest.approx(seconds, abs=0.001)
        assert heard[row_id]["error"] is None
    assert heard["t3"]["transcript"] is None
    assert heard["t3"]["error"].startswith("UPSTREAM_ERROR: TEXT_TOO_LONG")

    # transcribe on the recordings column: identified language, and each bad row's reason.
    recordings = _rows(lake, tenant.name, "speech/recordings")
    assert recordings["t1"]["transcript"] == GREETING
    assert recordings["t1"]["language"] == "de-DE"
    assert recordings["t1"]["error"] is None
    assert recordings["t2"]["error"] == (
        f"NOT_GRANTED: s3://{theirs}/secret.wav is not under an S3 location granted to "
        f"tenant {tenant.name!r}"
    )
    assert recordings["t3"]["error"] == (
        "TRANSCRIPTION_FAILED: The media format could not be decoded"
    )
    assert recordings["t4"]["error"] == "EMPTY: the row names no object"
    assert recordings["t5"]["error"].startswith(
        "TRANSCRIPTION_FAILED: The S3 URI that you provided can't be accessed"
    )
    assert recordings["t6"]["error"].startswith("UNSUPPORTED_FORMAT: ")
    assert all(recordings[i]["transcript"] is None for i in ("t2", "t3", "t4", "t5", "t6"))

    # Nothing was sent for a refused row; each throttled call was retried.
    assert [body["Text"] for body in _sent(stand_in_calls, "SynthesizeSpeech")] == [
        texts["t1"], texts["t1"], texts["t2"], texts["t4"], texts["t6"],
    ]  # fmt: skip
    media = [
        body["Media"]["MediaFileUri"] for body in _sent(stand_in_calls, "StartTranscriptionJob")
    ]
    assert len(media) == 4 + 3 + 1  # spoken rows, readable-looking recordings, one throttled
    assert not any(theirs in uri for uri in media)
    assert stand_in_calls.calls["DescribeVoices"] == 1
    speak_usage = result.xcoms["speak"]["usage"][0]
    assert speak_usage["retries"] == 1
    assert speak_usage["units"] == sum(len(texts[i]) for i in SPOKEN)
    assert speak_usage["failed_rows"] == 2
    listen_usage = result.xcoms["listen"]["usage"][0]
    assert listen_usage["unit"] == "second"
    assert listen_usage["units"] == 15 * len(SPOKEN)  # each file under 15 s: the minimum
    assert result.xcoms["recordings"]["failed_rows"] == 5

    # Both transcribe nodes waited in the triggerer, on Airloom's trigger, until their jobs
    # ended: the recordings' three jobs in one wave, the spoken rows' four in two waves of two.
    assert [classpath for classpath, _ in inline_triggers.runs] == [TRIGGER] * 3
    assert [len(event["job_names"]) for _, event in inline_triggers.runs] == [3, 2, 2]
    assert all(event["status"] == "success" for _, event in inline_triggers.runs)
    assert all(inline_triggers.rebuilt)

    # The same run again (cleared, as in the UI): each row's audio file is written over, and
    # the jobs the first run started are met again (ConflictException), not paid for twice.
    jobs = len(stand_in_calls.state["transcribe_jobs"])
    stand_in_calls.reset()
    again = run_dag_object(load_dag_file(published.path, published.dag_id), logical_date=WHEN)
    assert again.succeeded, again.task_states
    assert again.run_id == result.run_id
    assert stand_in_calls.calls["StartTranscriptionJob"] == 4 + 3
    assert len(stand_in_calls.state["transcribe_jobs"]) == jobs
    assert _rows(lake, tenant.name, "speech/audio") == audio
    assert _rows(lake, tenant.name, "speech/heard") == heard
    assert _rows(lake, tenant.name, "speech/recordings") == recordings
    stored = s3.list_objects_v2(Bucket=ours, Prefix="speech/audio/")["Contents"]
    assert sorted(item["Key"] for item in stored) == [f"speech/audio/{i}.wav" for i in SPOKEN]


def test_a_tenant_without_the_connection_or_the_location_gets_problems_naming_them(
    design, stand_in: StandIn
) -> None:
    bucket = f"speech-{uuid.uuid4().hex[:10]}"
    document = _design(bucket)

    no_connection = design.tenant(s3={f"s3://{bucket}/speech/": AWS_CONN_ID})
    found = {
        (p["nodeId"], p["param"], p["code"]) for p in _problems(design, no_connection, document)
    }
    for node_id in ("speak", "listen", "recordings"):
        assert (node_id, "aws_conn_id", "NOT_GRANTED") in found

    no_location = design.tenant(
        connections=(AWS_CONN_ID,), s3={f"s3://{bucket}/other/": AWS_CONN_ID}
    )
    problems = _problems(design, no_location, document)
    found = {(p["nodeId"], p["param"], p["code"]) for p in problems}
    for node_id in ("speak", "listen", "recordings"):
        assert (node_id, "output_location", "NOT_GRANTED") in found
    assert not any(p["param"] == "aws_conn_id" for p in problems)
    message = next(p["message"] for p in problems if p["nodeId"] == "speak")
    assert f"s3://{bucket}/speech/audio/" in message and "ask an admin to grant it" in message
