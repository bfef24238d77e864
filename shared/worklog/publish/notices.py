"""Vetting notices (干部任前公示): opening them, the public's feedback, and the Org Dept's answers.

Key design (compliance table; docs/access-patterns.md):
  notice    pk=NOTICE#<id>  sk=NOTICE                      gsi1: NOTICES / <start>#<id>
  feedback  pk=NOTICE#<id>  sk=FEEDBACK#<received>#<fid>      (no sender field: see senders.py)
  rate      pk=RATE#<sender key>  sk=<hour>   hits, expires_at (TTL)
  secret    pk=SENDER-SECRET#<day>  sk=SECRET   secret (32 random bytes), expires_at (TTL)

A notice is open from its start through its end date, Asia/Shanghai; it needs no job to close:
every use of it compares the date with the clock, and the nightly publisher re-renders its page.
"""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from worklog.auth.principals import Principal
from worklog.bus import EventBus
from worklog.calendar import WorkingCalendar
from worklog.clock import SHANGHAI, Clock, iso_now, system_clock, today
from worklog.dynamo import TableRepository, conditional, from_item, key, query_all, to_item
from worklog.errors import Conflict, Forbidden, NotFound, RateLimited, ServiceUnavailable, ValidationFailed
from worklog.models.notices import (
    MIN_WORKING_DAYS,
    AnswerIn,
    Feedback,
    FeedbackIn,
    Notice,
    NoticeIn,
    NoticeOut,
)
from worklog.models.roster import Role
from worklog.publish.senders import DaySecret, new_day_secret, normalised, sender_key
from worklog.roster.repository import RosterRepository

NOTICE_OPENED = "NoticeOpened"
FEEDBACK_PER_HOUR = 5  # per sender address, across notices
NOTICE_ROLES: tuple[Role, ...] = ("admin", "org_inspector")


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

    def add_feedback(self, f: Feedback) -> None:
        item = {"pk": f"NOTICE#{f.notice_id}", "sk": f"FEEDBACK#{f.received_at}#{f.feedback_id}"}
        self.client.put_item(
            TableName=self.table,
            Item=to_item({**item, "data": f.model_dump_json()}),
            ConditionExpression="attribute_not_exists(pk)",
        )

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

    def hit(self, source: str, window: str, expires_at: int, limit: int) -> bool:
        """Count one request of ``source`` in ``window``; False once it has had ``limit``."""
        return conditional(
            lambda: self.client.update_item(
                TableName=self.table,
                Key=key(f"RATE#{source}", window),
                UpdateExpression="ADD hits :one SET expires_at = :exp",
                ConditionExpression="attribute_not_exists(hits) OR hits < :limit",
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":exp": {"N": str(expires_at)},
                    ":limit": {"N": str(limit)},
                },
            )
        )


class NoticeDesk:
    def __init__(
        self,
        notices: NoticeRepository,
        roster: RosterRepository,
        calendar: WorkingCalendar,
        bus: EventBus,
        clock: Clock = system_clock,
    ) -> None:
        self.notices, self.roster, self.calendar, self.bus, self.clock = notices, roster, calendar, bus, clock

    def out(self, n: Notice) -> NoticeOut:
        return NoticeOut(
            **n.model_dump(),
            working_days=sum(1 for _ in self.calendar.working_days(n.start, n.end)),
            state=n.state(today(self.clock)),
        )

    def open(self, who: Principal, body: NoticeIn) -> Notice:
        if not who.has(*NOTICE_ROLES):
            raise Forbidden("只有组织部或管理员可以发布公示", code="forbidden")
        on = today(self.clock)
        if body.start < on:
            raise _invalid("公示开始日期不能早于今天", ["body", "start"], "start_in_past")
        shortest = self._shortest_end(body.start)
        end = body.end or shortest
        if end < shortest:
            days = sum(1 for _ in self.calendar.working_days(body.start, end))
            raise _invalid(
                f"公示期不少于{MIN_WORKING_DAYS}个工作日（{body.start}至{end}只有{days}个），最早结束于{shortest}",
                ["body", "end"],
                "notice_too_short",
            )
        if (end - body.start).days > 60:
            raise _invalid("公示期过长（超过60天）", ["body", "end"], "notice_too_long")
        cadre = self.roster.get_cadre(body.candidate_id)
        if cadre is None or not cadre.active_on(on):
            raise _invalid("没有这名在职干部", ["body", "candidate_id"], "unknown_cadre")
        notice = Notice(
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
        if not self.notices.create(notice):
            raise Conflict("这名干部在这一天已有公示", code="notice_exists")
        self.bus.publish(
            NOTICE_OPENED,
            [{"notice_id": notice.notice_id, "start": str(notice.start), "end": str(notice.end)}],
        )
        return notice

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
    def receive(self, notice_id: str, body: FeedbackIn, source_ip: str) -> Feedback:
        notice = self.get(notice_id)
        if notice.state(today(self.clock)) != "open":
            raise Conflict("该公示不在公示期内，不受理反映", code="not_open")
        source = self.sender_key(source_ip)
        now = datetime.fromisoformat(iso_now(self.clock))
        window = now.strftime("%Y-%m-%dT%H")
        expires = int((now + timedelta(hours=2)).timestamp())
        if not self.notices.hit(source, window, expires, FEEDBACK_PER_HOUR):
            raise RateLimited("反映过于频繁，请稍后再试", code="rate_limited")
        feedback = Feedback(
            notice_id=notice_id,
            feedback_id=secrets.token_hex(8),
            content=body.content,
            contact=body.contact,
            received_at=iso_now(self.clock),
        )
        self.notices.add_feedback(feedback)
        return feedback

    def sender_key(self, address: str | None) -> str:
        """The key the rate limit knows the sender by today: an HMAC of the address under today's
        secret, which the first request of the day creates."""
        return sender_key(self._todays_secret(), normalised(address))

    def _todays_secret(self) -> bytes:
        now = self.clock.now().astimezone(SHANGHAI)
        for _ in range(3):
            found = self.notices.day_secret(now.date())
            if found is not None and found.usable(now):
                return found.secret
            fresh = new_day_secret(now.date())
            if self.notices.create_day_secret(fresh, now):
                return fresh.secret
            # Another request created it between our read and our write: read back the winner.
        raise ServiceUnavailable("暂时无法受理反映，请稍后再试", code="service_unavailable")

    def feedback(self, who: Principal, notice_id: str) -> list[Feedback]:
        if not who.has(*NOTICE_ROLES):
            raise Forbidden("只有组织部或管理员可以查看反映", code="forbidden")
        self.get(notice_id)
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


def _invalid(message: str, loc: list[Any], type_: str) -> ValidationFailed:
    return ValidationFailed(message, details=[{"loc": loc, "msg": message, "type": type_}])


def notice_desk() -> NoticeDesk:
    from worklog.schedules import current_calendar

    roster = RosterRepository()
    return NoticeDesk(NoticeRepository(), roster, current_calendar(roster), EventBus())
