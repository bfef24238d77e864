"""The demo's history as a plan: what each cadre logged and when, and what each reviewer, case
holder, inspector and evaluator decides. Pure and deterministic: the same seed and day give the
same plan (randomness comes from ``random.Random`` seeded with the seed and the ids involved).

The window (``history_window``): every day from the 1st of the month three months before today's
(or from the start of the quarter the history's audit round covers, if that is earlier) up to
yesterday, plus the summaries of the last half-year, written in the July or January after it.

The journal is ``infra.demo.journal.generate_journal`` at a gentler pace than its three-week
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
the weeks after the draw; HR grades every cadre of the quarter (``decisions``).
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from infra.demo.district import DemoDistrict
from infra.demo.journal import DemoRecord, Pace, generate_journal
from worklog.calendar import DayInfo, WorkingCalendar
from worklog.clock import SHANGHAI
from worklog.compliance.assignment import week_of
from worklog.models.grades import Grade
from worklog.models.roster import Cadre
from worklog.periods import Quarter

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


def rng_for(seed: int, *parts: object) -> random.Random:
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
    rng = rng_for(seed, "storylines")
    cast = _cast(district, records, window, calendar, days, rng)
    missed, talk_days, close_day = _missed_days(cast, days)
    weeks = _reviewed_weeks(window)
    pairs = [
        (a, b)
        for a in weeks
        for b in weeks
        if b == a + timedelta(days=14) and len({Quarter.of(d) for w in (a, b) for d in _session_days(w)}) == 1
    ]
    perfunctory_weeks: tuple[date, ...] = pairs[-1] if "perfunctory" in cast and pairs else ()
    falsification_week = weeks[-6] if "falsification" in cast and len(weeks) >= 6 else None
    late_reviewer, late_weeks, unreviewed, unreviewed_week = _reviewers(district, cast, window, weeks, rng)
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


def _cast(
    district: DemoDistrict,
    records: Sequence[DemoRecord],
    window: Window,
    calendar: WorkingCalendar,
    days: list[date],
    rng: random.Random,
) -> dict[str, Cadre]:
    """The cadres' parts: plain cadres (no other role) in post all along, spotless, in headed units."""
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
    rng.shuffle(plain)
    parts = ("talk_then_accountability", "talk_closed", "talk_open", "perfunctory", "falsification")
    return dict(zip(parts, plain, strict=False))


def _missed_days(
    cast: dict[str, Cadre], days: list[date]
) -> tuple[dict[str, list[date]], dict[str, date], date | None]:
    """The days the talk storylines leave unlogged, the days their talks are held, and the day the
    closed one's case is closed."""
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
    return missed, talk_days, close_day


def _reviewers(
    district: DemoDistrict, cast: dict[str, Cadre], window: Window, weeks: list[date], rng: random.Random
) -> tuple[str | None, tuple[date, ...], str | None, date | None]:
    """The late reviewer and their two late weeks, the unreviewing head and their week: heads of
    other units than the cast's, not district leaders, with at least six people to review."""
    used_units = {c.unit_id for c in cast.values()}
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
    return late_reviewer, late_weeks, unreviewed, unreviewed_week


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
