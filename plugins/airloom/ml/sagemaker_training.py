"""``train`` and ``train_embedder`` as SageMaker training jobs: the tasks MWAA Serverless runs.

A training node does not fit an MWAA Serverless worker (1 vCPU, 3 GiB, 60 minutes), so where
the deployment declares SageMaker training (:class:`~airloom.ml.sagemaker_settings.
SageMakerTraining`), the compiler writes the node as one of these operators instead of the
local one. The task validates and places the node's params as the local operator does, writes
the request (:class:`~airloom.ml.sagemaker_job.JobRequest`) to the tenant's area of the lake,
creates the training job under the tenant's own role with the provider's ``SageMakerHook``,
and defers to the provider's ``SageMakerTrigger``; the job runs :mod:`airloom.ml.sagemaker_job`
(the same training code as the local node); when it ends, the task reads the job's result from
its ``model.tar.gz`` and pushes the same XComs as the local operator, so nothing downstream
changes. These classes live outside :mod:`airloom.operators`: they are not node types of their
own, only another place for two of them to run.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, NoReturn

from airloom.ml.sagemaker_job import ENTRYPOINT as JOB_ENTRYPOINT
from airloom.ml.sagemaker_job import MLFLOW_SECRET_VARIABLE
from airloom.ml.sagemaker_settings import SageMakerTraining
from airloom.operators.base import AirloomOperator
from airloom.operators.mlflow import TrainModelOperator
from airloom.operators.retrieval import TrainEmbedderOperator

if TYPE_CHECKING:
    from airflow.providers.amazon.aws.hooks.sagemaker import SageMakerHook
    from airflow.sdk import Context

    from airloom.ml.node_training import Registered

# The training job a deferred task waits for, in its XCom.
TRAINING_JOB_KEY = "sagemaker_training_job"
ENTRYPOINT = list(JOB_ENTRYPOINT)  # the training image's own (airloom training-image)
# The tenant's folder for the jobs' requests and results, beside its datasets: no dataset
# name can start with '_' (airloom.lake.DATASET_NAME).
JOBS_FOLDER = "_airloom/sagemaker"
TENANT_TAG = "airloom.tenant"


class SageMakerTrainingError(RuntimeError):
    """The job could not start, or did not complete.

    :param retryable: whether another try could succeed (a job the training code refused, or
        a missing input, fails the same way again).
    """

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


def training_job_name(tenant: str, context: Context) -> str:
    """``airloom-<tenant>-<digest of the task try>``: one job per try, named in the tenant's
    area (SageMaker's names take no '_', and a tenant name no '-', so the mapping is one to one)."""
    ti = context["ti"]
    identity = "|".join(
        str(part) for part in (ti.dag_id, ti.run_id, ti.task_id, ti.map_index, ti.try_number)
    )
    digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
    return f"airloom-{tenant.replace('_', '-')}-{digest}"


def split_s3(uri: str) -> tuple[str, str]:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


def plain_s3(uri: str) -> str:
    """``s3://bucket/key`` as SageMaker and the job take it: an Airflow ``ObjectStoragePath``
    writes its connection id into the URI (``s3://airloom_lake@bucket/key``)."""
    bucket, key = split_s3(str(uri).rstrip("/"))
    return f"s3://{bucket.rsplit('@', 1)[-1]}/{key}".rstrip("/")


class SageMakerTrainingJob(AirloomOperator):
    """What both training nodes do on SageMaker; a base placed before the local operator,
    whose node type, params, ports and validation stay as they are.

    :param sagemaker_training: the deployment's :class:`SageMakerTraining`, as its document.
    """

    def __init__(self, *, sagemaker_training: Mapping[str, Any], **kwargs: Any) -> None:
        settings = SageMakerTraining.from_document(sagemaker_training)
        super().__init__(**kwargs)  # BaseOperator takes no attribute before its own __init__
        self.sagemaker_training = settings

    def hook(self) -> SageMakerHook:
        from airflow.providers.amazon.aws.hooks.sagemaker import SageMakerHook

        settings = self.sagemaker_training
        return SageMakerHook(aws_conn_id=settings.aws_conn_id, region_name=settings.region_name)

    def run(self, params: Any, inputs: Mapping[str, Any], context: Context) -> NoReturn:
        from airflow.providers.amazon.aws.triggers.sagemaker import SageMakerTrigger
        from botocore.exceptions import ClientError

        from airloom.connections import LAKE_CONN_ID
        from airloom.hooks.mlflow import MlflowHook
        from airloom.lake import lake_root
        from airloom.ml.sagemaker_job import REQUEST_CHANNEL, REQUEST_FILE, JobRequest
        from airloom.operators.quality import run_tags

        scope = self.tenant_scope
        if scope is None:
            raise SageMakerTrainingError(
                f"node {self.task_id!r}: a SageMaker training job runs for a tenant, and this "
                "node has none",
                retryable=False,
            )
        lake = str(lake_root(getattr(params, "lake_conn_id", LAKE_CONN_ID))).rstrip("/")
        if lake.startswith("s3://"):
            lake = plain_s3(lake)
        else:
            raise SageMakerTrainingError(
                f"node {self.task_id!r}: a SageMaker training job reads its input from S3, and "
                f"the lake is at {lake}",
                retryable=False,
            )
        dataset_uri = plain_s3(str(inputs["table"]))
        server = MlflowHook(params.mlflow_conn_id).server()
        secret = self.sagemaker_training.mlflow_secret(scope.tenant)
        if server.username and secret is None:  # the request must never carry them
            raise SageMakerTrainingError(
                f"node {self.task_id!r}: the MLflow connection {params.mlflow_conn_id!r} has "
                "credentials and the deployment names no secret the training job could read "
                "them from (SageMakerTraining.mlflow_secret_id)",
                retryable=False,
            )
        name = training_job_name(scope.tenant, context)
        folder = f"{lake}/{scope.area}/{JOBS_FOLDER}"
        request = JobRequest(
            kind=self.node_type,
            node=self.task_id,
            tenant=scope.tenant,
            params=params.model_dump(mode="json"),
            dataset_uri=dataset_uri,
            lake_root=lake,
            tracking_uri=server.tracking_uri,
            registry_uri=server.registry_uri,
            holdout_uri=(
                plain_s3(self.holdout_uri(params, str(inputs["table"])))
                if self.node_type == "train"
                else None
            ),
            lineage=run_tags(context, dataset_uri),
            run_name=f"{context['dag'].dag_id}.{self.task_id}",
        )
        hook = self.hook()
        request_uri = f"{folder}/{name}/{REQUEST_CHANNEL}/"
        bucket, key = split_s3(request_uri + REQUEST_FILE)
        hook.s3_hook.load_string(request.to_json(), key=key, bucket_name=bucket, replace=True)
        config = self.job_config(name, scope.tenant, request_uri, dataset_uri, f"{folder}/")
        not_created = f"node {self.task_id!r}: SageMaker training job {name} was not created"
        # Each input checked by its prefix, which the tenant's role may list; the hook's own
        # check (create_training_job) heads the bucket, which needs listing all of it.
        for channel in config["InputDataConfig"]:
            uri = channel["DataSource"]["S3DataSource"]["S3Uri"]
            channel_bucket, prefix = split_s3(uri)
            if not hook.s3_hook.list_keys(bucket_name=channel_bucket, prefix=prefix, max_items=1):
                raise SageMakerTrainingError(
                    f"{not_created}: its input {uri} holds no objects", retryable=False
                )
        try:
            hook.get_conn().create_training_job(**config)
        except ClientError as error:  # SageMaker's refusal: only a malformed request is final
            code = error.response.get("Error", {}).get("Code")
            raise SageMakerTrainingError(
                f"{not_created}: {error}", retryable=code != "ValidationException"
            ) from error
        context["ti"].xcom_push(key=TRAINING_JOB_KEY, value=name)
        settings = self.sagemaker_training
        self.log.info("SageMaker training job %s created; waiting in the triggerer", name)
        self.defer(
            trigger=SageMakerTrigger(
                job_name=name,
                job_type="training",
                waiter_delay=settings.waiter_delay,
                waiter_max_attempts=settings.waiter_max_attempts,
                aws_conn_id=settings.aws_conn_id,
                region_name=settings.region_name,
            ),
            method_name="resume_after_training_job",
            timeout=timedelta(
                seconds=settings.waiter_delay * (settings.waiter_max_attempts + 2) + 60
            ),
        )

    def job_config(
        self, name: str, tenant: str, request_uri: str, dataset_uri: str, output_uri: str
    ) -> dict[str, Any]:
        """CreateTrainingJob's request: Airloom's image and entry point, the tenant's role, the
        request and dataset as input channels, the result under the tenant's folder."""
        from airloom.ml.sagemaker_job import DATA_CHANNEL, REQUEST_CHANNEL

        settings = self.sagemaker_training

        def channel(channel_name: str, uri: str) -> dict[str, Any]:
            source = {"S3DataType": "S3Prefix", "S3Uri": uri}
            source["S3DataDistributionType"] = "FullyReplicated"
            return {"ChannelName": channel_name, "DataSource": {"S3DataSource": source}}

        config: dict[str, Any] = {
            "TrainingJobName": name,
            "AlgorithmSpecification": {
                "TrainingImage": settings.image_uri,
                "TrainingInputMode": "File",
                "ContainerEntrypoint": ENTRYPOINT,
            },
            "RoleArn": settings.role_arn(tenant),
            "InputDataConfig": [
                channel(REQUEST_CHANNEL, request_uri),
                channel(DATA_CHANNEL, f"{dataset_uri}/"),
            ],
            "OutputDataConfig": {"S3OutputPath": output_uri},
            "ResourceConfig": {
                "InstanceType": settings.instance_type,
                "InstanceCount": 1,
                "VolumeSizeInGB": settings.volume_size_gb,
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": settings.max_runtime_seconds},
            "Tags": [{"Key": TENANT_TAG, "Value": tenant}],
        }
        secret = settings.mlflow_secret(tenant)
        if secret is not None:  # its id only: the job reads the secret under its own role
            config["Environment"] = {MLFLOW_SECRET_VARIABLE: secret}
            if settings.region_name:
                config["Environment"]["AWS_DEFAULT_REGION"] = settings.region_name
        if settings.subnet_ids:
            config["VpcConfig"] = {
                "Subnets": list(settings.subnet_ids),
                "SecurityGroupIds": list(settings.security_group_ids),
            }
        return config

    def resume_after_training_job(
        self, context: Context, event: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The wait ended: publish the job's result as the local node would, or fail with the
        job's status and SageMaker's FailureReason."""

        def step() -> dict[str, Any]:
            ti = context["ti"]
            name = ti.xcom_pull(
                task_ids=self.task_id, key=TRAINING_JOB_KEY, map_indexes=ti.map_index
            )
            hook = self.hook()
            job = hook.describe_training_job(name)
            status = job["TrainingJobStatus"]
            if status != "Completed":
                if status == "InProgress":  # the wait gave up: stop what still bills
                    hook.conn.stop_training_job(TrainingJobName=name)
                reason = job.get("FailureReason") or (event or {}).get("message") or "no reason"
                raise SageMakerTrainingError(
                    f"node {self.task_id!r}: SageMaker training job {name} ended {status}: "
                    f"{' '.join(str(reason).split())}",
                    retryable=status != "Failed",
                )
            registered = read_result(hook, job["ModelArtifacts"]["S3ModelArtifacts"])
            from airloom.activity.models import model_registered

            model_registered(context, registered.model_name, registered.version)
            self.log.info("SageMaker training job %s registered %s", name, registered.reference)
            outputs = dict(registered.outputs)
            if "holdout" in outputs:  # as the local node names it, for downstream's checks
                params = self.params_model.model_validate(self.node_params)
                outputs["holdout"] = self.holdout_uri(params, str(self.inputs["table"]))
            return outputs

        return self.run_step(step, context)


def read_result(hook: SageMakerHook, artifacts_uri: str) -> Registered:
    """The job's result document, from the ``model.tar.gz`` SageMaker uploaded."""
    from airloom.ml.node_training import Registered
    from airloom.ml.sagemaker_job import RESULT_FILE

    bucket, key = split_s3(artifacts_uri)
    body = hook.s3_hook.get_key(key, bucket_name=bucket).get()["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as archive:
        member = archive.extractfile(RESULT_FILE)
        if member is None:
            raise SageMakerTrainingError(f"{artifacts_uri} holds no {RESULT_FILE}")
        return Registered.from_document(json.loads(member.read()))


class SageMakerTrainModelOperator(SageMakerTrainingJob, TrainModelOperator):
    """The ``train`` node, run as a SageMaker training job."""


class SageMakerTrainEmbedderOperator(SageMakerTrainingJob, TrainEmbedderOperator):
    """The ``train_embedder`` node, run as a SageMaker training job."""


# The operator a node type compiles to when its training runs on SageMaker.
SAGEMAKER_OPERATORS = {
    "train": SageMakerTrainModelOperator,
    "train_embedder": SageMakerTrainEmbedderOperator,
}
