"""Entry point for Airloom's Spark transformations as an AWS Glue job.

An admin creates a Glue Spark job (``glueetl``) with this file as its script and the ``airloom``
package (a zip, with ``sqlglot`` beside it) in ``--extra-py-files``. The ``glue_job`` node starts
runs of it with one argument, ``--airloom_request``: the arguments of
:mod:`airloom.spark.entrypoint` as a JSON list (see :mod:`airloom.spark.glue`). Glue adds its own
arguments (``--JOB_ID``, ``--JOB_RUN_ID``, ``--TempDir`` …), which are left alone; the request runs
through the very function local Spark and EMR Serverless run.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

REQUEST_ARGUMENT = "--airloom_request"  # airloom.spark.glue.REQUEST_ARGUMENT, without Airflow


def request_args(argv: Sequence[str]) -> list[str]:
    """The entry point's arguments carried in ``--airloom_request`` among Glue's own."""
    parser = argparse.ArgumentParser(prog="airloom-glue-transform", allow_abbrev=False)
    parser.add_argument(REQUEST_ARGUMENT, dest="request", required=True)
    known, _glues_own = parser.parse_known_args(list(argv))
    args = json.loads(known.request)
    if not isinstance(args, list) or not all(isinstance(arg, str) for arg in args):
        raise ValueError(f"{REQUEST_ARGUMENT} must be a JSON list of strings")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    from airloom.spark.entrypoint import main as run_request

    return run_request(request_args(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
