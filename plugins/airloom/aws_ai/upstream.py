"""Rows an upstream AWS node already failed: kept with their error, never sent again.

Nodes calling AWS chain (``polly`` → ``transcribe``): the upstream node's output has an
``error`` column, and a row with an error there has nothing to pass on (no audio, no text).
The downstream node takes that column out of its input, refuses those rows before calling
anything, and writes its own ``error`` column, in which such a row names the upstream error.
"""

from __future__ import annotations

from typing import Any

from airloom.aws_ai.rows import ERROR_COLUMN, RowError

UPSTREAM_ERROR = "UPSTREAM_ERROR"


def split_upstream_errors(table: Any) -> tuple[Any, list[RowError | None]]:
    """``table`` without its ``error`` column, and each row's upstream error (None: none)."""
    if ERROR_COLUMN not in table.column_names:
        return table, [None] * table.num_rows
    errors = table.column(ERROR_COLUMN).to_pylist()
    table = table.remove_column(table.column_names.index(ERROR_COLUMN))
    return table, [
        RowError(UPSTREAM_ERROR, str(error)) if error not in (None, "") else None
        for error in errors
    ]
