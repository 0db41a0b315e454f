"""Names shared by the ingestion nodes: the files each run writes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_UNSAFE_IN_FILE_NAMES = re.compile(r"[^A-Za-z0-9_.=-]+")


def run_file_name(context: Mapping[str, Any]) -> str:
    """A file name unique to this task in this DAG run, the same on every retry.

    Rerunning a task therefore replaces the file its earlier try wrote instead of adding a
    second copy of the same rows.
    """
    ti = context["ti"]
    parts = [ti.task_id, context["run_id"]]
    if getattr(ti, "map_index", -1) not in (-1, None):
        parts.append(f"map{ti.map_index}")
    name = _UNSAFE_IN_FILE_NAMES.sub("_", "-".join(parts)).strip("._")
    return f"run-{name}"
