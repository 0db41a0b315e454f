"""Checks run on one registered model version by the `model_validation` and `model_benchmark`
DAGs: each loads the version from MLflow's registry, measures it and writes the results back as
model-version tags (see :mod:`airloom.model_tags`), where the marketplace picks them up.

Heavy imports (mlflow, pandas) stay inside functions so DAG files parse fast.
"""
