"""The deploy node: roll a model version out to a target and promote it to ``champion``.

Every deployment goes through :class:`DeployModelOperator`: a workflow's ``deploy`` node, and,
as :class:`ModelDeploymentOperator`, the ``model_deployment`` DAG the marketplace starts for
its deploy and rollback buttons. One task runs the whole rollout of
:mod:`airloom.deploy.pipeline` (gate, serve, readiness, promote) and defers wherever it waits:
for a ``model_validation`` run it triggers, and for the endpoint to answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import Context
from pydantic import Field

from airloom.catalog import NodeParams, Port, PortType
from airloom.catalog.resources import EndpointRef, PlatformConnection
from airloom.connections import MLFLOW_CONN_ID
from airloom.operators.base import AIRFLOW_OUTCOMES, AirloomOperator

if TYPE_CHECKING:
    from airloom.deploy.pipeline import DeploymentStatus, Rollout
    from airloom.deploy.rollout import DeploymentConf

# How often the task looks at a model_validation run it waits for, from the triggerer.
VALIDATION_POLL_SECONDS = 5


class DeployParams(NodeParams):
    target: str = Field(
        default="local",
        min_length=1,
        description="Where to serve the model (deployment targets: registry, local, sagemaker…); "
        "the version is promoted to champion in every case.",
    )
    endpoint: EndpointRef | None = Field(
        default=None, description="Deployment (endpoint) name; default the model's name."
    )
    reason: str = Field(default="", description="Why this version is deployed, for the audit.")
    require_validation: bool = Field(
        default=False,
        description="Deploy only a version that passed the model_validation checks; one never "
        "validated is validated first.",
    )
    mlflow_conn_id: PlatformConnection = MLFLOW_CONN_ID


class DeployModelOperator(AirloomOperator):
    """Roll a version out to a target, check that it answers, and promote it, on record.

    The endpoint is created or updated without waiting; the task then defers until it answers
    with the new version (:class:`airloom.deploy.triggers.EndpointReadyTrigger`, or the Amazon
    provider's ``SageMakerTrigger``). If it does not, the endpoint goes back to what it served
    before and the task fails; ``champion`` moves only once the endpoint is ready. Each phase
    is reported in the XCom ``deployment`` (:class:`airloom.deploy.pipeline.DeploymentStatus`).

    :param target: deployment target name.
    :param endpoint: deployment name at the target.
    :param reason: why, for the audit trail.
    :param require_validation: deploy only a validated version, validating it if need be.
    """

    node_type = "deploy"
    category = "deploy"
    description = (
        "Deploys a model version to a target, waits until it answers (putting the previous "
        "version back if it does not) and promotes it to 'champion' in the registry, recording "
        "who deployed it, when, from which previous version and why."
    )
    params_model = DeployParams
    input_ports = (Port("model", PortType.MODEL, "The version to deploy."),)
    output_ports = (Port("model", PortType.MODEL, "The deployed version."),)
    ui_color = "#f8cecc"
    # Seconds the endpoint gets to answer before the rollout rolls it back.
    readiness_timeout: ClassVar[float] = 1800.0

    _status: DeploymentStatus | None = None  # the last status reported, in this process

    def run(self, params: DeployParams, inputs: Mapping[str, Any], context: Context) -> dict:
        self._status = None
        return self._reporting(lambda: self._start(self.deployment_conf(context), context), context)

    def deployment_conf(self, context: Context) -> DeploymentConf:
        """What to deploy: the node's input and params, for the node's tenant."""
        from airloom.deploy.rollout import DeploymentConf
        from airloom.ml.registry import ModelRef

        params = DeployParams.model_validate(self.node_params)
        ref = ModelRef.parse(self.inputs["model"])
        scope = self.tenant_scope
        return DeploymentConf(
            model_name=ref.name,
            version=ref.version,
            target=params.target,
            endpoint=params.endpoint,
            deployed_by=_triggering_user(context),
            reason=params.reason,
            tenant=scope.tenant if scope is not None else None,
            require_validation=params.require_validation,
        )

    # -- the rollout's steps; each resumes the task where the previous one deferred -----------

    def _start(self, conf: DeploymentConf, context: Context) -> dict[str, Any]:
        self._status = _blank_status(conf)
        rollout = self._rollout(conf, context)
        rollout.check_version()
        if not conf.require_validation:
            return self._serve(rollout, context)
        if rollout.never_validated():
            self._validate_first(rollout, context)
        self._status = self._status.model_copy(update={"validation": self._gate(rollout, context)})
        return self._serve(rollout, context)

    def _validate_first(self, rollout: Rollout, context: Context) -> None:
        """Trigger a ``model_validation`` run and defer until it ends, through the Task SDK's
        own handling of a triggered DAG run (the TriggerDagRunOperator's path): the task
        resumes in :meth:`execute_complete`."""
        from airflow.sdk.exceptions import DagRunTriggerException

        from airloom.deploy.pipeline import VALIDATION_DAG

        run_id = rollout.validation_run_id()
        self._report(context, "validating", validation_run_id=run_id)
        self.log.info("%s was never validated: validating it in %s", rollout.conf.model_uri, run_id)
        raise DagRunTriggerException(
            trigger_dag_id=VALIDATION_DAG,
            dag_run_id=run_id,
            conf=rollout.validation_conf(),
            logical_date=None,
            reset_dag_run=False,
            skip_when_already_exists=False,
            wait_for_completion=True,
            allowed_states=["success"],
            failed_states=["failed"],
            poke_interval=VALIDATION_POLL_SECONDS,
            deferrable=True,
        )

    def execute_complete(self, context: Context, event: Any = None) -> dict[str, Any]:
        """The ``model_validation`` run has ended: gate on its result, then serve."""

        def step() -> dict[str, Any]:
            self._status = self._reported(context)
            rollout = self._rollout(self.deployment_conf(context), context)
            run_id = self._status.validation_run_id
            if rollout.never_validated():
                from airloom.deploy.rollout import DeploymentRefused

                state = (event[1] if isinstance(event, list | tuple) else {}).get(run_id)
                raise DeploymentRefused(
                    f"the model_validation run {run_id} ended {state or 'without a state'} "
                    "and recorded no result; see its task logs"
                )
            self._status = self._status.model_copy(
                update={"validation": self._gate(rollout, context)}
            )
            return self._serve(rollout, context)

        return self._step(step, context)

    def _gate(self, rollout: Rollout, context: Context) -> dict[str, Any]:
        from airloom.deploy.rollout import DeploymentRefused

        try:
            return rollout.validation_report(context["ti"].get_dagrun_state)
        except DeploymentRefused as exc:
            self._status = self._status.model_copy(update={"validation": exc.report})  # type: ignore[union-attr]
            raise

    def _serve(self, rollout: Rollout, context: Context) -> dict[str, Any]:
        previous = rollout.current_model_uri()
        self._report(context, "deploying", previous_model_uri=previous)
        if rollout.serving is None:  # the registry target: promotion is the deployment
            return self._promote(rollout, context)
        rollout.start_serving(previous)
        self.log.info(
            "%s: waiting for %s to answer, deferred", rollout.endpoint, rollout.conf.model_uri
        )
        self.defer(
            trigger=rollout.readiness_trigger(self.readiness_timeout),
            method_name="resume_after_ready",
        )

    def resume_after_ready(self, context: Context, event: Any = None) -> dict[str, Any]:
        """The readiness wait has ended: promote, or put the endpoint back and fail."""
        from airloom.deploy import DeploymentError
        from airloom.deploy.pipeline import ready_event

        def step() -> dict[str, Any]:
            self._status = self._reported(context)
            rollout = self._rollout(self.deployment_conf(context), context)
            ready, why = ready_event(event)
            if ready:
                return self._promote(rollout, context)
            problem = f"{rollout.endpoint!r} did not answer with {rollout.conf.model_uri} ({why})"
            try:
                restored = rollout.restore(self._status.previous_model_uri)
            except DeploymentError as exc:
                self._report(context, "failed", reason=f"{problem}; rollback failed: {exc}")
                raise
            reason = f"{problem}; {restored}"
            self._report(context, "failed", reason=reason, rolled_back=True)
            raise DeploymentError(reason)

        return self._step(step, context)

    def _promote(self, rollout: Rollout, context: Context) -> dict[str, Any]:
        record = rollout.promote()
        from airloom.activity.models import model_promoted
        from airloom.model_tags import CHAMPION_ALIAS

        model_promoted(context, rollout.conf.model_name, rollout.conf.version, CHAMPION_ALIAS)
        self._report(context, "ready")
        self.log.info(
            "Promoted %s to champion (previous: %s) by %s: %s",
            rollout.conf.model_uri,
            record.get("previous_version") or "none",
            record.get("deployed_by"),
            rollout.audit["reason"] or "no reason given",
        )
        return {"model": rollout.conf.model_uri}

    # -- plumbing -----------------------------------------------------------------------------

    def _rollout(self, conf: DeploymentConf, context: Context) -> Rollout:
        from airloom.deploy.pipeline import Rollout
        from airloom.hooks.mlflow import MlflowHook

        hook = MlflowHook(DeployParams.model_validate(self.node_params).mlflow_conn_id)
        return Rollout(
            conf, hook.tracking_uri, hook.registry_uri, context["dag"].dag_id, context["run_id"]
        )

    def _step(self, step: Callable[[], dict[str, Any]], context: Context) -> dict[str, Any]:
        """A step the task resumes in: run as a node's step runs (failure summary, outputs
        per port), its failure also reported in the ``deployment`` XCom."""
        return self.run_step(lambda: self._reporting(step, context), context)

    def _reporting(self, step: Callable[[], dict[str, Any]], context: Context) -> dict[str, Any]:
        try:
            return step()
        except AIRFLOW_OUTCOMES:
            raise
        except Exception as exc:
            from airloom.operators.failures import summary

            if self._status is not None and self._status.phase != "failed":
                self._report(context, "failed", reason=summary(exc))
            raise

    def _report(self, context: Context, phase: str, **fields: Any) -> None:
        """Push the rollout's new phase, before anything that may defer or fail."""
        from airloom.deploy.pipeline import DEPLOYMENT_KEY

        self._status = self._status.model_copy(update={"phase": phase, **fields})  # type: ignore[union-attr]
        context["ti"].xcom_push(key=DEPLOYMENT_KEY, value=self._status.model_dump(mode="json"))

    def _reported(self, context: Context) -> DeploymentStatus:
        """The status this task reported before it deferred."""
        from airloom.deploy.pipeline import DEPLOYMENT_KEY, DeploymentStatus

        ti = context["ti"]
        value = ti.xcom_pull(task_ids=self.task_id, key=DEPLOYMENT_KEY, map_indexes=ti.map_index)
        return DeploymentStatus.model_validate(value)


class ModelDeploymentOperator(DeployModelOperator):
    """The same rollout for the ``model_deployment`` DAG: the request is the run's conf
    (:class:`airloom.deploy.rollout.DeploymentConf`, unknown keys refused), for a deploy or a
    rollback, by the marketplace or by a person in the Airflow UI."""

    node_type = ""  # not a node of the builder: it reads the DAG run's conf
    input_ports = ()

    def __init__(self, **kwargs: Any) -> None:
        # The run's end is reported as activity when it happens, by the task itself: exactly
        # one of these runs when its last try ends (see airloom.activity.deployments).
        from airloom.activity.deployments import report_failed, report_ready

        for kind, report in (
            ("on_success_callback", report_ready),
            ("on_failure_callback", report_failed),
        ):
            given = kwargs.get(kind)
            kwargs[kind] = [
                *(given if isinstance(given, list) else [given] if given else []),
                report,
            ]
        super().__init__(**kwargs)

    def deployment_conf(self, context: Context) -> DeploymentConf:
        from airloom.deploy.rollout import DeploymentConf

        values = {key: value for key, value in dict(context["params"]).items() if value is not None}
        conf = DeploymentConf.model_validate(values)
        return conf.model_copy(
            update={"deployed_by": conf.deployed_by or _triggering_user(context)}
        )


def _blank_status(conf: DeploymentConf) -> DeploymentStatus:
    from airloom.deploy.pipeline import DeploymentStatus

    endpoint = conf.model_name if conf.target == "registry" else conf.endpoint_name
    return DeploymentStatus(phase="deploying", endpoint=endpoint, model_uri=conf.model_uri)


def _triggering_user(context: Context) -> str:
    return getattr(context["dag_run"], "triggering_user_name", None) or "airflow"
