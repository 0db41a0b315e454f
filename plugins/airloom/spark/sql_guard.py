"""What a Spark session must not offer to SQL written by tenants, set on the session itself.

:mod:`airloom.user_sql` refuses a query that reads files, calls Java or uses ``${…}``; these
settings make Spark refuse the same things should a query ever slip past the parser. They are
applied to every Airloom session (see :data:`airloom.spark.session.COMMON_CONF`) and again to
the session that runs a tenant's query, on a laptop or on EMR.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

USER_SQL_CONF: dict[str, str] = {
    # `SELECT * FROM parquet.`/any/path`` reads any file the process can read.
    "spark.sql.runSQLOnFiles": "false",
    # ${env:…}, ${system:…} and ${spark.…} in the text are replaced before parsing: secrets.
    "spark.sql.variable.substitute": "false",
}

# Built-ins that call any static Java method. Airloom's own jobs never use them.
JVM_FUNCTIONS = ("reflect", "java_method", "try_reflect")


class SqlGuardError(RuntimeError):
    """The session still offers something a tenant's query must not reach."""


def guard_session(spark: SparkSession) -> None:
    """Turn off SQL on files and ``${…}`` substitution; remove the Java-calling functions.

    Functions are removed from this session's own function registry (a copy of the built-in
    one), so other sessions are untouched. Idempotent.

    :raises SqlGuardError: when a function could not be removed.
    """
    for key, value in USER_SQL_CONF.items():
        spark.conf.set(key, value)
    registry = spark._jsparkSession.sessionState().functionRegistry()
    identifier = spark._jvm.org.apache.spark.sql.catalyst.FunctionIdentifier
    some = spark._jvm.scala.Some
    for name in JVM_FUNCTIONS:
        if not spark.catalog.functionExists(name):
            continue
        # Spark 4 keys built-ins by system.builtin.<name>; Spark 3 by the bare name.
        if int(spark.version.split(".")[0]) >= 4:
            registry.dropFunction(identifier(name, some("builtin"), some("system")))
        else:
            registry.dropFunction(identifier(name))
        if spark.catalog.functionExists(name):
            raise SqlGuardError(f"could not remove {name}() from this Spark session")
