"""JournalRepository: the only code that reads and writes the journal table.

The chain append is one TransactWriteItems: the revision (must be new), the current view, the
head (conditional on the seq this append was computed from) and a check of the author's roster
profile (still on the roster, in the unit the revision records). The head is the per-cadre
serialisation point: two concurrent saves cannot both succeed against the same seq, so no
revision is lost and the chain never forks. Warm containers keep the last head they wrote or read;
a stale one only costs a failed condition and one re-read.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from botocore.exceptions import ClientError

from worklog.dynamo import TableRepository, from_item, is_empty, key, query_all, to_item
from worklog.journal.records import Head, decode, head_from_item, head_item, revision_item
from worklog.roster.repository import batch_write


class StaleHead(Exception):
    """The head moved since it was read: recompute and retry."""


class RosterChanged(Exception):
    """The author's roster profile no longer allows the append as computed (they left, were
    removed or moved unit): resolve them again and recompute, or refuse."""


class JournalRepository(TableRepository):
    table_setting = "journal_table"

    def __init__(self, table: str | None = None, client: Any = None) -> None:
        super().__init__(table, client)
        self._heads: dict[str, Head] = {}
        self._lock = threading.Lock()

    # --- chain head ---------------------------------------------------------------------------
    def load_head(self, cadre_id: str, *, fresh: bool = False) -> Head:
        if not fresh:
            with self._lock:
                cached = self._heads.get(cadre_id)
            if cached is not None:
                return cached
        item = self.client.get_item(
            TableName=self.table, Key=key(f"CADRE#{cadre_id}", "HEAD"), ConsistentRead=True
        ).get("Item")
        head = head_from_item(from_item(item)) if item else Head(cadre_id)
        self._remember(head)
        return head

    def forget_heads(self) -> None:
        with self._lock:
            self._heads.clear()

    def _remember(self, head: Head) -> None:
        with self._lock:
            self._heads[head.cadre_id] = head

    def append(
        self,
        before: Head,
        after: Head,
        record: dict[str, Any],
        view: dict[str, Any],
        also: Sequence[dict[str, Any]] = (),
        guard: dict[str, Any] | None = None,
    ) -> None:
        """The chain append, plus ``also`` (Update actions on other tables, e.g. the cadre's
        standing) and ``guard`` (a ConditionCheck on the author's roster profile) in the same
        transaction: one request whatever it carries."""
        if before.seq == 0:
            head_condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"}
        else:
            head_condition = {
                "ConditionExpression": "head_seq = :seq",
                "ExpressionAttributeValues": {":seq": {"N": str(before.seq)}},
            }
        actions: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": to_item(revision_item(record)),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {"Put": {"TableName": self.table, "Item": to_item(view)}},
            {"Put": {"TableName": self.table, "Item": to_item(head_item(after)), **head_condition}},
            *({"Update": update} for update in also),
        ]
        if guard is not None:
            actions.append({"ConditionCheck": guard})
        try:
            self.client.transact_write_items(TransactItems=actions)
        except ClientError as err:
            if err.response["Error"]["Code"] in {
                "TransactionCanceledException",
                "ConditionalCheckFailedException",
            }:
                with self._lock:
                    self._heads.pop(before.cadre_id, None)
                # DynamoDB gives one reason per action, in order; the guard is the last.
                reasons = err.response.get("CancellationReasons") or []
                if (
                    guard is not None
                    and len(reasons) == len(actions)
                    and reasons[-1].get("Code") == "ConditionalCheckFailed"
                ):
                    raise RosterChanged(before.cadre_id) from err
                raise StaleHead(before.cadre_id) from err
            raise
        self._remember(after)

    def head_seqs(self, cadre_ids: list[str]) -> dict[str, int]:
        """Each cadre's chain length (0: no revision yet): BatchGetItem, 100 keys a request."""
        heads = self._heads_of(cadre_ids, "cadre_id, head_seq")
        return {cadre_id: int(item["head_seq"]) for cadre_id, item in heads.items()}

    def head_items(self, cadre_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Each cadre's HEAD item whole (the archive keeps it): BatchGetItem, 100 keys a request."""
        return self._heads_of(cadre_ids, None)

    def _heads_of(self, cadre_ids: list[str], projection: str | None) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        keys = [key(f"CADRE#{c}", "HEAD") for c in cadre_ids]
        for start in range(0, len(keys), 100):
            wanted: dict[str, Any] = {"Keys": keys[start : start + 100]}
            if projection:
                wanted["ProjectionExpression"] = projection
            request: dict[str, Any] = {self.table: wanted}
            while request:
                resp = self.client.batch_get_item(RequestItems=request)
                for item in resp.get("Responses", {}).get(self.table, []):
                    values = from_item(item)
                    found[str(values["cadre_id"])] = values
                request = resp.get("UnprocessedKeys") or {}
        return found

    # --- restore --------------------------------------------------------------------------------
    def is_empty(self) -> bool:
        """Whether the table holds no item at all (a restore writes only into an empty table)."""
        return is_empty(self.client, self.table)

    def put_items(self, items: list[dict[str, Any]]) -> int:
        """Stored items written as they are (a restore from the archive): BatchWriteItem, 25 a
        request, unprocessed ones sent again. Returns the requests made."""
        return batch_write(self.client, self.table, items)

    # --- reads --------------------------------------------------------------------------------
    def get_view(self, cadre_id: str, period_key: str) -> dict[str, Any] | None:
        resp = self.client.get_item(
            TableName=self.table, Key=key(f"CADRE#{cadre_id}", period_key), ConsistentRead=True
        )
        item = resp.get("Item")
        return decode(from_item(item)) if item else None

    def get_views(self, cadre_id: str, period_keys: list[str]) -> dict[str, dict[str, Any]]:
        if not period_keys:
            return {}
        keys = [key(f"CADRE#{cadre_id}", k) for k in period_keys]
        request: dict[str, Any] = {self.table: {"Keys": keys, "ConsistentRead": True}}
        found: dict[str, dict[str, Any]] = {}
        while request:
            resp = self.client.batch_get_item(RequestItems=request)
            for item in resp.get("Responses", {}).get(self.table, []):
                values = decode(from_item(item))
                found[values["sk"]] = values
            request = resp.get("UnprocessedKeys") or {}
        return found

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """A cadre's own partition, read consistently: a client reads its own writes."""
        return map(decode, query_all(self.client, TableName=self.table, ConsistentRead=True, **kwargs))

    def views_between(self, cadre_id: str, prefix: str, first: str, last: str) -> Iterator[dict[str, Any]]:
        """Current views with sort keys in [prefix#first, prefix#last], in key order."""
        return self._query(
            KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
            ExpressionAttributeValues={
                ":p": {"S": f"CADRE#{cadre_id}"},
                ":a": {"S": f"{prefix}#{first}"},
                ":b": {"S": f"{prefix}#{last}"},
            },
        )

    def revisions(self, cadre_id: str, period_key: str) -> list[dict[str, Any]]:
        """Every revision of one period, oldest first."""
        return list(
            self._query(
                KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
                ExpressionAttributeValues={
                    ":p": {"S": f"CADRE#{cadre_id}"},
                    ":s": {"S": f"REV#{period_key}#"},
                },
            )
        )

    def all_revisions(self, cadre_id: str) -> list[dict[str, Any]]:
        """Every revision of a cadre in chain order, from the cadre's own partition (``REV#`` keys)
        rather than the by_seq index: one partition read either way, and cheaper to emulate."""
        items = self._query(
            KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
            ExpressionAttributeValues={":p": {"S": f"CADRE#{cadre_id}"}, ":s": {"S": "REV#"}},
        )
        return sorted(items, key=lambda r: int(r["seq"]))

    def revisions_after(self, cadre_id: str, seq: int) -> list[dict[str, Any]]:
        """A cadre's revisions after ``seq``, in chain order (the by_seq index: only those are read)."""
        items = self._query(
            IndexName="by_seq",
            KeyConditionExpression="pk = :p AND seq > :n",
            ExpressionAttributeValues={":p": {"S": f"CADRE#{cadre_id}"}, ":n": {"N": str(seq)}},
        )
        return sorted(items, key=lambda r: int(r["seq"]))

    def partition(self, cadre_id: str) -> Iterator[dict[str, Any]]:
        """Everything stored for a cadre: head, revisions and views (verification)."""
        return self._query(
            KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": f"CADRE#{cadre_id}"}}
        )

    def chain(self, cadre_id: str) -> Iterator[dict[str, Any]]:
        """All of a cadre's revisions in chain order (by_seq holds revisions only)."""
        return self._query(
            IndexName="by_seq",
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": f"CADRE#{cadre_id}"}},
        )

    # --- across the roster (sweeps) -------------------------------------------------------------
    def submissions_on(
        self, day: date, first_id: str | None = None, last_id: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every entry saved for ``day`` across the roster (or cadre ids first..last): pages of
        the by_day index."""
        return self.submissions(f"DAY#{day.isoformat()}", first_id, last_id)

    def submissions(
        self, partition: str, first_id: str | None = None, last_id: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """A by_day partition (``DAY#<date>``, ``PLAN#<month>``, ``SUMMARY#<half>``), optionally
        only cadre ids first..last (inclusive)."""
        condition, values = "day_pk = :p", {":p": {"S": partition}}
        if first_id is not None and last_id is not None:
            condition += " AND day_sk BETWEEN :a AND :b"
            values.update({":a": {"S": f"CADRE#{first_id}"}, ":b": {"S": f"CADRE#{last_id}"}})
        return query_all(
            self.client,
            TableName=self.table,
            IndexName="by_day",
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
        )


@lru_cache(maxsize=1)
def container_repository() -> JournalRepository:
    """The repository a warm container keeps (and with it the chain heads it has seen)."""
    return JournalRepository()
