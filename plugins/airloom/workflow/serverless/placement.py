"""Which node types can run as MWAA Serverless tasks, and which must run elsewhere.

A task of the service runs on a worker of 1 vCPU and 3 GiB for at most 60 minutes, with no
internet unless the workflow is placed in a VPC with a way out (AWS's announcement of the
service; docs/mwaa_serverless.md). AWS APIs and S3 are reached through the workflow's own
execution role. Each node type's needs are declared here as data; a node whose needs the
deployment does not meet is a problem naming the node, and a node whose work belongs on another
service that Airloom cannot yet send it to says so, rather than pass and fail at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from airloom.ml.sagemaker_settings import SageMakerTraining
from airloom.workflow.problems import Problem
from airloom.workflow.serverless.glue_streaming import GlueStreaming
from airloom.workflow.spec import WorkflowSpec


class Need(StrEnum):
    """What a node needs beyond the worker and AWS APIs under the workflow's role."""

    PRIVATE_NETWORK = "private_network"  # Airloom's services in its VPC: MLflow, databases
    INTERNET = "internet"  # a public address: NAT egress from the workflow's subnets
    MSK = "msk"  # the deployment's Kafka is Amazon MSK (IAM auth) inside that VPC
    SPARK_ON_EMR_SERVERLESS = "spark_on_emr_serverless"  # Spark submitted, not run in the worker
    SPARK_STREAM_ON_GLUE = "spark_stream_on_glue"  # streaming runs as Glue streaming jobs
    SAGEMAKER_TRAINING = "sagemaker_training"  # training runs as SageMaker training jobs


@dataclass(frozen=True)
class ServerlessTarget:
    """How a deployment set MWAA Serverless up: what its workflows' tasks can reach.

    :param private_network: workflows are placed in Airloom's VPC (NetworkConfiguration), so
        MLflow, MSK and databases there are reachable.
    :param internet: those subnets have a way out to the internet (NAT).
    :param kafka_is_msk: the platform's Kafka connection is Amazon MSK with IAM auth.
    :param spark_on_emr_serverless: the platform's Spark connection submits to EMR Serverless
        (its extra names the application), so no Spark driver runs in the worker.
    :param spark_stream_on_glue: ``spark_stream`` nodes run as AWS Glue streaming jobs, set
        up as ``glue_streaming`` says (required with it).
    :param sagemaker_training: ``train`` and ``train_embedder`` nodes run as SageMaker
        training jobs, set up as ``sagemaker`` says (required with it).
    """

    private_network: bool = False
    internet: bool = False
    kafka_is_msk: bool = False
    spark_on_emr_serverless: bool = False
    spark_stream_on_glue: bool = False
    glue_streaming: GlueStreaming | None = None
    sagemaker_training: bool = False
    sagemaker: SageMakerTraining | None = None

    def __post_init__(self) -> None:
        if self.spark_stream_on_glue and self.glue_streaming is None:
            raise ValueError("spark_stream_on_glue needs the deployment's glue_streaming setup")
        if self.sagemaker_training and self.sagemaker is None:
            raise ValueError("sagemaker_training needs the deployment's SageMaker setup")

    def meets(self, need: Need) -> bool:
        return {
            Need.PRIVATE_NETWORK: self.private_network,
            Need.INTERNET: self.private_network and self.internet,
            Need.MSK: self.private_network and self.kafka_is_msk,
            Need.SPARK_ON_EMR_SERVERLESS: self.spark_on_emr_serverless,
            Need.SPARK_STREAM_ON_GLUE: self.spark_stream_on_glue,
            Need.SAGEMAKER_TRAINING: self.sagemaker_training,
        }[need]


@dataclass(frozen=True)
class Placement:
    """Where one node type runs on MWAA Serverless.

    :param needs: what the deployment must provide for the node to run as a task.
    :param belongs_on: where the work goes instead of the worker ("" when the worker is right).
    :param redirect_built: whether Airloom can send it there yet.
    """

    needs: frozenset[Need] = frozenset()
    belongs_on: str = ""
    redirect_built: bool = True


_MLFLOW = Placement(needs=frozenset({Need.PRIVATE_NETWORK}))
# Training needs more than one worker: a SageMaker training job (airloom.ml.sagemaker_training)
# in the workflows' subnets, where it reaches MLflow.
_SAGEMAKER = Placement(
    needs=frozenset({Need.SAGEMAKER_TRAINING, Need.PRIVATE_NETWORK}),
    belongs_on="a SageMaker training job",
)
_AWS_API = Placement()

