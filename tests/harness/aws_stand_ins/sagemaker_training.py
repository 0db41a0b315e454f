"""SageMaker training jobs that really run: the stand-in for training nodes on MWAA Serverless.

moto keeps training jobs but never runs them, so a job's model could not be asserted against
it. Here ``CreateTrainingJob`` runs the job as SageMaker runs a container, in a thread of this
process: a temporary folder stands for ``/opt/ml``; each input channel's objects are copied
from moto's S3 to ``input/data/<channel>/`` (keys relative to the channel's prefix, as File
mode does) with ``input/config/*.json`` written as SageMaker writes them; the container's
``ContainerEntrypoint`` (``python -m <module>``, only Airloom's modules) is imported and its
``main(argv, root=<folder>)`` called; then ``model/`` is uploaded as
``<S3OutputPath>/<job>/output/model.tar.gz``. The job answers what SageMaker answers:

- ``TrainingJobStatus`` ``InProgress`` while it runs, then ``Completed`` (main returned 0),
  ``Failed`` or ``Stopped`` (``StopTrainingJob`` while it ran: its model is not uploaded);
- ``FailureReason``: ``AlgorithmError: <output/failure>`` for the container's own failure, or
  ``ClientError: …`` when a channel's S3 prefix holds no object (SageMaker's words);
- ``ModelArtifacts.S3ModelArtifacts`` once Completed; ``TrainingTimeInSeconds`` and
  ``BillableTimeInSeconds`` (whole seconds, at least 1).

Limits enforced with SageMaker's error codes: a name used before (``ResourceInUse``), a name
outside ``^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$``, a missing role, image or output path
(``ValidationException``), an unknown job (``ValidationException``, "Requested resource not
found"). Only the training operations are here: nothing else of SageMaker reaches this server.
"""

from __future__ import annotations

import importlib
import io
import json
import math
import re
import shutil
import tarfile
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.harness.aws_stand_ins.server import ACCOUNT, REGION, AwsError

if TYPE_CHECKING:
    from tests.harness.aws_stand_ins.server import StandIn

JOB_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
_S3_URI = re.compile(r"^s3://(?P<bucket>[^/]+)/?(?P<key>.*)$")
_LOCK = threading.Lock()
# The modules a job's container may run: Airloom's own, as its training image holds them.
ENTRYPOINT_PREFIX = "airloom."


def _jobs(stand_in: StandIn) -> dict[str, dict[str, Any]]:
    with _LOCK:
        return stand_in.state.setdefault("sagemaker_training", {})


def _job(stand_in: StandIn, name: Any) -> dict[str, Any]:
    job = _jobs(stand_in).get(name)
    if job is None:
        raise AwsError("ValidationException", "Requested resource not found.")
    return job


