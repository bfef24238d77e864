"""What a cadre owes for one logical date: the nightly missing-entry check's question.

The check runs for a date that has ended (normally yesterday) and asks, for that date only, which
obligations fell due on it (``ObligationPolicy.due_on``), so each obligation is reported exactly
once: a daily entry on the day itself, a monthly plan on the n-th working day of its month, a
half-year summary on the n-th working day of July (H1) or of January (H2 of the year before).

Whether a cadre owes each of them — in post, leave, the plan's or summary's whole window on
leave — is ``ObligationPolicy.owes``, the same function ``GET /me`` asks, so the list a cadre sees
and what this check records never disagree. The check reads leave from the cadre's standing.

``provisional`` copies the calendar's flag for the due date: a provisional obligation is reminded
but never escalated (docs/rules.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from enum import StrEnum

from worklog.models.roster import Cadre
from worklog.periods import ObligationPolicy
from worklog.records import datarecord

OnLeave = Callable[[str, date], bool]


class OwedKind(StrEnum):
    ENTRY = "entry"
    PLAN = "plan"
    SUMMARY = "summary"


@datarecord(frozen=True)
class Obligation:
    cadre_id: str
    unit_id: str
    kind: OwedKind
    period: str  # "2026-11-20" | "2026-11" | "2026-H1"
    due: date
    provisional: bool

    @property
    def period_key(self) -> str:
        """The period's key as the journal writes it (``ENTRY#2026-11-20``, ``PLAN#2026-11`` …)."""
        return f"{self.kind.upper()}#{self.period}"

    @property
    def partition(self) -> str:
        """The journal's by_day partition that holds what was saved for it."""
        return f"DAY#{self.period}" if self.kind is OwedKind.ENTRY else self.period_key


def obligations_due_on(
    day: date, cadres: Iterable[Cadre], policy: ObligationPolicy, on_leave: OnLeave
) -> list[Obligation]:
    """Everything that fell due on ``day``, per cadre, ordered by cadre id then entry/plan/summary.

    ``on_leave(cadre_id, d)`` answers whether the cadre was on approved leave on ``d``.
    """
    due = [policy.owing(p) for p in policy.due_on(day)]
    owed: list[Obligation] = []
    for cadre in sorted(cadres, key=lambda c: c.cadre_id):
        cadre_id = cadre.cadre_id

        def cadre_on_leave(d: date, cadre_id: str = cadre_id) -> bool:
            return on_leave(cadre_id, d)

        for owing in due:
            if policy.owes(cadre, owing.period, cadre_on_leave):
                period, kind = owing.period, OwedKind(str(owing.period.kind))
                owed.append(
                    Obligation(cadre_id, cadre.unit_id, kind, period.label, owing.due, owing.provisional)
                )
    return owed
