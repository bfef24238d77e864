"""EventBridge Scheduler, locally: the template's schedule expressions fired on the runtime's clock.

Expressions follow EventBridge Scheduler:

* ``cron(minutes hours day-of-month month day-of-week year)`` with ``* ? , - /`` everywhere they are
  allowed, names (JAN-DEC, SUN-SAT; day-of-week 1 is Sunday), ``L`` and ``W`` in day-of-month
  (``L``, ``L-3``, ``15W``, ``LW``) and ``L`` and ``#`` in day-of-week (``L``, ``6L``, ``MON#1``).
  Exactly one of day-of-month and day-of-week must be ``?``.
* ``rate(value unit)`` with ``minute``/``hour``/``day`` (singular for 1, plural otherwise); like a
  schedule without a StartDate it first fires when it is created (the runtime's start).
* ``at(yyyy-mm-ddThh:mm:ss)``: once.

A cron expression is checked here (so that a bad one is refused with AWS's terms: its field names,
its ranges, its weekday numbers) and translated into croniter's seven fields, which walks the
calendar. Wall-clock times are read in the schedule's time zone. As on AWS, a local time that does
not exist (spring forward) is skipped and one that occurs twice (fall back) fires once.

The ``Scheduler`` polls a ``Clock`` (the runtime passes ``worklog.clock.system_clock``), so moving
the clock past a fire time fires that schedule once, however many occurrences were jumped over.
"""

from __future__ import annotations

import calendar
import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterBadCronError, CroniterBadDateError, croniter

log = logging.getLogger("infra.local.scheduler")

MIN_YEAR, MAX_YEAR = 1970, 2199
_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, 1)}
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}


class ScheduleExpressionError(ValueError):
    """A schedule expression this runtime (and EventBridge Scheduler) cannot read."""


class Clock(Protocol):
    def now(self) -> datetime: ...


def aws_weekday(day: date) -> int:
    """Day of week as EventBridge numbers it: 1 = Sunday … 7 = Saturday."""
    return (day.weekday() + 1) % 7 + 1


class _AwsCroniter(croniter):
    """croniter with AWS's years: croniter's year field ends at 2099, EventBridge's at 2199."""

    RANGES = (*croniter.RANGES[:6], (MIN_YEAR, MAX_YEAR))
    LEN_MEANS_ALL = (*croniter.LEN_MEANS_ALL[:6], MAX_YEAR - MIN_YEAR + 1)


# --- cron fields: AWS's form checked and written in croniter's -----------------------------------


def _number(token: str, low: int, high: int, names: dict[str, int], what: str) -> int:
    token = token.strip().upper()
    if token in names:
        return names[token]
    if not token.isdigit():
        raise ScheduleExpressionError(f"{what}: {token!r} is not a number" + (" or a name" if names else ""))
    value = int(token)
    if not low <= value <= high:
        raise ScheduleExpressionError(f"{what}: {value} is outside {low}-{high}")
    return value


def _span(start: int, end: int, low: int, high: int) -> list[int]:
    """Values from start to end inclusive; a range that runs past ``high`` wraps to ``low``."""
    if start <= end:
        return list(range(start, end + 1))
    return list(range(start, high + 1)) + list(range(low, end + 1))


def _values(text: str, low: int, high: int, what: str, names: dict[str, int] | None = None) -> list[int]:
    """One plain field (``*``, lists, ranges, steps) as the sorted values it stands for.

    croniter gets these values as a list rather than the field as written: it reads an equal range
    (``5-5``) as the whole cycle and steps a wrapped range (``22-3/3``) from another phase than AWS.
    """
    names = names or {}
    values: set[int] = set()
    for token in text.split(","):
        token = token.strip()
        if not token:
            raise ScheduleExpressionError(f"{what}: empty list element in {text!r}")
        base, slash, step_text = token.partition("/")
        step = _number(step_text, 1, high - low + 1, {}, f"{what} step") if slash else 1
        if base == "*":
            span = list(range(low, high + 1))
        elif "-" in base:
            first, _, last = base.partition("-")
            start, end = _number(first, low, high, names, what), _number(last, low, high, names, what)
            span = _span(start, end, low, high)
        else:
            start = _number(base, low, high, names, what)
            # "5/15" means from 5 to the end of the field in steps of 15; a bare "5" is just 5.
            span = list(range(start, high + 1)) if slash else [start]
        values.update(span[::step])
    return sorted(values)


