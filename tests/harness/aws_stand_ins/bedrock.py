"""Amazon Bedrock Runtime (REST-JSON): ``Converse`` and ``InvokeModel`` for embeddings.

moto's bedrock-runtime answers ``InvokeModel`` with a canned body and has no ``Converse``, so
the stand-in plays the models, deterministically, as functions of the request:

- **Converse** (``POST /model/{modelId}/converse``) on a model of :data:`CHAT_MODELS`: the user
  message's context is its lines starting ``[n]`` (a ``(source)`` after the number is not
  part of the passage); the question is the text after the last
  ``Question:`` in the message (all lines outside the context when there is none). The answer
  is the context sentence sharing the most words with the question (stop words aside; ties go
  to the earlier passage and sentence), ending with its passage number: ``"Express arrives the
  next working day when ordered before noon [2]."``. With no word shared it answers
  :data:`NO_ANSWER`, citing nothing. ``inputTokens`` is the whitespace word count of the system
  prompts and messages, ``outputTokens`` that of the answer; ``maxTokens`` below the answer's
  words cuts it there with ``stopReason`` ``max_tokens`` (``end_turn`` otherwise). A prompt of
  more than :data:`MAX_PROMPT_WORDS` words is refused with ``ValidationException`` ("Input is
  too long for requested model."), as a model refuses one past its context window.
- **InvokeModel** (``POST /model/{modelId}/invoke``) on an embedding model: Titan Text
  Embeddings V2 (``{"inputText", "dimensions", "normalize"}`` → ``{"embedding",
  "inputTextTokenCount"}``; dimensions 256, 512 or 1024, text up to 50,000 characters) and
  Cohere Embed v3 (``{"texts": [≤96], "input_type"}`` → ``{"embeddings": [[1024 floats]]}``,
  each text up to 2,048 characters). A vector is a hashed bag of words: each word adds ±1 at a
  position and sign taken from its MD5 digest, then the vector is L2-normalised (Titan with
  ``normalize: false`` keeps the raw counts). The ``X-Amzn-Bedrock-Input-Token-Count`` header
  holds the word count, as Bedrock reports the tokens it bills.
- Any other model id answers ``ResourceNotFoundException`` (404).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from typing import Any
from urllib.parse import unquote

from tests.harness.aws_stand_ins.server import AwsError, Reply, StandIn

CHAT_MODELS = {
    "anthropic.claude-3-haiku-20240307-v1:0",
    "anthropic.claude-3-5-haiku-20241022-v1:0",
    "anthropic.claude-3-5-sonnet-20240620-v1:0",
    "amazon.nova-micro-v1:0",
    "amazon.nova-lite-v1:0",
    "meta.llama3-8b-instruct-v1:0",
}
TITAN_EMBED = "amazon.titan-embed-text-v2:0"
COHERE_EMBED = {"cohere.embed-english-v3", "cohere.embed-multilingual-v3"}
MAX_PROMPT_WORDS = 1500
NO_ANSWER = "The passages do not answer this question."
TITAN_DIMENSIONS = (256, 512, 1024)
TITAN_MAX_CHARACTERS = 50_000
COHERE_DIMENSIONS = 1024
COHERE_MAX_TEXTS = 96
COHERE_MAX_CHARACTERS = 2048

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "how",
        "i",
        "if",
        "in",
        "is",
        "it",
        "its",
        "my",
        "of",
        "on",
        "or",
        "the",
        "to",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
    ]
)
_WORD = re.compile(r"[a-z0-9]+")
_PASSAGE = re.compile(r"^\s*\[(\d+)\]\s*(?:\([^)]*\)\s*)?(.*)$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _model(match: re.Match[str]) -> str:
    # An inference profile (us./eu./apac./global.) runs the model it names.
    model_id = unquote(match.group("model"))
    return re.sub(r"^(us|eu|apac|global)\.", "", model_id)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _passages_and_question(message: str) -> tuple[list[tuple[int, str]], str]:
    passages, other = [], []
    for line in message.splitlines():
        found = _PASSAGE.match(line)
        if found:
            passages.append((int(found.group(1)), found.group(2)))
        else:
            other.append(line)
    marker = message.rfind("Question:")
    question = message[marker + len("Question:") :] if marker >= 0 else "\n".join(other)
    return passages, question


def answer_for(message: str) -> str:
    """The stand-in model's answer to one user message (see the module)."""
    passages, question = _passages_and_question(message)
    wanted = set(_words(question)) - STOP_WORDS
    best: tuple[int, str, int] | None = None
    for number, text in passages:
        for sentence in _SENTENCE_END.split(text.strip()):
            shared = len(wanted & set(_words(sentence)))
            if shared and (best is None or shared > best[0]):
                best = (shared, sentence.strip(), number)
    if best is None:
        return NO_ANSWER
    _, sentence, number = best
    return f"{sentence.rstrip('.!?')} [{number}]."


