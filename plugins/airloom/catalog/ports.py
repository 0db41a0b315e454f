"""Typed ports: what flows along an edge between two nodes (always a reference, never rows)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PortType(StrEnum):
    TABLE = "table"  # a Parquet dataset in the lake: its URI
    STREAM = "stream"  # a Kafka topic: kafka://<connection>/<topic>
    MODEL = "model"  # a registered model version: models:/<name>/<version>
    REPORT = "report"  # a report (quality, evaluation): its URI in the lake or MLflow


@dataclass(frozen=True)
class Port:
    name: str
    type: PortType
    description: str
    required: bool = True
    many: bool = False  # accepts several edges; the operator receives a list of references

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "type": self.type.value,
            "description": self.description,
            "required": self.required,
            "many": self.many,
        }
