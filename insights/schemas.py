"""Request and response bodies of the insights API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from insights.readmodel.figures import Dimension, Grain

TargetKind = Literal["workflow", "endpoint"]
Basis = Literal[
    "per_prediction", "per_run", "per_alert_acted_on", "per_customer_retained", "per_hour_saved"
]
# Which bases fit which target: a workflow returns per run, an endpoint per prediction.
BASES_FOR: dict[str, tuple[str, ...]] = {
    "workflow": ("per_run", "per_alert_acted_on", "per_customer_retained", "per_hour_saved"),
    "endpoint": ("per_prediction", "per_alert_acted_on", "per_customer_retained", "per_hour_saved"),
}
Amount = Annotated[
    Decimal,
    Field(ge=0, le=Decimal("1e9"), max_digits=18, decimal_places=6, description="USD per unit"),
]
Quantity = Annotated[
    Decimal,
    Field(
        gt=0,
        le=Decimal("1e6"),
        max_digits=18,
        decimal_places=6,
        description="Units of the basis per successful run (workflow) or per prediction "
        "(endpoint), as the business estimates it; 1 for per_run and per_prediction",
    ),
]


class ErrorBody(BaseModel):
    detail: str | list[dict[str, str]]
    code: str


class ValueDefinitionCreate(BaseModel):
    """What a unit of a workflow's or endpoint's output is worth."""

    model_config = ConfigDict(extra="forbid")

    target_kind: TargetKind
    target: str = Field(min_length=1, max_length=255, description="Workflow or endpoint name")
    basis: Basis
    amount_usd: Amount
    quantity: Quantity = Decimal(1)
    note: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _basis_fits_target(self) -> ValueDefinitionCreate:
        allowed = BASES_FOR[self.target_kind]
        if self.basis not in allowed:
            raise ValueError(
                f"basis {self.basis!r} does not apply to {self.target_kind}s; "
                f"use one of {', '.join(allowed)}"
            )
        if self.basis in ("per_run", "per_prediction") and self.quantity != 1:
            raise ValueError(f"quantity is 1 for {self.basis}: the unit is the {self.basis[4:]}")
        return self


class ValueDefinitionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount_usd: Amount | None = None
    quantity: Quantity | None = None
    note: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _something(self) -> ValueDefinitionUpdate:
        if self.amount_usd is None and self.quantity is None and self.note is None:
            raise ValueError("give at least one of amount_usd, quantity, note")
        return self


class ValueDefinitionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    target_kind: TargetKind
    target: str
    basis: Basis
    amount_usd: Decimal
    quantity: Decimal
    note: str
    created_by: str
    created_at: datetime
    updated_at: datetime


class FiguresOut(BaseModel):
    runs: int = Field(description="Finished runs (success or failed)")
    failures: int
    predictions: int = Field(description="Rows predicted by successful requests")
    cost_usd: float
    value_usd: float
    roi: float | None = Field(description="(value - cost) / cost; null when cost is 0")


class KpisOut(FiguresOut):
    since: datetime
    until: datetime
    rates_environment: str


class RoiRowOut(FiguresOut):
    key: str = Field(description="The workflow, model, endpoint or tenant")
    period_start: datetime


class RoiOut(BaseModel):
    by: Dimension
    grain: Grain
    since: datetime
    until: datetime
    rates_environment: str
    rows: list[RoiRowOut]
    totals: FiguresOut
