"""A small but complete public site for the renderer's tests: view models of every page kind,
all cross-linked, and an HTML walker that checks a page and lists what it holds."""

from __future__ import annotations

import posixpath
import re
from datetime import date
from html.parser import HTMLParser
from typing import Any, Literal

from worklog.publish import keys, render
from worklog.publish.pages import (
    AuditRoundView,
    AuditSampleRow,
    CadreIndexPage,
    CadreMonthPage,
    CadreRef,
    CheckpointRef,
    EntryView,
    HomePage,
    ItemView,
    LedgerPage,
    MonthFigure,
    NoticeView,
    PlanItemView,
    PlanView,
    RevisionsPage,
    RevisionView,
    SummaryView,
    UnitPage,
    UnitRef,
)

DISTRICT = "示范区"
PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(1)>"
FEEDBACK = "https://feedback.example.org/notices/N-2026-001/feedback"
FEEDBACK_ORIGIN = "https://feedback.example.org"

LI = CadreRef(cadre_id="c0001", name="李明", title="副局长")
WANG = CadreRef(cadre_id="c0002", name="王强", title="局长")
ZHAO = CadreRef(cadre_id="c0003", name="赵敏", title="干部科科长")
UNIT_OF = {"c0001": ("jyj", "区教育局"), "c0002": ("jyj", "区教育局"), "c0003": ("zzb", "区委组织部")}
MONTHS = ["2026-11", "2026-10"]  # newest first


def revision(
    n: int, *, reason: str | None = None, late: bool = False, day: str = "2026-11-20"
) -> RevisionView:
    return RevisionView(
        revision=n, saved_at=f"{day}T2{n}:00:00.000+08:00", reason=reason, hash=f"{n:02d}" * 32, late=late
    )


def month_entries(month: str) -> list[EntryView]:
    """A not-owed day, a saved day (stored markup, an internal and a withheld item), a late and
    amended day, a missing day, a day on leave."""
    year, mm = int(month[:4]), int(month[5:])
    return [
        EntryView(date=date(year, mm, 2), state="not_owed"),
        EntryView(
            date=date(year, mm, 3),
            state="saved",
            items=[
                ItemView(content=PAYLOAD, status="done", plan_item_id="p1"),
                ItemView(content="（内部事项，不予公开）", status="in_progress", internal=True),
                ItemView(content=None, status=None),
            ],
            mistakes="时间安排不够合理\n需改进",
            reflections="<b>多下基层</b>",
        ),
        EntryView(
            date=date(year, mm, 4),
            state="saved",
            items=[ItemView(content="召开项目推进会", status="not_done")],
            late=True,
            amended=True,
            revisions=[
                revision(1, late=True, day=f"{month}-05"),
                revision(2, reason="补充会议<em>结论</em>", day=f"{month}-06"),
            ],
        ),
        EntryView(date=date(year, mm, 5), state="missing"),
        EntryView(date=date(year, mm, 6), state="leave"),
    ]


def month_page(cadre: CadreRef, month: str) -> CadreMonthPage:
    unit_id, unit_name = UNIT_OF[cadre.cadre_id]
    plan = PlanView(
        month=month,
        items=[
            PlanItemView(id="p1", content="推进项目建设", target="完成立项", progress="in_progress"),
            PlanItemView(id="p2", content="调研", progress="not_started"),
            PlanItemView(id="p3", content="整改", progress="done"),
        ],
        amended=True,
        revisions=[revision(1, day=f"{month}-01"), revision(2, reason="调整目标", day=f"{month}-02")],
    )
    summaries = (
        [
            SummaryView(
                half="2026-H1",
                achievements="完成目标任务12项",
                problems="统筹不够",
                next_steps="加强<u>统筹</u>",
                late=True,
            )
        ]
        if month == "2026-11"
        else []
    )
    return CadreMonthPage(
        district=DISTRICT,
        cadre=cadre,
        unit_id=unit_id,
        unit_name=unit_name,
        month=month,
        months=MONTHS,
        entries=month_entries(month),
        plan=plan if cadre.cadre_id != "c0003" else None,
        summaries=summaries,
        seq=42,
        head="ab" * 32,
    )


def revisions_page(cadre: CadreRef, period_key: str) -> RevisionsPage:
    if period_key.startswith("PLAN-"):
        bodies: list[dict[str, Any]] = [
            {"items": [{"id": "p1", "content": "推进项目建设", "target": "立项"}]},
            {"items": [{"id": "p1", "content": "推进项目建设", "target": "完成立项"}]},
        ]
    else:
        bodies = [
            {"items": [{"content": "召开会议", "status": "done"}]},
            {
                "items": [
                    {"content": PAYLOAD, "status": "done"},
                    {"content": "（内部事项）", "status": "in_progress", "internal": True},
                ],
                "mistakes": "无",
                "extra_field": {"b": 1, "a": [2]},
            },
        ]
    revisions = [
        (revision(1, late=True), bodies[0]),
        (revision(2, reason="补充会议结论"), bodies[1]),
    ]
    return RevisionsPage(
        district=DISTRICT,
        cadre=cadre,
        period_key=period_key,
        period_label="2026年11月4日日志",
        revisions=revisions,
    )


