"""Dead letters sent once each, even when a run dies while sending them.

A batch's malformed records are written to the quarantine dataset first, and their dead
letters are made from those quarantine rows. Before the quarantine write, a note in
``<dataset>/_airloom_kafka/<topic>/dead_letters/<batch>.json`` records the batch's file name
and where the dead-letter topic ended (each partition's high watermark); the note goes once
the broker has acknowledged every letter. A note still there when the next run starts means
its run died in between: the quarantine rows of that batch are read back, the dead-letter
topic is read from the recorded ends (each letter carries its batch in ``airloom.batch`` and
its source offset), and only the letters missing there are sent. The broker's idempotent
producer keeps the client's own retries from adding copies.

Every letter keeps the malformed record's key and value, with headers saying why
(``airloom.reason``) and where it came from (``airloom.source.topic``, ``…topic_id``,
``…partition``, ``…offset``, ``…timestamp``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from airloom.ingest.bookkeeping import Bookkeeping, filesystem_of
from airloom.ingest.kafka_rows import REASON, TOPIC_ID
from airloom.ingest.producing import OutgoingMessage, deliver_all

if TYPE_CHECKING:
    import pyarrow as pa

    from airloom.hooks.kafka import KafkaHook

BATCH_HEADER = "airloom.batch"
READ_BACK_TIMEOUT_SECONDS = 60.0
METADATA_TIMEOUT_SECONDS = 30.0


class DeadLetterError(RuntimeError):
    """Dead letters of an earlier batch could not be checked or sent."""


def dead_letters(quarantined: pa.Table, batch: str) -> list[OutgoingMessage]:
    """The dead letter of each quarantine row."""
    import pyarrow as pa

    millis = quarantined["_kafka_timestamp"].cast(pa.int64()).to_pylist()
    topic_ids = (
        quarantined[TOPIC_ID].to_pylist()
        if TOPIC_ID in quarantined.column_names
        else [None] * quarantined.num_rows
    )
    letters = []
    for row, topic_id, stamp in zip(quarantined.to_pylist(), topic_ids, millis, strict=True):
        headers = [
            ("airloom.reason", row[REASON].encode()),
            ("airloom.source.topic", row["_kafka_topic"].encode()),
            ("airloom.source.topic_id", (topic_id or "").encode()),
            ("airloom.source.partition", str(row["_kafka_partition"]).encode()),
            ("airloom.source.offset", str(row["_kafka_offset"]).encode()),
            ("airloom.source.timestamp", ("" if stamp is None else str(stamp)).encode()),
            (BATCH_HEADER, batch.encode()),
        ]
        letters.append(OutgoingMessage(value=row["_value"], key=row["_key"], headers=headers))
    return letters


class DeadLetterOutbox:
    """The dead letters of one ingestion; see the module docstring.

    :param notes: the folder holding the notes of batches whose letters are being sent.
    :param producer: an idempotent producer (``KafkaHook.producer``).
    :param admin: an admin client of the same cluster, for the topic's ends.
    :param group_id: the ingestion's consumer group, named by the letters' reader (which
        assigns partitions itself and never commits): where groups are access-controlled
        (MSK IAM), it is one the ingestion may use.
    """

    def __init__(
        self,
        hook: KafkaHook,
        topic: str,
        quarantine_uri: str,
        notes: Bookkeeping,
        producer: Any,
        admin: Any,
        group_id: str,
    ) -> None:
        self.hook = hook
        self.topic = topic
        self.quarantine_uri = quarantine_uri
        self.notes = notes
        self.producer = producer
        self.admin = admin
        self.group_id = group_id

    def note(self, batch: str, file_name: str) -> None:
        """Record, before the batch's quarantine write, where the dead-letter topic ends now."""
        self.notes.write(f"{batch}.json", {"batch": batch, "file": file_name, "ends": self._ends()})

    def send(self, batch: str, quarantined: pa.Table) -> int:
        """Send the batch's letters, then drop its note; return how many were sent."""
        sent = self.deliver(batch, quarantined)
        self.settle(batch)
        return sent

    def deliver(self, batch: str, quarantined: pa.Table) -> int:
        """Send the letters of these quarantine rows and wait until each is acknowledged."""
        return deliver_all(self.producer, self.topic, dead_letters(quarantined, batch))

    def settle(self, batch: str) -> None:
        """Drop the batch's note: every one of its letters has been acknowledged."""
        self.notes.remove(f"{batch}.json")

    def recover(self) -> int:
        """Send what earlier runs died before sending; return how many letters that was."""
        sent = 0
        for name in self.notes.names():
            note = self.notes.read(name)
            if note is None:
                continue
            quarantined = self._quarantined(note["file"])
            if quarantined is not None and quarantined.num_rows:
                delivered = self._delivered_since(note["ends"], note["batch"])
                missing = [
                    letter
                    for letter in dead_letters(quarantined, note["batch"])
                    if _source(letter) not in delivered
                ]
                sent += deliver_all(self.producer, self.topic, missing)
            self.notes.remove(name)
        return sent

    def _partitions(self) -> list[int]:
        # A topic created a moment ago can take a moment to show in every broker's metadata.
        deadline = time.monotonic() + METADATA_TIMEOUT_SECONDS
        while True:
            described = self.producer.list_topics(self.topic, timeout=METADATA_TIMEOUT_SECONDS)
            topic = described.topics.get(self.topic)
            if topic is not None and topic.error is None and topic.partitions:
                return sorted(topic.partitions)
            if time.monotonic() > deadline:
                reason = topic.error if topic is not None else "not in the metadata"
                raise DeadLetterError(f"dead-letter topic {self.topic!r} cannot be used: {reason}")
            time.sleep(0.2)

    def _ends(self) -> dict[str, int]:
        """Each partition's end offset (one request for all of them).

        Reading back from an end too low only reads more; too high it could miss letters,
        which an end taken before sending never is.
        """
        from confluent_kafka import KafkaException, TopicPartition
        from confluent_kafka.admin import OffsetSpec

        wanted = {TopicPartition(self.topic, p): OffsetSpec.latest() for p in self._partitions()}
        futures = self.admin.list_offsets(wanted, request_timeout=METADATA_TIMEOUT_SECONDS)
        try:
            return {
                str(place.partition): future.result(METADATA_TIMEOUT_SECONDS).offset
                for place, future in futures.items()
            }
        except KafkaException as error:
            raise DeadLetterError(f"cannot read where {self.topic!r} ends: {error}") from error

    def _quarantined(self, file_name: str) -> pa.Table | None:
        """The rows of the batch's quarantine file(s), or None if it was never written."""
        import pyarrow.dataset as ds
        from pyarrow import fs

        filesystem, root = filesystem_of(self.quarantine_uri)
        selector = fs.FileSelector(root, recursive=True, allow_not_found=True)
        paths = [
            info.path
            for info in filesystem.get_file_info(selector)
            if info.base_name == f"{file_name}.parquet"
        ]
        if not paths:
            return None
        return ds.dataset(paths, filesystem=filesystem, format="parquet").to_table()

    def _delivered_since(self, ends: dict[str, int], batch: str) -> set[tuple[int, int]]:
        """The source (partition, offset) of each letter of ``batch`` after ``ends``."""
        from confluent_kafka import OFFSET_BEGINNING, KafkaError, TopicPartition

        reader = self.hook.consumer(self.group_id, **{"enable.partition.eof": True})
        try:
            # A partition added since the note was written is read from its beginning.
            partitions = self._partitions()
            reader.assign(
                [
                    TopicPartition(self.topic, p, ends.get(str(p), OFFSET_BEGINNING))
                    for p in partitions
                ]
            )
            delivered: set[tuple[int, int]] = set()
            at_end: set[int] = set()
            deadline = time.monotonic() + READ_BACK_TIMEOUT_SECONDS
            while len(at_end) < len(partitions):
                if time.monotonic() > deadline:
                    raise DeadLetterError(
                        f"could not read dead-letter topic {self.topic!r} to its end in "
                        f"{READ_BACK_TIMEOUT_SECONDS:g} s to check batch {batch}'s letters"
                    )
                for message in reader.consume(1000, timeout=0.5):
                    error = message.error()
                    if error is None:
                        at_end.discard(message.partition())
                        headers = dict(message.headers() or ())
                        if headers.get(BATCH_HEADER, b"").decode() == batch:
                            delivered.add(_source_of(headers))
                    elif error.code() == KafkaError._PARTITION_EOF:
                        at_end.add(message.partition())
                    else:
                        raise DeadLetterError(f"reading {self.topic!r} failed: {error}")
            return delivered
        finally:
            reader.close()


def _source_of(headers: dict[str, bytes]) -> tuple[int, int]:
    return int(headers["airloom.source.partition"]), int(headers["airloom.source.offset"])


def _source(letter: OutgoingMessage) -> tuple[int, int]:
    return _source_of(dict(letter.headers))
