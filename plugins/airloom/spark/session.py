"""One way to get a SparkSession, in a task, a test or a benchmark.

The master comes from the ``AIRLOOM_SPARK_MASTER`` environment variable (tests pin it, e.g.
``local[2]``), else from the optional Spark connection ``airloom_spark`` (its host, plus its
port for ``spark://`` masters), else ``local[*]``. The connection's ``conf`` extra adds Spark
settings; its ``deploy_mode`` extra (``emr-serverless``) sends jobs to AWS instead, see
:mod:`airloom.spark.emr_serverless`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airloom.spark.java import require_java
from airloom.spark.sql_guard import USER_SQL_CONF

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SPARK_CONN_ID = "airloom_spark"
MASTER_ENV = "AIRLOOM_SPARK_MASTER"
DEFAULT_MASTER = "local[*]"
EMR_SERVERLESS = "emr-serverless"

# Settings every Airloom session shares, on a laptop or on EMR: small jobs stay small
# (few shuffle partitions), timestamps mean the same everywhere (UTC), pandas/Arrow
# conversions are columnar, and SQL reaches neither files by path nor ${…} variables.
COMMON_CONF: dict[str, str] = {
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    **USER_SQL_CONF,
}


@dataclass(frozen=True)
class SparkTarget:
    """Where Spark work runs, as the Spark connection says."""

    master: str = DEFAULT_MASTER
    deploy_mode: str = "local"
    conf: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def emr_serverless(self) -> bool:
        return self.deploy_mode == EMR_SERVERLESS


def spark_target(conn_id: str = SPARK_CONN_ID) -> SparkTarget:
    """Read the Spark connection; a missing connection means ``local[*]`` in this process."""
    extra: dict[str, Any] = {}
    master = DEFAULT_MASTER
    try:
        from airflow.sdk import BaseHook
        from airflow.sdk.exceptions import AirflowNotFoundException
    except ImportError:  # plain PySpark (e.g. on EMR): no Airflow, no connection
        connection = None
    else:
        try:
            connection = BaseHook.get_connection(conn_id)
        except AirflowNotFoundException:
            connection = None
    if connection is not None:
        extra = dict(connection.extra_dejson)
        if connection.host:
            master = connection.host
            if connection.port:
                master = f"{master}:{connection.port}"
    master = os.environ.get(MASTER_ENV) or master
    conf = {str(key): str(value) for key, value in (extra.get("conf") or {}).items()}
    return SparkTarget(
        master=master,
        deploy_mode=str(extra.get("deploy_mode") or "local"),
        conf=conf,
        extra=extra,
    )


def spark_session(
    app_name: str,
    conf: Mapping[str, Any] | None = None,
    conn_id: str = SPARK_CONN_ID,
) -> SparkSession:
    """A SparkSession for ``app_name`` (reused if this process already has one).

    :param app_name: shown in Spark's logs and history.
    :param conf: Spark settings on top of Airloom's defaults and the connection's ``conf``.
    :param conn_id: the Spark connection naming the master.
    :raises airloom.spark.java.JavaNotFoundError: when no suitable Java is installed.
    """
    require_java()
    from pyspark.sql import SparkSession

    target = spark_target(conn_id)
    settings = {**COMMON_CONF, **target.conf, **{k: str(v) for k, v in (conf or {}).items()}}
    builder = SparkSession.builder.appName(app_name).master(target.master)
    if target.master.startswith("local"):
        # Stay on loopback: no firewall prompt, no dependence on the host name resolving.
        builder = builder.config("spark.driver.host", "127.0.0.1").config(
            "spark.driver.bindAddress", "127.0.0.1"
        )
        # Python workers (UDFs, data sources, MLflow's spark_udf) must run this interpreter,
        # with its packages, not whatever `python3` is first on PATH. PySpark reads the
        # variable when the context starts.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    # getOrCreate() hands back an existing session untouched: apply the SQL settings anyway.
    for key, value in settings.items():
        if key.startswith("spark.sql."):
            session.conf.set(key, value)
    session.sparkContext.setLogLevel("WARN")
    return session
