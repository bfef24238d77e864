"""Every screen of a plain cadre and of a unit head, in a real browser on a phone and on a desk's
monitor, passes the checks every screen of the app must pass (``check_screen``).

"Today" is the runtime's, never the host's; the week under review is the one Monday's scheduled run
assigns (run here, idempotent).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from infra.browser import SCREEN_READY, Viewport, pick_user, sign_in
from tests.e2e.app_flows.support import UI_TIMEOUT_MS, OpenPage, screen_ok

pytestmark = pytest.mark.e2e


# --- every screen -----------------------------------------------------------------------------------

# Each role's screens, by path (the router's); {…} filled from the runtime's roster and clock.
CADRE_SCREENS = (
    "/today",
    "/calendar",
    "/day/{today}",
    "/plan",
    "/summary",
    "/leave",
    "/reads",
    "/matters",
    "/mine",
    "/inbox",
    "/inbox/settings",
    "/no-such-screen",
)
REVIEWER_SCREENS = ("/review", "/review/{week}/{member}", "/log/{member}")


def test_every_screen_of_each_role_passes_the_checks(
    open_page: OpenPage,
    viewport: Viewport,
    users: list[dict[str, Any]],
    today: date,
    review_week: date,
) -> None:
    """Given a plain cadre and a unit head, when each opens every screen of their role, then each
    screen renders its title and passes check_screen: axe-core finds no serious or critical
    violation, nothing is wider than a phone, no request leaves 127.0.0.1, no console error."""
    cadre = pick_user(users, "cadre")
    head = pick_user(users, "unit_head")
    member = next(u for u in users if u["unit_id"] == head["unit_id"] and u["cadre_id"] != head["cadre_id"])
    values = {"today": today.isoformat(), "week": review_week.isoformat(), "member": member["cadre_id"]}
    for person, screens in ((cadre, CADRE_SCREENS), (head, REVIEWER_SCREENS)):
        page = open_page(viewport)
        sign_in(page, person["cadre_id"])
        for screen in screens:
            page.goto(f"/app{screen.format(**values)}")
            expect(page.locator(SCREEN_READY)).to_be_visible(timeout=UI_TIMEOUT_MS)
            page.wait_for_load_state("networkidle")
            screen_ok(page)
