"""Send activity events to ``airloom.activity`` without ever holding up the work they describe.

One idempotent producer per process (``enable.idempotence``, ``acks=all``), keyed by tenant so
a tenant's events stay in order. :func:`emit` only queues the event (librdkafka sends it from
its own thread): a send that fails, now or later, is logged and counted in
``airloom_activity_send_failures_total``, never raised into a task or a request.

Where the broker is: ``AIRLOOM_KAFKA_BOOTSTRAP_SERVERS`` (the services, and Airflow on the
local stack; an Amazon MSK IAM address gets IAM auth), else, inside Airflow, Airloom's Kafka
connection ``airloom_kafka`` (MWAA: from Secrets Manager, with MSK's IAM auth in its extra).
Without either, emitting does nothing (said once in the log), so tools and tests without
Kafka keep working.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import sys
import threading
from functools import partial
from typing import Any, TypeVar

from prometheus_client import Counter

from airloom.activity.events import TOPIC, ActivityEvent

log = logging.getLogger(__name__)
E = TypeVar("E", bound=ActivityEvent)

BOOTSTRAP_ENV = "AIRLOOM_KAFKA_BOOTSTRAP_SERVERS"
PARTITIONS = 3
# How long a queued event may wait for the broker before it counts as failed.
DELIVERY_TIMEOUT_MS = 30_000
FLUSH_SECONDS = 5.0
TOPIC_SECONDS = 15.0
# Amazon MSK brokers' IAM listener: b-1.x.y.c2.kafka.<region>.amazonaws.com:9098 (provisioned),
# boot-x.c2.kafka-serverless.<region>.amazonaws.com:9098 (serverless).
MSK_IAM = re.compile(
    r"\.kafka(?:-serverless)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?:9098(?=$|,)",
    re.IGNORECASE,
)

SEND_FAILURES = Counter(
    "airloom_activity_send_failures",
    "Activity events that could not be sent to the airloom.activity topic",
    ["kind"],
)


class ActivityProducer:
    """An idempotent producer for the activity topic; :meth:`emit` never raises.

    :param config: librdkafka settings (``bootstrap.servers`` and any security settings).
    :param topic: the topic, created (if missing) in the background on first use.
    """

    def __init__(self, config: dict[str, Any], topic: str = TOPIC) -> None:
        from confluent_kafka import Producer

        self.topic = topic
        self.config = {
            "message.timeout.ms": DELIVERY_TIMEOUT_MS,
            # A broker closing idle connections is routine, not worth a line on stderr.
            "log.connection.close": False,
            **config,
            "enable.idempotence": True,
            "acks": "all",
        }
        self._producer = Producer(self.config)
        admin_config = {k: v for k, v in self.config.items() if not _producer_only(k)}
        threading.Thread(
            target=_ensure_topic,
            args=(admin_config, topic),
            name="airloom-activity-topic",
            daemon=True,
        ).start()

    def emit(self, event: ActivityEvent) -> None:
        """Queue ``event``; a failure is logged and counted, never raised."""
        kind = getattr(event, "kind", "unknown")
        try:
            self._producer.produce(
                self.topic,
                key=event.tenant.encode(),
                value=event.to_json(),
                on_delivery=lambda err, _msg: _delivered(err, kind),
            )
            self._producer.poll(0)  # serve earlier deliveries' callbacks; does not wait
        except Exception as exc:  # noqa: BLE001 - BufferError, KafkaException, bad event
            _failed(kind, exc)

    def flush(self, timeout: float = FLUSH_SECONDS) -> int:
        """Wait up to ``timeout`` s for queued events; how many are still unsent."""
        try:
            if len(self._producer) == 0:
                return 0  # nothing waiting: do not wait on (or log about) a broker gone away
            return self._producer.flush(timeout)
        except Exception as exc:  # noqa: BLE001 - flushing at exit must not fail the exit
            log.warning("flushing activity events failed: %s", exc)
            return -1


def _ensure_topic(admin_config: dict[str, Any], topic: str) -> None:
    # Events queued meanwhile wait in librdkafka until the topic appears (or time out).
    from confluent_kafka import KafkaError, KafkaException
    from confluent_kafka.admin import AdminClient, NewTopic

    try:
        admin = AdminClient(admin_config)
        future = admin.create_topics(
            # -1: the broker's default replication (1 on the local broker, MSK's on AWS).
            [NewTopic(topic, num_partitions=PARTITIONS, replication_factor=-1)]
        )[topic]
        future.result(timeout=TOPIC_SECONDS)
    except KafkaException as exc:
        if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
            log.warning("could not create the activity topic %s: %s", topic, exc)
    except Exception as exc:  # noqa: BLE001 - a missing topic shows as failed sends
        log.warning("could not create the activity topic %s: %s", topic, exc)


def _producer_only(key: str) -> bool:
    return key in ("enable.idempotence", "acks", "message.timeout.ms")


def _delivered(err: Any, kind: str) -> None:
    if err is not None:
        _failed(kind, err)


def _failed(kind: str, error: object) -> None:
    SEND_FAILURES.labels(kind=kind).inc()
    log.warning("activity event (%s) not sent to %s: %s", kind, TOPIC, error)


# -- the process's producer --------------------------------------------------------------------

_lock = threading.Lock()
_producer: ActivityProducer | None = None
_bootstrap: str | None = None
_connection_config: dict[str, Any] | None = None
_connection_checked = False
_said_disabled = False
_flush_at_exit_pid: int | None = None


def _from_airflow_connection() -> dict[str, Any] | None:
    """Airloom's Kafka connection, looked up once, and only inside an Airflow process."""
    global _connection_config, _connection_checked
    if not _connection_checked:
        _connection_checked = True
        if "airflow" in sys.modules:
            try:
                from airloom.hooks.kafka import KafkaHook

                _connection_config = KafkaHook().client_config()
            except Exception as exc:  # noqa: BLE001 - no connection: activity is off
                log.info("no Kafka connection for activity events: %s", exc)
    return _connection_config


