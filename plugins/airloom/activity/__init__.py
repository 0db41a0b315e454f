"""Platform activity as it happens: events in the contract's shape (:mod:`.events`) sent to
the ``airloom.activity`` topic by a producer that never holds up the work (:mod:`.producer`).

Keep imports here cheap: the Airflow listener imports this package in every Airflow process.
"""

from airloom.activity.events import TOPIC, ActivityEvent, parse_event
from airloom.activity.producer import emit, emit_new, flush

__all__ = ["TOPIC", "ActivityEvent", "emit", "emit_new", "flush", "parse_event"]
