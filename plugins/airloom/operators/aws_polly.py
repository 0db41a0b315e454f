"""``polly``: each row's text spoken by Amazon Polly into an audio file in S3.

One ``SynthesizeSpeech`` request per row (the API takes one text per request), paced to the
operation's published rate, through an AWS connection granted to the tenant. Each row's audio
becomes one object under the node's granted output location, named after the row, so a rerun
overwrites the same keys. Rows Polly cannot speak — no text, more than its 3,000 billed
characters per request (refused before calling, not split: a cut mid-sentence would change how
it is spoken), a bad id — keep their error and are never sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from airflow.sdk import Context
from pydantic import Field

from airloom.aws_ai.node import AwsAiOperator, AwsAiParams
from airloom.catalog import Port, PortType
from airloom.catalog.resources import S3LocationRef

# Amazon Polly's limit on one SynthesizeSpeech request's billed characters.
MAX_CHARACTERS = 3000
# Published default SynthesizeSpeech quotas, transactions per second (docs/aws_ai_nodes.md).
REQUESTS_PER_SECOND = {"standard": 80, "neural": 8}


class PollyParams(AwsAiParams):
    text_column: str = Field(min_length=1, description="Column holding the text to speak.")
    voice_id: str = Field(
        default="Joanna",
        pattern=r"^[A-Z][A-Za-z]{1,30}$",
        description="Amazon Polly voice, e.g. Joanna or Matthew (US English); it must speak "
        "with the chosen engine.",
    )
    engine: Literal["standard", "neural"] = Field(
        default="standard",
        description="standard: lower price and higher rate; neural: more natural speech.",
    )
    output_format: Literal["mp3", "ogg_vorbis", "pcm"] = Field(
        default="mp3",
        description="mp3 (.mp3), ogg_vorbis (.ogg), or pcm written as a 16 kHz 16-bit WAV file "
        "(.wav), the one to choose for a transcribe node downstream.",
    )
    output_location: S3LocationRef = Field(
        description="s3:// folder, under an S3 location granted to the tenant, that receives "
        "one audio file per row."
    )
    id_column: str | None = Field(
        default=None,
        min_length=1,
        description="Column naming each row's audio file (letters, digits, '.', '_', '-'); "
        "when empty, files are named row-1, row-2 … in input order.",
    )


class PollyOperator(AwsAiOperator):
    """Speak a text column with Amazon Polly; one audio file per row in S3.

    Output: the input's rows with ``audio_uri`` (the row's ``s3://`` audio file),
    ``characters`` (billed characters) and ``error``.

    :param text_column: column holding the text.
    :param voice_id: Polly voice, checked with ``DescribeVoices`` before the first row.
    :param engine: ``standard`` or ``neural``.
    :param output_format: ``mp3``, ``ogg_vorbis`` or ``pcm`` (written as WAV).
    :param output_location: granted ``s3://`` folder for the audio files.
    :param id_column: column naming each row's file; row numbers when empty.
    """

    node_type = "polly"
    description = (
        "Turns each row's text into speech with Amazon Polly and stores one audio file per row "
        "(MP3, Ogg or WAV) in an S3 folder your tenant was granted. The output keeps every "
        "input row, adding the audio file's location, the characters billed, and an error for "
        "rows that could not be spoken (no text, or longer than 3,000 characters)."
    )
    params_model = PollyParams
    output_ports = (
        Port(
            "table",
            PortType.TABLE,
            "The input's rows with audio_uri, characters and an error column.",
        ),
    )

    def run(self, params: PollyParams, inputs: Mapping[str, Any], context: Context) -> Any:
        import pyarrow as pa

        from airloom.aws_ai.clients import aws_client
        from airloom.aws_ai.pacing import Pace
        from airloom.aws_ai.rows import RowError, aligned_table, call_in_batches
        from airloom.aws_ai.speech_files import FORMATS, as_file, file_names, folder_of
        from airloom.aws_ai.upstream import split_upstream_errors
        from airloom.aws_ai.usage import Usage

        columns = [params.text_column] + ([params.id_column] if params.id_column else [])
        table, upstream = split_upstream_errors(self.read_rows(inputs, *columns))
        texts = table.column(params.text_column).to_pylist()
        ids = table.column(params.id_column).to_pylist() if params.id_column else None
        names = file_names(ids, table.num_rows)
        audio_format = FORMATS[params.output_format]
        bucket, prefix = folder_of(params.output_location)

        polly = aws_client("polly", params.aws_conn_id, region_name=params.region_name)
        self._check_voice(polly, params)
        s3 = self._s3(params)
        pace = Pace(REQUESTS_PER_SECOND[params.engine], key="polly.SynthesizeSpeech")
        usage = Usage("polly", f"synthesize_speech_{params.engine}", "character")

        def refused(row: int) -> RowError | None:
            name = names[row]
            return (
                upstream[row]
                or text_problem(texts[row])
                or (name if isinstance(name, RowError) else None)
            )

        def speak(batch: list[int]) -> list[dict[str, Any]]:
            (row,) = batch
            request = {
                "Text": texts[row],
                "TextType": "text",
                "VoiceId": params.voice_id,
                "Engine": params.engine,
                "OutputFormat": audio_format.polly_format,
            }
            if audio_format.sample_rate:
                request["SampleRate"] = audio_format.sample_rate
            pace.wait()
            response = polly.synthesize_speech(**request)
            audio = response["AudioStream"].read()
            characters = int(response.get("RequestCharacters") or len(texts[row]))
            usage.called(characters, response)
            key = f"{prefix}{names[row]}.{audio_format.extension}"
            # One whole object per row (S3 writes are atomic): never a half-written file.
            s3.put_object(
                Bucket=bucket,
                Key=key,
                Body=as_file(audio, audio_format),
                ContentType=audio_format.content_type,
            )
            return [{"audio_uri": f"s3://{bucket}/{key}", "characters": characters}]

        outcomes = call_in_batches(list(range(table.num_rows)), 1, speak, skip=refused)
        output = aligned_table(
            table, outcomes, {"audio_uri": pa.string(), "characters": pa.int64()}
        )
        return self.finish(params, context, output, outcomes, [usage])

    def _check_voice(self, polly: Any, params: PollyParams) -> None:
        """Fail before the first row when the voice does not speak with the engine."""
        voices: list[str] = []
        for page in polly.get_paginator("describe_voices").paginate(Engine=params.engine):
            voices += [voice["Id"] for voice in page.get("Voices", [])]
        if params.voice_id not in voices:
            raise ValueError(
                f"node {self.task_id!r}: field voice_id: Amazon Polly has no voice "
                f"{params.voice_id!r} speaking with the {params.engine} engine; voices that "
                f"do: {', '.join(sorted(voices)) or 'none'}"
            )

    @staticmethod
    def _s3(params: PollyParams) -> Any:
        from airflow.providers.amazon.aws.hooks.s3 import S3Hook

        return S3Hook(aws_conn_id=params.aws_conn_id, region_name=params.region_name).get_conn()


def text_problem(text: object) -> Any:
    """Why a row's text cannot be sent to SynthesizeSpeech (None: it can)."""
    from airloom.aws_ai.rows import RowError

    if not isinstance(text, str) or not text.strip():
        return RowError("EMPTY", "the row has no text to speak")
    if len(text) > MAX_CHARACTERS:
        return RowError(
            "TEXT_TOO_LONG",
            f"the text has {len(text)} characters; Amazon Polly speaks at most "
            f"{MAX_CHARACTERS} per request",
        )
    return None
