"""In-memory stand-ins for the repositories (unit tests: no AWS, no sockets)."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from typing import Any

from worklog.journal.records import Head, decode, head_from_item, head_item, revision_item
from worklog.journal.repository import RosterChanged, StaleHead


class FakeJournal:
    """Same contract as JournalRepository, including the conditional head."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self.cached: dict[str, Head] = {}
        self.appends = 0
        self.also: list[dict[str, Any]] = []  # the other tables' actions of each transaction
        self.guards: list[dict[str, Any]] = []  # the roster ConditionCheck of each transaction
        # The author's profile as the guard would find it: None always passes; a callable
        # (guard → bool) stands in for DynamoDB evaluating the ConditionCheck.
        self.roster_allows: Any = None

    def load_head(self, cadre_id: str, *, fresh: bool = False) -> Head:
        if not fresh and cadre_id in self.cached:
            return self.cached[cadre_id]
        item = self.items.get((f"CADRE#{cadre_id}", "HEAD"))
        head = head_from_item(copy.deepcopy(item)) if item else Head(cadre_id)
        self.cached[cadre_id] = head
        return head

    def append(
        self,
        before: Head,
        after: Head,
        record: dict[str, Any],
        view: dict[str, Any],
        also: Sequence[dict[str, Any]] = (),
        guard: dict[str, Any] | None = None,
    ) -> None:
        if guard is not None:
            self.guards.append(guard)
            if self.roster_allows is not None and not self.roster_allows(guard):
                self.cached.pop(before.cadre_id, None)
                raise RosterChanged(before.cadre_id)
        stored = self.items.get((f"CADRE#{before.cadre_id}", "HEAD"))
        if (stored["head_seq"] if stored else 0) != before.seq:
            self.cached.pop(before.cadre_id, None)
            raise StaleHead(before.cadre_id)
        rev = revision_item(record)
        if (rev["pk"], rev["sk"]) in self.items:  # the revision's own condition, as in DynamoDB
            self.cached.pop(before.cadre_id, None)
            raise StaleHead(before.cadre_id)
        for item in (rev, view, head_item(after)):
            self.items[(item["pk"], item["sk"])] = copy.deepcopy(item)
        self.cached[after.cadre_id] = after
        self.appends += 1
        self.also.extend(also)

    def get_view(self, cadre_id: str, period_key: str) -> dict[str, Any] | None:
        item = self.items.get((f"CADRE#{cadre_id}", period_key))
        return decode(copy.deepcopy(item)) if item else None

    def get_views(self, cadre_id: str, period_keys: list[str]) -> dict[str, dict[str, Any]]:
        return {k: v for k in period_keys if (v := self.get_view(cadre_id, k)) is not None}

    def views_between(self, cadre_id: str, prefix: str, first: str, last: str) -> Iterator[dict[str, Any]]:
        pk = f"CADRE#{cadre_id}"
        keys = sorted(
            sk for (p, sk) in self.items if p == pk and f"{prefix}#{first}" <= sk <= f"{prefix}#{last}"
        )
        return iter([decode(copy.deepcopy(self.items[(pk, sk)])) for sk in keys])

    def revisions(self, cadre_id: str, period_key: str) -> list[dict[str, Any]]:
        pk = f"CADRE#{cadre_id}"
        keys = sorted(sk for (p, sk) in self.items if p == pk and sk.startswith(f"REV#{period_key}#"))
        return [decode(copy.deepcopy(self.items[(pk, sk)])) for sk in keys]

    def chain(self, cadre_id: str) -> Iterator[dict[str, Any]]:
        pk = f"CADRE#{cadre_id}"
        revs = [v for (p, _), v in self.items.items() if p == pk and "seq" in v]
        return iter(sorted((decode(r) for r in copy.deepcopy(revs)), key=lambda r: r["seq"]))
