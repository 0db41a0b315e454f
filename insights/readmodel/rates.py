"""Rates files: what usage costs in an environment, each rate with its source and date.

``insights/rates/<environment>.yaml`` lists named rates (USD per unit), then what an hour of
a task of each node type uses (``tasks``) and what an hour of serving uses (``serving``), as
quantities of those rates, and which rate prices each AWS operation a node calls
(``aws_usage``: ``<service>.<operation>``, or ``<service>`` for all its operations, → a rate
whose unit is the one the node reports). A task's cost is its duration times its node type's
hourly price, plus its AWS calls' units at their rate; see docs/insights.md, "Costs and
rates".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    ValidationError,
    field_validator,
    model_validator,
)

RATES_DIR = Path(__file__).resolve().parents[1] / "rates"
DEFAULT = "default"


class RatesFileError(ValueError):
    """A rates file that cannot price anything; says which file and field."""


class Rate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    usd: Decimal = Field(ge=0, description="USD per unit")
    unit: str
    source: HttpUrl = Field(description="Where the price is published")
    date: date
    note: str = ""


Usage = dict[str, Decimal]  # rate name → quantity of it per hour


class RatesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    environment: str
    currency: str = "USD"
    rates: dict[str, Rate]
    tasks: dict[str, Usage]
    serving: dict[str, Usage]
    # ``<service>.<operation>`` or ``<service>`` → the rates pricing its units, one per unit
    # (a model's input and output tokens are two units of one operation).
    aws_usage: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("aws_usage", mode="before")
    @classmethod
    def _one_or_more(cls, value: object) -> object:
        if isinstance(value, dict):
            return {k: [v] if isinstance(v, str) else v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _known_rates(self) -> RatesFile:
        for section in ("tasks", "serving"):
            usages: dict[str, Usage] = getattr(self, section)
            if DEFAULT not in usages:
                raise ValueError(f"{section} must have a '{DEFAULT}' entry")
            for name, usage in usages.items():
                unknown = sorted(set(usage) - set(self.rates))
                if unknown:
                    raise ValueError(f"{section}.{name} uses unknown rates {', '.join(unknown)}")
        for operation, names in self.aws_usage.items():
            unknown = sorted(set(names) - set(self.rates))
            if unknown:
                raise ValueError(f"aws_usage.{operation} uses unknown rate {', '.join(unknown)}")
            units = [self.rates[name].unit for name in names]
            if len(set(units)) != len(units):
                raise ValueError(f"aws_usage.{operation} has two rates in one unit")
        return self

    def hourly(self, usage: Usage) -> float:
        return float(sum(self.rates[name].usd * quantity for name, quantity in usage.items()))

    def task_hourly(self) -> dict[str, float]:
        """USD per hour of a task, per node type (``default`` for the rest)."""
        return {node_type: self.hourly(usage) for node_type, usage in self.tasks.items()}

    def aws_unit_prices(self) -> list[tuple[str, str, float]]:
        """(``<service>.<operation>`` or ``<service>``, unit, USD per unit), one per rate."""
        return [
            (operation, self.rates[name].unit, float(self.rates[name].usd))
            for operation, names in self.aws_usage.items()
            for name in names
        ]

    def serving_hourly(self) -> dict[str, float]:
        """USD per hour of serving, per target (``default`` for the rest)."""
        return {target: self.hourly(usage) for target, usage in self.serving.items()}


@cache
def load_rates(environment: str, folder: Path = RATES_DIR) -> RatesFile:
    path = folder / f"{environment}.yaml"
    try:
        document = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise RatesFileError(f"no rates file for environment {environment!r} ({path})") from None
    except yaml.YAMLError as error:
        raise RatesFileError(f"{path} is not YAML: {error}") from None
    try:
        return RatesFile.model_validate(_with_aws_usage_of(document, folder))
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}"
            for e in error.errors(include_url=False)
        )
        raise RatesFileError(f"{path}: {problems}") from None


def _with_aws_usage_of(document: object, folder: Path) -> object:
    """``document`` with the AWS operations' rates of the environment it names under
    ``aws_usage_from``: a node calling AWS from anywhere is billed at AWS's prices, so the
    local file borrows them rather than keep a copy that could drift."""
    if not isinstance(document, dict) or "aws_usage_from" not in document:
        return document
    document = dict(document)
    source = load_rates(str(document.pop("aws_usage_from")), folder)
    used = {name for names in source.aws_usage.values() for name in names}
    rates = dict(document.get("rates") or {})
    rates.update({name: source.rates[name].model_dump(mode="json") for name in sorted(used)})
    document["rates"] = rates
    document["aws_usage"] = {**source.aws_usage, **(document.get("aws_usage") or {})}
    return document
