"""SQL written by tenants: one read-only query over what the node may read, nothing else.

The builder checks a node's SQL when a design is validated, and the operator checks it again
right before it runs, with what is only known then (the database's dialect, Spark's input
views). The engines hold a second line behind it: a read-only transaction with a statement
timeout for databases, no SQL on files and no ``${…}`` substitution for Spark.
"""

from airloom.user_sql.checks import connection_dialect, query_problem, spark_query_problem

__all__ = ["connection_dialect", "query_problem", "spark_query_problem"]
