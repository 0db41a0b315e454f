"""Whose activity a DAG's run is: the workflow's tags, else the run's conf, else default."""

from __future__ import annotations

from airloom.activity.ownership import Owner, node_type_of, owner_of
from airloom.operators.mlflow import TrainModelOperator
from airloom.workflow.factory import dag_id_for, legacy_dag_id

TAGS = ["sales", "airloom-workflow", "tenant:acme", "version:7", "workflow:0f3a"]


def test_a_published_workflow_is_its_tenants_by_name_and_version() -> None:
    assert owner_of(dag_id_for("acme", "churn"), TAGS, None) == Owner("acme", "churn", 7)
    assert owner_of(legacy_dag_id("acme", "churn"), TAGS, None) == Owner("acme", "churn", 7)


def test_a_workflows_own_tags_win_over_a_conf_naming_another_tenant() -> None:
    owner = owner_of(dag_id_for("acme", "churn"), TAGS, {"tenant": "globex"})
    assert owner.tenant == "acme"


def test_a_built_in_dag_is_defaults_unless_its_run_names_a_tenant() -> None:
    assert owner_of("model_deployment", ["airloom"], None) == Owner(
        "default", "model_deployment", None
    )
    assert owner_of("model_deployment", [], {"tenant": "acme"}).tenant == "acme"


def test_a_conf_tenant_that_is_not_a_tenant_name_is_ignored() -> None:
    for odd in ("../etc", "ACME", 42, ""):
        assert owner_of("model_validation", [], {"tenant": odd}).tenant == "default"


def test_a_node_is_its_builder_type_and_any_other_task_its_class() -> None:
    class Plain:
        pass

    assert node_type_of(TrainModelOperator.__new__(TrainModelOperator)) == "train"
    assert node_type_of(Plain()) == "Plain"
    assert node_type_of(None) == "unknown"
