"""Amazon Comprehend's stand-in: the JSON protocol (``Comprehend_20171127.<Operation>``) with
answers that are small deterministic functions of each document, so tests assert row by row.

- **Sentiment**: words found in ``POSITIVE`` and ``NEGATIVE`` (lower-cased, any language here):
  both → ``MIXED``, only positive → ``POSITIVE``, only negative → ``NEGATIVE``, none →
  ``NEUTRAL``. The label's score is 0.85, each other score 0.05.
- **Key phrases**: a determiner (``DETERMINERS``) and the one or two words after it, stopping
  at punctuation, digits, a stop word or another determiner (``"my order"``, ``"the blue
  box"``); score 0.9.
- **Entities**: runs of capitalised words, leading words of ``NOT_NAMES`` dropped. A run with a
  word of ``ORGANIZATIONS`` is an ``ORGANIZATION``, of ``LOCATIONS`` a ``LOCATION``, of
  ``MONTHS`` a ``DATE``, otherwise a ``PERSON``; score 0.9.
- **PII**: ``EMAIL``, ``CREDIT_DEBIT_NUMBER`` (four groups of four digits), ``PHONE`` (eight or
  more digits with spaces, dashes or a leading +) and ``NAME`` (the capitalised words after
  "my name is"); score 0.99, offsets in characters as the service gives them.
- **Dominant language**: the language (en, es, fr, de) with the most stop words (``STOP_WORDS``);
  score = its share of the stop words found. A document with no letter is a per-document
  ``ErrorList`` entry (``INVALID_REQUEST``); one with letters but no stop word is ``en`` at 0.3.

Limits as the service documents them: at most 25 documents per batch call
(``BatchSizeLimitExceededException``), 5,000 bytes of UTF-8 per document in batch calls and
100 KB for ``DetectPiiEntities`` (``TextSizeLimitExceededException``), an empty document
(``InvalidRequestException``), and only the languages each operation supports
(``UnsupportedLanguageException``: PII in English and Spanish only).

Asynchronous jobs: :mod:`tests.harness.aws_stand_ins.comprehend_jobs`.

``stand_in.state["latency_s"]`` (seconds, default 0) delays every answer, standing for the
network round trip of the real service (the benchmark sets it).
"""

from __future__ import annotations

import re
import time
from typing import Any

from tests.harness.aws_stand_ins.server import AwsError, StandIn

PREFIX = "Comprehend_20171127"
BATCH_LIMIT = 25
BATCH_TEXT_BYTES = 5_000
PII_TEXT_BYTES = 100_000
LANGUAGES = {"en", "es", "fr", "de", "it", "pt", "ar", "hi", "ja", "ko", "zh", "zh-TW"}
PII_LANGUAGES = {"en", "es"}

POSITIVE = {
    "good", "great", "thanks", "thank", "love", "excellent", "helpful", "happy", "fast",
    "resolved", "perfect", "gracias", "excelente", "merci", "danke",
}  # fmt: skip
NEGATIVE = {
    "bad", "terrible", "broken", "angry", "slow", "refund", "cancel", "unacceptable", "worst",
    "late", "damaged", "malo", "horrible", "schlecht", "mauvais",
}  # fmt: skip
DETERMINERS = {"the", "a", "an", "my", "your", "our", "their", "this"}
NOT_NAMES = {
    "The", "A", "An", "My", "I", "This", "We", "Please", "Thanks", "Thank", "Hello", "Hi",
    "Your", "Our", "It", "Is", "And", "But", "Email", "Call", "El", "La", "Le", "Der", "Die",
    "Das", "Order",
}  # fmt: skip
ORGANIZATIONS = {"Inc", "Corp", "Ltd", "Airloom", "Amazon", "Acme", "Bank"}
LOCATIONS = {"Paris", "London", "Berlin", "Madrid", "Seattle", "Lisbon", "Dublin"}
MONTHS = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
}  # fmt: skip
STOP_WORDS = {
    "en": {"the", "is", "and", "my", "to", "of", "it", "was", "not", "with", "you", "i"},
    "es": {"el", "la", "es", "y", "mi", "de", "que", "no", "con", "los", "por", "una"},
    "fr": {"le", "la", "est", "et", "mon", "ma", "de", "que", "pas", "avec", "les", "je"},
    "de": {"der", "die", "das", "ist", "und", "mein", "nicht", "mit", "ich", "zu", "ein"},
}

