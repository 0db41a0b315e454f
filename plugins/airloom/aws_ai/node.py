"""The base of the nodes that call AWS AI services: their shared params, input and output.

A subclass names its service's params model (extending :class:`AwsAiParams`) and implements
:meth:`AwsAiOperator.run`, typically: read the input column, :func:`~airloom.aws_ai.rows.
call_in_batches`, then :meth:`AwsAiOperator.finish` with the outcomes and the usage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from airflow.sdk import Context
from pydantic import Field, field_validator

from airloom.catalog import NodeParams, Port, PortType
from airloom.catalog.resources import AwsConnectionRef, DatasetRef, PlatformConnection
from airloom.connections import LAKE_CONN_ID
from airloom.lake import check_dataset_name
from airloom.operators.base import AirloomOperator

AWS_CONN_ID = "aws_default"


class AwsAiParams(NodeParams):
    output_dataset: DatasetRef = Field(
        description="Lake dataset to write: the input's rows with the results and an error "
        "column, row for row."
    )
    aws_conn_id: AwsConnectionRef = Field(
        default=AWS_CONN_ID,
        description="AWS connection granted to the tenant: the account, region and "
        "credentials the calls use.",
    )
    region_name: str | None = Field(
        default=None,
        pattern=r"^[a-z]{2}(-[a-z]+)+-\d$",
        description="AWS region; the connection's when empty.",
    )
    lake_conn_id: PlatformConnection = Field(default=LAKE_CONN_ID, description="Lake connection.")

    @field_validator("output_dataset")
    @classmethod
    def _dataset_name(cls, value: str) -> str:
        return check_dataset_name(value)


class AwsAiOperator(AirloomOperator):
    """A node calling one AWS AI service over the rows of a lake table (see the module)."""

    category = "aws"
    ui_color = "#fbe7c6"
    params_model: ClassVar[type[NodeParams]] = AwsAiParams
    input_ports = (Port("table", PortType.TABLE, "The rows to process."),)
    output_ports = (
        Port("table", PortType.TABLE, "The input's rows, with results and an error column."),
    )
    dataset_params = ("output_dataset",)

    def read_rows(self, inputs: Mapping[str, Any], *columns: str) -> Any:
        """The input table; fails naming the node and the columns it lacks."""
        from airloom.datasets import read_table

        table = read_table(str(inputs["table"]))
        missing = [column for column in columns if column not in table.column_names]
        if missing:
            raise ValueError(
                f"node {self.task_id!r}: the input has no column(s) {missing}; "
                f"it has {table.column_names}"
            )
        return table

    def finish(
        self,
        params: AwsAiParams,
        context: Context,
        table: Any,
        outcomes: Sequence[Any],
        usage: Sequence[Any],
    ) -> dict[str, Any]:
        """Write ``table`` (already row-aligned) as the output dataset, report ``usage`` and
        return the node's outputs: the table, its rows, the failed rows and the usage."""
        from airloom.aws_ai.rows import RowError
        from airloom.datasets import write_table
        from airloom.lake import dataset_path

        failed = sum(isinstance(outcome, RowError) for outcome in outcomes)
        for item in usage:  # before the write: the calls are billed whether or not it succeeds
            item.failed_rows = failed
            item.report(context, self.node_type)
        uri = str(dataset_path(params.output_dataset, params.lake_conn_id))
        # The latest results, as a rerun of the same input gives: never a second copy.
        write_table(table, uri, self.node_type)
        self.log.info("Wrote %d rows (%d with an error) to %s", table.num_rows, failed, uri)
        return {
            "table": uri,
            "rows": table.num_rows,
            "failed_rows": failed,
            "usage": [item.as_dict() for item in usage],
        }
