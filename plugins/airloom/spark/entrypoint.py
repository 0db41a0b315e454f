"""Entry point for Airloom's Spark transformations on a cluster (EMR Serverless).

Upload this file as the Spark connection's ``job_script_s3_uri`` and the ``airloom`` package as
a zip named in ``py_files_s3_uri``, with ``sqlglot`` (pure Python) beside it: a SQL request is
checked again on the cluster before it runs. The ``spark_transform`` operator passes the
request as arguments (see :meth:`airloom.spark.transform.TransformRequest.to_args`)::

    spark-submit entrypoint.py --output s3://lake/features --input events=s3://lake/events \\
        --job churn_features --job-params '{}'

It runs the very function the operator runs locally, with the same job registry. It needs no
Airflow: the cluster decides the master.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from pyspark.sql import SparkSession

    from airloom.spark.transform import TransformRequest, run_transform

    request = TransformRequest.from_args(sys.argv[1:] if argv is None else argv)
    spark = SparkSession.builder.appName(f"airloom {request.label}").getOrCreate()
    # Same meaning of time as Airloom's local sessions (airloom.spark.session.COMMON_CONF).
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    output = run_transform(spark, request)
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
