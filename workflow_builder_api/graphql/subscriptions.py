"""Subscriptions: a run's node states as they change, until the run finishes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import strawberry
from sqlalchemy.orm import Session

from servicekit.airflow_client import AirflowClient
from workflow_builder_api.graphql.airflow_errors import reaching_airflow
from workflow_builder_api.graphql.run_types import NodeRun, RunUpdate
from workflow_builder_api.graphql.types import Info
from workflow_builder_api.services import runs
from workflow_builder_api.services.auth import Principal
from workflow_builder_api.services.runs import RunStatus

# Task states after which a task does nothing more in this try.
ENDED = frozenset({"success", "failed", "skipped", "upstream_failed", "removed"})
# Every node has ended but the run has not: the scheduler marks it within a loop, so the
# stream looks again this soon rather than a whole poll interval later.
SETTLING_SECONDS = 0.2


def _status(
    session: Session, principal: Principal, run_id: str, airflow: AirflowClient
) -> RunStatus:
    run = runs.get_run(session, principal, run_id)
    return runs.run_status(session, airflow, run)


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Each node's state as it changes (first every node's current state), and "
        "the run's state when it changes (node null); ends when the run has finished."
    )
    async def run_updates(self, info: Info, run_id: strawberry.ID) -> AsyncGenerator[RunUpdate]:
        context = info.context
        principal = await context.principal()
        poll = context.settings.run_poll_seconds
        seen: dict[str, tuple[str | None, int]] = {}
        run_state: str | None = None
        while True:
            # Checked on every poll: the caller must still see the run (tenant, token).
            with reaching_airflow():
                status = await context.db(_status, principal, str(run_id), context.runtime.airflow)
            for node in status.nodes:
                key = (node.state, node.try_number)
                if seen.get(node.node_id) != key:
                    seen[node.node_id] = key
                    yield RunUpdate(run_id=run_id, run_state=status.state, node=NodeRun.of(node))
            if status.state != run_state:
                run_state = status.state
                yield RunUpdate(run_id=run_id, run_state=status.state, node=None)
            if status.finished:
                return
            settling = bool(status.nodes) and all(node.state in ENDED for node in status.nodes)
            await asyncio.sleep(min(poll, SETTLING_SECONDS) if settling else poll)
