"""What a roster import would write (the importer's plan) and what it needs from the store.

A plan holds each valid row (its cadre, the unit it defines, the profile it replaces and any head
it demotes) and the rejected rows; the role changes each row makes are derived from it, and
stamped with who, when and which import only when the import runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import field
from typing import Literal, Protocol

from worklog.models.roster import Cadre, RejectedRow, RoleChange, RoleState, Unit
from worklog.records import datarecord
from worklog.roster.row_refs import IdCardIndex


class RosterStore(Protocol):
    """What the importer needs from the roster repository (RosterRepository satisfies it)."""

    def list_units(self) -> Iterable[Unit]: ...

    def get_cadres(self, cadre_ids: Iterable[str]) -> Mapping[str, Cadre]: ...

    def id_card_index(self, cadre_ids: Iterable[str], hashes: Iterable[str]) -> IdCardIndex: ...

    def put_row(
        self,
        cadre: Cadre,
        unit: Unit | None = None,
        others: Iterable[Cadre] = (),
        *,
        seen: Mapping[str, Cadre | None] | None = None,
        changes: Sequence[RoleChange] = (),
        id_card_hash: str | None = None,
    ) -> bool: ...

    def put_unit(self, unit: Unit) -> None: ...


@datarecord(frozen=True)
class RoleDelta:
    """A change of what a cadre may do that a planned row makes (stamped into a RoleChange when
    the import runs)."""

    cadre_id: str
    row: int | None
    cause: Literal["row", "head_replaced"]
    before: RoleState | None
    after: RoleState

    def stamped(self, *, at: str, by: str, import_id: str) -> RoleChange:
        return RoleChange(
            cadre_id=self.cadre_id,
            at=at,
            by=by,
            import_id=import_id,
            row=self.row,
            cause=self.cause,
            before=self.before,
            after=self.after,
        )


@datarecord(frozen=True)
class PlannedRow:
    """One valid row: its cadre and (when the row defines it) unit, the profile it replaces (None:
    new to the roster), any replaced head it demotes, as (stored, written), and the keyed hash of
    its ID-card number (registered with the cadre when the row is written)."""

    row: int
    cadre: Cadre
    unit: Unit | None
    before: Cadre | None = None
    demoted: tuple[tuple[Cadre, Cadre], ...] = ()
    id_card_hash: str | None = None

    @property
    def deltas(self) -> list[RoleDelta]:
        found = []
        after = RoleState.of(self.cadre)
        if self.before is None or RoleState.of(self.before) != after:
            before = RoleState.of(self.before) if self.before else None
            found.append(RoleDelta(self.cadre.cadre_id, self.row, "row", before, after))
        for stored, written in self.demoted:
            found.append(
                RoleDelta(stored.cadre_id, None, "head_replaced", RoleState.of(stored), RoleState.of(written))
            )
        return found

    @property
    def seen(self) -> dict[str, Cadre | None]:
        """The profiles this row's transaction expects to find unchanged."""
        return {self.cadre.cadre_id: self.before, **{stored.cadre_id: stored for stored, _ in self.demoted}}


@datarecord(frozen=True)
class ImportPlan:
    """What an import would write: each valid row (cadre, unit, role changes), and the rejected
    rows."""

    planned: list[PlannedRow]
    rejected: list[RejectedRow]
    # Units whose stored head is replaced by a row of this file while the old head has no row in
    # it: unit id → the old head, who loses the unit_head role in the same transaction.
    replaced_heads: dict[str, str] = field(default_factory=dict)
    # Units whose stored head's row takes them elsewhere or drops the role: written without a head.
    headless: list[Unit] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[Cadre, Unit | None]]:
        return [(p.cadre, p.unit) for p in self.planned]

    @property
    def role_changes(self) -> list[RoleDelta]:
        return [delta for p in self.planned for delta in p.deltas]

    @property
    def units(self) -> list[Unit]:
        """The distinct units the plan upserts, in first-seen order."""
        seen: dict[str, Unit] = {}
        for _, unit in self.rows:
            if unit is not None:
                seen.setdefault(unit.unit_id, unit)
        return list(seen.values())
