"""What a compiled MWAA Serverless definition calls on the worker: kept tiny and light to import.

A definition names exactly one object for its loader to build, the node's tenant scope, from
the scope's document (see :mod:`.definition`). The operator then places the node's names in
the tenant's area and refuses what the tenant was not granted at parse and at run time, exactly
as it does when the DAG factory builds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airloom.tenancy import Grants, TenantLimits, TenantScope


def tenant_scope(
    tenant: str,
    grants: Mapping[str, Any] | None = None,
    limits: Mapping[str, Any] | None = None,
) -> TenantScope:
    """The scope a published version carries, rebuilt from its document.

    :param tenant: the tenant's name.
    :param grants: :meth:`Grants.to_document` of what the tenant had at publication.
    :param limits: :meth:`TenantLimits.to_document` of its quotas then.
    """
    return TenantScope(tenant, Grants.from_document(grants), TenantLimits.from_document(limits))
