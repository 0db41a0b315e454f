"""Real components for tests: a Kafka-compatible broker, MLflow, moto and Airflow."""
