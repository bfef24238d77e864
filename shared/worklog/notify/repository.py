"""OutboxRepository: the notifier's outbox table (docs/notifications.md, "The outbox table";
docs/access-patterns.md, "Notifier").

Notices wait under their morning (``MORNING#<date>``, ordered by person); digests are each person's
inbox items and the record of what went out (``PERSON#<person>`` / ``MSG#<at>#<digest id>``, a
morning's digest also on gsi1 ``SENT#<date>``); a morning run's marker and the urgent sends' guards.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from botocore.exceptions import ClientError

from worklog.clock import SHANGHAI
from worklog.dynamo import TableRepository, conditional, from_item, key, to_item
from worklog.models.notifications import Delivery, Digest, Notice, Preferences
from worklog.notify.inbox import PREFS_SK, digest_item
from worklog.records import datarecord
from worklog.roster.repository import batch_write

# A pending notice is kept this long after its morning (then DynamoDB's TTL removes it).
NOTICE_KEPT_DAYS = 62
BATCH_GET = 100


@datarecord
class RunState:
    """A morning run's marker: when it first started (a resumed run keeps that time)."""

    morning: date
    started_at: str
    resumed: bool = False
    finished_at: str | None = None


def notice_item(morning: date, notice: Notice) -> dict[str, Any]:
    expires = datetime.combine(morning + timedelta(days=NOTICE_KEPT_DAYS), time(), SHANGHAI)
    return {
        "pk": f"MORNING#{morning.isoformat()}",
        "sk": f"{notice.person_id}#{notice.notice_id}",
        "expires_at": int(expires.timestamp()),
        **notice.model_dump(mode="json", exclude_none=True),
    }


def notice_of(item: dict[str, Any]) -> Notice:
    return Notice.model_validate({k: v for k, v in item.items() if k not in ("pk", "sk", "expires_at")})


