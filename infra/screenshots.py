"""``python -m infra.screenshots [--out DIR] [--base URL] [--scale N]``: pictures of the app for the
docs, as a phone shows them (360 px wide, the whole screen's length).

Signs in the demo accounts through the real sign-in pages and saves 今日, 日志日历 and 我的 (a
cadre) and 周审阅 — the queue and a member's week — (a unit head) as a phone shows them, and the
oversight side as a desk shows it (1280 px): 待办案件 and a case (a unit head, after the nightly
checks of the demo's history opened reminder-talk cases), 抽查 — a round's whole sample (the Org
Dept, after drawing a spot-check) and a sampled cadre's days beside the plan (its inspector) — and
任前公示 with a notice and a piece of the public's feedback (the Org Dept), as PNG files in
``docs/screenshots/``. Against a runtime of its own
serving this checkout's build (web/dist, a four-week demo) unless ``--base`` names a running one
(``make run``'s: ``--base http://127.0.0.1:8080``).
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from infra.browser import (
    DESKTOP,
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
TIMEOUT_S = 300


@dataclass(frozen=True)
class Shot:
    name: str  # the file's name, without .png
    who: str  # the key of the person in the values (a cadre id), see _prepare
    path: str  # the screen, with {placeholders} from the values
    desk: bool = False  # as a desk shows it (1280 px) rather than a phone


SHOTS = [
    Shot("today", "cadre", "/app/today"),
    Shot("calendar", "cadre", "/app/calendar"),
    Shot("mine", "cadre", "/app/mine"),
    Shot("review", "head", "/app/review"),
    Shot("review-week", "head", "/app/review/{week}/{member}"),
    Shot("todo", "case_holder", "/app/todo", desk=True),
    Shot("case", "case_holder", "/app/case/{case}", desk=True),
    Shot("inspect-round", "drawer", "/app/inspect/{round}", desk=True),
    Shot("inspect-cadre", "inspector", "/app/inspect/{round}/{sampled}", desk=True),
    Shot("vetting", "drawer", "/app/vetting", desk=True),
    Shot("vetting-notice", "drawer", "/app/vetting/{notice}", desk=True),
]


def _api(url: str, cadre_id: str, method: str, path: str, **kwargs: Any) -> Any:
    token = requests.post(f"{url}/_local/token", json={"cadre_id": cadre_id}, timeout=30)
    token.raise_for_status()
    headers = {"Authorization": f"Bearer {token.json()['token']}"}
    resp = requests.request(method, f"{url}{path}", headers=headers, timeout=TIMEOUT_S, **kwargs)
    resp.raise_for_status()
    return resp.json()


def _prepare(url: str, users: list[dict[str, Any]]) -> dict[str, str]:
    """Make the state each screen shows, as the system would have come to it, and name who shows
    it: the weekly run, the nightly checks of the demo's history (reminder-talk cases), a spot-check
    drawn by the Org Dept and a vetting notice with a piece of the public's feedback."""
    cadre = pick_user(users, "cadre")
    head = pick_user(users, "unit_head")
    member = next(u for u in users if u["unit_id"] == head["unit_id"] and u is not head)
    # Last week assigned to its reviewers (as Monday's run does; a second run assigns nothing new),
    # so 周审阅 has a queue and a member's week to show.
    assigned = requests.post(f"{url}/_local/run/review-assignment", json={}, timeout=TIMEOUT_S)
    assigned.raise_for_status()
    values = {
        "cadre": cadre["cadre_id"],
        "head": head["cadre_id"],
        "week": assigned.json()["week_start"],
        "member": member["cadre_id"],
    }
    today = datetime.fromisoformat(requests.get(f"{url}/_local/clock", timeout=30).json()["now"]).date()
    for back in range(28, 0, -1):  # the nightly check of each day of the history, oldest first
        day = today - timedelta(days=back)
        requests.post(
            f"{url}/_local/run/missing-entry-check", json={"date": day.isoformat()}, timeout=TIMEOUT_S
        ).raise_for_status()
    heads = [u for u in users if set(u["roles"]) == {"cadre", "unit_head"}]
    for holder in heads:
        cases = _api(url, holder["cadre_id"], "GET", "/cases", params={"role": "unit_head"})["cases"]
        if cases:
            values |= {"case_holder": holder["cadre_id"], "case": cases[0]["case_id"]}
            break
    drawer = pick_user(users, "org_inspector")
    values["drawer"] = drawer["cadre_id"]
    drawn = _api(
        url, drawer["cadre_id"], "POST", "/audits", json={"size": 12, "reason": "专项抽查：核查日志填写质量"}
    )
    values["round"] = drawn["round_id"]
    sample = _api(url, drawer["cadre_id"], "GET", f"/audits/{drawn['round_id']}/sample")
    first = sample["cadres"][0]
    values |= {"sampled": first["cadre_id"], "inspector": first["inspectors"][0]["inspector_id"]}
    candidate = next(u for u in users if set(u["roles"]) == {"cadre"} and u["unit_id"] != drawer["unit_id"])
    notice = _api(
        url,
        drawer["cadre_id"],
        "POST",
        "/admin/notices",
        json={
            "candidate_id": candidate["cadre_id"],
            "current_post": "科员",
            "proposed_post": "副科长",
            "start": today.isoformat(),
        },
    )
    values["notice"] = notice["notice_id"]
    requests.post(
        f"{url}/feedback/{notice['notice_id']}",
        json={"content": "该同志工作认真负责，群众反映良好。", "contact": "街道居民"},
        timeout=TIMEOUT_S,
    ).raise_for_status()
    return values


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
    desk = Viewport(DESKTOP.name, DESKTOP.width, DESKTOP.height, mobile=False, scale=scale)
    saved: list[Path] = []
    with _runtime(base) as url, sync_playwright() as p:
        values = _prepare(url, demo_users(url))
        browser = launch(p)
        try:
            for who, on_desk in dict.fromkeys((s.who, s.desk) for s in SHOTS):
                viewport = desk if on_desk else phone
                context = new_context(browser, url, viewport)
                try:
                    page = context.new_page()
                    sign_in(page, values[who])
                    for shot in SHOTS:
                        if (shot.who, shot.desk) != (who, on_desk):
                            continue
                        saved.append(_shoot(page, shot, viewport, out / f"{shot.name}.png", values))
                finally:
                    context.close()
        finally:
            browser.close()
    return saved


def _shoot(page: Any, shot: Shot, viewport: Viewport, target: Path, values: dict[str, str]) -> Path:
    page.goto(shot.path.format(**values))
    page.wait_for_selector(SCREEN_READY, state="visible")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)  # transitions and skeletons settle
    # The screen as tall as its content, so the fixed tab bar sits at its foot (a full-page shot
    # would paint it where the first screenful ends).
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": viewport.width, "height": max(viewport.height, height)})
    page.screenshot(path=str(target))
    page.set_viewport_size({"width": viewport.width, "height": viewport.height})
    print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}  ({shot.who})")
    return target


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
