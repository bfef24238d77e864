"""A publish run's lock and batch counter, and the queue its batches go through.

The run is one item (``publish-run``) in the short-lived records' table: whoever puts it holds the
lock (runs never overlap, even without reserved concurrency); it counts the batches done as a set
of their numbers, so a batch delivered twice is counted once; the step that finds every batch done
writes the shared pages and the checkpoint and deletes the item. A run asked for while another
holds the lock is remembered (``pending``) and started when that one ends. A lock left by a run
that died expires after ``LOCK_SECONDS``. A run started by the nightly schedule is marked
``nightly`` (so is a pending run a nightly start asked for): the step that finishes it puts the
publisher's heartbeat, whichever invocation that is.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from worklog import aws
from worklog.records import datarecord
from worklog.settings import get_settings

RUN_ID = "publish-run"
LOCK_SECONDS = 3 * 3600


@datarecord(frozen=True)
class RunState:
    run_id: str
    batches: int
    done: frozenset[int]
    pending: str | None  # "full" or "incremental": a run asked for while this one runs
    nightly: bool = False  # started by the nightly schedule

    @property
    def complete(self) -> bool:
        return len(self.done) >= self.batches


@datarecord(frozen=True)
class Pending:
    """A run asked for while another held the lock: to start when that one ends."""

    full: bool
    nightly: bool


def _state(item: Mapping[str, Any]) -> RunState:
    return RunState(
        run_id=item["run_id"]["S"],
        batches=int(item["batches"]["N"]),
        done=frozenset(int(n) for n in item.get("done", {}).get("NS", [])),
        pending=item.get("pending", {}).get("S"),
        nightly=item.get("nightly", {}).get("BOOL", False),
    )


class PublishRuns:
    def __init__(self, table: str | None = None, client: Any = None) -> None:
        self.table = table or get_settings().idempotency_table
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or aws.client("dynamodb")

    def acquire(self, run_id: str, batches: int, *, full: bool = False, nightly: bool = False) -> bool:
        """Take the lock for a run of ``batches`` batches; False (and the run noted as pending: a
        full one wins over an incremental one, and a nightly one stays nightly) when another run
        holds it."""
        now = int(time.time())
        item: dict[str, Any] = {
            "id": {"S": RUN_ID},
            "run_id": {"S": run_id},
            "batches": {"N": str(batches)},
            "expiration": {"N": str(now + LOCK_SECONDS)},
        }
        if nightly:
            item["nightly"] = {"BOOL": True}
        try:
            self.client.put_item(
                TableName=self.table,
                Item=item,
                ConditionExpression="attribute_not_exists(id) OR expiration < :now",
                ExpressionAttributeValues={":now": {"N": str(now)}},
            )
            return True
        except self.client.exceptions.ConditionalCheckFailedException:
            self._note_pending(full=full, nightly=nightly)
            return False

    def _note_pending(self, *, full: bool, nightly: bool) -> None:
        updates = ["pending = :p" if full else "pending = if_not_exists(pending, :p)"]
        values: dict[str, Any] = {":p": {"S": "full" if full else "incremental"}}
        if nightly:
            updates.append("pending_nightly = :n")
            values[":n"] = {"BOOL": True}
        self.client.update_item(
            TableName=self.table,
            Key={"id": {"S": RUN_ID}},
            UpdateExpression="SET " + ", ".join(updates),
            ConditionExpression="attribute_exists(id)",
            ExpressionAttributeValues=values,
        )

    def batch_done(self, run_id: str, batch: int) -> RunState | None:
        """Count ``batch`` as done (once, however often it is delivered): the run's state after it,
        or None when the run is over (its item gone or another run's)."""
        try:
            item = self.client.update_item(
                TableName=self.table,
                Key={"id": {"S": RUN_ID}},
                UpdateExpression="ADD done :b",
                ConditionExpression="run_id = :r",
                ExpressionAttributeValues={":b": {"NS": [str(batch)]}, ":r": {"S": run_id}},
                ReturnValues="ALL_NEW",
            )["Attributes"]
        except self.client.exceptions.ConditionalCheckFailedException:
            return None
        return _state(item)

    def release(self, run_id: str) -> Pending | None:
        """End the run: the run asked for meanwhile, if any."""
        try:
            old = self.client.delete_item(
                TableName=self.table,
                Key={"id": {"S": RUN_ID}},
                ConditionExpression="run_id = :r",
                ExpressionAttributeValues={":r": {"S": run_id}},
                ReturnValues="ALL_OLD",
            ).get("Attributes", {})
        except self.client.exceptions.ConditionalCheckFailedException:
            return None
        pending = old.get("pending", {}).get("S")
        if not pending:
            return None
        return Pending(full=pending == "full", nightly=old.get("pending_nightly", {}).get("BOOL", False))


class PublishQueue:
    """The queue the publisher's batches go through (its own function takes them off it)."""

    def __init__(self, url: str | None = None, client: Any = None) -> None:
        self.url = url if url is not None else get_settings().publish_queue_url
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or aws.client("sqs")

    def send(self, messages: list[Mapping[str, Any]]) -> None:
        if not self.url:
            raise RuntimeError("PUBLISH_QUEUE_URL is not set: the publisher cannot hand out its batches")
        for start in range(0, len(messages), 10):
            entries = [
                {"Id": str(i), "MessageBody": json.dumps(m, ensure_ascii=False)}
                for i, m in enumerate(messages[start : start + 10])
            ]
            failed = self.client.send_message_batch(QueueUrl=self.url, Entries=entries).get("Failed")
            if failed:
                raise RuntimeError(f"the publish queue refused {len(failed)} batches")
