"""The demo district in the local runtime: the short demo (``--demo-weeks``) loaded before start-up
ends, or the full one (the roster at once, months of history in the background, ``infra.demo``);
the public site's first build; and the demo accounts the banner and the sign-in page list."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from infra.local.functions import LocalFunction
from infra.local.oidc import DemoAccount

log = logging.getLogger("infra.local")

# Kinds of user the banner shows an account of, with the role that makes them that kind.
ACCOUNT_KINDS = [
    ("cadre", "cadre"),
    ("unit head", "unit_head"),
    ("leader", "district_leader"),
    ("admin", "admin"),
    ("org insp.", "org_inspector"),
    ("discipline", "discipline_inspector"),
    ("hr", "hr_evaluator"),
]


class _Cancelled(Exception):
    """The runtime is stopping: the demo's history stops loading."""


class Demo:
    """The demo's data and its state for /_local/health: "none" (no demo), "loading" (the
    history is being loaded), "ready" or "failed"."""

    def __init__(self, *, weeks: int | None = None, publish: bool = True) -> None:
        self.weeks = weeks
        self.publish = publish
        self.state = "none"
        self.summary: dict[str, Any] | None = None
        self.history: Any = None
        self.day: date | None = None
        self.district: Any = None
        self.site_building = threading.Event()  # the start-up build of the public site is running
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None

    def stop(self) -> None:
        self._cancel.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def seed(self) -> None:
        """The short demo: the roster and ``weeks`` weeks of logs, before start() returns."""
        try:
            from infra.seed import seed_demo
        except ImportError as err:
            # The demo is a convenience: the runtime is still useful (import a roster) without it.
            log.warning("no demo data: cannot import infra.seed (%s); continuing with empty tables", err)
            return
        started = time.monotonic()
        self.summary = dict(seed_demo(weeks=self.weeks or 3))
        self.state = "ready"
        log.info("demo data loaded in %.1f s: %s", time.monotonic() - started, self.summary)

    def seed_roster(self, today: date) -> None:
        """The full demo's roster, before start() returns: tokens and /me work at once."""
        from infra.demo.loader import demo_district, load_roster

        self.day = today
        self.district = demo_district(today)
        load_roster(self.district)
        self.state = "loading"
        self.summary = {
            "units": len(self.district.units),
            "cadres": len(self.district.cadres),
            "history": "loading in the background",
        }

    def load_history_in_background(self, publisher: LocalFunction | None, loaded: Callable[[], None]) -> None:
        """The demo's months of history (``infra.demo.loader``), then the site; ``loaded`` is called
        once the history is in (or failed to load), so that the schedules start. API requests are
        served throughout (see the loader for why they are safe). The publisher function's lock is
        held from the start to the end of it all: a run of it meanwhile (the nightly one, or one a
        notice opened through the API sets off) waits, rather than fix a closed month's unit figures
        from half the history (they are computed once)."""
        assert self.day is not None and self.district is not None  # seed_roster ran
        publishing = publisher.lock if publisher is not None else threading.Lock()
        started = time.monotonic()

        def progress(step: str) -> None:
            if self._cancel.is_set():
                raise _Cancelled
            log.info("demo history: %s (%.1f s)", step, time.monotonic() - started)
            if step == "site":
                self.site_building.set()
            if step in ("site", "ready") and self.state == "loading":
                self.state = "ready"
                log.info("demo history loaded in %.1f s; the schedules start now", time.monotonic() - started)
                loaded()

        def load() -> None:
            with publishing:
                self._load_history(progress, loaded)
            if self.history is not None:
                summary = self.history.as_dict()
                log.info("demo history and site ready in %.1f s: %s", time.monotonic() - started, summary)

        self._thread = threading.Thread(target=load, name="demo-history", daemon=True)
        self._thread.start()

    def _load_history(self, progress: Callable[[str], None], loaded: Callable[[], None]) -> None:
        from infra.demo.loader import load_history
        from infra.demo.replay import Interrupted

        # The loader is busy in Python for minutes; a request waits for it to let go of the
        # interpreter at every socket read and write along its way (to the embedded AWS and back),
        # so let go more often while it loads.
        assert self.day is not None  # seed_roster ran
        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, 0.0005))
        try:
            self.history = load_history(
                self.district, self.day, publish=self.publish, progress=progress, stop=self._cancel
            )
        except (_Cancelled, Interrupted):
            return
        except Exception:
            if self._cancel.is_set():
                return  # the embedded AWS went away under it
            log.exception("loading the demo's history failed")
            self.state = "failed"
            loaded()
        finally:
            sys.setswitchinterval(interval)
            self.site_building.clear()

    def publish_in_background(self, publisher: LocalFunction | None, url: str) -> None:
        """Render the demo district's public site once at start-up (the nightly schedule keeps it
        up to date after that); /site/ answers 404 until the first page is written."""
        if publisher is None:
            return

        def publish() -> None:
            started = time.monotonic()
            try:
                summary = publisher.invoke({"full": True})
            except Exception:
                log.exception("publishing the demo site failed")
                return
            finally:
                self.site_building.clear()
            log.info(
                "public site published in %.1f s: %s objects at %s/site/",
                time.monotonic() - started,
                summary.get("objects_written") if isinstance(summary, dict) else "?",
                url,
            )

        self.site_building.set()
        threading.Thread(target=publish, name="initial-publish", daemon=True).start()


# --- the roster as the runtime shows it ----------------------------------------------------------


def users(role: str | None = None) -> list[dict[str, Any]]:
    from worklog.roster.repository import RosterRepository

    out = []
    for cadre in RosterRepository().list_cadres():
        if role and role not in cadre.roles:
            continue
        out.append(cadre.model_dump(mode="json", include={"cadre_id", "name", "unit_id", "roles"}))
    return out


def on_roster(cadre_id: str) -> bool:
    from worklog.roster.repository import RosterRepository

    return RosterRepository().get_cadre(cadre_id) is not None


def demo_accounts() -> list[dict[str, Any]]:
    """One account per kind of user, preferring people who hold just that role (and cadre)."""
    everyone = users()
    picks: list[dict[str, Any]] = []
    for label, role in ACCOUNT_KINDS:
        holders = [u for u in everyone if role in u["roles"]]
        if holders:
            best = min(holders, key=lambda u: len(set(u["roles"]) - {"cadre", role}))
            picks.append({"kind": label, **best})
    return picks


def sign_in_accounts() -> list[DemoAccount]:
    """The demo accounts as the sign-in page lists them: unit and roles in words."""
    from worklog.labels import ROLE_LABELS
    from worklog.models.roster import ROLES
    from worklog.roster.repository import RosterRepository

    units = {unit.unit_id: unit.name for unit in RosterRepository().list_units()}
    accounts: dict[str, DemoAccount] = {}
    for pick in demo_accounts():
        roles = sorted(pick["roles"], key=lambda r: ROLES.index(r) if r in ROLES else len(ROLES))
        accounts.setdefault(
            pick["cadre_id"],
            DemoAccount(
                cadre_id=pick["cadre_id"],
                name=pick["name"],
                unit=units.get(pick["unit_id"], pick["unit_id"]),
                roles=tuple(ROLE_LABELS.get(r, r) for r in roles),
            ),
        )
    return list(accounts.values())