def _plain(text: str, low: int, high: int, what: str, names: dict[str, int] | None = None) -> str:
    """A plain field in croniter's form (``*`` stays ``*``)."""
    if text == "*":
        return "*"
    return ",".join(str(value) for value in _values(text, low, high, what, names))


DayRule = Callable[[date], bool]


def _last_day(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


# croniter has no "L-n" nor "LW": these two keep a day rule, and croniter narrows the days to try
# to the few that can be the one (the last four, or the last six, of a month).
def _days_before_last(offset: int, day: date) -> bool:
    return day.day == _last_day(day) - offset


def _last_weekday(day: date) -> bool:
    last = _last_day(day)
    return day.day == last - max(0, date(day.year, day.month, last).weekday() - 4)  # Sat -1, Sun -2


def _alone(token: str, text: str, what: str) -> None:
    if token != text.strip().upper():
        raise ScheduleExpressionError(f"{what}: {token!r} must be the field's only value")


def _day_of_month(text: str) -> tuple[str, DayRule | None]:
    """The day-of-month field in croniter's form, and the day rule croniter cannot express."""
    what, fields, plain = "day-of-month", [], []
    for token in (t.strip().upper() for t in text.split(",")):
        if token == "L":
            fields.append("L")
        elif re.fullmatch(r"L-\d{1,2}", token):
            _alone(token, text, what)
            offset = int(token[2:])
            if offset > 30:
                raise ScheduleExpressionError(f"{what}: offset in {token!r} is too large")
            return f"{max(1, 28 - offset)}-{31 - offset}", partial(_days_before_last, offset)
        elif token == "LW":
            _alone(token, text, what)
            return "26-31", _last_weekday
        elif re.fullmatch(r"\d{1,2}W", token):
            _alone(token, text, what)
            fields.append(f"{_number(token[:-1], 1, 31, {}, what)}W")
        else:
            plain.append(token)  # anything else must be numeric; _values says why not
    if plain:
        fields.append(_plain(",".join(plain), 1, 31, what))
    return ",".join(fields), None


def _day_of_week(text: str) -> str:
    """The day-of-week field in croniter's numbers (0 = Sunday; AWS says 1)."""
    what, plain = "day-of-week", []
    for token in (t.strip().upper() for t in text.split(",")):
        if token == "L":  # "L" alone is the last day of the week: Saturday
            plain.append("SAT")
        elif match := re.fullmatch(r"([A-Z]{3}|\d)L", token):
            _alone(token, text, what)
            return f"L{_number(match.group(1), 1, 7, _DAYS, what) - 1}"
        elif match := re.fullmatch(r"([A-Z]{3}|\d)#(\d)", token):
            _alone(token, text, what)
            nth = _number(match.group(2), 1, 5, {}, f"{what} #")
            return f"{_number(match.group(1), 1, 7, _DAYS, what) - 1}#{nth}"
        else:
            plain.append(token)
    if plain == ["*"]:
        return "*"
    return ",".join(str(value - 1) for value in _values(",".join(plain), 1, 7, what, _DAYS))


# --- expressions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CronExpression:
    text: str
    croniter_form: str  # minutes hours day-of-month month day-of-week second year, in croniter's terms
    day_rule: DayRule | None = field(default=None, repr=False)

    def next_after(self, moment: datetime, tz: ZoneInfo) -> datetime | None:
        """The first fire time strictly after ``moment`` (aware), or None if there is none."""
        after_utc = moment.astimezone(UTC)
        # croniter walks naive wall-clock time: the zone's gaps and repeats are handled below.
        walk = _AwsCroniter(
            self.croniter_form,
            moment.astimezone(tz).replace(tzinfo=None),
            max_years_between_matches=MAX_YEAR - MIN_YEAR,
        )
        try:
            while True:
                wall: datetime = walk.get_next(datetime)
                if wall.year > MAX_YEAR:  # a day rule that never holds: croniter would walk on
                    return None
                if self.day_rule is not None and not self.day_rule(wall.date()):
                    walk.set_current(datetime.combine(wall.date(), time(23, 59, 59)))  # next day
                    continue
                candidate = _existing_local(wall, tz)
                # compare instants: aware datetimes sharing a tzinfo compare by wall time
                if candidate is not None and candidate.astimezone(UTC) > after_utc:
                    return candidate
        except CroniterBadDateError:  # no such time before the end of the year field
            return None


@dataclass(frozen=True)
class RateExpression:
    text: str
    interval: timedelta

    def next_after(self, moment: datetime, anchor: datetime) -> datetime:
        """The first of ``anchor + k * interval`` (k >= 0) strictly after ``moment``.

        Durations are exact (in UTC): as on AWS, a day is 24 hours even across a DST change.
        """
        moment, anchor = moment.astimezone(UTC), anchor.astimezone(UTC)
        if moment < anchor:
            return anchor
        steps = (moment - anchor) // self.interval + 1
        return anchor + steps * self.interval


@dataclass(frozen=True)
class AtExpression:
    text: str
    local: datetime  # naive wall-clock time in the schedule's zone

    def moment(self, tz: ZoneInfo) -> datetime:
        return self.local.replace(tzinfo=tz)


Expression = CronExpression | RateExpression | AtExpression


def _existing_local(wall: datetime, tz: ZoneInfo) -> datetime | None:
    """The aware local time, or None when the wall-clock time does not exist (DST gap)."""
    candidate = wall.replace(tzinfo=tz, fold=0)  # fold=0: the first of a repeated time
    if candidate.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall:
        return None
    return candidate


_UNITS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}


