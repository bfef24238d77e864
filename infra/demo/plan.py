"""The demo's history as a plan: what each cadre logged and when, and what each reviewer, case
holder, inspector and evaluator decides. Pure and deterministic: the same seed and day give the
same plan (randomness comes from ``random.Random`` seeded with the seed and the ids involved).

The window (``history_window``): every day from the 1st of the month three months before today's
(or from the start of the quarter the history's audit round covers, if that is earlier) up to
yesterday, plus the summaries of the last half-year, written in the July or January after it.

The journal is ``worklog.roster.demo.generate_journal`` at a gentler pace than its three-week
default (over months, a cadre late on half their days would have the escalation ladder after them
within a fortnight), shaped by a few storylines so that every path of the ladder shows:

* ``talk_then_accountability`` — three misses in ten working days, a reminder talk recorded two
  days later, three more misses within the twenty working days after it: an accountability case;
* ``talk_closed`` — three misses, a talk, twenty working days on time, the case closed;
* ``talk_open`` — three misses in the last fortnight, the talk not held yet;
* ``perfunctory`` — two weeks of one-line entries judged "perfunctory" in one quarter: a talk;
* ``falsification`` — a week judged "suspected falsification": an accountability case;
* ``late_reviewer`` — a unit head two weeks late with the reviews in one quarter: a reviewer's talk;
* ``unreviewed`` — a unit head who never reviewed one week: it stays overdue.

The rest is habit: most reviews are done in the week after assignment and found adequate; cases
the nightly check opens are mostly talked through within days; inspectors check their sample over
the weeks after the draw; HR grades every cadre of the quarter.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from worklog.calendar import DayInfo, WorkingCalendar
from worklog.clock import SHANGHAI
from worklog.compliance.assignment import week_of
from worklog.models.grades import Grade
from worklog.models.roster import Cadre
from worklog.periods import Quarter
from worklog.roster.demo import DemoDistrict, DemoRecord, Pace, generate_journal

SEED = 2016
# Over months: a "misses" cadre misses about one working day in 40, a "late" one logs one in 30 late.
PACE = Pace(miss_rate=0.025, late_rate=0.033)
REVIEWS_LATE_SHARE = 0.015  # (reviewer, week) sessions done only after the review was overdue
TALKS_HELD_SHARE = 0.75  # talks the nightly check opens that the holder records within days
DISCREPANCY_SHARE = 0.08  # sampled entries an inspector finds not matching the facts

# User-facing text of the demo (Simplified Chinese), kept together so it can be reviewed as a whole.
TEXT: dict[str, Any] = {
    "adequate": (
        "记录具体，进度清楚",
        "内容翔实，与月度计划衔接较好",
        "工作记录完整，重点突出",
        "按时填写，事项和进展清楚",
        "记录真实具体，能反映工作实绩",
    ),
    "adequate_late": (
        "本周有补记，内容尚可，今后注意按时填写",
        "记录基本完整，个别日期补记",
    ),
    "perfunctory": (
        "连续多日只记“处理日常工作”，没有具体事项和进展，属敷衍应付",
        "记录过于简略，流于形式，请按要求写明事项和完成情况",
    ),
    "falsification": "所记 {day} 召开的项目推进会经核实当日并未召开，涉嫌虚构工作内容",
    "thin_item": "处理日常工作",
    "talk_said": (
        "指出近期多次未按时填写工作日志的问题，要求每天下班前如实记录当天工作事项和进展",
        "重申每日一记录的要求，指出漏记、补记较多，要求立即整改",
    ),
    "talk_said_perfunctory": "指出工作日志记录简单、流于形式，要求写明具体事项、进展和问题",
    "talk_said_reviewer": "指出本季度两周的日志审阅逾期未完成，要求每周按时审阅本单位干部日志",
    "talk_response": (
        "认识到问题，表示今后按时如实填写",
        "接受批评，说明近期外出较多，今后提前安排、按时填写",
    ),
    "talk_response_reviewer": "接受批评，表示今后每周一安排专门时间完成审阅",
    "close_reason": "谈话后连续二十个工作日按时如实填写，整改到位，予以办结",
    "verified": (
        "与会议纪要、签到表一致",
        "经核对台账，所记事项属实",
        "与现场照片和工作台账相符",
        "经电话回访服务对象，情况属实",
    ),
    "discrepancy": (
        "所记完成情况与台账不一致：实际尚在推进中",
        "所记走访户数多于走访记录",
    ),
    "evidence_ref": "纪检〔{year}〕抽查第{number:03d}号",
    "grade_comment": {
        Grade.EXCELLENT: "日志按时、具体，工作实绩突出",
        Grade.GOOD: "日志填写规范，工作完成较好",
        Grade.FAIR: "日志有漏记、补记或记录简略，需加强",
        Grade.POOR: "日志漏记较多或审阅发现问题，需限期整改",
    },
}

OFFICE = (time(9, 0), time(17, 30))


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in (seed, *parts)))


def at(day: date, rng: random.Random, earliest: time = OFFICE[0], latest: time = OFFICE[1]) -> datetime:
    """A moment on ``day`` between two times of day, to the second (Shanghai)."""
    start = earliest.hour * 3600 + earliest.minute * 60
    end = latest.hour * 3600 + latest.minute * 60
    second = rng.randint(start, end)
    return datetime.combine(day, time(second // 3600, second // 60 % 60, second % 60), tzinfo=SHANGHAI)


class CachedCalendar(WorkingCalendar):
    """A working calendar that remembers every day it was asked about (the history asks about the
    same few hundred days hundreds of thousands of times)."""

    def __init__(self, inner: WorkingCalendar) -> None:
        self.__dict__.update(inner.__dict__)
        self._days: dict[date, DayInfo] = {}

    def day(self, d: date) -> DayInfo:
        info = self._days.get(d)
        if info is None:
            info = self._days[d] = super().day(d)
        return info


# --- the window -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Window:
    today: date  # the history ends at the start of this day
    first: date  # the first day with logs
    summary_half: str  # the last half-year that ended, e.g. "2026-H1"
    summary_month: tuple[int, int]  # (year, month) its summaries were written in
    quarter: Quarter  # the audit round drawn within the history
    commit_day: date  # its seed was committed (the quarter's first working day)
    draw_day: date  # it was drawn (the next quarter's first working day)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), tzinfo=SHANGHAI)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.today, time(), tzinfo=SHANGHAI)


def first_working_day(q: Quarter, calendar: WorkingCalendar) -> date:
    d = q.first_day
    while not calendar.is_working(d):
        d += timedelta(days=1)
    return d


def _months_back(day: date, n: int) -> date:
    index = day.year * 12 + day.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def history_window(today: date, calendar: WorkingCalendar) -> Window:
    """The days the history covers, and its audit round: the last quarter drawn before today (the
    draw is on the next quarter's first working day; one due today is left to the scheduler)."""
    current = Quarter.of(today)
    previous = Quarter.of(current.first_day - timedelta(days=1))
    if first_working_day(current, calendar) < today:
        quarter, draw_day = previous, first_working_day(current, calendar)
    else:
        quarter, draw_day = (
            Quarter.of(previous.first_day - timedelta(days=1)),
            first_working_day(previous, calendar),
        )
    first = min(_months_back(today, 3), quarter.first_day)
    half = f"{today.year}-H1" if today.month >= 7 else f"{today.year - 1}-H2"
    summary_month = (today.year, 7) if today.month >= 7 else (today.year, 1)
    return Window(
        today=today,
        first=first,
        summary_half=half,
        summary_month=summary_month,
        quarter=quarter,
        commit_day=first_working_day(quarter, calendar),
        draw_day=draw_day,
    )


def working_days(first: date, last: date, calendar: WorkingCalendar) -> list[date]:
    return list(calendar.working_days(first, last))


def round_seed(seed: int, round_id: str) -> str:
    """The audit round's committed seed (64 hex digits), derived so that the demo is repeatable;
    a real round's seed comes from ``secrets``."""
    return hashlib.sha256(f"worklog-demo:{seed}:{round_id}".encode()).hexdigest()


# --- the journal and its storylines -------------------------------------------------------------------
@dataclass(frozen=True)
class Storylines:
    """Who plays which part, and the days that make it happen."""

    talk_then_accountability: str | None = None
    talk_closed: str | None = None
    talk_open: str | None = None
    perfunctory: str | None = None
    falsification: str | None = None
    late_reviewer: str | None = None
    unreviewed: str | None = None
    missed: dict[str, list[date]] = field(default_factory=dict)  # cadre -> days left unlogged
    talk_days: dict[str, date] = field(default_factory=dict)  # cadre -> day the talk is held
    close_day: date | None = None  # the talk_closed case is closed
    perfunctory_weeks: tuple[date, ...] = ()  # Mondays of the weeks judged perfunctory
    falsification_week: date | None = None
    late_weeks: tuple[date, ...] = ()  # Mondays of the weeks the late reviewer reviews late
    unreviewed_week: date | None = None

    def cadres(self) -> dict[str, str]:
        parts = {
            "talk_then_accountability": self.talk_then_accountability,
            "talk_closed": self.talk_closed,
            "talk_open": self.talk_open,
            "perfunctory": self.perfunctory,
            "falsification": self.falsification,
            "late_reviewer": self.late_reviewer,
            "unreviewed": self.unreviewed,
        }
        return {part: cadre for part, cadre in parts.items() if cadre is not None}


@dataclass(frozen=True)
class Journal:
    records: list[DemoRecord]
    storylines: Storylines
    first_saved: dict[tuple[str, str, str], datetime]  # (cadre, kind, period) -> first save
    late_days: dict[str, set[date]]  # cadre -> working days logged late
    unlogged: dict[str, set[date]]  # cadre -> working days owed and never logged
    leave_days: dict[str, set[date]]  # cadre -> days on leave

    def saved_by(self, cadre_id: str, kind: str, period: str, moment: datetime) -> bool | None:
        """Whether the period was saved by ``moment``; None if the plan has no such save."""
        first = self.first_saved.get((cadre_id, kind, period))
        return None if first is None else first <= moment


def demo_journal(
    district: DemoDistrict, window: Window, calendar: WorkingCalendar, seed: int = SEED
) -> Journal:
    base = generate_journal(
        district,
        window.today,
        seed=seed,
        is_working=calendar.is_working,
        first=window.first,
        summary_months=[window.summary_month],
        pace=PACE,
    )
    stories = choose_storylines(district, base, window, calendar, seed)
    records = _shape(base, stories, calendar)
    first_saved: dict[tuple[str, str, str], datetime] = {}
    for r in records:
        first_saved.setdefault((r.cadre_id, r.kind, r.period), r.saved_at)
    late_days: dict[str, set[date]] = defaultdict(set)
    logged: dict[str, set[date]] = defaultdict(set)
    for (cadre_id, kind, period), saved_at in first_saved.items():
        if kind == "entry":
            day = date.fromisoformat(period)
            logged[cadre_id].add(day)
            if saved_at.date() > day and calendar.is_working(day):
                late_days[cadre_id].add(day)
    on_leave = _leave_days(records)
    days = working_days(window.first, window.today - timedelta(days=1), calendar)
    unlogged = {
        c.cadre_id: {
            d
            for d in days
            if c.active_on(d) and d not in logged[c.cadre_id] and d not in on_leave[c.cadre_id]
        }
        for c in district.cadres
    }
    return Journal(records, stories, first_saved, dict(late_days), unlogged, dict(on_leave))


def _leave_days(records: Iterable[DemoRecord]) -> dict[str, set[date]]:
    days: dict[str, set[date]] = defaultdict(set)
    for r in records:
        if r.kind == "leave":
            first, _, last = r.period.partition("..")
            d, end = date.fromisoformat(first), date.fromisoformat(last or first)
            while d <= end:
                days[r.cadre_id].add(d)
                d += timedelta(days=1)
    return days


def _spotless(
    cadre_id: str, records: Sequence[DemoRecord], calendar: WorkingCalendar, days: list[date]
) -> bool:
    """Logged every working day of the window on the day, no leave, no late plan."""
    entries: dict[str, DemoRecord] = {}
    for r in records:
        if r.kind == "entry":
            entries.setdefault(r.period, r)  # the first save decides
    if any(r.kind == "leave" for r in records):
        return False
    for d in days:
        first = entries.get(d.isoformat())
        if first is None or first.saved_at.date() != d:
            return False
    for r in records:
        if r.kind == "plan":
            year, month = int(r.period[:4]), int(r.period[5:7])
            if r.saved_at.date() > calendar.nth_working_day(year, month, 3):
                return False
    return True


def choose_storylines(
    district: DemoDistrict,
    records: Sequence[DemoRecord],
    window: Window,
    calendar: WorkingCalendar,
    seed: int = SEED,
) -> Storylines:
    """Cast the storylines from cadres with a spotless log (so the story is all there is) in units
    with a head, the reviewers' from heads of other units; place their days in the window."""
    days = working_days(window.first, window.today - timedelta(days=1), calendar)
    by_cadre: dict[str, list[DemoRecord]] = defaultdict(list)
    for r in records:
        by_cadre[r.cadre_id].append(r)
    units = {u.unit_id: u for u in district.units}
    heads = {u.head_id for u in district.units}
    plain = [
        c
        for c in district.cadres
        if c.roles == ["cadre"]
        and c.cadre_id not in heads
        and c.active_on(window.first)
        and c.left_on is None
        and units[c.unit_id].head_id
        and _spotless(c.cadre_id, by_cadre[c.cadre_id], calendar, days)
    ]
    rng = _rng(seed, "storylines")
    rng.shuffle(plain)
    parts = ("talk_then_accountability", "talk_closed", "talk_open", "perfunctory", "falsification")
    cast: dict[str, Cadre] = dict(zip(parts, plain, strict=False))
    used_units = {c.unit_id for c in cast.values()}
    n = len(days)
    missed: dict[str, list[date]] = {}
    talk_days: dict[str, date] = {}
    close_day = None
    if "talk_then_accountability" in cast and n >= 30:
        i = min(8, n // 4)
        first_misses = [days[i], days[i + 2], days[i + 4]]
        talk = days[i + 6]  # opened by the check of days[i + 4], held two working days later
        after = [days[i + 9], days[i + 12], days[i + 15]]
        missed[cast["talk_then_accountability"].cadre_id] = first_misses + after
        talk_days[cast["talk_then_accountability"].cadre_id] = talk
    if "talk_closed" in cast and n >= 45:
        j = min(n // 3, n - 32)
        missed[cast["talk_closed"].cadre_id] = [days[j], days[j + 3], days[j + 6]]
        talk_days[cast["talk_closed"].cadre_id] = days[j + 9]
        close_day = days[j + 9 + 21]
    if "talk_open" in cast and n >= 12:
        missed[cast["talk_open"].cadre_id] = [days[-9], days[-7], days[-5]]

    weeks = _reviewed_weeks(window)
    perfunctory_weeks: tuple[date, ...] = ()
    pairs = [
        (a, b)
        for a in weeks
        for b in weeks
        if b == a + timedelta(days=14) and len({Quarter.of(d) for w in (a, b) for d in _session_days(w)}) == 1
    ]
    if "perfunctory" in cast and pairs:
        perfunctory_weeks = pairs[-1]
    falsification_week = weeks[-6] if "falsification" in cast and len(weeks) >= 6 else None

    reviewers = [
        u.head_id
        for u in sorted(district.units, key=lambda u: u.unit_id)
        if u.head_id
        and u.unit_id not in used_units
        and "district_leader" not in next(c.roles for c in district.cadres if c.cadre_id == u.head_id)
        and sum(1 for c in district.cadres if c.unit_id == u.unit_id) >= 6
    ]
    rng.shuffle(reviewers)
    late_reviewer = reviewers[0] if reviewers else None
    unreviewed = reviewers[1] if len(reviewers) > 1 else None
    # Two consecutive weeks of one quarter, the second marked overdue (a Monday three weeks on)
    # before the history ends.
    late_pairs = [
        (a, a + timedelta(days=7))
        for a in weeks
        if a + timedelta(days=7) in weeks
        and Quarter.of(a) == Quarter.of(a + timedelta(days=7))
        and a + timedelta(days=24) < window.today
    ]
    late_weeks = late_pairs[-1] if late_pairs and late_reviewer else ()
    overdue_weeks = [w for w in weeks if w + timedelta(days=14) < window.today]
    unreviewed_week = overdue_weeks[-1] if overdue_weeks and unreviewed else None
    return Storylines(
        talk_then_accountability=_id(cast.get("talk_then_accountability")),
        talk_closed=_id(cast.get("talk_closed")),
        talk_open=_id(cast.get("talk_open")),
        perfunctory=_id(cast.get("perfunctory")) if perfunctory_weeks else None,
        falsification=_id(cast.get("falsification")) if falsification_week else None,
        late_reviewer=late_reviewer if late_weeks else None,
        unreviewed=unreviewed if unreviewed_week else None,
        missed=missed,
        talk_days=talk_days,
        close_day=close_day if close_day is not None and close_day < window.today else None,
        perfunctory_weeks=perfunctory_weeks,
        falsification_week=falsification_week,
        late_weeks=late_weeks,
        unreviewed_week=unreviewed_week,
    )


def _id(cadre: Cadre | None) -> str | None:
    return cadre.cadre_id if cadre else None


def _reviewed_weeks(window: Window) -> list[date]:
    """Mondays of the weeks of the window whose review was done (on time) before it ends."""
    monday = week_of(window.first)[0]
    if monday < window.first:
        monday += timedelta(days=7)
    weeks = []
    while _on_time_session_day(monday) < window.today:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def _on_time_session_day(week_start: date) -> date:
    """The latest day an on-time session for the week can fall on (the Friday after it)."""
    return week_start + timedelta(days=11)


def _session_days(week_start: date) -> list[date]:
    """The days an on-time session for the week can fall on (Monday to Friday after it)."""
    return [week_start + timedelta(days=d) for d in range(7, 12)]


def _shape(records: Sequence[DemoRecord], stories: Storylines, calendar: WorkingCalendar) -> list[DemoRecord]:
    """The generated journal with the storylines' misses taken out and the perfunctory weeks'
    entries cut down to one line."""
    drop = {(cadre, d.isoformat()) for cadre, days in stories.missed.items() for d in days}
    thin: set[tuple[str, str]] = set()
    if stories.perfunctory:
        for monday in stories.perfunctory_weeks:
            for offset in range(7):
                thin.add((stories.perfunctory, (monday + timedelta(days=offset)).isoformat()))
    shaped = []
    for r in records:
        if r.kind == "entry" and (r.cadre_id, r.period) in drop:
            continue
        if r.kind == "entry" and (r.cadre_id, r.period) in thin:
            r = replace(r, body={"items": [{"content": TEXT["thin_item"], "status": "done"}]})
        shaped.append(r)
    return shaped


# --- what people decide ----------------------------------------------------------------------------
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
    rng = _rng(seed, "review", reviewer_id, week_start.isoformat())
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
    rng = _rng(seed, "verdict", cadre_id, week_start.isoformat())
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
    rng = _rng(seed, "talk", case_id)
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
    rng = _rng(seed, "inspect", round_id, inspector_id, cadre_id)
    return at(calendar.add_working_days(draw_day, rng.randint(2, 25)), rng)


def finding_for(
    seed: int, round_id: str, inspector_id: str, cadre_id: str, day: date, number: int
) -> FindingPlan:
    rng = _rng(seed, "finding", round_id, inspector_id, cadre_id, day.isoformat())
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
