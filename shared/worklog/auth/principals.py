"""Who is calling: the roster profile behind a verified token, and role checks.

Roles come from the roster, never from the token. A warm container keeps profiles it has read for
``principal_cache_seconds`` so that a save's hot path does not re-read the roster every time.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date

from worklog.errors import Forbidden, Unauthenticated
from worklog.messages import MSG
from worklog.models.roster import Cadre, Role
from worklog.roster.repository import RosterRepository


@dataclass(frozen=True)
class Principal:
    cadre_id: str
    name: str
    unit_id: str
    title: str
    roles: frozenset[str]
    cadre: Cadre

    def has(self, *roles: Role) -> bool:
        return any(r in self.roles for r in roles)

    def require(self, *roles: Role) -> None:
        if not self.has(*roles):
            raise Forbidden(MSG["forbidden_role"], code="forbidden")


class PrincipalResolver:
    def __init__(self, roster: RosterRepository, ttl_seconds: float = 60.0) -> None:
        self.roster = roster
        self.ttl = ttl_seconds
        self._cache: dict[str, tuple[float, Cadre | None]] = {}
        self._lock = threading.Lock()

    def resolve(self, subject: str, today: date) -> Principal:
        cadre = self._lookup(subject)
        if cadre is None:
            raise Unauthenticated(MSG["unknown_subject"], code="unknown_subject")
        if cadre.left_on is not None and today > cadre.left_on:
            raise Unauthenticated(MSG["inactive_cadre"], code="inactive_cadre")
        return Principal(
            cadre.cadre_id, cadre.name, cadre.unit_id, cadre.title, frozenset(cadre.roles), cadre
        )

    def _lookup(self, subject: str) -> Cadre | None:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(subject)
        if hit and now - hit[0] < self.ttl:
            return hit[1]
        cadre = self.roster.get_cadre(subject)
        if cadre is not None:  # misses are not kept: a newly imported cadre can log in at once
            with self._lock:
                self._cache[subject] = (now, cadre)
        return cadre

    def forget(self) -> None:
        with self._lock:
            self._cache.clear()
