"""What every node calling an AWS AI service shares.

Each such node reads a column of a lake table (text, or ``s3://`` objects), calls its service
in batches the service accepts, and writes a lake table row-aligned with its input: the input's
columns, the node's result columns and an ``error`` column that holds, for a row the service
refused (too long, unreadable, unsupported), what it said, instead of failing the whole batch.

- :mod:`airloom.aws_ai.clients`: a boto3 client from a granted Airflow AWS connection (the
  Amazon provider's hooks) with botocore's adaptive retries, which back off on throttling.
- :mod:`airloom.aws_ai.pacing`: requests paced to the service's published rate (``limits``).
- :mod:`airloom.aws_ai.rows`: batching, per-row errors and the row-aligned output table.
- :mod:`airloom.aws_ai.usage`: what the calls used, for the node's output and the insights
  service (an ``aws_usage`` activity event priced there).
- :mod:`airloom.aws_ai.objects`: ``s3://`` references in a column, checked against the
  tenant's granted locations row by row.
"""
