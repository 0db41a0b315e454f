"""Amazon Rekognition's JSON protocol (``RekognitionService.*``), answering from the image.

moto's Rekognition answers canned labels whatever the image, so row-by-row tests use this
stand-in. It reads the S3 object named in ``Image.S3Object`` from moto (through
:meth:`StandIn.read_object`; a missing object or bucket answers
``InvalidS3ObjectException``), decodes it with Pillow and answers deterministically:

- ``DetectLabels``: the labels written in the PNG text chunk ``labels``, as
  ``"Name:confidence,Name:confidence"`` (e.g. ``"Invoice:97.5,Paper:91"``). An image without
  that chunk (a JPEG, or a PNG without it) is labelled by its colours: each of ``Red``,
  ``Green``, ``Blue``, ``White``, ``Black`` and ``Gray`` that is the nearest named colour of
  some pixels is a label whose confidence is that share of the pixels, in percent (one
  decimal). Labels come sorted by confidence, highest first, those under ``MinConfidence``
  (default 55) left out, at most ``MaxLabels`` (default 1,000) of them.
- ``DetectModerationLabels``: the labels of the PNG text chunk ``moderation``, as
  ``"Parent/Name:confidence"`` or ``"Name:confidence"`` for a top-level category (its
  ``ParentName`` is empty, ``TaxonomyLevel`` 1; a child's is 2); under ``MinConfidence``
  (default 50) left out. No chunk: no moderation labels.

Limits as the service documents them: PNG and JPEG only (anything else, or bytes Pillow
cannot read: ``InvalidImageFormatException``); an S3 object of at most 15 MB and at most
10,000 pixels a side (``ImageTooLargeException``); ``MinConfidence`` 0-100 and ``MaxLabels`` at
least 0 (``InvalidParameterException``).
"""

from __future__ import annotations

import io
from typing import Any

from tests.harness.aws_stand_ins.server import AwsError, StandIn

MAX_BYTES = 15 * 1024 * 1024
MAX_SIDE = 10_000
COLOURS = {
    "Red": (220, 30, 30),
    "Green": (30, 160, 60),
    "Blue": (30, 60, 200),
    "White": (245, 245, 245),
    "Black": (10, 10, 10),
    "Gray": (128, 128, 128),
}


def _image(stand_in: StandIn, body: dict[str, Any]) -> Any:
    from PIL import Image, UnidentifiedImageError

    s3 = (body.get("Image") or {}).get("S3Object") or {}
    if not s3.get("Bucket") or not s3.get("Name"):
        raise AwsError("InvalidParameterException", "Request has invalid parameters")
    data = stand_in.read_object(s3["Bucket"], s3["Name"], missing="InvalidS3ObjectException")
    if len(data) > MAX_BYTES:
        raise AwsError("ImageTooLargeException", "Image size is too large")
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError):
        raise AwsError("InvalidImageFormatException", "Request has invalid image format") from None
    if image.format not in ("PNG", "JPEG"):
        raise AwsError("InvalidImageFormatException", "Request has invalid image format")
    if max(image.size) > MAX_SIDE:
        raise AwsError("ImageTooLargeException", "Image dimensions are too large")
    return image


def _min_confidence(body: dict[str, Any], default: float) -> float:
    value = body.get("MinConfidence", default)
    if not 0 <= float(value) <= 100:
        raise AwsError("InvalidParameterException", "MinConfidence must be between 0 and 100")
    return float(value)


def _chunk(image: Any, name: str) -> list[tuple[str, float]] | None:
    text = (getattr(image, "text", None) or {}).get(name)
    if text is None:
        return None
    pairs = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        label, _, confidence = item.rpartition(":")
        pairs.append((label.strip(), float(confidence)))
    return pairs


def _colours(image: Any) -> list[tuple[str, float]]:
    pixels = list(image.convert("RGB").get_flattened_data())
    counts = dict.fromkeys(COLOURS, 0)
    for pixel in pixels:
        nearest = min(
            COLOURS, key=lambda n: sum((a - b) ** 2 for a, b in zip(pixel, COLOURS[n], strict=True))
        )
        counts[nearest] += 1
    return [(name, round(100 * n / len(pixels), 1)) for name, n in counts.items() if n]


def detect_labels(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    image = _image(stand_in, body)
    floor = _min_confidence(body, 55)
    most = int(body.get("MaxLabels", 1000))
    if most < 0:
        raise AwsError("InvalidParameterException", "MaxLabels must be at least 0")
    found = _chunk(image, "labels")
    labels = _colours(image) if found is None else found
    kept = sorted((pair for pair in labels if pair[1] >= floor), key=lambda p: (-p[1], p[0]))
    return {
        "Labels": [
            {"Name": name, "Confidence": confidence, "Instances": [], "Parents": []}
            for name, confidence in kept[:most]
        ],
        "LabelModelVersion": "3.0",
    }


def detect_moderation_labels(stand_in: StandIn, body: dict[str, Any]) -> dict[str, Any]:
    image = _image(stand_in, body)
    floor = _min_confidence(body, 50)
    labels = []
    for path, confidence in _chunk(image, "moderation") or []:
        parent, _, name = path.rpartition("/")
        if confidence >= floor:
            labels.append(
                {
                    "Name": name,
                    "ParentName": parent,
                    "Confidence": confidence,
                    "TaxonomyLevel": 2 if parent else 1,
                }
            )
    return {"ModerationLabels": labels, "ModerationModelVersion": "7.0"}


TARGETS = {
    "RekognitionService.DetectLabels": detect_labels,
    "RekognitionService.DetectModerationLabels": detect_moderation_labels,
}
