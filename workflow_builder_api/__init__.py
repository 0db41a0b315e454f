"""The workflow builder: a GraphQL API that turns graph designs into running Airflow DAGs."""
