"""A tenant's scope: where its names live and what it was granted.

A workflow names things relative to its tenant; Airloom places them in the tenant's area, so
a design cannot even express another tenant's dataset, topic or experiment:

=================  =====================  ======================================
param names a      the designer writes    Airloom uses (tenant ``acme``)
=================  =====================  ======================================
dataset            ``sales/daily``        ``tenants/acme/sales/daily`` in the lake
lake file source   ``lake://landing/*``   ``<lake>/tenants/acme/landing/*``
topic              ``orders``             ``acme.orders`` (a granted topic: as is)
Kinesis stream     ``clicks``             ``acme.clicks``
consumer group     ``ingest``             ``acme.ingest``
experiment         ``churn``              ``tenants/acme/churn``
=================  =====================  ======================================

Connections (AWS ones too), ``s3://`` locations and shared topics are used only when an admin
granted them to the tenant; platform connections (lake, MLflow, Kafka, Spark) are Airloom's to
choose.
Registered models and endpoints live in shared namespaces and belong to the tenant that
created them (:mod:`airloom.tenancy.registry`, :mod:`airloom.deploy.ownership`).

This module is pure: the builder validates with it, and the operators enforce it again at
parse and run time.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from airloom.catalog.resources import Resource, resource_fields
from airloom.tenancy.grants import Grants, TenantLimits
from airloom.tenancy.rules import CHECKS, LAKE_SCHEME, TENANTS_FOLDER, AccessProblem

TENANT_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,30}$")


OwnerLookup = Callable[[str], str | None]
# A models:/ URI → the numpy type of its predictions (int64, float64, str …), None if unknown.
PredictionLookup = Callable[[str], str | None]


@dataclass(frozen=True)
class TenantScope:
    """One tenant's names and grants.

    :param model_owner: at validation, who owns a registered model (None: nobody yet); when
        absent, ownership is checked only at run time, before anything is touched.
    :param model_predictions: at validation, what a registered version predicts, from its
        signature, so a scoring node's result type is checked before it runs.
    """

    tenant: str
    grants: Grants = field(default_factory=Grants)
    limits: TenantLimits = field(default_factory=TenantLimits)
    model_owner: OwnerLookup | None = field(default=None, compare=False, repr=False)
    model_predictions: PredictionLookup | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not TENANT_PATTERN.fullmatch(self.tenant):
            raise ValueError(f"{self.tenant!r} is not a tenant name")

    # -- where names live ----------------------------------------------------------------------

    @property
    def area(self) -> str:
        """The tenant's folder in the lake, relative to the lake's root."""
        return f"{TENANTS_FOLDER}/{self.tenant}"

    def dataset(self, name: str) -> str:
        return f"{self.area}/{name}"

    def topic(self, name: str) -> str:
        return name if name in self.grants.topics else f"{self.tenant}.{name}"

    def stream(self, name: str) -> str:
        """A Kinesis stream: always the tenant's own (``acme.clicks``)."""
        return f"{self.tenant}.{name}"

    def consumer_group(self, name: str) -> str:
        return f"{self.tenant}.{name}"

    def experiment(self, name: str) -> str:
        return f"{self.area}/{name}"

    def file_source(self, source: str) -> str:
        if source.startswith(LAKE_SCHEME):
            path = posixpath.normpath(source.removeprefix(LAKE_SCHEME))
            return f"{LAKE_SCHEME}{self.dataset(path)}"
        return source

    def owns_lake_uri(self, uri: str, lake_root: str) -> bool:
        """Whether ``uri`` (a dataset's URI) lies in this tenant's area of the lake."""
        area = f"{lake_root.rstrip('/')}/{self.area}/"
        text = str(uri)
        if "://" not in text:
            text = f"file://{text}"
        return ".." not in text.split("/") and (text + "/").startswith(area)

    # -- what a node may name ------------------------------------------------------------------

    def problems(self, model: type[BaseModel], params: Mapping[str, Any]) -> list[AccessProblem]:
        """Every way ``params`` reach outside the tenant, each naming its param."""
        found: list[AccessProblem] = []
        fields = resource_fields(model)
        for name, kind in fields.items():
            if name not in params:
                default = model.model_fields[name].default
                if kind is Resource.CONNECTION and isinstance(default, str):
                    found += self.connection_problems(name, default)
                elif kind is Resource.AWS_CONNECTION and isinstance(default, str):
                    found += self.aws_connection_problems(name, default)
                continue
            value = params[name]
            if value is None:
                continue
            check = CHECKS.get(kind)
            if check is not None:
                found += check(self, name, value, model)
        return found

    def localise(self, model: type[BaseModel], params: Mapping[str, Any]) -> dict[str, Any]:
        """``params`` with every name placed in the tenant's area (defaults included)."""
        placed = dict(params)
        for name, kind in resource_fields(model).items():
            value = placed.get(name, model.model_fields[name].get_default())
            if kind is Resource.PLATFORM_CONNECTION:
                placed.pop(name, None)  # Airloom's own connection: the param's default
            elif kind is Resource.STORAGE_CONNECTION:
                placed.pop(name, None)
                location = self._granted_source(model, params)
                if location is not None:
                    placed[name] = location
            elif isinstance(value, str):
                place = PLACES.get(kind)
                if place is not None:
                    placed[name] = place(self, value)
        return placed

    def _granted_source(self, model: type[BaseModel], params: Mapping[str, Any]) -> str | None:
        """The connection of the S3 grant the node's file source lies under, if any."""
        for name, kind in resource_fields(model).items():
            value = params.get(name)
            if kind is Resource.FILE_SOURCE and isinstance(value, str):
                location = self.grants.s3_location_of(value)
                if location is not None:
                    return self.grants.s3_locations[location]
        return None

    def connection_problems(self, name: str, conn_id: str) -> list[AccessProblem]:
        if conn_id in self.grants.connections:
            return []
        return [
            AccessProblem(
                "NOT_GRANTED",
                name,
                f"connection {conn_id!r} is not granted to tenant {self.tenant!r}; "
                "ask an admin to grant it, or choose one of the tenant's connections",
            )
        ]

    def aws_connection_problems(self, name: str, conn_id: str) -> list[AccessProblem]:
        """An AWS connection is used only when granted: without one (the local stack has
        none) a node that calls AWS cannot run, and says so rather than pretend."""
        if conn_id in self.grants.connections:
            return []
        return [
            AccessProblem(
                "NOT_GRANTED",
                name,
                f"this node calls AWS through the connection {conn_id!r}, which is not granted "
                f"to tenant {self.tenant!r}; an admin must configure an AWS connection and "
                "grant it to the tenant",
            )
        ]


PLACES: dict[Resource, Callable[[TenantScope, str], str]] = {
    Resource.DATASET: TenantScope.dataset,
    Resource.CHECKPOINT: TenantScope.dataset,
    Resource.FILE_SOURCE: TenantScope.file_source,
    Resource.TOPIC: TenantScope.topic,
    Resource.KINESIS_STREAM: TenantScope.stream,
    Resource.CONSUMER_GROUP: TenantScope.consumer_group,
    Resource.EXPERIMENT: TenantScope.experiment,
}
