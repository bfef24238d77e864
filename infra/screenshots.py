"""``python -m infra.screenshots [--out DIR] [--base URL] [--scale N]``: pictures of the app for the
docs, as a phone shows them (360 px wide, the whole screen's length).

Signs in the demo accounts through the real sign-in pages and saves 今日, 日志日历 and 我的 (a
cadre) and 周审阅 — the queue and a member's week — (a unit head) as PNG files in
``docs/screenshots/``. Against a runtime of its own
serving this checkout's build (web/dist, a four-week demo) unless ``--base`` names a running one
(``make run``'s: ``--base http://127.0.0.1:8080``).
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from pathlib import Path

import requests

from infra.browser import (
    PHONE,
    SCREEN_READY,
    Viewport,
    demo_users,
    launch,
    local_runtime,
    new_context,
    pick_user,
    sign_in,
)
from infra.template import ROOT

OUT = ROOT / "docs" / "screenshots"
# file name, who, which screen
SHOTS = [
    ("today", "cadre", "/app/today"),
    ("calendar", "cadre", "/app/calendar"),
    ("mine", "cadre", "/app/mine"),
    ("review", "unit_head", "/app/review"),
    ("review-week", "unit_head", "/app/review/{week}/{member}"),
]


@contextlib.contextmanager
def _runtime(base: str | None) -> Iterator[str]:
    if base:
        yield base.rstrip("/")
        return
    with local_runtime("--no-publish", "--demo-weeks", "4") as url:
        yield url


def take(out: Path = OUT, base: str | None = None, scale: int = 1) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    phone = Viewport(PHONE.name, PHONE.width, PHONE.height, mobile=True, scale=scale)
    saved: list[Path] = []
    with _runtime(base) as url, sync_playwright() as p:
        users = demo_users(url)
        # Last week assigned to its reviewers (as Monday's run does; a second run assigns nothing new),
        # so 周审阅 has a queue and a member's week to show.
        assigned = requests.post(f"{url}/_local/run/review-assignment", json={}, timeout=300)
        assigned.raise_for_status()
        head = pick_user(users, "unit_head")
        member = next(u for u in users if u["unit_id"] == head["unit_id"] and u is not head)
        values = {"week": assigned.json()["week_start"], "member": member["cadre_id"]}
        browser = launch(p)
        try:
            for role in dict.fromkeys(role for _, role, _ in SHOTS):
                person = pick_user(users, role)
                context = new_context(browser, url, phone)
                try:
                    page = context.new_page()
                    sign_in(page, person["cadre_id"])
                    for name, who, path in SHOTS:
                        if who != role:
                            continue
                        page.goto(path.format(**values))
                        page.wait_for_selector(SCREEN_READY, state="visible")
                        page.wait_for_load_state("networkidle")
                        page.wait_for_timeout(500)  # transitions and skeletons settle
                        # The screen as tall as its content, so the fixed tab bar sits at its foot
                        # (a full-page shot would paint it where the first 740 px end).
                        height = page.evaluate("document.documentElement.scrollHeight")
                        page.set_viewport_size({"width": phone.width, "height": max(phone.height, height)})
                        target = out / f"{name}.png"
                        page.screenshot(path=str(target))
                        page.set_viewport_size({"width": phone.width, "height": phone.height})
                        saved.append(target)
                        print(
                            f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}  ({role})"
                        )
                finally:
                    context.close()
        finally:
            browser.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--out", type=Path, default=OUT, help="directory for the PNG files (default docs/screenshots)"
    )
    parser.add_argument("--base", help="a running runtime's URL instead of one of its own")
    parser.add_argument("--scale", type=int, default=1, help="device pixels per CSS pixel (2: 720 px files)")
    args = parser.parse_args(argv)
    take(args.out, args.base, args.scale)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
