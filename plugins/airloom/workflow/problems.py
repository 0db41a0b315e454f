"""A problem a designer can fix, with the node and field it concerns."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    node_id: str | None = None
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class InvalidWorkflow(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "; ".join(
            f"[{p.code}] {p.node_id + ': ' if p.node_id else ''}{p.message}" for p in problems
        )
        super().__init__(f"invalid workflow: {lines}")
