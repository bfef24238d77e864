"""The app's benchmark (part of `make bench`; alone: ``python -m infra.bench_app``): what a cadre's
phone downloads and waits for, in the system's Chromium against a local runtime of its own that
serves this checkout's build (web/dist). Figures only, never a timed assertion (docs/benchmarks.md).

1. JS + CSS of the first screen, gzip level 9 (each file compressed alone, as a CDN sends it), for a
   signed-in cadre opening ``/app/today``, against the 150 KB budget; then what each other screen
   adds when opened (its lazy chunks), per role; and what the service worker precaches.
2. Time until today's form accepts input (``infra.browser.TODAY_READY`` visible and enabled), on a
   phone throttled through the DevTools protocol: 1.6 Mbps down, 750 Kbps up, 150 ms round trip,
   CPU ×4 slower. Cold (a fresh profile, no HTTP cache, no service worker) and warm (the service
   worker active, the shell from its cache). Sign-in is not timed: the person is signed in first,
   then the app is loaded again with the live session — which renews the tokens from the refresh
   token in sessionStorage before GET /me, as a cadre's every opening of the app does.
3. API requests made by one save of today's entry (budget: 1), once today's editor exists.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import statistics
import time
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from infra.browser import (
    APP_DIST,
    PHONE,
    TODAY_READY,
    demo_users,
    launch,
    local_runtime,
    new_context,
    pick_user,
    sign_in,
)

BUDGET_FIRST_SCREEN_KB = 150
GZIP_LEVEL = 9
# Lighthouse's "slow 4G" figures, applied as DevTools applies them (per request, no simulation).
THROTTLED_NETWORK = {
    "offline": False,
    "latency": 150,  # ms, round trip
    "downloadThroughput": 1_600_000 / 8,  # bytes/s
    "uploadThroughput": 750_000 / 8,
}
CPU_SLOWDOWN = 4
# Today's editor, by the hooks its screen carries for the browser tests.
TODAY_ITEM = '[data-test="item-content-0"]'
TODAY_SAVE = '[data-test="save-entry"]'
TODAY_STATUS = '[data-test="item-status-0-done"]'

# The screens of each role, by path (the router's; opened in this order, each inside the app).
CADRE_SCREENS = ["/calendar", "/day/{day}", "/plan", "/summary", "/leave", "/reads", "/matters", "/mine"]
REVIEWER_SCREENS = ["/review", "/review/{week}/{member}", "/log/{member}"]


def gzip_kb(data: bytes) -> float:
    return len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)) / 1024


def _dist_file(url: str) -> bytes:
    """The body the runtime served for one of the app's URLs (/app/… → web/dist/…)."""
    path = urlsplit(url).path
    assert path.startswith("/app/"), url
    return (APP_DIST / path[len("/app/") :]).read_bytes()


@dataclass
class Fetched:
    url: str
    kind: str  # script or stylesheet

    @property
    def name(self) -> str:
        return urlsplit(self.url).path.rsplit("/", 1)[-1]

    @property
    def kb(self) -> float:
        return gzip_kb(_dist_file(self.url))


class CodeWatch:
    """The app's scripts and stylesheets a page fetches (module preloads are scripts), in order,
    each once."""

    def __init__(self, page: Any) -> None:
        self.seen: list[Fetched] = []
        page.on("request", self._on_request)

    def _on_request(self, request: Any) -> None:
        path = urlsplit(request.url).path
        code = request.resource_type in {"script", "stylesheet"} and path.startswith("/app/")
        if code and all(f.url != request.url for f in self.seen):
            self.seen.append(Fetched(request.url, request.resource_type))

    def since(self, mark: int) -> list[Fetched]:
        return self.seen[mark:]


def _runtime_today(base: str) -> date:
    import json

    with urllib.request.urlopen(f"{base}/_local/clock", timeout=10) as resp:
        return datetime.fromisoformat(json.loads(resp.read())["now"]).date()


