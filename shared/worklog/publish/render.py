"""HTML of the public disclosure site: one function per page, each giving a ``Page`` (key and HTML).

The site is static (an S3 bucket served as a website: at ``/site/`` locally, at the bucket's root on
AWS), so every link is relative and computed from the page's own key (``keys``). A page keeps its
links apart from its text, so that it can be written with only the links whose targets exist
(``Page.html``): templates make every link with ``link(target key, text)``. Pages carry no script at all
and a Content-Security-Policy that allows none; they load nothing from another host. Templates are
Jinja2 with autoescaping always on: whatever a cadre typed (``<script>`` included) is shown as text.

A page is a pure function of its view model: no clock, no randomness, no dict-order dependence, so
identical inputs give identical bytes (the publisher uploads only what changed).

Figures are per unit; no page ranks or compares individuals.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Container
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from markupsafe import Markup, escape

from worklog.labels import (
    AMENDED_LABEL,
    DAY_STATE_LABELS,
    FINDING_LABELS,
    ITEM_STATUS_LABELS,
    LATE_LABEL,
    NOTICE_STATE_LABELS,
    PLAN_PROGRESS_LABELS,
    ROUND_KIND_LABELS,
    ROUND_STATE_LABELS,
    VERDICT_LABELS,
    WEEKDAY_LABELS,
)
from worklog.publish import keys
from worklog.publish.bodies import body_view
from worklog.publish.pages import (
    AuditRoundView,
    CadreIndexPage,
    CadreMonthPage,
    EntryView,
    FeedbackResult,
    HomePage,
    LedgerPage,
    MonthFigure,
    NoticeView,
    PlanView,
    RevisionsPage,
    SummaryView,
    UnitPage,
    web_origin,
)
from worklog.records import datarecord

if TYPE_CHECKING:
    from jinja2 import Environment

SITE_NAME = "干部工作日志公开"
TEMPLATES = Path(__file__).with_name("templates")

# --- labels (worklog.labels), by the names the templates use ---------------------------------
STATE_LABELS = DAY_STATE_LABELS
STATUS_LABELS = ITEM_STATUS_LABELS
PROGRESS_LABELS = PLAN_PROGRESS_LABELS
WEEKDAYS = WEEKDAY_LABELS
AUDIT_FILES = ("commitment", "snapshot", "sample", "reveal")
CLOSED_TEXT = "公示期已结束，不再受理反映。"
WITHHELD = "（内容不公开）"
# What every page of a departed cadre says once their log is no longer public (docs/decisions.md, 30).
WITHDRAWN_TEXT = "该干部日志已按规定停止公开"


# --- revision histories ---------------------------------------------------------------------
def linked_revision_keys(p: CadreMonthPage) -> list[str]:
    """Period keys of the revision history pages a month page links to (the publisher renders them).

    A period links to its history once it has been amended (修订), i.e. has more than one revision.
    """
    periods = [keys.entry_period(e.date) for e in p.entries if _has_history(e)]
    if p.plan is not None and _has_history(p.plan):
        periods.append(keys.plan_period(p.plan.month))
    periods.extend(keys.summary_period(s.half) for s in p.summaries if _has_history(s))
    return periods


def _has_history(v: EntryView | PlanView | SummaryView) -> bool:
    return bool(v.revisions) and (v.amended or len(v.revisions) > 1)


# --- display helpers ------------------------------------------------------------------------
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MOMENT = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?\+08:00$")


def month_label(month: str) -> str:
    """The month "2026-11" as "2026年11月"."""
    year, _, mm = keys.month(month).partition("-")
    return f"{year}年{int(mm)}月"


def half_label(half: str) -> str:
    m = keys.HALF.fullmatch(half)
    if m is None:
        return half
    return f"{m.group(1)}年{'上' if m.group(2) == '1' else '下'}半年"


def quarter_label(quarter: str) -> str:
    m = _QUARTER.fullmatch(quarter)
    if m is None:
        return quarter
    return f"{m.group(1)}年第{'一二三四'[int(m.group(2)) - 1]}季度"


def day_label(day: date) -> str:
    return f"{day.isoformat()} {WEEKDAYS[day.weekday()]}"


def moment_label(value: str) -> str:
    """A stored Beijing-time ISO timestamp as "YYYY-MM-DD HH:MM"; anything else as given."""
    m = _MOMENT.fullmatch(value)
    return f"{m.group(1)} {m.group(2)}" if m else value


def _rate(on_time: int, owed: int) -> str:
    return f"{on_time * 100 / owed:.1f}%" if owed > 0 else "—"


def _counts(counts: dict[str, int], labels: dict[str, str]) -> list[tuple[str, int]]:
    """Known codes in their fixed order, then any other code sorted: independent of dict order."""
    known = [(labels[k], counts[k]) for k in labels if k in counts]
    return known + [(k, counts[k]) for k in sorted(counts) if k not in labels]


# --- the chart ------------------------------------------------------------------------------
_ROW = 30
_LABEL_W = 96
_BAR_W = 160
_CHART_W = 440


def bar_chart_svg(figures: list[MonthFigure], *, id_prefix: str = "chart") -> Markup:
    """Inline SVG: per month, the on-time rate as a bar, then the rate and the late and missing
    person-day counts as text. ``role="img"`` with a <title> and a <desc> that say the same in
    words; the page shows the same figures in a table next to it."""
    prefix = keys.segment(id_prefix)
    height = max(1, len(figures)) * _ROW + 8
    desc = "；".join(
        f"{month_label(f.month)}：应填{f.owed}人天，按时{f.on_time}，补记{f.late}，未填{f.missing}，"
        f"按时填写率{_rate(f.on_time, f.owed)}"
        for f in figures
    )
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="{prefix}-title {prefix}-desc" '
        f'viewBox="0 0 {_CHART_W} {height}" focusable="false">',
        f'<title id="{prefix}-title">各月按时填写率及补记、未填人天数</title>',
        f'<desc id="{prefix}-desc">{escape(desc or "暂无数据")}</desc>',
    ]
    if not figures:
        parts.append(f'<text x="0" y="{_ROW - 10}" fill="#1a1a1a">暂无数据</text>')
    for i, f in enumerate(figures):
        y = i * _ROW + 4
        share = f.on_time / f.owed if f.owed > 0 else 0.0
        width = round(max(0.0, min(1.0, share)) * _BAR_W, 1)
        text = f"{_rate(f.on_time, f.owed)} 补记{f.late} 未填{f.missing}"
        parts += [
            f'<text x="0" y="{y + 17}" fill="#1a1a1a">{escape(month_label(f.month))}</text>',
            f'<rect x="{_LABEL_W}" y="{y + 3}" width="{_BAR_W}" height="18" fill="#e3e7ed"/>',
            f'<rect x="{_LABEL_W}" y="{y + 3}" width="{width:g}" height="18" fill="#1d4f91"/>',
            f'<text x="{_LABEL_W + _BAR_W + 8}" y="{y + 17}" fill="#1a1a1a">{escape(text)}</text>',
        ]
    parts.append("</svg>")
    return Markup("\n".join(parts))


# --- environment ----------------------------------------------------------------------------
def csp(form_origin: str | None) -> str:
    """The page's Content-Security-Policy: no script at all, styles inline only, nothing from
    another host; forms may post only to ``form_origin`` (the feedback endpoint) or to the site."""
    action = web_origin(form_origin) if form_origin else "'self'"
    return (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "
        f"form-action {action}"
    )


@functools.cache
def _env() -> Environment:
    # Jinja2 at the first page rendered, not at import: the archiver and the publisher's planning
    # run import this module's keys and never render (docs/benchmarks.md, "Cold import").
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        autoescape=True,
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        month=month_label,
        half=half_label,
        quarter=quarter_label,
        day=day_label,
        moment=moment_label,
    )
    env.globals.update(
        STATE_LABELS=STATE_LABELS,
        STATUS_LABELS=STATUS_LABELS,
        PROGRESS_LABELS=PROGRESS_LABELS,
        NOTICE_STATE_LABELS=NOTICE_STATE_LABELS,
        ROUND_KIND_LABELS=ROUND_KIND_LABELS,
        ROUND_STATE_LABELS=ROUND_STATE_LABELS,
        LATE_LABEL=LATE_LABEL,
        AMENDED_LABEL=AMENDED_LABEL,
        CLOSED_TEXT=CLOSED_TEXT,
        WITHHELD=WITHHELD,
        WITHDRAWN_TEXT=WITHDRAWN_TEXT,
        SITE_NAME=SITE_NAME,
        keys=keys,
        has_history=_has_history,
    )
    return env


_NAV = (("首页", keys.HOME), ("任前公示", keys.NOTICES), ("随机抽查", keys.AUDITS), ("如何核验", keys.LEDGER))


class Link(NamedTuple):
    target: str  # the object key linked to (without the fragment)
    anchor: str  # the link
    text: str  # what shows instead while the target does not exist


@datarecord(frozen=True)
class Page:
    """A rendered page: its key and its HTML, with each link to another object kept apart.

    The publisher writes a page with only the links whose targets exist (the others as their text:
    the bucket never holds a link to a missing page) and writes it whole once they all do, without
    rendering it again. ``pieces`` is the HTML around the links (one more piece than links)."""

    key: str
    pieces: tuple[str, ...]
    links: tuple[Link, ...]

    def html(self, present: Container[str] | None = None) -> str:
        """The page with its links to ``present`` objects (None: all of them)."""
        out = [self.pieces[0]]
        for link, piece in zip(self.links, self.pieces[1:], strict=True):
            out += (link.anchor if present is None or self._has(link, present) else link.text, piece)
        return "".join(out)

    def complete(self, present: Container[str]) -> bool:
        """Whether every link's target is ``present``."""
        return all(self._has(link, present) for link in self.links)

    def _has(self, link: Link, present: Container[str]) -> bool:
        return link.target == self.key or link.target in present


