"""A service's settings, read once at startup: a bad value stops the start with one line per
problem, naming the environment variable and never repeating its value (it may be a secret)."""

from __future__ import annotations

from typing import TypeVar

from pydantic import ValidationError
from pydantic_settings import BaseSettings

from servicekit.bootstrap import problems

S = TypeVar("S", bound=BaseSettings)


class SettingsError(SystemExit):
    """Exits the process with the message rather than a traceback: the operator's to fix."""


def load_settings(settings_class: type[S]) -> S:
    try:
        return settings_class()
    except ValidationError as exc:
        lines = []
        for error in exc.errors(include_url=False, include_input=False):
            field, *rest = error["loc"]
            variable = _variable(settings_class, str(field))
            lines.extend(problems(variable, [{**error, "loc": tuple(rest)}]))
        prefix = settings_class.model_config.get("env_prefix", "")
        raise SettingsError(f"invalid settings ({prefix}*):\n  " + "\n  ".join(lines)) from None


def _variable(settings_class: type[BaseSettings], field: str) -> str:
    """The environment variable a field is read from (its alias where it has one)."""
    if field not in settings_class.model_fields:
        return field.upper()  # pydantic names a field by the alias it was given under
    prefix = settings_class.model_config.get("env_prefix", "")
    return f"{prefix}{field}".upper()
