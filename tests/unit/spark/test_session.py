"""spark_session: the master comes from the environment or the Spark connection; Java is checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airloom.spark.java import JavaNotFoundError
from airloom.spark.session import spark_session, spark_target


def test_session_settings_every_job_relies_on(spark) -> None:
    assert spark.sparkContext.master == "local[2]"
    assert spark.conf.get("spark.sql.session.timeZone") == "UTC"
    assert spark.conf.get("spark.sql.execution.arrow.pyspark.enabled") == "true"
    assert spark.sparkContext.uiWebUrl is None  # no UI port opened
    # Tenants' SQL reaches no file by path and no ${…} variable.
    assert spark.conf.get("spark.sql.runSQLOnFiles") == "false"
    assert spark.conf.get("spark.sql.variable.substitute") == "false"


def test_master_and_conf_come_from_the_spark_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRLOOM_SPARK_MASTER")
    assert spark_target("airloom_spark_absent").master == "local[*]"
    connection = {
        "conn_type": "spark",
        "host": "spark://spark-master",
        "port": 7077,
        "extra": {"conf": {"spark.executor.memory": "2g"}},
    }
    monkeypatch.setenv("AIRFLOW_CONN_AIRLOOM_SPARK_TEST", json.dumps(connection))
    target = spark_target("airloom_spark_test")
    assert target.master == "spark://spark-master:7077"
    assert target.conf == {"spark.executor.memory": "2g"}
    assert not target.emr_serverless
    monkeypatch.setenv("AIRLOOM_SPARK_MASTER", "local[1]")
    assert spark_target("airloom_spark_test").master == "local[1]"


def test_missing_java_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(JavaNotFoundError, match="Java 17 or newer is required"):
        spark_session("no-java")