def producer_config() -> dict[str, Any] | None:
    """Where this process sends activity: the environment first, then Airflow's connection."""
    bootstrap = os.environ.get(BOOTSTRAP_ENV, "").strip()
    if bootstrap:
        return environment_config(bootstrap)
    return _from_airflow_connection()


def environment_config(bootstrap: str) -> dict[str, Any]:
    """Client settings for ``bootstrap``; Amazon MSK's IAM listener (port 9098) gets SASL
    OAUTHBEARER with tokens signed by the process's AWS credentials (the services' task role)."""
    config: dict[str, Any] = {"bootstrap.servers": bootstrap}
    match = MSK_IAM.search(bootstrap)
    if match:
        config |= {
            "security.protocol": "SASL_SSL",
            "sasl.mechanism": "OAUTHBEARER",
            "oauth_cb": partial(_msk_iam_token, match["region"].lower()),
        }
    return config


def _msk_iam_token(region: str, _oauthbearer_config: str) -> tuple[str, float]:
    from aws_msk_iam_sasl_signer import MSKAuthTokenProvider

    token, expiry_ms = MSKAuthTokenProvider.generate_auth_token(region)
    return token, expiry_ms / 1000  # librdkafka wants seconds since the epoch


def activity_producer() -> ActivityProducer | None:
    """The process's producer, made on first use (None: no broker configured)."""
    global _producer, _bootstrap, _said_disabled
    config = producer_config()
    if config is None:
        if not _said_disabled:
            _said_disabled = True
            log.info("activity events are off: no %s, no airloom_kafka connection", BOOTSTRAP_ENV)
        return None
    bootstrap = str(config.get("bootstrap.servers"))
    if _producer is not None and bootstrap == _bootstrap:
        return _producer
    with _lock:
        if _producer is None or bootstrap != _bootstrap:
            previous = _producer
            try:
                _producer = ActivityProducer(config)
            except Exception as exc:  # noqa: BLE001 - a bad setting must not fail the caller
                _failed("setup", exc)
                return None
            _bootstrap = bootstrap
            _flush_at_exit()
            if previous is not None:
                previous.flush()
    return _producer


def _flush_at_exit() -> None:
    # Registered in the process that made the producer: a forked task process runs only the
    # exit handlers registered after the fork.
    global _flush_at_exit_pid
    if _flush_at_exit_pid != os.getpid():
        _flush_at_exit_pid = os.getpid()
        atexit.register(flush)


def emit(event: ActivityEvent) -> None:
    """Send ``event`` to the activity topic if a broker is configured; never raises."""
    try:
        producer = activity_producer()
    except Exception as exc:  # noqa: BLE001 - activity never fails the work it describes
        _failed(getattr(event, "kind", "unknown"), exc)
        return
    if producer is not None:
        producer.emit(event)


def emit_new(event_type: type[E], **fields: Any) -> None:
    """Build an event of ``event_type`` from ``fields`` and :func:`emit` it; an event that does
    not fit the contract is logged and counted like a failed send, never raised."""
    try:
        event = event_type(**fields)
    except Exception as exc:  # noqa: BLE001 - a producer's bug must not fail its caller's work
        _failed(str(event_type.model_fields["kind"].default), exc)
        return
    emit(event)


def flush(timeout: float = FLUSH_SECONDS) -> int:
    """Wait for this process's queued events (at exit, at a task's end)."""
    producer = _producer
    return producer.flush(timeout) if producer is not None else 0


def _forget_after_fork() -> None:
    # librdkafka's threads and sockets do not survive fork(): a child makes its own producer.
    global _producer, _bootstrap, _lock
    _producer, _bootstrap, _lock = None, None, threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)
