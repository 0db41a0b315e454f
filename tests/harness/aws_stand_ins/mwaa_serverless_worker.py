"""The MWAA Serverless stand-in's worker: a process of its own that runs workflow versions.

Airflow's task runner installs signal handlers, which only a process's main thread may do, so
runs cannot go through ``dag.test()`` on a thread of the test process. The stand-in starts this
module once (``python -m``), with the test session's environment (Airflow home and database),
and sends it one job per line on stdin: ``{"definition", "conf", "logical_date", "env"}``. It
loads the definition with dag-factory, runs it with :func:`tests.harness.airflow.run_dag_object`
and answers one line ``{"state", "error"}`` on its own copy of stdout; everything it logs goes
to stderr. Killing it stops the run in flight, as the service terminates a task's container;
idle for two minutes, it exits.
"""

from __future__ import annotations

import json
import os
import select
import sys
from datetime import datetime
from typing import Any

CONNECTION_PREFIX = "AIRFLOW_CONN_"
IDLE_SECONDS = 120  # then it exits; the stand-in starts another for the next run


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    from tests.harness.airflow import run_dag_object
    from tests.harness.aws_stand_ins.mwaa_serverless_state import load_definition
    from tests.harness.aws_stand_ins.server import AwsError

    # Connections as the test has them now (fixtures set and unset them).
    for name in [name for name in os.environ if name.startswith(CONNECTION_PREFIX)]:
        if name not in job["env"]:
            del os.environ[name]
    os.environ.update(job["env"])
    try:
        dag = load_definition(job["definition"])
        result = run_dag_object(
            dag, conf=job["conf"], logical_date=datetime.fromisoformat(job["logical_date"])
        )
    except AwsError as error:
        return {"state": "failed", "error": error.message}
    except Exception as error:  # noqa: BLE001 - reported as the run's error
        return {"state": "failed", "error": f"{type(error).__name__}: {error}"}
    return {"state": result.state, "error": None}


def main() -> None:
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # logs never mix with answers
    while select.select([sys.stdin], [], [], IDLE_SECONDS)[0]:
        line = sys.stdin.readline()
        if not line:
            return  # the stand-in's process ended
        answers.write(json.dumps(run_job(json.loads(line))) + "\n")


if __name__ == "__main__":
    main()
