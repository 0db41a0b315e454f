"""A failed node explains itself in one line, and fails at once when no retry could help."""

from __future__ import annotations

import importlib
import sqlite3
from datetime import timedelta
from typing import Any

import pytest
from airflow.sdk import DAG
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException, AirflowTaskTimeout
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import RESOURCE_DOES_NOT_EXIST, TEMPORARILY_UNAVAILABLE
from pyspark.errors.exceptions.base import AnalysisException, ParseException
from sqlglot.errors import ParseError

from airloom.catalog import NodeConfigError, NodeParams, ParamProblem
from airloom.ingest.sql_source import SqlIngestError
from airloom.operators.base import AirloomOperator
from airloom.operators.failures import (
    ERROR_KEY,
    MAX_SUMMARY,
    PERMANENT_ERRORS,
    describe,
    permanent,
    summary,
)
from airloom.spark.transform import SparkTransformError
from airloom.tenancy import TenantAccessDenied

SPARK_MESSAGE = (
    "[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function parameter with name "
    "`amout` cannot be resolved. Did you mean one of the following? [`amount`, `id`]. "
    "SQLSTATE: 42703; line 1 pos 7;"
)


def raised_from(error: BaseException, cause: BaseException) -> BaseException:
    try:
        raise error from cause
    except BaseException as caught:  # noqa: BLE001 - the raised error is the test's subject
        return caught


def test_the_summary_is_the_errors_own_first_line_never_a_trace() -> None:
    wrapped = SparkTransformError(
        f"node 'clean': Spark could not run the SQL statement\n    SELECT amout FROM raw\n"
        f"{SPARK_MESSAGE}\n'Project ['amout]\n\tat org.apache.spark.sql.Dataset.ofRows(X.scala:1)",
        summary=f"{SPARK_MESSAGE}\n'Project ['amout]",
    )
    assert summary(wrapped) == SPARK_MESSAGE
    jvm = RuntimeError("\tat org.apache.spark.Foo.bar(Foo.java:12)\n\njava.io.IOException: disk")
    assert summary(jvm) == "java.io.IOException: disk"
    assert summary(ValueError("File 'a.csv' has no header")) == "File 'a.csv' has no header"
    assert summary(KeyError()) == "KeyError"
    long = summary(ValueError("x" * 2000))
    assert len(long) == MAX_SUMMARY and long.endswith("…")


@pytest.mark.parametrize(
    "error",
    [
        NodeConfigError("clean", [ParamProblem("sql", "is empty")]),
        TenantAccessDenied("outside the tenant's area"),
        AnalysisException(message=SPARK_MESSAGE),
        ParseException(message="[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'."),
        ParseError("Invalid expression / Unexpected token"),
        MlflowException("Registered Model 'churn' not found", error_code=RESOURCE_DOES_NOT_EXIST),
        SparkTransformError("node 'clean': the SQL statement reads table 'other'"),
        raised_from(SqlIngestError("the statement failed"), sqlite3.ProgrammingError("syntax")),
    ],
    ids=lambda error: type(error).__name__,
)
def test_errors_no_retry_can_fix(error: BaseException) -> None:
    assert permanent(error)
    assert describe(error).retryable is False


@pytest.mark.parametrize(
    "error",
    [
        ConnectionError("broker went away"),
        TimeoutError("the statement ran out of time"),
        SparkTransformError("the executor was lost", retryable=True),
        raised_from(SqlIngestError("the statement failed"), sqlite3.OperationalError("locked")),
        MlflowException("the tracking server answered 503", error_code=TEMPORARILY_UNAVAILABLE),
    ],
    ids=lambda error: type(error).__name__,
)
def test_errors_a_retry_may_fix(error: BaseException) -> None:
    assert not permanent(error)


def test_every_permanent_error_is_a_class_that_exists() -> None:
    for name in PERMANENT_ERRORS:
        module, _, attribute = name.rpartition(".")
        found = getattr(importlib.import_module(module), attribute)
        assert isinstance(found, type) and issubclass(found, BaseException), name


# -- the operator records the summary and fails at once --------------------------------------


class Params(NodeParams):
    pass


class Failing(AirloomOperator):
    node_type = "test_failing"
    params_model = Params

    def __init__(self, *, error: BaseException, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error

    def run(self, params: Any, inputs: Any, context: Any) -> dict[str, Any]:
        raise self.error


class TaskInstance:
    """Where a task pushes XCom (Airflow's RuntimeTaskInstance in a real run)."""

    def __init__(self) -> None:
        self.xcoms: dict[str, Any] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcoms[key] = value


def execute(error: BaseException) -> tuple[BaseException, dict[str, Any]]:
    with DAG("failing", schedule=None):
        task = Failing(task_id="clean", error=error, retries=3)
    ti = TaskInstance()
    with pytest.raises(BaseException) as raised:
        task.execute({"ti": ti})
    return raised.value, ti.xcoms


def test_a_permanent_failure_fails_without_retries_and_says_why() -> None:
    error = SparkTransformError("node 'clean': Spark could not run …", summary=SPARK_MESSAGE)
    raised, xcoms = execute(error)
    assert isinstance(raised, AirflowFailException)
    assert str(raised) == SPARK_MESSAGE
    assert raised.__cause__ is error  # the log keeps the whole story
    assert xcoms == {
        ERROR_KEY: {"summary": SPARK_MESSAGE, "type": "SparkTransformError", "retryable": False}
    }


def test_a_transient_failure_is_raised_as_it_is_for_airflow_to_retry() -> None:
    error = ConnectionError("broker went away")
    raised, xcoms = execute(error)
    assert raised is error
    assert xcoms[ERROR_KEY]["retryable"] is True


def test_a_skip_is_no_failure() -> None:
    raised, xcoms = execute(AirflowSkipException("nothing new"))
    assert isinstance(raised, AirflowSkipException)
    assert xcoms == {}


def test_a_timeout_says_how_long_the_node_had() -> None:
    with DAG("slow", schedule=None):
        task = Failing(
            task_id="clean", error=AirflowTaskTimeout(), execution_timeout=timedelta(seconds=30)
        )
    ti = TaskInstance()
    with pytest.raises(AirflowTaskTimeout):
        task.execute({"ti": ti})
    assert ti.xcoms[ERROR_KEY] == {
        "summary": "the node ran longer than its timeout of 30 s",
        "type": "AirflowTaskTimeout",
        "retryable": True,
    }
