"""Who owns a registered model: one rule for the marketplace and the workflow nodes alike.

MLflow's registry has one namespace for every tenant. A registered model belongs to the tenant
in its ``airloom.tenant`` tag; a model registered without one (straight through MLflow, or by a
built-in DAG) belongs to the ``default`` tenant. A workflow tags a model with its tenant when it
creates it, and adds versions only to a model its tenant owns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from airloom import model_tags
from airloom.tenancy.rules import TenantAccessDenied

if TYPE_CHECKING:
    from mlflow import MlflowClient


def owner_from_tags(tags: Mapping[str, str] | None) -> str:
    """The tenant a registered model with ``tags`` belongs to."""
    return (tags or {}).get(model_tags.TENANT) or model_tags.DEFAULT_TENANT


def model_owner(client: MlflowClient, name: str) -> str | None:
    """The tenant owning registered model ``name``; None when the registry has no such model."""
    from mlflow.exceptions import MlflowException

    try:
        model = client.get_registered_model(name)
    except MlflowException as exc:
        if exc.error_code == "RESOURCE_DOES_NOT_EXIST":
            return None
        raise
    return owner_from_tags(model.tags)


def require_owner(client: MlflowClient, name: str, tenant: str) -> None:
    """Refuse a registered model ``tenant`` does not own (a missing one is not found)."""
    owner = model_owner(client, name)
    if owner is None:
        raise LookupError(f"the model registry has no model {name!r}")
    if owner != tenant:
        # The same words whether it exists elsewhere or not would leak less, but a designer
        # must know to pick another name: say it is taken, never by whom.
        raise TenantAccessDenied(
            f"registered model {name!r} belongs to another tenant; tenant {tenant!r} cannot use it"
        )


def claim_model(client: MlflowClient, name: str, tenant: str) -> None:
    """Make sure ``tenant`` owns registered model ``name``, creating it (tagged) if new.

    Two tenants racing for a new name cannot both win: the registry creates a name once.
    """
    from mlflow.exceptions import MlflowException

    if model_owner(client, name) is None:
        try:
            client.create_registered_model(name, tags={model_tags.TENANT: tenant})
            return
        except MlflowException as exc:
            if exc.error_code != "RESOURCE_ALREADY_EXISTS":
                raise
    require_owner(client, name, tenant)
