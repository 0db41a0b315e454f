"""``bedrock_embed``: a vector per row of text, from an embedding model on Amazon Bedrock.

The alternative to training an embedder (``train_embedder``): Amazon Titan Text Embeddings V2
(one text per ``InvokeModel`` call, 256, 512 or 1,024 dimensions) or Cohere Embed v3 (up to 96
texts per call, 1,024 dimensions), through the Amazon provider's
:class:`~airflow.providers.amazon.aws.hooks.bedrock.BedrockRuntimeHook`. Each row keeps the
model id in ``embedder``, so whatever compares vectors can check they came from one model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from airflow.sdk import Context
from pydantic import Field, ValidationInfo, field_validator

from airloom.aws_ai.bedrock_models import DEFAULT_EMBED_REQUESTS_PER_MINUTE
from airloom.aws_ai.node import AwsAiOperator, AwsAiParams

TITAN = "amazon.titan-embed-text-v2:0"
COHERE = ("cohere.embed-english-v3", "cohere.embed-multilingual-v3")
TITAN_DIMENSIONS = (256, 512, 1024)
COHERE_DIMENSIONS = 1024
# The models' documented input limits: Titan V2 up to 50,000 characters per text; Cohere
# Embed v3 up to 96 texts per call and 2,048 characters per text.
MAX_CHARACTERS = {TITAN: 50_000, COHERE[0]: 2048, COHERE[1]: 2048}
COHERE_BATCH = 96
EMBEDDERS = (TITAN, *COHERE)


class BedrockEmbedParams(AwsAiParams):
    model_id: Literal[
        "amazon.titan-embed-text-v2:0", "cohere.embed-english-v3", "cohere.embed-multilingual-v3"
    ] = Field(default=TITAN, description="The Bedrock embedding model.")
    text_column: str = Field(default="text", min_length=1, description="Column of text to embed.")
    dimensions: int = Field(
        default=1024,
        description="Length of each vector: 256, 512 or 1024 for Titan; Cohere's are 1024.",
    )
    normalize: bool = Field(default=True, description="Titan: unit-length vectors.")
    input_type: Literal["search_document", "search_query"] = Field(
        default="search_document",
        description="Cohere: search_document for passages to index, search_query for questions.",
    )
    requests_per_minute: int = Field(
        default=DEFAULT_EMBED_REQUESTS_PER_MINUTE,
        ge=1,
        le=100_000,
        description="Calls per minute to stay under: the model's quota for the account.",
    )

    @field_validator("dimensions")
    @classmethod
    def _dimensions_fit_model(cls, value: int, info: ValidationInfo) -> int:
        model_id = info.data.get("model_id")
        if model_id == TITAN and value not in TITAN_DIMENSIONS:
            raise ValueError(f"{TITAN} makes vectors of 256, 512 or 1024 dimensions")
        if model_id in COHERE and value != COHERE_DIMENSIONS:
            raise ValueError(f"{model_id} makes vectors of {COHERE_DIMENSIONS} dimensions")
        return value


class BedrockEmbedOperator(AwsAiOperator):
    """Embed a text column with a Bedrock embedding model, row for row.

    :param model_id: Titan Text Embeddings V2 or Cohere Embed v3 (English or multilingual).
    :param text_column: the column to embed.
    :param dimensions: vector length (Titan: 256, 512 or 1024; Cohere: 1024).
    :param normalize: Titan: unit-length vectors.
    :param input_type: Cohere: what the texts are for.
    :param requests_per_minute: the pace of the calls.
    """

    node_type = "bedrock_embed"
    description = (
        "Turns each row's text into a vector with an embedding model on Amazon Bedrock (Amazon "
        "Titan or Cohere), instead of training one: ready for similarity search over passages "
        "and questions. Rows with no text, or too much, keep their reason instead of failing "
        "the others. Needs an AWS connection."
    )
    params_model = BedrockEmbedParams

    def run(
        self, params: BedrockEmbedParams, inputs: Mapping[str, Any], context: Context
    ) -> dict[str, Any]:
        import pyarrow as pa
        from airflow.providers.amazon.aws.hooks.bedrock import BedrockRuntimeHook

        from airloom.aws_ai.clients import aws_client
        from airloom.aws_ai.pacing import Pace
        from airloom.aws_ai.rows import RowError, aligned_table, call_in_batches
        from airloom.aws_ai.usage import Usage

        table = self.read_rows(inputs, params.text_column)
        texts = table[params.text_column].to_pylist()
        client = aws_client(
            "bedrock-runtime",
            params.aws_conn_id,
            region_name=params.region_name,
            hook_class=BedrockRuntimeHook,
        )
        pace = Pace(params.requests_per_minute, key=f"bedrock:{params.model_id}", per="minute")
        usage = Usage("bedrock", f"invoke_model:{params.model_id}", "input token")
        limit = MAX_CHARACTERS[params.model_id]

        def refuse(text: Any) -> RowError | None:
            if not isinstance(text, str) or not text.strip():
                return RowError("EMPTY", f"the row has no text in {params.text_column!r}")
            if len(text) > limit:
                return RowError(
                    "TOO_LONG",
                    f"{len(text)} characters in {params.text_column!r}: {params.model_id} "
                    f"takes at most {limit}",
                )
            return None

        def embed(batch: list[str]) -> list[dict[str, Any]]:
            pace.wait()
            request = request_body(
                params.model_id,
                batch,
                dimensions=params.dimensions,
                normalize=params.normalize,
                input_type=params.input_type,
            )
            response = client.invoke_model(
                modelId=params.model_id,
                body=request,
                contentType="application/json",
                accept="application/json",
            )
            vectors, tokens = vectors_of(response, params.model_id)
            if len(vectors) != len(batch) or any(len(v) != params.dimensions for v in vectors):
                raise RuntimeError(
                    f"{params.model_id} answered {len(vectors)} vectors for {len(batch)} texts, "
                    f"not all of {params.dimensions} dimensions"
                )
            usage.called(tokens, response)
            return [{"embedding": vector, "embedder": params.model_id} for vector in vectors]

        size = 1 if params.model_id == TITAN else COHERE_BATCH
        outcomes = call_in_batches(texts, size, embed, skip=refuse)
        output = aligned_table(
            table, outcomes, {"embedding": pa.list_(pa.float32()), "embedder": pa.string()}
        )
        return self.finish(params, context, output, outcomes, [usage])


def request_body(
    model_id: str, texts: list[str], *, dimensions: int, normalize: bool = True, input_type: str
) -> str:
    """The ``InvokeModel`` body the model takes, as JSON."""
    import json

    if model_id == TITAN:
        return json.dumps({"inputText": texts[0], "dimensions": dimensions, "normalize": normalize})
    return json.dumps({"texts": texts, "input_type": input_type, "truncate": "NONE"})


def vectors_of(response: Mapping[str, Any], model_id: str) -> tuple[list, int]:
    """The vectors of an ``InvokeModel`` answer and the input tokens it was billed."""
    import json

    body = json.loads(response["body"].read())
    vectors = [body["embedding"]] if model_id == TITAN else list(body["embeddings"])
    # Bedrock reports the billed input tokens in a header; Titan also in its body.
    headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    counted = headers.get("x-amzn-bedrock-input-token-count", body.get("inputTextTokenCount"))
    return vectors, int(counted or 0)


def embed_questions(
    questions: list[str],
    model_id: str,
    dimensions: int,
    aws_conn_id: str,
    region_name: str | None = None,
) -> tuple[list[list[float]], Any]:
    """Vectors of ``questions`` from the Bedrock model an index was embedded with (Cohere is
    told they are queries), and the :class:`~airloom.aws_ai.usage.Usage` of the calls: for a
    ``vector_query`` over a ``bedrock_embed`` index."""
    from airflow.providers.amazon.aws.hooks.bedrock import BedrockRuntimeHook

    from airloom.aws_ai.clients import aws_client
    from airloom.aws_ai.pacing import Pace
    from airloom.aws_ai.rows import batches
    from airloom.aws_ai.usage import Usage

    client = aws_client(
        "bedrock-runtime", aws_conn_id, region_name=region_name, hook_class=BedrockRuntimeHook
    )
    pace = Pace(DEFAULT_EMBED_REQUESTS_PER_MINUTE, key=f"bedrock:{model_id}", per="minute")
    usage = Usage("bedrock", f"invoke_model:{model_id}", "input token")
    vectors: list[list[float]] = []
    for _, batch in batches(questions, 1 if model_id == TITAN else COHERE_BATCH):
        pace.wait()
        response = client.invoke_model(
            modelId=model_id,
            body=request_body(model_id, batch, dimensions=dimensions, input_type="search_query"),
            contentType="application/json",
            accept="application/json",
        )
        found, tokens = vectors_of(response, model_id)
        usage.called(tokens, response)
        vectors += found
    return vectors, usage
