"""``model_registered`` and ``model_promoted`` from the tasks that register and promote models.

Called by the operators right after the registry changed; like every producer call, these
never raise into the task (a problem is logged and counted as a failed send).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from airloom.activity.events import ModelPromotedEvent, ModelRegisteredEvent
from airloom.activity.ownership import owner_in
from airloom.activity.producer import emit_new

log = logging.getLogger(__name__)


def model_registered(context: Mapping[str, Any], model: str, version: int | str) -> None:
    """``model``'s ``version`` was registered by the task of ``context``."""
    _send(context, ModelRegisteredEvent, model=model, model_version=int(version))


def model_promoted(context: Mapping[str, Any], model: str, version: int | str, alias: str) -> None:
    """``alias`` (``challenger``, ``champion``) moved to ``model``'s ``version``."""
    _send(context, ModelPromotedEvent, model=model, model_version=int(version), alias=alias)


def _send(context: Mapping[str, Any], event_type: Any, **fields: Any) -> None:
    try:
        owner = owner_in(context)
    except Exception:  # an odd context must not fail the task that changed the registry
        log.exception("could not tell whose %s this is", event_type.__name__)
        return
    emit_new(event_type, tenant=owner.tenant, workflow=owner.workflow, **fields)
