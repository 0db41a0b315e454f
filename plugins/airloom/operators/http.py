"""HTTP ingestion: every record of a paginated JSON API into a lake dataset."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from airflow.sdk import Context
from pydantic import Field, field_validator

from airloom.catalog import NodeParams, Port, PortType
from airloom.catalog.resources import (
    ConnectionRef,
    DatasetRef,
    PlatformConnection,
)
from airloom.connections import LAKE_CONN_ID
from airloom.ingest.landing import REPLACE, IngestWriteMode
from airloom.lake import check_dataset_name, dataset_path
from airloom.operators.base import AirloomOperator


class HttpIngestParams(NodeParams):
    endpoint: str = Field(
        description="Path under the connection's base URL, e.g. '/v1/orders'.", min_length=1
    )
    http_conn_id: ConnectionRef = Field(
        default="http_default",
        description="HTTP connection: base URL, authentication and headers (in its extra).",
    )
    records_path: str = Field(
        default="",
        description="Dotted path to the list of records in each response, e.g. 'data.items'; "
        "empty when the response is the list.",
    )
    pagination: Literal["none", "next_link", "page", "offset"] = Field(
        default="none",
        description="next_link: follow the URL at next_link_path; page: send page=1, 2, … until "
        "a page is empty; offset: send offset and limit until a page is short.",
    )
    next_link_path: str = Field(default="next", description="next_link: where the URL is.")
    page_param: str = Field(default="page", description="page: the page number's parameter.")
    first_page: int = Field(default=1, ge=0, description="page: the first page's number.")
    offset_param: str = Field(default="offset", description="offset: the offset's parameter.")
    limit_param: str = Field(default="limit", description="offset: the page size's parameter.")
    page_size: int = Field(default=100, ge=1, le=100_000, description="offset: records per page.")
    max_pages: int = Field(
        default=100, ge=1, le=100_000, description="Most requests; more pages fail the node."
    )
    query: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="Query parameters sent with every request."
    )
    headers: dict[str, str] = Field(
        default_factory=dict, description="Headers added to the connection's."
    )
    dataset: DatasetRef = Field(
        description="Lake dataset to write the records to, e.g. 'crm/tickets'."
    )
    write_mode: IngestWriteMode = Field(
        default=REPLACE,
        description="replace: the dataset becomes the latest records (a mirror of the source); "
        "append: each run adds its records as a new batch, keeping history. In both modes a "
        "rerun of the same run replaces its own output.",
    )
    lake_conn_id: PlatformConnection = Field(default=LAKE_CONN_ID, description="Lake connection.")

    @field_validator("dataset")
    @classmethod
    def _dataset_name(cls, value: str) -> str:
        return check_dataset_name(value)

    @field_validator("endpoint")
    @classmethod
    def _a_path(cls, value: str) -> str:
        if "://" in value:
            raise ValueError("give a path; the scheme and host come from the HTTP connection")
        return value


class HttpIngestOperator(AirloomOperator):
    """Read every page of a JSON API through an Airflow HTTP connection into a lake dataset.

    Pages are fetched with the HTTP provider's ``HttpHook``, following a next link, page numbers
    or offsets, up to ``max_pages`` requests. The records of all pages (nested objects as struct
    columns) replace the dataset by default; with ``write_mode="append"`` they become one more
    Parquet file named after the task and DAG run, so a retry replaces its earlier output either
    way (:mod:`airloom.ingest.landing`). A failed request or an unexpected page fails the task
    naming the page.

    Internal addresses are refused (``GuardedHttpHook``): loopback, private, link-local,
    carrier-grade NAT, multicast, reserved and cloud metadata, judged on every address the host
    resolves to, on every redirect hop and on the address connected to. Only the connection's
    admin widens this, listing CIDRs under ``airloom_allowed_networks`` in its extra; nothing in
    the node's params can. Links and redirects never leave the connection's base URL.

    :param endpoint: path under the connection's base URL.
    :param http_conn_id: HTTP connection.
    :param records_path: dotted path to each page's records.
    :param pagination: ``none``, ``next_link``, ``page`` or ``offset``.
    :param max_pages: most requests.
    :param query: query parameters.
    :param dataset: lake dataset to write the records to.
    :param write_mode: ``replace`` (default) or ``append``.
    """

    node_type = "http_ingest"
    category = "ingest"
    description = (
        "Reads every page of a JSON API through an Airflow HTTP connection (following next "
        "links, page numbers or offsets) into a Parquet dataset in the lake: by default the "
        "dataset becomes the latest records; in append mode each run adds its own batch. "
        "Nested objects become struct columns; a failed request or an unexpected page fails the "
        "node naming the page and its URL. Internal addresses (loopback, private networks, cloud "
        "metadata) are refused unless the connection's admin allows them."
    )
    params_model = HttpIngestParams
    output_ports = (Port("table", PortType.TABLE, "The dataset the records were added to."),)
    ui_color = "#e3f1dc"
    dataset_params = ("dataset",)

    def run(
        self, params: HttpIngestParams, inputs: Mapping[str, Any], context: Context
    ) -> dict[str, Any]:
        from airloom.hooks.http import GuardedHttpHook
        from airloom.ingest.http_pages import Pagination, fetch_records
        from airloom.ingest.landing import land
        from airloom.ingest.naming import run_file_name
        from airloom.ingest.tables import records_to_table

        label = f"node {self.task_id!r}"
        pagination = Pagination(
            style=params.pagination,
            next_link_path=params.next_link_path,
            page_param=params.page_param,
            first_page=params.first_page,
            offset_param=params.offset_param,
            limit_param=params.limit_param,
            page_size=params.page_size,
            max_pages=params.max_pages,
        )
        records, pages = fetch_records(
            GuardedHttpHook(method="GET", http_conn_id=params.http_conn_id),
            params.endpoint,
            params.records_path,
            pagination,
            label,
            query=params.query,
            headers=params.headers,
        )
        table = records_to_table(records, f"{label}: {params.endpoint}")
        dataset_uri = str(dataset_path(params.dataset, params.lake_conn_id))
        land(table, dataset_uri, params.write_mode, run_file_name(context))
        self.log.info("Wrote %d records from %d pages to %s", table.num_rows, pages, dataset_uri)
        return {"table": dataset_uri, "rows": table.num_rows, "pages": pages}