_ALL_STOP_WORDS = set().union(*STOP_WORDS.values())
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CARD = re.compile(r"\b\d{4}(?:[ -]?\d{4}){3}\b")
_PHONE = re.compile(r"\+?\d[\d -]{6,}\d")
_NAME = re.compile(r"(?i:my name is) ([A-Z][a-z]+(?: [A-Z][a-z]+)*)")


# -- what the service answers, per document ------------------------------------------------


def sentiment_of(text: str) -> dict[str, Any]:
    words = {word.lower() for word in _WORD.findall(text)}
    positive, negative = bool(words & POSITIVE), bool(words & NEGATIVE)
    label = (
        "MIXED"
        if positive and negative
        else "POSITIVE"
        if positive
        else "NEGATIVE"
        if negative
        else "NEUTRAL"
    )
    scores = {name: 0.05 for name in ("Positive", "Negative", "Neutral", "Mixed")}
    scores[label.capitalize()] = 0.85
    return {"Sentiment": label, "SentimentScore": scores}


def key_phrases_of(text: str) -> list[dict[str, Any]]:
    phrases = []
    tokens = list(re.finditer(r"[^\W_]+|[^\w\s]", text))
    i = 0
    while i < len(tokens):
        if tokens[i].group().lower() in DETERMINERS:
            end = i
            while (
                end + 1 < len(tokens)
                and end - i < 2
                and tokens[end + 1].group().isalpha()
                and tokens[end + 1].group().lower() not in DETERMINERS | _ALL_STOP_WORDS
            ):
                end += 1
            if end > i:
                begin, finish = tokens[i].start(), tokens[end].end()
                phrases.append(
                    {
                        "Text": text[begin:finish],
                        "Score": 0.9,
                        "BeginOffset": begin,
                        "EndOffset": finish,
                    }
                )
            i = end + 1
        else:
            i += 1
    return phrases


def entities_of(text: str) -> list[dict[str, Any]]:
    entities = []
    for run in re.finditer(r"[A-Z][\w]*(?: [A-Z][\w]*)*", text):
        words = run.group().split(" ")
        begin = run.start()
        while words and words[0] in NOT_NAMES:
            begin += len(words[0]) + 1
            words = words[1:]
        if not words:
            continue
        found = set(words)
        kind = (
            "ORGANIZATION"
            if found & ORGANIZATIONS
            else "LOCATION"
            if found & LOCATIONS
            else "DATE"
            if found & MONTHS
            else "PERSON"
        )
        name = " ".join(words)
        entities.append(
            {
                "Text": name,
                "Type": kind,
                "Score": 0.9,
                "BeginOffset": begin,
                "EndOffset": begin + len(name),
            }
        )
    return entities


def pii_of(text: str) -> list[dict[str, Any]]:
    found: list[tuple[int, int, str]] = []

    def free(begin: int, end: int) -> bool:
        return all(end <= b or begin >= e for b, e, _ in found)

    for pattern, kind in ((_EMAIL, "EMAIL"), (_CARD, "CREDIT_DEBIT_NUMBER"), (_PHONE, "PHONE")):
        for match in pattern.finditer(text):
            if free(match.start(), match.end()):
                found.append((match.start(), match.end(), kind))
    for match in _NAME.finditer(text):
        if free(match.start(1), match.end(1)):
            found.append((match.start(1), match.end(1), "NAME"))
    return [
        {"Score": 0.99, "Type": kind, "BeginOffset": begin, "EndOffset": end}
        for begin, end, kind in sorted(found)
    ]


def language_of(text: str) -> tuple[str, float] | None:
    """The dominant language and its score; None when the text has no letter at all."""
    words = [word.lower() for word in _WORD.findall(text)]
    if not words:
        return None
    counts = {code: sum(word in stops for word in words) for code, stops in STOP_WORDS.items()}
    best = max(counts, key=lambda code: counts[code])  # ties: the first listed (en)
    total = sum(counts.values())
    if total == 0:
        return "en", 0.3
    return best, round(counts[best] / total, 4)


# -- the operations ------------------------------------------------------------------------