class OutboxRepository(TableRepository):
    table_setting = "outbox_table"

    # --- notices waiting for their morning ----------------------------------------------------
    def put_notices(self, morning: date, notices: Iterable[Notice]) -> int:
        """Store each notice under its morning with a guard on its id, in one transaction: a notice
        taken before (a replayed event, even one replayed after its morning, when it would be
        filed under a later morning) is left alone. Returns how many were new."""
        return sum(self._put_guarded(morning, n) for n in notices)

    def _put_guarded(self, morning: date, notice: Notice) -> bool:
        item = notice_item(morning, notice)
        guard = {
            "pk": f"NOTICE#{notice.person_id}#{notice.notice_id}",
            "sk": "TAKEN",
            "morning": morning.isoformat(),
            "expires_at": item["expires_at"],
        }
        new = "attribute_not_exists(pk)"
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": self.table, "Item": to_item(guard), "ConditionExpression": new}},
                    {"Put": {"TableName": self.table, "Item": to_item(item), "ConditionExpression": new}},
                ]
            )
        except ClientError as err:
            if err.response["Error"]["Code"] == "TransactionCanceledException":
                return False
            raise
        return True

    def _put_new(self, item: dict[str, Any]) -> bool:
        return conditional(
            lambda: self.client.put_item(
                TableName=self.table, Item=item, ConditionExpression="attribute_not_exists(pk)"
            )
        )

    def morning_pages(self, morning: date, page_items: int | None = None) -> Iterator[list[Notice]]:
        """The morning's notices, ordered by person, one list per Query page."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": f"MORNING#{morning.isoformat()}"}},
            "ConsistentRead": True,
        }
        if page_items:
            request["Limit"] = page_items
        while True:
            page = self.client.query(**request)
            yield [notice_of(from_item(i)) for i in page.get("Items", [])]
            last = page.get("LastEvaluatedKey")
            if not last:
                return
            request["ExclusiveStartKey"] = last

    # --- the morning run's marker -------------------------------------------------------------
    def start_run(self, morning: date, at: str) -> RunState:
        """Mark the morning's run started; a run already marked is resumed (its first start kept)."""
        item = {"pk": f"RUN#{morning.isoformat()}", "sk": "RUN", "started_at": at}
        if self._put_new(to_item(item)):
            return RunState(morning, at)
        stored = self._run(morning) or item
        return RunState(morning, stored["started_at"], resumed=True, finished_at=stored.get("finished_at"))

    def finish_run(self, morning: date, at: str, counts: dict[str, int]) -> None:
        """Mark the run finished, with what it did (``counts``: names to numbers)."""
        names = {f"#c{i}": name for i, name in enumerate(counts)}
        values: dict[str, Any] = {f":c{i}": {"N": str(n)} for i, n in enumerate(counts.values())}
        sets = "".join(f", #c{i} = :c{i}" for i in range(len(counts)))
        request: dict[str, Any] = {
            "TableName": self.table,
            "Key": key(f"RUN#{morning.isoformat()}", "RUN"),
            "UpdateExpression": f"SET finished_at = :at{sets}",
            "ExpressionAttributeValues": {":at": {"S": at}, **values},
        }
        if names:
            request["ExpressionAttributeNames"] = names
        self.client.update_item(**request)

    def run_started(self, morning: date) -> bool:
        return self._run(morning) is not None

    def _run(self, morning: date) -> dict[str, Any] | None:
        item = self.client.get_item(
            TableName=self.table, Key=key(f"RUN#{morning.isoformat()}", "RUN"), ConsistentRead=True
        ).get("Item")
        return from_item(item) if item else None

    # --- digests: the inbox and the record of what went out -----------------------------------
    def digested(self, morning: date) -> set[str]:
        """Who already has the morning's digest (gsi1 ``SENT#<date>``)."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :p",
            "ExpressionAttributeValues": {":p": {"S": f"SENT#{morning.isoformat()}"}},
            "ProjectionExpression": "gsi1sk",
        }
        people: set[str] = set()
        while True:
            page = self.client.query(**request)
            people.update(i["gsi1sk"]["S"] for i in page.get("Items", []))
            if not page.get("LastEvaluatedKey"):
                return people
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def put_digests(self, digests: list[Digest]) -> int:
        """BatchWriteItem, 25 a request; returns the requests made."""
        return batch_write(self.client, self.table, [digest_item(d) for d in digests])

    def record_delivery(self, person_id: str, digest_sk: str, delivery: Delivery) -> None:
        self.client.update_item(
            TableName=self.table,
            Key=key(f"PERSON#{person_id}", digest_sk),
            UpdateExpression="SET delivery = :d",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":d": to_item({"d": delivery.model_dump(mode="json")})["d"]},
        )

    # --- preferences and urgent sends ---------------------------------------------------------
    def preferences_of(self, person_ids: Iterable[str]) -> dict[str, Preferences]:
        """Every person's preferences (the default for those who never set any): BatchGetItem,
        100 a request."""
        ids = sorted(set(person_ids))
        found = {p: Preferences() for p in ids}
        keys = [key(f"PERSON#{p}", PREFS_SK) for p in ids]
        for start in range(0, len(keys), BATCH_GET):
            request: dict[str, Any] = {self.table: {"Keys": keys[start : start + BATCH_GET]}}
            while request:
                resp = self.client.batch_get_item(RequestItems=request)
                for raw in resp.get("Responses", {}).get(self.table, []):
                    item = from_item(raw)
                    found[item["pk"].removeprefix("PERSON#")] = Preferences(muted=item.get("muted", []))
                request = resp.get("UnprocessedKeys") or {}
        return found

    def claim_urgent(self, notice_id: str, at: str, *, stale_before: str) -> str | None:
        """The guard of an urgent send. Returns the time to send under: ``at`` for the first claim;
        the first claim's own time when that claim was made before ``stale_before`` and its send
        never finished (the invocation stopped on the way: the replay resumes it, and its digest
        keeps its key); None when it was sent, or is being sent now."""
        if self._put_new(to_item({"pk": f"URGENT#{notice_id}", "sk": "SENT", "claimed_at": at})):
            return at
        item = self.client.get_item(
            TableName=self.table, Key=key(f"URGENT#{notice_id}", "SENT"), ConsistentRead=True
        ).get("Item")
        claim = from_item(item) if item else {}
        claimed = str(claim.get("claimed_at", ""))
        if claim.get("sent_at") or not claimed or claimed >= stale_before:
            return None
        return claimed

    def urgent_sent(self, notice_id: str, at: str) -> None:
        """Mark an urgent notice's send finished (whatever the channel answered: it is recorded)."""
        self.client.update_item(
            TableName=self.table,
            Key=key(f"URGENT#{notice_id}", "SENT"),
            UpdateExpression="SET sent_at = :at",
            ExpressionAttributeValues={":at": {"S": at}},
        )
