"""The app (``/app/``) in a real browser: the system's headless Chromium driven by playwright.

Shared by the app's browser tests (``tests/e2e/test_app_browser.py``), its benchmark
(``infra/bench_app.py``) and the screenshots for the docs (``infra/screenshots.py``): how to launch
the browser, the two screen sizes the app is built for, signing in through the real sign-in pages
(no token injected), and a local runtime of its own for the tools that are not tests.

Only the system's Chromium: a test tool's own browser download does not work on a closed network.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from infra.template import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking")
APP_DIST = ROOT / "web" / "dist"

# A screen has rendered: its one heading of level 1 inside the shell's main area (every screen has
# one — its title, or 今日's date; the sign-in page, outside the shell, has none).
SCREEN_READY = "main h1"
# Today's form accepts input: its first item's text box (the benchmark waits for it to be visible
# and enabled).
TODAY_READY = '[data-test="item-content-0"]'

SIGN_IN_TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class Viewport:
    """A screen the app is built for: a phone held upright, or a desk's monitor."""

    name: str
    width: int
    height: int
    mobile: bool
    scale: int

    def context_options(self) -> dict[str, Any]:
        return {
            "viewport": {"width": self.width, "height": self.height},
            "is_mobile": self.mobile,
            "has_touch": self.mobile,
            "device_scale_factor": self.scale,
        }


PHONE = Viewport("phone", 360, 740, mobile=True, scale=2)
DESKTOP = Viewport("desktop", 1280, 800, mobile=False, scale=1)


def launch(playwright: Any) -> Any:
    """The system's Chromium, headless."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))


def new_context(browser: Any, base_url: str, viewport: Viewport = PHONE, **options: Any) -> Any:
    """A fresh browser profile (no cookies, storage, cache or service worker) on ``base_url`` (the
    runtime's origin: pages are then opened by path, ``page.goto("/app/mine")``), in Chinese, with
    the phone's clock in Asia/Shanghai unless ``timezone_id`` says otherwise."""
    settings: dict[str, Any] = {
        "base_url": base_url,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        **viewport.context_options(),
    }
    settings.update(options)
    return browser.new_context(**settings)


def app_path(page: Any) -> str:
    """The path (with query) of the page's address: ``/app/signin?target=%2Fmine``."""
    match = re.match(r"^[a-z]+://[^/]+(/.*)?$", page.url)
    return (match.group(1) or "/") if match else page.url


def sign_in(page: Any, cadre_id: str, *, lands: str = "/app/today") -> None:
    """Sign in as ``cadre_id`` the way a person does: the app's sign-in page, its 登录 button, the
    issuer's page (the account's button, or its "other person" box when the account is not listed),
    then back through the callback until the app shows ``lands`` (a path) with its screen rendered.

    From a page on the app's sign-in page (a deep link sent it there) the sign-in starts where it
    is; from anywhere else it opens ``/app/`` first."""
    if not app_path(page).startswith("/app/signin"):
        page.goto("/app/")
    page.wait_for_url(re.compile(r"/app/signin(\?|$)"), timeout=SIGN_IN_TIMEOUT_MS)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(re.compile(r"/_local/authorize\?"), timeout=SIGN_IN_TIMEOUT_MS)
    account = page.locator(f'button[name="cadre_id"][value="{cadre_id}"]')
    if account.count():
        account.click()
    else:
        page.fill("#cadre-id", cadre_id)
        page.locator("form.other button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(lands) + r"([?#]|$)"), timeout=SIGN_IN_TIMEOUT_MS)
    page.wait_for_selector(SCREEN_READY, state="visible", timeout=SIGN_IN_TIMEOUT_MS)


def open_from_menu(page: Any, label: str) -> None:
    """Open a screen the way a person does: its tab (phone) or its side-menu entry (from 1024 px)."""
    page.locator(".van-tabbar-item:visible, nav.side a:visible").filter(has_text=label).first.click()


def menu_labels(page: Any) -> list[str]:
    """The entries of whichever of the tab bar and the side menu is showing, in order."""
    labels = page.locator(".van-tabbar-item:visible, nav.side a:visible").all_inner_texts()
    # An entry's first word: the unread badge and its spoken words (消息 2 ，2 条未读消息) follow it.
    return [re.split(r"[\s，]", label.strip(), maxsplit=1)[0] for label in labels]


# --- a runtime of its own (the benchmark, the screenshots) -----------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def spawn_runtime(port: int, state_dir: Path, sink: IO[bytes], *args: str) -> subprocess.Popen[bytes]:
    """Start ``python -m infra.local`` on ``port`` with its own state directory (never the developer's
    .local/: key, JWKS, env file of `make run`), serving this checkout's build of the app (web/dist),
    its output into ``sink``. Its settings come from the arguments only, whatever the shell exports."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "WORKLOG_STATE_DIR": str(state_dir)}
    for name in ("WORKLOG_PORT", "WORKLOG_TOKEN_TTL", "WORKLOG_APP_DIST"):
        env.pop(name, None)
    return subprocess.Popen(
        [sys.executable, "-m", "infra.local", "--port", str(port), "--app-dist", str(APP_DIST), *args],
        cwd=ROOT,
        env=env,
        stdout=sink,
        stderr=subprocess.STDOUT,
    )


@contextmanager
def local_runtime(*args: str, start_timeout_s: float = 120) -> Iterator[str]:
    """``python -m infra.local`` on a free port, with its own state directory, serving this checkout's
    built app (web/dist); yields its base URL and stops it on exit. ``args`` go to the runtime
    (``--demo-weeks 1``, ``--token-ttl 60``…)."""
    if not (APP_DIST / "index.html").is_file():
        raise RuntimeError(f"the app is not built ({APP_DIST}): run `make web` first")
    port = free_port()
    state = Path(tempfile.mkdtemp(prefix="worklog-browser-"))
    log = state / "runtime.log"
    with log.open("wb") as sink:
        process = spawn_runtime(port, state / "state", sink, *args)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the runtime exited with {process.returncode}:\n{log.read_text('utf-8')}")
            try:
                with urllib.request.urlopen(f"{url}/_local/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the runtime was not healthy within {start_timeout_s:.0f} s")
            time.sleep(0.3)
        yield url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(state, ignore_errors=True)


def demo_users(base_url: str) -> list[dict[str, Any]]:
    """The runtime's roster: cadre_id, name, unit_id, roles."""
    import json

    with urllib.request.urlopen(f"{base_url}/_local/users", timeout=10) as resp:
        users: list[dict[str, Any]] = json.loads(resp.read())
    return users


def pick_user(users: list[dict[str, Any]], role: str, *, only: bool = True) -> dict[str, Any]:
    """A person holding ``role``; with ``only``, one holding nothing else besides cadre when the
    roster has one (a plain unit head, not a unit head who is also a district leader)."""
    holders = [u for u in users if role in u["roles"]]
    if not holders:
        raise LookupError(f"the roster has no one with role {role}")
    if only:
        plain = [u for u in holders if set(u["roles"]) <= {"cadre", role}]
        if plain:
            return plain[0]
    return holders[0]