def _route(page: Any, path: str) -> None:
    """Open a screen inside the app, as its links do (the router of the mounted app; no reload)."""
    page.evaluate(
        "(path) => document.getElementById('app').__vue_app__.config.globalProperties.$router.push(path)",
        path,
    )
    page.wait_for_load_state("networkidle")


def _print_files(files: list[Fetched], indent: str = "  ") -> float:
    total = 0.0
    for f in files:
        kb = f.kb
        total += kb
        print(f"{indent}{f.name:<40} {f.kind:<10} {kb:7.1f} KB")
    return total


def first_screen_and_lazy_chunks(browser: Any, base: str) -> None:
    users = demo_users(base)
    today = _runtime_today(base)
    week = today - timedelta(days=today.weekday())
    head = pick_user(users, "unit_head")
    member = next(u for u in users if u["unit_id"] == head["unit_id"] and u["cadre_id"] != head["cadre_id"])
    values = {"day": today.isoformat(), "week": week.isoformat(), "member": member["cadre_id"]}
    print(f"\n## The app's code over the wire (gzip level {GZIP_LEVEL}, each file alone; web/dist)")
    for role, screens in (
        ("cadre", CADRE_SCREENS),
        ("unit_head", REVIEWER_SCREENS),
        ("district_leader", REVIEWER_SCREENS),
    ):
        person = pick_user(users, role)
        # No service worker: it would fetch every chunk in the background and blur what a screen needs.
        context = new_context(browser, base, PHONE, service_workers="block")
        try:
            page = context.new_page()
            sign_in(page, person["cadre_id"])
            watch = CodeWatch(page)
            page.context.new_cdp_session(page).send("Network.clearBrowserCache")
            page.reload()
            page.wait_for_selector(TODAY_READY, state="visible")
            page.wait_for_load_state("networkidle")
            if role == "cadre":
                print(f"First screen: /app/today, signed in as a cadre ({person['cadre_id']})")
                total = _print_files(watch.seen)
                print(
                    f"  total {total:.1f} KB of JS + CSS; budget {BUDGET_FIRST_SCREEN_KB} KB; "
                    f"ratio {total / BUDGET_FIRST_SCREEN_KB:.2f}"
                )
                print("What each screen adds when opened (its lazy chunks not fetched before), in order:")
            else:
                print(f"A {role} ({person['cadre_id']}) after /app/today:")
            for screen in screens:
                mark = len(watch.seen)
                _route(page, screen.format(**values))
                added = watch.since(mark)
                kb = sum(f.kb for f in added)
                names = ", ".join(f.name for f in added) or "nothing new"
                print(f"  {screen:<26} +{kb:6.1f} KB  {names}")
        finally:
            context.close()
    precached = re.findall(r'url:"([^"]+)"', (APP_DIST / "sw.js").read_text("utf-8"))
    unique = sorted(set(precached))
    kb = sum(gzip_kb((APP_DIST / name).read_bytes()) for name in unique)
    print(
        f"The service worker's precache on a first visit (in the background, after the first screen): "
        f"{len(unique)} files, {kb:.1f} KB"
    )


def _ready_at(page: Any, selector: str) -> float:
    """Milliseconds from the start of the page's navigation until ``selector`` is visible and
    enabled (read in the page, at the animation frame it first is)."""
    handle = page.wait_for_function(
        """(selector) => {
            const el = document.querySelector(selector)
            if (!el || el.disabled || el.readOnly) return false
            const box = el.getBoundingClientRect()
            return box.width > 0 && box.height > 0 ? performance.now() : false
        }""",
        arg=selector,
        polling="raf",
        timeout=120_000,
    )
    return float(handle.json_value())


def _throttle(page: Any) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", THROTTLED_NETWORK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})


