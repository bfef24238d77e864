"""Weekly review assignment: who reads whose logs for a Monday–Sunday week (docs/rules.md, Weekly reviews).

Each cadre active during the week is reviewed by the head of their unit. Cadres the unit head cannot
review go to the district leaders instead: the unit heads themselves (the head, anyone with the
``unit_head`` role), cadres of a unit with no head, and cadres whose head is no longer in post on the
Monday the assignment is made. District leaders sit in the leaders' unit, so its head (the district
Party secretary) reviews them, and the secretary, a unit head, goes to another leader.

The district leaders' share is spread evenly and deterministically: cadres sorted by id are dealt
round-robin to the leaders sorted by id, starting at a leader that moves one step each week, so the
load rotates and no leader's count differs from another's by more than one. Nobody reviews
themselves: a leader dealt their own log swaps it with another cadre's, which keeps the counts.
Anyone left without a possible reviewer is reported as a problem, never silently dropped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from datetime import date, timedelta
from typing import Literal

from worklog import messages
from worklog.models.roster import Cadre, Unit
from worklog.records import datarecord

TEXT = messages.ASSIGNMENT


@datarecord(frozen=True)
class Assignment:
    assignment_id: str
    reviewer_id: str
    cadre_id: str
    unit_id: str
    week_start: date  # Monday
    week_end: date  # Sunday
    due: date  # the Sunday after week_end


@datarecord(frozen=True)
class Unreviewed:
    """A cadre left without a reviewer for a week. ``text`` (Chinese, with the cadre's name) is for
    the run's answer; logs take the ids and the reason only (no personal data in logs)."""

    cadre_id: str
    unit_id: str
    reason: Literal["only_self", "no_leader"]  # the sole district leader; no leader in post
    text: str


def week_of(day: date) -> tuple[date, date]:
    """The Monday and Sunday of the week ``day`` falls in."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def assignment_id(week_start: date, cadre_id: str) -> str:
    """Deterministic, so a re-run for the same week produces the same ids."""
    return f"{week_start.isoformat()}#{cadre_id}"


def unit_reviewer(cadre: Cadre, units: Mapping[str, Unit], in_post: Collection[str]) -> str | None:
    """The head of the cadre's unit if they can review this cadre, else None (→ district leaders)."""
    unit = units.get(cadre.unit_id)
    head = unit.head_id if unit else None
    if head is None or head == cadre.cadre_id or "unit_head" in cadre.roles or head not in in_post:
        return None
    return head


def assign_week(
    week_start: date, cadres: Sequence[Cadre], units: Mapping[str, Unit], *, seed: str = ""
) -> tuple[list[Assignment], list[Unreviewed]]:
    """Assignments for the week starting ``week_start`` (a Monday), and problems in Chinese.

    Reviewers must be in post on the Monday after the week, when the review is assigned. ``seed``
    shifts the leaders' rotation reproducibly (empty: the rotation follows the week alone).
    """
    if week_start.weekday() != 0:
        raise ValueError(f"a review week starts on a Monday, not {week_start.isoformat()}")
    week_end = week_start + timedelta(days=6)
    assigned_on = week_end + timedelta(days=1)
    in_post = {c.cadre_id for c in cadres if c.active_on(assigned_on)}
    leaders = sorted(c.cadre_id for c in cadres if c.cadre_id in in_post and "district_leader" in c.roles)
    reviewed = sorted(
        (c for c in cadres if any(c.active_on(week_start + timedelta(days=i)) for i in range(7))),
        key=lambda c: c.cadre_id,
    )

    reviewer_of: dict[str, str] = {}
    to_leaders: list[str] = []
    for cadre in reviewed:
        head = unit_reviewer(cadre, units, in_post)
        if head is None:
            to_leaders.append(cadre.cadre_id)
        else:
            reviewer_of[cadre.cadre_id] = head
    reviewer_of.update(_deal(to_leaders, leaders, _rotation(week_start, seed)))

    due = week_end + timedelta(days=7)
    assignments: list[Assignment] = []
    problems: list[Unreviewed] = []
    for cadre in reviewed:
        reviewer = reviewer_of.get(cadre.cadre_id)
        if reviewer is None:
            reason: Literal["only_self", "no_leader"] = (
                "only_self" if leaders == [cadre.cadre_id] else "no_leader"
            )
            text = TEXT[reason].format(
                name=cadre.name,
                cadre_id=cadre.cadre_id,
                week_start=week_start.isoformat(),
                week_end=week_end.isoformat(),
            )
            problems.append(Unreviewed(cadre.cadre_id, cadre.unit_id, reason, text))
            continue
        assignments.append(
            Assignment(
                assignment_id(week_start, cadre.cadre_id),
                reviewer,
                cadre.cadre_id,
                cadre.unit_id,
                week_start,
                week_end,
                due,
            )
        )
    return assignments, problems


def _rotation(week_start: date, seed: str) -> int:
    week_number = (week_start.toordinal() - 1) // 7  # date(1, 1, 1) is a Monday: consecutive weeks
    seed_shift = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big") if seed else 0
    return week_number + seed_shift


def _deal(cadre_ids: list[str], leaders: list[str], rotation: int) -> dict[str, str]:
    """Round-robin ``cadre_ids`` (sorted) over ``leaders`` (sorted), starting at ``rotation``.

    A cadre dealt to themselves swaps reviewers with the nearest cadre whose reviewer is someone
    else; both end up with another person and every leader keeps their count. A lone cadre (no one
    to swap with) moves to the next leader, which is balanced too. The only cadre who cannot be
    placed is the sole leader's own log: left out, and reported by the caller.
    """
    if not leaders:
        return {}
    items = [c for c in cadre_ids if leaders != [c]]
    if not items:
        return {}
    start = rotation % len(leaders)
    order = leaders[start:] + leaders[:start]
    dealt = [order[i % len(order)] for i in range(len(items))]
    for i, cadre_id in enumerate(items):
        if dealt[i] != cadre_id:
            continue
        others = [(i + k) % len(items) for k in range(1, len(items))]
        j = next((j for j in others if dealt[j] != cadre_id), None)
        if j is None:
            dealt[i] = order[(i + 1) % len(order)]
        else:
            dealt[i], dealt[j] = dealt[j], dealt[i]
    return dict(zip(items, dealt, strict=True))
