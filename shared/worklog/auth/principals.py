"""Who is calling: the roster profile behind a verified token, and role checks.

Roles come from the roster, never from the token. A warm container keeps profiles it has read for
``principal_cache_seconds`` so that reads and a save's hot path do not re-read the roster every
time. A write is never authorised on that cache: either it is resolved ``fresh`` (a consistent read
that also replaces the cached entry), or its own transaction checks the profile
(``worklog.roster.repository.profile_guard``, the journal's saves).
"""

from __future__ import annotations

import threading
import time
from datetime import date

from cachetools import TTLCache

from worklog.errors import Forbidden, Unauthenticated
from worklog.messages import MSG
from worklog.models.roster import Cadre, Role
from worklog.records import datarecord
from worklog.roster.repository import RosterRepository


@datarecord(frozen=True)
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


# More profiles than a district has cadres: the bound keeps a container's memory finite, not its reads.
_CACHE_SIZE = 100_000


def _now() -> float:
    return time.monotonic()  # looked up at each call, so that a test can move the clock


class PrincipalResolver:
    def __init__(self, roster: RosterRepository, ttl_seconds: float = 60.0) -> None:
        self.roster = roster
        self.ttl = ttl_seconds
        self._cache: TTLCache[str, Cadre] = TTLCache(maxsize=_CACHE_SIZE, ttl=ttl_seconds, timer=_now)
        self._lock = threading.Lock()

    def resolve(self, subject: str, today: date, *, fresh: bool = False) -> Principal:
        """The principal of ``subject``; ``fresh`` bypasses the cache and reads the latest profile."""
        cadre = self._lookup(subject, fresh)
        if cadre is None:
            raise Unauthenticated(MSG["unknown_subject"], code="unknown_subject")
        if cadre.left_on is not None and today > cadre.left_on:
            raise Unauthenticated(MSG["inactive_cadre"], code="inactive_cadre")
        return Principal(
            cadre.cadre_id, cadre.name, cadre.unit_id, cadre.title, frozenset(cadre.roles), cadre
        )

    def _lookup(self, subject: str, fresh: bool) -> Cadre | None:
        if not fresh:
            with self._lock:
                hit = self._cache.get(subject)
            if hit is not None:
                return hit
        cadre = self.roster.get_cadre(subject, consistent=fresh)
        with self._lock:
            if cadre is not None:
                self._cache[subject] = cadre
            else:  # misses are not kept: a newly imported cadre can log in at once
                self._cache.pop(subject, None)
        return cadre

    def forget(self) -> None:
        with self._lock:
            self._cache.clear()
