"""A failed node's log, as the builder shows it: short lines, the exception in brief, no folds."""

from __future__ import annotations

from workflow_builder_api.services.run_details import (
    MAX_TAIL_CHARS,
    error_in_log,
    render,
    tail,
)

SPARK = (
    "[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function parameter with name "
    "`amout` cannot be resolved. SQLSTATE: 42703"
)
LOG = [
    {"event": "::group::Log message source details", "sources": ["/logs/attempt=1.log"]},
    {"event": "::endgroup::"},
    {"timestamp": "2026-11-23T10:00:01.123456Z", "level": "info", "event": "Task started"},
    {
        "timestamp": "2026-11-23T10:00:09.000000Z",
        "level": "error",
        "event": "Task failed with exception",
        "logger": "task",
        "ti_id": "01a2",
        "dag_id": "wf-acme-orders",
        "error_detail": [
            {
                "exc_type": "AirflowFailException",
                "exc_value": SPARK,
                "is_cause": False,
                "frames": [
                    {"filename": "/srv/venv/airloom/operators/base.py", "lineno": 181, "name": "f"}
                ],
            },
            {
                "exc_type": "SparkTransformError",
                "exc_value": f"node 'clean': Spark could not run the SQL statement\n{SPARK}",
                "is_cause": True,
                "frames": [
                    {"filename": f"/x/f{n}.py", "lineno": n, "name": "step"} for n in range(9)
                ],
            },
        ],
    },
    {"timestamp": "2026-11-23T10:00:09.5Z", "level": "info", "event": "Done", "state": "failed"},
]


def test_a_log_entry_is_one_line_and_its_exception_a_brief_trace() -> None:
    lines = [line for entry in LOG for line in render(entry)]
    assert lines[0] == "10:00:01 INFO Task started"
    assert lines[1] == "10:00:09 ERROR Task failed with exception"
    assert lines[2] == f"  AirflowFailException: {SPARK}"
    assert lines[3] == "    at airloom/operators/base.py:181 in f"  # not where it is installed
    caused = "  caused by SparkTransformError: node 'clean': Spark could not run the SQL statement"
    assert lines[lines.index(caused) + 1] == f"    {SPARK}"
    assert "    at /x/f8.py:8 in step" in lines  # the innermost frames only
    assert "    at /x/f0.py:0 in step" not in lines
    assert lines[-1] == "10:00:09 INFO Done state=failed"
    assert not any("::group::" in line for line in lines)


def test_the_tail_is_the_last_lines_and_bounded() -> None:
    assert tail(LOG, 1) == "10:00:09 INFO Done state=failed"
    huge = [{"event": "x" * 1500, "level": "info"} for _ in range(200)]
    assert len(tail(huge, 200)) <= MAX_TAIL_CHARS
    assert tail(["plain text line", "::group::fold"], 5) == "plain text line"


def test_the_error_in_a_log_is_the_last_exceptions_own_message() -> None:
    assert error_in_log(LOG) == SPARK
    assert error_in_log(["no structure"]) is None
    killed = [{"event": "Process exited", "error_detail": [{"exc_type": "SystemExit"}]}]
    assert error_in_log(killed) == "SystemExit"