def parse_expression(text: str) -> Expression:
    """Parse an EventBridge Scheduler expression; raise ScheduleExpressionError with the reason."""
    expression = text.strip()
    match = re.fullmatch(r"(cron|rate|at)\((.*)\)", expression, flags=re.DOTALL)
    if not match:
        raise ScheduleExpressionError(f"{text!r}: expected cron(...), rate(...) or at(...)")
    kind, body = match.group(1), match.group(2).strip()
    try:
        if kind == "cron":
            return _parse_cron(expression, body)
        if kind == "rate":
            return _parse_rate(expression, body)
        return _parse_at(expression, body)
    except ScheduleExpressionError as err:
        raise ScheduleExpressionError(f"{text!r}: {err}") from None


def _parse_cron(text: str, body: str) -> CronExpression:
    fields = body.split()
    if len(fields) != 6:
        raise ScheduleExpressionError(
            f"cron needs 6 fields (minutes hours day-of-month month day-of-week year), got {len(fields)}"
        )
    minute_f, hour_f, dom_f, month_f, dow_f, year_f = fields
    if (dom_f == "?") == (dow_f == "?"):
        raise ScheduleExpressionError("exactly one of day-of-month and day-of-week must be '?'")
    for name, value in (("minutes", minute_f), ("hours", hour_f), ("month", month_f), ("year", year_f)):
        if "?" in value:
            raise ScheduleExpressionError(f"{name}: '?' is only allowed in day-of-month or day-of-week")
    dom, day_rule = ("*", None) if dom_f == "?" else _day_of_month(dom_f)
    dow = "*" if dow_f == "?" else _day_of_week(dow_f)
    form = " ".join(
        (
            _plain(minute_f, 0, 59, "minutes"),
            _plain(hour_f, 0, 23, "hours"),
            dom,
            _plain(month_f, 1, 12, "month", _MONTHS),
            dow,
            "0",  # croniter's seconds
            _plain(year_f, MIN_YEAR, MAX_YEAR, "year"),
        )
    )
    try:
        _AwsCroniter(form)
    except CroniterBadCronError as err:  # what the checks above let through and croniter cannot run
        raise ScheduleExpressionError(str(err)) from None
    return CronExpression(text=text, croniter_form=form, day_rule=day_rule)


