"""The app (``/app/``) in a real browser, on a phone (360×740, touch, 2× pixels) and on a desk's
monitor (1280×800): signing in through the real sign-in pages, the shell (tab bar or side menu, the
offline banner), 我的, the session (renewal, reload, sign-out) and the service worker.

Every screen a test visits passes ``check_screen`` (tests/e2e/browser.py): axe-core finds no
serious or critical violation, nothing is wider than the screen, no request leaves 127.0.0.1, no
console or page error. A flow test for a new screen is a few lines::

    def test_a_cadre_saves_today(page, people):
        sign_in(page, people["cadre"]["cadre_id"])
        page.fill('[data-test="item-content-0"] textarea', "走访企业")
        page.click('[data-test="save"]')
        expect(page.get_by_text("已保存")).to_be_visible()
        check_screen(page)

The app must be built (``make web``; ``make test`` builds it first): without web/dist these tests
fail, naming the command.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from infra.browser import (
    PHONE,
    SCREEN_READY,
    Viewport,
    app_path,
    menu_labels,
    open_from_menu,
    pick_user,
    sign_in,
)
from tests.e2e.browser import (
    JWT,
    check_screen,
    jwt_claims,
    recorder_of,
    settle,
    stored_user,
    web_storage,
)
from tests.e2e.conftest import Runtime, runtime_today, start_runtime, stop_runtime

pytestmark = pytest.mark.e2e

OFFLINE_BANNER = "离线：内容已保存在本机，联网后自动提交"
SHORT_TOKEN_TTL_S = 10  # the runtime's minimum (--token-ttl)

OpenPage = Callable[..., Any]


# --- fixtures -----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def people(users: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """One person per role, from the demo roster (never hard-coded ids): ``cadre`` holds no other
    role; ``unit_head`` and ``district_leader`` hold just that one besides cadre."""
    return {role: pick_user(users, role) for role in ("cadre", "unit_head", "district_leader")}


@pytest.fixture
def page(open_page: OpenPage, viewport: Viewport) -> Any:
    """A page of the app on each screen size: every test that takes it runs on a phone and a desktop."""
    return open_page(viewport=viewport)


@pytest.fixture(scope="module")
def short_ttl_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """A runtime of its own whose app sign-ins get tokens that last SHORT_TOKEN_TTL_S seconds."""
    rt = start_runtime(
        tmp_path_factory.mktemp("short-ttl-runtime"),
        "--no-publish",
        "--demo-weeks",
        "1",
        "--token-ttl",
        str(SHORT_TOKEN_TTL_S),
    )
    yield rt
    stop_runtime(rt)


def font_px(page: Any, selector: str = "html") -> float:
    script = "(s) => parseFloat(getComputedStyle(document.querySelector(s)).fontSize)"
    return float(page.evaluate(script, selector))


def login_button(page: Any) -> Any:
    return page.get_by_role("button", name="登录", exact=True)


def assert_no_token_is_kept(page: Any) -> None:
    """The browser's storage holds no id or access token: at most the refresh token (sessionStorage)."""
    storage = web_storage(page)
    for area, items in storage.items():
        for key, value in items.items():
            assert not JWT.search(value), f"{area}Storage[{key!r}] holds a token"
    user = stored_user(page)
    assert user is not None, "the signed-in user is not in sessionStorage: a reload would sign out"
    assert "id_token" not in user and "access_token" not in user
    assert user.get("refresh_token")


# --- signing in ---------------------------------------------------------------------------------------


def test_signing_in_lands_on_today_and_mine_names_the_person(
    page: Any, people: dict[str, dict[str, Any]], runtime: Runtime
) -> None:
    cadre = people["cadre"]

    sign_in(page, cadre["cadre_id"])

    assert app_path(page) == "/app/today"
    expect(page).to_have_title(re.compile(r"^今日 - "))
    expect(page.locator(SCREEN_READY)).to_have_text("今日")
    today = runtime_today(runtime)  # the date under the title is GET /me's today, the runtime's clock
    expect(page.locator("main .today-date")).to_contain_text(f"{today.year}年{today.month}月{today.day}日")
    check_screen(page)
    open_from_menu(page, "我的")
    page.wait_for_url(re.compile(r"/app/mine$"))
    expect(page.locator("main")).to_contain_text(cadre["name"])
    check_screen(page)


def test_the_sign_in_page_passes_the_screen_checks(page: Any) -> None:
    page.goto("/app/")

    page.wait_for_url(re.compile(r"/app/signin\?target="))
    expect(login_button(page)).to_be_visible()
    check_screen(page)


