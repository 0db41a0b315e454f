"""Bootstrap secrets: the API tokens and keys a deployment seeds when a service starts.

Each service reads a JSON list of entries from one setting, an environment variable (on AWS,
ECS injects it from Secrets Manager), or a list given in code. An entry model derives from
:class:`BootstrapEntry`; a settings field holding them is ``BootstrapList[Model]``. A problem is
reported with the setting, the entry and the field, never with what was given: it holds secrets.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails
from pydantic_settings import NoDecode

Entry = TypeVar("Entry", bound="BootstrapEntry")


class BootstrapError(ValueError):
    """A bootstrap setting that is not what its service accepts."""


class BootstrapEntry(BaseModel):
    """One entry to create at startup if missing.

    Unknown fields are refused: a misspelt ``tier`` would otherwise quietly become the default.
    """

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


def _json_list(value: Any) -> Any:
    """Environment text is decoded here, not by pydantic-settings, whose error shows the value."""
    if isinstance(value, str | bytes):
        if not value.strip():
            return []
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            # exc's text is the parser's complaint and a position, never the document.
            raise ValueError(f"is not JSON: {exc}") from None
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise ValueError("must be a JSON list of objects")
    return value


BootstrapList = Annotated[list[Entry], NoDecode, BeforeValidator(_json_list)]


def problems(setting: str, errors: Iterable[ErrorDetails]) -> list[str]:
    """Each of pydantic's errors as ``SETTING[entry].field: what is wrong``."""
    return [f"{setting}{_where(error['loc'])}: {_message(error)}" for error in errors]


def _where(location: Sequence[int | str]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in location)


def _message(error: ErrorDetails) -> str:
    if error["type"] == "value_error":  # our own validators' text, without pydantic's prefix
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return error["msg"]


def parse_bootstrap(setting: str, value: Any, model: type[Entry]) -> list[Entry]:
    """The entries of ``setting``'s value; raises BootstrapError naming each problem."""
    try:
        return TypeAdapter(BootstrapList[model]).validate_python(value)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        raise BootstrapError("; ".join(problems(setting, errors))) from None
