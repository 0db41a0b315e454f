"""Spark transformations write all or nothing, and a bad statement says what went wrong."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from airloom.datasets import read_table, write_table
from airloom.spark import entrypoint
from airloom.spark.output import spark_uri
from airloom.spark.sql_guard import guard_session
from airloom.spark.transform import SparkTransformError, TransformRequest, run_transform


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    write_table(
        pa.table({"store": ["s1", "s1", "s2"], "units": [3, 4, 5]}),
        spark_uri(tmp_path / "sales"),
        "a",
    )
    write_table(
        pa.table({"store": ["s1", "s2"], "city": ["Bonn", "Lyon"]}),
        spark_uri(tmp_path / "stores"),
        "a",
    )
    return tmp_path


def _request(lake: Path, sql: str, **changes) -> TransformRequest:
    fields = {
        "output_uri": spark_uri(lake / "out" / "totals"),
        "inputs": {"sales": spark_uri(lake / "sales"), "stores": spark_uri(lake / "stores")},
        "sql": sql,
        "label": "node 'totals'",
        **changes,
    }
    return TransformRequest(**fields)


TOTALS = "SELECT city, SUM(units) AS units FROM sales JOIN stores USING (store) GROUP BY city"


def _output(lake: Path) -> dict:
    table = read_table(spark_uri(lake / "out" / "totals"))
    return dict(zip(table["city"].to_pylist(), table["units"].to_pylist(), strict=True))


def _leftovers(lake: Path) -> list[str]:
    return sorted(p.name for p in (lake / "out").iterdir() if p.name != "totals")


def test_sql_over_named_inputs_and_rerun_replaces(spark, lake: Path) -> None:
    run_transform(spark, _request(lake, TOTALS))
    assert _output(lake) == {"Bonn": 7, "Lyon": 5}
    run_transform(spark, _request(lake, TOTALS.replace("SUM", "MAX")))
    assert _output(lake) == {"Bonn": 4, "Lyon": 5}
    assert _leftovers(lake) == []


def test_append_adds_and_partition_by_makes_folders(spark, lake: Path) -> None:
    request = _request(
        lake, "SELECT store, units FROM sales", mode="append", partition_by=("store",)
    )
    run_transform(spark, request)
    run_transform(spark, request)
    table = read_table(request.output_uri)
    assert sorted(table["units"].to_pylist()) == [3, 3, 4, 4, 5, 5]
    assert sorted(
        p.name for p in (lake / "out" / "totals").iterdir() if not p.name.startswith((".", "_"))
    ) == [
        "store=s1",
        "store=s2",
    ]


@pytest.mark.parametrize(
    ("statement", "spark_says"),
    [
        ("SELECT city, SUM(unitz) AS units FROM sales GROUP BY city", "UNRESOLVED_COLUMN"),
        ("SELEC city FROM stores", "PARSE_SYNTAX_ERROR"),
        ("SELECT city, no_such_function(units) FROM stores", "UNRESOLVED_ROUTINE"),
    ],
)
def test_bad_sql_names_node_and_statement_and_keeps_previous_output(
    spark, lake: Path, statement: str, spark_says: str
) -> None:
    run_transform(spark, _request(lake, TOTALS))
    with pytest.raises(SparkTransformError) as error:
        run_transform(spark, _request(lake, statement))
    message = str(error.value)
    assert message.startswith("node 'totals': Spark could not run the SQL statement")
    assert statement in message and spark_says in message
    assert _output(lake) == {"Bonn": 7, "Lyon": 5}
    assert _leftovers(lake) == []


def test_failure_while_writing_leaves_previous_output_whole(spark, lake: Path) -> None:
    run_transform(spark, _request(lake, TOTALS))
    # Fails only when rows are computed (ANSI cast of 'Bonn'), i.e. during the write.
    broken = "SELECT city, CAST(city AS INT) AS units FROM stores"
    with pytest.raises(SparkTransformError, match="CAST_INVALID_INPUT"):
        run_transform(spark, _request(lake, broken))
    assert _output(lake) == {"Bonn": 7, "Lyon": 5}
    assert _leftovers(lake) == []


def test_commands_are_refused_without_running(spark, lake: Path) -> None:
    for statement in (
        "CREATE TABLE hijacked AS SELECT * FROM sales",
        "BEGIN CREATE TABLE hijacked AS SELECT 1; END",
    ):
        with pytest.raises(SparkTransformError, match="must be a single query"):
            run_transform(spark, _request(lake, statement))
    # Smuggling a second statement past the check is a syntax error, not a second statement.
    with pytest.raises(SparkTransformError, match="PARSE_SYNTAX_ERROR"):
        run_transform(spark, _request(lake, "SELECT 1) x; CREATE TABLE hijacked (a INT"))
    assert not spark.catalog.tableExists("hijacked")
    assert not (lake / "out").exists()


def test_a_table_that_is_not_an_input_is_refused_naming_the_inputs(spark, lake: Path) -> None:
    run_transform(spark, _request(lake, TOTALS))
    with pytest.raises(SparkTransformError) as error:
        run_transform(spark, _request(lake, "SELECT * FROM no_such_table"))
    assert str(error.value) == (
        "node 'totals': the SQL statement must read only the node's inputs (sales, stores), not "
        "'no_such_table'; each input is a view named after its dataset's last path segment:\n"
        "    SELECT * FROM no_such_table"
    )
    assert _output(lake) == {"Bonn": 7, "Lyon": 5}


def test_files_java_and_scripts_are_refused_before_spark_sees_them(
    spark, lake: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("other_tenant")
    write_table(pa.table({"secret": ["s3cr3t"]}), spark_uri(elsewhere / "secrets"), "a")
    marker = elsewhere / "script_ran"
    attacks = {
        f"SELECT * FROM parquet.`{elsewhere / 'secrets'}`": "must not read files directly",
        "SELECT reflect('java.lang.System', 'getenv', 'HOME') AS home FROM stores": (
            "must not call reflect(): it runs Java code"
        ),
        f"SELECT TRANSFORM(store) USING 'touch {marker}' AS (s) FROM stores": (
            "must not run a script (SELECT TRANSFORM … USING)"
        ),
        "SELECT '${env:HOME}' AS home FROM stores": "must not contain ${…}",
    }
    for statement, reason in attacks.items():
        with pytest.raises(SparkTransformError) as error:
            run_transform(spark, _request(lake, statement))
        assert str(error.value).startswith(f"node 'totals': the SQL statement {reason}")
        assert statement in str(error.value)
    assert not marker.exists()
    assert not (lake / "out").exists()


def test_the_session_refuses_files_java_and_variables_on_its_own(spark, lake: Path) -> None:
    from pyspark.errors import AnalysisException

    guard_session(spark)
    with pytest.raises(AnalysisException, match="TABLE_OR_VIEW_NOT_FOUND"):
        spark.sql(f"SELECT * FROM parquet.`{lake / 'sales'}`").collect()
    with pytest.raises(AnalysisException, match="UNRESOLVED_ROUTINE"):
        spark.sql("SELECT reflect('java.lang.System', 'getenv', 'HOME')").collect()
    assert spark.sql("SELECT '${env:HOME}' AS home").first()["home"] == "${env:HOME}"
    guard_session(spark)  # again, as every SQL transform does: nothing left to remove


def test_unreadable_input_is_named(spark, lake: Path) -> None:
    request = _request(lake, TOTALS, inputs={"sales": spark_uri(lake / "missing")})
    with pytest.raises(SparkTransformError, match="cannot read input dataset 'sales' at file://"):
        run_transform(spark, request)


def test_entrypoint_runs_the_same_request_from_its_arguments(spark, lake: Path) -> None:
    request = _request(
        lake, None, job="churn_features", job_params={"reference_time": "2026-11-30"}
    )
    assert TransformRequest.from_args(request.to_args()) == request
    sql_request = _request(lake, TOTALS, partition_by=("city",))
    assert TransformRequest.from_args(sql_request.to_args()) == sql_request

    assert entrypoint.main(_request(lake, TOTALS).to_args()) == 0
    assert _output(lake) == {"Bonn": 7, "Lyon": 5}