def _texts_of(blocks: list[dict[str, Any]]) -> list[str]:
    return [block["text"] for block in blocks if isinstance(block.get("text"), str)]


def converse(stand_in: StandIn, match: re.Match[str], body: dict[str, Any], query: Any) -> Any:
    model_id = _model(match)
    if model_id not in CHAT_MODELS:
        raise AwsError("ResourceNotFoundException", f"Model {model_id} not found.", 404)
    messages = body.get("messages") or []
    if not messages or messages[-1].get("role") != "user":
        raise AwsError("ValidationException", "A conversation must end with a user message.")
    system = _texts_of(body.get("system") or [])
    said = [text for message in messages for text in _texts_of(message.get("content") or [])]
    input_tokens = sum(len(text.split()) for text in [*system, *said])
    if input_tokens > MAX_PROMPT_WORDS:
        raise AwsError("ValidationException", "Input is too long for requested model.")
    answer = answer_for("\n".join(_texts_of(messages[-1]["content"])))
    words = answer.split()
    stop_reason = "end_turn"
    max_tokens = (body.get("inferenceConfig") or {}).get("maxTokens")
    if isinstance(max_tokens, int) and len(words) > max_tokens:
        words, stop_reason = words[:max_tokens], "max_tokens"
        answer = " ".join(words)
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": answer}]}},
        "stopReason": stop_reason,
        "usage": {
            "inputTokens": input_tokens,
            "outputTokens": len(words),
            "totalTokens": input_tokens + len(words),
        },
        "metrics": {"latencyMs": 1},
    }


def hashed_vector(text: str, dimensions: int, normalize: bool = True) -> list[float]:
    """The stand-in's embedding of ``text`` (see the module)."""
    vector = [0.0] * dimensions
    for word in _words(text):
        digest = hashlib.md5(word.encode(), usedforsecurity=False).digest()
        position = int.from_bytes(digest[:4], "big") % dimensions
        vector[position] += 1.0 if digest[4] % 2 == 0 else -1.0
    norm = math.sqrt(sum(value * value for value in vector))
    if normalize and norm > 0:
        vector = [value / norm for value in vector]
    return vector


def _embedded(body: dict[str, Any], words: int) -> Reply:
    return Reply(
        json.dumps(body).encode(),
        {"Content-Type": "application/json", "X-Amzn-Bedrock-Input-Token-Count": str(words)},
    )


def invoke(stand_in: StandIn, match: re.Match[str], body: dict[str, Any], query: Any) -> Any:
    model_id = _model(match)
    if model_id == TITAN_EMBED:
        return _titan(body)
    if model_id in COHERE_EMBED:
        return _cohere(body)
    raise AwsError("ResourceNotFoundException", f"Model {model_id} not found.", 404)


def _titan(body: dict[str, Any]) -> Reply:
    text = body.get("inputText")
    if not isinstance(text, str) or not text.strip():
        raise AwsError("ValidationException", "Malformed input request: inputText is required")
    if len(text) > TITAN_MAX_CHARACTERS:
        raise AwsError("ValidationException", "Input is too long for requested model.")
    dimensions = body.get("dimensions", 1024)
    if dimensions not in TITAN_DIMENSIONS:
        raise AwsError("ValidationException", f"dimensions must be one of {list(TITAN_DIMENSIONS)}")
    words = len(text.split())
    vector = hashed_vector(text, dimensions, bool(body.get("normalize", True)))
    return _embedded({"embedding": vector, "inputTextTokenCount": words}, words)


def _cohere(body: dict[str, Any]) -> Reply:
    texts = body.get("texts")
    if not isinstance(texts, list) or not all(isinstance(text, str) for text in texts):
        raise AwsError("ValidationException", "Malformed input request: texts must be strings")
    if len(texts) > COHERE_MAX_TEXTS:
        raise AwsError("ValidationException", f"texts: at most {COHERE_MAX_TEXTS} per request")
    if any(len(text) > COHERE_MAX_CHARACTERS for text in texts):
        raise AwsError("ValidationException", "Input is too long for requested model.")
    if body.get("input_type") not in ("search_document", "search_query", "classification"):
        raise AwsError("ValidationException", "input_type is required")
    words = sum(len(text.split()) for text in texts)
    return _embedded(
        {
            "id": f"emb-{len(texts)}-{words}",
            "response_type": "embeddings_floats",
            "texts": texts,
            "embeddings": [hashed_vector(text, COHERE_DIMENSIONS) for text in texts],
        },
        words,
    )


ROUTES = [
    ("POST", r"/model/(?P<model>[^/]+)/converse", "Converse", converse),
    ("POST", r"/model/(?P<model>[^/]+)/invoke", "InvokeModel", invoke),
]
