"""Amazon Translate's stand-in: ``TranslateText`` over the JSON protocol
(``AWSShineFrontendService_20170701.TranslateText``, which botocore prefers to CBOR), answering
with a small dictionary so tests assert row by row.

- Languages: ``en``, ``es``, ``fr``, ``de``; a pair must have English on one side (the
  dictionaries are English ↔ each), and source ≠ target: anything else is
  ``UnsupportedLanguagePairException``.
- ``SourceLanguageCode="auto"``: the language with the most stop words (the Comprehend
  stand-in's ``language_of``); a text with none is ``DetectedLanguageLowConfidenceException``.
- The translation: each word looked up lower-case in ``WORDS`` (English → target, or reversed
  for a target of English); a known word is replaced, an unknown one kept as it is;
  punctuation and spaces are kept. The result starts with the target code in brackets
  (``"[es] hola, mi pedido"``), so a test sees which way it went.
- Limits: 10,000 bytes of UTF-8 per request (``TextSizeLimitExceededException``), an empty
  text (``InvalidRequestException``).

Batch jobs: :mod:`tests.harness.aws_stand_ins.translate_jobs`.

``stand_in.state["latency_s"]`` delays every answer, as in the Comprehend stand-in.
"""

from __future__ import annotations

import re
from typing import Any

from tests.harness.aws_stand_ins.comprehend import STOP_WORDS, pause_for_latency
from tests.harness.aws_stand_ins.server import AwsError, StandIn

PREFIX = "AWSShineFrontendService_20170701"
TEXT_BYTES = 10_000
LANGUAGES = ("en", "es", "fr", "de")

WORDS: dict[str, dict[str, str]] = {
    "es": {
        "hello": "hola", "my": "mi", "order": "pedido", "is": "es", "late": "tarde",
        "thanks": "gracias", "the": "el", "package": "paquete", "arrived": "llegó",
        "broken": "roto", "please": "por favor", "refund": "reembolso", "and": "y",
    },
    "fr": {
        "hello": "bonjour", "my": "ma", "order": "commande", "is": "est", "late": "en retard",
        "thanks": "merci", "the": "le", "package": "colis", "arrived": "arrivé",
        "broken": "cassé", "please": "s'il vous plaît", "refund": "remboursement", "and": "et",
    },
    "de": {
        "hello": "hallo", "my": "meine", "order": "Bestellung", "is": "ist", "late": "spät",
        "thanks": "danke", "the": "das", "package": "Paket", "arrived": "angekommen",
        "broken": "kaputt", "please": "bitte", "refund": "Erstattung", "and": "und",
    },
}  # fmt: skip
_TOKEN = re.compile(r"[^\W\d_]+|[^\w\s]|\d+|\s+")


def detected_language(text: str) -> str | None:
    words = [word.lower() for word in re.findall(r"[^\W\d_]+", text)]
    counts = {code: sum(word in stops for word in words) for code, stops in STOP_WORDS.items()}
    best = max(counts, key=lambda code: counts[code])
    return best if counts[best] > 0 else None


def translated(text: str, source: str, target: str) -> str:
    if target == "en":
        table = {foreign.lower(): english for english, foreign in WORDS[source].items()}
    else:
        table = WORDS[target]
    pieces = [table.get(token.lower(), token) for token in _TOKEN.findall(text)]
    return f"[{target}] " + "".join(pieces)


def translate_text(stand_in: StandIn, body: dict[str, Any]) -> Any:
    pause_for_latency(stand_in)
    text = body.get("Text")
    if not isinstance(text, str) or not text:
        raise AwsError("InvalidRequestException", "Text must be a non-empty string")
    size = len(text.encode("utf-8"))
    if size > TEXT_BYTES:
        raise AwsError(
            "TextSizeLimitExceededException",
            f"Input text size exceeds limit. Max length of request text allowed is "
            f"{TEXT_BYTES} bytes while in this request the text size is {size} bytes",
        )
    source, target = body.get("SourceLanguageCode"), body.get("TargetLanguageCode")
    if source == "auto":
        source = detected_language(text)
        if source is None:
            raise AwsError(
                "DetectedLanguageLowConfidenceException",
                "The confidence that Amazon Comprehend accurately detected the source "
                "language is low",
            )
    if (
        source not in LANGUAGES
        or target not in LANGUAGES
        or source == target
        or "en"
        not in (
            source,
            target,
        )
    ):
        raise AwsError(
            "UnsupportedLanguagePairException",
            f"Unsupported language pair: {source} to {target}",
        )
    return {
        "TranslatedText": translated(text, str(source), str(target)),
        "SourceLanguageCode": source,
        "TargetLanguageCode": target,
    }


TARGETS = {f"{PREFIX}.TranslateText": translate_text}

# The batch jobs (Start/DescribeTextTranslationJob) live in their own module.
from tests.harness.aws_stand_ins.translate_jobs import JOB_TARGETS  # noqa: E402

TARGETS.update(JOB_TARGETS)
