"""AWS Glue jobs that really run: the stand-in for the ``glue_job`` node.

moto keeps Glue jobs and job runs but never runs a script, so a node's output could not be
asserted against it. Here, ``StartJobRun`` of a job created with ``CreateJob`` runs the job's
script for real: the script is read from moto's S3 (``Command.ScriptLocation``), as Glue reads
it, loaded as a module and its ``main(argv)`` called with Glue's own arguments (``--JOB_ID``,
``--JOB_RUN_ID``, ``--job-bookmark-option``) then the job's default arguments overlaid with the
run's. It runs in a thread of this process on the test session's local Spark (the lake is a
local folder): one JVM for the whole session rather than one per run, which on a shared CI
machine is the difference between seconds and minutes. Runs go one at a time, as on one
cluster. The run answers what Glue answers:

- ``JobRunState`` ``RUNNING`` while the script runs, then ``SUCCEEDED`` (it returned 0 or
  None), ``FAILED`` (it raised, returned or exited non-zero, or S3 has no such script) or
  ``STOPPED`` (``BatchStopJobRun`` while it ran: its result is not taken);
- ``ErrorMessage``: the script's exception as Glue reports a Python one,
  ``<ExceptionClass>: <message>``;
- ``ExecutionTime``: the run's wall time in whole seconds, rounded up; ``DPUSeconds`` only where
  Glue reports it (``ExecutionClass`` ``FLEX`` or ``--enable-auto-scaling``): ExecutionTime
  times the run's DPUs;
- ``WorkerType``, ``NumberOfWorkers`` and ``MaxCapacity`` (their DPUs: 1 per G.1X worker …)
  of the run, else of the job.

A streaming job (``Command.Name`` ``gluestreaming``) runs the same way: its script must end by
itself (Airloom's streaming entry point reads what is there, ``availableNow``, and stops); it
gets no job bookmark option (Glue streaming jobs keep checkpoints instead) and a default
``Timeout`` of 10,080 minutes. ``UpdateJob`` replaces a job's definition as Glue's does. The
role each run ran under (its job's ``Role`` when it started, which no Glue answer carries) is
kept in the stand-in's state, ``glue.run_roles``, for tests to assert on.

Limits enforced with Glue's error codes: an unknown job or run (``EntityNotFoundException``),
a job created twice (``AlreadyExistsException``), an unknown ``Command.Name``, a worker type
without a number of workers or the other way round, or fewer than 2 workers
(``InvalidInputException``).
"""

from __future__ import annotations

import math
import re
import sys
import threading
import time
import types
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.harness.aws_stand_ins.server import AwsError

if TYPE_CHECKING:
    from tests.harness.aws_stand_ins.server import StandIn

WORKER_DPUS = {"G.025X": 0.25, "G.1X": 1, "G.2X": 2, "G.4X": 4, "G.8X": 8, "Z.2X": 2}
DEFAULT_TIMEOUT_MINUTES = 2880  # Glue's default for a Spark job
STREAMING_TIMEOUT_MINUTES = 10080  # a streaming job's: Glue restarts it after 7 days
COMMANDS = frozenset({"glueetl", "gluestreaming", "pythonshell", "glueray"})
_S3_URI = re.compile(r"^s3://(?P<bucket>[^/]+)/(?P<key>.+)$")
_LOCK = threading.Lock()
_SPARK_LOCK = threading.Lock()


def _glue(stand_in: StandIn) -> dict[str, Any]:
    with _LOCK:
        return stand_in.state.setdefault(
            "glue", {"jobs": {}, "runs": {}, "stopped": set(), "run_roles": {}}
        )


def _job(stand_in: StandIn, name: Any) -> dict[str, Any]:
    job = _glue(stand_in)["jobs"].get(name)
    if job is None:
        raise AwsError("EntityNotFoundException", f"Job with name: {name} not found.")
    return job


