"""What a model's marketplace listing says about it, written on the registered model.

The marketplace reads a listing's description from the registered model's MLflow description
and its task, industry, licence and owner from the registered model's tags
(:data:`airloom.model_tags.LISTING`). The nodes that register models take these as their
``listing`` param and write only what is given, so a field a person set in MLflow stays when a
workflow leaves it out.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from airloom import model_tags

if TYPE_CHECKING:
    from mlflow import MlflowClient

# The ML tasks a listing may name: the marketplace facets listings by them, so a closed set
# keeps "Classification", "classifier" and "classification" from being three facets.
ListingTask = Literal[
    "classification",
    "regression",
    "forecasting",
    "embedding",
    "clustering",
    "anomaly_detection",
    "ranking",
    "recommendation",
]
# The kind of estimator (classification or regression) each task needs, where the one the
# train node fits could contradict the listing.
TASK_NEEDS = {
    "classification": "classification",
    "regression": "regression",
    "forecasting": "regression",
}

# One SPDX identifier (Apache-2.0, MIT, GPL-3.0-or-later, LicenseRef-Acme) or an expression of
# them joined by AND, OR or WITH.
_SPDX_ID = r"[A-Za-z0-9][A-Za-z0-9.+\-]*"
LICENCE_PATTERN = rf"^{_SPDX_ID}(?: (?:AND|OR|WITH) {_SPDX_ID})*$"
# Control characters: none on one line (a NUL cannot even be stored by PostgreSQL), and only
# newlines and tabs in a description.
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _problem(message: str) -> PydanticCustomError:
    return PydanticCustomError("listing_field", message)  # the message alone, no "Value error"


def _one_line(value: str) -> str:
    if _ANY_CONTROL.search(value):
        raise _problem("must be one line of text, without control characters")
    return value


def _text(value: str) -> str:
    if _CONTROL_BUT_LINES.search(value):
        raise _problem("must be text: no control characters other than newlines and tabs")
    return value


def _licence(value: str) -> str:
    if not re.fullmatch(LICENCE_PATTERN, value):
        raise _problem(
            "must be an SPDX licence identifier or expression, e.g. 'Apache-2.0', "
            "'MIT OR Apache-2.0' or 'LicenseRef-Proprietary'"
        )
    return value


def _bounded(most: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=most)


Industry = Annotated[str, _bounded(100), AfterValidator(_one_line)]
Owner = Annotated[str, _bounded(200), AfterValidator(_one_line)]
# MLflow's registry stores at most 5,000 characters of description.
Description = Annotated[str, _bounded(5000), AfterValidator(_text)]
Licence = Annotated[
    str,
    _bounded(100),
    AfterValidator(_licence),
    Field(json_schema_extra={"pattern": LICENCE_PATTERN}),
]


class ModelListing(BaseModel):
    """The registered model's listing fields; each one left out is left as it is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: Description | None = Field(
        default=None,
        description="What the model does and for whom; Markdown is shown as text.",
    )
    task: ListingTask | None = Field(default=None, description="The ML task the model performs.")
    industry: Industry | None = Field(default=None, description="e.g. retail, payments, telecom.")
    licence: Licence | None = Field(
        default=None,
        description="SPDX licence identifier or expression, e.g. Apache-2.0, MIT, "
        "LicenseRef-Proprietary.",
    )
    owner: Owner | None = Field(
        default=None, description="Who answers for the model: a team or an address."
    )

    def tags(self) -> dict[str, str]:
        """The registered-model tags for the fields given."""
        values = {
            model_tags.TASK: self.task,
            model_tags.INDUSTRY: self.industry,
            model_tags.LICENCE: self.licence,
            model_tags.OWNER: self.owner,
        }
        return {key: value for key, value in values.items() if value is not None}

    def is_empty(self) -> bool:
        return self.description is None and not self.tags()


def write_listing(client: MlflowClient, name: str, listing: ModelListing) -> list[str]:
    """Write the given fields on registered model ``name``; return the fields written.

    Call it only once the caller may write ``name`` (its tenant owns it, see
    :func:`airloom.tenancy.registry.claim_model`).
    """
    written = []
    if listing.description is not None:
        client.update_registered_model(name, description=listing.description)
        written.append("description")
    for key, value in listing.tags().items():
        client.set_registered_model_tag(name, key, value)
        written.append(key.removeprefix(model_tags.PREFIX))
    return written
