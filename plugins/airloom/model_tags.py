"""MLflow tag names Airloom reads and writes on registered models and model versions.

They are the contract between the DAGs that train, validate and benchmark models and the
marketplace that lists them. A model registered straight through MLflow needs none of them:
without ``airloom.tenant`` it belongs to the ``default`` tenant.
"""

from __future__ import annotations

DEFAULT_TENANT = "default"

# Registered-model tags: what a listing shows and who may see it.
TENANT = "airloom.tenant"
TASK = "airloom.task"
INDUSTRY = "airloom.industry"
LICENCE = "airloom.licence"
OWNER = "airloom.owner"

# Model-version tags written by the train operator: lineage.
WORKFLOW = "airloom.workflow"
WORKFLOW_VERSION = "airloom.workflow_version"
AIRFLOW_RUN_ID = "airloom.run_id"
DATASET = "airloom.dataset"

# Model-version tags written by the `model_validation` and `model_benchmark` DAGs.
VALIDATION_STATUS = "airloom.validation.status"
VALIDATION_REPORT = "airloom.validation.report"
VALIDATION_RUN_ID = "airloom.validation.run_id"
BENCHMARK_STATUS = "airloom.benchmark.status"
BENCHMARK_REPORT = "airloom.benchmark.report"
BENCHMARK_RUN_ID = "airloom.benchmark.run_id"

# The alias the candidate is compared with, and the one a deployment moves.
CHAMPION_ALIAS = "champion"