def time_to_input(browser: Any, base: str, cadre_id: str, *, warm: bool) -> float:
    """One load of /app/today with a live session on a throttled phone; ms until TODAY_READY."""
    context = new_context(browser, base, PHONE, service_workers="allow" if warm else "block")
    try:
        page = context.new_page()
        sign_in(page, cadre_id)
        if warm:
            page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
            page.reload()  # controlled by the service worker from here on
            page.wait_for_selector(TODAY_READY, state="visible")
            page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        else:
            page.context.new_cdp_session(page).send("Network.clearBrowserCache")
        _throttle(page)
        page.reload(wait_until="commit")
        return _ready_at(page, TODAY_READY)
    finally:
        context.close()


def load_times(browser: Any, base: str, runs: int) -> None:
    cadre = pick_user(demo_users(base), "cadre")
    print(
        f"\n## Time until today's form accepts input, throttled phone (360×740; "
        f"{THROTTLED_NETWORK['downloadThroughput'] * 8 / 1e6:.1f} Mbps down, "
        f"{THROTTLED_NETWORK['uploadThroughput'] * 8 / 1e3:.0f} Kbps up, "
        f"{THROTTLED_NETWORK['latency']} ms RTT, CPU ×{CPU_SLOWDOWN}); {runs} runs each"
    )
    print(f"ready: {TODAY_READY!r} visible and enabled; signed in, the reload renews the tokens first")
    print(f"{'load':<48} {'median ms':>10} {'max ms':>8}  runs")
    for label, warm in (
        ("cold: fresh profile, no cache, no service worker", False),
        ("warm: shell from the service worker's cache", True),
    ):
        samples = [time_to_input(browser, base, cadre["cadre_id"], warm=warm) for _ in range(runs)]
        shown = ", ".join(f"{s:.0f}" for s in samples)
        print(f"{label:<48} {statistics.median(samples):>10.0f} {max(samples):>8.0f}  {shown}")


def requests_per_save(browser: Any, base: str) -> int | None:
    """API writes (PUT/POST) made by one save of today's entry — the budget's "one save = one
    request" — with every API call after the press printed (the reads that refresh the screen after
    the save are shown, not counted). None when today's editor is not there."""
    cadre = pick_user(demo_users(base), "cadre")
    context = new_context(browser, base, PHONE, service_workers="block")
    try:
        page = context.new_page()
        sign_in(page, cadre["cadre_id"])
        page.wait_for_load_state("networkidle")
        if page.locator(TODAY_ITEM).count() == 0:
            return None
        calls: list[str] = []

        def on_request(request: Any) -> None:
            path = urlsplit(request.url).path
            if request.resource_type in {"fetch", "xhr"} and not path.startswith(("/app/", "/_local/")):
                calls.append(f"{request.method} {path}")

        page.fill(TODAY_ITEM, f"基准测试：走访辖区企业，协调解决用工问题（{time.time():.0f}）")
        page.locator(TODAY_STATUS).click()
        page.wait_for_timeout(1000)  # the draft is saved locally as the person types (no request)
        page.on("request", on_request)
        page.locator(TODAY_SAVE).click()
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1000)
        print(f"  API calls after the press: {', '.join(calls) or 'none'}")
        return sum(1 for call in calls if call.startswith(("PUT ", "POST ")))
    finally:
        context.close()


def run(runs: int = 5) -> None:
    """The three measurements against a runtime of its own (a one-week demo)."""
    if not (APP_DIST / "index.html").is_file():
        print("\n## The app: not measured — web/dist is not built (make web)")
        return
    from playwright.sync_api import sync_playwright

    load = os.getloadavg()[0]
    with local_runtime("--no-publish", "--demo-weeks", "1") as base, sync_playwright() as p:
        print(f"\n# The app (system Chromium, headless; load average {load:.2f} at the start)")
        browser = launch(p)
        try:
            first_screen_and_lazy_chunks(browser, base)
            load_times(browser, base, runs)
            print("\n## API requests per save of today's entry (budget: 1)")
            count = requests_per_save(browser, base)
            print(f"one save: {'n/a (today’s editor not built)' if count is None else count}")
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="loads timed per profile (default 5)")
    args = parser.parse_args(argv)
    run(args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
