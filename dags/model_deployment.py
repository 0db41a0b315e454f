"""Deploy one registered model version to a serving target, then make it the champion.

Conf: ``{"model_name": "churn", "version": 3, "target": "local", "endpoint": "churn",
"deployed_by": "alice@acme", "reason": "better recall", "tenant": "acme",
"action": "deploy", "require_validation": true}``; unknown keys are refused.

One task, ``rollout``, runs the whole deployment and defers wherever it waits: it checks the
version (and its tenant); with ``require_validation`` it accepts only a validation that a
successful ``model_validation`` run recorded, and validates a version never validated first
(it triggers that DAG and waits for the run); it creates or updates the endpoint at the target
(``local``: Airloom's serving process, ``sagemaker``: SageMaker through MLflow's client) and
waits until it answers with the new version, putting the previous version back if it does not;
then it moves the ``champion`` alias and records who, when, from which version to which and
why in the registered model's deployment history. The XCom ``deployment`` says which phase it
is in (``validating``, ``deploying``, ``ready``, ``failed``, with the reason and the validation
report). A rollback is the same run with ``"action": "rollback"``. The marketplace starts this
DAG for its deploy and rollback buttons; a workflow's ``deploy`` node runs the same rollout.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import DAG, Param

from airloom.operators.deploy import ModelDeploymentOperator

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
    # The time it works (gate, serve, promote); its waits are deferred and not counted.
    ModelDeploymentOperator(task_id="rollout", execution_timeout=timedelta(minutes=10))
