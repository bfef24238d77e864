"""The sweep queue (SQS): how the nightly check hands the rest of the roster to its next run."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from worklog import aws
from worklog.settings import get_settings


class SweepQueue:
    def __init__(self, url: str | None = None, client: Any = None) -> None:
        self.url = url if url is not None else get_settings().sweep_queue_url
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or aws.client("sqs")

    def send(self, message: Mapping[str, Any]) -> None:
        if not self.url:
            raise RuntimeError("SWEEP_QUEUE_URL is not set: the check cannot hand on the rest of the roster")
        self.client.send_message(QueueUrl=self.url, MessageBody=json.dumps(message, ensure_ascii=False))


class BatchFailed(Exception):
    """Every message of an SQS batch failed: the invocation fails, so Lambda's Errors metric counts it
    and SQS delivers the messages again (as with one message that failed)."""


def each_message(
    event: Mapping[str, Any], handle: Callable[[Any], object], *, failed: Callable[[str], None]
) -> dict[str, list[dict[str, str]]]:
    """An SQS event's messages, each handled alone, answered as a partial batch response: only the
    ones that raised are delivered again. ``failed(message_id)`` is called inside the handler's
    ``except``, so it may log the exception. Written here rather than with Powertools' batch
    utility, which loads every event source's data classes into the function's cold start."""
    records = event["Records"]
    failures = []
    for record in records:
        try:
            handle(json.loads(record["body"]))
        except Exception:
            failed(record["messageId"])
            failures.append({"itemIdentifier": record["messageId"]})
    if records and len(failures) == len(records):
        raise BatchFailed(f"all {len(records)} messages of the batch failed")
    return {"batchItemFailures": failures}
