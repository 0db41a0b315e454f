"""The Amazon Bedrock models Airloom's nodes offer, their token prices and request quotas.

Prices are on-demand, US East (N. Virginia), in US dollars per 1,000 tokens, as listed in
``docs/aws_ai_nodes.md`` (Amazon Bedrock) with their sources and the date they were read. A model
missing here still runs (an inference profile or a newer model): its cost is left empty
rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class TokenPrice:
    """US dollars per 1,000 input and per 1,000 output tokens."""

    input_per_1k: float
    output_per_1k: float

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.input_per_1k + output_tokens * self.output_per_1k) / 1000


CHAT_PRICES: dict[str, TokenPrice] = {
    "anthropic.claude-3-haiku-20240307-v1:0": TokenPrice(0.00025, 0.00125),
    "anthropic.claude-3-5-haiku-20241022-v1:0": TokenPrice(0.0008, 0.004),
    "anthropic.claude-3-5-sonnet-20240620-v1:0": TokenPrice(0.003, 0.015),
}
DEFAULT_CHAT_MODEL = "anthropic.claude-3-haiku-20240307-v1:0"

# Embedding models are billed on input tokens only.
EMBEDDING_PRICES: dict[str, float] = {"amazon.titan-embed-text-v2:0": 0.00002}

# Requests per minute a node paces itself to unless told otherwise: Amazon Bedrock governs
# the runtime by per-model quotas that differ per account (Service Quotas shows them); these
# defaults stay below the smallest published on-demand figures (see the docs page).
DEFAULT_CHAT_REQUESTS_PER_MINUTE = 100
DEFAULT_EMBED_REQUESTS_PER_MINUTE = 1000

# A cross-Region inference profile (us.…, eu.…) runs, and is priced as, the model it names.
_PROFILE_PREFIX = re.compile(r"^(us|eu|apac|us-gov|global)\.")


def base_model(model_id: str) -> str:
    """The foundation model an id or inference profile id names."""
    return _PROFILE_PREFIX.sub("", model_id.strip())


def chat_price(model_id: str) -> TokenPrice | None:
    """The model's token price, or None when Airloom does not know it."""
    return CHAT_PRICES.get(base_model(model_id))