def notice_view(
    notice_id: str, state: Literal["open", "closed", "upcoming"], *, months: list[str] | None = None
) -> NoticeView:
    return NoticeView(
        notice_id=notice_id,
        candidate=LI,
        unit_name="区教育局",
        current_post="副局长",
        proposed_post="局长",
        start=date(2026, 11, 16),
        end=date(2026, 11, 20),
        state=state,
        feedback_url=FEEDBACK,
        months=MONTHS if months is None else months,
        on_time_rate="96.2%",
        verdicts={"perfunctory": 1, "adequate": 20, "other": 2},
        findings={"verified": 3},
    )


NOTICES = [
    notice_view("N-2026-001", "open"),
    notice_view("N-2026-002", "closed"),
    notice_view("N-2026-003", "upcoming"),
]
ROUNDS = [
    AuditRoundView(
        round_id="2026-Q3",
        kind="quarterly",
        quarter="2026-Q3",
        state="drawn",
        seed_hash="5e" * 32,
        seed="seed-value",
        committed_at="2026-07-01T08:00:00.000+08:00",
        drawn_at="2026-10-08T08:00:00.000+08:00",
        snapshot_hash="6f" * 32,
        algorithm="sha256-rank",
        version="1",
        sample=[
            AuditSampleRow(
                cadre=ZHAO, unit_name="区委组织部", entries=[date(2026, 10, 3), date(2026, 11, 4)]
            ),
            AuditSampleRow(cadre=LI, unit_name="区教育局", entries=[date(2026, 10, 5)]),
        ],
    ),
    AuditRoundView(
        round_id="2026-Q4",
        kind="quarterly",
        quarter="2026-Q4",
        state="committed",
        seed_hash="7a" * 32,
        seed=None,
        committed_at="2026-10-08T08:00:00.000+08:00",
        drawn_at=None,
        snapshot_hash=None,
        algorithm=None,
        version=None,
    ),
]
CHECKPOINTS = [
    CheckpointRef(date="2026-11-22", root="9c" * 32, leaves=800, signature_algorithm="Ed25519"),
    CheckpointRef(date="2026-11-21", root="8b" * 32, leaves=800, signature_algorithm="Ed25519"),
]
FIGURES = [
    MonthFigure(month="2026-10", owed=400, on_time=380, late=15, missing=5),
    MonthFigure(month="2026-11", owed=300, on_time=290, late=8, missing=2),
]


def unit_page(unit_id: str) -> UnitPage:
    members = [c for c in (WANG, ZHAO, LI) if UNIT_OF[c.cadre_id][0] == unit_id]  # not in id order
    name = UNIT_OF[members[0].cadre_id][1]
    return UnitPage(
        district=DISTRICT,
        unit_id=unit_id,
        name=name,
        category="政府工作部门",
        members=members,
        figures=FIGURES,
    )


def home_page() -> HomePage:
    return HomePage(
        district=DISTRICT,
        generated_on=date(2026, 11, 23),
        units=[
            UnitRef(unit_id="jyj", name="区教育局", category="政府工作部门", members=2),
            UnitRef(unit_id="zzb", name="区委组织部", category="党委工作机关", members=1),
        ],
        notices=NOTICES,
        rounds=ROUNDS,
        checkpoint=CHECKPOINTS[0],
    )


def build_site() -> dict[str, str]:
    """A small but complete site: every page kind, all cross-linked."""
    pages: list[render.Page] = [
        render.render_home(home_page()),
        render.render_unit(unit_page("jyj")),
        render.render_unit(unit_page("zzb")),
        render.render_notices(NOTICES, DISTRICT),
        *(render.render_notice(n, DISTRICT) for n in NOTICES),
        render.render_audits(ROUNDS, DISTRICT),
        *(render.render_audit(r, DISTRICT) for r in ROUNDS),
        render.render_ledger(
            LedgerPage(
                district=DISTRICT, checkpoints=CHECKPOINTS, key_id="k-2026", signature_algorithm="Ed25519"
            )
        ),
    ]
    for cadre in (LI, WANG, ZHAO):
        unit_id, unit_name = UNIT_OF[cadre.cadre_id]
        pages.append(
            render.render_cadre_index(
                CadreIndexPage(
                    district=DISTRICT,
                    cadre=cadre,
                    unit_id=unit_id,
                    unit_name=unit_name,
                    months=MONTHS,
                    seq=42,
                    head="ab" * 32,
                )
            )
        )
        for month in MONTHS:
            page = month_page(cadre, month)
            pages.append(render.render_cadre_month(page))
            pages.extend(
                render.render_revisions(revisions_page(cadre, key))
                for key in render.linked_revision_keys(page)
            )
    site = {page.key: page.html() for page in pages}
    assert len(site) == len(pages), "two pages rendered to the same key"
    return site


