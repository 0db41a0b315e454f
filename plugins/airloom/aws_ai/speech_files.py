"""Audio files a ``polly`` node writes: their format, their name under the output location.

Each row's audio is one object, named after the row (its id column's value, or its number),
so a rerun of the same input overwrites the same keys instead of adding copies.
"""

from __future__ import annotations

import io
import re
import wave
from dataclasses import dataclass

from airloom.aws_ai.rows import RowError


@dataclass(frozen=True)
class AudioFormat:
    """What Amazon Polly is asked for, and what file the node writes from its answer."""

    polly_format: str
    extension: str
    content_type: str
    sample_rate: str | None = None  # asked for explicitly (PCM: to write it in the WAV header)


FORMATS = {
    "mp3": AudioFormat("mp3", "mp3", "audio/mpeg"),
    "ogg_vorbis": AudioFormat("ogg_vorbis", "ogg", "audio/ogg"),
    # Polly's PCM is headerless 16-bit signed little-endian mono: written as a WAV file.
    "pcm": AudioFormat("pcm", "wav", "audio/wav", sample_rate="16000"),
}

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


def as_file(audio: bytes, audio_format: AudioFormat) -> bytes:
    """The file to store: Polly's bytes as they are, PCM wrapped in a RIFF/WAV header."""
    if audio_format.polly_format != "pcm":
        return audio
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(int(audio_format.sample_rate or 16000))
        out.writeframes(audio)
    return buffer.getvalue()


def folder_of(location: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` → ``("bucket", "some/prefix/")``: a folder of objects."""
    bucket, _, prefix = location.removeprefix("s3://").partition("/")
    prefix = prefix.strip("/")
    return bucket, f"{prefix}/" if prefix else ""


def file_names(ids: list[object] | None, rows: int) -> list[str | RowError]:
    """Each row's file name (no extension): its id, or ``row-<n>`` counting from 1.

    An id that is empty, not a plain name (letters, digits, ``. _ -``; no ``/``) or used by an
    earlier row gets an error instead: two rows must never write the same object.
    """
    if ids is None:
        return [f"row-{n}" for n in range(1, rows + 1)]
    names: list[str | RowError] = []
    seen: set[str] = set()
    for value in ids:
        text = "" if value is None else str(value).strip()
        if not _ID.fullmatch(text) or text in (".", ".."):
            names.append(
                RowError(
                    "INVALID_ID",
                    f"{text!r} cannot name an audio file: use letters, digits, '.', '_' or '-' "
                    "(at most 200), starting with a letter or digit",
                )
            )
        elif text in seen:
            names.append(RowError("DUPLICATE_ID", f"an earlier row has the id {text!r}"))
        else:
            seen.add(text)
            names.append(text)
    return names
