"""The public site in a real browser (headless Chromium from the system, driven by playwright):
pages load from the local runtime, Chinese renders with a CJK font, stored script and markup are
shown as text and never run, no request leaves 127.0.0.1, the notice form works without
JavaScript, and axe-core finds no serious or critical accessibility violation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from tests.e2e.conftest import Runtime, runtime_env, runtime_s3, runtime_today

pytestmark = pytest.mark.e2e
PAYLOAD = '<script>window.__pwned = 1</script><img src="x" onerror="window.__pwned = 2">'


def token(runtime: Runtime, cadre_id: str) -> dict[str, str]:
    resp = requests.post(f"{runtime.url}/_local/token", json={"cadre_id": cadre_id}, timeout=10)
    return {"Authorization": f"Bearer {resp.json()['token']}"}


@pytest.fixture(scope="module")
def published(runtime: Runtime, users: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The demo site, plus one cadre's entry carrying a script payload and a phone number, and an
    open vetting notice; published the night after."""
    cadre = next(u for u in users if u["roles"] == ["cadre"])
    org = next(u for u in users if "org_inspector" in u["roles"])
    today = runtime_today(runtime)
    day = today - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    entry = {"items": [{"content": f"接待来访群众，电话13912345678。{PAYLOAD}", "status": "done"}]}
    headers = token(runtime, cadre["cadre_id"])
    saved = requests.put(f"{runtime.url}/entries/{day}", json=entry, headers=headers, timeout=30)
    if saved.status_code == 422:  # already logged by the demo: a revision needs a reason
        entry["reason"] = "补充接待情况"
        saved = requests.put(f"{runtime.url}/entries/{day}", json=entry, headers=headers, timeout=30)
    assert saved.status_code in (200, 201), saved.text
    start = today
    notice = requests.post(
        f"{runtime.url}/admin/notices",
        json={
            "candidate_id": cadre["cadre_id"],
            "current_post": "科员",
            "proposed_post": "副科长",
            "start": start.isoformat(),
        },
        headers=token(runtime, org["cadre_id"]),
        timeout=30,
    )
    assert notice.status_code == 201, notice.text
    tomorrow = (today + timedelta(days=1)).isoformat()
    requests.post(f"{runtime.url}/_local/clock", json={"now": f"{tomorrow}T02:00:00+08:00"}, timeout=10)
    try:
        run = requests.post(f"{runtime.url}/_local/run/disclosure-publisher", json={}, timeout=600)
        assert run.status_code == 200, run.text
        assert requests.get(f"{runtime.url}/_local/site", timeout=10).json() == {"site": "ready"}
        yield {"cadre": cadre, "day": day, "notice": notice.json()}
    finally:
        requests.post(f"{runtime.url}/_local/clock", json={"now": None}, timeout=10)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    tab = context.new_page()
    hosts: list[str] = []
    tab.on("request", lambda request: hosts.append(urlsplit(request.url).hostname or request.url))
    tab.requested_hosts = hosts
    yield tab
    context.close()


def pages_to_check(runtime: Runtime, published: dict[str, Any]) -> list[str]:
    cadre, day = published["cadre"], published["day"]
    site = f"{runtime.url}/site"
    return [
        f"{site}/",
        f"{site}/units/{cadre['unit_id']}/",
        f"{site}/cadres/{cadre['cadre_id']}/",
        f"{site}/cadres/{cadre['cadre_id']}/{day.strftime('%Y-%m')}.html",
        f"{site}/notices/{published['notice']['notice_id']}.html",
        f"{site}/notices/",
        f"{site}/ledger/",
        f"{site}/audits/",
    ]


def test_pages_load_render_chinese_and_stay_on_this_host(
    runtime: Runtime, published: dict[str, Any], page: Any
) -> None:
    for url in pages_to_check(runtime, published):
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '干部工作日志')"), url
        # Nothing wider than the phone's screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, url
    assert set(page.requested_hosts) == {"127.0.0.1"}


def test_stored_script_and_markup_show_as_text_and_never_run(
    runtime: Runtime, published: dict[str, Any], page: Any
) -> None:
    cadre, day = published["cadre"], published["day"]
    page.goto(f"{runtime.url}/site/cadres/{cadre['cadre_id']}/{day.strftime('%Y-%m')}.html")
    text = page.inner_text("main")
    assert "<script>window.__pwned = 1</script>" in text and 'onerror="window.__pwned = 2"' in text
    assert "139****5678" in text and "13912345678" not in text
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.querySelectorAll('main script, main img[onerror]').length") == 0


def test_the_notice_form_works_without_javascript(
    runtime: Runtime, published: dict[str, Any], browser: Any
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    tab = context.new_page()
    try:
        tab.goto(f"{runtime.url}/site/notices/{published['notice']['notice_id']}.html")
        tab.fill("textarea[name=content]", "该同志工作踏实，群众评价较好。")
        with tab.expect_navigation():
            tab.click("form button[type=submit], form input[type=submit]")
        assert "已收到" in tab.inner_text("body")
    finally:
        context.close()


def test_no_serious_or_critical_accessibility_violation(
    runtime: Runtime, published: dict[str, Any], page: Any
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems = []
    for url in pages_to_check(runtime, published):
        page.goto(url)
        results = axe.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                problems.append(f"{url}: {violation['id']} ({violation['impact']}): {violation['help']}")
    assert problems == []


def verify_site(runtime: Runtime, cadre_id: str) -> dict[str, Any]:
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    done = subprocess.run(
        [sys.executable, "-m", "worklog.cli", "verify-site", f"{runtime.url}/site/", cadre_id],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, **runtime_env(runtime)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    assert (done.returncode == 0) == result["ok"], done.stderr
    return result


def test_the_verify_command_passes_on_the_published_log_and_fails_after_an_alteration(
    runtime: Runtime, published: dict[str, Any]
) -> None:
    import json

    cadre_id = published["cadre"]["cadre_id"]
    assert verify_site(runtime, cadre_id)["ok"] is True
    env = runtime_env(runtime)
    s3 = runtime_s3(runtime)
    bucket, key = env["SITE_BUCKET"], f"ledger/cadres/{cadre_id}.json"
    original = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    ledger = json.loads(original)
    ledger["revisions"][-1]["body"]["items"][0]["content"] = "事后改写的内容"
    s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(ledger, ensure_ascii=False).encode())
    try:
        altered = verify_site(runtime, cadre_id)
        assert altered["ok"] is False and altered["problems"]
    finally:
        s3.put_object(Bucket=bucket, Key=key, Body=original)


def test_the_notice_closes_by_itself_when_the_clock_passes_its_end(
    runtime: Runtime, published: dict[str, Any], page: Any
) -> None:
    notice = published["notice"]
    after = date.fromisoformat(notice["end"]) + timedelta(days=1)
    requests.post(f"{runtime.url}/_local/clock", json={"now": f"{after}T02:00:00+08:00"}, timeout=10)
    run = requests.post(f"{runtime.url}/_local/run/disclosure-publisher", json={}, timeout=600)
    assert run.status_code == 200, run.text
    page.goto(f"{runtime.url}/site/notices/{notice['notice_id']}.html")
    assert "公示期已结束" in page.inner_text("main")
    assert page.evaluate("document.querySelectorAll('form').length") == 0
    closed = requests.post(
        f"{runtime.url}/feedback/{notice['notice_id']}", json={"content": "晚到的反映"}, timeout=30
    )
    assert closed.status_code == 409 and closed.json()["code"] == "not_open"
