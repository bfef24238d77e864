"""The public site's HTML: safe (no script, escaped, CSP), accessible, relative links, deterministic."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from urllib.parse import urlsplit

import pytest
from pydantic import ValidationError

from tests.unit.site_support import (
    DISTRICT,
    FEEDBACK,
    FEEDBACK_ORIGIN,
    FIGURES,
    LI,
    PAYLOAD,
    ROUNDS,
    Page,
    build_site,
    check_page,
    data_keys,
    external_urls,
    month_page,
    notice_view,
    resolve,
    unit_page,
)
from worklog.publish import keys, render
from worklog.publish.pages import (
    CadreRef,
    FeedbackResult,
    MonthFigure,
)


@pytest.fixture(scope="module")
def site() -> dict[str, str]:
    return build_site()


# --- every page -----------------------------------------------------------------------------
def test_every_page_is_well_formed_safe_and_accessible(site: dict[str, str]) -> None:
    kinds = {
        "index.html",
        "units/jyj/index.html",
        "cadres/c0001/index.html",
        "cadres/c0001/2026-11.html",
        "cadres/c0001/revisions/ENTRY-2026-11-04.html",
        "cadres/c0001/revisions/PLAN-2026-11.html",
        "notices/index.html",
        "notices/N-2026-001.html",
        "audits/index.html",
        "audits/2026-Q3.html",
        "ledger/index.html",
    }
    assert kinds <= set(site)
    for key, html in site.items():
        check_page(key, html)


def test_no_request_to_another_host(site: dict[str, str]) -> None:
    for key, html in site.items():
        page = Page(html)
        allowed = set()
        if page.find("form"):
            allowed = {FEEDBACK, FEEDBACK_ORIGIN}
        for url in external_urls(html):
            assert url.rstrip(";") in allowed, f"{key}: {url}"
        for tag, attrs in page.tags:
            for name in ("href", "src", "action", "srcset", "poster", "data"):
                value = attrs.get(name)
                if value is None:
                    continue
                scheme = urlsplit(value).scheme
                favicon = tag == "link" and attrs.get("rel") == "icon" and value == "data:,"  # no request
                assert scheme == "" or favicon or (tag == "form" and value == FEEDBACK), (
                    f"{key}: {tag} {value}"
                )


def test_relative_links_resolve_to_rendered_objects(site: dict[str, str]) -> None:
    data = data_keys()
    ids = {key: set(Page(html).ids) for key, html in site.items()}
    checked = 0
    for key, html in site.items():
        for tag, attrs in Page(html).tags:
            href = attrs.get("href") if tag == "a" else None
            if href is None:
                continue
            assert not href.startswith("/"), f"{key}: absolute path {href}"
            assert "://" not in href, f"{key}: {href}"
            target, fragment = resolve(key, href)
            assert not target.startswith(".."), f"{key}: {href} leaves the site"
            assert target in site or target in data, f"{key}: {href} → {target} is not published"
            if fragment:
                assert target in site and fragment in ids[target], f"{key}: {href} → no #{fragment}"
            checked += 1
    assert checked > 200
    # every data object the pages promise is linked from somewhere
    linked = {
        resolve(key, str(a["href"]))[0] for key, html in site.items() for t, a in Page(html).tags if t == "a"
    }
    assert data <= linked


def test_links_from_nested_pages_are_relative_to_their_folder(site: dict[str, str]) -> None:
    page = Page(site["cadres/c0001/2026-11.html"])
    hrefs = {str(a["href"]) for a in page.find("a")}
    assert {"2026-10.html", "index.html", "../../units/jyj/index.html", "../../ledger/index.html"} <= hrefs
    assert "revisions/ENTRY-2026-11-04.html" in hrefs
    assert "../../ledger/cadres/c0001.json" in hrefs
    assert "2026-12.html" not in hrefs  # 2026-11 is the newest month: no "next"
    older = Page(site["cadres/c0001/2026-10.html"])
    assert "2026-11.html" in {str(a["href"]) for a in older.find("a")}
    home = Page(site["index.html"])
    assert {"units/jyj/index.html", "ledger/index.html", "notices/N-2026-001.html"} <= {
        str(a["href"]) for a in home.find("a")
    }


def test_identical_inputs_give_identical_bytes(site: dict[str, str]) -> None:
    again = build_site()
    assert again == site
    # dict order of the notice's figures does not matter
    a = notice_view("N-2026-001", "open")
    b = a.model_copy(update={"verdicts": dict(reversed(list(a.verdicts.items())))})
    assert render.render_notice(a, DISTRICT).html() == render.render_notice(b, DISTRICT).html()
    # nor does the order members arrive in
    p = unit_page("jyj")
    q = p.model_copy(update={"members": list(reversed(p.members))})
    assert render.render_unit(p).html() == render.render_unit(q).html()


# --- the cadre's month ----------------------------------------------------------------------
def test_stored_markup_is_shown_as_text(site: dict[str, str]) -> None:
    html = site["cadres/c0001/2026-11.html"]
    assert "<script>alert(1)</script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert PAYLOAD in Page(html).all_text()
    assert "&lt;b&gt;多下基层&lt;/b&gt;" in html and "补充会议&lt;em&gt;结论&lt;/em&gt;" in html
    revisions = site["cadres/c0001/revisions/ENTRY-2026-11-04.html"]
    assert "<script>" not in revisions and PAYLOAD in Page(revisions).all_text()


def test_month_page_shows_states_statuses_badges_plan_and_summaries(site: dict[str, str]) -> None:
    page = Page(site["cadres/c0001/2026-11.html"])
    text = page.all_text()
    for label in ("已填写", "未填写", "休假", "无需填写", "已完成", "推进中", "未完成", "未开始"):
        assert label in text
    for label in (
        "月度工作计划",
        "工作成效",
        "存在问题",
        "下步打算",
        "2026年上半年工作总结",
        "加强<u>统筹</u>",
    ):
        assert label in text
    assert "（内部事项，不予公开）" in text and render.WITHHELD in text
    assert "补记" in text and "修订" in text
    assert "补充会议<em>结论</em>" in text  # the reason of the later revision
    assert "2026-11-03 星期二" in text
    assert "第 42 条" in text and "ab" * 32 in text
    day = page.find("li", id="d-2026-11-04")
    assert day
    assert page.find("a", href="#plan-p1") and page.find("tr", id="plan-p1")
    # no plan: said so
    assert "本月工作计划未填写" in Page(site["cadres/c0003/2026-11.html"]).all_text()


def test_revision_history_lists_every_version(site: dict[str, str]) -> None:
    page = Page(site["cadres/c0001/revisions/ENTRY-2026-11-04.html"])
    text = page.all_text()
    assert "第 1 版" in text and "第 2 版" in text and "补充会议结论" in text
    assert "01" * 32 in text and "02" * 32 in text
    assert "存在不足" in text and "extra_field" in text and '{"a": [2], "b": 1}' in text
    assert "2026-11-20 21:00" in text  # Beijing time, minutes
    assert page.find("a", href="../2026-11.html")
    plan = Page(site["cadres/c0001/revisions/PLAN-2026-11.html"]).all_text()
    assert "目标：" in plan and "完成立项" in plan


def test_linked_revision_keys_are_the_amended_periods() -> None:
    page = month_page(LI, "2026-11")
    assert render.linked_revision_keys(page) == ["ENTRY-2026-11-04", "PLAN-2026-11"]


# --- units: figures per unit, never a ranking of people ------------------------------------
def test_unit_page_lists_members_by_id_without_personal_figures(site: dict[str, str]) -> None:
    html = site["units/jyj/index.html"]
    page = Page(html)
    member_links = [a for a in page.find("a") if str(a.get("href", "")).startswith("../../cadres/")]
    assert [a["href"] for a in member_links] == [
        "../../cadres/c0001/index.html",
        "../../cadres/c0002/index.html",
    ]
    members = html[html.index("本单位干部") : html.index("</main>")]
    items = re.findall(r"<li>(.*?)</li>", members, re.S)
    assert [re.sub(r"<[^>]+>", "", i) for i in items] == ["李明（副局长）", "王强（局长）"]
    # the figure table's rows are months, not people
    row_headers = re.findall(r'<th scope="row">(.*?)</th>', html)
    assert row_headers == ["2026年10月", "2026年11月"]
    assert "95.0%" in html and "96.7%" in html
    for key, other in site.items():
        assert "排名" not in other and "排行" not in other, key


def test_bar_chart_svg_is_an_accessible_image() -> None:
    svg = str(render.bar_chart_svg(FIGURES))
    page = Page(svg)
    [root] = page.find("svg")
    assert root.get("role") == "img"
    assert page.find("title") and page.find("desc")
    labelled = str(root.get("aria-labelledby")).split()
    assert set(labelled) <= set(page.ids) and len(labelled) == 2
    desc = "".join(page.texts_in["desc"])
    assert "2026年10月" in desc and "按时填写率95.0%" in desc and "补记15" in desc and "未填5" in desc
    assert len(page.find("rect")) == 4
    assert "http" not in svg  # no xmlns needed inline
    assert "暂无数据" in str(render.bar_chart_svg([]))
    zero = str(render.bar_chart_svg([MonthFigure(month="2026-01", owed=0, on_time=0, late=0, missing=0)]))
    assert "—" in zero


# --- notices --------------------------------------------------------------------------------
def test_feedback_form_only_while_open(site: dict[str, str]) -> None:
    open_ = Page(site["notices/N-2026-001.html"])
    [form] = open_.find("form")
    assert form["method"] == "post" and form["action"] == FEEDBACK
    [textarea] = open_.find("textarea")
    assert textarea["name"] == "content" and "required" in textarea and textarea["maxlength"] == "2000"
    [contact] = open_.find("input", name="contact")
    assert contact["maxlength"] == "100" and "required" not in contact
    assert {a.get("for") for a in open_.find("label")} == {textarea["id"], contact["id"]}
    [button] = open_.find("button")
    assert button.get("type") == "submit" and "反映问题" in "".join(open_.texts_in["button"])
    [policy] = open_.find("meta", **{"http-equiv": "Content-Security-Policy"})
    assert policy["content"] == render.csp(FEEDBACK_ORIGIN)
    assert "公示中" in open_.all_text()

    closed = Page(site["notices/N-2026-002.html"])
    assert not closed.find("form") and not closed.find("textarea")
    assert render.CLOSED_TEXT == "公示期已结束，不再受理反映。" and render.CLOSED_TEXT in closed.all_text()
    assert "公示已结束" in closed.all_text()
    [policy] = closed.find("meta", **{"http-equiv": "Content-Security-Policy"})
    assert policy["content"] == render.csp(None)

    upcoming = Page(site["notices/N-2026-003.html"])
    assert not upcoming.find("form") and "即将开始" in upcoming.all_text()


def test_notice_shows_posts_period_figures_and_monthly_pages(site: dict[str, str]) -> None:
    page = Page(site["notices/N-2026-001.html"])
    text = page.all_text()
    for part in ("李明", "副局长", "局长", "2026-11-16", "2026-11-20", "96.2%", "合格", "敷衍应付", "属实"):
        assert part in text
    assert text.index("合格") < text.index("敷衍应付") < text.index("other")  # fixed order, not dict order
    hrefs = {a["href"] for a in page.find("a")}
    assert {"../cadres/c0001/2026-11.html", "../cadres/c0001/2026-10.html"} <= hrefs
    index = Page(site["notices/index.html"]).all_text()
    assert index.index("公示中") < index.index("即将开始") < index.index("公示已结束")


def test_feedback_address_must_be_a_plain_web_address() -> None:
    for bad in (
        "javascript:alert(1)",
        "https://x.example/a'b",
        "ftp://x.example/",
        "https://a b/",
        "//x.example/",
    ):
        with pytest.raises(ValidationError):
            notice_view("N-1", "open").model_validate(
                {**notice_view("N-1", "open").model_dump(), "feedback_url": bad}
            )
    with pytest.raises(ValueError):
        render.csp("https://x.example; script-src *")


# --- audits, ledger, home -------------------------------------------------------------------
def test_audit_round_pages(site: dict[str, str]) -> None:
    drawn = Page(site["audits/2026-Q3.html"])
    text = drawn.all_text()
    for part in ("5e" * 32, "seed-value", "6f" * 32, "sha256-rank", "2026-10-08 08:00", "2026-07-01 08:00"):
        assert part in text
    assert "尚未抽取" not in text and "赵敏" in text and "2026-10-03" in text
    hrefs = [a["href"] for a in drawn.find("a")]
    assert "../cadres/c0003/2026-10.html#d-2026-10-03" in hrefs
    assert [h for h in hrefs if str(h).endswith(".json")] == [
        "2026-Q3/commitment.json",
        "2026-Q3/snapshot.json",
        "2026-Q3/sample.json",
        "2026-Q3/reveal.json",
    ]
    # the sample keeps the draw's order (not sorted by anything about the people)
    assert text.index("赵敏") < text.index("李明")
    committed = Page(site["audits/2026-Q4.html"])
    assert "尚未抽取" in committed.all_text() and "7a" * 32 in committed.all_text()
    assert [a["href"] for a in committed.find("a") if str(a["href"]).endswith(".json")] == [
        "2026-Q4/commitment.json"
    ]
    assert "2026年第三季度" in Page(site["audits/index.html"]).all_text()


def test_a_rounds_page_says_why_it_was_asked_for_and_why_it_was_drawn() -> None:
    spot = ROUNDS[0].model_copy(
        update={
            "round_id": "SPOT-2026-11-20-01",
            "kind": "spot",
            "reason": "年底前随机抽查",
            "draw_reason": "年底前随机抽查",
        }
    )
    on_demand = ROUNDS[0].model_copy(update={"reason": "", "draw_reason": "季度例行抽查未按时运行，提前抽取"})
    spot_text = Page(render.render_audit(spot, DISTRICT).html()).all_text()
    assert "抽查理由" in spot_text and "年底前随机抽查" in spot_text and "提前抽取理由" not in spot_text
    quarter_text = Page(render.render_audit(on_demand, DISTRICT).html()).all_text()
    assert "季度例行抽查" in quarter_text and "提前抽取理由" in quarter_text
    assert "季度例行抽查未按时运行，提前抽取" in quarter_text


def test_ledger_page_explains_verification(site: dict[str, str]) -> None:
    page = Page(site["ledger/index.html"])
    text = page.all_text()
    assert "python -m worklog.cli verify-site <网站地址> <干部编号>" in text
    assert "k-2026" in text and "Ed25519" in text and "9c" * 32 in text
    # each checkpoint is checked with the key it names, kept by fingerprint; a verifier may pin keys
    assert "ledger/keys/<公钥指纹>.pem" in text and "--trusted-key-id <公钥指纹>" in text
    hrefs = {a["href"] for a in page.find("a")}
    assert {"public-key.pem", "checkpoints/2026-11-22.json", "checkpoints/2026-11-21.json"} <= hrefs


def test_home_page(site: dict[str, str]) -> None:
    page = Page(site["index.html"])
    text = page.all_text()
    assert "2026-11-23" in text and "区教育局" in text and "如何核验" in text
    notices = [a["href"] for a in page.find("a") if str(a["href"]).startswith("notices/N-")]
    assert notices == ["notices/N-2026-001.html"]  # open notices only
    assert page.find("a", href="ledger/checkpoints/2026-11-22.json")
    assert page.find("a", href="audits/2026-Q3.html") and page.find("a", href="audits/2026-Q4.html")


def test_style_is_small_readable_and_contrasted(site: dict[str, str]) -> None:
    html = site["index.html"]
    style = html[html.index("<style>") + 7 : html.index("</style>")]
    style = re.sub(r"#([0-9a-f])([0-9a-f])([0-9a-f])\b", r"#\1\1\2\2\3\3", style)
    assert len(style) < 8000
    assert 'font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif' in style
    assert "font-size:16px" in style
    assert "overflow-x:auto" in style and "@media" in style
    assert page_has_viewport(html)
    colour = r"(?<![-\w])color:(#[0-9a-f]{6})"
    background = r"background:(#[0-9a-f]{6})"
    pairs = re.findall(rf"\{{[^}}]*?{background}[^}}]*?{colour}", style)
    pairs += [(bg, fg) for fg, bg in re.findall(rf"\{{[^}}]*?{colour}[^}}]*?{background}", style)]
    assert len(pairs) >= 5
    text_colours = set(re.findall(r"(?<![-\w])color:(#[0-9a-f]{6})", style))
    backgrounds = {"#ffffff", "#eef1f5", "#f4f6f8"}
    for bg, fg in pairs:
        assert _contrast(fg, bg) >= 4.5, (fg, bg)
    for fg in text_colours - {"#ffffff"}:
        for bg in backgrounds:
            assert _contrast(fg, bg) >= 4.5, (fg, bg)


def page_has_viewport(html: str) -> bool:
    return '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


def _contrast(fg: str, bg: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# --- links to objects not written yet -----------------------------------------------------
def test_a_page_shows_links_to_missing_objects_as_text_until_they_exist() -> None:
    # Given a unit page, which links to its members' pages and to the site's sections
    page = render.render_unit(unit_page("jyj"))
    # When only the home page exists besides it
    partial = Page(page.html({keys.HOME}))
    # Then it links to the home page alone; the members are named, not linked
    targets = {resolve(page.key, str(a["href"]))[0] for a in partial.find("a") if a["href"] != "#main"}
    assert targets == {keys.HOME}
    assert "王强（局长）" in partial.all_text() and "李明（副局长）" in partial.all_text()
    assert not page.complete({keys.HOME})
    # When every object it links to exists, then it is whole: the page as rendered with every link
    everything = {link.target for link in page.links}
    assert keys.cadre_index("c0001") in everything and keys.LEDGER in everything
    assert page.complete(everything) and page.html(everything) == page.html()


def test_record_text_cannot_pose_as_a_link() -> None:
    # Given a member whose name is written like the renderer's mark of a link
    forged = CadreRef(cadre_id="c0009", name="<\x000>伪造", title="")
    unit = unit_page("jyj").model_copy(update={"members": [forged]})
    # When the page is rendered with no object present
    page = render.render_unit(unit)
    html = page.html(set())
    # Then the name is text, and the page has exactly the links the renderer made
    assert "<span>&lt;\x000&gt;伪造</span>" in html and "<\x00" not in html
    assert len(page.pieces) == len(page.links) + 1


# --- the feedback endpoint's answer, keys, helpers ------------------------------------------
def test_feedback_result_page() -> None:
    result = FeedbackResult(
        ok=True, title="已收到", message="感谢反映<script>x</script>", notice_id="N-2026-001"
    )
    html = render.render_feedback_result(result, "https://site.example.org/")
    page = check_page("feedback", html, standalone=True)
    assert "<script>" not in html and "感谢反映<script>x</script>" in page.all_text()
    hrefs = {a["href"] for a in page.find("a")} - {"#main"}
    assert hrefs == {
        "https://site.example.org/notices/N-2026-001.html",
        "https://site.example.org/index.html",
        "https://site.example.org/ledger/index.html",
    }
    bare = render.render_feedback_result(FeedbackResult(ok=False, title="提交失败", message="公示期已结束"))
    page = check_page("feedback", bare, standalone=True)
    assert {a["href"] for a in page.find("a")} == {"#main"}
    assert external_urls(bare) == []
    assert render.render_feedback_result(result, "https://site.example.org") == html
    with pytest.raises(ValueError):
        render.render_feedback_result(result, "javascript:alert(1)")


def test_csp_exact() -> None:
    assert render.csp(None) == (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "
        "form-action 'self'"
    )
    assert render.csp("https://Feedback.example.org/path?q=1").endswith(
        "form-action https://feedback.example.org"
    )


@pytest.mark.parametrize(
    ("make", "bad"),
    [
        (keys.cadre_index, "../x"),
        (keys.cadre_index, "a/b"),
        (keys.unit, ""),
        (keys.notice, "n?x"),
        (keys.audit, ".hidden"),
        (lambda v: keys.cadre_month("c0001", v), "2026-13"),
        (lambda v: keys.revisions("c0001", v), "ENTRY#2026-11-20"),
    ],
)
def test_object_keys_refuse_unsafe_ids(make: Callable[[str], str], bad: str) -> None:
    with pytest.raises(ValueError):
        make(bad)


def test_keys_and_labels() -> None:
    assert keys.revisions("c1", keys.entry_period(date(2026, 11, 20))) == (
        "cadres/c1/revisions/ENTRY-2026-11-20.html"
    )
    assert keys.plan_period("2026-11") == "PLAN-2026-11"
    assert keys.summary_period("2026-H2") == "SUMMARY-2026-H2"
    assert keys.relative("cadres/c1/revisions/ENTRY-2026-11-20.html", "cadres/c1/2026-11.html#x") == (
        "../2026-11.html#x"
    )
    assert keys.relative("index.html", "ledger/index.html") == "ledger/index.html"
    assert render.month_label("2026-01") == "2026年1月"
    assert render.half_label("2026-H2") == "2026年下半年"
    assert render.quarter_label("2026-Q4") == "2026年第四季度"
    assert render.moment_label("2026-11-20T21:03:09.120+08:00") == "2026-11-20 21:03"
    assert render.moment_label("2026-11-20T13:03:09Z") == "2026-11-20T13:03:09Z"
