"""Names shared by the ingestion nodes: Assets they declare and the files each run writes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from airflow.sdk import Asset

from airloom.lake import DATASET_NAME, dataset_asset

_UNSAFE_IN_FILE_NAMES = re.compile(r"[^A-Za-z0-9_.=-]+")


def lake_outlets(*names: Any) -> list[Asset]:
    """The Assets of the datasets a node writes whose names are known at parse time.

    Templated or invalid names are left out (parameter validation reports the invalid ones).
    """
    return [
        dataset_asset(name)
        for name in names
        if isinstance(name, str) and DATASET_NAME.fullmatch(name)
    ]


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
