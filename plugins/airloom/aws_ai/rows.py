"""Rows in, rows out: batches a service accepts, a result or an error per row, one table.

A node hands :func:`call_in_batches` its rows' inputs and a function that calls the service
for one batch and returns, per position in the batch, either the row's result (a dict of
output columns) or a :class:`RowError`. A row the service refuses keeps its error; a failure
that is no row's fault (throttling beyond the retries, access denied, the service down) raises
and fails the node before anything is written, so a retry starts clean.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

ERROR_COLUMN = "error"

# Errors no row causes: the node fails (and Airflow retries) instead of blaming rows.
_NODE_ERRORS = {
    "AccessDeniedException",
    "AccessDenied",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "ExpiredTokenException",
    "UnauthorizedOperation",
    "ResourceNotFoundException",  # a model or resource the node names, not a row
    "ServiceUnavailableException",
    "InternalServerException",
    "InternalServerError",
    "ServiceQuotaExceededException",
}


@dataclass(frozen=True)
class RowError:
    """Why the service did not answer for one row: its error code and message."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.message else self.code


RowOutcome = dict[str, Any] | RowError
BatchCall = Callable[[list[Any]], Sequence[RowOutcome]]


def batches(items: Sequence[Any], size: int) -> Iterator[tuple[int, list[Any]]]:
    """``items`` in consecutive batches of at most ``size``, each with its first position."""
    for start in range(0, len(items), size):
        yield start, list(items[start : start + size])


def row_error_of(exc: BaseException) -> RowError | None:
    """The :class:`RowError` a service's refusal of one input means, or None when the error is
    not the row's fault (it must fail the node)."""
    from botocore.exceptions import ClientError

    if not isinstance(exc, ClientError):
        return None
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    if code in _NODE_ERRORS or status >= 500 or status in (401, 403, 429) or _throttling(code):
        return None
    return RowError(code or "ClientError", str(error.get("Message", "")))


def _throttling(code: str) -> bool:
    """botocore's own list of the codes that mean throttling (what its retries back off on)."""
    from botocore.retries.standard import ThrottledRetryableChecker

    return code in ThrottledRetryableChecker._THROTTLED_ERROR_CODES


def call_in_batches(
    inputs: Sequence[Any],
    size: int,
    call: BatchCall,
    *,
    skip: Callable[[Any], RowError | None] = lambda item: None,
) -> list[RowOutcome]:
    """Every input's outcome, in input order.

    :param size: most inputs per call (the service's batch limit; 1 for single-item APIs).
    :param call: calls the service for one batch of inputs; returns one outcome per input.
        A ``ClientError`` it raises that blames the input (:func:`row_error_of`) becomes every
        row of the batch's error; any other exception fails the node.
    :param skip: an input's error found before calling (empty, too long, not granted): such
        rows are never sent.
    """
    outcomes: list[RowOutcome | None] = [skip(item) for item in inputs]
    pending = [i for i, outcome in enumerate(outcomes) if outcome is None]
    for _, positions in batches(pending, size):
        try:
            answers = list(call([inputs[i] for i in positions]))
        except Exception as exc:
            error = row_error_of(exc)
            if error is None:
                raise
            answers = [error] * len(positions)
        if len(answers) != len(positions):
            raise RuntimeError(
                f"the service answered {len(answers)} results for a batch of {len(positions)}"
            )
        for position, answer in zip(positions, answers, strict=True):
            outcomes[position] = answer
    return [outcome for outcome in outcomes if outcome is not None]


def aligned_table(input_table: Any, outcomes: Sequence[RowOutcome], columns: dict[str, Any]) -> Any:
    """``input_table`` with one column per entry of ``columns`` (name → Arrow type) filled from
    each row's result (null where the row failed), and the ``error`` column.

    :raises ValueError: if a result column would overwrite an input column.
    """
    import pyarrow as pa

    clash = [name for name in [*columns, ERROR_COLUMN] if name in input_table.column_names]
    if clash:
        raise ValueError(
            f"the input already has column(s) {clash}; the node's output columns must be new"
        )
    if len(outcomes) != input_table.num_rows:
        raise RuntimeError(f"{len(outcomes)} outcomes for {input_table.num_rows} rows")
    table = input_table
    for name, arrow_type in columns.items():
        values = [None if isinstance(o, RowError) else o.get(name) for o in outcomes]
        table = table.append_column(pa.field(name, arrow_type), pa.array(values, arrow_type))
    errors = [str(o) if isinstance(o, RowError) else None for o in outcomes]
    return table.append_column(pa.field(ERROR_COLUMN, pa.string()), pa.array(errors, pa.string()))
