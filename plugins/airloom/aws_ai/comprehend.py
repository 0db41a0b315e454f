"""Amazon Comprehend over a column of texts: its batch APIs, 25 documents a call, and its limits.

Sentiment, key phrases, entities and the dominant language have batch operations taking up to
25 documents of at most 5,000 bytes each (one language per call); PII detection has none and
takes one document of up to 100 KB a call. Each operation is paced to its own published
default rate. Rows Comprehend cannot take (empty, too long, a language the analysis does not
support) get their error before anything is sent; a document the service refuses inside a
batch (its ``ErrorList``) keeps the service's error on its row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from airloom.aws_ai.pacing import Pace
from airloom.aws_ai.rows import RowError, RowOutcome, call_in_batches
from airloom.aws_ai.usage import Usage, text_units

SERVICE = "comprehend"
BATCH_SIZE = 25  # documents per Batch* call
BATCH_TEXT_BYTES = 5_000  # per document in a Batch* call (UTF-8)
PII_TEXT_BYTES = 100_000  # per DetectPiiEntities call (UTF-8)
UNIT = "100 characters"  # billed per 100 characters, at least 3 units per document

# Languages of the built-in models (sentiment, key phrases, entities); PII: English, Spanish.
LANGUAGES = ("en", "es", "fr", "de", "it", "pt", "ar", "hi", "ja", "ko", "zh", "zh-TW")
PII_LANGUAGES = ("en", "es")
AUTO = "auto"

ANALYSES = ("sentiment", "key_phrases", "entities", "pii_entities", "language")


@dataclass(frozen=True)
class Operation:
    """One Comprehend operation: its API name, its published default rate and its limits."""

    name: str
    method: str
    per_second: int
    batch_size: int
    max_bytes: int
    languages: tuple[str, ...] = LANGUAGES

    @property
    def usage_name(self) -> str:
        return self.method.removeprefix("batch_")


# Published default quotas (requests per second): sources in docs/aws_ai_nodes.md.
DOMINANT_LANGUAGE = Operation(
    "BatchDetectDominantLanguage", "batch_detect_dominant_language", 10, 25, BATCH_TEXT_BYTES
)
SENTIMENT = Operation("BatchDetectSentiment", "batch_detect_sentiment", 10, 25, BATCH_TEXT_BYTES)
KEY_PHRASES = Operation(
    "BatchDetectKeyPhrases", "batch_detect_key_phrases", 10, 25, BATCH_TEXT_BYTES
)
ENTITIES = Operation("BatchDetectEntities", "batch_detect_entities", 10, 25, BATCH_TEXT_BYTES)
PII = Operation(
    "DetectPiiEntities", "detect_pii_entities", 20, 1, PII_TEXT_BYTES, languages=PII_LANGUAGES
)
SINGLE_SENTIMENT = Operation("DetectSentiment", "detect_sentiment", 20, 1, BATCH_TEXT_BYTES)

OPERATIONS = {
    "sentiment": SENTIMENT,
    "key_phrases": KEY_PHRASES,
    "entities": ENTITIES,
    "pii_entities": PII,
    "language": DOMINANT_LANGUAGE,
}


@dataclass(frozen=True)
class Document:
    """One row's text and the language it is analysed in (None: not known yet)."""

    row: int
    text: str
    language: str | None


@dataclass
class ComprehendRun:
    """The calls of one node run: a client, a pace and a usage per operation.

    :param client: a boto3 Comprehend client (the provider's ``ComprehendHook``).
    """

    client: Any
    paces: dict[str, Pace] = field(default_factory=dict)
    usages: dict[str, Usage] = field(default_factory=dict)

    def pace(self, operation: Operation) -> Pace:
        return self.paces.setdefault(operation.name, Pace(operation.per_second, operation.name))

    def usage(self, operation: Operation) -> Usage:
        return self.usages.setdefault(operation.name, Usage(SERVICE, operation.usage_name, UNIT))

    def call(self, operation: Operation, documents: list[Document], **args: Any) -> Any:
        """One request of ``operation`` for ``documents``, paced and counted."""
        self.pace(operation).wait()
        method = getattr(self.client, operation.method)
        if operation.batch_size == 1:
            response = method(Text=documents[0].text, **args)
        else:
            response = method(TextList=[document.text for document in documents], **args)
        self.usage(operation).called(
            sum(text_units(document.text) for document in documents), response
        )
        return response


# -- what a row may not send -----------------------------------------------------------------


