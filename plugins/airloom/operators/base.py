"""The base of every Airloom operator: a node type with typed ports and validated parameters."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

from airflow.sdk import BaseOperator, Context, XComArg
from airflow.sdk.exceptions import (
    AirflowRescheduleException,
    AirflowSkipException,
    AirflowTaskTimeout,
    DagRunTriggerException,
    DownstreamTasksSkipped,
    TaskDeferred,
)

from airloom.catalog.params import NodeConfigError, NodeParams, ParamProblem, params_problems
from airloom.catalog.ports import Port, PortType
from airloom.lake import DATASET_NAME, dataset_asset, model_asset

if TYPE_CHECKING:
    from airloom.tenancy import TenantScope

# How a task tells Airflow what happens next: these pass through untouched, they are no failure.
AIRFLOW_OUTCOMES = (
    AirflowSkipException,
    AirflowRescheduleException,
    DagRunTriggerException,
    DownstreamTasksSkipped,
    TaskDeferred,
)


class AirloomOperator(BaseOperator):
    """An Airflow operator that is also one node type of the workflow builder.

    Subclasses declare ``node_type``, ``category``, ``description``, ``params_model`` and their
    ports, and implement :meth:`run`. Parameters are passed as keyword arguments named after the
    fields of ``params_model``; they are validated when the DAG is parsed and again when the
    task runs. They are data, never Jinja templates: a tenant's text must not reach Airflow's
    template context (connections, variables). Each input port receives a reference (a URI)
    or an upstream port's output (``upstream.port("table")``); each output port's reference is
    pushed to XCom under the port's name. A failure leaves its one-line summary in XCom for the
    builder, and one that no retry can fix fails at once (:mod:`airloom.operators.failures`).

    :param inputs: upstream references per input port (templated, to resolve XCom).
    :param tenant_scope: the tenant a workflow's node runs for; its names are placed in the
        tenant's area and anything outside it is refused (None: a built-in DAG of the platform).
    """

    node_type: ClassVar[str] = ""
    category: ClassVar[str] = ""
    description: ClassVar[str] = ""
    params_model: ClassVar[type[NodeParams]] = NodeParams
    input_ports: ClassVar[tuple[Port, ...]] = ()
    output_ports: ClassVar[tuple[Port, ...]] = ()
    # The params naming the lake datasets and registered models the node writes: each name
    # becomes an outlet Asset (lineage, asset schedules): placed in its tenant's area.
    dataset_params: ClassVar[tuple[str, ...]] = ()
    model_params: ClassVar[tuple[str, ...]] = ()
    # BaseOperator arguments this node type defaults differently, e.g. max_active_tis_per_dag.
    task_defaults: ClassVar[Mapping[str, Any]] = {}

    # Only the upstream references: rendering them resolves XCom. Params are never rendered.
    template_fields: Sequence[str] = ("inputs",)
    ui_color = "#d9ecf2"

    # Subclasses configure themselves through the class variables above and the hooks below,
    # not by overriding __init__: each __init__ in the chain costs Airflow another round of
    # default-argument merging at every parse.
    def __init__(
        self,
        *,
        inputs: Mapping[str, Any] | None = None,
        tenant_scope: TenantScope | None = None,
        **kwargs: Any,
    ) -> None:
        fields = self.params_model.model_fields
        node_params = {name: kwargs.pop(name) for name in list(kwargs) if name in fields}
        problems = []
        if tenant_scope is not None:
            # Checked at every parse, so a DAG reaching outside its tenant never imports.
            problems += [
                ParamProblem(p.field, p.message)
                for p in tenant_scope.problems(self.params_model, node_params)
            ]
            node_params = tenant_scope.localise(self.params_model, node_params)
        for name, value in self.task_defaults.items():
            kwargs.setdefault(name, value)
        outlets = self.written_assets(node_params)
        if outlets:
            given = kwargs.get("outlets") or []
            kwargs["outlets"] = [*(given if isinstance(given, list | tuple) else [given]), *outlets]
        super().__init__(**kwargs)
        self.node_params = node_params
        self.inputs = dict(inputs or {})
        self.tenant_scope = tenant_scope
        problems += self._input_problems()
        problems += params_problems(self.params_model, node_params, at_parse=True)
        if problems:
            raise NodeConfigError(self.task_id, problems)

    @classmethod
    def written_datasets(cls, node_params: Mapping[str, Any]) -> list[Any]:
        """The names of the datasets the node writes (in its tenant's area, for a workflow)."""
        return [node_params.get(name) for name in cls.dataset_params]

    @classmethod
    def written_assets(cls, node_params: Mapping[str, Any]) -> list[Any]:
        """Outlet Assets for the datasets and models named at parse time."""
        datasets = [
            dataset_asset(name)
            for name in cls.written_datasets(node_params)
            if isinstance(name, str) and DATASET_NAME.fullmatch(name)
        ]
        models = [
            model_asset(name)
            for name in (node_params.get(field) for field in cls.model_params)
            if isinstance(name, str) and name
        ]
        return datasets + models

    def _input_problems(self) -> list[ParamProblem]:
        known = {port.name: port for port in self.input_ports}
        problems = [
            ParamProblem(f"inputs.{name}", f"{self.node_type} has no input port {name!r}")
            for name in self.inputs
            if name not in known
        ]
        problems += [
            ParamProblem(f"inputs.{port.name}", "required input is not connected")
            for port in self.input_ports
            if port.required and self.inputs.get(port.name) in (None, [], "")
        ]
        return problems

    def port(self, name: str) -> XComArg:
        """The reference this task publishes on output port ``name``, for a downstream input."""
        if name not in {port.name for port in self.output_ports}:
            raise KeyError(f"{self.node_type} has no output port {name!r}")
        return XComArg(self, key=name)

    def execute(self, context: Context) -> dict[str, Any]:
        def start() -> dict[str, Any]:
            problems = params_problems(self.params_model, self.node_params)
            if problems:
                raise NodeConfigError(self.task_id, problems)
            params = self.params_model.model_validate(self.node_params)
            if self.tenant_scope is not None:
                self._refuse_foreign_tables(params)
            return self.run(params, self.inputs, context)

        return self.run_step(start, context)

    def run_step(self, step: Callable[[], dict[str, Any]], context: Context) -> dict[str, Any]:
        """Run one step of the node, :meth:`execute` or the method a deferred node resumes in:
        a failure is recorded as in any node, the outputs are published per port."""
        try:
            outputs = step()
        except AIRFLOW_OUTCOMES:
            raise
        except (Exception, AirflowTaskTimeout) as exc:  # noqa: BLE001 - recorded, raised again
            self._fail(exc, context)
        for port in self.output_ports:
            if port.name in outputs:
                context["ti"].xcom_push(key=port.name, value=outputs[port.name])
        return outputs

    def _fail(self, exc: BaseException, context: Context) -> NoReturn:
        """Record the failure's one-line summary for the builder; one that no retry can fix
        fails the task now, without waiting out retry delays to meet it again."""
        from airflow.sdk.exceptions import AirflowFailException

        from airloom.operators.failures import ERROR_KEY, NodeFailure, describe

        failure = describe(exc)
        if isinstance(exc, AirflowTaskTimeout) and self.execution_timeout is not None:
            seconds = int(self.execution_timeout.total_seconds())
            message = f"the node ran longer than its timeout of {seconds} s"
            failure = NodeFailure(message, failure.type, failure.retryable)
        try:
            context["ti"].xcom_push(key=ERROR_KEY, value=failure.as_xcom())
        except Exception:  # the summary is a courtesy: never let it hide the failure itself
            self.log.warning("could not record the failure's summary", exc_info=True)
        if failure.retryable or isinstance(exc, AirflowFailException):
            raise exc
        self.log.error("%s cannot succeed on a retry: failing without retries", failure.type)
        raise AirflowFailException(failure.summary) from exc

    def run(self, params: Any, inputs: Mapping[str, Any], context: Context) -> dict[str, Any]:
        """Do the task's work; return a reference per output port."""
        raise NotImplementedError

    # -- tenancy: what a tenant's node may touch, checked before it is touched -----------------

    def _refuse_foreign_tables(self, params: Any) -> None:
        """Every table this node reads lies in its tenant's area of the lake."""
        from airloom.connections import LAKE_CONN_ID
        from airloom.lake import lake_root
        from airloom.tenancy import TenantAccessDenied

        scope = self.tenant_scope
        root = str(lake_root(getattr(params, "lake_conn_id", LAKE_CONN_ID)))
        for port in self.input_ports:
            if port.type is not PortType.TABLE:
                continue
            given = self.inputs.get(port.name)
            for uri in given if isinstance(given, list | tuple) else [given]:
                if uri not in (None, "") and not scope.owns_lake_uri(str(uri), root):
                    raise TenantAccessDenied(
                        f"node {self.task_id!r}: input {port.name!r} ({uri}) is outside "
                        f"the lake area of tenant {scope.tenant!r}"
                    )

    def claim_model(self, client: Any, name: str) -> None:
        """Before adding a version to ``name``: the tenant owns it (a new one is tagged)."""
        if self.tenant_scope is not None:
            from airloom.tenancy.registry import claim_model

            claim_model(client, name, self.tenant_scope.tenant)

    def require_model(self, client: Any, name: str) -> None:
        """Before reading or moving ``name``: the tenant owns it."""
        if self.tenant_scope is not None:
            from airloom.tenancy.registry import require_owner

            require_owner(client, name, self.tenant_scope.tenant)