def pause_for_latency(stand_in: StandIn) -> None:
    latency = float(stand_in.state.get("latency_s", 0) or 0)
    if latency > 0:
        time.sleep(latency)


def check_text(text: Any, limit: int) -> str:
    if not isinstance(text, str) or not text:
        raise AwsError("InvalidRequestException", "Text must be a non-empty string")
    if len(text.encode("utf-8")) > limit:
        raise AwsError(
            "TextSizeLimitExceededException",
            f"Input text size exceeds limit. Max length of request text allowed is {limit} "
            "bytes while in this request the text size is "
            f"{len(text.encode('utf-8'))} bytes",
        )
    return text


def check_language(code: Any, supported: set[str]) -> str:
    if code not in supported:
        raise AwsError(
            "UnsupportedLanguageException",
            f"Amazon Comprehend can't process the language of the input text: {code!r}",
        )
    return str(code)


def _text_list(body: dict[str, Any]) -> list[str]:
    texts = body.get("TextList")
    if not isinstance(texts, list) or not texts:
        raise AwsError("InvalidRequestException", "TextList must hold at least one document")
    if len(texts) > BATCH_LIMIT:
        raise AwsError(
            "BatchSizeLimitExceededException",
            f"The number of documents in the request exceeds the limit of {BATCH_LIMIT}",
        )
    return [check_text(text, BATCH_TEXT_BYTES) for text in texts]


def _batch(stand_in: StandIn, body: dict[str, Any], answer: Any, language: bool = True) -> Any:
    pause_for_latency(stand_in)
    texts = _text_list(body)
    if language:
        check_language(body.get("LanguageCode"), LANGUAGES)
    results, errors = [], []
    for index, text in enumerate(texts):
        result = answer(text)
        if isinstance(result, AwsError):
            errors.append(
                {"Index": index, "ErrorCode": result.code, "ErrorMessage": result.message}
            )
        else:
            results.append({"Index": index, **result})
    return {"ResultList": results, "ErrorList": errors}


def dominant_language(text: str) -> dict[str, Any] | AwsError:
    found = language_of(text)
    if found is None:
        return AwsError("INVALID_REQUEST", "the document has no text to detect a language in")
    code, score = found
    return {"Languages": [{"LanguageCode": code, "Score": score}]}


def batch_detect_sentiment(stand_in: StandIn, body: dict[str, Any]) -> Any:
    return _batch(stand_in, body, sentiment_of)


def batch_detect_key_phrases(stand_in: StandIn, body: dict[str, Any]) -> Any:
    return _batch(stand_in, body, lambda text: {"KeyPhrases": key_phrases_of(text)})


def batch_detect_entities(stand_in: StandIn, body: dict[str, Any]) -> Any:
    return _batch(stand_in, body, lambda text: {"Entities": entities_of(text)})


def batch_detect_dominant_language(stand_in: StandIn, body: dict[str, Any]) -> Any:
    return _batch(stand_in, body, dominant_language, language=False)


def detect_sentiment(stand_in: StandIn, body: dict[str, Any]) -> Any:
    pause_for_latency(stand_in)
    text = check_text(body.get("Text"), BATCH_TEXT_BYTES)
    check_language(body.get("LanguageCode"), LANGUAGES)
    return sentiment_of(text)


def detect_pii_entities(stand_in: StandIn, body: dict[str, Any]) -> Any:
    pause_for_latency(stand_in)
    text = check_text(body.get("Text"), PII_TEXT_BYTES)
    check_language(body.get("LanguageCode"), PII_LANGUAGES)
    return {"Entities": pii_of(text)}


TARGETS = {
    f"{PREFIX}.BatchDetectSentiment": batch_detect_sentiment,
    f"{PREFIX}.BatchDetectKeyPhrases": batch_detect_key_phrases,
    f"{PREFIX}.BatchDetectEntities": batch_detect_entities,
    f"{PREFIX}.BatchDetectDominantLanguage": batch_detect_dominant_language,
    f"{PREFIX}.DetectSentiment": detect_sentiment,
    f"{PREFIX}.DetectPiiEntities": detect_pii_entities,
}

# The asynchronous jobs (Start*/Describe*DetectionJob) live in their own module.
from tests.harness.aws_stand_ins.comprehend_jobs import JOB_TARGETS  # noqa: E402

TARGETS.update(JOB_TARGETS)
