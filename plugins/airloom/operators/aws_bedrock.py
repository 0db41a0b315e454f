"""``bedrock``: an answer to each question, grounded in the chunks a ``vector_query`` retrieved.

One Amazon Bedrock ``Converse`` call per question, through the Amazon provider's
:class:`~airflow.providers.amazon.aws.hooks.bedrock.BedrockRuntimeHook`. The user message is
the node's prompt template with ``{question}`` and ``{context}`` filled in (the chunks numbered
``[1]..[k]``, each with its document id; see :mod:`airloom.aws_ai.grounded_prompt`), and the
system prompt asks the model to cite the numbers. The answer keeps the chunks it cites, the
tokens the call used and what they cost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow.sdk import Context
from pydantic import Field, field_validator

from airloom.aws_ai.bedrock_models import DEFAULT_CHAT_MODEL, DEFAULT_CHAT_REQUESTS_PER_MINUTE
from airloom.aws_ai.grounded_prompt import (
    DEFAULT_SYSTEM_PROMPT,
    DEFAULT_TEMPLATE,
    template_problem,
)
from airloom.aws_ai.node import AwsAiOperator, AwsAiParams
from airloom.catalog import Port, PortType

QUERY_COLUMNS = ("question", "rank", "chunk_id", "doc_id", "text")


class BedrockAnswerParams(AwsAiParams):
    model_id: str = Field(
        default=DEFAULT_CHAT_MODEL,
        min_length=1,
        max_length=2048,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9.:/_\-]*$",
        description="Bedrock model or inference profile to answer with, e.g. "
        "anthropic.claude-3-haiku-20240307-v1:0 or us.anthropic.claude-3-haiku-20240307-v1:0. "
        "Costs are filled in for the models Airloom has prices for.",
    )
    prompt_template: str = Field(
        default=DEFAULT_TEMPLATE,
        min_length=1,
        max_length=20_000,
        description="The message sent for each question: {question} becomes the question and "
        "{context} the retrieved chunks, numbered [1]..[k] with their document ids. Nothing "
        "else in it is interpreted.",
    )
    system_prompt: str = Field(
        default=DEFAULT_SYSTEM_PROMPT,
        max_length=20_000,
        description="Instructions for the model, e.g. to cite chunk numbers; empty for none.",
    )
    max_tokens: int = Field(
        default=512, ge=1, le=8192, description="Most tokens an answer may have."
    )
    temperature: float = Field(
        default=0.0, ge=0.0, le=1.0, description="0 for the most repeatable answers."
    )
    requests_per_minute: int = Field(
        default=DEFAULT_CHAT_REQUESTS_PER_MINUTE,
        ge=1,
        le=100_000,
        description="Calls per minute to stay under: the model's quota for the account.",
    )

    @field_validator("prompt_template")
    @classmethod
    def _has_slots(cls, value: str) -> str:
        problem = template_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value


class BedrockAnswerOperator(AwsAiOperator):
    """Answer each question of a ``vector_query`` table from its retrieved chunks.

    :param model_id: the Bedrock model or inference profile.
    :param prompt_template: the user message, with the slots ``{question}`` and ``{context}``.
    :param system_prompt: the model's instructions.
    :param max_tokens: most tokens per answer.
    :param temperature: sampling temperature.
    :param requests_per_minute: the pace of the calls.
    """

    node_type = "bedrock"
    description = (
        "Answers each question with a language model on Amazon Bedrock, from the passages a "
        "vector query found for it, and keeps which passages each answer cites, the tokens "
        "it used and what it cost. The prompt is yours to word; questions the model refuses "
        "keep its reason instead of failing the others. Needs an AWS connection."
    )
    params_model = BedrockAnswerParams
    input_ports = (
        Port("table", PortType.TABLE, "Retrieved chunks: question, rank, chunk_id, doc_id, text."),
    )
    output_ports = (
        Port(
            "table",
            PortType.TABLE,
            "One row per question: answer, citations, tokens, cost, stop reason, error.",
        ),
    )

    def run(
        self, params: BedrockAnswerParams, inputs: Mapping[str, Any], context: Context
    ) -> dict[str, Any]:
        import pyarrow as pa
        from airflow.providers.amazon.aws.hooks.bedrock import BedrockRuntimeHook

        from airloom.aws_ai.bedrock_models import base_model, chat_price
        from airloom.aws_ai.clients import aws_client
        from airloom.aws_ai.pacing import Pace
        from airloom.aws_ai.rows import RowError, aligned_table, call_in_batches
        from airloom.aws_ai.usage import Usage

        questions = questions_of(self.read_rows(inputs, *QUERY_COLUMNS))
        client = aws_client(
            "bedrock-runtime",
            params.aws_conn_id,
            region_name=params.region_name,
            hook_class=BedrockRuntimeHook,
        )
        model = base_model(params.model_id)
        price = chat_price(params.model_id)
        if price is None:
            self.log.warning("Airloom has no price for %s: cost_usd stays empty", model)
        pace = Pace(params.requests_per_minute, key=f"bedrock:{model}", per="minute")
        used_in = Usage("bedrock", f"converse:{model}", "input token")
        used_out = Usage("bedrock", f"converse:{model}", "output token")

        def ask(batch: list[tuple[str, list[Any]]]) -> list[Any]:
            question, chunks = batch[0]
            pace.wait()
            response = client.converse(**converse_request(params, question, chunks))
            tokens = response.get("usage", {})
            input_tokens = int(tokens.get("inputTokens", 0))
            output_tokens = int(tokens.get("outputTokens", 0))
            used_in.called(input_tokens, response)
            used_out.called(output_tokens)
            return [answer_row(response, chunks, input_tokens, output_tokens, price)]

        def refuse(item: tuple[str, list[Any]]) -> RowError | None:
            if not item[0].strip():
                return RowError("EMPTY", "the row has no question")
            return None

        outcomes = call_in_batches(questions, 1, ask, skip=refuse)
        table = aligned_table(
            pa.table({"question": pa.array([q for q, _ in questions], pa.string())}),
            outcomes,
            {
                "answer": pa.string(),
                "citations": pa.list_(
                    pa.struct([("chunk_id", pa.string()), ("doc_id", pa.string())])
                ),
                "input_tokens": pa.int64(),
                "output_tokens": pa.int64(),
                "cost_usd": pa.float64(),
                "stop_reason": pa.string(),
            },
        )
        return self.finish(params, context, table, outcomes, [used_in, used_out])


def questions_of(table: Any) -> list[tuple[str, list[Any]]]:
    """Each question once, in the order first seen, with its chunks in rank order."""
    from airloom.aws_ai.grounded_prompt import Chunk

    grouped: dict[str, list[tuple[int, Any]]] = {}
    for row in table.select(list(QUERY_COLUMNS)).to_pylist():
        question = row["question"] if isinstance(row["question"], str) else ""
        chunk = Chunk(str(row["chunk_id"]), str(row["doc_id"]), row["text"] or "")
        grouped.setdefault(question, []).append((int(row["rank"] or 0), chunk))
    return [
        (question, [chunk for _, chunk in sorted(ranked, key=lambda pair: pair[0])])
        for question, ranked in grouped.items()
    ]


def converse_request(params: BedrockAnswerParams, question: str, chunks: list[Any]) -> dict:
    """The ``Converse`` arguments for one question."""
    from airloom.aws_ai.grounded_prompt import fill

    request: dict[str, Any] = {
        "modelId": params.model_id,
        "messages": [
            {"role": "user", "content": [{"text": fill(params.prompt_template, question, chunks)}]}
        ],
        "inferenceConfig": {"maxTokens": params.max_tokens, "temperature": params.temperature},
    }
    if params.system_prompt.strip():
        request["system"] = [{"text": params.system_prompt}]
    return request


def answer_row(
    response: Mapping[str, Any],
    chunks: list[Any],
    input_tokens: int,
    output_tokens: int,
    price: Any,
) -> Any:
    """One question's result columns from a ``Converse`` response, or its RowError."""
    from airloom.aws_ai.grounded_prompt import cited
    from airloom.aws_ai.rows import RowError

    stop_reason = str(response.get("stopReason", ""))
    content = response.get("output", {}).get("message", {}).get("content", [])
    answer = "".join(block.get("text", "") for block in content if isinstance(block, dict))
    if not answer.strip():
        return RowError("NO_ANSWER", f"the model answered no text (stop reason {stop_reason!r})")
    return {
        "answer": answer,
        "citations": cited(answer, chunks),
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cost_usd": None if price is None else price.cost(input_tokens, output_tokens),
        "stop_reason": stop_reason,
    }
