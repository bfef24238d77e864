"""Vetting notices (干部任前公示) as stored: the notices, the public's feedback, the rate-limit records
and the day's sender secrets.

Key design (compliance table; docs/access-patterns.md):
  notice    pk=NOTICE#<id>  sk=NOTICE                      gsi1: NOTICES / <start>#<id>
  feedback  pk=NOTICE#<id>  sk=FEEDBACK#<received>#<fid>      (no sender field: see senders.py)
  sender    pk=RATE#<sender key>  sk=SENDER   stamps, v, expires_at (TTL)   the sender's window
  notice    pk=NOTICE#<id>  sk=RATE               stamps, day, day_count, v, expires_at (TTL)
  secret    pk=SENDER-SECRET#<day>  sk=SECRET   secret (32 random bytes), expires_at (TTL)
The rate limits are in ratelimit.py, the sender key in senders.py, the use cases in service.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from worklog.dynamo import TableRepository, conditional, from_item, key, query_all, to_item
from worklog.models.notices import MAX_CALENDAR_DAYS, Feedback, Notice
from worklog.vetting.ratelimit import Tally
from worklog.vetting.senders import DaySecret


def _data(item: dict[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(item["data"])
    return value


class NoticeRepository(TableRepository):
    table_setting = "compliance_table"

    def create(self, n: Notice) -> bool:
        item = {
            "pk": f"NOTICE#{n.notice_id}",
            "sk": "NOTICE",
            "gsi1pk": "NOTICES",
            "gsi1sk": f"{n.start.isoformat()}#{n.notice_id}",
            "data": n.model_dump_json(),
        }
        return conditional(
            lambda: self.client.put_item(
                TableName=self.table, Item=to_item(item), ConditionExpression="attribute_not_exists(pk)"
            )
        )

    def get(self, notice_id: str) -> Notice | None:
        item = self.client.get_item(
            TableName=self.table, Key=key(f"NOTICE#{notice_id}", "NOTICE"), ConsistentRead=True
        ).get("Item")
        return Notice.model_validate(_data(from_item(item))) if item else None

    def all(self) -> list[Notice]:
        """Every notice, newest start first."""
        items = query_all(
            self.client,
            TableName=self.table,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues={":p": {"S": "NOTICES"}},
            ScanIndexForward=False,
        )
        return [Notice.model_validate(_data(i)) for i in items]

    def open_for(self, candidate_id: str, on: date) -> Notice | None:
        """A notice naming ``candidate_id`` that is open on ``on``, if any."""
        return next((n for n in self.open_on(on) if n.candidate_id == candidate_id), None)

    def open_on(self, on: date) -> list[Notice]:
        """The notices open on ``on``: one Query over the notices that started in the longest period
        before ``on`` (a notice never runs longer)."""
        items = query_all(
            self.client,
            TableName=self.table,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :p AND gsi1sk BETWEEN :a AND :b",
            ExpressionAttributeValues={
                ":p": {"S": "NOTICES"},
                ":a": {"S": (on - timedelta(days=MAX_CALENDAR_DAYS)).isoformat()},
                ":b": {"S": f"{on.isoformat()}#~"},
            },
        )
        found = (Notice.model_validate(_data(i)) for i in items)
        return [n for n in found if n.state(on) == "open"]

    def feedback(self, notice_id: str) -> list[Feedback]:
        items = query_all(
            self.client,
            TableName=self.table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :f)",
            ExpressionAttributeValues={":p": {"S": f"NOTICE#{notice_id}"}, ":f": {"S": "FEEDBACK#"}},
        )
        return [Feedback.model_validate(_data(i)) for i in items]

    def forget_senders(self) -> int:
        """Drop the sender hash that feedback stored by earlier versions still carries (an unkeyed
        hash of the address, reversible by trying every IPv4 address); returns how many items
        were rewritten. Each rewrite is conditional on the item being unchanged since it was read,
        so an answer saved meanwhile is never lost (and that answer dropped the hash already)."""
        rewritten = 0
        for notice in self.all():
            items = query_all(
                self.client,
                TableName=self.table,
                KeyConditionExpression="pk = :p AND begins_with(sk, :f)",
                ExpressionAttributeValues={
                    ":p": {"S": f"NOTICE#{notice.notice_id}"},
                    ":f": {"S": "FEEDBACK#"},
                },
            )
            for item in items:
                data = _data(item)
                if data.pop("source", None) is None:
                    continue
                rewritten += self._replace_data(item, data)
        return rewritten

    def _replace_data(self, item: dict[str, Any], data: dict[str, Any]) -> bool:
        return conditional(
            lambda: self.client.update_item(
                TableName=self.table,
                Key=key(item["pk"], item["sk"]),
                UpdateExpression="SET #d = :new",
                ConditionExpression="#d = :old",
                ExpressionAttributeNames={"#d": "data"},
                ExpressionAttributeValues={
                    ":new": {"S": json.dumps(data, ensure_ascii=False)},
                    ":old": {"S": item["data"]},
                },
            )
        )

    def save_answer(self, f: Feedback, previous_answer: str | None) -> bool:
        item = {"pk": f"NOTICE#{f.notice_id}", "sk": f"FEEDBACK#{f.received_at}#{f.feedback_id}"}
        condition = "attribute_not_exists(answered_at)" if previous_answer is None else "answered_at = :was"
        values = {} if previous_answer is None else {":was": {"S": str(previous_answer)}}
        return conditional(
            lambda: self.client.put_item(
                TableName=self.table,
                Item=to_item({**item, "data": f.model_dump_json(), "answered_at": f.answered_at}),
                ConditionExpression=condition,
                **({"ExpressionAttributeValues": values} if values else {}),
            )
        )

    def day_secret(self, day: date) -> DaySecret | None:
        """The day's sender secret as stored (it may be past its expiry: TTL deletes eventually)."""
        item = self.client.get_item(
            TableName=self.table, Key=key(f"SENDER-SECRET#{day.isoformat()}", "SECRET"), ConsistentRead=True
        ).get("Item")
        if not item:
            return None
        return DaySecret(day, item["secret"]["B"], int(item["expires_at"]["N"]))

    def create_day_secret(self, s: DaySecret, now: datetime) -> bool:
        """Store the day's secret unless a live one is there already (False: another request won)."""
        return conditional(
            lambda: self.client.put_item(
                TableName=self.table,
                Item={
                    **key(f"SENDER-SECRET#{s.day.isoformat()}", "SECRET"),
                    "secret": {"B": s.secret},
                    "expires_at": {"N": str(s.expires_at)},
                },
                ConditionExpression="attribute_not_exists(pk) OR expires_at <= :now",
                ExpressionAttributeValues={":now": {"N": str(int(now.timestamp()))}},
            )
        )

    def tally(self, pk: str, sk: str) -> Tally:
        """A rate-limit record (consistent read; an empty Tally when none is stored)."""
        item = self.client.get_item(TableName=self.table, Key=key(pk, sk), ConsistentRead=True).get("Item")
        if not item:
            return Tally()
        values = from_item(item)
        return Tally(
            stamps=tuple(values.get("stamps", ())),
            day=values.get("day", ""),
            day_count=values.get("day_count", 0),
            version=values["v"],
            expires_at=values["expires_at"],
        )

    def accept_feedback(
        self,
        f: Feedback,
        writes: Sequence[tuple[str, str, Tally, Tally]],
        unchanged: Sequence[tuple[str, str, Tally]] = (),
    ) -> bool:
        """Store ``f`` together with the rate-limit records' new states ``(pk, sk, read, new)``,
        each on condition it is still as read, and on condition the records in ``unchanged`` are
        too; all or nothing. False when any of them moved meanwhile (read again and judge again)."""

        def condition(read: Tally) -> dict[str, Any]:
            if not read.version:
                return {"ConditionExpression": "attribute_not_exists(pk)"}
            return {"ConditionExpression": "v = :v", "ExpressionAttributeValues": {":v": {"S": read.version}}}

        actions: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": to_item(
                        {
                            "pk": f"NOTICE#{f.notice_id}",
                            "sk": f"FEEDBACK#{f.received_at}#{f.feedback_id}",
                            "data": f.model_dump_json(),
                        }
                    ),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        ]
        for pk, sk, read, new in writes:
            record = {
                "pk": pk,
                "sk": sk,
                "stamps": list(new.stamps),
                "day": new.day or None,
                "day_count": new.day_count or None,
                "v": new.version,
                "expires_at": new.expires_at,
            }
            actions.append({"Put": {"TableName": self.table, "Item": to_item(record), **condition(read)}})
        for pk, sk, read in unchanged:
            actions.append(
                {"ConditionCheck": {"TableName": self.table, "Key": key(pk, sk), **condition(read)}}
            )
        try:
            self.client.transact_write_items(TransactItems=actions)
        except ClientError as err:
            reasons = {r.get("Code") for r in err.response.get("CancellationReasons") or []}
            if err.response["Error"]["Code"] == "TransactionCanceledException" and reasons & {
                "ConditionalCheckFailed",
                "TransactionConflict",
            }:
                return False
            raise
        return True
