"""The Airflow connections Airloom's DAGs use, so no DAG needs manual setup.

Locally, ``airloom up`` creates them pointing at the local stack; on MWAA they come from
Secrets Manager under the same ids.
"""

KAFKA_CONN_ID = "airloom_kafka"
MLFLOW_CONN_ID = "airloom_mlflow"
LAKE_CONN_ID = "airloom_lake"
INSIGHTS_CONN_ID = "airloom_insights"  # the URL, and a token per tenant to report on
