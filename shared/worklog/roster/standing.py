"""A cadre's standing: the little compliance state the nightly check needs, kept beside the profile.

The nightly missing-entry check must read no more than the pages of the roster and the pages of the
day's submissions (the budget in docs/benchmarks.md). Everything else it needs about a cadre — leave
that may cover the checked date, the misses of the ladder's window, entries saved late since they
were found missing — lives in one small item per cadre in the roster table, sorted right after the
cadre's profile in the ``by_roster`` index, so the pages the check reads anyway carry it:

  standing  pk=CADRE#<id>  sk=STANDING  by_roster: ROSTER/CADRE#<id>#STANDING

It exists only for cadres who have something in it, and every piece is one top-level attribute, so
writers never read it first and never overwrite each other:

  ``leave:<from>``        = "<to>"                              (written with the leave, by entries)
  ``late:<PERIOD KEY>``   = "<saved_at>"                        (written with a late save, by entries)
  ``miss:<kind>/<period>`` = {"due", "provisional", "status"}  (written with the missing record)

The nightly check removes what has aged out of every window it uses, so the item stays small.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import field
from datetime import date
from typing import Any

from worklog.records import datarecord

STANDING_SK = "STANDING"
LEAVE = "leave:"
LATE = "late:"
MISS = "miss:"


def standing_key(cadre_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"CADRE#{cadre_id}"}, "sk": {"S": STANDING_SK}}


def standing_roster_sk(cadre_id: str) -> str:
    return f"CADRE#{cadre_id}#{STANDING_SK}"


@datarecord(frozen=True)
class Miss:
    """A missing record as the standing remembers it."""

    kind: str
    period: str
    due: date
    provisional: bool
    status: str = "missing"

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.period}"

    @property
    def period_key(self) -> str:
        return f"{self.kind.upper()}#{self.period}"

    def value(self) -> dict[str, Any]:
        return {
            "M": {
                "due": {"S": self.due.isoformat()},
                "provisional": {"BOOL": self.provisional},
                "status": {"S": self.status},
            }
        }


@datarecord
class Standing:
    cadre_id: str
    leave: dict[date, date] = field(default_factory=dict)
    late: dict[str, str] = field(default_factory=dict)
    misses: dict[str, Miss] = field(default_factory=dict)

    @classmethod
    def from_item(cls, cadre_id: str, item: Mapping[str, Any]) -> Standing:
        """From a plain (already unmarshalled) item."""
        standing = cls(cadre_id)
        for name, value in item.items():
            if name.startswith(LEAVE):
                standing.leave[date.fromisoformat(name[len(LEAVE) :])] = date.fromisoformat(value)
            elif name.startswith(LATE):
                standing.late[name[len(LATE) :]] = str(value)
            elif name.startswith(MISS):
                kind, period = name[len(MISS) :].split("/", 1)
                miss = Miss(
                    kind,
                    period,
                    date.fromisoformat(value["due"]),
                    bool(value["provisional"]),
                    value["status"],
                )
                standing.misses[miss.key] = miss
        return standing

    def on_leave(self, day: date) -> bool:
        return any(first <= day <= last for first, last in self.leave.items())

    def stale(
        self,
        *,
        leave_before: date,
        misses_before: date,
        late_until: date,
        locked: Callable[[Miss], bool] = lambda _: True,
    ) -> list[str]:
        """Attribute names nothing will read again: leave that ended before ``leave_before``,
        misses due before ``misses_before`` (entries), or also ``locked`` (plans and summaries,
        which can be saved late for longer), late marks of periods due on or before
        ``late_until`` that no open miss is waiting for."""
        open_keys = {m.period_key for m in self.misses.values() if m.status == "missing"}
        names = [f"{LEAVE}{first.isoformat()}" for first, last in self.leave.items() if last < leave_before]
        names += [
            f"{MISS}{m.key}"
            for m in self.misses.values()
            if m.due < misses_before and (m.kind == "entry" or locked(m))
        ]
        names += [
            f"{LATE}{period_key}"
            for period_key in self.late
            if period_key not in open_keys and _due_by(period_key, late_until)
        ]
        return names


def _due_by(period_key: str, day: date) -> bool:
    """Whether a period's obligation can have been checked by ``day`` (entries: the date itself;
    plans and summaries: no later than their month's or half-year's following month)."""
    kind, _, period = period_key.partition("#")
    if kind == "ENTRY":
        return date.fromisoformat(period) <= day
    if kind == "PLAN":
        year, month = int(period[:4]), int(period[5:7])
        return (year, month) < (day.year, day.month)
    if kind == "SUMMARY":
        year, half = int(period[:4]), period[5:]
        first_due = date(year, 7, 31) if half == "H1" else date(year + 1, 1, 31)
        return first_due < day
    return True


# --- writes (Update actions, for a transaction or on their own) ----------------------------------


def _update(
    table: str,
    cadre_id: str,
    sets: Mapping[str, dict[str, Any]],
    removes: Iterable[str] = (),
) -> dict[str, Any]:
    names: dict[str, str] = {"#rp": "roster_pk", "#rs": "roster_sk"}
    values: dict[str, Any] = {":rp": {"S": "ROSTER"}, ":rs": {"S": standing_roster_sk(cadre_id)}}
    clauses = ["#rp = :rp", "#rs = :rs"]
    for i, (name, value) in enumerate(sets.items()):
        names[f"#s{i}"] = name
        values[f":s{i}"] = value
        clauses.append(f"#s{i} = :s{i}")
    expression = "SET " + ", ".join(clauses)
    removed = [n for n in removes if n not in sets]
    if removed:
        for i, name in enumerate(removed):
            names[f"#r{i}"] = name
        expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(removed)))
    return {
        "TableName": table,
        "Key": standing_key(cadre_id),
        "UpdateExpression": expression,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }


def learned_from(record: Mapping[str, Any]) -> dict[str, str]:
    """What the standing learns from one journal revision: a leave's span, or that a save came
    late (so the nightly check can mark the missing record late-submitted)."""
    if record["kind"] == "leave":
        return {f"{LEAVE}{record['body']['from']}": str(record["body"]["to"])}
    if record["late"]:
        return {f"{LATE}{str(record['kind']).upper()}#{record['period']}": str(record["saved_at"])}
    return {}


def revision_update(table: str, record: Mapping[str, Any]) -> dict[str, Any] | None:
    """The Update action that goes with a revision in its transaction (None: nothing to learn)."""
    learned = learned_from(record)
    if not learned:
        return None
    return _update(table, str(record["cadre_id"]), {k: {"S": v} for k, v in learned.items()})


def standing_items(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The standings these revisions leave behind, as whole items (bulk loads: demo, benchmark)."""
    items: dict[str, dict[str, Any]] = {}
    for record in records:
        learned = learned_from(record)
        if learned:
            cadre_id = str(record["cadre_id"])
            item = items.setdefault(
                cadre_id,
                {
                    "pk": f"CADRE#{cadre_id}",
                    "sk": STANDING_SK,
                    "roster_pk": "ROSTER",
                    "roster_sk": standing_roster_sk(cadre_id),
                },
            )
            item.update(learned)
    return list(items.values())


def sweep_update(
    table: str, cadre_id: str, misses: Iterable[Miss], removes: Iterable[str] = ()
) -> dict[str, Any]:
    return _update(table, cadre_id, {f"{MISS}{m.key}": m.value() for m in misses}, removes)