def _parse_rate(text: str, body: str) -> RateExpression:
    match = re.fullmatch(r"(\d+)\s+(minute|minutes|hour|hours|day|days)", body)
    if not match:
        raise ScheduleExpressionError("rate needs 'value unit' with unit minute(s), hour(s) or day(s)")
    value, unit = int(match.group(1)), match.group(2)
    if value < 1:
        raise ScheduleExpressionError("rate value must be a positive whole number")
    singular = unit.rstrip("s")
    if (value == 1) != (unit == singular):
        raise ScheduleExpressionError(f"use '{singular}' for a value of 1 and '{singular}s' otherwise")
    return RateExpression(text=text, interval=value * _UNITS[singular])


def _parse_at(text: str, body: str) -> AtExpression:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", body):
        raise ScheduleExpressionError("at needs yyyy-mm-ddThh:mm:ss")
    try:
        return AtExpression(text=text, local=datetime.fromisoformat(body))
    except ValueError as err:
        raise ScheduleExpressionError(f"at: {err}") from None


def zone(name: str | None) -> ZoneInfo:
    """The schedule's time zone (EventBridge Scheduler's default is UTC)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ScheduleExpressionError(f"unknown time zone {name!r}") from err


# --- the scheduler -------------------------------------------------------------------------------


@dataclass
class ScheduledJob:
    """One schedule of one function, with its state in the local scheduler."""

    function: str
    name: str
    expression: Expression
    tz: ZoneInfo
    input: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True
    anchor: datetime | None = None  # rate schedules: when the schedule was created
    next_fire: datetime | None = None
    fired: int = 0
    last_fired_at: datetime | None = None
    last_error: str | None = None

    @classmethod
    def build(
        cls,
        function: str,
        name: str,
        expression: str,
        timezone: str | None = None,
        input: dict[str, Any] | None = None,
        enabled: bool = True,
    ) -> ScheduledJob:
        return cls(function, name, parse_expression(expression), zone(timezone), dict(input or {}), enabled)

    def plan(self, now: datetime) -> None:
        """Set the first fire time after ``now`` (used at start and when the clock goes back)."""
        expr = self.expression
        now = now.astimezone(UTC)  # fire times are kept in UTC so comparisons are between instants
        if isinstance(expr, CronExpression):
            self.next_fire = _utc(expr.next_after(now, self.tz))
        elif isinstance(expr, RateExpression):
            if self.anchor is None:
                self.anchor = now  # no StartDate: the first invocation is at creation
                self.next_fire = now
            else:
                self.next_fire = expr.next_after(now, self.anchor)
        else:
            moment = expr.moment(self.tz).astimezone(UTC)
            self.next_fire = moment if self.fired == 0 and moment > now else None

    def advance(self, now: datetime) -> None:
        """After a firing at ``now``: the next occurrence strictly after it (missed ones collapse)."""
        expr = self.expression
        if isinstance(expr, CronExpression):
            self.next_fire = _utc(expr.next_after(now, self.tz))
        elif isinstance(expr, RateExpression):
            assert self.anchor is not None
            self.next_fire = expr.next_after(now, self.anchor)
        else:
            self.next_fire = None

    def describe(self) -> dict[str, Any]:
        return {
            "function": self.function,
            "schedule": self.name,
            "expression": self.expression.text,
            "timezone": self.tz.key,
            "enabled": self.enabled,
            "next_fire": _local_iso(self.next_fire, self.tz),
            "fired": self.fired,
            "last_fired_at": _local_iso(self.last_fired_at, self.tz),
            "last_error": self.last_error,
        }


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment is not None else None


def _local_iso(moment: datetime | None, tz: ZoneInfo) -> str | None:
    return moment.astimezone(tz).isoformat(timespec="seconds") if moment is not None else None


Invoke = Callable[[ScheduledJob, dict[str, Any]], Any]

# A clock moved back by more than this re-plans every schedule from the new "now".
_BACKWARDS_TOLERANCE = timedelta(seconds=1)


class Scheduler:
    """Fires due jobs by calling ``invoke(job, event)``; one firing per due job per tick."""

    def __init__(self, jobs: Sequence[ScheduledJob], clock: Clock, invoke: Invoke, tick_seconds: float = 1.0):
        self.jobs = list(jobs)
        self.clock = clock
        self.invoke = invoke
        self.tick_seconds = tick_seconds
        self._last_now: datetime | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def plan(self, since: datetime | None = None) -> None:
        """Plan each job's next firing after ``since`` (default: now). Planned from a moment in
        the past, the first tick fires, once each, the jobs that came due since then."""
        now = since or self.clock.now()
        with self._lock:
            for job in self.jobs:
                job.plan(now)
            self._last_now = now

    def tick(self) -> list[ScheduledJob]:
        """Fire every enabled job whose time has come; returns the jobs fired."""
        with self._lock:
            now = self.clock.now()
            if self._last_now is None:
                for job in self.jobs:
                    job.plan(now)
            elif now < self._last_now - _BACKWARDS_TOLERANCE:
                log.info("clock moved back to %s: re-planning schedules", now.isoformat())
                for job in self.jobs:
                    job.plan(now)
            self._last_now = now
            now_utc = now.astimezone(UTC)
            due = [j for j in self.jobs if j.enabled and j.next_fire is not None and j.next_fire <= now_utc]
            planned = [(job, self._advance(job, now)) for job in due]
        # Run outside the lock: a long run must not block /_local/schedules or a clock change.
        for job, scheduled_for in planned:
            self._fire(job, now, scheduled_for)
        return due

    @staticmethod
    def _advance(job: ScheduledJob, now: datetime) -> datetime | None:
        scheduled_for = job.next_fire
        job.fired += 1
        job.last_fired_at = now
        job.advance(now)
        return scheduled_for

    def _fire(self, job: ScheduledJob, now: datetime, scheduled_for: datetime | None) -> None:
        log.info(
            "schedule %s/%s (%s %s) fired at %s for %s",
            job.function,
            job.name,
            job.expression.text,
            job.tz.key,
            now.astimezone(job.tz).isoformat(timespec="seconds"),
            scheduled_for.astimezone(job.tz).isoformat(timespec="seconds") if scheduled_for else "-",
        )
        try:
            self.invoke(job, dict(job.input))
            job.last_error = None
        except Exception as err:  # a failed run must not stop the scheduler
            job.last_error = f"{type(err).__name__}: {err}"
            log.exception("schedule %s/%s failed", job.function, job.name)

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [job.describe() for job in self.jobs]

    # --- thread ----------------------------------------------------------------------------------
    def start(self) -> None:
        """Start ticking (planning from now, unless ``plan`` was called already)."""
        if self._thread is not None:
            return
        if self._last_now is None:
            self.plan()
        self._thread = threading.Thread(target=self._run, name="local-scheduler", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Check now rather than at the next tick (after the clock was moved)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self.tick_seconds)
            self._wake.clear()
            if self._stopping.is_set():
                break
            try:
                self.tick()
            except Exception:
                log.exception("scheduler tick failed")
