"""What the browser tests check on every page they visit, and what they record to check it.

``Recorder`` listens to a whole browser context from its first request: every request (its host),
every response of the API and the issuer, console errors and uncaught page errors, of every page
and of the service worker. ``check_screen(page)`` runs the checks every screen of the app must pass:
axe-core finds no serious or critical violation, nothing is wider than the viewport, no request
has left 127.0.0.1, no console or page error.

Driving the app (launching Chromium, the screen sizes, signing in) lives in ``infra.browser``,
shared with the benchmark and the screenshot script.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from infra.template import ROOT

AXE_SOURCE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
LOCAL_HOST = "127.0.0.1"
FAILING_IMPACTS = ("serious", "critical")
# A JWT (header.payload.signature, base64url): what must never be kept in the browser's storage.
JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


@dataclass
class Seen:
    """One request the context made, with its answer when one came."""

    method: str
    url: str
    resource_type: str
    post_data: str | None
    at: float
    status: int | None = None
    body: Any = None  # the JSON answer of the issuer's token endpoint (read as it arrives)

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.post_data or "")


@dataclass
class Recorder:
    """Everything a browser context does that a test checks afterwards."""

    requests: list[Seen] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def attach(self, context: Any) -> Recorder:
        context.on("request", self._on_request)
        context.on("response", self._on_response)
        context.on("console", self._on_console)
        context.on("weberror", lambda error: self.page_errors.append(str(error.error)))
        return self

    def _on_request(self, request: Any) -> None:
        try:
            post_data = request.post_data
        except Exception:  # a binary body: not one the tests read
            post_data = None
        self.requests.append(Seen(request.method, request.url, request.resource_type, post_data, time.time()))

    def _on_response(self, response: Any) -> None:
        seen = next((s for s in reversed(self.requests) if s.url == response.url and s.status is None), None)
        if seen is None:
            return
        seen.status = response.status
        if seen.path.endswith("/oauth2/token") and response.ok:
            # Read now: the body of an earlier response is gone once the page has moved on.
            try:
                seen.body = response.json()
            except Exception:
                seen.body = None

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            where = message.location.get("url") or "?"
            self.console_errors.append(f"{message.text} (at {where})")

    # --- what the tests ask ---------------------------------------------------------------------
    def foreign(self) -> list[str]:
        """Requests that went anywhere but 127.0.0.1 (data: and blob: URLs are no request to a host)."""
        out = []
        for seen in self.requests:
            parts = urlsplit(seen.url)
            if parts.scheme in {"data", "blob"}:
                continue
            if parts.scheme not in {"http", "https"} or parts.hostname != LOCAL_HOST:
                out.append(seen.url)
        return out

    def token_grants(self, grant_type: str) -> list[Seen]:
        """The app's calls to the issuer's token endpoint with that grant."""
        calls = [s for s in self.requests if s.method == "POST" and s.path.endswith("/oauth2/token")]
        return [s for s in calls if s.form.get("grant_type") == [grant_type]]

    def api_calls(self, since: float = 0.0) -> list[Seen]:
        """Calls to the API itself (not the app's files, the issuer or the runtime's own endpoints)."""
        return [
            s
            for s in self.requests
            if s.at >= since
            and urlsplit(s.url).hostname == LOCAL_HOST
            and not s.path.startswith(("/app/", "/_local/", "/site/"))
            and s.resource_type in {"fetch", "xhr"}
        ]


_RECORDERS: dict[int, Recorder] = {}


def record(context: Any) -> Recorder:
    """Start recording a context (call before it opens its first page)."""
    recorder = Recorder().attach(context)
    _RECORDERS[id(context)] = recorder
    return recorder


def recorder_of(page: Any) -> Recorder:
    recorder = _RECORDERS.get(id(page.context))
    assert recorder is not None, "this page's context is not recorded: open it with record(context) first"
    return recorder


def forget(context: Any) -> None:
    _RECORDERS.pop(id(context), None)


# --- the checks -------------------------------------------------------------------------------------


def settle(page: Any) -> None:
    """Let the screen finish: its requests answered, its transitions done, two frames painted."""
    page.wait_for_load_state("networkidle")
    page.evaluate(
        "() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null)))"
        ".then(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))))"
    )


def axe_problems(page: Any, impacts: tuple[str, ...] = FAILING_IMPACTS) -> list[str]:
    """axe-core's violations of those impacts on the page as it is, one line per rule with the nodes.

    axe is injected with ``page.evaluate`` (a DevTools evaluation, which the app's CSP — no inline
    script — does not govern), from the copy in web/node_modules."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        assert AXE_SOURCE.is_file(), f"axe-core is missing ({AXE_SOURCE}): run `make web-deps`"
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        """async () => {
            const result = await window.axe.run(document, { resultTypes: ['violations'] })
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
            }))
        }"""
    )
    problems = []
    for v in violations:
        if v["impact"] in impacts:
            nodes = "; ".join(
                f"{n['target']} — {(n['summary'] or '').replace(chr(10), ' ')}" for n in v["nodes"]
            )
            problems.append(f"{v['id']} ({v['impact']}): {v['help']} — {nodes}")
    return problems


