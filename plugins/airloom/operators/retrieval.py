"""Document retrieval nodes: chunk documents, train an embedder, build an index, query it.

Each node reads and writes lake datasets; the embedder is a registered MLflow model, so the
index and the queries always name the exact model version that produced their vectors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow.sdk import Context
from pydantic import Field, field_validator

from airloom.catalog import NodeConfigError, NodeParams, ParamProblem, Port, PortType
from airloom.catalog.params import field_problems
from airloom.catalog.resources import (
    AwsConnectionRef,
    DatasetRef,
    ExperimentRef,
    PlatformConnection,
    RegisteredModelRef,
)
from airloom.connections import LAKE_CONN_ID, MLFLOW_CONN_ID
from airloom.lake import DATASET_NAME
from airloom.ml.listing import ModelListing
from airloom.operators.base import AirloomOperator

DatasetName = Field(pattern=DATASET_NAME.pattern, description="Lake dataset to write.")


def _output_uri(name: str, lake_conn_id: str) -> str:
    from airloom.lake import dataset_path

    return str(dataset_path(name, lake_conn_id))


def _load_embedder(node: AirloomOperator, reference: str, mlflow_conn_id: str) -> tuple[Any, str]:
    """The embedder as a pyfunc model, and its exact ``models:/name/version``."""
    import mlflow.pyfunc

    from airloom.hooks.mlflow import MlflowHook

    hook = MlflowHook(mlflow_conn_id)
    path = reference.removeprefix("models:/")
    node.require_model(hook.client(), path.split("@")[0].split("/")[0])
    if "@" in path:  # an alias: pin the version it points at now
        name, _, alias = path.partition("@")
        version = hook.client().get_model_version_by_alias(name, alias).version
    else:
        name, _, version = path.partition("/")
    exact = f"models:/{name}/{version}"
    with hook.tracking():
        model = mlflow.pyfunc.load_model(exact)
    return model, exact


# -- chunk_documents ---------------------------------------------------------------------------


class ChunkParams(NodeParams):
    output_dataset: DatasetRef = DatasetName
    id_column: str = Field(default="doc_id", description="Column identifying each document.")
    text_column: str = Field(default="text", description="Column holding the document's text.")
    chunk_words: int = Field(default=120, ge=10, le=2000, description="Words per chunk.")
    overlap_words: int = Field(default=20, ge=0, le=1000, description="Words shared by neighbours.")
    lake_conn_id: PlatformConnection = LAKE_CONN_ID


class ChunkDocumentsOperator(AirloomOperator):
    """Split each document into overlapping chunks of words, one row per chunk.

    :param output_dataset: lake dataset of chunks.
    :param id_column: the documents' id column.
    :param text_column: the documents' text column.
    :param chunk_words: words per chunk.
    :param overlap_words: words each chunk shares with the previous one.
    """

    node_type = "chunk_documents"
    category = "transform"
    description = (
        "Splits documents into overlapping windows of words, so retrieval can return the "
        "passage that answers a question rather than a whole document. Each chunk keeps its "
        "document id and position."
    )
    params_model = ChunkParams
    input_ports = (Port("table", PortType.TABLE, "Documents: an id and a text column."),)
    output_ports = (Port("table", PortType.TABLE, "Chunks: doc_id, chunk_id, position, text."),)
    dataset_params = ("output_dataset",)

    def run(self, params: ChunkParams, inputs: Mapping[str, Any], context: Context) -> dict:
        import pyarrow as pa

        from airloom.datasets import read_table, write_table
        from airloom.retrieval.chunking import chunk_text

        if params.overlap_words >= params.chunk_words:
            raise ValueError(f"node {self.task_id!r}: overlap_words must be below chunk_words")
        documents = read_table(str(inputs["table"]))
        missing = {params.id_column, params.text_column} - set(documents.column_names)
        if missing:
            raise ValueError(
                f"node {self.task_id!r}: the documents have no column(s) {sorted(missing)}; "
                f"they have {documents.column_names}"
            )
        rows: dict[str, list] = {"doc_id": [], "chunk_id": [], "position": [], "text": []}
        ids = documents[params.id_column].to_pylist()
        texts = documents[params.text_column].to_pylist()
        for doc_id, text in zip(ids, texts, strict=True):
            for position, chunk in enumerate(
                chunk_text(text or "", params.chunk_words, params.overlap_words)
            ):
                rows["doc_id"].append(str(doc_id))
                rows["chunk_id"].append(f"{doc_id}#{position}")
                rows["position"].append(position)
                rows["text"].append(chunk)
        if not rows["text"]:
            raise ValueError(f"node {self.task_id!r}: the documents hold no text to chunk")
        uri = _output_uri(params.output_dataset, params.lake_conn_id)
        write_table(pa.table(rows), uri, "chunks")
        self.log.info("Wrote %d chunks of %d documents to %s", len(rows["text"]), len(ids), uri)
        return {"table": uri}


# -- train_embedder ----------------------------------------------------------------------------


class TrainEmbedderParams(NodeParams):
    registered_model_name: RegisteredModelRef = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", description="Registered model to add to."
    )
    dimensions: int = Field(default=64, ge=2, le=1024, description="Length of each vector.")
    text_column: str = Field(default="text", description="Column of text to learn from.")
    experiment: ExperimentRef = "airloom-retrieval"
    listing: ModelListing = Field(
        default_factory=ModelListing,
        description="What the model's marketplace listing says (its task is always 'embedding'); "
        "each field left out stays as it is.",
    )
    mlflow_conn_id: PlatformConnection = MLFLOW_CONN_ID

    @field_validator("listing")
    @classmethod
    def _an_embedder(cls, value: ModelListing) -> ModelListing:
        if value.task not in (None, "embedding"):
            raise field_problems({"task": f"an embedder's task is 'embedding', not {value.task!r}"})
        return value


class TrainEmbedderOperator(AirloomOperator):
    """Fit a TF-IDF + SVD embedder on the chunks and register it in MLflow.

    :param registered_model_name: the registered model to add a version to.
    :param dimensions: vector length.
    """

    node_type = "train_embedder"
    category = "ml"
    description = (
        "Trains a text embedding model on the corpus itself (TF-IDF over word n-grams reduced "
        "by SVD to unit vectors, so nothing is downloaded) and registers it in MLflow with its "
        "signature and the dataset it learned from."
    )
    params_model = TrainEmbedderParams
    input_ports = (Port("table", PortType.TABLE, "Text to learn the vocabulary from."),)
    output_ports = (Port("model", PortType.MODEL, "The registered embedder version."),)

    model_params = ("registered_model_name",)

    def run(self, params: TrainEmbedderParams, inputs: Mapping[str, Any], context: Context) -> dict:
        from airloom.datasets import read_table
        from airloom.hooks.mlflow import MlflowHook
        from airloom.ml.node_training import train_embedder_and_register
        from airloom.operators.quality import run_tags

        uri = str(inputs["table"])
        registered = train_embedder_and_register(
            params,
            read_table(uri, columns=[params.text_column]).to_pandas(),
            dataset_uri=uri,
            lineage=run_tags(context, uri),
            server=MlflowHook(params.mlflow_conn_id).server(),
            tenant=self.tenant_scope.tenant if self.tenant_scope is not None else None,
        )
        from airloom.activity.models import model_registered

        model_registered(context, registered.model_name, registered.version)
        return registered.outputs


# -- vector_index ------------------------------------------------------------------------------


class IndexParams(NodeParams):
    output_dataset: DatasetRef = DatasetName
    text_column: str = Field(default="text", description="Column of text to embed.")
    mlflow_conn_id: PlatformConnection = MLFLOW_CONN_ID
    lake_conn_id: PlatformConnection = LAKE_CONN_ID


class BuildVectorIndexOperator(AirloomOperator):
    """Embed every chunk with the registered embedder and store the vectors as a dataset.

    :param output_dataset: lake dataset of the index.
    """

    node_type = "vector_index"
    category = "ml"
    description = (
        "Embeds every chunk with a registered embedding model and writes the vectors, with the "
        "chunks and the exact model version, as an index dataset that queries search."
    )
    params_model = IndexParams
    input_ports = (
        Port("table", PortType.TABLE, "Chunks to index."),
        Port("model", PortType.MODEL, "The embedding model."),
    )
    output_ports = (Port("table", PortType.TABLE, "The index: chunks with their vectors."),)
    dataset_params = ("output_dataset",)

    def run(self, params: IndexParams, inputs: Mapping[str, Any], context: Context) -> dict:
        import pyarrow as pa

        from airloom.datasets import read_table, write_table

        chunks = read_table(str(inputs["table"]))
        if params.text_column not in chunks.column_names:
            raise ValueError(
                f"node {self.task_id!r}: the chunks have no column {params.text_column!r}"
            )
        model, version = _load_embedder(self, str(inputs["model"]), params.mlflow_conn_id)
        texts = chunks[params.text_column].to_pandas().fillna("").astype(str)
        vectors = model.predict(texts.to_frame("text")).astype("float32")
        index = chunks.append_column("embedding", pa.array(list(vectors)))
        index = index.append_column("embedder", pa.array([version] * index.num_rows))
        uri = _output_uri(params.output_dataset, params.lake_conn_id)
        write_table(index, uri, "index")
        self.log.info("Indexed %d chunks with %s into %s", index.num_rows, version, uri)
        return {"table": uri}


# -- vector_query ------------------------------------------------------------------------------


class QueryParams(NodeParams):
    questions: list[str] = Field(min_length=1, max_length=1000, description="What to look up.")
    top_k: int = Field(default=3, ge=1, le=100, description="Chunks returned per question.")
    output_dataset: DatasetRef = DatasetName
    aws_conn_id: AwsConnectionRef | None = Field(
        default=None,
        description="For an index of Amazon Bedrock embeddings (bedrock_embed, no embedding "
        "model connected): the AWS connection granted to the tenant that embeds the questions "
        "with the same Bedrock model.",
    )
    region_name: str | None = Field(
        default=None,
        pattern=r"^[a-z]{2}(-[a-z]+)+-\d$",
        description="AWS region, if not the connection's.",
    )
    mlflow_conn_id: PlatformConnection = MLFLOW_CONN_ID
    lake_conn_id: PlatformConnection = LAKE_CONN_ID


class QueryVectorIndexOperator(AirloomOperator):
    """Find the chunks nearest each question, by cosine similarity of their embeddings.

    :param questions: the questions.
    :param top_k: chunks per question.
    """

    node_type = "vector_query"
    category = "ml"
    description = (
        "Embeds each question with the same model as the index (its registered embedder, or "
        "the Amazon Bedrock model of a bedrock_embed index) and returns the nearest chunks by "
        "cosine similarity, with their documents and scores, as a dataset holding the latest "
        "run's answers."
    )
    params_model = QueryParams
    input_ports = (
        Port("table", PortType.TABLE, "The index to search."),
        Port(
            "model",
            PortType.MODEL,
            "The embedding model the index was built with; none for Bedrock embeddings.",
            required=False,
        ),
    )
    output_ports = (Port("table", PortType.TABLE, "Answers: question, rank, chunk, score."),)
    dataset_params = ("output_dataset",)

    def run(self, params: QueryParams, inputs: Mapping[str, Any], context: Context) -> dict:
        import numpy as np
        import pandas as pd
        import pyarrow as pa
        import pyarrow.compute as pc

        from airloom.datasets import read_table, write_table
        from airloom.retrieval.embedder import nearest

        index = read_table(str(inputs["table"]))
        if "error" in index.column_names:  # a bedrock_embed index: rows it could not embed
            index = index.filter(pc.is_null(index["error"]))
        built_with = (
            set(index["embedder"].to_pylist()) if "embedder" in index.column_names else set()
        )
        vectors = np.stack(index["embedding"].to_numpy(zero_copy_only=False)).astype("float32")
        if inputs.get("model"):
            model, version = _load_embedder(self, str(inputs["model"]), params.mlflow_conn_id)
            if built_with and built_with != {version}:
                raise ValueError(
                    f"node {self.task_id!r}: the index was built with {sorted(built_with)} but "
                    f"the query embeds with {version}; rebuild the index or query with its model"
                )
            queries = model.predict(pd.DataFrame({"text": params.questions})).astype("float32")
        else:
            queries = self._bedrock_questions(params, built_with, vectors.shape[1], context)
        best, scores = nearest(vectors, queries, params.top_k)
        rows: dict[str, list] = {
            k: [] for k in ("question", "rank", "chunk_id", "doc_id", "text", "score")
        }
        for q, question in enumerate(params.questions):
            for rank, (row, score) in enumerate(zip(best[q], scores[q], strict=True), start=1):
                rows["question"].append(question)
                rows["rank"].append(rank)
                rows["chunk_id"].append(index["chunk_id"][int(row)].as_py())
                rows["doc_id"].append(index["doc_id"][int(row)].as_py())
                rows["text"].append(index["text"][int(row)].as_py())
                rows["score"].append(float(score))
        uri = _output_uri(params.output_dataset, params.lake_conn_id)
        # The latest answers, as chunks and index hold the latest: a rerun never adds copies.
        write_table(pa.table(rows), uri, "answers")
        return {"table": uri}

    def _bedrock_questions(
        self, params: QueryParams, built_with: set[str], dimensions: int, context: Context
    ) -> Any:
        """The questions embedded by the Bedrock model the index was embedded with."""
        import numpy as np

        from airloom.operators.aws_bedrock_embed import EMBEDDERS, embed_questions

        if len(built_with) != 1 or not built_with <= set(EMBEDDERS):
            problem = (
                "connect the embedding model the index was built with; without one the index "
                "must hold one Amazon Bedrock model's embeddings (bedrock_embed), but it names "
                f"{sorted(built_with) or 'no embedder'}"
            )
            raise NodeConfigError(self.task_id, [ParamProblem("inputs.model", problem)])
        if params.aws_conn_id is None:
            problem = (
                "the index holds Amazon Bedrock embeddings: give the AWS connection to embed "
                "the questions with"
            )
            raise NodeConfigError(self.task_id, [ParamProblem("aws_conn_id", problem)])
        (model_id,) = built_with
        vectors, usage = embed_questions(
            params.questions, model_id, dimensions, params.aws_conn_id, params.region_name
        )
        usage.report(context, self.node_type)
        return np.asarray(vectors, dtype="float32")
