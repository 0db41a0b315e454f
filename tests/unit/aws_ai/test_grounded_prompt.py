"""Grounded prompts: the two slots filled as data, citations read back, tokens priced."""

from __future__ import annotations

import time

import pytest

from airloom.aws_ai.bedrock_models import base_model, chat_price
from airloom.aws_ai.grounded_prompt import (
    DEFAULT_TEMPLATE,
    Chunk,
    cited,
    context_block,
    fill,
    template_problem,
)
from airloom.aws_ai.pacing import Pace

CHUNKS = [
    Chunk("faq#0", "faq", "Refunds take five days.\nBanks add two."),
    Chunk("ship#1", "ship", "Express arrives {tomorrow}."),
]


def test_context_numbers_each_chunk_on_one_line_with_its_document() -> None:
    assert context_block(CHUNKS) == (
        "[1] (faq) Refunds take five days. Banks add two.\n[2] (ship) Express arrives {tomorrow}."
    )


def test_braces_in_the_question_and_the_chunks_come_through_literally() -> None:
    question = "what is {context}? and {question}, {0} {{x}} {__class__}"
    message = fill("Q: {question}\nC:\n{context}\nQ again: {question}", question, CHUNKS)
    assert message == (f"Q: {question}\nC:\n{context_block(CHUNKS)}\nQ again: {question}")
    assert message.count("[1] (faq)") == 1  # the question's "{context}" was not filled


def test_a_template_needs_both_slots() -> None:
    assert template_problem(DEFAULT_TEMPLATE) is None
    assert template_problem("{question}") == "the template must hold the slot(s) {context}"
    assert template_problem("nothing") == (
        "the template must hold the slot(s) {question}, {context}"
    )


def test_citations_are_the_chunks_named_once_in_order() -> None:
    answer = "Two days [2], then five [1, 2]; see also [7] and [0]."
    assert cited(answer, CHUNKS) == [
        {"chunk_id": "ship#1", "doc_id": "ship"},
        {"chunk_id": "faq#0", "doc_id": "faq"},
    ]
    assert cited("No passage says.", CHUNKS) == []


def test_prices_follow_the_model_an_inference_profile_names() -> None:
    haiku = "anthropic.claude-3-haiku-20240307-v1:0"
    assert base_model(f"us.{haiku}") == haiku
    price = chat_price(f"eu.{haiku}")
    assert price is not None
    assert price.cost(1000, 1000) == pytest.approx(0.00025 + 0.00125)
    assert chat_price("meta.llama3-8b-instruct-v1:0") is None  # unknown: no guess


def test_a_per_minute_quota_is_kept_even_below_one_a_second() -> None:
    pace = Pace(2, "test", per="minute")
    started = time.monotonic()
    pace.wait()
    pace.wait()
    assert time.monotonic() - started < 0.5  # within the quota: no wait
    assert not pace._limiter.test(pace._item, "test")  # a third would wait for the minute
