"""Why a node failed, in one line, and whether trying again could change that.

Every Airloom operator records a failure's summary as an XCom under :data:`ERROR_KEY`
(``{"summary", "type", "retryable"}``), so the workflow builder can show it beside the node
through Airflow's REST API; the full traceback stays in the task's log. A failure that no retry
can fix (the design, a name it holds or the SQL it runs is wrong) fails the task at once,
instead of repeating the same error after each retry delay.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

ERROR_KEY = "airloom_error"
MAX_SUMMARY = 500

# Failures that a later try would meet again. Named rather than imported: a DAG file parses
# without pyspark, sqlglot or mlflow, and recording a failure imports nothing new.
PERMANENT_ERRORS = frozenset(
    {
        # the node's params, names and data contracts
        "airloom.catalog.params.NodeConfigError",
        "airloom.lake.InvalidDatasetName",
        "airloom.quality.engine.QualitySpecError",
        "airloom.ingest.records.RecordSchemaError",
        "airloom.spark.jobs.JobInputError",
        "airloom.ml.estimators.UnknownEstimatorError",
        "airloom.ml.estimators.HyperparameterError",
        # what the tenant may reach
        "airloom.tenancy.rules.TenantAccessDenied",
        "airloom.ingest.http_guard.AddressRefused",
        # models that are not there
        "airloom.spark.scoring.ModelNotFoundError",
        "airloom.ml.registry.ModelVersionNotFound",
        # SQL that does not parse or does not fit its tables (ParseException is an
        # AnalysisException)
        "pyspark.errors.exceptions.base.AnalysisException",
        "sqlglot.errors.SqlglotError",
    }
)
# MLflow's error code for a model, version or run that does not exist.
MISSING_RESOURCE = frozenset({"RESOURCE_DOES_NOT_EXIST"})
# A DB-API driver's error for a statement the database refuses (syntax, unknown table); its
# OperationalError (lost connection, timeout) may pass.
REFUSED_STATEMENT = "ProgrammingError"
# A line of a stack trace, Python's or the JVM's: never a summary.
TRACE_LINE = re.compile(
    r'^(at [\w$.<>]+\(|Traceback \(most recent call last\)|File ".*", line \d+)'
)


@dataclass(frozen=True)
class NodeFailure:
    """What the builder shows of a failed try."""

    summary: str
    type: str
    retryable: bool

    def as_xcom(self) -> dict[str, Any]:
        return asdict(self)


def describe(exc: BaseException) -> NodeFailure:
    return NodeFailure(summary(exc), type(exc).__name__, not permanent(exc))


def summary(exc: BaseException) -> str:
    """One line a designer can act on: the error's own message, never a stack trace.

    An exception may say it better than its message does with a ``summary`` attribute (a
    Spark error wrapped with the node's statement carries Spark's own explanation).
    """
    own = getattr(exc, "summary", None)
    text = own if isinstance(own, str) and own.strip() else str(exc)
    return first_line(text) or type(exc).__name__


def first_line(text: str) -> str:
    """The first line that says something, clipped; a JVM trace's frames never qualify."""
    for line in text.splitlines():
        line = line.strip()
        if line and not TRACE_LINE.match(line):
            return line if len(line) <= MAX_SUMMARY else f"{line[: MAX_SUMMARY - 1]}…"
    return ""


def permanent(exc: BaseException) -> bool:
    """Whether retrying cannot help: the error, or an error it was raised from, is one of
    :data:`PERMANENT_ERRORS`, a missing MLflow resource, or a statement the database refused.

    An exception decides for itself with a ``retryable`` attribute.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        retryable = getattr(current, "retryable", None)
        if isinstance(retryable, bool):
            return not retryable
        names = {f"{cls.__module__}.{cls.__qualname__}" for cls in type(current).__mro__}
        if names & PERMANENT_ERRORS:
            return True
        if getattr(current, "error_code", None) in MISSING_RESOURCE:
            return True
        if any(cls.__name__ == REFUSED_STATEMENT for cls in type(current).__mro__):
            return True
        current = current.__cause__
    return False
