"""Amazon Textract for Airloom: a hook with Airloom's own waiters, and the trigger a node
defers to while its asynchronous jobs run.

The Amazon provider has no Textract hook, so :class:`TextractHook` is the provider's
:class:`AwsBaseHook` for the ``textract`` client, pointed at Airloom's custom waiters
(``waiters/textract.json``): a job has *ended* when its ``JobStatus`` is ``SUCCEEDED``,
``PARTIAL_SUCCESS`` or ``FAILED``; a failed job is its document's row error, not the node's
failure, so the waiter accepts it too. :class:`TextractJobsEndedTrigger` waits, in the
triggerer, until every job of a node has ended, with the provider's :func:`async_wait`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from airflow.providers.amazon.aws.triggers.base import AwsBaseWaiterTrigger
from airflow.triggers.base import TriggerEvent

from airloom.aws_ai.waiting import ServiceHook

ANALYSIS_ENDED = "document_analysis_ended"
TEXT_DETECTION_ENDED = "document_text_detection_ended"
# The triggerer's client backs off on throttling as the worker's does (clients.retry_config).
TRIGGER_RETRIES = {"retries": {"mode": "standard", "max_attempts": 8}}


class TextractHook(ServiceHook):
    """The ``textract`` client of an AWS connection, with Airloom's Textract waiters."""

    client_type_name = "textract"
    waiters_file = "textract.json"


class TextractJobsEndedTrigger(AwsBaseWaiterTrigger):
    """Fires once every job in ``job_ids`` has ended (succeeded or failed).

    :param job_ids: the Textract jobs of one node, all of one kind.
    :param analysis: whether they are ``StartDocumentAnalysis`` jobs (else text detection).
    :param waiter_delay: seconds between two polls of one job.
    :param waiter_max_attempts: polls of one job before the wait fails.
    """

    aws_hook_class = TextractHook

    def __init__(
        self,
        *,
        job_ids: list[str],
        analysis: bool,
        waiter_delay: int,
        waiter_max_attempts: int,
        aws_conn_id: str | None,
        region_name: str | None = None,
        verify: bool | str | None = None,
        botocore_config: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            serialized_fields={"job_ids": list(job_ids), "analysis": analysis},
            waiter_name=ANALYSIS_ENDED if analysis else TEXT_DETECTION_ENDED,
            waiter_args={},
            failure_message="Textract job did not end",
            status_message="Textract job status",
            status_queries=["JobStatus", "StatusMessage"],
            return_key="job_ids",
            return_value=list(job_ids),
            waiter_delay=waiter_delay,
            waiter_max_attempts=waiter_max_attempts,
            aws_conn_id=aws_conn_id,
            region_name=region_name,
            verify=verify,
            botocore_config=botocore_config or TRIGGER_RETRIES,
        )
        self.job_ids = list(job_ids)

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """One waiter, each job in turn: they run side by side on AWS, so the whole wait lasts
        about as long as the slowest job."""
        from airflow.exceptions import AirflowException
        from airflow.providers.amazon.aws.utils.waiter_with_logging import async_wait

        hook = self.hook()
        async with await hook.get_async_conn() as client:
            waiter = hook.get_waiter(self.waiter_name, deferrable=True, client=client)
            for job_id in self.job_ids:
                try:
                    await async_wait(
                        waiter,
                        self.waiter_delay,
                        self.attempts,
                        # One block is enough to read the status; results are fetched later.
                        {"JobId": job_id, "MaxResults": 1},
                        self.failure_message,
                        self.status_message,
                        self.status_queries,
                    )
                except AirflowException as error:
                    # Named, so the failed node says which job it stopped waiting for.
                    yield self._event_from_exception(AirflowException(f"job {job_id}: {error}"))
                    return
        yield TriggerEvent({"status": "success", self.return_key: self.return_value})
