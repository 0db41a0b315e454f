"""Workflows designed as graphs: the spec (the builder's contract with Airflow), its
validation, the compiler that turns a version into a DAG file, and the factory that DAG file
calls."""
