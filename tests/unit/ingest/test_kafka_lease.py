"""The lease on a dataset's Kafka ingestion: the newest run holds it, an older one changes
nothing more and says who took over, and a run waits (boundedly) for another's change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from airloom.ingest.kafka_ingestion import IngestionError, IngestionSuperseded
from airloom.ingest.kafka_lease import IngestionLease


def test_the_newest_run_holds_the_lease_and_an_older_one_stops(tmp_path: Path) -> None:
    uri = (tmp_path / "orders").as_uri()
    older, newer = IngestionLease(uri, "orders", "run A"), IngestionLease(uri, "orders", "run B")
    older.take()
    with older.held("write the dataset"):
        pass
    newer.take()

    with pytest.raises(IngestionSuperseded) as stopped, older.held("commit offsets"):
        pytest.fail("a superseded run must not get to change anything")
    assert "could commit offsets: run B (at " in str(stopped.value)
    assert "committed nothing more" in str(stopped.value)
    with newer.held("commit offsets"):
        pass
    leases = tmp_path / "orders" / "_airloom_kafka" / "orders" / "leases"
    assert [p.name for p in leases.iterdir()] == [newer.name]  # older records go


def test_leases_of_other_topics_in_the_same_dataset_do_not_interfere(tmp_path: Path) -> None:
    uri = (tmp_path / "orders").as_uri()
    europe, america = IngestionLease(uri, "orders.eu"), IngestionLease(uri, "orders.us")
    europe.take()
    america.take()  # newer, but for another topic: the runs never read the same records
    with europe.held("write the dataset"):
        pass
    with america.held("write the dataset"):
        pass


def test_a_change_waits_for_another_runs_and_says_who_holds_the_lock(tmp_path: Path) -> None:
    uri = (tmp_path / "orders").as_uri()
    holder = IngestionLease(uri, "orders")
    holder.take()
    waiting = IngestionLease(uri, "orders", lock_timeout=0.3)
    with holder.held("write the dataset"), pytest.raises(IngestionError) as timed_out:
        waiting.take()
    assert f"stayed locked for 0.3 s (by pid {os.getpid()} on " in str(timed_out.value)
    waiting.take()  # once released, it goes through
    assert waiting.name is not None


def test_nothing_changes_before_the_lease_is_taken(tmp_path: Path) -> None:
    lease = IngestionLease((tmp_path / "orders").as_uri(), "orders")
    with pytest.raises(IngestionError, match="before taking the lease"), lease.held("commit"):
        pass