# What each role finds: a phone's tab bar (at most five), and a desk's side menu with every screen
# its duties open, and the inbox (消息; on a phone it is in 我的). (role, tabs on a phone, the side menu
# from 1024 px, a screen it may not open)
DUTIES = [
    ("cadre", ["今日", "日历", "我的"], ["今日", "日历", "导出", "消息", "我的"], "/review"),
    (
        "unit_head",
        ["今日", "日历", "审阅", "待办", "我的"],
        ["今日", "日历", "审阅", "待办", "单位概况", "导出", "消息", "我的"],
        "/inspect",
    ),
    (
        "district_leader",
        ["今日", "日历", "审阅", "待办", "我的"],
        ["今日", "日历", "审阅", "待办", "单位概况", "导出", "消息", "我的"],
        "/roster",
    ),
    (
        "org_inspector",
        ["今日", "日历", "待办", "我的"],
        ["今日", "日历", "待办", "抽查", "任前公示", "季度考评", "单位概况", "导出", "消息", "我的"],
        "/review",
    ),
    (
        "discipline_inspector",
        ["今日", "日历", "待办", "我的"],
        ["今日", "日历", "待办", "抽查", "导出", "消息", "我的"],
        "/vetting",
    ),
    ("hr_evaluator", ["今日", "日历", "我的"], ["今日", "日历", "季度考评", "导出", "消息", "我的"], "/todo"),
    (
        "admin",
        ["今日", "日历", "我的"],
        ["今日", "日历", "任前公示", "花名册", "节假日安排", "导出", "消息", "我的"],
        "/grading",
    ),
]


@pytest.mark.parametrize(("role", "tabs", "menu", "closed"), DUTIES, ids=[d[0] for d in DUTIES])
def test_each_role_finds_the_screens_of_its_duties_and_is_sent_back_from_others(
    page: Any,
    users: list[dict[str, Any]],
    viewport: Viewport,
    role: str,
    tabs: list[str],
    menu: list[str],
    closed: str,
) -> None:
    person = pick_user(users, role)
    sign_in(page, person["cadre_id"])

    assert menu_labels(page) == (tabs if viewport.name == PHONE.name else menu)
    if "审阅" in tabs:
        page.goto("/app/review")
        expect(page.locator(SCREEN_READY)).to_contain_text("周审阅")
        assert app_path(page) == "/app/review"
        check_screen(page)
    # A screen of a duty the person does not have sends them back to 今日 (the API refuses anyway).
    page.goto(f"/app{closed}")
    page.wait_for_url(re.compile(r"/app/today$"))


def test_a_deep_link_opened_signed_out_comes_back_after_sign_in(
    page: Any, people: dict[str, dict[str, Any]]
) -> None:
    cadre = people["cadre"]

    page.goto("/app/mine")
    page.wait_for_url(re.compile(r"/app/signin\?target=(/|%2F)mine$"))
    sign_in(page, cadre["cadre_id"], lands="/app/mine")

    expect(page.locator("main")).to_contain_text(cadre["name"])
    check_screen(page)


def test_an_unknown_address_shows_page_not_found(page: Any, people: dict[str, dict[str, Any]]) -> None:
    sign_in(page, people["cadre"]["cadre_id"])

    page.goto("/app/no-such-screen/42")

    expect(page.locator(SCREEN_READY)).to_contain_text("页面不存在")
    check_screen(page)
    page.get_by_role("button", name="回到今日").click()
    page.wait_for_url(re.compile(r"/app/today$"))


# --- 我的 -----------------------------------------------------------------------------------------------


def test_big_font_mode_raises_the_base_font_to_20px_and_survives_a_reload(
    page: Any, people: dict[str, dict[str, Any]]
) -> None:
    sign_in(page, people["cadre"]["cadre_id"])
    open_from_menu(page, "我的")
    switch = page.get_by_role("switch", name="大字模式")
    expect(switch).to_have_attribute("aria-checked", "false")
    assert font_px(page) == 16

    switch.click()

    expect(switch).to_have_attribute("aria-checked", "true")
    assert font_px(page) == 20
    assert font_px(page, "main .van-cell__title") >= 19.5  # the text itself, not just the root
    check_screen(page)  # nothing wider than the phone in big letters either
    page.reload()
    page.wait_for_selector(SCREEN_READY)
    expect(page.get_by_role("switch", name="大字模式")).to_have_attribute("aria-checked", "true")
    assert font_px(page) == 20
    open_from_menu(page, "今日")
    page.wait_for_url(re.compile(r"/app/today$"))
    assert font_px(page) == 20
    check_screen(page)


def test_the_big_font_switch_answers_anywhere_in_a_44px_target(
    page: Any, people: dict[str, dict[str, Any]]
) -> None:
    sign_in(page, people["cadre"]["cadre_id"])
    open_from_menu(page, "我的")
    switch = page.get_by_role("switch", name="大字模式")
    switch.evaluate("(el) => el.scrollIntoView({ block: 'center' })")  # clear of the tab bar
    box = switch.bounding_box()
    assert box is not None

    # 21 px above the switch's middle: inside a 44 px target, outside the drawn switch. A click, not
    # a tap: Chromium's touch adjustment moves a tap onto a control nearby and would hide a small one.
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 - 21)

    expect(switch).to_have_attribute("aria-checked", "true")


