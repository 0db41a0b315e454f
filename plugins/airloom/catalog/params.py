"""Node parameters: a pydantic model per node type, whose JSON Schema is the builder's form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo


class NodeParams(BaseModel):
    """Base of every node type's parameters: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class ParamProblem:
    field: str  # dotted path into the params, e.g. "checks.2.max"
    message: str


# Validation context: a DAG file is being parsed. Checks that guard what a task does when it
# runs (parsing its SQL) wait for the task, which checks again right before it runs; the
# builder checks them in full when a design is validated and published. DAG files parse fast.
AT_PARSE = "at_parse"


def params_problems(
    model: type[NodeParams], values: Mapping[str, Any], *, at_parse: bool = False
) -> list[ParamProblem]:
    """Every way ``values`` fails ``model``, each with the path of the field it concerns."""
    try:
        model.model_validate(dict(values), context={AT_PARSE: at_parse})
    except ValidationError as exc:
        return [
            ParamProblem(".".join(str(part) for part in error["loc"]) or "(params)", error["msg"])
            for error in exc.errors()
        ]
    return []


class NodeConfigError(ValueError):
    """A node is configured wrongly; names the node (task) and each field at fault."""

    def __init__(self, node_id: str, problems: list[ParamProblem]) -> None:
        self.node_id = node_id
        self.problems = problems
        details = "; ".join(f"{p.field}: {p.message}" for p in problems)
        super().__init__(f"node {node_id!r}: {details}")


def at_parse(info: ValidationInfo) -> bool:
    """In a validator: whether a DAG file is being parsed (a run-time guard may wait)."""
    return bool(info.context and info.context.get(AT_PARSE))
