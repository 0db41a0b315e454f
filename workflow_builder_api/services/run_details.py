"""Why a node of a run failed, and the end of its log, read from Airflow's REST API.

A designer never needs an Airflow login: the builder asks Airflow on the caller's behalf, for
a run the caller's tenant owns (callers check that with :func:`runs.get_run` first). The one-line
error is what the node's operator recorded (:mod:`airloom.operators.failures`); a task that died
before it could record anything (killed, out of memory, a DAG file that no longer imports) is
explained by the last error in its log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from airloom.operators.failures import ERROR_KEY, first_line
from servicekit.airflow_client import AirflowClient

FAILED_STATES = frozenset({"failed", "up_for_retry"})
MAX_LOG_LINES = 500
MAX_LINE = 2000
MAX_TAIL_CHARS = 64_000
NO_MESSAGE = "the task failed without an error message; its logTail may say more"
# Entries Airflow adds to every log to fold it in its UI.
_FOLDS = ("::group::", "::endgroup::")
# Keys of a structured log entry that are not extra context worth showing: its own fields,
# and the task's identity, which Airflow repeats on every line.
_ENTRY_KEYS = frozenset(
    {"timestamp", "event", "level", "logger", "error_detail", "filename", "lineno", "chan"}
    | {"ti_id", "dag_id", "task_id", "run_id", "map_index", "try_number"}
)
# Frames of each exception shown in a tail: the innermost ones say where it happened.
_FRAMES = 3


def node_error(
    client: AirflowClient, dag_id: str, run_id: str, node_id: str, try_number: int
) -> str:
    """The one-line summary of a failed node's latest try."""
    recorded = client.xcom_value(dag_id, run_id, node_id, ERROR_KEY)
    if isinstance(recorded, Mapping) and isinstance(recorded.get("summary"), str):
        return recorded["summary"]
    reported = client.task_error(dag_id, run_id, node_id)  # MWAA Serverless's ErrorMessage
    if reported:
        return first_line(reported)
    entries = client.task_log(dag_id, run_id, node_id, try_number) if try_number > 0 else []
    return error_in_log(entries) or NO_MESSAGE


def log_tail(
    client: AirflowClient,
    dag_id: str,
    run_id: str,
    node_id: str,
    try_number: int,
    lines: int,
) -> str | None:
    """The last ``lines`` lines of the node's latest try's log; None before its first try."""
    if try_number < 1:
        return None
    entries = client.task_log(dag_id, run_id, node_id, try_number)
    return tail(entries, lines)


def tail(entries: Iterable[Any], lines: int) -> str:
    """The log's last ``lines`` lines as text, at most :data:`MAX_TAIL_CHARS` characters."""
    rendered = [line for entry in entries for line in render(entry)]
    kept: list[str] = []
    size = 0
    for line in reversed(rendered[-lines:]):
        size += len(line) + 1
        if size > MAX_TAIL_CHARS:
            break
        kept.append(line)
    return "\n".join(reversed(kept))


def render(entry: Any) -> list[str]:
    """One log entry as lines: ``time LEVEL event key=value``, then any exception in brief."""
    if not isinstance(entry, Mapping):
        text = str(entry)
        return [] if text.startswith(_FOLDS) else [_clip(line) for line in text.splitlines()]
    event = str(entry.get("event", ""))
    if event.startswith(_FOLDS):
        return []
    stamp = str(entry.get("timestamp") or "")
    clock = stamp[11:19] if len(stamp) >= 19 else stamp
    level = str(entry.get("level") or "").upper()
    extras = " ".join(f"{key}={entry[key]}" for key in entry if key not in _ENTRY_KEYS)
    head = " ".join(part for part in (clock, level, event, extras) if part)
    found = [_clip(head)]
    for error in entry.get("error_detail") or []:
        if isinstance(error, Mapping):
            found += _exception_lines(error)
    return found


def error_in_log(entries: Iterable[Any]) -> str | None:
    """The message of the last exception the log records, in one line."""
    last: str | None = None
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        for error in entry.get("error_detail") or []:
            if isinstance(error, Mapping) and not error.get("is_cause"):
                message = first_line(str(error.get("exc_value") or ""))
                last = message or str(error.get("exc_type") or "") or last
    return last


def _exception_lines(error: Mapping[str, Any]) -> list[str]:
    kind = "caused by " if error.get("is_cause") else ""
    value = str(error.get("exc_value") or "").splitlines()
    lines = [_clip(f"  {kind}{error.get('exc_type', 'Exception')}: {value[0] if value else ''}")]
    lines += [_clip(f"    {line}") for line in value[1:20]]
    for frame in (error.get("frames") or [])[-_FRAMES:]:
        if isinstance(frame, Mapping):
            where = f"{_short(frame.get('filename'))}:{frame.get('lineno')} in {frame.get('name')}"
            lines.append(_clip(f"    at {where}"))
    return lines


def _short(filename: Any) -> str:
    """A source file by its package path (``airloom/operators/base.py``), not where the
    server installed it."""
    parts = str(filename).split("/")
    return "/".join(parts[-3:])


def _clip(line: str) -> str:
    return line if len(line) <= MAX_LINE else f"{line[: MAX_LINE - 1]}…"
