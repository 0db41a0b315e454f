"""SageMaker training jobs that really run: the stand-in for training nodes on MWAA Serverless.

moto keeps training jobs but never runs them, so a job's model could not be asserted against
it. Here ``CreateTrainingJob`` runs the job as SageMaker runs a container: a temporary folder
stands for ``/opt/ml``; each input channel's objects are copied from moto's S3 to
``input/data/<channel>/`` (keys relative to the channel's prefix, as File mode does) with
``input/config/*.json`` written as SageMaker writes them; the container's
``ContainerEntrypoint`` (``python -m <module>``, only Airloom's modules) runs as a process of
its own with ``ContainerArguments``, and an environment like the container's: the job's
``Environment``, credentials of the job's own role (moto's STS ``AssumeRole``), moto as the AWS
endpoint, its own home, and nothing of this process's keys, connections or MLflow settings;
then ``model/`` is uploaded as ``<S3OutputPath>/<job>/output/model.tar.gz``. The job answers
what SageMaker answers:

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

import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
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
_PROCESSES: dict[str, subprocess.Popen[bytes]] = {}  # running jobs, to stop
# What a job's process keeps of this one's environment: how to find Python, nothing else.
_INHERITED = ("PATH", "LANG", "LC_ALL", "PYTHONPATH", "TMPDIR")
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
            process = _PROCESSES.get(job["TrainingJobName"])
            if process is not None:
                process.terminate()
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
        code, log_tail = _run_container(stand_in, job, root)
        if code != 0:
            failure = root / "output" / "failure"
            text = failure.read_text() if failure.exists() else f"exit code {code}: {log_tail}"
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


def _entrypoint(job: dict[str, Any]) -> list[str]:
    """The container's command, ``python -m airloom.…``, with this machine's Python."""
    command = list((job.get("AlgorithmSpecification") or {}).get("ContainerEntrypoint") or [])
    if len(command) != 3 or command[:2] != ["python", "-m"]:
        raise AwsError("ClientError", f"ClientError: the stand-in runs python -m, not {command}")
    module = command[2]
    if not module.startswith(ENTRYPOINT_PREFIX):
        raise AwsError("ClientError", f"ClientError: the training image has no module {module}")
    return [sys.executable, "-m", module, *(job.get("ContainerArguments") or [])]


def _environment(stand_in: StandIn, job: dict[str, Any], root: Path) -> dict[str, str]:
    """The container's environment: the job's own role and settings, never this process's."""
    import boto3

    sts = boto3.client(
        "sts",
        endpoint_url=stand_in.moto_url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    keys = sts.assume_role(RoleArn=job["RoleArn"], RoleSessionName="SageMaker")["Credentials"]
    home = root / "home"
    home.mkdir()
    return {
        **{name: os.environ[name] for name in _INHERITED if name in os.environ},
        "HOME": str(home),
        "AWS_ENDPOINT_URL": str(stand_in.moto_url),
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": keys["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": keys["SecretAccessKey"],
        "AWS_SESSION_TOKEN": keys["SessionToken"],
        **{str(k): str(v) for k, v in (job.get("Environment") or {}).items()},
        "AIRLOOM_SAGEMAKER_ROOT": str(root),
    }


def _run_container(stand_in: StandIn, job: dict[str, Any], root: Path) -> tuple[int, str]:
    """Run the container's command to its end; its exit code and the last lines it logged."""
    name = job["TrainingJobName"]
    log_path = root.parent / f"{root.name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            _entrypoint(job),
            env=_environment(stand_in, job, root),
            cwd=root,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        with _LOCK:
            _PROCESSES[name] = process
        limit = (job.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds") or 3600
        try:
            code = process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
        finally:
            with _LOCK:
                _PROCESSES.pop(name, None)
    lines = log_path.read_text(errors="replace").strip().splitlines()
    log_path.unlink()
    return code, " ".join(lines[-3:])


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
