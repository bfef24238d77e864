"""Vetting notices (干部任前公示): opening them, the public's feedback, and the Org Dept's answers.

Key design (compliance table; docs/access-patterns.md):
  notice    pk=NOTICE#<id>  sk=NOTICE                      gsi1: NOTICES / <start>#<id>
  feedback  pk=NOTICE#<id>  sk=FEEDBACK#<received>#<fid>
  rate      pk=RATE#<source hash>  sk=<hour>   hits, expires_at (TTL)

A notice is open from its start through its end date, Asia/Shanghai; it needs no job to close:
every use of it compares the date with the clock, and the nightly publisher re-renders its page.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from worklog.access import Act, refuse_self
from worklog.auth.principals import Principal
from worklog.bus import EventBus
from worklog.calendar import WorkingCalendar
from worklog.clock import Clock, iso_now, system_clock, today
from worklog.dynamo import TableRepository, conditional, from_item, key, query_all, to_item
from worklog.errors import Conflict, Forbidden, NotFound, RateLimited, ValidationFailed
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

    def open_for(self, candidate_id: str, on: date) -> Notice | None:
        """A notice naming ``candidate_id`` that is open on ``on``, if any: one Query over the notices
        that started in the longest period before ``on`` (a notice never runs longer)."""
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
        return next((n for n in found if n.candidate_id == candidate_id and n.state(on) == "open"), None)

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
        refuse_self(Act.VET, who.cadre_id, body.candidate_id)
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
        if (end - body.start).days > MAX_CALENDAR_DAYS:
            raise _invalid(f"公示期过长（超过{MAX_CALENDAR_DAYS}天）", ["body", "end"], "notice_too_long")
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
        source = hashlib.sha256(f"worklog-feedback|{source_ip}".encode()).hexdigest()[:24]
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
            source=source,
        )
        self.notices.add_feedback(feedback)
        return feedback

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


def _invalid(message: str, loc: list[Any], type_: str) -> ValidationFailed:
    return ValidationFailed(message, details=[{"loc": loc, "msg": message, "type": type_}])


def notice_desk() -> NoticeDesk:
    from worklog.schedules import current_calendar

    roster = RosterRepository()
    return NoticeDesk(NoticeRepository(), roster, current_calendar(roster), EventBus())
