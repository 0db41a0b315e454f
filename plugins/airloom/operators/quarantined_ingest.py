"""What the stream ingestion nodes (Kafka, Kinesis) share: valid records to a dataset,
malformed ones to a quarantine dataset beside it, one reader at a time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airloom.catalog import Port, PortType
from airloom.operators.base import AirloomOperator


def default_quarantine(dataset: str) -> str:
    return f"{dataset}_quarantine"


class QuarantinedIngestOperator(AirloomOperator):
    """A node landing a stream's valid records in ``dataset`` and its malformed ones, with
    their ``_reason``, in ``quarantine_dataset`` (default ``<dataset>_quarantine``)."""

    output_ports = (
        Port("table", PortType.TABLE, "The dataset of valid records."),
        Port(
            "quarantine",
            PortType.TABLE,
            "The dataset of malformed records, with _reason.",
            required=False,
        ),
    )
    ui_color = "#e3f1dc"
    # One reader per dataset: a run of the task waits for the one before it.
    task_defaults = {"max_active_tis_per_dag": 1}

    @classmethod
    def written_datasets(cls, node_params: Mapping[str, Any]) -> list[Any]:
        dataset = node_params.get("dataset")
        quarantine = node_params.get("quarantine_dataset") or (
            default_quarantine(dataset) if isinstance(dataset, str) else None
        )
        return [dataset, quarantine]
