"""Check a definition against the rules MWAA Serverless publishes (see :mod:`.service_rules`).

AWS publishes no JSON Schema for the definition file, so the rules are checked here: the keys
the service supports at DAG and task level and their bounds, Airflow's id rules, a five-field
cron or no schedule, only Airloom's operators, dependencies naming tasks of the same
definition without a cycle, and no key or ``$`` that the loader would turn into code or into
an environment variable. Each problem says where it is (``dag.tasks.node.field``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from graphlib import CycleError, TopologicalSorter
from typing import Any

from airloom.workflow.serverless import service_rules as rules

_TIMEDELTA = "datetime.timedelta"
_SCOPE_KEYS = frozenset({"__type__", "tenant", "grants", "limits"})


def definition_problems(yaml_text: str) -> list[str]:
    """Every way ``yaml_text`` breaks the service's published rules; empty when it keeps them."""
    import yaml

    problems: list[str] = []
    size = len(yaml_text.encode())
    if size > rules.MAX_DEFINITION_BYTES:
        problems.append(f"definition: {size} bytes, more than {rules.MAX_DEFINITION_BYTES}")
    if "$" in yaml_text:
        problems.append(
            "definition: holds '$', which the loader would expand from the worker's environment"
        )
    try:
        document = yaml.safe_load(yaml_text)
    except yaml.YAMLError as exc:
        return [*problems, f"definition: not YAML ({exc})"]
    if not isinstance(document, dict) or len(document) != 1:
        return [*problems, "definition: must be a mapping with exactly one workflow"]
    ((dag_id, dag),) = document.items()
    problems += _id_problems("definition", dag_id)
    if isinstance(dag_id, str) and not (
        rules.WORKFLOW_NAME.fullmatch(dag_id) and len(dag_id) <= rules.MAX_WORKFLOW_NAME
    ):
        problems.append(f"{dag_id}: not a valid MWAA Serverless workflow name")
    if not isinstance(dag, dict):
        return [*problems, f"{dag_id}: must be a mapping"]
    problems += _dag_problems(str(dag_id), dag)
    return problems


def _dag_problems(where: str, dag: Mapping[str, Any]) -> list[str]:
    problems = [
        f"{where}.{key}: not a DAG parameter MWAA Serverless supports"
        for key in sorted(set(dag) - rules.DAG_KEYS, key=str)
    ]
    if dag.get("dag_id") != where:
        problems.append(f"{where}.dag_id: must be {where!r}, the workflow's key")
    problems += _schedule_problems(f"{where}.schedule", dag.get("schedule"))
    runs = dag.get("max_active_runs")
    if runs is not None and not (
        _is_int(runs) and 1 <= runs <= rules.DEFAULT_MAX_ACTIVE_RUNS_QUOTA
    ):
        problems.append(
            f"{where}.max_active_runs: must be 1 to {rules.DEFAULT_MAX_ACTIVE_RUNS_QUOTA}"
        )
    tasks = dag.get("tasks")
    if not isinstance(tasks, dict) or not tasks:
        return [*problems, f"{where}.tasks: must be a mapping of at least one task"]
    for task_id, task in tasks.items():
        at = f"{where}.tasks.{task_id}"
        if not isinstance(task, dict):
            problems.append(f"{at}: must be a mapping")
            continue
        problems += _id_problems(at, task_id)
        problems += _task_problems(at, task_id, task, set(tasks))
    problems += _cycle_problems(where, tasks)
    return problems


def _schedule_problems(where: str, schedule: Any) -> list[str]:
    if schedule is None:
        return []
    from croniter import croniter

    if (
        not isinstance(schedule, str)
        or len(schedule.split()) != 5
        or not croniter.is_valid(schedule)
    ):
        return [f"{where}: {schedule!r} is not a five-field cron expression (or null)"]
    return []


