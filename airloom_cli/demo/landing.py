"""Demo files in the lake's landing area, written so that loading the demo again changes nothing.

File ingestion reads only new files by default, judging a file by its path, size and
modification time: rewriting a file with the same rows would make it new again, and a second
`airloom demo-data` would double what the DAGs ingest. A file that already holds the text is
left alone.
"""

from __future__ import annotations

from pathlib import Path


def land_file(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` unless the file already holds it; True if written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    encoded = text.encode()
    if path.is_file() and path.stat().st_size == len(encoded) and path.read_bytes() == encoded:
        return False
    path.write_bytes(encoded)
    return True
