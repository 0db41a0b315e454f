"""How much the workflow builder adds to a run's latency, against Airflow's REST API directly.

Starts the local stack (`airloom up` on free loopback ports, a fresh state folder), publishes a
one-node workflow through the builder and measures, for the same one-task DAG:

- builder: ``triggerRun`` sent → the task running (its ``start_date`` in Airflow), and the
  task's ``end_date`` → ``runUpdates`` (the subscription a client watches) saying ``success``;
- baseline: ``POST /api/v2/dags/{id}/dagRuns`` sent → the task running, and its end → a client
  polling ``GET …/dagRuns/{run}`` every 0.25 s seeing ``success``.

Rounds alternate between the two so both meet the same load. Prints the medians and the
builder's ratio to the baseline (goal: at most 1.5 times the baseline).

    .venv/bin/python bench/trigger_latency.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._stack import local_stack
from servicekit.airflow_client import RestAirflowClient

BASELINE_POLL = 0.25
DESIGN = {
    "apiVersion": "airloom/v1",
    "kind": "Workflow",
    "metadata": {"name": "latency", "title": "Latency"},
    "defaults": {"retries": 0, "retryDelaySeconds": 0},
    "nodes": [
        {
            "id": "load",
            "type": "file_ingest",
            "params": {
                "source": "lake://landing/latency/*.csv",
                "format": "csv",
                "dataset": "latency/rows",
            },
            "ui": {"x": 0, "y": 0},
        }
    ],
    "edges": [],
}
RUN_UPDATES = """subscription($runId: ID!) {
  runUpdates(runId: $runId) { runState node { nodeId state } }
}"""


def stack() -> Any:
    return local_stack()


class Builder:
    def __init__(self, env: dict[str, str]) -> None:
        self.url = f"127.0.0.1:{env['AIRLOOM_BUILDER_PORT']}/graphql"
        token = json.loads((Path(env["AIRLOOM_HOME"]) / "credentials.json").read_text())
        self.token = token["builder_token"]

    def data(self, query: str, **variables: Any) -> dict[str, Any]:
        response = httpx.post(
            f"http://{self.url}",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=300,
        )
        body = response.json()
        if body.get("errors"):
            sys.exit(f"builder error: {body['errors']}")
        return body["data"]

    def success_seen_at(self, run_id: str) -> float:
        """When ``runUpdates`` says the run succeeded (the stream ends with the run's state)."""
        with connect(f"ws://{self.url}", subprotocols=["graphql-transport-ws"]) as ws:
            ws.send(
                json.dumps(
                    {
                        "type": "connection_init",
                        "payload": {"Authorization": f"Bearer {self.token}"},
                    }
                )
            )
            json.loads(ws.recv())
            ws.send(
                json.dumps(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {"query": RUN_UPDATES, "variables": {"runId": run_id}},
                    }
                )
            )
            while True:
                message = json.loads(ws.recv())
                if message["type"] != "next":
                    sys.exit(f"runUpdates ended without success: {message}")
                update = message["payload"]["data"]["runUpdates"]
                if update["node"] is None and update["runState"] == "success":
                    return time.time()
                if update["runState"] == "failed":
                    sys.exit(f"run {run_id} failed")


def task_times(airflow: RestAirflowClient, dag_id: str, run_id: str) -> tuple[float, float]:
    (task,) = airflow.task_instances(dag_id, run_id)
    assert task.start_date and task.end_date, task
    return task.start_date.timestamp(), task.end_date.timestamp()


def through_builder(builder: Builder, airflow: RestAirflowClient, workflow_id: str) -> tuple:
    sent = time.time()
    run = builder.data(
        "mutation($id: ID!) { triggerRun(id: $id) { id dagId airflowRunId } }", id=workflow_id
    )["triggerRun"]
    answered = time.time()
    seen = builder.success_seen_at(run["id"])
    started, ended = task_times(airflow, run["dagId"], run["airflowRunId"])
    return started - sent, seen - ended, answered - sent


def through_rest(airflow: RestAirflowClient, dag_id: str) -> tuple:
    sent = time.time()
    run = airflow.trigger(dag_id)
    answered = time.time()
    while (state := airflow.get_run(dag_id, run.run_id).state) != "success":
        if state == "failed":
            sys.exit(f"run {run.run_id} failed")
        time.sleep(BASELINE_POLL)
    seen = time.time()
    started, ended = task_times(airflow, dag_id, run.run_id)
    return started - sent, seen - ended, answered - sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    with stack() as env:
        home = Path(env["AIRLOOM_HOME"])
        landing = home / "lake" / "tenants" / "default" / "landing" / "latency"
        landing.mkdir(parents=True, exist_ok=True)
        (landing / "rows.csv").write_text("id,value\n1,10\n2,20\n")
        builder = Builder(env)
        passwords = json.loads((home / "airflow" / "passwords.json").read_text())
        airflow = RestAirflowClient(
            f"http://127.0.0.1:{env['AIRLOOM_AIRFLOW_PORT']}", "admin", passwords["admin"]
        )
        created = builder.data(
            "mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { id } }",
            input={"name": "latency", "spec": DESIGN},
        )["createWorkflow"]
        published = builder.data(
            "mutation($id: ID!) { publishWorkflow(id: $id, version: 1) { published dagId } }",
            id=created["id"],
        )["publishWorkflow"]
        # A first run through the builder waits for the DAG's first parse: not measured.
        through_builder(builder, airflow, created["id"])
        timings: dict[str, list[tuple[float, ...]]] = {"builder": [], "rest": []}
        for _ in range(rounds):
            timings["builder"].append(through_builder(builder, airflow, created["id"]))
            timings["rest"].append(through_rest(airflow, published["dagId"]))
    report(timings, rounds)


def report(timings: dict[str, list[tuple[float, ...]]], rounds: int) -> None:
    def median(name: str, part: int) -> float:
        return statistics.median(sample[part] for sample in timings[name])

    print(f"\none-task DAG, median of {rounds} runs each (seconds)")
    print(f"  {'':<34}{'builder':>9}{'REST API':>10}{'ratio':>8}")
    rows = [("trigger -> first task running", 0), ("last task end -> run success", 1)]
    for label, part in rows:
        builder, rest = median("builder", part), median("rest", part)
        print(f"  {label:<34}{builder:>9.2f}{rest:>10.2f}{builder / rest:>8.2f}")
    builder = median("builder", 0) + median("builder", 1)
    rest = median("rest", 0) + median("rest", 1)
    print(f"  {'both together':<34}{builder:>9.2f}{rest:>10.2f}{builder / rest:>8.2f}")
    answer = (median("builder", 2), median("rest", 2))
    print(f"  {'(the trigger call answered after)':<34}{answer[0]:>9.2f}{answer[1]:>10.2f}")
    print(f"ratio to the REST API baseline: {builder / rest:.2f} (goal: at most 1.50)")


if __name__ == "__main__":
    main()