# A link's place in the rendered template. It starts with "<", which no text from a record can
# produce (autoescaping turns it into "&lt;"), so nothing but ``link`` makes one.
_SLOT = "<\x00"


def _anchor(href: str, text: str, *, rel: str | None = None, current: bool = False) -> Markup:
    attrs = Markup(' rel="{}"').format(rel) if rel else Markup("")
    if current:
        attrs += Markup(' aria-current="page"')
    return Markup('<a href="{}"{}>{}</a>').format(href, attrs, text)


def _page(
    template: str,
    key: str,
    *,
    district: str,
    title: str,
    section: str | None = None,
    form_origin: str | None = None,
    **context: Any,
) -> Page:
    links: list[Link] = []

    def link(target: str, text: str, *, rel: str | None = None, current: bool = False) -> Markup:
        """A relative link from this page; ``text`` alone (in a span) while the target is missing."""
        anchor = _anchor(keys.relative(key, target), text, rel=rel, current=current)
        links.append(Link(target.partition("#")[0], anchor, Markup("<span>{}</span>").format(text)))
        return Markup(f"{_SLOT}{len(links) - 1}>")

    site_title = f"{district}{SITE_NAME}"
    html = _render(
        template,
        link=link,
        csp=csp(form_origin),
        site_title=site_title,
        site_name=link(keys.HOME, site_title),
        nav=[link(target, label, current=target == section) for label, target in _NAV],
        footer=[link(keys.HOME, "首页"), link(keys.LEDGER, "如何核验")],
        district=district,
        title=title,
        **context,
    )
    first, *rest = html.split(_SLOT)
    slots = [piece.partition(">") for piece in rest]
    return Page(key, (first, *(piece for _, _, piece in slots)), tuple(links[int(i)] for i, _, _ in slots))