# Elements whose right edge passes the viewport. An element inside a container that scrolls or clips
# sideways (overflow-x other than visible, below <body>) is judged by that container, which is checked
# itself: a strip of tabs scrolled sideways is fine, a page that scrolls sideways is not.
_OVERFLOW = """(width) => {
    const clipped = (el) => {
        for (let p = el.parentElement; p && p !== document.body && p !== document.documentElement;
             p = p.parentElement) {
            if (getComputedStyle(p).overflowX !== 'visible') return true
        }
        return false
    }
    const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        [...el.classList].slice(0, 3).map((c) => '.' + c).join('') +
        (el.dataset.test ? `[data-test="${el.dataset.test}"]` : '')
    const out = []
    for (const el of document.body.querySelectorAll('*')) {
        const box = el.getBoundingClientRect()
        if (box.width === 0 || box.height === 0) continue
        const style = getComputedStyle(el)
        if (style.visibility === 'hidden' || style.display === 'none') continue
        if (box.right > width + 1 && !clipped(el)) {
            out.push(`${name(el)} right edge at ${Math.round(box.right)} px`)
        }
    }
    return { scrollWidth: document.documentElement.scrollWidth, over: out.slice(0, 20) }
}"""


def overflow_problems(page: Any) -> list[str]:
    width = page.viewport_size["width"]
    found = page.evaluate(_OVERFLOW, width)
    problems = [f"an element is wider than the {width} px screen: {over}" for over in found["over"]]
    if found["scrollWidth"] > width:
        problems.insert(0, f"the page scrolls sideways: scrollWidth {found['scrollWidth']} > {width}")
    return problems


def check_screen(page: Any) -> None:
    """The checks every screen of the app passes, on the page as it is now (call it on each screen a
    test visits): axe-core finds no serious or critical violation; nothing is wider than the
    viewport; no request of the context has left 127.0.0.1 since it opened; no console error and no
    uncaught error in any page of the context."""
    settle(page)
    recorder = recorder_of(page)
    where = page.url
    problems = [f"axe: {p}" for p in axe_problems(page)]
    problems += overflow_problems(page)
    problems += [f"a request left {LOCAL_HOST}: {url}" for url in recorder.foreign()]
    problems += [f"console error: {text}" for text in recorder.console_errors]
    problems += [f"page error: {text}" for text in recorder.page_errors]
    if page.evaluate("document.documentElement.lang") != "zh-CN":
        problems.append("the page's language is not zh-CN")
    assert not problems, f"{where}:\n  " + "\n  ".join(problems)


# --- what the browser keeps -------------------------------------------------------------------------


def web_storage(page: Any) -> dict[str, dict[str, str]]:
    """sessionStorage and localStorage of the page's origin, whole."""
    result: dict[str, dict[str, str]] = page.evaluate(
        """() => {
            const dump = (s) => Object.fromEntries(
                [...Array(s.length).keys()].map((i) => [s.key(i), s.getItem(s.key(i))]))
            return { session: dump(sessionStorage), local: dump(localStorage) }
        }"""
    )
    return result


def stored_user(page: Any) -> dict[str, Any] | None:
    """The signed-in user as the app's sign-in library keeps it in sessionStorage (``user:…``)."""
    for key, value in web_storage(page)["session"].items():
        if key.startswith("user:"):
            user: dict[str, Any] = json.loads(value)
            return user
    return None


def jwt_claims(token: str) -> dict[str, Any]:
    """A JWT's claims, unverified (the tests read ``exp`` and ``sub`` of tokens the issuer sent)."""
    import base64

    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims
