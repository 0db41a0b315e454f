"""Prompts grounded in retrieved chunks, and the citations an answer makes of them.

The prompt template is a tenant's data, and so are the questions and the chunks: the two
slots ``{question}`` and ``{context}`` are filled in one pass over the template, by plain
substitution of those two names only. Nothing is evaluated (no ``str.format``, no Jinja), and
text filled into a slot is never scanned again, so braces, ``{context}`` or ``{{`` in a
question or a chunk come through exactly as written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

SLOTS = ("question", "context")
_SLOT = re.compile(r"\{(question|context)\}")
# "[2]" or "[1, 3]": the passage numbers an answer cites.
_CITATION = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")

DEFAULT_TEMPLATE = (
    "Answer the question using only the numbered passages below.\n\n"
    "Passages:\n{context}\n\n"
    "Question: {question}"
)
DEFAULT_SYSTEM_PROMPT = (
    "You answer questions from the passages you are given, and from nothing else. After each "
    "statement, cite the passages it comes from by their numbers in square brackets, like [2]. "
    "If the passages do not answer the question, say so."
)


@dataclass(frozen=True)
class Chunk:
    """One retrieved chunk: its id, its document's id and its text."""

    chunk_id: str
    doc_id: str
    text: str


def template_problem(template: str) -> str | None:
    """Why ``template`` cannot ground a prompt (None: it can)."""
    missing = [slot for slot in SLOTS if "{" + slot + "}" not in template]
    if missing:
        return f"the template must hold the slot(s) {', '.join('{' + m + '}' for m in missing)}"
    return None


def context_block(chunks: Sequence[Chunk]) -> str:
    """The chunks numbered [1]..[k], one per line, each with its document id."""
    lines = []
    for number, chunk in enumerate(chunks, start=1):
        text = " ".join(chunk.text.split())  # one line per passage, whatever its newlines
        lines.append(f"[{number}] ({chunk.doc_id}) {text}")
    return "\n".join(lines)


def fill(template: str, question: str, chunks: Sequence[Chunk]) -> str:
    """The user message: ``template`` with its two slots filled, in one pass."""
    values = {"question": question, "context": context_block(chunks)}
    return _SLOT.sub(lambda found: values[found.group(1)], template)


def cited(answer: str, chunks: Sequence[Chunk]) -> list[dict[str, str]]:
    """The chunks ``answer`` cites by number, each once, in the order first cited; numbers
    naming no chunk are ignored."""
    seen: list[int] = []
    for found in _CITATION.finditer(answer):
        for number in (int(part) for part in found.group(1).split(",")):
            if 1 <= number <= len(chunks) and number not in seen:
                seen.append(number)
    return [
        {"chunk_id": chunks[number - 1].chunk_id, "doc_id": chunks[number - 1].doc_id}
        for number in seen
    ]
