"""GraphQL types of runs: a run, its nodes, why a node failed, its log and the data it wrote.

Everything here is read for a run the caller's tenant owns: a ``Run`` is only ever built from a
row that :func:`runs.get_run` or a tenant's listing returned, and its nodes carry that run.
"""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from workflow_builder_api import models
from workflow_builder_api.graphql.airflow_errors import reaching_airflow
from workflow_builder_api.graphql.types import Info, Workflow
from workflow_builder_api.services import previews, run_details
from workflow_builder_api.services.errors import InvalidInput
from workflow_builder_api.services.run_history import run_type
from workflow_builder_api.services.runs import NodeStatus, RunRef, RunStatus

DEFAULT_LOG_LINES = 50
DEFAULT_PREVIEW_ROWS = 20


@strawberry.type(description="A column of a data preview.")
class PreviewColumn:
    name: str
    type: str = strawberry.field(description="Its Arrow type, e.g. int64, string, timestamp[us].")


@strawberry.type(description="The first rows of the dataset a node wrote (as it is now).")
class DataPreview:
    dataset: str = strawberry.field(description="The dataset's name, as the design names it.")
    port: str
    columns: list[PreviewColumn]
    rows: JSON = strawberry.field(description="Rows, each a list of values in column order.")
    row_count: int = strawberry.field(description="Rows the whole dataset holds.")
    more_columns: int = strawberry.field(
        description=f"Columns past the first {previews.MAX_COLUMNS}, left out."
    )

    @classmethod
    def of(cls, preview: previews.Preview) -> DataPreview:
        return cls(
            dataset=preview.dataset,
            port=preview.port,
            columns=[PreviewColumn(name=c.name, type=c.type) for c in preview.columns],
            rows=preview.rows,
            row_count=preview.row_count,
            more_columns=preview.more_columns,
        )


@strawberry.type(description="A node's task in a run.")
class NodeRun:
    node_id: str
    type: str | None
    state: str | None
    try_number: int
    start: datetime | None
    end: datetime | None
    log_url: str | None = strawberry.field(
        description="The task in Airflow's UI (needs an Airflow login; logTail does not)."
    )
    run: strawberry.Private[RunRef]

    @classmethod
    def of(cls, status: NodeStatus) -> NodeRun:
        return cls(
            node_id=status.node_id,
            type=status.node_type,
            state=status.state,
            try_number=status.try_number,
            start=status.start,
            end=status.end,
            log_url=status.log_url,
            run=status.run,
        )

    @strawberry.field(
        description="Why the node failed, in one line (the error's own message); null unless "
        "its latest try failed."
    )
    async def error(self, info: Info) -> str | None:
        if self.state not in run_details.FAILED_STATES:
            return None
        with reaching_airflow():
            return await info.context.blocking(
                run_details.node_error,
                info.context.runtime.airflow,
                self.run.dag_id,
                self.run.airflow_run_id,
                self.node_id,
                self.try_number,
            )

    @strawberry.field(
        description=f"The last lines of the latest try's log (1 to {run_details.MAX_LOG_LINES}); "
        "null before the node's first try."
    )
    async def log_tail(self, info: Info, lines: int = DEFAULT_LOG_LINES) -> str | None:
        if not 1 <= lines <= run_details.MAX_LOG_LINES:
            raise InvalidInput(f"lines must be between 1 and {run_details.MAX_LOG_LINES}")
        with reaching_airflow():
            return await info.context.blocking(
                run_details.log_tail,
                info.context.runtime.airflow,
                self.run.dag_id,
                self.run.airflow_run_id,
                self.node_id,
                self.try_number,
                lines,
            )

    @strawberry.field(
        description=f"The columns and first rows (1 to {previews.MAX_ROWS}) of the dataset the "
        "node wrote on a table output (its first, or `port`); null until it has written one."
    )
    async def preview(
        self, info: Info, rows: int = DEFAULT_PREVIEW_ROWS, port: str | None = None
    ) -> DataPreview | None:
        with reaching_airflow():
            found = await info.context.blocking(
                previews.node_output,
                info.context.runtime.airflow,
                info.context.settings.lake_uri,
                tenant=self.run.tenant,
                dag_id=self.run.dag_id,
                run_id=self.run.airflow_run_id,
                node_id=self.node_id,
                node_type=self.type,
                port=port,
                rows=rows,
            )
        return DataPreview.of(found) if found is not None else None


@strawberry.type
class Run:
    id: strawberry.ID
    workflow_id: strawberry.ID
    version: int = strawberry.field(description="The workflow version the run ran.")
    dag_id: str
    airflow_run_id: str
    run_type: str = strawberry.field(
        description="How it started: manual, scheduled, asset_triggered or backfill."
    )
    conf: JSON
    triggered_by: str = strawberry.field(
        description="Who started it: a builder user, 'schedule', 'asset', or 'airflow' (its UI)."
    )
    created_at: datetime
    recorded_state: str = strawberry.field(
        description="The state last seen by the builder (no call to Airflow)."
    )

    @classmethod
    def of(cls, row: models.Run) -> Run:
        return cls(
            id=strawberry.ID(row.id),
            workflow_id=strawberry.ID(row.workflow_id),
            version=row.version,
            dag_id=row.dag_id,
            airflow_run_id=row.airflow_run_id,
            run_type=run_type(row.airflow_run_id),
            conf=row.conf,
            triggered_by=row.triggered_by,
            created_at=row.created_at,
            recorded_state=row.state,
        )

    async def _status(self, info: Info) -> RunStatus:
        return await info.context.statuses.load(str(self.id))

    @strawberry.field(description="The workflow this run belongs to.")
    async def workflow(self, info: Info) -> Workflow:
        return Workflow.of(await info.context.workflows.load(str(self.workflow_id)))

    @strawberry.field(description="The run's state in Airflow now.")
    async def state(self, info: Info) -> str:
        return (await self._status(info)).state

    @strawberry.field
    async def start(self, info: Info) -> datetime | None:
        return (await self._status(info)).start

    @strawberry.field
    async def end(self, info: Info) -> datetime | None:
        return (await self._status(info)).end

    @strawberry.field(description="Every node of the run's version, with its task's state.")
    async def nodes(self, info: Info) -> list[NodeRun]:
        return [NodeRun.of(node) for node in (await self._status(info)).nodes]


@strawberry.type(
    description="A node's state changed in a run (node set), or the run's own state (node null)."
)
class RunUpdate:
    run_id: strawberry.ID
    run_state: str
    node: NodeRun | None
