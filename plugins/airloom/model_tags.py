"""Every tag and alias name Airloom reads or writes on registered models, model versions and
serving endpoints: the one registry of them, each name with one meaning.

They are the contract between the DAGs and operators that train, validate, benchmark and deploy
models and the marketplace that lists them. A model registered straight through MLflow needs
none of them: without ``airloom.tenant`` it belongs to the ``default`` tenant.
"""

from __future__ import annotations

DEFAULT_TENANT = "default"
# Everything under this prefix is the platform's: user-supplied tags may not use it.
PREFIX = "airloom."

# Registered-model tags: who may see the model, and what its listing shows. The listing's
# description is the registered model's own MLflow description.
TENANT = "airloom.tenant"
TASK = "airloom.task"  # the ML task: classification, regression, embedding, …
INDUSTRY = "airloom.industry"
LICENCE = "airloom.licence"
OWNER = "airloom.owner"
LISTING = (TASK, INDUSTRY, LICENCE, OWNER)

# Model-version tags written by the operators that register a version: its lineage.
WORKFLOW = "airloom.workflow"  # the Airflow DAG id
WORKFLOW_VERSION = "airloom.workflow_version"
AIRFLOW_RUN_ID = "airloom.run_id"
AIRFLOW_TASK_ID = "airloom.task_id"  # the task that registered the version
DATASET = "airloom.dataset"
ESTIMATOR = "airloom.estimator"  # the estimator the train node fitted

# Model-version tags written by the `evaluate` node (candidate against champion).
EVALUATION_STATUS = "airloom.evaluation.status"
EVALUATION_REPORT = "airloom.evaluation.report"

# Model-version tags written by the `model_validation` and `model_benchmark` DAGs.
VALIDATION_STATUS = "airloom.validation.status"
VALIDATION_REPORT = "airloom.validation.report"
VALIDATION_RUN_ID = "airloom.validation.run_id"
BENCHMARK_STATUS = "airloom.benchmark.status"
BENCHMARK_REPORT = "airloom.benchmark.report"
BENCHMARK_RUN_ID = "airloom.benchmark.run_id"

# Deployment records: on the promoted version, and one registered-model tag per event
# (``airloom.deployment.<time>``, a JSON record) read back as the deployment history.
DEPLOYED_AT = "airloom.deployed_at"
DEPLOYED_BY = "airloom.deployed_by"
DEPLOY_REASON = "airloom.deploy_reason"
PROMOTED_FROM = "airloom.promoted_from"
DEPLOYMENT_EVENT_PREFIX = "airloom.deployment."

# Serving-endpoint tags (SageMaker resource tags; the local target's config): the version an
# endpoint serves and the tenant holding its name.
ENDPOINT_MODEL_URI = "airloom.model_uri"
ENDPOINT_TENANT = TENANT

# The alias the candidate is compared with and a deployment moves, and the one an evaluated
# candidate that beat the champion gets until it is deployed.
CHAMPION_ALIAS = "champion"
CHALLENGER_ALIAS = "challenger"


def is_internal(tag: str) -> bool:
    """True for the platform's own records, which a listing shows in fields of their own."""
    return tag.startswith(PREFIX)
