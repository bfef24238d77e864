"""A few weeks (or months) of realistic log records for the demo district (``district``).

``generate_journal`` writes what the district's cadres would have logged in the weeks before a
day: mostly on time, some late, a few missed days, a handful of leaves and corrections, so that
the compliance sweeps, reviews and the public site have something real to do.

Pure and deterministic: the same inputs give the same output. Randomness comes from
``random.Random`` instances seeded from the inputs (never the global generator, never the clock):
one per cadre, and one per cadre and day or month, so a cadre's journal does not depend on the
rest of the roster and the text of a day's entry does not change when the window moves.
"""

from __future__ import annotations

import functools
import random
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from infra.demo import district_data as data
from infra.demo.district import DemoDistrict, Weighted, pick, pick_distinct
from infra.demo.district_data import ContentFamily, UnitSpec
from worklog.clock import SHANGHAI
from worklog.models.roster import Cadre

RecordKind = Literal["entry", "plan", "summary", "leave"]
LeaveKind = Literal["annual", "sick", "business_trip", "training"]


# Cadre habits and their shares: most log every working day on time.
HABITS = Weighted(("punctual", 0.85), ("late", 0.07), ("misses", 0.05), ("leave", 0.03))
ITEM_COUNTS = Weighted((1, 0.10), (2, 0.25), (3, 0.35), (4, 0.20), (5, 0.10))
STATUSES = Weighted(("done", 0.72), ("in_progress", 0.23), ("not_done", 0.05))
PLAN_DAY = Weighted((1, 0.55), (2, 0.28), (3, 0.12), (5, 0.05))  # n-th working day; the 5th is late


@dataclass(frozen=True)
class Pace:
    """How often, per working day, a cadre with the "misses" habit misses the day and one with the
    "late" habit logs it late. The defaults make a few weeks show every habit; a journal of months
    needs less, or the escalation ladder would be busy with half the district."""

    miss_rate: float = 0.08
    late_rate: float = 0.45


DEFAULT_PACE = Pace()


@dataclass(frozen=True)
class DemoRecord:
    """One save of a cadre's journal, as the entries service would have stored it."""

    cadre_id: str
    kind: RecordKind
    period: str  # "2026-11-20" | "2026-11" | "2026-H1" | leave: "2026-11-02..2026-11-04"
    body: dict[str, Any]
    saved_at: datetime  # aware, Asia/Shanghai
    reason: str | None
    author: str


def generate_journal(
    district: DemoDistrict,
    today: date,
    *,
    weeks: int = 3,
    seed: int = 2016,
    is_working: Callable[[date], bool],
    first: date | None = None,
    summary_months: Sequence[tuple[int, int]] = (),
    pace: Pace = DEFAULT_PACE,
) -> list[DemoRecord]:
    """Every cadre's saves for the ``weeks`` weeks before ``today`` (today excluded), or from
    ``first`` on when it is given.

    Daily entries on working days, the monthly plan of each month the window touches and of
    today's month, a half-year summary when the window reaches into January or July (and in each
    of ``summary_months``, (year, month) pairs of January or July, even before the window), leaves,
    and a few second revisions. Records are grouped by cadre (roster order) and each cadre's are in
    strictly increasing ``saved_at``, all before the start of ``today``.
    """
    calendar = _Calendar(is_working)
    first = first or today - timedelta(days=7 * weeks)
    window = [first + timedelta(days=i) for i in range((today - first).days)]
    months = sorted({(d.year, d.month) for d in window} | {(today.year, today.month)})
    summaries = sorted({m for m in months if m[1] in (1, 7)} | {m for m in summary_months if m[1] in (1, 7)})
    writer = _Writer(district)
    records: list[DemoRecord] = []
    for cadre in district.cadres:
        journal = _CadreJournal(cadre, writer, calendar, today, seed, pace)
        records.extend(journal.build([d for d in window if calendar.working(d)], months, summaries))
    return records


class _Calendar:
    """is_working, remembered (chinese-calendar lookups are not free and every cadre asks)."""

    def __init__(self, is_working: Callable[[date], bool]) -> None:
        self._is_working = is_working
        self._days: dict[date, bool] = {}
        self._months: dict[tuple[int, int], list[date]] = {}

    def working(self, day: date) -> bool:
        known = self._days.get(day)
        if known is None:
            known = self._days[day] = bool(self._is_working(day))
        return known

    def working_days_of(self, year: int, month: int) -> list[date]:
        days = self._months.get((year, month))
        if days is None:
            day, days = date(year, month, 1), []
            while day.month == month:
                if self.working(day):
                    days.append(day)
                day += timedelta(days=1)
            self._months[(year, month)] = days
        return days

    def previous_working_day(self, day: date) -> date:
        for back in range(1, 15):
            if self.working(day - timedelta(days=back)):
                return day - timedelta(days=back)
        return day - timedelta(days=1)


