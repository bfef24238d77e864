"""Vetting notices (干部任前公示): opening them, the public's feedback, and the Org Dept's answers.

Key design (compliance table; docs/access-patterns.md):
  notice    pk=NOTICE#<id>  sk=NOTICE                      gsi1: NOTICES / <start>#<id>
  feedback  pk=NOTICE#<id>  sk=FEEDBACK#<received>#<fid>      (no sender field: see senders.py)
  sender    pk=RATE#<sender key>  sk=SENDER   stamps, v, expires_at (TTL)   the sender's window
  notice    pk=NOTICE#<id>  sk=RATE               stamps, day, day_count, v, expires_at (TTL)
  secret    pk=SENDER-SECRET#<day>  sk=SECRET   secret (32 random bytes), expires_at (TTL)
The rate limits are in ratelimit.py, the sender key in senders.py.

A notice is open from its start through its end date, Asia/Shanghai; it needs no job to close:
every use of it compares the date with the clock, and the nightly publisher re-renders its page.
"""

from __future__ import annotations

import json
import random
import secrets
import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from worklog import messages
from worklog.access import Act, refuse_self
from worklog.auth.principals import Principal
from worklog.bus import EventBus
from worklog.calendar import WorkingCalendar
from worklog.clock import SHANGHAI, Clock, iso_now, system_clock, today
from worklog.dynamo import TableRepository, conditional, from_item, key, query_all, to_item
from worklog.errors import (
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    ServiceUnavailable,
    invalid,
)
from worklog.messages import MSG
from worklog.models.notices import (
    MAX_CALENDAR_DAYS,
    MIN_WORKING_DAYS,
    AnswerIn,
    Feedback,
    FeedbackIn,
    Notice,
    NoticeIn,
    NoticeOut,
)
from worklog.models.roster import Role
from worklog.publish.ratelimit import Refusal, Tally, judge
from worklog.publish.senders import DaySecret, new_day_secret, normalised, sender_key
from worklog.roster.repository import RosterRepository
from worklog.settings import FeedbackLimits, get_settings

NOTICE_OPENED = "NoticeOpened"
# Each failed attempt means another post was accepted meanwhile; the feedback function runs at most
# 10 at a time (template.yaml), so this many attempts outlast any contention it can meet.
ACCEPT_ATTEMPTS = 12
NOTICE_ROLES: tuple[Role, ...] = ("admin", "org_inspector")
NOTICE_EXISTS = "这名干部在这一天已有公示"


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