def create_job(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    name = body.get("Name")
    if not name or not body.get("Role") or not body.get("Command"):
        raise AwsError("InvalidInputException", "Name, Role and Command are required.")
    _check_job(body)
    jobs = _glue(stand_in)["jobs"]
    if name in jobs:
        raise AwsError("AlreadyExistsException", f"Job with name: {name} already exists.")
    now = time.time()
    jobs[name] = {**body, "CreatedOn": now, "LastModifiedOn": now}
    return {"Name": name}


def update_job(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    job = _job(stand_in, body.get("JobName"))
    update = body.get("JobUpdate") or {}
    if not update.get("Role") or not update.get("Command"):
        raise AwsError("InvalidInputException", "Role and Command are required.")
    _check_job(update)
    with _LOCK:  # the update replaces the job's definition, as Glue's UpdateJob does
        kept = {key: job[key] for key in ("Name", "CreatedOn")}
        job.clear()
        job.update(update, **kept, LastModifiedOn=time.time())
    return {"JobName": job["Name"]}


def _check_job(body: dict[str, Any]) -> None:
    _workers(body)
    command = body.get("Command") or {}
    if command.get("Name", "glueetl") not in COMMANDS:
        raise AwsError("InvalidInputException", f"Unknown Command.Name {command.get('Name')!r}.")


def _streaming(job: dict[str, Any]) -> bool:
    return (job.get("Command") or {}).get("Name") == "gluestreaming"


def get_job(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    return {"Job": _job(stand_in, body.get("JobName"))}


def delete_job(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    _glue(stand_in)["jobs"].pop(body.get("JobName"), None)  # idempotent, as Glue's
    return {"JobName": body.get("JobName")}


def start_job_run(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    job = _job(stand_in, body.get("JobName"))
    worker_type, workers = _workers(body)
    if worker_type is None:
        worker_type, workers = _workers(job)
    dpus = WORKER_DPUS.get(worker_type or "", 1) * (workers or 0) or job.get("MaxCapacity") or 10
    run_id = f"jr_{uuid.uuid4().hex}{uuid.uuid4().hex}"
    arguments = {**(job.get("DefaultArguments") or {}), **(body.get("Arguments") or {})}
    run = {
        "Id": run_id,
        "Attempt": 0,
        "JobName": job["Name"],
        "JobMode": "SCRIPT",
        "StartedOn": time.time(),
        "LastModifiedOn": time.time(),
        "JobRunState": "RUNNING",
        "Arguments": arguments,
        "PredecessorRuns": [],
        "Timeout": body.get("Timeout")
        or job.get("Timeout")
        or (STREAMING_TIMEOUT_MINUTES if _streaming(job) else DEFAULT_TIMEOUT_MINUTES),
        "MaxCapacity": float(dpus),
        "LogGroupName": "/aws-glue/jobs",
        "GlueVersion": job.get("GlueVersion", "5.0"),
        "ExecutionClass": body.get("ExecutionClass") or job.get("ExecutionClass") or "STANDARD",
    }
    if worker_type is not None:
        run.update(WorkerType=worker_type, NumberOfWorkers=workers)
    _glue(stand_in)["runs"][run_id] = run
    _glue(stand_in)["run_roles"][run_id] = job["Role"]
    threading.Thread(
        target=_run_script, args=(stand_in, job, run), name=f"glue {run_id}", daemon=True
    ).start()
    return {"JobRunId": run_id}


def get_job_run(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    run = _glue(stand_in)["runs"].get(body.get("RunId"))
    if run is None or run["JobName"] != body.get("JobName"):
        raise AwsError("EntityNotFoundException", f"Job Run Id: {body.get('RunId')} not found.")
    with _LOCK:
        return {"JobRun": dict(run)}


def batch_stop_job_run(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    glue = _glue(stand_in)
    stopped, errors = [], []
    for run_id in body.get("JobRunIds") or []:
        run = glue["runs"].get(run_id)
        if run is None or run["JobName"] != body.get("JobName"):
            detail = {"ErrorCode": "EntityNotFoundException", "ErrorMessage": "Run not found."}
            errors.append(
                {"JobName": body.get("JobName"), "JobRunId": run_id, "ErrorDetail": detail}
            )
            continue
        if run["JobRunState"] == "RUNNING":
            glue["stopped"].add(run_id)
        stopped.append({"JobName": run["JobName"], "JobRunId": run_id})
    return {"SuccessfulSubmissions": stopped, "Errors": errors}


def _workers(shape: dict[str, Any]) -> tuple[str | None, int | None]:
    worker_type, workers = shape.get("WorkerType"), shape.get("NumberOfWorkers")
    if (worker_type is None) != (workers is None):
        raise AwsError(
            "InvalidInputException",
            "Please set both Worker Type and Number of Workers, or neither.",
        )
    if workers is not None and int(workers) < 2:
        raise AwsError("InvalidInputException", "Number of workers must be at least 2.")
    return worker_type, workers


def _run_script(stand_in: StandIn, job: dict[str, Any], run: dict[str, Any]) -> None:
    """The run's life: fetch the script, run it, record how it ended."""
    glue = _glue(stand_in)
    started = time.monotonic()
    state, message = "FAILED", None
    try:
        main = _script_main(stand_in, job)
        argv = ["--JOB_ID", f"j_{job['Name']}", "--JOB_RUN_ID", run["Id"]]
        if not _streaming(job):  # streaming jobs keep checkpoints, not bookmarks
            argv += ["--job-bookmark-option", "job-bookmark-disable"]
        for key, value in run["Arguments"].items():
            argv += [key, str(value)]
        with _SPARK_LOCK:  # one run at a time on the session's Spark, as one Glue cluster
            _glue_spark()
            code = main(argv)
    except AwsError as error:
        message = f"Script {job['Command'].get('ScriptLocation')}: {error.message}"
    except SystemExit as exit_:
        code = exit_.code
        message = None if code in (0, None) else f"Command failed with exit code {code}"
    except Exception as error:  # noqa: BLE001 - the script's own failure, as Glue reports it
        message = f"{type(error).__name__}: {error}"
    else:
        message = None if code in (0, None) else f"Command failed with exit code {code}"
    if message is None:
        state = "SUCCEEDED"
    if run["Id"] in glue["stopped"]:
        state, message = "STOPPED", None
    seconds = math.ceil(time.monotonic() - started)
    with _LOCK:
        run.update(
            JobRunState=state,
            ExecutionTime=seconds,
            CompletedOn=time.time(),
            LastModifiedOn=time.time(),
        )
        if message:
            run["ErrorMessage"] = message
        if (
            run["ExecutionClass"] == "FLEX"
            or run["Arguments"].get("--enable-auto-scaling") == "true"
        ):
            run["DPUSeconds"] = float(seconds * run["MaxCapacity"])


def _glue_spark() -> None:
    """The session the script's ``SparkSession.builder.getOrCreate()`` finds: this test
    session's local Spark (two cores on loopback), started once for every run."""
    from airloom.spark.session import spark_session

    spark_session("glue stand-in")


def _script_main(stand_in: StandIn, job: dict[str, Any]) -> Callable[[list[str]], Any]:
    """The job's script, read from S3 as Glue reads it, loaded as a module: its ``main``."""
    location = str(job["Command"].get("ScriptLocation") or "")
    match = _S3_URI.match(location)
    if match is None:
        raise AwsError("InvalidInputException", "not an s3:// location")
    code = stand_in.read_object(match["bucket"], match["key"], missing="EntityNotFoundException")
    module = types.ModuleType(f"glue_script_{Path(match['key']).stem}")
    module.__file__ = location
    # Registered as Glue's Python runs a script (a module in sys.modules), so what needs its
    # module at definition time (dataclasses) works.
    sys.modules[module.__name__] = module
    exec(compile(code, location, "exec"), module.__dict__)  # the job's own script
    main = getattr(module, "main", None)
    if not callable(main):
        raise AwsError("InvalidInputException", "the script defines no main(argv)")
    return main


TARGETS = {
    "AWSGlue.CreateJob": create_job,
    "AWSGlue.GetJob": get_job,
    "AWSGlue.UpdateJob": update_job,
    "AWSGlue.DeleteJob": delete_job,
    "AWSGlue.StartJobRun": start_job_run,
    "AWSGlue.GetJobRun": get_job_run,
    "AWSGlue.BatchStopJobRun": batch_stop_job_run,
}
