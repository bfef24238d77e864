"""Stored shapes of the journal, built by pure functions (used by the service and the demo seed).

A cadre's partition holds:
  HEAD                        chain head: last seq and hash, and the state of still-writable periods
  REV#<KIND>#<label>#<nnnn>   one immutable revision (has ``seq``: the by_seq index orders the chain)
  <KIND>#<label>              the current view of a period, derived from its latest revision
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from worklog.chain import revision_hash
from worklog.periods import Kind, LockdownPolicy, Period


@dataclass
class Head:
    cadre_id: str
    seq: int = 0
    hash: str | None = None
    # period key -> {"rev": int, "late": bool, "first": iso, "locks": iso date, "items": [plan item ids]}
    periods: dict[str, dict[str, Any]] = field(default_factory=dict)

    def state(self, period: Period) -> dict[str, Any] | None:
        return self.periods.get(period.key)


def head_item(head: Head) -> dict[str, Any]:
    return {
        "pk": f"CADRE#{head.cadre_id}",
        "sk": "HEAD",
        "cadre_id": head.cadre_id,
        "head_seq": head.seq,
        "head_hash": head.hash,
        "periods": head.periods,
    }


def head_from_item(item: dict[str, Any]) -> Head:
    return Head(
        item["cadre_id"], int(item["head_seq"]), item.get("head_hash"), dict(item.get("periods") or {})
    )


def build_revision(
    head: Head,
    *,
    period: Period,
    revision: int,
    body: dict[str, Any],
    reason: str | None,
    saved_at: str,
    author: str,
    late: bool,
) -> dict[str, Any]:
    """The next revision on ``head``'s chain, hashed (not yet stored)."""
    record: dict[str, Any] = {
        "cadre_id": head.cadre_id,
        "seq": head.seq + 1,
        "kind": str(period.kind),
        "period": period.label,
        "revision": revision,
        "body": body,
        "reason": reason,
        "saved_at": saved_at,
        "author": author,
        "late": late,
    }
    record["previous_hash"] = head.hash
    record["hash"] = revision_hash(record, head.hash)
    return record


def _stored_body(body: dict[str, Any]) -> str:
    """Bodies are stored as one JSON string: nothing queries inside them, and a flat item is far
    cheaper to write and read than a nested map (the demo district loads 26,000 items)."""
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def decode(item: dict[str, Any]) -> dict[str, Any]:
    """A stored revision or view as the domain sees it (body parsed back)."""
    if isinstance(item.get("body"), str):
        return {**item, "body": json.loads(item["body"])}
    return item


def revision_item(record: dict[str, Any]) -> dict[str, Any]:
    sk = f"REV#{str(record['kind']).upper()}#{record['period']}#{int(record['revision']):04d}"
    return {"pk": f"CADRE#{record['cadre_id']}", "sk": sk, **record, "body": _stored_body(record["body"])}


def view_item(record: dict[str, Any], *, first_saved_at: str, unit_id: str) -> dict[str, Any]:
    """The current view of the record's period (replaces the previous view)."""
    kind = str(record["kind"])
    item: dict[str, Any] = {
        "pk": f"CADRE#{record['cadre_id']}",
        "sk": f"{kind.upper()}#{record['period']}",
        "cadre_id": record["cadre_id"],
        "unit_id": unit_id,
        "kind": kind,
        "period": record["period"],
        "revision": record["revision"],
        "late": record["late"],
        "first_saved_at": first_saved_at,
        "saved_at": record["saved_at"],
        "hash": record["hash"],
        "body": _stored_body(record["body"]),
    }
    if kind == Kind.ENTRY:
        # by_day: a day's submissions across the roster (the nightly sweep reads these pages).
        item["day_pk"] = f"DAY#{record['period']}"
        item["day_sk"] = f"CADRE#{record['cadre_id']}"
    elif kind in (Kind.PLAN, Kind.SUMMARY):
        # by_day, overloaded: a month's plans (a half-year's summaries) across the roster, read
        # by the nightly check on their due date.
        item["day_pk"] = f"{kind.upper()}#{record['period']}"
        item["day_sk"] = f"CADRE#{record['cadre_id']}"
    return item


def advance(
    head: Head, record: dict[str, Any], period: Period, state: dict[str, Any] | None, today: date
) -> Head:
    """The head after ``record``, with locked periods pruned (they can never be written again)."""
    periods = {k: v for k, v in head.periods.items() if date.fromisoformat(v["locks"]) >= today}
    if state is not None:
        periods[period.key] = state
    return Head(head.cadre_id, int(record["seq"]), str(record["hash"]), periods)


@dataclass(frozen=True)
class Appended:
    """One save, computed on a head: what to write and the head it leads to."""

    record: dict[str, Any]
    view: dict[str, Any]
    after: Head
    created: bool


def append(
    head: Head,
    *,
    period: Period,
    body: dict[str, Any],
    reason: str | None,
    saved_at: str,
    author: str,
    unit_id: str,
    policy: LockdownPolicy,
) -> Appended:
    """The next revision of ``period`` on ``head``'s chain (pure: nothing is written).

    The first save of a period decides whether it is late, and when; later revisions carry that
    over. The head keeps the state of periods that can still be written (leave is never revised).
    """
    saved_on = date.fromisoformat(saved_at[:10])
    state = head.state(period)
    late = (
        bool(state["late"]) if state else (period.kind is not Kind.LEAVE and policy.is_late(period, saved_on))
    )
    first = str(state["first"]) if state else saved_at
    record = build_revision(
        head,
        period=period,
        revision=int(state["rev"]) + 1 if state else 1,
        body=body,
        reason=reason,
        saved_at=saved_at,
        author=author,
        late=late,
    )
    new_state: dict[str, Any] | None = None
    if period.kind is not Kind.LEAVE:
        new_state = {
            "rev": record["revision"],
            "late": late,
            "first": first,
            "locks": policy.window(period).locks_after.isoformat(),
        }
        if period.kind is Kind.PLAN:
            new_state["items"] = [i["id"] for i in body["items"]]
    return Appended(
        record=record,
        view=view_item(record, first_saved_at=first, unit_id=unit_id),
        after=advance(head, record, period, new_state, saved_on),
        created=state is None,
    )
