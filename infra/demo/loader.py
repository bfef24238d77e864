"""Load the demo's history into the embedded AWS of this process, then render the public site.

Three steps, each reported through ``progress``:

1. ``roster`` (``load_roster``) — units and cadres; quick, and done before the runtime says it is
   up, so that tokens and ``/me`` work at once.
2. ``journal`` — each cadre's whole chain (revisions, current views, head) and the leave on their
   standing, written straight into the table in one hold of the emulator's lock per cadre. A
   cadre who has saved something through the API in the meantime keeps their own chain and gets
   no demo history (the demo never writes under a head it did not build).
3. ``history`` — ``infra.demo.replay`` runs the months of nightly checks, reviews, cases, the
   quarter's draw, findings and grades through the services, on ``infra.direct`` clients.
4. ``site`` — the disclosure publisher's full build (``Publisher.run(full=True)``), on the same
   direct clients for DynamoDB and the site bucket.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from infra.demo import plan
from infra.demo.chains import chains
from infra.demo.district import DemoDistrict, generate_district
from infra.demo.plan import CachedCalendar, Journal, Window
from infra.demo.replay import Interrupted, QuietBus, Replay, ReplaySummary
from infra.direct import DirectDynamoDB, direct_publisher
from infra.emulator import load_items
from worklog import aws
from worklog.calendar import WorkingCalendar
from worklog.roster.repository import RosterRepository, cadre_item, unit_item
from worklog.roster.standing import STANDING_SK, standing_items
from worklog.schedules import current_calendar
from worklog.settings import get_settings

log = logging.getLogger("infra.demo")


@dataclass
class History:
    """What was loaded, and how long each step took (seconds)."""

    today: date
    window: Window | None = None
    district: DemoDistrict | None = None
    journal: Journal | None = None
    replay: ReplaySummary | None = None
    revisions: int = 0
    skipped_cadres: list[str] = field(default_factory=list)
    site_objects: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"today": self.today.isoformat()}
        if self.window is not None:
            out["logs_from"] = self.window.first.isoformat()
            out["audit_round"] = self.window.quarter.label
        if self.district is not None:
            out["units"], out["cadres"] = len(self.district.units), len(self.district.cadres)
        out["revisions"] = self.revisions
        if self.replay is not None:
            out.update(self.replay.as_dict())
        if self.skipped_cadres:
            out["cadres_without_history"] = self.skipped_cadres
        if self.site_objects:
            out["site_objects"] = self.site_objects
        out["seconds"] = {k: round(v, 1) for k, v in self.seconds.items()}
        return out


def demo_district(today: date, seed: int = plan.SEED) -> DemoDistrict:
    return generate_district(seed, today=today)


def load_roster(district: DemoDistrict) -> None:
    """The district's units and cadres, written straight into the roster table."""
    items = [unit_item(u) for u in district.units] + [cadre_item(c) for c in district.cadres]
    load_items(RosterRepository().table, items)


def load_history(
    district: DemoDistrict,
    today: date,
    *,
    seed: int = plan.SEED,
    publish: bool = True,
    progress: Callable[[str], None] = lambda step: None,
    stop: threading.Event | None = None,
    bus: QuietBus | None = None,
    prepare: Callable[[Replay], None] = lambda replay: None,
) -> History:
    """Steps 2 to 4 for a district whose roster is loaded (see the module's docstring); ``stop``,
    once set, interrupts the loading (``Interrupted``)."""
    history = History(today=today, district=district)
    calendar: WorkingCalendar = CachedCalendar(current_calendar())
    dynamodb = DirectDynamoDB(aws.client("dynamodb"))

    started = time.monotonic()
    progress("journal")
    window = plan.history_window(today, calendar)
    journal = plan.demo_journal(district, window, calendar, seed)
    history.window, history.journal = window, journal
    late = _load_chains(history, district, calendar, stop)
    history.seconds["journal"] = time.monotonic() - started

    started = time.monotonic()
    progress("history")
    replay = Replay(
        district, window, journal, calendar, late, dynamodb=dynamodb, seed=seed, stop=stop, bus=bus
    )
    prepare(replay)
    history.replay = replay.run()
    history.seconds["history"] = time.monotonic() - started

    if publish:
        started = time.monotonic()
        progress("site")
        history.site_objects = publish_site(dynamodb, calendar)
        history.seconds["site"] = time.monotonic() - started
    progress("ready")
    return history


def _load_chains(
    history: History, district: DemoDistrict, calendar: WorkingCalendar, stop: threading.Event | None
) -> list[dict[str, Any]]:
    """Write each cadre's hash chain (and leave standings) straight into the tables; the late
    revisions, whose marks the replay writes when their time comes."""
    settings = get_settings()
    journal = history.journal
    assert journal is not None
    units = {c.cadre_id: c.unit_id for c in district.cadres}
    late: list[dict[str, Any]] = []
    for chain in chains(journal.records, units, calendar):
        if stop is not None and stop.is_set():
            raise Interrupted
        leave = standing_items([r for r in chain.revisions if r["kind"] == "leave"])
        written = load_items(settings.journal_table, chain.items, unless=(f"CADRE#{chain.cadre_id}", "HEAD"))
        if not written:
            history.skipped_cadres.append(chain.cadre_id)
            continue
        if leave:
            load_items(settings.roster_table, leave, unless=(f"CADRE#{chain.cadre_id}", STANDING_SK))
        history.revisions += len(chain.revisions)
        late.extend(r for r in chain.revisions if r["late"] and r["kind"] != "leave")
    if history.skipped_cadres:
        log.warning(
            "demo history: %d cadres saved through the API before their history was loaded and keep "
            "only their own entries: %s",
            len(history.skipped_cadres),
            ", ".join(history.skipped_cadres),
        )
    return late


def publish_site(dynamodb: Any, calendar: WorkingCalendar) -> int:
    """The disclosure publisher's full build, on direct clients. Returns the number of objects
    written."""
    publisher = direct_publisher(dynamodb, calendar)
    return len(publisher.run(full=True).written)
