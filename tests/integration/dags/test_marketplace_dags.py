"""The DAGs the marketplace starts on demand are created unpaused.

Airflow creates a new DAG paused unless the DAG says otherwise (`dags_are_paused_at_creation`
is true by default, locally and on MWAA), and a run triggered on a paused DAG waits in the
queue forever: a validate, benchmark or deploy button that never finishes.
"""

from __future__ import annotations

import pytest

from marketplace.checks import BENCHMARK, VALIDATION
from marketplace.deployments import DEPLOYMENT_DAG
from tests.harness.airflow import load_dagbag


@pytest.mark.parametrize("dag_id", [VALIDATION.dag_id, BENCHMARK.dag_id, DEPLOYMENT_DAG])
def test_dags_the_marketplace_triggers_are_created_unpaused(dag_id: str) -> None:
    dag = load_dagbag().dags.get(dag_id)
    assert dag is not None, f"no DAG {dag_id!r} in dags/"
    assert dag.is_paused_upon_creation is False, f"{dag_id} would be created paused"
