import pytest

from airloom.retrieval.chunking import chunk_text


def test_windows_overlap_and_cover_every_word() -> None:
    words = [f"w{i}" for i in range(10)]
    chunks = chunk_text(" ".join(words), size=4, overlap=1)
    assert chunks == ["w0 w1 w2 w3", "w3 w4 w5 w6", "w6 w7 w8 w9"]


def test_short_and_empty_texts() -> None:
    assert chunk_text("just three words", size=10, overlap=2) == ["just three words"]
    assert chunk_text("   ", size=10, overlap=2) == []


def test_overlap_must_leave_room_to_advance() -> None:
    with pytest.raises(ValueError, match="overlap < size"):
        chunk_text("a b c", size=3, overlap=3)
