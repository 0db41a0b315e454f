"""What Amazon MWAA Serverless accepts in a workflow definition, declared in one place.

Sources (read 2026-12-03; see docs/mwaa_serverless.md for what each confirms):

- AWS, *Amazon MWAA Serverless User Guide*, "Apache Airflow Parameter Support"
  (mwaa-serverless-userguide/supported-airflow-parameters.html): the DAG and task parameters
  the service validates, with their bounds and defaults.
- The Amazon provider's system test ``example_mwaa_serverless.py`` (apache/airflow): the shape
  of a definition, one top-level key per workflow holding ``schedule`` and ``tasks``, tasks as
  a mapping with a fully qualified ``operator`` and flat parameters.
- botocore's ``mwaa-serverless`` service model (2024-07-26): CreateWorkflow's ``Name``.
- AWS, "What is Amazon MWAA Serverless?": Apache Airflow 3 with Python 3.12; worker limits
  from the service's announcement (1 vCPU / 3 GiB, 60-minute tasks, no internet by default).

The definition is loaded the way astronomer's dag-factory loads YAML (the format AWS's own
Python-to-YAML converter targets), so the keys dag-factory gives a meaning of its own are
listed here too: user data must never carry them.
"""

from __future__ import annotations

import re

# -- the definition's shape -----------------------------------------------------------------

# DAG-level keys Airloom writes, all of them on the service's validated list.
DAG_KEYS = frozenset({"dag_id", "schedule", "max_active_runs", "tasks"})
# Task keys the service itself validates, with dag-factory's two structural keys.
TASK_SERVICE_KEYS = frozenset({"task_id", "retries", "retry_delay", "execution_timeout"})
TASK_STRUCTURE_KEYS = frozenset({"operator", "dependencies"})
# AirloomOperator's own keyword arguments, beside each node type's params.
AIRLOOM_OPERATOR_KEYS = frozenset({"inputs", "tenant_scope"})

# -- bounds the service validates -----------------------------------------------------------

MAX_RETRIES = 3  # "retries: must be between 0 to 3", default 1
MAX_RETRY_DELAY_SECONDS = 300  # "retry_delay: must be between 0 to 300 seconds", default 300
MAX_EXECUTION_TIMEOUT_SECONDS = 3600  # "execution_timeout: maximum 3600 seconds", default 3600
DEFAULT_MAX_ACTIVE_RUNS_QUOTA = 16  # "max_active_runs: smaller than account limit", default 16

# CreateWorkflow's Name (botocore model: NameString, 1-255 characters).
WORKFLOW_NAME = re.compile(r"^[a-zA-Z0-9]+[a-zA-Z0-9.\-_]*$")
MAX_WORKFLOW_NAME = 255
# Airflow's own rule for dag and task ids (KEY_REGEX in airflow.sdk), 250 characters at most.
AIRFLOW_ID = re.compile(r"^[\w.-]+$")
MAX_AIRFLOW_ID = 250
# Only Airloom's own operators run a tenant's node; anything else in a definition is refused.
AIRLOOM_OPERATOR_PREFIX = "airloom.operators."
# A node type's operator when the service redirects its work elsewhere: the node type and the
# task keys the compiler adds beside its params (the deployment's setup, never the design's).
GLUE_STREAM_OPERATOR = "airloom.workflow.serverless.glue_stream_operator.GlueStreamingOperator"
SAGEMAKER_TRAIN_OPERATOR = "airloom.ml.sagemaker_training.SageMakerTrainModelOperator"
SAGEMAKER_TRAIN_EMBEDDER_OPERATOR = "airloom.ml.sagemaker_training.SageMakerTrainEmbedderOperator"
SAGEMAKER_OPERATORS = {
    "train": SAGEMAKER_TRAIN_OPERATOR,
    "train_embedder": SAGEMAKER_TRAIN_EMBEDDER_OPERATOR,
}
REDIRECT_OPERATORS: dict[str, tuple[str, frozenset[str]]] = {
    GLUE_STREAM_OPERATOR: ("spark_stream", frozenset({"glue_streaming"})),
    SAGEMAKER_TRAIN_OPERATOR: ("train", frozenset({"sagemaker_training"})),
    SAGEMAKER_TRAIN_EMBEDDER_OPERATOR: ("train_embedder", frozenset({"sagemaker_training"})),
}

# -- keys dag-factory acts on -----------------------------------------------------------------

# In any mapping, these make dag-factory import and call a named object (``__type__``) or join
# values (``__and__``...): in user data they would turn text into code.
LOADER_SPECIAL_KEYS = frozenset({"__type__", "__args__", "__and__", "__or__", "__join__"})
# The one object Airloom asks dag-factory to build: the tenant scope, from its document.
TENANT_SCOPE_FACTORY = "airloom.workflow.serverless.runtime.tenant_scope"
# Task keys dag-factory turns into callables, variables or assets before the operator sees
# them: no Airloom param may be named like one.
LOADER_TASK_KEYS = frozenset(
    {
        "python_callable",
        "python_callable_name",
        "python_callable_file",
        "execution_date_fn",
        "execution_date_fn_name",
        "execution_date_fn_file",
        "execution_delta",
        "variables_as_arguments",
        "inlets",
        "outlets",
        "expand",
        "partial",
        "task_group_name",
        "parent_group_name",
        *(
            f"{callback}{suffix}"
            for callback in (
                "on_execute_callback",
                "on_success_callback",
                "on_failure_callback",
                "on_retry_callback",
                "on_skipped_callback",
            )
            for suffix in ("", "_name", "_file")
        ),
    }
)

# -- schedules ------------------------------------------------------------------------------

# The service takes a cron expression or none: Airflow's presets become their cron equivalents;
# the two that no cron can express are refused.
PRESET_CRON = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@quarterly": "0 0 1 */3 *",
    "@yearly": "0 0 1 1 *",
}
INEXPRESSIBLE_PRESETS = frozenset({"@once", "@continuous"})

# Kept well below anything S3 or the service could object to; a definition is a few KiB.
MAX_DEFINITION_BYTES = 1_000_000
