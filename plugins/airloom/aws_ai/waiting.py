"""Hooks that carry Airloom's own waiters for AWS jobs the provider has none for.

The Amazon provider's hooks load custom waiters from a JSON file named by ``waiter_path``; a
trigger built on :class:`~airflow.providers.amazon.aws.triggers.base.AwsBaseWaiterTrigger`
then waits with them in the triggerer. Airloom keeps one such file per service under
``waiters/`` and one hook class that points at it, so each service's hook is two lines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

WAITERS_FOLDER = Path(__file__).parent / "waiters"


class AirloomWaiters:
    """Mixin for an Amazon provider hook: its custom waiters are Airloom's ``waiters/<name>``
    file (``waiters_file``), not the provider's."""

    waiters_file: ClassVar[str] = ""

    @property
    def waiter_path(self) -> Path:
        return WAITERS_FOLDER / self.waiters_file


class ServiceHook(AirloomWaiters, AwsBaseHook):
    """The provider's generic hook for ``client_type``, with Airloom's waiters for it: for the
    services the provider has no hook of its own for (Textract, Transcribe, Translate)."""

    client_type_name: ClassVar[str] = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["client_type"] = self.client_type_name
        super().__init__(*args, **kwargs)