def test_signing_out_returns_to_the_sign_in_page_and_a_reload_does_not_sign_back_in(
    page: Any, app: str, people: dict[str, dict[str, Any]]
) -> None:
    sign_in(page, people["cadre"]["cadre_id"])
    user = stored_user(page)
    assert user is not None
    refresh_token = user["refresh_token"]
    open_from_menu(page, "我的")

    page.get_by_role("button", name="退出登录").click()

    page.wait_for_url(re.compile(r"/app/signin(\?|$)"))
    expect(login_button(page)).to_be_visible()
    signed_out_at = time.time()
    check_screen(page)
    page.reload()
    expect(login_button(page)).to_be_visible()
    settle(page)
    assert app_path(page).startswith("/app/signin")
    assert stored_user(page) is None
    recorder = recorder_of(page)
    assert [s.url for s in recorder.requests if s.at >= signed_out_at and "/oauth2/token" in s.url] == []
    assert [s.url for s in recorder.api_calls(since=signed_out_at)] == []
    # The issuer ended the session too: the refresh token the browser held no longer works.
    spent = requests.post(
        f"{app}/_local/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": "worklog-local"},
        timeout=10,
    )
    assert spent.status_code == 400 and spent.json()["error"] == "invalid_grant"
    page.goto("/app/today")
    page.wait_for_url(re.compile(r"/app/signin\?target=(/|%2F)today$"))


# --- the session ----------------------------------------------------------------------------------------


def test_a_reload_keeps_the_person_signed_in_and_no_id_or_access_token_is_stored(
    page: Any, people: dict[str, dict[str, Any]]
) -> None:
    cadre = people["cadre"]
    sign_in(page, cadre["cadre_id"])
    assert_no_token_is_kept(page)
    recorder = recorder_of(page)
    renewals_before = len(recorder.token_grants("refresh_token"))

    page.reload()

    page.wait_for_selector(SCREEN_READY)
    assert app_path(page) == "/app/today"
    # Signed back in silently with the refresh token, not through the sign-in page.
    renewals = recorder.token_grants("refresh_token")[renewals_before:]
    assert renewals and renewals[0].status == 200
    assert len(recorder.token_grants("authorization_code")) == 1
    assert_no_token_is_kept(page)
    open_from_menu(page, "我的")
    expect(page.locator("main")).to_contain_text(cadre["name"])
    check_screen(page)


def test_the_app_renews_its_tokens_past_their_lifetime_without_a_new_sign_in(
    open_page: OpenPage, short_ttl_runtime: Runtime
) -> None:
    base = short_ttl_runtime.url
    cadre = pick_user(requests.get(f"{base}/_local/users", timeout=10).json(), "cadre")
    page = open_page(base_url=base, viewport=PHONE)
    recorder = recorder_of(page)
    sign_in(page, cadre["cadre_id"])
    first = recorder.token_grants("authorization_code")[0].body
    assert first["expires_in"] == SHORT_TOKEN_TTL_S
    first_expiry = jwt_claims(first["id_token"])["exp"]

    # The page stays open past the first tokens' lifetime.
    page.wait_for_timeout((first_expiry - time.time() + 3) * 1000)

    renewals = [s for s in recorder.token_grants("refresh_token") if s.status == 200]
    assert renewals, "the app did not renew its tokens with the refresh token"
    latest = jwt_claims(renewals[-1].body["id_token"])
    assert latest["sub"] == cadre["cadre_id"] and latest["exp"] > first_expiry
    assert len(recorder.token_grants("authorization_code")) == 1
    sign_in_pages = [s for s in recorder.requests if s.method == "GET" and s.path.endswith("/authorize")]
    assert len(sign_in_pages) == 1, "the person was sent to the sign-in page again"
    assert app_path(page) == "/app/today"
    open_from_menu(page, "我的")
    expect(page.locator("main")).to_contain_text(cadre["name"])
    check_screen(page)
    # A reload past the first lifetime: the API answers the app with what it renewed.
    past = time.time()
    page.reload()
    expect(page.locator("main")).to_contain_text(cadre["name"])
    me = [s for s in recorder.api_calls(since=past) if s.path == "/me"]
    assert me and me[-1].status == 200
    assert all(s.status != 401 for s in recorder.api_calls())
    check_screen(page)


# --- offline -------------------------------------------------------------------------------------------


def test_the_shell_opens_offline_after_one_visit(page: Any, people: dict[str, dict[str, Any]]) -> None:
    sign_in(page, people["cadre"]["cadre_id"])
    # The service worker is installed with the app's shell (it controls the pages loaded after it).
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    recorder = recorder_of(page)

    page.context.set_offline(True)
    page.reload()

    banner = page.get_by_role("status")
    expect(banner).to_contain_text(OFFLINE_BANNER)
    page.wait_for_selector(SCREEN_READY)
    assert app_path(page) == "/app/today", "an offline reload must not send the person to sign in"
    # Offline, the browser logs each request it could not send (the app's own answers to them are
    # its screens' error states): those, and only those, are expected here.
    recorder.console_errors[:] = [e for e in recorder.console_errors if "ERR_INTERNET_DISCONNECTED" not in e]
    check_screen(page)
    page.context.set_offline(False)
    expect(page.get_by_text(OFFLINE_BANNER)).to_have_count(0)
