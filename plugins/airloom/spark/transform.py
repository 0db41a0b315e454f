"""The one Spark transformation Airloom runs, locally or on EMR Serverless.

A :class:`TransformRequest` names the input datasets, a SQL query or a registered job, and the
output dataset. :func:`run_transform` executes it in a SparkSession: the ``spark_transform``
operator calls it in-process, and on AWS the same request travels as command-line arguments to
:mod:`airloom.spark.entrypoint`, which calls it on EMR. Configuration, not a second code path.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airloom.spark.output import OVERWRITE, write_dataset
from airloom.spark.sql_guard import guard_session

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

QUERY_CHECK = "SELECT * FROM (\n{statement}\n) AS airloom_query"


class SparkTransformError(RuntimeError):
    """A transformation could not run; the message says which node, statement or job, and why.

    :param summary: Spark's own explanation in one line, for the builder's view of the node.
    :param retryable: whether another try could succeed: a statement Spark cannot parse or
        resolve, or a request Airloom refuses, fails the same way every time.
    """

    def __init__(self, message: str, *, summary: str | None = None, retryable: bool = False):
        super().__init__(message)
        self.summary = summary
        self.retryable = retryable


@dataclass(frozen=True)
class TransformRequest:
    """What to compute and where to put it.

    :param output_uri: the output dataset's URI.
    :param inputs: temp-view / job-input name -> input dataset URI.
    :param sql: a query over the inputs' views (exclusive with ``job``).
    :param job: a name registered in :data:`airloom.spark.jobs.JOBS`.
    :param label: who asks, for error messages (e.g. ``node 'features'``).
    """

    output_uri: str
    inputs: Mapping[str, str]
    sql: str | None = None
    job: str | None = None
    job_params: Mapping[str, Any] = field(default_factory=dict)
    mode: str = OVERWRITE
    partition_by: Sequence[str] = ()
    label: str = "spark_transform"

    def __post_init__(self) -> None:
        if (self.sql is None) == (self.job is None):
            raise ValueError("a transform runs exactly one of `sql` or `job`")

    def to_args(self) -> list[str]:
        """Command-line arguments for the entry point (EMR's ``entryPointArguments``)."""
        args = ["--output", self.output_uri, "--mode", self.mode, "--label", self.label]
        for name, uri in self.inputs.items():
            args += ["--input", f"{name}={uri}"]
        if self.sql is not None:
            args += ["--sql", self.sql]
        else:
            args += ["--job", str(self.job), "--job-params", json.dumps(dict(self.job_params))]
        for column in self.partition_by:
            args += ["--partition-by", column]
        return args

    @classmethod
    def from_args(cls, argv: Sequence[str]) -> TransformRequest:
        parser = argparse.ArgumentParser(prog="airloom-spark-transform")
        parser.add_argument("--output", required=True)
        parser.add_argument("--input", action="append", default=[])
        parser.add_argument("--sql")
        parser.add_argument("--job")
        parser.add_argument("--job-params", default="{}")
        parser.add_argument("--mode", default=OVERWRITE)
        parser.add_argument("--partition-by", action="append", default=[])
        parser.add_argument("--label", default="spark_transform")
        ns = parser.parse_args(list(argv))
        inputs = dict(item.split("=", 1) for item in ns.input)
        return cls(
            output_uri=ns.output,
            inputs=inputs,
            sql=ns.sql,
            job=ns.job,
            job_params=json.loads(ns.job_params) if ns.job else {},
            mode=ns.mode,
            partition_by=tuple(ns.partition_by),
            label=ns.label,
        )


def view_name(uri: str) -> str:
    """The name a dataset is known by in SQL and in a job's inputs: its last path segment."""
    return uri.rstrip("/").rpartition("/")[2]


def run_transform(spark: SparkSession, request: TransformRequest) -> str:
    """Run ``request`` and write its result atomically; return the output dataset's URI."""
    from py4j.protocol import Py4JJavaError
    from pyspark.errors import AnalysisException, PySparkException

    frames = _read_inputs(spark, request)
    try:
        if request.sql is not None:
            what = f"the SQL statement\n    {request.sql}\n"
            guard_session(spark)
            for name, frame in frames.items():
                frame.createOrReplaceTempView(name)
            _require_query(spark, request)
            result = spark.sql(request.sql)
        else:
            from airloom.spark.jobs import JobInputError, load_job

            what = f"job {request.job!r} with params {json.dumps(dict(request.job_params))}\n"
            try:
                result = load_job(str(request.job))(spark, frames, dict(request.job_params))
            except JobInputError as exc:
                raise SparkTransformError(f"{request.label}: {exc}") from None
        write_dataset(
            result, request.output_uri, mode=request.mode, partition_by=request.partition_by
        )
    except (AnalysisException, PySparkException, Py4JJavaError) as exc:
        message = _spark_message(exc)
        raise SparkTransformError(
            f"{request.label}: Spark could not run {what}{message}",
            summary=message,
            retryable=not isinstance(exc, AnalysisException),
        ) from None
    finally:
        for name in frames:
            spark.catalog.dropTempView(name)
    return request.output_uri


def _read_inputs(spark: SparkSession, request: TransformRequest) -> dict[str, DataFrame]:
    from pyspark.errors import AnalysisException

    frames = {}
    for name, uri in request.inputs.items():
        try:
            frames[name] = spark.read.parquet(uri)
        except AnalysisException as exc:
            message = _spark_message(exc)
            raise SparkTransformError(
                f"{request.label}: cannot read input dataset {name!r} at {uri}: {message}",
                summary=f"cannot read input dataset {name!r}: {message}",
            ) from None
    return frames


def _require_query(spark: SparkSession, request: TransformRequest) -> None:
    """Refuse anything but one read-only query over the request's inputs.

    Nothing runs here: Spark's parser first (a malformed statement raises its ParseException;
    a command or several statements cannot stand as a subquery), then Airloom's rules for
    tenants' SQL (:func:`airloom.user_sql.spark_query_problem`): only the input views, no
    files, no Java, no scripts.
    """
    from pyspark.errors import ParseException

    from airloom.user_sql import spark_query_problem

    parser = spark._jsparkSession.sessionState().sqlParser()
    parser.parsePlan(request.sql)
    try:
        parser.parsePlan(QUERY_CHECK.format(statement=request.sql))
    except ParseException:
        raise SparkTransformError(
            f"{request.label}: the SQL statement must be a single query (SELECT, WITH … SELECT, "
            f"VALUES), not a command or several statements:\n    {request.sql}"
        ) from None
    problem = spark_query_problem(request.sql, views=request.inputs)
    if problem:
        raise SparkTransformError(
            f"{request.label}: the SQL statement {problem}:\n    {request.sql}"
        )


def _spark_message(exc: BaseException) -> str:
    """Spark's own explanation, without the JVM stack trace."""
    text = str(exc).strip()
    if "\tat " in text:
        text = text.split("\tat ", 1)[0].strip()
    return text[:3000]