def data_keys() -> set[str]:
    """Objects the publisher copies next to the pages (JSON and the public key), not rendered here."""
    data = {keys.PUBLIC_KEY}
    data |= {keys.checkpoint(c.date) for c in CHECKPOINTS}
    data |= {keys.cadre_ledger(c) for c in UNIT_OF}
    for r in ROUNDS:  # the commitment first; the rest once drawn
        names = render.AUDIT_FILES if r.state == "drawn" else ("commitment",)
        data |= {keys.audit_file(r.round_id, n) for n in names}
    return data


# --- an HTML walker -------------------------------------------------------------------------
VOID = {"meta", "link", "br", "input", "img", "hr", "rect", "area", "base", "col", "embed", "source", "wbr"}


class Page(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.parents: list[tuple[str, ...]] = []  # the open elements around each tag
        self.stack: list[str] = []
        self.ids: list[str] = []
        self.headings: list[int] = []
        self.text: list[str] = []
        self.texts_in: dict[str, list[str]] = {}
        self.doctype = ""
        self.feed(html)
        self.close()
        assert not self.stack, f"unclosed elements: {self.stack}"

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_startendtag(tag, attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        self.parents.append(tuple(self.stack))
        if a.get("id"):
            self.ids.append(str(a["id"]))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        for tag in set(self.stack):
            self.texts_in.setdefault(tag, []).append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def all_text(self) -> str:
        return "".join(self.text)


def check_page(key: str, html: str, *, standalone: bool = False) -> Page:
    page = Page(html)
    assert page.doctype.lower() == "doctype html"
    assert page.find("html")[0].get("lang") == "zh-CN"
    assert page.find("meta", charset="utf-8")
    assert page.find("meta", name="viewport")
    [policy] = page.find("meta", **{"http-equiv": "Content-Security-Policy"})
    content = str(policy["content"])
    assert "default-src 'none'" in content and "script-src" not in content
    assert content.startswith(render.csp(None).rsplit("form-action", 1)[0])
    titles = [p for (t, _), p in zip(page.tags, page.parents, strict=True) if t == "title"]
    assert [p[-1] for p in titles if "svg" not in p] == ["head"] and "title" in page.texts_in
    for landmark in ("header", "main", "footer"):
        assert len(page.find(landmark)) == 1, f"{key}: one <{landmark}>"
    assert page.find("main")[0].get("id") == "main"
    assert page.find("a", href="#main", **{"class": "skip"}), f"{key}: no skip link"
    # headings in order: one h1 first, never a skipped level
    assert page.headings and page.headings[0] == 1 and page.headings.count(1) == 1, f"{key}: {page.headings}"
    for before, after in zip(page.headings, page.headings[1:], strict=False):
        assert after <= before + 1, f"{key}: h{before} followed by h{after}"
    # no script in any form, no event handlers, no inline style attributes, nothing fetched from elsewhere
    assert "<script" not in html.lower()
    assert not page.find("script") and not page.find("iframe") and not page.find("object")
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            assert not name.lower().startswith("on"), f"{key}: <{tag} {name}>"
            assert name != "style", f"{key}: style attribute on <{tag}>"
            assert not (value or "").strip().lower().startswith(("javascript:", "vbscript:")), (
                f"{key}: {value}"
            )
    assert not page.find("link", rel="stylesheet") and not page.find("img")
    assert "@import" not in html and "url(" not in html
    assert len(page.find("style")) == 1
    # tables: a caption, every header cell scoped
    assert len(page.find("caption")) == len(page.find("table")), f"{key}: a table without <caption>"
    for th in page.find("th"):
        assert th.get("scope") in ("col", "row"), f"{key}: <th> without scope"
    # form controls are labelled
    labels = {a.get("for") for a in page.find("label")}
    for tag in ("input", "textarea"):
        for control in page.find(tag):
            assert control.get("id") in labels, f"{key}: unlabelled <{tag}>"
    # ids unique
    assert len(page.ids) == len(set(page.ids)), f"{key}: duplicate ids"
    # the footer links home and to the verification page (relative on site pages)
    if not standalone:
        footer_links = [a for t, a in tags_within(html, "footer") if t == "a"]
        targets = {resolve(key, str(a["href"]))[0] for a in footer_links}
        assert {"index.html", "ledger/index.html"} <= targets, f"{key}: footer links {targets}"
    return page


def tags_within(html: str, container: str) -> list[tuple[str, dict[str, str | None]]]:
    start = html.index(f"<{container}")
    end = html.index(f"</{container}>", start)
    return Page(html[start : end + len(container) + 3]).tags


def resolve(from_key: str, href: str) -> tuple[str, str]:
    path, _, fragment = href.partition("#")
    if not path:
        return from_key, fragment
    return posixpath.normpath(posixpath.join(posixpath.dirname(from_key), path)), fragment


def external_urls(html: str) -> list[str]:
    return re.findall(r"""(?i)(?:https?:)?//[^\s"'<>)]+""", html)
