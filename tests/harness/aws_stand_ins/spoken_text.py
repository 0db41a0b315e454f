"""The "speech" the Polly stand-in synthesizes and the Transcribe stand-in hears.

No real voice is made: the text is carried in the audio samples, so a workflow text → polly →
transcribe gets exactly its text back, and a test can assert it row by row. The audio is
16-bit signed little-endian mono PCM (what Amazon Polly's ``pcm`` output is):

- a header tone of 50 ms: samples alternating +12000 / -12000;
- then each UTF-8 byte of the text for 25 ms: ``rate // 40`` samples, all of value
  ``byte * 100`` (0 … 25500, never negative, so the header cannot be mistaken for text).

At 16 kHz a character lasts 25 ms (about the pace of speech), so a 40-character sentence makes
about a second of audio. Anything else — another WAV, an MP3, bytes that are no WAV — does not
carry the encoding and cannot be "heard".
"""

from __future__ import annotations

import io
import struct
import wave

TONE = 12000
STEP = 100  # a byte's sample value is byte * STEP


def samples_per_byte(rate: int) -> int:
    return rate // 40


def header_samples(rate: int) -> list[int]:
    return [TONE if i % 2 == 0 else -TONE for i in range(rate // 20)]


def encode(text: str, rate: int) -> bytes:
    """The PCM samples that "say" ``text`` at ``rate`` Hz."""
    samples = header_samples(rate)
    for byte in text.encode("utf-8"):
        samples += [byte * STEP] * samples_per_byte(rate)
    return struct.pack(f"<{len(samples)}h", *samples)


def wav(text: str, rate: int = 16000) -> bytes:
    """``text`` spoken into a WAV file (a RIFF header around :func:`encode`'s PCM)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(encode(text, rate))
    return buffer.getvalue()


class Undecodable(ValueError):
    """The audio does not carry text in this module's encoding."""


def decode_wav(data: bytes) -> tuple[str, float]:
    """The text a WAV file "says", and its duration in seconds.

    :raises Undecodable: if ``data`` is no 16-bit mono WAV carrying the encoding.
    """
    try:
        with wave.open(io.BytesIO(data), "rb") as audio:
            if audio.getnchannels() != 1 or audio.getsampwidth() != 2:
                raise Undecodable("not 16-bit mono")
            rate = audio.getframerate()
            frames = audio.readframes(audio.getnframes())
    except (wave.Error, EOFError, struct.error) as exc:
        raise Undecodable(str(exc)) from exc
    samples = list(struct.unpack(f"<{len(frames) // 2}h", frames))
    header = header_samples(rate)
    if rate < 40 or samples[: len(header)] != header:
        raise Undecodable("no header tone")
    body = samples[len(header) :]
    width = samples_per_byte(rate)
    if len(body) % width:
        raise Undecodable("a byte cut short")
    spoken = bytearray()
    for start in range(0, len(body), width):
        run = body[start : start + width]
        value = run[0]
        if any(sample != value for sample in run) or value % STEP or not 0 <= value // STEP < 256:
            raise Undecodable("samples that are no byte")
        spoken.append(value // STEP)
    try:
        text = spoken.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Undecodable("bytes that are no UTF-8") from exc
    return text, len(samples) / rate
