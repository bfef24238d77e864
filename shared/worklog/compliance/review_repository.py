"""ReviewRepository: weekly review assignments and the read log, in the compliance table.

The only code that touches these items (cases and missing records: worklog.compliance.repository).

Key design (docs/access-patterns.md):
  assignment  pk=REVIEWER#<reviewer>  sk=WEEK#<week_start>#CADRE#<cadre>
              gsi1: WEEK#<week_start> / CADRE#<cadre>        (a week's assignments: the weekly run)
              gsi2: CADRE#<cadre> / REVIEW#<week_start>      (a cadre's reviews: ladder, authorization)
  read log    pk=READS#<owner>  sk=<iso timestamp>#<reader>  (who read my log, newest first)
  week marks  pk=WEEKLY_RUN  sk=WEEK#<week_start>#ASSIGNED | WEEK#<week_start>#OVERDUE
              (a step of the weekly run done for that week, written last: catch-up reads them)

Writes that must not repeat are conditional: a new assignment only where none is stored, overdue only
from open, a verdict only once. They go out up to 100 to a TransactWriteItems (all conditions are
checked, as a batch cannot); a transaction the service cancels because one condition failed or an
item was busy is retried item by item, so each item ends up written or refused by its own condition.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

from botocore.exceptions import ClientError

from worklog.dynamo import TableRepository, conditional, from_item, key, query_all, to_item
from worklog.models.reviews import ReadRecord, StoredReview, Verdict
from worklog.records import datarecord

TRANSACTION_LIMIT = 100  # items per TransactWriteItems
RUN_PK = "WEEKLY_RUN"
WeekStep = Literal["ASSIGNED", "OVERDUE"]
_CONDITION_FAILED = "ConditionalCheckFailedException"


def review_key(reviewer_id: str, week_start: date, cadre_id: str) -> dict[str, Any]:
    return key(f"REVIEWER#{reviewer_id}", f"WEEK#{week_start.isoformat()}#CADRE#{cadre_id}")


def review_item(review: StoredReview) -> dict[str, Any]:
    week = review.week_start.isoformat()
    return {
        "pk": f"REVIEWER#{review.reviewer_id}",
        "sk": f"WEEK#{week}#CADRE#{review.cadre_id}",
        "gsi1pk": f"WEEK#{week}",
        "gsi1sk": f"CADRE#{review.cadre_id}",
        "gsi2pk": f"CADRE#{review.cadre_id}",
        "gsi2sk": f"REVIEW#{week}",
        **review.model_dump(mode="json", exclude_none=True),
    }


def _review(item: dict[str, Any]) -> StoredReview:
    return StoredReview.model_validate({k: v for k, v in item.items() if k in StoredReview.model_fields})


def read_item(record: ReadRecord) -> dict[str, Any]:
    return {
        "pk": f"READS#{record.owner_cadre_id}",
        "sk": f"{record.read_at}#{record.reader_id}",
        **record.model_dump(mode="json"),
    }


@datarecord(frozen=True)
class WeekMarks:
    """Which steps of the weekly run are done for one review week."""

    assigned_due: date | None = None  # assigned (and the week's due date), or not yet
    overdue_checked: bool = False  # its unfinished reviews marked overdue and the ladder fed


def _read(item: dict[str, Any]) -> ReadRecord:
    return ReadRecord.model_validate({k: v for k, v in item.items() if k in ReadRecord.model_fields})


class ReviewRepository(TableRepository):
    table_setting = "compliance_table"

    # --- assignments: reads -------------------------------------------------------------------
    def week(self, week_start: date) -> list[StoredReview]:
        """Every assignment of a week, across reviewers (gsi1: pages of the week)."""
        items = query_all(
            self.client,
            TableName=self.table,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues={":p": {"S": f"WEEK#{week_start.isoformat()}"}},
        )
        return [_review(i) for i in items]

    def get(self, reviewer_id: str, week_start: date, cadre_id: str) -> StoredReview | None:
        item = self.client.get_item(
            TableName=self.table, Key=review_key(reviewer_id, week_start, cadre_id), ConsistentRead=True
        ).get("Item")
        return _review(from_item(item)) if item else None

    def of_reviewer(self, reviewer_id: str, first_week: date, last_week: date) -> list[StoredReview]:
        """A reviewer's assignments of the weeks starting in [first_week, last_week], oldest first
        (read consistently: the weekly run counts the overdue marks it has just written)."""
        items = query_all(
            self.client,
            TableName=self.table,
            ConsistentRead=True,
            KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
            ExpressionAttributeValues={
                ":p": {"S": f"REVIEWER#{reviewer_id}"},
                ":a": {"S": f"WEEK#{first_week.isoformat()}#"},
                ":b": {"S": f"WEEK#{last_week.isoformat()}#~"},
            },
        )
        return [_review(i) for i in items]

    def unfinished_or_since(self, reviewer_id: str, since: date) -> list[StoredReview]:
        """A reviewer's assignments not yet done, and all of those from the week of ``since`` on.

        One Query over the reviewer's partition (about the size of their team per week), filtered.
        """
        items = query_all(
            self.client,
            TableName=self.table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :w)",
            # Filters may not name key attributes: the week is also a plain attribute.
            FilterExpression="#s <> :done OR week_start >= :since",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":p": {"S": f"REVIEWER#{reviewer_id}"},
                ":w": {"S": "WEEK#"},
                ":done": {"S": "done"},
                ":since": {"S": since.isoformat()},
            },
            ConsistentRead=True,
        )
        return [_review(i) for i in items]

    def of_cadre(self, cadre_id: str, first_week: date, last_week: date) -> list[StoredReview]:
        """A cadre's assignments of the weeks starting in [first_week, last_week] (gsi2), oldest first."""
        items = query_all(
            self.client,
            TableName=self.table,
            IndexName="gsi2",
            KeyConditionExpression="gsi2pk = :p AND gsi2sk BETWEEN :a AND :b",
            ExpressionAttributeValues={
                ":p": {"S": f"CADRE#{cadre_id}"},
                ":a": {"S": f"REVIEW#{first_week.isoformat()}"},
                ":b": {"S": f"REVIEW#{last_week.isoformat()}"},
            },
        )
        return [_review(i) for i in items]

    # --- assignments: writes ------------------------------------------------------------------
    def put_new(self, reviews: Sequence[StoredReview]) -> list[StoredReview]:
        """Store assignments that are not stored yet; returns those this call wrote."""
        requests = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": to_item(review_item(r)),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
            for r in reviews
        ]
        written = self._conditional_writes(requests)
        return [r for r, ok in zip(reviews, written, strict=True) if ok]

    def mark_overdue(self, reviews: Sequence[StoredReview], at: str) -> list[StoredReview]:
        """open → overdue, each at most once; returns the assignments this call marked."""
        requests = [
            {
                "Update": {
                    "TableName": self.table,
                    "Key": review_key(r.reviewer_id, r.week_start, r.cadre_id),
                    "UpdateExpression": "SET #s = :overdue, overdue_marked_at = :at",
                    "ConditionExpression": "#s = :open",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {
                        ":overdue": {"S": "overdue"},
                        ":open": {"S": "open"},
                        ":at": {"S": at},
                    },
                }
            }
            for r in reviews
        ]
        marked = self._conditional_writes(requests)
        return [
            r.model_copy(update={"status": "overdue", "overdue_marked_at": at})
            for r, ok in zip(reviews, marked, strict=True)
            if ok
        ]

    def record_verdict(
        self, review: StoredReview, *, verdict: Verdict, comment: str, at: str, late: bool
    ) -> StoredReview | None:
        """open|overdue → done with the verdict; None if it was done already (by a concurrent call)."""
        try:
            resp = self.client.update_item(
                TableName=self.table,
                Key=review_key(review.reviewer_id, review.week_start, review.cadre_id),
                UpdateExpression="SET #s = :done, #v = :v, #c = :c, reviewed_at = :at, #l = :late",
                ConditionExpression="#s IN (:open, :overdue)",
                ExpressionAttributeNames={"#s": "status", "#v": "verdict", "#c": "comment", "#l": "late"},
                ExpressionAttributeValues={
                    ":done": {"S": "done"},
                    ":open": {"S": "open"},
                    ":overdue": {"S": "overdue"},
                    ":v": {"S": verdict},
                    ":c": {"S": comment},
                    ":at": {"S": at},
                    ":late": {"BOOL": late},
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as err:
            if err.response["Error"]["Code"] == _CONDITION_FAILED:
                return None
            raise
        return _review(from_item(resp["Attributes"]))

    # --- the weekly run's marks -----------------------------------------------------------------
    def week_marks(self, first_week: date, last_week: date) -> dict[date, WeekMarks]:
        """The steps done for the weeks starting in [first_week, last_week]: one Query over the
        run's own small partition (two items a week at most)."""
        items = query_all(
            self.client,
            TableName=self.table,
            ConsistentRead=True,
            KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
            ExpressionAttributeValues={
                ":p": {"S": RUN_PK},
                ":a": {"S": f"WEEK#{first_week.isoformat()}#"},
                ":b": {"S": f"WEEK#{last_week.isoformat()}#~"},
            },
        )
        marks: dict[date, WeekMarks] = {}
        for item in items:
            week = date.fromisoformat(str(item["week_start"]))
            known = marks.get(week, WeekMarks())
            if item["step"] == "ASSIGNED":
                known = WeekMarks(date.fromisoformat(str(item["due"])), known.overdue_checked)
            else:
                known = WeekMarks(known.assigned_due, True)
            marks[week] = known
        return marks

    def any_mark_before(self, week: date) -> bool:
        """Whether the weekly run has marked any week before ``week`` (has ever run before it)."""
        page = self.client.query(
            TableName=self.table,
            KeyConditionExpression="pk = :p AND sk < :b",
            ExpressionAttributeValues={":p": {"S": RUN_PK}, ":b": {"S": f"WEEK#{week.isoformat()}#"}},
            ScanIndexForward=False,
            Limit=1,
        )
        return bool(page.get("Items"))

    def mark_week(self, week_start: date, step: WeekStep, at: str, due: date | None = None) -> bool:
        """Record a step as done for a week (written last, once: False if it was already there)."""
        item: dict[str, Any] = {
            "pk": RUN_PK,
            "sk": f"WEEK#{week_start.isoformat()}#{step}",
            "week_start": week_start.isoformat(),
            "step": step,
            "at": at,
        }
        if due is not None:
            item["due"] = due.isoformat()
        return conditional(
            lambda: self.client.put_item(
                TableName=self.table, Item=to_item(item), ConditionExpression="attribute_not_exists(pk)"
            )
        )

    # --- read log -----------------------------------------------------------------------------
    def log_read(self, record: ReadRecord) -> None:
        """Append a read. The same reader reading the same log twice within one millisecond is
        one record (the key is the timestamp and the reader)."""
        conditional(
            lambda: self.client.put_item(
                TableName=self.table,
                Item=to_item(read_item(record)),
                ConditionExpression="attribute_not_exists(pk)",
            )
        )

    def reads_of(self, owner_cadre_id: str, first: date, last: date) -> list[ReadRecord]:
        """Reads of a cadre's log made on days [first, last] (Shanghai time), newest first."""
        items = query_all(
            self.client,
            TableName=self.table,
            KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
            ExpressionAttributeValues={
                ":p": {"S": f"READS#{owner_cadre_id}"},
                ":a": {"S": first.isoformat()},
                ":b": {"S": f"{last.isoformat()}~"},
            },
            ScanIndexForward=False,
        )
        return [_read(i) for i in items]

    # --- conditional writes, batched ----------------------------------------------------------
    def _conditional_writes(self, requests: list[dict[str, Any]]) -> list[bool]:
        """Whether each request was written (False: its own condition refused it)."""
        done: list[bool] = []
        for start in range(0, len(requests), TRANSACTION_LIMIT):
            chunk = requests[start : start + TRANSACTION_LIMIT]
            if len(chunk) > 1:
                try:
                    self.client.transact_write_items(TransactItems=chunk)
                except ClientError as err:
                    if err.response["Error"]["Code"] != "TransactionCanceledException":
                        raise
                else:
                    done.extend([True] * len(chunk))
                    continue
            done.extend(self._write_one(request) for request in chunk)
        return done

    def _write_one(self, request: dict[str, Any]) -> bool:
        ((operation, params),) = request.items()
        call = self.client.put_item if operation == "Put" else self.client.update_item
        return conditional(lambda: call(**params))