@dataclass(frozen=True)
class _Plan:
    saved_at: datetime
    subjects: dict[str, str]  # plan item id -> subject, for entries that reference the plan


class _Writer:
    """Turns templates into text for one district: knows its streets, units and communities."""

    def __init__(self, district: DemoDistrict) -> None:
        specs = {s.unit_id: s for s in data.UNITS}
        self.specs = {
            u.unit_id: specs.get(u.unit_id)
            or UnitSpec(u.unit_id, u.name, u.category, "office", ("重点工作",))
            for u in district.units
        }
        self.streets = [
            u.name.removesuffix("办事处") for u in district.units if self.specs[u.unit_id].kind == "street"
        ] or ["春熙路街道"]
        self.unit_names = [u.name for u in district.units if self.specs[u.unit_id].kind != "leaders"]
        self.pools: dict[str, Sequence[Any]] = {
            "money": (35, 48, 60, 85, 120, 150, 230, 380, 500),
            "pct": (80, 90, 95, 100),
            "place": data.PLACES,
            "street": self.streets,
            "unit": self.unit_names,
            "meeting": data.MEETINGS,
            "issue": data.ISSUES,
            "company": data.COMPANIES,
            "when": data.WHEN,
        }
        self.communities: dict[str, list[str]] = {}
        for unit in district.units:
            local = random.Random(f"communities:{unit.unit_id}")
            self.communities[unit.unit_id] = [w + "社区" for w in local.sample(data.COMMUNITY_WORDS, 4)]

    def family(self, unit_id: str) -> ContentFamily:
        return data.CONTENT_FAMILY[self.specs[unit_id].kind]

    def subjects(self, unit_id: str) -> tuple[str, ...]:
        return self.specs[unit_id].subjects

    def fill(self, template: str, rng: random.Random, unit_id: str, subject: str, day: date) -> str:
        """The template with its placeholders drawn (only those it uses: this runs ~50k times)."""
        values: dict[str, Any] = {}
        for name in _placeholders(template):
            if name == "subject":
                values[name] = subject
            elif name == "month":
                values[name] = day.month
            elif name == "phone":  # fictional, in the 139 range
                values[name] = f"139{int(rng.random() * 1e8):08d}"
            elif name == "community":
                values[name] = pick(rng, self.communities.get(unit_id) or ["红星社区"])
            elif name in self.pools:
                values[name] = pick(rng, self.pools[name])
            else:
                low, high = NUMBER_RANGES[name]
                values[name] = low + int(rng.random() * (high - low + 1))
        # Subjects may end in 工作 and templates say "{subject}工作": say it once.
        return template.format(**values).replace("工作工作", "工作")


NUMBER_RANGES: dict[str, tuple[int, int]] = {"n": (3, 12), "m": (12, 60), "k": (2, 6), "day": (15, 28)}


@functools.cache
def _placeholders(template: str) -> tuple[str, ...]:
    # Ordered and de-duplicated, so that the draws happen in the same order in every process.
    return tuple(dict.fromkeys(name for _, name, _, _ in string.Formatter().parse(template) if name))


