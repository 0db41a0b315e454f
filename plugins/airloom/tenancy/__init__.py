"""Tenants: every name a workflow holds resolves inside its tenant (see :mod:`.scope`).

Built-in DAGs are the platform's own code and run without a scope; every workflow the builder
publishes runs with its tenant's :class:`TenantScope`.
"""

from airloom.tenancy.grants import Grants, TenantLimits, normalise_s3
from airloom.tenancy.rules import (
    LAKE_SCHEME,
    RESERVED_TAG_PREFIX,
    TENANTS_FOLDER,
    AccessProblem,
    TenantAccessDenied,
    lake_path_problem,
)
from airloom.tenancy.scope import TENANT_PATTERN, TenantScope

__all__ = [
    "LAKE_SCHEME",
    "RESERVED_TAG_PREFIX",
    "TENANTS_FOLDER",
    "TENANT_PATTERN",
    "AccessProblem",
    "Grants",
    "TenantAccessDenied",
    "TenantLimits",
    "TenantScope",
    "lake_path_problem",
    "normalise_s3",
]
