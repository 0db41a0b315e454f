"""A run keeps the version it started with, on the real stack (issue 11).

The stack's builder publishes each version as a commit of a git repository that Airflow reads
as a versioned DAG bundle. Version 1 of a two-node design is triggered; while its first task
runs, version 2 (other datasets, another chunk size) is published and triggered. Every task of
the first run must have used version 1's params, and every task of the second run version 2's:
the data each task wrote says which.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from servicekit.airflow_client import AirflowClient, TaskInstance
from tests.e2e.stack_api import NO_RETRIES, Builder, fresh_tenant, wait_until
from tests.harness.stack import LocalStack
from tests.integration.builder import queries
from tests.integration.builder.specs import node, spec

pytestmark = pytest.mark.e2e

WORDS = 40  # per document
DOCUMENTS = "doc_id,text\n" + "\n".join(
    f"{doc},{' '.join(f'w{doc}_{i}' for i in range(WORDS))}" for doc in range(6)
)


def design(version: int) -> dict[str, Any]:
    """Read the documents, then chunk them: both nodes name datasets of their version."""
    return spec(
        "pinned",
        defaults=NO_RETRIES,
        nodes=[
            node(
                "load",
                "file_ingest",
                {
                    "source": "lake://landing/pinned/*.csv",
                    "format": "csv",
                    "dataset": f"pinned/documents_v{version}",
                },
            ),
            node(
                "chunk",
                "chunk_documents",
                {
                    "output_dataset": f"pinned/chunks_v{version}",
                    "chunk_words": 10 * version,
                    "overlap_words": 0,
                },
                x=200,
            ),
        ],
        edges=[{"source": "load.table", "target": "chunk.table"}],
    )


def rows(area: Path, dataset: str) -> list[dict[str, Any]]:
    folder = area / dataset
    return pq.read_table(folder).to_pylist() if folder.exists() else []


def task_states(airflow: AirflowClient, run: dict[str, Any]) -> dict[str, TaskInstance]:
    return {ti.task_id: ti for ti in airflow.task_instances(run["dagId"], run["airflowRunId"])}


def failure_report(airflow: AirflowClient, run: dict[str, Any]) -> str:
    """Each task's state, and the end of a failed task's log: why the run did not succeed."""
    lines = []
    for task_id, task in task_states(airflow, run).items():
        lines.append(f"{task_id}: {task.state}")
        if task.state == "failed":
            log = airflow.task_log(run["dagId"], run["airflowRunId"], task_id, task.try_number)
            lines += [str(entry)[:500] for entry in log[-30:]]
    return "\n".join(lines)


def test_a_run_keeps_its_version_while_the_next_is_published(stack: LocalStack) -> None:
    tenant, token = fresh_tenant(stack)  # no other module's workflow in its listings
    builder = Builder(stack, token)
    airflow = stack.airflow()
    area = stack.home / "lake" / "tenants" / tenant
    (area / "landing" / "pinned").mkdir(parents=True, exist_ok=True)
    (area / "landing" / "pinned" / "documents.csv").write_text(DOCUMENTS)

    workflow_id = builder.create(design(1))
    assert builder.publish(workflow_id)["published"]
    first = builder.data(queries.TRIGGER, id=workflow_id)["triggerRun"]
    assert first["version"] == 1
    # Mid-way: the first task has started (the second cannot have: it waits for the first).
    started = {"running", "success"}
    wait_until(lambda: task_states(airflow, first)["load"].state in started, 120, 0.2)

    builder.data(queries.UPDATE, id=workflow_id, expected=1, spec=design(2))
    published = builder.data(queries.PUBLISH, id=workflow_id, version=2)["publishWorkflow"]
    assert published["published"], published["problems"]
    published_at = time.time()
    second = builder.data(queries.TRIGGER, id=workflow_id)["triggerRun"]
    assert second["version"] == 2

    for run in (first, second):
        ended = airflow.wait_for_run(run["dagId"], run["airflowRunId"], timeout=300)
        assert ended.state == "success", failure_report(airflow, run)
    # The first run's second task started after version 2 was committed: a real mid-way publish.
    chunk = task_states(airflow, first)["chunk"]
    assert chunk.start_date is not None and chunk.start_date.timestamp() > published_at

    # Each run recorded its own commit of the bundle, and each task ran its run's version.
    pinned = {
        run["airflowRunId"]: airflow.request(
            "GET", f"/dags/{run['dagId']}/dagRuns/{run['airflowRunId']}"
        )["bundle_version"]
        for run in (first, second)
    }
    assert None not in pinned.values() and len(set(pinned.values())) == 2
    documents = {v: rows(area, f"pinned/documents_v{v}") for v in (1, 2)}
    chunks = {v: rows(area, f"pinned/chunks_v{v}") for v in (1, 2)}
    assert len(documents[1]) == len(documents[2]) == 6  # one run each wrote each dataset
    assert len(chunks[1]) == 6 * WORDS // 10  # version 1: chunks of 10 words
    assert len(chunks[2]) == 6 * WORDS // 20  # version 2: chunks of 20 words
    assert {len(c["text"].split()) for c in chunks[1]} == {10}
    assert {len(c["text"].split()) for c in chunks[2]} == {20}

    # The builder reports each run with the version it ran.
    for run, version in ((first, 1), (second, 2)):
        status = builder.data(queries.RUN, id=run["id"])["run"]
        assert (status["version"], status["state"]) == (version, "success")