def _render(template: str, **context: Any) -> str:
    return _env().get_template(template).render(**context)


# --- pages ----------------------------------------------------------------------------------
def render_home(p: HomePage) -> Page:
    return _page(
        "home.html",
        keys.HOME,
        district=p.district,
        title="首页",
        section=keys.HOME,
        p=p,
        open_notices=[n for n in p.notices if n.state == "open"],
    )


def render_unit(p: UnitPage) -> Page:
    return _page(
        "unit.html",
        keys.unit(p.unit_id),
        district=p.district,
        title=p.name,
        p=p,
        members=sorted(p.members, key=lambda c: c.cadre_id),
        chart=bar_chart_svg(p.figures) if p.figures else None,
        rows=[(f, _rate(f.on_time, f.owed)) for f in p.figures],
    )


def render_cadre_index(p: CadreIndexPage) -> Page:
    years: dict[str, list[str]] = {}
    for month in p.months:
        years.setdefault(keys.month(month)[:4], []).append(month)
    return _page(
        "cadre_index.html",
        keys.cadre_index(p.cadre.cadre_id),
        district=p.district,
        title=f"{p.cadre.name}的工作日志",
        p=p,
        years=list(years.items()),
    )


def render_cadre_month(p: CadreMonthPage) -> Page:
    newer = older = None
    if p.month in p.months:
        i = p.months.index(p.month)
        newer = p.months[i - 1] if i > 0 else None
        older = p.months[i + 1] if i + 1 < len(p.months) else None
    plan_numbers = {item.id: n for n, item in enumerate(p.plan.items, start=1)} if p.plan else {}
    return _page(
        "cadre_month.html",
        keys.cadre_month(p.cadre.cadre_id, p.month),
        district=p.district,
        title=f"{p.cadre.name} {month_label(p.month)}工作日志",
        p=p,
        newer=newer,
        older=older,
        plan_numbers=plan_numbers,
    )


