"""Schedules a workflow may have: Airflow's presets or five-field cron, within its quota."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

# Each preset as cron, so one rule measures how often any schedule runs.
PRESETS = {
    "@once": None,
    "@continuous": None,
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@quarterly": "0 0 1 */3 *",
    "@yearly": "0 0 1 1 *",
}
_SAMPLE_RUNS = 400  # enough to see the shortest gap of any five-field expression


def shortest_interval_minutes(schedule: str) -> float | None:
    """The shortest time between two runs of ``schedule``; None when it never repeats on a
    clock (``@once``), 0 for ``@continuous``."""
    if schedule == "@continuous":
        return 0.0
    cron = PRESETS.get(schedule, schedule)
    if cron is None:
        return None
    from croniter import croniter

    runs = croniter(cron, datetime(2026, 1, 1, tzinfo=UTC))
    times = [runs.get_next(datetime) for _ in range(_SAMPLE_RUNS)]
    return min((b - a).total_seconds() / 60 for a, b in pairwise(times))


def schedule_problems(schedule: str | None, min_minutes: int | None) -> list[tuple[str, str]]:
    """(code, message) for a schedule Airflow would not take, or one the quota does not allow."""
    if schedule is None:
        return []
    if schedule not in PRESETS:
        from croniter import croniter

        if not (croniter.is_valid(schedule) and len(schedule.split()) == 5):
            return [
                (
                    "INVALID_SCHEDULE",
                    f"schedule {schedule!r} is neither a preset ({', '.join(sorted(PRESETS))}) "
                    "nor a five-field cron expression",
                )
            ]
    if min_minutes is None:
        return []
    interval = shortest_interval_minutes(schedule)
    if interval is not None and interval < min_minutes:
        return [
            (
                "QUOTA_EXCEEDED",
                f"schedule {schedule!r} runs every {interval:g} minutes at its most frequent; "
                f"this tenant's workflows run at most every {min_minutes} minutes",
            )
        ]
    return []
