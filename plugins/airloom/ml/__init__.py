"""Machine learning for Airloom's operators: estimators, metrics, training, evaluation, registry."""