def render_withdrawn(key: str, district: str) -> Page:
    """What a departed cadre's page (index, month, revision history) becomes once their log is no
    longer public: the notice alone, without name or unit, under the page's own key."""
    if keys.cadre_of(key) is None or not key.startswith("cadres/"):
        raise ValueError(f"not a cadre's page: {key!r}")
    return _page("withdrawn.html", key, district=district, title=WITHDRAWN_TEXT)


def render_revisions(p: RevisionsPage) -> Page:
    return _page(
        "revisions.html",
        keys.revisions(p.cadre.cadre_id, p.period_key),
        district=p.district,
        title=f"{p.cadre.name} {p.period_label} 修订记录",
        p=p,
        month=keys.period_month(p.period_key),
        revisions=[(rev, body_view(body)) for rev, body in p.revisions],
    )


def render_notice(p: NoticeView, district: str) -> Page:
    return _page(
        "notice.html",
        keys.notice(p.notice_id),
        district=district,
        title=f"干部任前公示：{p.candidate.name}",
        section=keys.NOTICES,
        form_origin=p.feedback_url if p.state == "open" else None,
        n=p,
        verdicts=_counts(p.verdicts, VERDICT_LABELS),
        findings=_counts(p.findings, FINDING_LABELS),
    )


def render_notices(notices: list[NoticeView], district: str) -> Page:
    groups = [
        (NOTICE_STATE_LABELS[state], [n for n in notices if n.state == state])
        for state in ("open", "upcoming", "closed")
    ]
    return _page(
        "notices.html",
        keys.NOTICES,
        district=district,
        title="干部任前公示",
        section=keys.NOTICES,
        groups=groups,
    )


def render_audit(p: AuditRoundView, district: str) -> Page:
    files = AUDIT_FILES if p.state == "drawn" else AUDIT_FILES[:1]
    return _page(
        "audit.html",
        keys.audit(p.round_id),
        district=district,
        title=f"随机抽查 {p.round_id}",
        section=keys.AUDITS,
        r=p,
        files=[(f"{name}.json", keys.audit_file(p.round_id, name)) for name in files],
    )


def render_audits(rounds: list[AuditRoundView], district: str) -> Page:
    return _page(
        "audits.html", keys.AUDITS, district=district, title="随机抽查", section=keys.AUDITS, rounds=rounds
    )


def render_ledger(p: LedgerPage) -> Page:
    return _page("ledger.html", keys.LEDGER, district=p.district, title="如何核验", section=keys.LEDGER, p=p)


def render_feedback_result(r: FeedbackResult, site_url: str | None = None) -> str:
    """The small standalone page the feedback endpoint answers a form post with (not in the site).

    With ``site_url`` (the site's root address) it links back to the notice, the home page and the
    verification page; without, it has no links."""
    links: list[tuple[str, str]] = []
    chrome: dict[str, Any] = {"site_name": SITE_NAME, "nav": [], "footer": []}
    if site_url:
        web_origin(site_url)
        base = site_url if site_url.endswith("/") else site_url + "/"
        if r.notice_id:
            links.append(("返回公示页面", base + keys.notice(r.notice_id)))
        links.append(("网站首页", base + keys.HOME))
        chrome["site_name"] = _anchor(base + keys.HOME, SITE_NAME)
        chrome["footer"] = [_anchor(base + keys.HOME, "首页"), _anchor(base + keys.LEDGER, "如何核验")]
    return _render(
        "feedback_result.html",
        csp=csp(None),
        site_title=SITE_NAME,
        title=r.title,
        r=r,
        links=links,
        **chrome,
    )
