"""EventBridge Scheduler's schedule expressions, read as AWS reads them.

* ``cron(minutes hours day-of-month month day-of-week year)`` with ``* ? , - /`` everywhere they are
  allowed, names (JAN-DEC, SUN-SAT; day-of-week 1 is Sunday), ``L`` and ``W`` in day-of-month
  (``L``, ``L-3``, ``15W``, ``LW``) and ``L`` and ``#`` in day-of-week (``L``, ``6L``, ``MON#1``).
  Exactly one of day-of-month and day-of-week must be ``?``; ``W``, ``L-n``, ``LW``, ``nL`` and
  ``#`` stand alone in their field.
* ``rate(value unit)`` with ``minute``/``hour``/``day`` (singular for 1, plural otherwise).
* ``at(yyyy-mm-ddThh:mm:ss)``: once.

A cron expression is checked here (so that a bad one is refused in AWS's terms: its field names,
its ranges, its weekday numbers) and translated into croniter's seven fields; croniter walks the
calendar. Wall-clock times are read in the schedule's time zone. As on AWS, a local time that does
not exist (spring forward) is skipped and one that occurs twice (fall back) fires once.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterBadCronError, CroniterBadDateError, croniter

MIN_YEAR, MAX_YEAR = 1970, 2199
_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, 1)}
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}


class ScheduleExpressionError(ValueError):
    """A schedule expression this runtime (and EventBridge Scheduler) cannot read."""


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
