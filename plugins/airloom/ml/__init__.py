"""Machine learning for Airloom's operators: estimators, metrics, training, evaluation, registry."""

import os

# Airloom's processes never send MLflow usage telemetry. Workers often have no internet, and
# MLflow's telemetry thread then unsets an environment variable while HTTP requests iterate
# os.environ (an intermittent KeyError). It must be off before mlflow is first imported.
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