def size_problem(text: Any, operation: Operation) -> RowError | None:
    """Why ``text`` cannot go to ``operation``: empty, or over its size limit."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return RowError("EMPTY_TEXT", "the row has no text to analyse")
    if not isinstance(text, str):
        return RowError("NOT_TEXT", f"the row holds a {type(text).__name__}, not text")
    size = len(text.encode("utf-8"))
    if size > operation.max_bytes:
        return RowError(
            "TEXT_TOO_LONG",
            f"{size} bytes of UTF-8; {operation.name} takes at most {operation.max_bytes}",
        )
    return None


def language_problem(language: str | None, operation: Operation) -> RowError | None:
    if language is not None and language not in operation.languages:
        return RowError(
            "UNSUPPORTED_LANGUAGE",
            f"{operation.name} does not support language {language!r}; it supports "
            f"{', '.join(operation.languages)}",
        )
    return None


# -- per operation: the request and what each row gets from the answer ----------------------


def _batch_answers(
    response: dict[str, Any], size: int, read: Callable[[dict[str, Any]], dict[str, Any]]
) -> list[RowOutcome]:
    """A Batch* answer as one outcome per document: its result, or its ``ErrorList`` entry."""
    outcomes: list[RowOutcome | None] = [None] * size
    for item in response.get("ResultList", []):
        outcomes[int(item["Index"])] = read(item)
    for item in response.get("ErrorList", []):
        outcomes[int(item["Index"])] = RowError(
            str(item.get("ErrorCode", "ERROR")), str(item.get("ErrorMessage", ""))
        )
    missing = [i for i, outcome in enumerate(outcomes) if outcome is None]
    if missing:
        raise RuntimeError(f"Comprehend answered nothing for documents {missing} of a batch")
    return [outcome for outcome in outcomes if outcome is not None]


def _read_language(item: dict[str, Any]) -> dict[str, Any]:
    best = max(item.get("Languages", []), key=lambda found: found["Score"], default=None)
    if best is None:
        return {"language": None}
    return {"language": best["LanguageCode"]}


def _read_sentiment(item: dict[str, Any]) -> dict[str, Any]:
    scores = item.get("SentimentScore", {})
    return {
        "sentiment": item.get("Sentiment"),
        "sentiment_positive": scores.get("Positive"),
        "sentiment_negative": scores.get("Negative"),
        "sentiment_neutral": scores.get("Neutral"),
        "sentiment_mixed": scores.get("Mixed"),
    }


def _read_key_phrases(item: dict[str, Any]) -> dict[str, Any]:
    return {"key_phrases": [phrase["Text"] for phrase in item.get("KeyPhrases", [])]}


def _read_entities(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "entities": [
            {"text": entity["Text"], "type": entity["Type"], "score": entity["Score"]}
            for entity in item.get("Entities", [])
        ]
    }


def _read_pii(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "pii_entities": [
            {
                "type": entity["Type"],
                "begin_offset": entity["BeginOffset"],
                "end_offset": entity["EndOffset"],
                "score": entity["Score"],
            }
            for entity in item.get("Entities", [])
        ]
    }


READERS = {
    DOMINANT_LANGUAGE.name: _read_language,
    SENTIMENT.name: _read_sentiment,
    KEY_PHRASES.name: _read_key_phrases,
    ENTITIES.name: _read_entities,
    PII.name: _read_pii,
    SINGLE_SENTIMENT.name: _read_sentiment,
}


def detect(run: ComprehendRun, operation: Operation, documents: list[Document]) -> list[RowOutcome]:
    """Every document's outcome of ``operation``, in batches of one language each."""
    read = READERS[operation.name]
    outcomes: list[RowOutcome | None] = [
        size_problem(document.text, operation) or language_problem(document.language, operation)
        for document in documents
    ]
    by_language: dict[str | None, list[int]] = {}
    for position, outcome in enumerate(outcomes):
        if outcome is None:
            by_language.setdefault(documents[position].language, []).append(position)
    for language, positions in by_language.items():
        args = {} if operation is DOMINANT_LANGUAGE else {"LanguageCode": language}

        def call(batch: list[Document], args: dict[str, Any] = args) -> list[RowOutcome]:
            response = run.call(operation, batch, **args)
            if operation.batch_size == 1:
                return [read(response)]
            return _batch_answers(response, len(batch), read)

        found = call_in_batches([documents[p] for p in positions], operation.batch_size, call)
        for position, outcome in zip(positions, found, strict=True):
            outcomes[position] = outcome
    return [outcome for outcome in outcomes if outcome is not None]


def analyse(
    run: ComprehendRun, texts: Sequence[Any], language_code: str, analyses: Sequence[str]
) -> list[RowOutcome]:
    """Each text's results of ``analyses`` (merged into one dict), or its first error.

    :param language_code: the texts' language, or ``auto`` to detect each row's first
        (BatchDetectDominantLanguage) and analyse it in that language.
    """
    results: list[RowOutcome] = [{} for _ in texts]
    detect_language = language_code == AUTO or "language" in analyses
    if detect_language:
        documents = [Document(i, text, None) for i, text in enumerate(texts)]
        merge_outcomes(results, detect(run, DOMINANT_LANGUAGE, documents))
        results = [
            RowError("LANGUAGE_NOT_DETECTED", "Comprehend detected no language in the text")
            if isinstance(outcome, dict) and outcome.get("language") is None
            else outcome
            for outcome in results
        ]
    for analysis in analyses:
        if analysis == "language":
            continue
        documents = []
        for row, text in enumerate(texts):
            outcome = results[row]
            if isinstance(outcome, RowError):
                continue
            language = outcome.get("language") if language_code == AUTO else language_code
            documents.append(Document(row, text, language))
        found = detect(run, OPERATIONS[analysis], documents)
        merge_outcomes(results, found, [document.row for document in documents])
    return results


def merge_outcomes(
    results: list[RowOutcome], found: Sequence[RowOutcome], rows: Sequence[int] | None = None
) -> None:
    """Fold one operation's outcomes into the rows' results: a row keeps its first error."""
    for row, outcome in zip(range(len(results)) if rows is None else rows, found, strict=True):
        current = results[row]
        if isinstance(current, RowError):
            continue
        results[row] = outcome if isinstance(outcome, RowError) else {**current, **outcome}


def redact(text: str, pii_entities: Sequence[dict[str, Any]]) -> str:
    """``text`` with each PII span replaced by ``[TYPE]`` (offsets in characters, as Comprehend
    gives them); a span overlapping an earlier one is folded into it."""
    pieces, cursor = [], 0
    for entity in sorted(pii_entities, key=lambda found: found["begin_offset"]):
        begin, end = int(entity["begin_offset"]), int(entity["end_offset"])
        if begin < cursor:  # overlaps the span just replaced
            continue
        pieces += [text[cursor:begin], f"[{entity['type']}]"]
        cursor = max(cursor, end)
    pieces.append(text[cursor:])
    return "".join(pieces)