class NoticeDesk:
    def __init__(
        self,
        notices: NoticeRepository,
        roster: RosterRepository,
        calendar: WorkingCalendar,
        bus: EventBus,
        clock: Clock = system_clock,
        limits: FeedbackLimits | None = None,
    ) -> None:
        self.notices, self.roster, self.calendar, self.bus, self.clock = notices, roster, calendar, bus, clock
        self.limits = limits or get_settings().feedback

    def out(self, n: Notice) -> NoticeOut:
        return NoticeOut(
            **n.model_dump(),
            working_days=sum(1 for _ in self.calendar.working_days(n.start, n.end)),
            state=n.state(today(self.clock)),
        )

    def open(self, who: Principal, body: NoticeIn) -> Notice:
        """Store the notice and tell the publisher; a dry run (``body.dry_run``) only checks and
        computes it, with the same refusals, and stores and publishes nothing."""
        notice = self._check(who, body)
        if body.dry_run:
            # The conditional write below is the real guard; this read gives the dry run its 409.
            if self.notices.get(notice.notice_id) is not None:
                raise Conflict(NOTICE_EXISTS, code="notice_exists")
            return notice
        if not self.notices.create(notice):
            raise Conflict(NOTICE_EXISTS, code="notice_exists")
        self.bus.publish(
            NOTICE_OPENED,
            [{"notice_id": notice.notice_id, "start": str(notice.start), "end": str(notice.end)}],
        )
        return notice

    def _check(self, who: Principal, body: NoticeIn) -> Notice:
        """The notice ``body`` asks for, or the refusal of it (nothing stored)."""
        if not who.has(*NOTICE_ROLES):
            raise Forbidden("只有组织部或管理员可以发布公示", code="forbidden")
        refuse_self(Act.VET, who.cadre_id, body.candidate_id)
        on = today(self.clock)
        if body.start < on:
            raise invalid(messages.NOTICES["start_in_past"], ["body", "start"], "start_in_past")
        shortest = self._shortest_end(body.start)
        end = body.end or shortest
        if end < shortest:
            days = sum(1 for _ in self.calendar.working_days(body.start, end))
            raise invalid(
                messages.NOTICES["notice_too_short"].format(
                    min_days=MIN_WORKING_DAYS, start=body.start, end=end, days=days, shortest=shortest
                ),
                ["body", "end"],
                "notice_too_short",
            )
        if (end - body.start).days > MAX_CALENDAR_DAYS:
            raise invalid(
                messages.NOTICES["notice_too_long"].format(max_days=MAX_CALENDAR_DAYS),
                ["body", "end"],
                "notice_too_long",
            )
        cadre = self.roster.get_cadre(body.candidate_id)
        if cadre is None or not cadre.active_on(on):
            raise invalid(messages.NOTICES["unknown_cadre"], ["body", "candidate_id"], "unknown_cadre")
        return Notice(
            notice_id=f"N{body.start.strftime('%Y%m%d')}-{cadre.cadre_id}",
            candidate_id=cadre.cadre_id,
            candidate_name=cadre.name,
            unit_id=cadre.unit_id,
            current_post=body.current_post,
            proposed_post=body.proposed_post,
            start=body.start,
            end=end,
            opened_by=who.cadre_id,
            opened_at=iso_now(self.clock),
        )

    def _shortest_end(self, start: date) -> date:
        """The last day of a period of exactly MIN_WORKING_DAYS working days from ``start``."""
        first = start if self.calendar.is_working(start) else self.calendar.add_working_days(start, 1)
        return self.calendar.add_working_days(first, MIN_WORKING_DAYS - 1)

    def get(self, notice_id: str) -> Notice:
        n = self.notices.get(notice_id)
        if n is None:
            raise NotFound("没有这项公示", code="not_found")
        return n

    # --- the public's feedback ----------------------------------------------------------------
    def receive(self, notice_id: str, body: FeedbackIn, source_ip: str | None) -> Feedback:
        """Take one post, unless it would break a rate limit (ratelimit.py): per sender, a sliding
        window; per notice, a sliding window and a daily cap, all senders together."""
        notice = self.get(notice_id)
        if notice.state(today(self.clock)) != "open":
            raise Conflict("该公示不在公示期内，不受理反映", code="not_open")
        sender = normalised(source_ip)
        window = timedelta(minutes=self.limits.window_minutes)
        for attempt in range(ACCEPT_ATTEMPTS):
            now = self.clock.now().astimezone(SHANGHAI)
            own = (f"RATE#{sender_key(self._todays_secret(now), sender)}", "SENDER")
            before = self._yesterdays_record(sender, now, window)
            sender_before = self.notices.tally(*before) if before else None
            sender_tally = self.notices.tally(*own)
            notice_rate = (f"NOTICE#{notice_id}", "RATE")
            notice_tally = self.notices.tally(*notice_rate)
            verdict = judge(self.limits, now, sender_tally, notice_tally, sender_before)
            if verdict.refusal is not None:
                raise RateLimited(_refusal_message(verdict.refusal, self.limits, now), code="rate_limited")
            feedback = Feedback(
                notice_id=notice_id,
                feedback_id=secrets.token_hex(8),
                content=body.content,
                contact=body.contact,
                received_at=now.isoformat(timespec="milliseconds"),
            )
            writes = [(*own, sender_tally, verdict.sender), (*notice_rate, notice_tally, verdict.notice)]
            unchanged = [(*before, sender_before)] if before and sender_before is not None else []
            if self.notices.accept_feedback(feedback, writes, unchanged):
                return feedback
            # Someone else's post was accepted meanwhile: back off a little, then judge again.
            time.sleep(random.uniform(0, 0.005 * (attempt + 1)))
        raise RateLimited(MSG["feedback_busy"], code="rate_limited")

    def _yesterdays_record(self, sender: str, now: datetime, window: timedelta) -> tuple[str, str] | None:
        """The sender's record under yesterday's key, while the day is younger than the window:
        keys change at midnight, the window must not. Yesterday's secret is only read here, never
        used to write, and not at all once it has expired."""
        start = datetime.combine(now.date(), datetime.min.time(), SHANGHAI)
        if now - start >= window:
            return None
        found = self.notices.day_secret(now.date() - timedelta(days=1))
        if found is None or not found.usable(now):
            return None
        return (f"RATE#{sender_key(found.secret, sender)}", "SENDER")

    def sender_key(self, address: str | None) -> str:
        """The key the rate limit knows the sender by today: an HMAC of the normalised address
        under today's secret, which the first request of the day creates."""
        return sender_key(self._todays_secret(self.clock.now().astimezone(SHANGHAI)), normalised(address))

    def _todays_secret(self, now: datetime) -> bytes:
        for _ in range(3):
            found = self.notices.day_secret(now.date())
            if found is not None and found.usable(now):
                return found.secret
            fresh = new_day_secret(now.date())
            if self.notices.create_day_secret(fresh, now):
                return fresh.secret
            # Another request created it between our read and our write: read back the winner.
        raise ServiceUnavailable(MSG["feedback_unavailable"], code="service_unavailable")

    def feedback(self, who: Principal, notice_id: str) -> list[Feedback]:
        if not who.has(*NOTICE_ROLES):
            raise Forbidden("只有组织部或管理员可以查看反映", code="forbidden")
        # Feedback about oneself is read and answered by colleagues, never by the candidate.
        refuse_self(Act.FEEDBACK, who.cadre_id, self.get(notice_id).candidate_id)
        return self.notices.feedback(notice_id)

    def answer(self, who: Principal, notice_id: str, feedback_id: str, body: AnswerIn) -> Feedback:
        found = next((f for f in self.feedback(who, notice_id) if f.feedback_id == feedback_id), None)
        if found is None:
            raise NotFound("没有这条反映", code="not_found")
        answered = found.model_copy(
            update={"answer": body.answer, "answered_by": who.cadre_id, "answered_at": iso_now(self.clock)}
        )
        if not self.notices.save_answer(answered, found.answered_at):
            raise Conflict("这条反映刚被他人答复，请刷新后重试", code="concurrent_update")
        return answered


def _refusal_message(refusal: Refusal, limits: FeedbackLimits, now: datetime) -> str:
    if refusal.retry_at is None:
        return MSG["feedback_notice_day_limit"].format(allowed=refusal.allowed)
    # Rounded up to the minute, so that "after" it is always late enough.
    at = (refusal.retry_at + timedelta(seconds=59)).replace(second=0, microsecond=0)
    shown = at.strftime("%H:%M") if at.date() == now.date() else f"{at.month}月{at.day}日 {at:%H:%M}"
    return MSG[f"feedback_{refusal.limit}_limit"].format(
        allowed=refusal.allowed, minutes=limits.window_minutes, at=shown
    )


def notice_desk() -> NoticeDesk:
    from worklog.schedules import current_calendar

    roster = RosterRepository()
    return NoticeDesk(NoticeRepository(), roster, current_calendar(roster), EventBus())
