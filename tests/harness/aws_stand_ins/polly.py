"""Amazon Polly (REST-JSON): ``SynthesizeSpeech`` (``POST /v1/speech``) and ``DescribeVoices``
(``GET /v1/voices``), as botocore's ``polly/2016-06-10`` model has them.

What it answers, as functions of the request:

- ``DescribeVoices``: the voices of :data:`VOICES` (a few of Polly's own, with the engines each
  supports), filtered by the ``Engine`` and ``LanguageCode`` query parameters.
- ``SynthesizeSpeech``: the text "spoken" by :mod:`~tests.harness.aws_stand_ins.spoken_text`
  (a header tone, then one run of samples per UTF-8 byte) at the requested ``SampleRate``
  (default 16000 for ``pcm``, 22050 standard / 24000 neural otherwise). ``pcm`` is the raw
  16-bit samples (``audio/pcm``), as Polly sends them; ``mp3`` and ``ogg_vorbis`` carry the
  same samples behind the format's magic bytes (``ID3`` / ``OggS``: not playable, and not
  decodable by the Transcribe stand-in, which hears WAV only). Headers: ``Content-Type`` and
  ``x-amzn-RequestCharacters`` (the characters billed: every character of plain text).

Polly's limits and errors: text over 3,000 billed characters → ``TextLengthExceededException``;
an unknown voice → ``ValidationException``; a voice without the engine →
``EngineNotSupportedException``; a sample rate the format does not take →
``InvalidSampleRateException``; SSML → ``InvalidSsmlException`` (this stand-in speaks plain
text only).
"""

from __future__ import annotations

import re
from typing import Any

from tests.harness.aws_stand_ins import spoken_text
from tests.harness.aws_stand_ins.server import AwsError, Reply, StandIn

MAX_BILLED_CHARACTERS = 3000

VOICES = [
    {
        "Id": "Joanna",
        "LanguageCode": "en-US",
        "Gender": "Female",
        "Engines": ["standard", "neural"],
    },
    {"Id": "Matthew", "LanguageCode": "en-US", "Gender": "Male", "Engines": ["standard", "neural"]},
    {"Id": "Hans", "LanguageCode": "de-DE", "Gender": "Male", "Engines": ["standard"]},
    {"Id": "Lea", "LanguageCode": "fr-FR", "Gender": "Female", "Engines": ["standard", "neural"]},
]
LANGUAGE_NAMES = {"en-US": "US English", "de-DE": "German", "fr-FR": "French"}
CONTENT_TYPES = {"pcm": "audio/pcm", "mp3": "audio/mpeg", "ogg_vorbis": "audio/ogg"}
MAGIC = {"pcm": b"", "mp3": b"ID3\x04\x00\x00\x00\x00\x00\x00", "ogg_vorbis": b"OggS\x00\x02"}
SAMPLE_RATES = {
    "pcm": ("8000", "16000"),
    "mp3": ("8000", "16000", "22050", "24000"),
    "ogg_vorbis": ("8000", "16000", "22050", "24000"),
}


def _voice(voice: dict[str, Any]) -> dict[str, Any]:
    return {
        "Id": voice["Id"],
        "Name": voice["Id"],
        "Gender": voice["Gender"],
        "LanguageCode": voice["LanguageCode"],
        "LanguageName": LANGUAGE_NAMES[voice["LanguageCode"]],
        "SupportedEngines": voice["Engines"],
    }


def describe_voices(
    stand_in: StandIn, match: re.Match[str], body: dict[str, Any], query: dict[str, str]
) -> dict[str, Any]:
    engine, language = query.get("Engine"), query.get("LanguageCode")
    return {
        "Voices": [
            _voice(voice)
            for voice in VOICES
            if (engine is None or engine in voice["Engines"])
            and (language is None or voice["LanguageCode"] == language)
        ]
    }


def _default_rate(output_format: str, engine: str) -> str:
    if output_format == "pcm":
        return "16000"
    return "24000" if engine == "neural" else "22050"


def synthesize_speech(
    stand_in: StandIn, match: re.Match[str], body: dict[str, Any], query: dict[str, str]
) -> Reply:
    text, voice_id = body.get("Text"), body.get("VoiceId")
    output_format = body.get("OutputFormat")
    engine = body.get("Engine", "standard")
    if not isinstance(text, str) or not voice_id or not output_format:
        raise AwsError("ValidationException", "Text, VoiceId and OutputFormat are required")
    if body.get("TextType", "text") != "text":
        raise AwsError("InvalidSsmlException", "this stand-in speaks plain text only")
    if output_format not in CONTENT_TYPES:
        raise AwsError("ValidationException", f"OutputFormat {output_format} is not served")
    voice = next((v for v in VOICES if v["Id"] == voice_id), None)
    if voice is None:
        raise AwsError(
            "ValidationException",
            f"1 validation error detected: Value '{voice_id}' at 'voiceId' failed to satisfy "
            "constraint: Member must satisfy enum value set",
        )
    if engine not in voice["Engines"]:
        raise AwsError(
            "EngineNotSupportedException",
            f"This voice does not support the selected engine: {engine}",
        )
    if len(text) > MAX_BILLED_CHARACTERS:
        raise AwsError(
            "TextLengthExceededException",
            f"Maximum text length has been exceeded: {len(text)} billed characters "
            f"(at most {MAX_BILLED_CHARACTERS})",
        )
    rate = body.get("SampleRate") or _default_rate(output_format, engine)
    if rate not in SAMPLE_RATES[output_format]:
        raise AwsError("InvalidSampleRateException", f"{rate} is no sample rate of {output_format}")
    audio = MAGIC[output_format] + spoken_text.encode(text, int(rate))
    return Reply(
        audio,
        {
            "Content-Type": CONTENT_TYPES[output_format],
            "x-amzn-RequestCharacters": str(len(text)),
        },
    )


ROUTES = [
    ("GET", r"/v1/voices", "DescribeVoices", describe_voices),
    ("POST", r"/v1/speech", "SynthesizeSpeech", synthesize_speech),
]
