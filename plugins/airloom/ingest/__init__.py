"""Getting data into the lake: the plain logic behind Airloom's ingestion operators.

Kafka ingestion (record validation, dead-lettering, exactly-once batches) and the business
connectors (files, SQL, HTTP APIs) live here as small modules without Airflow operators, so
they can be tested and benchmarked on their own. Heavy libraries are imported where used.
"""
