"""The quarterly audit run (双随机): on the first working day of a quarter, draw the quarter that
ended and commit the seed of the quarter that starts (worklog.audit.rounds)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from worklog.audit.rounds import Rounds
from worklog.clock import Clock, system_clock, today
from worklog.periods import Quarter
from worklog.records import datarecord


@datarecord
class QuarterlyRunSummary:
    """What one run did (the handler's answer and its log line)."""

    date: date
    ran: bool
    drawn: str | None = None
    committed: str | None = None
    already_drawn: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "date": self.date.isoformat()}


class QuarterlyRun:
    """The scheduled run. ``rounds`` (with its repositories and calendar) and the clock are injected;
    the defaults are the production ones."""

    def __init__(self, *, rounds: Rounds | None = None, clock: Clock = system_clock) -> None:
        self.rounds = rounds or Rounds(clock=clock)
        self.clock = clock

    def run(self, day: date | None = None) -> QuarterlyRunSummary:
        """On the first working day of a quarter: draw the quarter that ended (committing it first
        if it never was), then commit the quarter that starts. Any other day does nothing."""
        day = day or today(self.clock)
        current = Quarter.of(day)
        first_working = next(
            d
            for d in (current.first_day + timedelta(days=i) for i in range(31))
            if self.rounds.calendar.is_working(d)
        )
        if day != first_working:
            return QuarterlyRunSummary(day, ran=False)
        previous = Quarter.of(current.first_day - timedelta(days=1))
        summary = QuarterlyRunSummary(day, ran=True)
        r = self.rounds.commit(self.rounds.quarter_round(previous))
        if r.state == "drawn":
            summary.already_drawn = True
        else:
            summary.drawn = self.rounds.draw(r.round_id).round_id
        summary.committed = self.rounds.commit(self.rounds.quarter_round(current)).round_id
        return summary
