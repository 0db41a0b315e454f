"""Pure parts of the polly and transcribe nodes: file names, formats, transcripts, billing."""

from __future__ import annotations

import io
import wave

import pyarrow as pa
import pytest

from airloom.aws_ai.rows import RowError
from airloom.aws_ai.speech_files import FORMATS, as_file, file_names, folder_of
from airloom.aws_ai.transcription import (
    billed_seconds,
    job_name,
    media_format_of,
    transcript_columns,
)
from airloom.aws_ai.upstream import split_upstream_errors


def test_each_row_names_its_own_file_and_two_rows_never_share_one() -> None:
    names = file_names(["call-1", "call.2", None, "../etc", "a/b", "call-1", " call_3 "], 7)
    assert names[:2] == ["call-1", "call.2"]
    assert [name.code for name in names[2:6]] == [
        "INVALID_ID",
        "INVALID_ID",
        "INVALID_ID",
        "DUPLICATE_ID",
    ]
    assert names[6] == "call_3"
    assert file_names(None, 3) == ["row-1", "row-2", "row-3"]


def test_an_output_location_is_a_folder_whether_or_not_it_ends_in_a_slash() -> None:
    assert folder_of("s3://media/acme/audio") == ("media", "acme/audio/")
    assert folder_of("s3://media/acme/audio/") == ("media", "acme/audio/")
    assert folder_of("s3://media") == ("media", "")


def test_polly_pcm_is_stored_as_a_wav_file_of_the_same_samples() -> None:
    samples = b"\x01\x00\xff\x7f\x00\x80"
    stored = as_file(samples, FORMATS["pcm"])
    with wave.open(io.BytesIO(stored)) as audio:
        assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate()) == (1, 2, 16000)
        assert audio.readframes(audio.getnframes()) == samples
    assert as_file(b"ID3...", FORMATS["mp3"]) == b"ID3..."


def test_the_media_format_comes_from_the_node_or_else_from_the_extension() -> None:
    assert media_format_of("s3://b/calls/one.WAV", None) == "wav"
    assert media_format_of("s3://b/calls/one.m4a", None) == "m4a"
    assert media_format_of("s3://b/calls/one", "mp3") == "mp3"
    unknown = media_format_of("s3://b/calls/one.aiff", None)
    assert isinstance(unknown, RowError) and unknown.code == "UNSUPPORTED_FORMAT"
    assert "media_format" in unknown.message


def test_job_names_are_the_same_for_a_retry_and_new_for_another_run_or_row() -> None:
    name = job_name("wf-acme-calls", "manual__1", "listen", -1, 0, "s3://b/one.wav")
    assert name == job_name("wf-acme-calls", "manual__1", "listen", -1, 0, "s3://b/one.wav")
    assert name != job_name("wf-acme-calls", "manual__2", "listen", -1, 0, "s3://b/one.wav")
    assert name != job_name("wf-acme-calls", "manual__1", "listen", -1, 0, "s3://b/two.wav")
    assert name.startswith("airloom-") and name.endswith("-1") and len(name) <= 200


def test_a_transcript_gives_its_text_language_and_the_end_of_its_speech() -> None:
    document = {
        "results": {
            "transcripts": [{"transcript": "Hello there."}],
            "items": [{"start_time": "0.1", "end_time": "0.6"}, {"type": "punctuation"}],
            "audio_segments": [{"start_time": "0.0", "end_time": "0.75"}],
            "language_code": "en-GB",
        }
    }
    assert transcript_columns(document, {"LanguageCode": "en-US"}) == {
        "transcript": "Hello there.",
        "language": "en-US",
        "duration_s": 0.75,
    }
    bare = transcript_columns({"results": {"transcripts": [{"transcript": "Hi"}]}}, {})
    assert bare == {"transcript": "Hi", "language": None, "duration_s": None}


@pytest.mark.parametrize(
    ("duration", "billed"), [(None, 15), (0.4, 15), (15.0, 15), (15.2, 16), (61.0, 61)]
)
def test_transcribe_bills_whole_seconds_with_a_fifteen_second_minimum(duration, billed) -> None:
    assert billed_seconds(duration) == billed


def test_rows_an_upstream_node_failed_keep_its_error_and_lose_the_old_column() -> None:
    table = pa.table({"id": [1, 2, 3], "error": [None, "TEXT_TOO_LONG: 3150 characters", ""]})
    rest, errors = split_upstream_errors(table)
    assert rest.column_names == ["id"]
    assert errors == [None, RowError("UPSTREAM_ERROR", "TEXT_TOO_LONG: 3150 characters"), None]
    untouched, none = split_upstream_errors(pa.table({"id": [1]}))
    assert untouched.column_names == ["id"] and none == [None]
