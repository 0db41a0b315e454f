"""Entry point of the ``spark_stream`` node's streaming job as an AWS Glue streaming job.

On MWAA Serverless a ``spark_stream`` node runs as one run of a Glue job (``gluestreaming``)
whose script is this file, with the ``airloom`` package in ``--extra-py-files``
(:mod:`airloom.workflow.serverless.glue_stream_operator` creates the job and starts its runs).
Each run carries one argument, ``--airloom_stream``: the :class:`StreamRequest` as JSON, data
only. It runs the very function the local node runs,
:func:`airloom.spark.streams.stream_kafka_to_dataset`, with the same ``availableNow`` trigger:
it reads what the topic holds beyond the checkpoint, appends it, and ends by itself. What it
did (rows, malformed) is written as JSON beside the tenant's data, named after Glue's
``--JOB_RUN_ID``, for the task to publish the node's usual outputs. Glue's other arguments are
left alone. It needs no Airflow.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

STREAM_ARGUMENT = "--airloom_stream"
RUN_ID_ARGUMENT = "--JOB_RUN_ID"  # Glue's own, on every run


@dataclass(frozen=True)
class StreamRequest:
    """One bounded run of the streaming job.

    :param label: how errors name the node, e.g. ``node 'transactions'``.
    :param area: the URI of the tenant's lake area: every URI below must lie inside it.
    :param options: the Kafka reader's options (``subscribe``, ``startingOffsets``,
        ``maxOffsetsPerTrigger``, ``kafka.<client setting>``), as the local node passes them.
    :param result_folder: where the run's ``<JOB_RUN_ID>.json`` is written.
    """

    label: str
    area: str
    value_schema: str
    output_uri: str
    checkpoint_uri: str
    result_folder: str
    on_malformed: str = "fail"
    options: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        area = self.area.rstrip("/") + "/"
        for name in ("output_uri", "checkpoint_uri", "result_folder"):
            uri = getattr(self, name)
            if not uri.startswith(area) or ".." in uri.split("/"):
                raise ValueError(f"{self.label}: {name} {uri!r} is outside {self.area!r}")
        if self.on_malformed not in ("fail", "drop"):
            raise ValueError(f"{self.label}: on_malformed {self.on_malformed!r} is unknown")

    def to_argument(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> StreamRequest:
        unknown = sorted(set(document) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"{STREAM_ARGUMENT} has unknown keys {unknown}")
        options = document.get("options") or {}
        if not isinstance(options, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in options.items()
        ):
            raise ValueError(f"{STREAM_ARGUMENT}: options must map text to text")
        return cls(**document)

    def result_uri(self, job_run_id: str) -> str:
        return f"{self.result_folder.rstrip('/')}/{job_run_id}.json"


def parse_arguments(argv: Sequence[str]) -> tuple[StreamRequest, str]:
    """The request and Glue's run id, among Glue's other arguments."""
    parser = argparse.ArgumentParser(prog="airloom-glue-stream", allow_abbrev=False)
    parser.add_argument(STREAM_ARGUMENT, dest="request", required=True)
    parser.add_argument(RUN_ID_ARGUMENT, dest="job_run_id", required=True)
    known, _glues_own = parser.parse_known_args(list(argv))
    document = json.loads(known.request)
    if not isinstance(document, dict):
        raise ValueError(f"{STREAM_ARGUMENT} must be a JSON object")
    return StreamRequest.from_document(document), known.job_run_id


def main(argv: Sequence[str] | None = None) -> int:
    from pyspark.sql import SparkSession

    from airloom.spark.streams import stream_kafka_to_dataset

    request, job_run_id = parse_arguments(sys.argv[1:] if argv is None else argv)
    spark = SparkSession.builder.appName(f"airloom {request.label}").getOrCreate()
    # Same meaning of time as Airloom's local sessions (airloom.spark.session.COMMON_CONF).
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    result = stream_kafka_to_dataset(
        spark,
        options=request.options,
        value_schema=request.value_schema,
        output_uri=request.output_uri,
        checkpoint_uri=request.checkpoint_uri,
        label=request.label,
        on_malformed=request.on_malformed,
    )
    summary = {"rows": result.rows, "batches": result.batches, "malformed": result.malformed}
    _write_text(spark, request.result_uri(job_run_id), json.dumps(summary))
    print(f"appended {result.rows} records to {request.output_uri}")
    return 0


def _write_text(spark: Any, uri: str, text: str) -> None:
    """One small file through Hadoop's FileSystem: S3 on Glue, a folder locally."""
    path = spark._jvm.org.apache.hadoop.fs.Path(uri)
    stream = path.getFileSystem(spark._jsc.hadoopConfiguration()).create(path, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()


if __name__ == "__main__":
    sys.exit(main())
