"""What the demo district's people decide (``plan`` casts the storylines): when a reviewer
reviews a week and with which verdict, whether and when a case holder holds the reminder talk,
what an inspector finds, and the grade HR gives. Pure and deterministic, like the plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from infra.demo.plan import (
    DISCREPANCY_SHARE,
    OFFICE,
    REVIEWS_LATE_SHARE,
    TALKS_HELD_SHARE,
    TEXT,
    Journal,
    Storylines,
    Window,
    at,
    rng_for,
    working_days,
)
from worklog.calendar import WorkingCalendar
from worklog.clock import SHANGHAI
from worklog.models.grades import Grade


@dataclass(frozen=True)
class VerdictPlan:
    verdict: str
    comment: str


def review_session(
    seed: int, reviewer_id: str, week_start: date, stories: Storylines, *, on_time: bool = False
) -> datetime | None:
    """When a reviewer records the verdicts of a week's assignments (assigned the Monday after the
    week, due the Sunday after that): mostly Monday afternoon to Friday of that week; now and then,
    and for the late reviewer's two weeks, in the week after it became overdue (unless ``on_time``:
    a week a storyline's verdict is in); never for the week the unreviewing head left."""
    if reviewer_id == stories.unreviewed and week_start == stories.unreviewed_week:
        return None
    rng = rng_for(seed, "review", reviewer_id, week_start.isoformat())
    assigned = week_start + timedelta(days=7)
    late = rng.random() < REVIEWS_LATE_SHARE and not on_time
    late = late or (reviewer_id == stories.late_reviewer and week_start in stories.late_weeks)
    if late:
        day = assigned + timedelta(days=7 + rng.randint(1, 3))  # Tuesday to Thursday after the due date
        return at(day, rng)
    offset = rng.choice((0, 1, 1, 2, 2, 3, 4))
    day = assigned + timedelta(days=offset)
    return at(day, rng, time(14, 0) if offset == 0 else OFFICE[0])


def verdict_for(
    seed: int, cadre_id: str, week_start: date, journal: Journal, logged_days: Sequence[date]
) -> VerdictPlan:
    """The reviewer's verdict on a cadre's week, from what the week's log shows."""
    stories = journal.storylines
    rng = rng_for(seed, "verdict", cadre_id, week_start.isoformat())
    if cadre_id == stories.perfunctory and week_start in stories.perfunctory_weeks:
        return VerdictPlan("perfunctory", rng.choice(TEXT["perfunctory"]))
    if cadre_id == stories.falsification and week_start == stories.falsification_week:
        day = (logged_days or [week_start])[len(logged_days or [week_start]) // 2]
        return VerdictPlan("suspected_falsification", TEXT["falsification"].format(day=day.isoformat()))
    week = {week_start + timedelta(days=i) for i in range(7)}
    slips = len(week & journal.late_days.get(cadre_id, set())) + len(
        week & journal.unlogged.get(cadre_id, set())
    )
    if slips >= 2 and rng.random() < 0.05:
        return VerdictPlan("perfunctory", rng.choice(TEXT["perfunctory"]))
    if slips:
        return VerdictPlan("adequate", rng.choice(TEXT["adequate_late"]))
    return VerdictPlan("adequate", rng.choice(TEXT["adequate"]))


@dataclass(frozen=True)
class TalkPlan:
    day: date  # the talk was held and recorded that day
    moment: datetime  # when it was recorded
    said: str
    response: str


def talk_for(
    seed: int,
    case_id: str,
    cadre_id: str,
    subject: str,
    opened_on: date,
    stories: Storylines,
    calendar: WorkingCalendar,
    end: date,
) -> TalkPlan | None:
    """Whether and when the case holder holds and records the reminder talk (None: not yet)."""
    rng = rng_for(seed, "talk", case_id)
    if subject == "reviewing":
        day = calendar.add_working_days(opened_on, 3)
        said, response = TEXT["talk_said_reviewer"], TEXT["talk_response_reviewer"]
    else:
        if cadre_id == stories.talk_open:
            return None
        if cadre_id in stories.talk_days and stories.talk_days[cadre_id] > opened_on:
            day = stories.talk_days[cadre_id]
        elif cadre_id in (stories.talk_then_accountability, stories.talk_closed):
            return None  # a later talk than the story's own (it is held on the story's day)
        elif cadre_id != stories.perfunctory and rng.random() >= TALKS_HELD_SHARE:
            return None
        else:
            day = calendar.add_working_days(opened_on, rng.randint(1, 4))
        said = (
            TEXT["talk_said_perfunctory"]
            if cadre_id == stories.perfunctory
            else rng.choice(TEXT["talk_said"])
        )
        response = rng.choice(TEXT["talk_response"])
    if day >= end:
        return None
    return TalkPlan(day, at(day, rng, time(9, 30), time(17, 0)), said, response)


@dataclass(frozen=True)
class FindingPlan:
    result: str
    note: str
    evidence_ref: str


def finding_session(
    seed: int, round_id: str, inspector_id: str, cadre_id: str, draw_day: date, calendar: WorkingCalendar
) -> datetime:
    """When an inspector checks one sampled cadre: within five weeks of the draw."""
    rng = rng_for(seed, "inspect", round_id, inspector_id, cadre_id)
    return at(calendar.add_working_days(draw_day, rng.randint(2, 25)), rng)


def finding_for(
    seed: int, round_id: str, inspector_id: str, cadre_id: str, day: date, number: int
) -> FindingPlan:
    rng = rng_for(seed, "finding", round_id, inspector_id, cadre_id, day.isoformat())
    result = "discrepancy" if rng.random() < DISCREPANCY_SHARE else "verified"
    ref = TEXT["evidence_ref"].format(year=day.year, number=number)
    return FindingPlan(result, rng.choice(TEXT[result]), ref)


def evaluation_moment(window: Window, calendar: WorkingCalendar) -> datetime:
    """HR grades the quarter three weeks after its draw (or on the last working day before the
    history ends, if that comes first), in the afternoon."""
    day = calendar.add_working_days(window.draw_day, 15)
    last = window.today - timedelta(days=1)
    while day > last or not calendar.is_working(day):
        day -= timedelta(days=1)
    day = max(day, window.draw_day)
    return datetime.combine(day, time(16, 0), tzinfo=SHANGHAI)


def grade_for(owed: int, on_time: int, adverse: int) -> Grade:
    """The quarter's grade from the log: how much was logged on the day, and adverse verdicts."""
    if owed == 0:
        return Grade.GOOD
    rate = on_time / owed
    if adverse >= 2 or rate < 0.75:
        return Grade.POOR
    if adverse or rate < 0.9:
        return Grade.FAIR
    return Grade.EXCELLENT if rate >= 0.98 else Grade.GOOD


def quarter_days(window: Window, calendar: WorkingCalendar) -> list[date]:
    return working_days(window.quarter.first_day, window.quarter.last_day, calendar)