def _at(day: date, rng: random.Random, earliest: time, latest: time) -> datetime:
    start = earliest.hour * 3600 + earliest.minute * 60
    end = latest.hour * 3600 + latest.minute * 60
    seconds = rng.randint(start, end)
    return datetime.combine(day, time(seconds // 3600, seconds // 60 % 60, seconds % 60), tzinfo=SHANGHAI)


EVENING = (time(17, 5), time(22, 45))
OFFICE_HOURS = (time(8, 40), time(17, 50))
MORNING = (time(8, 30), time(11, 55))


class _CadreJournal:
    def __init__(
        self, cadre: Cadre, writer: _Writer, calendar: _Calendar, today: date, seed: int, pace: Pace
    ) -> None:
        self.cadre = cadre
        self.writer = writer
        self.calendar = calendar
        self.today = today
        self.seed = seed
        self.pace = pace
        self.rng = random.Random(f"{seed}:{cadre.cadre_id}")
        self.habit = HABITS.draw(self.rng)
        self.records: list[DemoRecord] = []

    def _record(
        self,
        kind: RecordKind,
        period: str,
        body: dict[str, Any],
        saved_at: datetime,
        reason: str | None = None,
    ) -> None:
        cid = self.cadre.cadre_id
        self.records.append(DemoRecord(cid, kind, period, body, saved_at, reason, cid))

    def build(
        self, working_days: list[date], months: list[tuple[int, int]], summaries: list[tuple[int, int]]
    ) -> list[DemoRecord]:
        days = [d for d in working_days if self.cadre.active_on(d)]
        on_leave = self._leave(days) if self.habit == "leave" else set()
        plans = {m: p for m in months if (p := self._plan(*m)) is not None}
        for year, month in summaries:
            self._summary(year, month)
        forced_miss = self.rng.choice(days) if self.habit == "misses" and days else None
        for day in days:
            if day not in on_leave:
                self._entry(day, plans.get((day.year, day.month)), missed=day == forced_miss)
        return _strictly_increasing(sorted(self.records, key=lambda r: r.saved_at))

    # --- periods --------------------------------------------------------------------------------
    def _plan(self, year: int, month: int) -> _Plan | None:
        rng = random.Random(f"{self.seed}:{self.cadre.cadre_id}:{year}-{month:02d}")
        working = [d for d in self.calendar.working_days_of(year, month) if self.cadre.active_on(d)]
        if not working:
            return None
        nth = PLAN_DAY.draw(rng)
        saved_on = working[min(nth, len(working)) - 1]
        if saved_on >= self.today:
            return None  # not written yet
        saved_at = _at(saved_on, rng, *OFFICE_HOURS)
        unit_id = self.cadre.unit_id
        subjects = list(self.writer.subjects(unit_id))
        rng.shuffle(subjects)
        templates = rng.sample(data.PLAN_TEMPLATES, rng.randint(3, 5))
        items, refs = [], {}
        for number, (content, target) in enumerate(templates, start=1):
            subject = subjects[(number - 1) % len(subjects)]
            item_id = f"p{number}"
            refs[item_id] = subject
            items.append(
                {
                    "id": item_id,
                    "content": self.writer.fill(content, rng, unit_id, subject, saved_on.replace(day=1)),
                    "target": self.writer.fill(target, rng, unit_id, subject, saved_on.replace(day=1)),
                }
            )
        self._record("plan", f"{year:04d}-{month:02d}", {"items": items}, saved_at)
        return _Plan(saved_at, refs)

    def _summary(self, year: int, month: int) -> None:
        rng = random.Random(f"{self.seed}:{self.cadre.cadre_id}:summary:{year}-{month:02d}")
        working = self.calendar.working_days_of(year, month)
        if len(working) < 9 or rng.random() < 0.05:
            return
        saved_on = working[rng.randint(1, 8)]
        if saved_on >= self.today or not self.cadre.active_on(saved_on):
            return
        half = f"{year}-H1" if month == 7 else f"{year - 1}-H2"
        subjects = self.writer.subjects(self.cadre.unit_id)
        s1, s2, s3 = (pick_distinct(rng, subjects, 3) * 3)[:3]
        body = {
            part: template.format(s1=s1, s2=s2, s3=s3, n=rng.randint(6, 18))
            for part, template in data.SUMMARY_TEMPLATES.items()
        }
        self._record("summary", half, body, _at(saved_on, rng, *OFFICE_HOURS))

    def _leave(self, days: list[date]) -> set[date]:
        if len(days) < 4:
            return set()
        length = self.rng.choice((2, 3))
        start = self.rng.randrange(0, len(days) - length + 1)
        block = days[start : start + length]
        kind: LeaveKind = self.rng.choice(("annual", "sick", "business_trip", "training"))
        body = {
            "from": block[0].isoformat(),
            "to": block[-1].isoformat(),
            "kind": kind,
            "note": self.rng.choice(data.LEAVE_NOTES[kind]),
        }
        if kind == "sick":  # reported on the morning it starts
            saved_at = _at(block[0], self.rng, time(7, 30), time(8, 50))
        else:  # filed before leaving the office
            saved_at = _at(self.calendar.previous_working_day(block[0]), self.rng, time(15, 0), time(17, 50))
        self._record("leave", f"{block[0].isoformat()}..{block[-1].isoformat()}", body, saved_at)
        return set(block)

    def _entry(self, day: date, plan: _Plan | None, *, missed: bool) -> None:
        rng = random.Random(f"{self.seed}:{self.cadre.cadre_id}:{day.isoformat()}")
        if missed or (self.habit == "misses" and rng.random() < self.pace.miss_rate):
            return
        delay = rng.randint(1, 5) if self.habit == "late" and rng.random() < self.pace.late_rate else 0
        saved_on = day + timedelta(days=delay)
        if saved_on >= self.today:
            return  # will be written late, but not yet
        saved_at = _at(saved_on, rng, *(EVENING if delay == 0 else OFFICE_HOURS))
        usable_plan = plan if plan is not None and plan.saved_at < saved_at else None
        body = self._entry_body(day, rng, usable_plan)
        period = day.isoformat()
        self._record("entry", period, body, saved_at)
        if rng.random() < 0.025 and saved_on + timedelta(days=1) < self.today:
            reason = rng.choice(data.REVISION_REASONS)
            revised = _revise(body, reason, self.writer, rng, self.cadre.unit_id, day)
            self._record("entry", period, revised, _at(saved_on + timedelta(days=1), rng, *MORNING), reason)

    def _entry_body(self, day: date, rng: random.Random, plan: _Plan | None) -> dict[str, Any]:
        unit_id = self.cadre.unit_id
        family = self.writer.family(unit_id)
        subjects = self.writer.subjects(unit_id)
        count = ITEM_COUNTS.draw(rng)
        templates = pick_distinct(rng, data.ITEM_TEMPLATES[family], count)
        plan_ids = sorted(plan.subjects) if plan is not None else []
        items: list[dict[str, Any]] = []
        for template in templates:
            item: dict[str, Any] = {}
            subject = pick(rng, subjects)
            if rng.random() < 0.04:
                template = pick(rng, data.INTERNAL_TEMPLATES.get(family, data.INTERNAL_DEFAULT))
                item["internal"] = True
            elif family == "street" and rng.random() < data.CONTACT_SHARE:
                template = data.CONTACT_TEMPLATE
            elif plan is not None and "{subject}" in template and rng.random() < 0.4:
                # Work on a plan item says so, and is about that item's subject.
                item_id = pick(rng, plan_ids)
                subject = plan.subjects[item_id]
                item["plan_item_id"] = item_id
            content = self.writer.fill(template, rng, unit_id, subject, day)
            items.append({"content": content, "status": STATUSES.draw(rng), **item})
        body: dict[str, Any] = {"items": items}
        if rng.random() < 0.06:
            body["mistakes"] = self.writer.fill(
                pick(rng, data.MISTAKES), rng, unit_id, pick(rng, subjects), day
            )
        if rng.random() < 0.18:
            body["reflections"] = self.writer.fill(
                pick(rng, data.REFLECTIONS), rng, unit_id, pick(rng, subjects), day
            )
        return body


def _revise(
    body: dict[str, Any], reason: str, writer: _Writer, rng: random.Random, unit_id: str, day: date
) -> dict[str, Any]:
    """The body of a next-day correction: the whole entry again, with the change the reason names."""
    items = [dict(i) for i in body["items"]]
    if reason == "补充遗漏事项" or not items:
        template = rng.choice(data.ITEM_TEMPLATES[writer.family(unit_id)])
        subject = rng.choice(writer.subjects(unit_id))
        items.append({"content": writer.fill(template, rng, unit_id, subject, day), "status": "done"})
    elif reason == "补充工作进度":
        pending = [i for i in items if i["status"] != "done"] or items
        pending[0]["status"] = "done"
        pending[0]["content"] += data.REVISION_PROGRESS_SUFFIX
    else:
        done = [i for i in items if i["status"] == "done"] or items
        done[0]["status"] = "in_progress"
        done[0]["content"] += data.REVISION_CORRECTED_SUFFIX
    return {**body, "items": items}


def _strictly_increasing(records: list[DemoRecord]) -> list[DemoRecord]:
    """Chains need a strict order; two saves drawn in the same second are set a second apart."""
    for index in range(1, len(records)):
        if records[index].saved_at <= records[index - 1].saved_at:
            records[index] = replace(
                records[index], saved_at=records[index - 1].saved_at + timedelta(seconds=1)
            )
    return records
