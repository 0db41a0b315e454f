"""Airloom's model-serving process: many endpoints, MLflow's scoring protocol, batching."""
