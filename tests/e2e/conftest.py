"""The local runtime as a client meets it: one real `python -m infra.local` process per session."""

from __future__ import annotations

import shlex
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.browser import DESKTOP, PHONE, free_port, new_context, spawn_runtime
from tests.e2e.browser import forget, record

ROOT = Path(__file__).resolve().parents[2]
APP_DIST = ROOT / "web" / "dist"
START_TIMEOUT_S = 90  # generous for a loaded machine; the budget (< 30 s) is reported, not timed here


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class Runtime:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def start_runtime(tmp: Path, *args: str) -> Runtime:
    port = free_port()
    log = tmp / f"runtime-{port}.log"
    with log.open("wb") as sink:
        process = spawn_runtime(port, tmp / "state", sink, *args)
    runtime = Runtime(process, port, log)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the runtime exited with {process.returncode}:\n{runtime.output()}")
        try:
            if requests.get(f"{runtime.url}/_local/health", timeout=5).status_code == 200:
                return runtime
        except (requests.ConnectionError, requests.Timeout):
            # Not listening yet, or too busy loading the demo to answer in time: ask again.
            pass
        time.sleep(0.2)
    stop_runtime(runtime)
    pytest.fail(f"the runtime was not healthy within {START_TIMEOUT_S} s:\n{runtime.output()}")


def stop_runtime(runtime: Runtime) -> int:
    if runtime.process.poll() is None:
        runtime.process.send_signal(signal.SIGINT)
        try:
            return runtime.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            runtime.process.kill()
            runtime.process.wait()
    return runtime.process.returncode


@pytest.fixture(scope="session")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    # The site is published by the tests that need it (test_site_*), not in the background.
    rt = start_runtime(tmp_path_factory.mktemp("local-runtime"), "--no-publish", "--demo-weeks", "3")
    yield rt
    stop_runtime(rt)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """The system's headless Chromium (infra.browser.launch), one for the session's browser tests."""
    from playwright.sync_api import sync_playwright

    from infra.browser import launch

    with sync_playwright() as p:
        chromium = launch(p)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def users(runtime: Runtime) -> list[dict]:
    return requests.get(f"{runtime.url}/_local/users", timeout=10).json()


def demo_user(users: list[dict], role: str = "cadre") -> dict:
    found = next((u for u in users if role in u["roles"]), None)
    assert found is not None, f"the demo district has no user with role {role}"
    return found


def runtime_today(runtime: Runtime) -> date:
    """Today as the runtime's clock says (Asia/Shanghai), never the host's date: on a host in UTC
    the two differ from 16:00 to 24:00."""
    resp = requests.get(f"{runtime.url}/_local/clock", timeout=10)
    assert resp.status_code == 200, resp.text
    return datetime.fromisoformat(resp.json()["now"]).date()


def token_for(runtime: Runtime, cadre_id: str) -> str:
    resp = requests.post(f"{runtime.url}/_local/token", json={"cadre_id": cadre_id}, timeout=10)
    assert resp.status_code == 200, resp.text
    return resp.json()["token"]


def runtime_env(runtime: Runtime) -> dict[str, str]:
    """The runtime's env file (what `.local/env` is for `make run`): endpoint, tables, buckets."""
    values = {}
    for line in (runtime.log.parent / "state" / "env").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = shlex.split(value)[0] if value else ""
    return values


def runtime_s3(runtime: Runtime) -> Any:
    """An S3 client of the runtime's embedded AWS (tests that tamper with published files)."""
    import boto3

    env = runtime_env(runtime)
    return boto3.client(
        "s3",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env.get("AWS_DEFAULT_REGION", "us-east-1"),
        aws_access_key_id=env.get("AWS_ACCESS_KEY_ID", "testing"),
        aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY", "testing"),
    )


@pytest.fixture
def bare_runtime() -> Iterator[Any]:
    """A local runtime in process with no function and no demo (the stand-in tests add their own)."""
    from infra.local.runtime import LocalRuntime

    rt = LocalRuntime(port=0, demo=False, scheduler_tick_seconds=60)
    yield rt
    rt.stop()


# --- the app in a browser (test_app_browser.py, app_flows/) -----------------------------------

OpenPage = Callable[..., Any]


@pytest.fixture(scope="session")
def app(runtime: Runtime) -> str:
    """The runtime's base URL, once it is known to serve this checkout's build of the app."""
    index = APP_DIST / "index.html"
    if not index.is_file():
        pytest.fail(f"the app is not built ({APP_DIST} has no index.html): run `make web` (make test does)")
    served = requests.get(f"{runtime.url}/app/", timeout=10)
    assert served.status_code == 200, f"/app/ answered {served.status_code}: {served.text[:300]}"
    assert served.content == index.read_bytes(), f"the runtime serves another build than {APP_DIST}"
    return runtime.url


@pytest.fixture
def open_page(browser: Any, app: str) -> Iterator[OpenPage]:
    """``open_page(viewport=PHONE, base_url=app)`` → a page in a fresh, recorded browser profile (no
    storage, cache or service worker); closed after the test."""
    contexts: list[Any] = []

    def _open(viewport: Any = PHONE, base_url: str = app, **options: Any) -> Any:
        context = new_context(browser, base_url, viewport, **options)
        record(context)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        forget(context)
        context.close()


@pytest.fixture(params=[PHONE, DESKTOP], ids=lambda v: v.name)
def viewport(request: pytest.FixtureRequest) -> Any:
    """Each screen size: a test that takes it runs on a phone (360×740) and a desktop (1280×800)."""
    return request.param
