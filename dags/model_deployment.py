"""Deploy one registered model version to a serving target, then make it the champion.

Conf: ``{"model_name": "churn", "version": 3, "target": "local", "endpoint": "churn",
"deployed_by": "alice@acme", "reason": "better recall", "require_validation": true}``.

Steps: ``gate`` refuses a version whose validation did not pass (the ``model_validation``
DAG's tags); ``serve`` creates or updates the endpoint at the target (``local``: Airloom's
serving process, ``sagemaker``: SageMaker through MLflow's client) and returns once it is
ready, putting the previous version back if the new one does not come up; ``answers`` waits
until the endpoint answers; ``promote`` moves the ``champion`` alias and records who, when,
from which version to which and why in the registered model's deployment history. A failed
step leaves the alias where it was. The marketplace starts this DAG for its deploy and
rollback buttons; the ``deploy`` node calls the same targets.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.providers.standard.operators.python import PythonOperator
from airflow.providers.standard.sensors.python import PythonSensor
from airflow.sdk import DAG, Param

# The trigger form: what a person deploying from the Airflow UI chooses. The marketplace also
# sends deployed_by, tenant, action and require_validation; DeploymentConf checks every key.
# Left out of the form, the audit names the user who triggered the run.
DEPLOYMENT_PARAMS = {
    "model_name": Param(type="string", minLength=1, description="Registered model name"),
    "version": Param(type="integer", minimum=1, description="Model version to deploy"),
    "target": Param("local", type="string", description="Deployment target (local, sagemaker)"),
    "endpoint": Param(None, type=["null", "string"], description="Endpoint name"),
    "reason": Param("", type="string", description="Why, for the audit"),
}


def _target(conf: Any):  # type: ignore[no-untyped-def]
    from airloom.deploy import get_target
    from airloom.hooks.mlflow import MlflowHook

    hook = MlflowHook()
    return get_target(conf.target, tracking_uri=hook.tracking_uri, registry_uri=hook.registry_uri)


def gate(
    params: dict[str, Any] | None = None, dag_run: Any = None, ti: Any = None
) -> dict[str, Any]:
    """Check the conf, the version and its validation before anything changes."""
    from airflow.sdk.exceptions import AirflowFailException

    from airloom.deploy import UnknownTargetError, known_targets
    from airloom.deploy.rollout import DeploymentConf, DeploymentRefused, validation_gate
    from airloom.hooks.mlflow import MlflowHook
    from airloom.ml.registry import ModelRef, ModelVersionNotFound, get_version

    values = {key: value for key, value in dict(params or {}).items() if value is not None}
    try:
        conf = DeploymentConf.model_validate(values)
        if conf.target not in known_targets():
            raise UnknownTargetError(
                f"unknown deployment target {conf.target!r}; "
                f"known targets: {', '.join(known_targets())}"
            )
        client = MlflowHook().client()
        get_version(client, ModelRef(conf.model_name, conf.version))
        if conf.require_validation:
            # A passed tag counts only as the record of a model_validation run Airflow has.
            validation_gate(client, conf.model_name, conf.version, run_state=ti.get_dagrun_state)
    except (ValueError, ModelVersionNotFound, DeploymentRefused) as exc:
        raise AirflowFailException(str(exc)) from exc
    who = conf.deployed_by or getattr(dag_run, "triggering_user_name", None) or "airflow"
    return conf.model_copy(update={"deployed_by": who}).model_dump(mode="json")


def serve(conf_values: dict[str, Any], run_id: str | None = None) -> dict[str, Any]:
    """Create or update the endpoint; returns once the target says it is ready."""
    import json

    from airloom.deploy.rollout import DeploymentConf, serve

    conf = DeploymentConf.model_validate(conf_values)
    audit = {
        "deployed_by": conf.deployed_by,
        "reason": conf.reason,
        "tenant": conf.tenant,
        "workflow": "model_deployment",
        "run_id": run_id,
    }
    deployment = serve(_target(conf), conf.endpoint_name, conf.model_uri, audit)
    return json.loads(json.dumps(deployment, default=str))


def answers(conf_values: dict[str, Any], _deployment: dict[str, Any]) -> bool:
    """Wait until the endpoint answers with the new version."""
    from airloom.deploy.rollout import DeploymentConf, answers

    conf = DeploymentConf.model_validate(conf_values)
    return answers(_target(conf), conf.endpoint_name, conf.model_uri)


def promote(conf_values: dict[str, Any], run_id: str | None = None) -> dict[str, Any]:
    """Move ``champion`` to the version and record the deployment in the history."""
    from airloom.deploy import get_target
    from airloom.deploy.rollout import DeploymentConf
    from airloom.hooks.mlflow import MlflowHook

    conf = DeploymentConf.model_validate(conf_values)
    hook = MlflowHook()
    registry = get_target(
        "registry", tracking_uri=hook.tracking_uri, registry_uri=hook.registry_uri
    )
    reason = conf.reason or ("rollback" if conf.action == "rollback" else "")
    record = registry.create_deployment(
        conf.model_name,
        conf.model_uri,
        config={
            "deployed_by": conf.deployed_by,
            "reason": reason,
            "target": conf.target,
            "endpoint": conf.endpoint_name,
            "workflow": "model_deployment",
            "run_id": run_id,
        },
    )
    return record | {"endpoint": conf.endpoint_name, "action": conf.action}


# PythonOperator rather than @task: at every parse a task copies the DAG's Params once per
# class in its operator's hierarchy, twice for a PythonOperator, four times for @task.
with DAG(
    dag_id="model_deployment",
    schedule=None,
    # Started on demand by the marketplace: paused, its runs would wait in the queue forever.
    is_paused_upon_creation=False,
    catchup=False,
    max_active_runs=4,
    params=DEPLOYMENT_PARAMS,
    tags=["airloom", "marketplace"],
    default_args={"retries": 0},
    doc_md=__doc__,
) as dag:
    gated = PythonOperator(
        task_id="gate", python_callable=gate, execution_timeout=timedelta(minutes=2)
    )
    served = PythonOperator(
        task_id="serve",
        python_callable=serve,
        op_args=[gated.output],
        execution_timeout=timedelta(minutes=30),
    )
    ready = PythonSensor(
        task_id="answers",
        python_callable=answers,
        op_args=[gated.output, served.output],
        poke_interval=5,
        timeout=1800,
        mode="poke",
    )
    ready >> PythonOperator(
        task_id="promote",
        python_callable=promote,
        op_args=[gated.output],
        execution_timeout=timedelta(minutes=5),
    )
