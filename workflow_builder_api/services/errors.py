"""Errors a user causes and can fix. Only these reach the client; anything else is masked."""

from __future__ import annotations


class UserError(Exception):
    """Shown to the client as is; ``code`` lets a client react without parsing the text."""

    code = "BAD_REQUEST"


class Unauthenticated(UserError):
    code = "UNAUTHENTICATED"


class PermissionDenied(UserError):
    code = "FORBIDDEN"


class NotFound(UserError):
    """Also what another tenant's object looks like: its existence is not revealed."""

    code = "NOT_FOUND"


class Conflict(UserError):
    code = "CONFLICT"


class StaleVersion(Conflict):
    def __init__(self, expected: int, current: int) -> None:
        self.expected = expected
        self.current = current
        super().__init__(
            f"the workflow is at version {current}, not {expected}: "
            f"load version {current}, reapply your change and save again"
        )


class InvalidInput(UserError):
    code = "INVALID_INPUT"


class AirflowUnavailable(UserError):
    """Airflow did not do what was asked in time (e.g. the DAG was never parsed)."""

    code = "AIRFLOW_UNAVAILABLE"


class NotAvailable(UserError):
    """What the publish target cannot do (e.g. task logs on MWAA Serverless)."""

    code = "NOT_AVAILABLE"


class ServiceCallFailed(UserError):
    """An AWS service refused a call the builder made for the user; the message names it."""

    code = "SERVICE_CALL_FAILED"
