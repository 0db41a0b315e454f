"""What a node's AWS calls used: counted while it runs, returned in its output and sent once
per task try as an ``aws_usage`` activity event, which the insights service prices."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class Usage:
    """Calls to one priced operation of one service.

    :param service: the AWS service (``comprehend``, ``textract`` …).
    :param operation: the priced operation (``detect_sentiment``, ``analyze_document`` …).
    :param unit: what one billed unit is (``100 characters``, ``page``, ``image`` …).
    """

    service: str
    operation: str
    unit: str
    requests: int = 0
    units: float = 0.0
    retries: int = 0
    failed_rows: int = 0

    def called(self, units: float, response: Mapping[str, Any] | None = None) -> None:
        """One request, billed ``units``; its retries (throttling) read from ``response``."""
        from airloom.aws_ai.clients import retries_of

        self.requests += 1
        self.units += units
        if response is not None:
            self.retries += retries_of(dict(response))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def report(self, context: Mapping[str, Any], node_type: str) -> None:
        """Send the ``aws_usage`` event for the task of ``context``; never raises."""
        from airloom.activity.events import AwsUsageEvent
        from airloom.activity.ownership import owner_in
        from airloom.activity.producer import emit_new

        try:
            owner = owner_in(context)
            ti = context["ti"]
            emit_new(
                AwsUsageEvent,
                tenant=owner.tenant,
                workflow=owner.workflow,
                workflow_version=owner.workflow_version,
                dag_id=ti.dag_id,
                run_id=ti.run_id,
                task_id=ti.task_id,
                node_type=node_type,
                **self.as_dict(),
            )
        except Exception:  # usage is reported, never a reason to fail the work it describes
            log.exception("could not report the usage of %s", self.service)


def text_units(text: str, per: int = 100, minimum: int = 3) -> int:
    """Billed units of ``text`` for services priced per ``per`` characters with a minimum per
    request (Amazon Comprehend: units of 100 characters, at least 3 per document)."""
    return max(minimum, -(-len(text) // per))