def _task_problems(at: str, task_id: Any, task: Mapping[str, Any], task_ids: set[Any]) -> list[str]:
    from airloom.catalog import node_types

    problems: list[str] = []
    if task.get("task_id") != task_id:
        problems.append(f"{at}.task_id: must be {task_id!r}, the task's key")
    operator = task.get("operator")
    by_path = {
        f"{t.operator.__module__}.{t.operator.__qualname__}": t for t in node_types().values()
    }
    node_type = by_path.get(operator) if isinstance(operator, str) else None
    redirect_keys: frozenset[str] = frozenset()
    if node_type is None and operator in rules.REDIRECT_OPERATORS:
        redirected, redirect_keys = rules.REDIRECT_OPERATORS[operator]
        node_type = node_types()[redirected]
    if node_type is None:
        problems.append(f"{at}.operator: {operator!r} is not an Airloom operator")
        params: set[str] = set()
    else:
        params = set(node_type.operator.params_model.model_fields) | redirect_keys
    allowed = (
        rules.TASK_SERVICE_KEYS | rules.TASK_STRUCTURE_KEYS | rules.AIRLOOM_OPERATOR_KEYS | params
    )
    for key in sorted(task, key=str):
        if key in rules.LOADER_TASK_KEYS:
            problems.append(f"{at}.{key}: a key the loader turns into code or assets")
        elif key not in allowed:
            problems.append(f"{at}.{key}: neither a supported task parameter nor the node's")
    problems += _run_setting_problems(at, task)
    problems += _scope_problems(f"{at}.tenant_scope", task.get("tenant_scope"))
    dependencies = task.get("dependencies", [])
    if not isinstance(dependencies, list):
        problems.append(f"{at}.dependencies: must be a list of task ids")
    else:
        problems += [
            f"{at}.dependencies: {dependency!r} is not a task of this workflow"
            for dependency in dependencies
            if dependency not in task_ids or dependency == task_id
        ]
    for key, value in task.items():
        if key not in ("tenant_scope", "execution_timeout"):
            problems += [
                f"{at}.{key}{path}: {special!r} is a loader key, not data"
                for path, special in special_keys(value)
            ]
    return problems


def _run_setting_problems(at: str, task: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    retries = task.get("retries")
    if retries is not None and not (_is_int(retries) and 0 <= retries <= rules.MAX_RETRIES):
        problems.append(f"{at}.retries: must be 0 to {rules.MAX_RETRIES}")
    delay = task.get("retry_delay")
    if delay is not None and not (
        _is_number(delay) and 0 <= delay <= rules.MAX_RETRY_DELAY_SECONDS
    ):
        problems.append(f"{at}.retry_delay: must be 0 to {rules.MAX_RETRY_DELAY_SECONDS} seconds")
    timeout = task.get("execution_timeout")
    if timeout is not None and not (
        isinstance(timeout, dict)
        and set(timeout) == {"__type__", "seconds"}
        and timeout["__type__"] == _TIMEDELTA
        and _is_int(timeout["seconds"])
        and 1 <= timeout["seconds"] <= rules.MAX_EXECUTION_TIMEOUT_SECONDS
    ):
        problems.append(
            f"{at}.execution_timeout: must be a {_TIMEDELTA} of 1 to "
            f"{rules.MAX_EXECUTION_TIMEOUT_SECONDS} seconds"
        )
    return problems


def _scope_problems(where: str, scope: Any) -> list[str]:
    """The tenant scope is the one object built by the loader, and only by Airloom's function."""
    if not (
        isinstance(scope, dict)
        and set(scope) == _SCOPE_KEYS
        and scope["__type__"] == rules.TENANT_SCOPE_FACTORY
        and isinstance(scope["tenant"], str)
    ):
        return [f"{where}: must be the tenant scope built by {rules.TENANT_SCOPE_FACTORY}"]
    return [
        f"{where}.{key}{path}: {special!r} is a loader key, not data"
        for key in ("grants", "limits")
        for path, special in special_keys(scope[key])
    ]


def special_keys(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, key) of every loader key in ``value``, however deep."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in rules.LOADER_SPECIAL_KEYS:
                yield path, key
            yield from special_keys(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from special_keys(item, f"{path}[{index}]")


def _cycle_problems(where: str, tasks: Mapping[str, Any]) -> list[str]:
    graph = {
        task_id: {d for d in task.get("dependencies", []) if isinstance(d, str)}
        for task_id, task in tasks.items()
        if isinstance(task, dict) and isinstance(task.get("dependencies", []), list)
    }
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as exc:
        return [f"{where}.tasks: dependencies form a cycle ({' -> '.join(map(str, exc.args[1]))})"]
    return []


def _id_problems(where: str, value: Any) -> list[str]:
    if not (
        isinstance(value, str)
        and rules.AIRFLOW_ID.fullmatch(value)
        and len(value) <= rules.MAX_AIRFLOW_ID
    ):
        return [f"{where}: {value!r} is not an Airflow id (letters, digits, '_', '.', '-')"]
    return []


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
