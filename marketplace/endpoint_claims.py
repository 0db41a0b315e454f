"""The ``endpoints`` table: which tenant and target hold an endpoint name, and the deployment
lock, claimed in one transaction so concurrent deploys to one endpoint start one run.

A claim is an insert (a new name: the primary key lets one insert win) or a conditional update
on the run id the request saw (an existing name: the first update changes it, so the others
match no row). A claim whose run has ended is released by whoever reads it next.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace.checks import refresh_run_state
from marketplace.errors import Conflict, NotFound
from marketplace.models import CheckRun, Endpoint, utcnow
from servicekit.airflow_client import TERMINAL_RUN_STATES, AirflowClient

# A claim whose run Airflow does not know yet is the claimer still starting it; past this, the
# claimer died between its claim and its trigger, and the claim is stale.
CLAIM_GRACE = timedelta(seconds=60)


@dataclass(frozen=True)
class Claim:
    """A claimed endpoint, and its row as it was before (None: the name was new)."""

    name: str
    run_id: str
    previous: Endpoint | None


def status_url(run_id: str) -> str:
    return f"/api/v1/deployments/{quote(run_id, safe='')}"


def taken(name: str) -> Conflict:
    return Conflict(f"endpoint name {name!r} is taken; choose another endpoint name")


def busy_conflict(name: str, run_id: str) -> Conflict:
    return Conflict(
        f"a deployment to endpoint {name!r} is already in flight (run {run_id}); "
        f"follow it at {status_url(run_id)} and try again once it has ended"
    )


def owned_endpoint(session: Session, tenant: str, name: str) -> Endpoint:
    """The endpoint's row if ``tenant`` holds it; 404 otherwise, exactly as for a missing one."""
    row = session.get(Endpoint, name)
    if row is None or row.tenant != tenant:
        raise NotFound(f"endpoint {name!r} not found")
    return row


def release_if_ended(session: Session, airflow: AirflowClient | None, row: Endpoint) -> bool:
    """Release the claim of an endpoint whose run has ended (or never started); True if the
    endpoint is free of a deployment in flight."""
    if not row.busy:
        return True
    run = session.scalar(select(CheckRun).where(CheckRun.run_id == row.run_id).limit(1))
    if run is not None:
        if airflow is not None:
            refresh_run_state(session, airflow, run)
        ended = run.state in TERMINAL_RUN_STATES
    else:  # the claimer has not recorded its run (yet)
        ended = _aware(row.updated_at) < utcnow() - CLAIM_GRACE
    if ended:
        session.execute(
            update(Endpoint)
            .where(Endpoint.name == row.name, Endpoint.run_id == row.run_id)
            .values(busy=False)
        )
        session.commit()
        session.refresh(row)
    return not row.busy


def claim(
    session: Session,
    airflow: AirflowClient,
    *,
    name: str,
    tenant: str,
    target: str,
    model_name: str,
    run_id: str,
    holder: Callable[[str, str], str | None],
) -> Claim:
    """Take ``name`` for a deployment run ``run_id`` of ``tenant``, or raise 409 saying why.

    :param holder: the tenant a target records for an endpoint (None: free), so a name made
        elsewhere (a workflow's ``deploy`` node) or still held at its target is not taken.
    """
    row = session.get(Endpoint, name)
    if row is not None and not release_if_ended(session, airflow, row):
        # Another tenant learns only that the name is taken, nothing of its runs.
        raise busy_conflict(name, row.run_id) if row.tenant == tenant else taken(name)
    targets = {target} | ({row.target} if row is not None else set())
    if any(holder(name, each) not in (None, tenant) for each in sorted(targets)):
        raise taken(name)
    values = {
        "tenant": tenant,
        "target": target,
        "model_name": model_name,
        "run_id": run_id,
        "busy": True,
        "updated_at": utcnow(),
    }
    previous = _snapshot(row) if row is not None else None
    try:
        if row is None:
            session.add(Endpoint(name=name, **values))
            session.commit()
        else:
            won = session.execute(
                update(Endpoint)
                .where(Endpoint.name == name, Endpoint.run_id == row.run_id)
                .values(**values)
            )
            if won.rowcount != 1:
                raise _LostRace
            session.commit()
    except (IntegrityError, _LostRace):
        session.rollback()
        current = session.get(Endpoint, name, populate_existing=True)
        if current is None or current.tenant != tenant:
            raise taken(name) from None
        raise busy_conflict(name, current.run_id) from None
    return Claim(name=name, run_id=run_id, previous=previous)


def undo(session: Session, claim_: Claim) -> None:
    """Give the endpoint back as it was: the run of ``claim_`` was never started."""
    session.rollback()
    mine = (Endpoint.name == claim_.name) & (Endpoint.run_id == claim_.run_id)
    if claim_.previous is None:
        session.execute(delete(Endpoint).where(mine))
    else:
        before = claim_.previous
        session.execute(
            update(Endpoint)
            .where(mine)
            .values(
                tenant=before.tenant,
                target=before.target,
                model_name=before.model_name,
                run_id=before.run_id,
                busy=False,
                updated_at=before.updated_at,
            )
        )
    session.commit()


def forget(session: Session, name: str, tenant: str) -> None:
    """Drop a deleted endpoint's row (its runs stay, for the audit)."""
    session.execute(delete(Endpoint).where(Endpoint.name == name, Endpoint.tenant == tenant))
    session.commit()


class _LostRace(Exception):
    """Another request's conditional update came first."""


def _snapshot(row: Endpoint) -> Endpoint:
    return Endpoint(
        name=row.name,
        tenant=row.tenant,
        target=row.target,
        model_name=row.model_name,
        run_id=row.run_id,
        busy=row.busy,
        updated_at=row.updated_at,
    )


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; every time stored here is UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