def create_training_job(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    name = str(body.get("TrainingJobName") or "")
    if not JOB_NAME.fullmatch(name):
        raise AwsError(
            "ValidationException",
            f"1 validation error detected: Value '{name}' at 'trainingJobName' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: "
            "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
        )
    algorithm = body.get("AlgorithmSpecification") or {}
    output = (body.get("OutputDataConfig") or {}).get("S3OutputPath")
    if not body.get("RoleArn") or not algorithm.get("TrainingImage") or not output:
        raise AwsError(
            "ValidationException", "RoleArn, TrainingImage and S3OutputPath are required."
        )
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/{name.lower()}"
    now = time.time()
    job = {
        **{k: v for k, v in body.items() if k != "Tags"},
        "TrainingJobArn": arn,
        "TrainingJobStatus": "InProgress",
        "SecondaryStatus": "Starting",
        "CreationTime": now,
        "LastModifiedTime": now,
    }
    with _LOCK:
        jobs = stand_in.state.setdefault("sagemaker_training", {})
        if name in jobs:
            raise AwsError(
                "ResourceInUse",
                "Training job names must be unique within an AWS account and region, and a "
                f"training job with this name already exists ({arn})",
            )
        jobs[name] = job
    threading.Thread(
        target=_run_job, args=(stand_in, job), name=f"sagemaker {name}", daemon=True
    ).start()
    return {"TrainingJobArn": arn}


def describe_training_job(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    job = _job(stand_in, body.get("TrainingJobName"))
    with _LOCK:
        return dict(job)


def stop_training_job(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    job = _job(stand_in, body.get("TrainingJobName"))
    with _LOCK:
        if job["TrainingJobStatus"] == "InProgress":
            job.update(TrainingJobStatus="Stopping", SecondaryStatus="Stopping")
    return {}


def _run_job(stand_in: StandIn, job: dict[str, Any]) -> None:
    """The job's life: fetch its channels, run its container's entry point, upload its model."""
    name = job["TrainingJobName"]
    started = time.monotonic()
    root = Path(tempfile.mkdtemp(prefix=f"sagemaker-{name}-"))
    status, reason = "Failed", None
    try:
        _set(job, TrainingStartTime=time.time(), SecondaryStatus="Downloading")
        _download_channels(stand_in, job, root)
        _set(job, SecondaryStatus="Training")
        code = _entrypoint(job)(list(job.get("ContainerArguments") or []), root=root)
        if code not in (0, None):
            failure = root / "output" / "failure"
            text = failure.read_text() if failure.exists() else f"exit code {code}"
            reason = f"AlgorithmError: {text}"
        elif job["TrainingJobStatus"] == "InProgress":
            _set(job, SecondaryStatus="Uploading")
            artifacts = _upload_model(stand_in, job, root)
            _set(job, ModelArtifacts={"S3ModelArtifacts": artifacts})
            status = "Completed"
    except AwsError as error:
        reason = error.message
    except Exception as error:  # noqa: BLE001 - the container's crash, as SageMaker reports it
        reason = f"AlgorithmError: {type(error).__name__}: {error}"
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if job["TrainingJobStatus"] == "Stopping":
        status, reason = "Stopped", None
    seconds = max(1, math.ceil(time.monotonic() - started))
    _set(
        job,
        TrainingJobStatus=status,
        SecondaryStatus=status,
        TrainingEndTime=time.time(),
        TrainingTimeInSeconds=seconds,
        BillableTimeInSeconds=seconds,
        **({"FailureReason": reason} if reason else {}),
    )


def _set(job: dict[str, Any], **fields: Any) -> None:
    with _LOCK:
        job.update(fields, LastModifiedTime=time.time())


def _download_channels(stand_in: StandIn, job: dict[str, Any], root: Path) -> None:
    """Each channel's objects into ``input/data/<channel>/``, as File input mode copies them."""
    s3 = stand_in.s3()
    config = root / "input" / "config"
    config.mkdir(parents=True)
    channels = job.get("InputDataConfig") or []
    (config / "hyperparameters.json").write_text(json.dumps(job.get("HyperParameters") or {}))
    (config / "inputdataconfig.json").write_text(
        json.dumps({c["ChannelName"]: {"TrainingInputMode": "File"} for c in channels})
    )
    (config / "resourceconfig.json").write_text(
        json.dumps({"current_host": "algo-1", "hosts": ["algo-1"]})
    )
    for channel in channels:
        uri = channel["DataSource"]["S3DataSource"]["S3Uri"]
        match = _S3_URI.match(uri)
        if match is None:
            raise AwsError("ValidationException", f"{uri} is not an S3 URI")
        bucket, prefix = match["bucket"], match["key"]
        keys = [
            item["Key"]
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for item in page.get("Contents", [])
        ]
        if not keys:
            raise AwsError(
                "ClientError",
                f'ClientError: No S3 objects found under S3 URL "{uri}" given in input data '
                f"source. Please ensure that the bucket exists in the selected region "
                f"({REGION}), that objects exist under that S3 prefix, and that the role "
                f'{job["RoleArn"]} has "s3:ListBucket" permissions on bucket "{bucket}".',
            )
        folder = root / "input" / "data" / channel["ChannelName"]
        for key in keys:
            if key.endswith("/"):  # a folder marker: a folder in the channel, as SageMaker makes
                (folder / key[len(prefix) :]).mkdir(parents=True, exist_ok=True)
                continue
            relative = key[len(prefix) :].lstrip("/") or Path(key).name
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def _entrypoint(job: dict[str, Any]) -> Any:
    """The container's entry point, ``python -m airloom.…``: that module's ``main``."""
    command = list((job.get("AlgorithmSpecification") or {}).get("ContainerEntrypoint") or [])
    if len(command) != 3 or command[:2] != ["python", "-m"]:
        raise AwsError("ClientError", f"ClientError: the stand-in runs python -m, not {command}")
    module = command[2]
    if not module.startswith(ENTRYPOINT_PREFIX):
        raise AwsError("ClientError", f"ClientError: the training image has no module {module}")
    return importlib.import_module(module).main


def _upload_model(stand_in: StandIn, job: dict[str, Any], root: Path) -> str:
    """``model/`` as ``model.tar.gz`` under the job's output path."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        model = root / "model"
        for path in sorted(model.rglob("*")) if model.exists() else []:
            archive.add(path, arcname=str(path.relative_to(model)))
    match = _S3_URI.match(job["OutputDataConfig"]["S3OutputPath"])
    if match is None:
        raise AwsError("ClientError", "ClientError: the output path is not an S3 URI")
    key = f"{match['key'].rstrip('/')}/{job['TrainingJobName']}/output/model.tar.gz".lstrip("/")
    stand_in.s3().put_object(Bucket=match["bucket"], Key=key, Body=buffer.getvalue())
    return f"s3://{match['bucket']}/{key}"


TARGETS = {
    "SageMaker.CreateTrainingJob": create_training_job,
    "SageMaker.DescribeTrainingJob": describe_training_job,
    "SageMaker.StopTrainingJob": stop_training_job,
}
