"""The SageMaker training job's entry point: a ``train`` or ``train_embedder`` node, run there.

On MWAA Serverless a training node does not fit the service's worker, so its task submits a
SageMaker training job (:mod:`airloom.ml.sagemaker_training`) whose container runs
``python -m airloom.ml.sagemaker_job``. The job follows SageMaker's container contract:

- ``<root>/input/data/request/request.json``: the request (:class:`JobRequest`): the node's
  validated params, its tenant, the input dataset's and held-out rows' URIs, the lineage tags,
  and the MLflow server;
- ``<root>/input/data/train/``: the input dataset's Parquet files, copied from S3 by SageMaker;
- ``<root>/model/result.json``: what the node publishes (:class:`~airloom.ml.node_training.
  Registered`), which SageMaker uploads as ``model.tar.gz``;
- ``<root>/output/failure``: why it failed, which SageMaker reports as ``FailureReason``.

The training itself is :mod:`airloom.ml.node_training`, the code the local operators run.
``<root>`` is ``/opt/ml``, or :data:`ROOT_VARIABLE` (tests run the job in a temporary folder).

MLflow's credentials never travel in the request (an object in the lake): when the deployment
names the MLflow connection's secret, the job's ``Environment`` holds its id
(:data:`MLFLOW_SECRET_VARIABLE`) and the job reads the secret under its own role.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

#: The container's command: the training image's ENTRYPOINT and the job's ContainerEntrypoint.
ENTRYPOINT = ("python", "-m", "airloom.ml.sagemaker_job")
#: SageMaker's ``docker run <image> train`` passes this argument when no entry point is given.
TRAIN_ARGUMENT = "train"
ROOT_VARIABLE = "AIRLOOM_SAGEMAKER_ROOT"
MLFLOW_SECRET_VARIABLE = "AIRLOOM_MLFLOW_SECRET_ID"
DEFAULT_ROOT = "/opt/ml"
REQUEST_CHANNEL = "request"
REQUEST_FILE = "request.json"
DATA_CHANNEL = "train"
RESULT_FILE = "result.json"
KINDS = ("train", "train_embedder")
MAX_FAILURE_CHARACTERS = 1024  # DescribeTrainingJob's FailureReason
log = logging.getLogger(__name__)


class JobRequestError(ValueError):
    """The request cannot be run as given (a bad document, an input outside the tenant)."""


@dataclass(frozen=True)
class JobRequest:
    """One training node's work, as its task hands it to the job.

    :param kind: the node type, ``train`` or ``train_embedder``.
    :param node: the node's id (for messages).
    :param params: the node's params, validated and placed in the tenant's area by the task.
    :param lake_root: the lake's root URI: both datasets must lie in the tenant's area of it.
    :param lineage: the workflow, Airflow run, task and dataset tags of the version.
    """

    kind: str
    node: str
    tenant: str
    params: dict[str, Any]
    dataset_uri: str
    lake_root: str
    tracking_uri: str
    registry_uri: str | None = None
    holdout_uri: str | None = None
    lineage: dict[str, str] = field(default_factory=dict)
    run_name: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> JobRequest:
        try:
            document = json.loads(text)
            request = cls(**document)
        except (TypeError, ValueError) as error:
            raise JobRequestError(f"the job's request is not Airloom's: {error}") from None
        if request.kind not in KINDS:
            raise JobRequestError(f"the job runs {KINDS}, not {request.kind!r}")
        if request.kind == "train" and not request.holdout_uri:
            raise JobRequestError("a train request names where its held-out rows go")
        return request


def mlflow_credentials(secret_id: str | None) -> tuple[str | None, str | None]:
    """The MLflow connection's login and password from Secrets Manager, read as Airflow's
    secrets backend reads a connection (a JSON document or a connection URI).

    :raises JobRequestError: naming the secret when it cannot be read or holds no connection.
    """
    if not secret_id:
        return None, None
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        text = boto3.client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"]
    except ClientError as error:
        detail = error.response.get("Error", {})
        raise JobRequestError(
            f"the MLflow connection's secret {secret_id!r} could not be read: "
            f"{detail.get('Code')}: {detail.get('Message')}"
        ) from None
    except (BotoCoreError, KeyError) as error:
        raise JobRequestError(
            f"the MLflow connection's secret {secret_id!r} could not be read: {error}"
        ) from None
    if text.strip().startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            raise JobRequestError(
                f"the MLflow connection's secret {secret_id!r} is neither a connection's JSON "
                "nor its URI"
            ) from None
        # The secrets backend's words for a connection's login and password.
        login = next(
            (document[k] for k in ("login", "user", "username", "user_name") if k in document), None
        )
        password = next((document[k] for k in ("password", "pass", "key") if k in document), None)
        return login or None, password or None
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(text.strip())
    if not parts.scheme:
        raise JobRequestError(
            f"the MLflow connection's secret {secret_id!r} is neither a connection's JSON nor "
            "its URI"
        )
    login = unquote(parts.username) if parts.username else None
    return login, unquote(parts.password) if parts.password else None


def run_request(root: Path) -> dict[str, Any]:
    """Run the request found under ``root``; return the result document."""
    from airloom.datasets import data_files, read_table
    from airloom.ml.tracking import TrackingServer
    from airloom.tenancy import TenantScope

    request = JobRequest.from_json(
        (root / "input" / "data" / REQUEST_CHANNEL / REQUEST_FILE).read_text()
    )
    scope = TenantScope(request.tenant)
    for uri in (request.dataset_uri, request.holdout_uri):
        if uri is not None and not scope.owns_lake_uri(uri, request.lake_root):
            raise JobRequestError(f"{uri} is outside the lake area of tenant {request.tenant!r}")
    data = root / "input" / "data" / DATA_CHANNEL
    if not data.is_dir() or not data_files(str(data)):
        raise JobRequestError(
            f"node {request.node!r}: the input dataset {request.dataset_uri} holds no data files"
        )
    username, password = mlflow_credentials(os.environ.get(MLFLOW_SECRET_VARIABLE))
    server = TrackingServer(request.tracking_uri, request.registry_uri, username, password)
    if request.kind == "train":
        from airloom.ml.node_training import train_and_register
        from airloom.operators.mlflow import TrainParams

        registered = train_and_register(
            TrainParams.model_validate(request.params),
            read_table(str(data)).to_pandas(),
            dataset_uri=request.dataset_uri,
            holdout_uri=str(request.holdout_uri),
            lineage=request.lineage,
            run_name=request.run_name,
            server=server,
            tenant=request.tenant,
        )
    else:
        from airloom.ml.node_training import train_embedder_and_register
        from airloom.operators.retrieval import TrainEmbedderParams

        params = TrainEmbedderParams.model_validate(request.params)
        registered = train_embedder_and_register(
            params,
            read_table(str(data), columns=[params.text_column]).to_pandas(),
            dataset_uri=request.dataset_uri,
            lineage=request.lineage,
            server=server,
            tenant=request.tenant,
        )
    return registered.to_document()


def main(argv: Sequence[str] | None = None, *, root: str | Path | None = None) -> int:
    """Run the job; 0 when the model is registered and the result written, else 1 with the
    reason in ``<root>/output/failure``."""
    base = Path(root or os.environ.get(ROOT_VARIABLE) or DEFAULT_ROOT)
    try:
        arguments = list(argv or [])
        if arguments not in ([], [TRAIN_ARGUMENT]):  # all else comes through the channels
            raise JobRequestError(f"the job takes no argument but {TRAIN_ARGUMENT!r}: {arguments}")
        result = run_request(base)
    except Exception as error:  # reported to SageMaker, which fails the job
        log.exception("the training job failed")
        reason = " ".join(f"{type(error).__name__}: {error}".split())
        (base / "output").mkdir(parents=True, exist_ok=True)
        (base / "output" / "failure").write_text(reason[:MAX_FAILURE_CHARACTERS])
        return 1
    (base / "model").mkdir(parents=True, exist_ok=True)
    (base / "model" / RESULT_FILE).write_text(json.dumps(result, sort_keys=True))
    log.info("Registered %s", result["outputs"].get("model"))
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    sys.exit(main(sys.argv[1:]))
