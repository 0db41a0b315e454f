"""The churn demo events: valid records with a real but imperfect signal, drifting over time."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import jsonschema
from sklearn.metrics import roc_auc_score

from airloom_cli.demo.churn import EVENT_SCHEMA, REDESIGN, customer_events

END = datetime(2026, 6, 1, tzinfo=UTC)
DAYS = 60


def well_formed(customers: int = 400, seed: int = 7) -> list[dict]:
    events = []
    for record in customer_events(customers=customers, seed=seed, end=END):
        if not record.malformed:
            events.append(json.loads(record.value))
    return events


def by_customer(events: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for event in events:
        grouped[event["customer_id"]].append(event)
    return grouped


def test_the_same_seed_gives_the_same_events_and_another_seed_others() -> None:
    first = [r.value for r in customer_events(customers=50, seed=3, end=END)]
    assert first == [r.value for r in customer_events(customers=50, seed=3, end=END)]
    assert first != [r.value for r in customer_events(customers=50, seed=4, end=END)]


def test_a_later_end_shifts_the_same_events_in_time() -> None:
    later = END + timedelta(days=3, hours=5)
    shifted = list(customer_events(customers=30, end=later))
    original = list(customer_events(customers=30, end=END))
    assert [r.malformed for r in shifted] == [r.malformed for r in original]
    for moved, record in zip(shifted, original, strict=True):
        if record.malformed:
            continue
        event, moved_event = json.loads(record.value), json.loads(moved.value)
        gap = datetime.fromisoformat(moved_event.pop("event_time")) - datetime.fromisoformat(
            event.pop("event_time")
        )
        assert abs(gap - (later - END)) <= timedelta(seconds=1)
        assert moved_event == event


def test_a_few_percent_are_malformed_and_the_rest_fit_the_schema() -> None:
    records = list(customer_events(customers=300, seed=11, end=END))
    malformed = [r for r in records if r.malformed]
    assert 0.02 < len(malformed) / len(records) < 0.04
    validator = jsonschema.Draft202012Validator(EVENT_SCHEMA)
    for record in records:
        if not record.malformed:
            validator.validate(json.loads(record.value))
    customers = by_customer(well_formed(300, seed=11))
    assert len(customers) == 300
    # Every customer keeps activity besides a cancellation, so n_events is never 0.
    assert all(any(e["event_type"] != "cancel_request" for e in c) for c in customers.values())


def test_going_quiet_hints_at_churn_but_does_not_decide_it() -> None:
    customers = by_customer(well_formed())
    latest = max(datetime.fromisoformat(e["event_time"]) for c in customers.values() for e in c)
    churned, silent_days = [], []
    for events in customers.values():
        activity = [e for e in events if e["event_type"] != "cancel_request"]
        last = max(datetime.fromisoformat(e["event_time"]) for e in activity)
        churned.append(any(e["event_type"] == "cancel_request" for e in events))
        silent_days.append((latest - last).days)
    assert 0.15 < sum(churned) / len(churned) < 0.4
    pairs = list(zip(churned, silent_days, strict=True))
    # Some churners stay active to the end, some loyal customers have gone quiet.
    assert sum(1 for left, days in pairs if left and days <= 1) >= 10
    assert sum(1 for left, days in pairs if not left and days >= 10) >= 5
    assert 0.65 < roc_auc_score(churned, silent_days) < 0.9


def test_behaviour_drifts_across_the_window() -> None:
    events = [e for e in well_formed() if e["event_type"] != "cancel_request"]
    start = END - timedelta(days=DAYS)

    def login_share(early: bool) -> float:
        half = [
            e
            for e in events
            if (datetime.fromisoformat(e["event_time"]) - start < timedelta(days=DAYS * REDESIGN))
            == early
        ]
        return sum(e["event_type"] == "login" for e in half) / len(half)

    # The app redesign moves activity from logins to page views.
    assert login_share(early=True) > login_share(early=False) + 0.05


def test_a_second_batch_brings_new_customers() -> None:
    first = {e["customer_id"] for e in well_formed(customers=20)}
    second = customer_events(customers=20, seed=8, end=END, first_id=20)
    later = {json.loads(r.value)["customer_id"] for r in second if not r.malformed}
    assert later == {f"C{index:05d}" for index in range(20, 40)} and not first & later
