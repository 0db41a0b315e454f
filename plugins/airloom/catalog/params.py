"""Node parameters: a pydantic model per node type, whose JSON Schema is the builder's form."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo
from pydantic_core import PydanticCustomError


class NodeParams(BaseModel):
    """Base of every node type's parameters: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class ParamProblem:
    field: str  # dotted path into the params, e.g. "checks.2.max"; "" for the params as a whole
    message: str


# Validation context: a DAG file is being parsed. Checks that guard what a task does when it
# runs (parsing its SQL) wait for the task, which checks again right before it runs; the
# builder checks them in full when a design is validated and published. DAG files parse fast.
AT_PARSE = "at_parse"


# The error type of :func:`field_problems`: problems deeper than where a validator stands.
_FIELD_PROBLEMS = "airloom_field_problems"
_PROBLEMS_KEY = "airloom_problems"


def field_problems(problems: Mapping[str, str]) -> PydanticCustomError:
    """An error to raise from a validator that names fields below where it stands.

    A model validator that knows which param is wrong (``{"job": "set exactly one of …"}``),
    or a field validator that knows which key of a dict is (``{"max_dept": "no such …"}``),
    says so; :func:`params_problems` reports one problem per entry, at that path.
    """
    return PydanticCustomError(
        _FIELD_PROBLEMS,
        "; ".join(f"{path}: {message}" if path else message for path, message in problems.items()),
        {_PROBLEMS_KEY: tuple(problems.items())},
    )


def params_problems(
    model: type[NodeParams],
    values: Mapping[str, Any],
    *,
    at_parse: bool = False,
    strict: bool = False,
) -> list[ParamProblem]:
    """Every way ``values`` fails ``model``, each with the path of the field it concerns.

    :param strict: validate ``values`` as the JSON document a design holds, in pydantic's
        strict mode: a string is no integer (``"5"``), a float no integer (``5.0``), a number
        no string; what JSON cannot say otherwise still converts (a list for a tuple, a text
        for a date or an enum). The builder validates designs so; a DAG file that was
        published before stays as lenient as when it was published.
    """
    context = {AT_PARSE: at_parse}
    try:
        if strict:
            model.model_validate_json(json.dumps(dict(values)), strict=True, context=context)
        else:
            model.model_validate(dict(values), context=context)
    except ValidationError as exc:
        return [problem for error in exc.errors() for problem in _problems_of(error, values)]
    except (TypeError, ValueError) as exc:  # not JSON: a DAG's own Python value, not a design
        return [ParamProblem("", f"params must be JSON values: {exc}")]
    return []


def _problems_of(error: Any, values: Mapping[str, Any]) -> list[ParamProblem]:
    where = _document_path(error["loc"], values)
    if error["type"] != _FIELD_PROBLEMS:
        return [ParamProblem(".".join(where), error["msg"])]
    return [
        ParamProblem(".".join([*where, path] if path else where), message)
        for path, message in error["ctx"][_PROBLEMS_KEY]
    ]


def _document_path(loc: tuple[Any, ...], values: Any) -> list[str]:
    """``loc`` as a path into the params a designer wrote: pydantic adds the tag of a tagged
    union's member (``checks.0.row_count.min``) and the member a union tried; neither is in
    the document (``checks.0.min``)."""
    path: list[str] = []
    current: Any = values
    for position, part in enumerate(loc):
        last = position == len(loc) - 1
        inside = isinstance(current, Mapping) and part in current
        inside |= (
            isinstance(current, list | tuple) and isinstance(part, int) and 0 <= part < len(current)
        )
        if inside:
            current = current[part]
        elif isinstance(current, Mapping) and last:
            current = None  # a field that is missing: still its name
        else:
            continue  # a tag or a union member: not part of the document
        path.append(str(part))
    return path


class NodeConfigError(ValueError):
    """A node is configured wrongly; names the node (task) and each field at fault."""

    def __init__(self, node_id: str, problems: list[ParamProblem]) -> None:
        self.node_id = node_id
        self.problems = problems
        details = "; ".join(f"{p.field or 'params'}: {p.message}" for p in problems)
        super().__init__(f"node {node_id!r}: {details}")


def at_parse(info: ValidationInfo) -> bool:
    """In a validator: whether a DAG file is being parsed (a run-time guard may wait)."""
    return bool(info.context and info.context.get(AT_PARSE))