NODE_PLACEMENTS: dict[str, Placement] = {
    # Ingestion
    "file_ingest": Placement(),
    "sql_ingest": Placement(needs=frozenset({Need.PRIVATE_NETWORK})),
    "http_ingest": Placement(needs=frozenset({Need.INTERNET})),
    "kafka_ingest": Placement(needs=frozenset({Need.MSK})),
    "kafka_publish": Placement(needs=frozenset({Need.MSK})),
    "kinesis_ingest": _AWS_API,
    "kinesis_publish": _AWS_API,
    # Spark: the batch node submits to EMR Serverless when its connection says so.
    "spark_transform": Placement(
        needs=frozenset({Need.SPARK_ON_EMR_SERVERLESS}),
        belongs_on="EMR Serverless (the platform's Spark connection) or a glue_job node",
    ),
    # Streaming: one bounded run of the same job as a Glue streaming job run (.glue_streaming).
    "spark_stream": Placement(
        needs=frozenset({Need.SPARK_STREAM_ON_GLUE}), belongs_on="an AWS Glue streaming job"
    ),
    "glue_job": _AWS_API,
    # Quality and documents: small, in-process work.
    "quality_gate": Placement(),
    "chunk_documents": Placement(),
    # Models: MLflow lives in Airloom's VPC; training needs more than one worker.
    "train": _SAGEMAKER,
    "train_embedder": _SAGEMAKER,
    "evaluate": _MLFLOW,
    "batch_score": _MLFLOW,
    "deploy": _MLFLOW,
    "vector_index": _MLFLOW,
    "vector_query": _MLFLOW,
    # AWS AI services: calls under the workflow's role.
    "bedrock": _AWS_API,
    "bedrock_embed": _AWS_API,
    "comprehend": _AWS_API,
    "translate": _AWS_API,
    "polly": _AWS_API,
    "rekognition": _AWS_API,
    "textract": _AWS_API,
    "transcribe": _AWS_API,
}

_NEED_MESSAGES = {
    Need.PRIVATE_NETWORK: (
        "reaches Airloom's services inside its VPC (MLflow, databases); this deployment does "
        "not place MWAA Serverless workflows in that VPC"
    ),
    Need.INTERNET: (
        "fetches from the internet, which MWAA Serverless workers cannot reach unless the "
        "workflow runs in a VPC with a way out (NAT); this deployment has none"
    ),
    Need.MSK: (
        "needs the platform's Kafka to be Amazon MSK reachable from the workflow's VPC; this "
        "deployment's Kafka is not"
    ),
    Need.SPARK_ON_EMR_SERVERLESS: (
        "would run a Spark driver on the MWAA Serverless worker (1 vCPU, 3 GiB, 60 minutes); "
        "the platform's Spark connection must submit to EMR Serverless, or use a glue_job node"
    ),
    Need.SPARK_STREAM_ON_GLUE: (
        "would run Spark Structured Streaming on the MWAA Serverless worker (1 vCPU, 3 GiB, 60 "
        "minutes); this deployment does not declare Glue streaming for Spark (the builder's "
        "serverless_spark_stream_on_glue with its Glue role pattern and script location)"
    ),
    Need.SAGEMAKER_TRAINING: (
        "trains a model, which does not fit an MWAA Serverless worker (1 vCPU, 3 GiB, 60 "
        "minutes); this deployment does not declare SageMaker training (the builder's "
        "serverless_sagemaker_training with its training image and role pattern)"
    ),
}


def placement_problems(spec: WorkflowSpec, target: ServerlessTarget) -> list[Problem]:
    """Every node of ``spec`` that cannot run on ``target`` as configured, with why."""
    problems: list[Problem] = []
    for node in spec.nodes:
        placement = NODE_PLACEMENTS.get(node.type)
        if placement is None:
            problems.append(
                Problem(
                    "NO_SERVERLESS_PLACEMENT",
                    f"node type {node.type!r} has no declared MWAA Serverless placement, so "
                    "Airloom cannot tell whether it fits the service's workers",
                    node.id,
                    "type",
                )
            )
            continue
        if not placement.redirect_built:
            problems.append(
                Problem(
                    "SERVERLESS_REDIRECT_NOT_BUILT",
                    f"a {node.type} node does not fit an MWAA Serverless worker (1 vCPU, "
                    f"3 GiB, 60 minutes) and belongs on {placement.belongs_on}; Airloom "
                    "cannot send it there yet: publish this workflow as an Airflow DAG file",
                    node.id,
                    "type",
                )
            )
            continue
        problems += [
            Problem(
                "SERVERLESS_UNREACHABLE",
                f"a {node.type} node {_NEED_MESSAGES[need]}",
                node.id,
                "type",
            )
            for need in sorted(placement.needs)
            if not target.meets(need)
        ]
    return problems
