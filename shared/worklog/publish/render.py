"""HTML of the public disclosure site: one function per page, each giving ``(object key, html)``.

The site is static (an S3 bucket served as a website: at ``/site/`` locally, at the bucket's root on
AWS), so every link is relative and computed from the page's own key. Pages carry no script at all
and a Content-Security-Policy that allows none; they load nothing from another host. Templates are
Jinja2 with autoescaping always on: whatever a cadre typed (``<script>`` included) is shown as text.

A page is a pure function of its view model: no clock, no randomness, no dict-order dependence, so
identical inputs give identical bytes (the publisher uploads only what changed).

Figures are per unit; no page ranks or compares individuals.
"""

from __future__ import annotations

import functools
import json
import posixpath
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
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
    SECTION_LABELS,
    VERDICT_LABELS,
    WEEKDAY_LABELS,
)
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

# --- object keys ----------------------------------------------------------------------------
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_HALF = re.compile(r"^(\d{4})-H([12])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_PERIOD_KEY = re.compile(r"^(?:ENTRY-(\d{4}-\d{2})-\d{2}|PLAN-(\d{4}-\d{2})|SUMMARY-\d{4}-H[12])$")
_MOMENT = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?\+08:00$")

HOME_KEY = "index.html"
NOTICES_KEY = "notices/index.html"
AUDITS_KEY = "audits/index.html"
LEDGER_KEY = "ledger/index.html"
PUBLIC_KEY_KEY = "ledger/public-key.pem"


def _segment(value: str) -> str:
    """An id used as a path segment: letters, digits, '_', '-', '.'; never a path of its own."""
    if not _SEGMENT.fullmatch(value):
        raise ValueError(f"not usable in an object key: {value!r}")
    return value


def _month(value: str) -> str:
    if not _MONTH.fullmatch(value):
        raise ValueError(f"not a month (YYYY-MM): {value!r}")
    return value


def unit_key(unit_id: str) -> str:
    return f"units/{_segment(unit_id)}/index.html"


def cadre_index_key(cadre_id: str) -> str:
    return f"cadres/{_segment(cadre_id)}/index.html"


def cadre_month_key(cadre_id: str, month: str) -> str:
    return f"cadres/{_segment(cadre_id)}/{_month(month)}.html"


def revisions_key(cadre_id: str, period_key: str) -> str:
    if not _PERIOD_KEY.fullmatch(period_key):
        raise ValueError(f"not a period key (ENTRY-…, PLAN-…, SUMMARY-…): {period_key!r}")
    return f"cadres/{_segment(cadre_id)}/revisions/{period_key}.html"


def notice_key(notice_id: str) -> str:
    return f"notices/{_segment(notice_id)}.html"


def audit_key(round_id: str) -> str:
    return f"audits/{_segment(round_id)}.html"


def audit_file_key(round_id: str, name: str) -> str:
    """A round's published JSON (mirrored from the ledger bucket at the same key)."""
    return f"audits/{_segment(round_id)}/{_segment(name)}.json"


def checkpoint_key(day: str) -> str:
    return f"ledger/checkpoints/{_segment(day)}.json"


def cadre_ledger_key(cadre_id: str) -> str:
    return f"ledger/cadres/{_segment(cadre_id)}.json"


def entry_period_key(day: date) -> str:
    return f"ENTRY-{day.isoformat()}"


def plan_period_key(month: str) -> str:
    return f"PLAN-{_month(month)}"


def summary_period_key(half: str) -> str:
    if not _HALF.fullmatch(half):
        raise ValueError(f"not a half-year (YYYY-Hn): {half!r}")
    return f"SUMMARY-{half}"


def relative(from_key: str, to_key: str) -> str:
    """The relative href from the page at ``from_key`` to the object at ``to_key`` (a fragment kept)."""
    target, hash_, fragment = to_key.partition("#")
    base = posixpath.dirname(from_key)
    href = posixpath.relpath("/" + target, "/" + base) if target else ""
    return href + hash_ + fragment


def linked_revision_keys(p: CadreMonthPage) -> list[str]:
    """Period keys of the revision history pages a month page links to (the publisher renders them).

    A period links to its history once it has been amended (修订), i.e. has more than one revision.
    """
    keys = [entry_period_key(e.date) for e in p.entries if _has_history(e)]
    if p.plan is not None and _has_history(p.plan):
        keys.append(plan_period_key(p.plan.month))
    keys.extend(summary_period_key(s.half) for s in p.summaries if _has_history(s))
    return keys


def _has_history(v: EntryView | PlanView | SummaryView) -> bool:
    return bool(v.revisions) and (v.amended or len(v.revisions) > 1)


# --- display helpers ------------------------------------------------------------------------
def month_label(month: str) -> str:
    """The month "2026-11" as "2026年11月"."""
    year, _, mm = _month(month).partition("-")
    return f"{year}年{int(mm)}月"


def half_label(half: str) -> str:
    m = _HALF.fullmatch(half)
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
    prefix = _segment(id_prefix)
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
        SITE_NAME=SITE_NAME,
        HOME_KEY=HOME_KEY,
        NOTICES_KEY=NOTICES_KEY,
        AUDITS_KEY=AUDITS_KEY,
        LEDGER_KEY=LEDGER_KEY,
        PUBLIC_KEY_KEY=PUBLIC_KEY_KEY,
        unit_key=unit_key,
        cadre_index_key=cadre_index_key,
        cadre_month_key=cadre_month_key,
        revisions_key=revisions_key,
        notice_key=notice_key,
        audit_key=audit_key,
        audit_file_key=audit_file_key,
        checkpoint_key=checkpoint_key,
        cadre_ledger_key=cadre_ledger_key,
        entry_period_key=entry_period_key,
        plan_period_key=plan_period_key,
        summary_period_key=summary_period_key,
        has_history=_has_history,
    )
    return env


_NAV = (("首页", HOME_KEY), ("任前公示", NOTICES_KEY), ("随机抽查", AUDITS_KEY), ("如何核验", LEDGER_KEY))


def _page(
    template: str,
    key: str,
    *,
    district: str,
    title: str,
    section: str | None = None,
    form_origin: str | None = None,
    **context: Any,
) -> tuple[str, str]:
    def url(target: str) -> str:
        return relative(key, target)

    html = _render(
        template,
        url=url,
        csp=csp(form_origin),
        site_title=f"{district}{SITE_NAME}",
        home_href=url(HOME_KEY),
        nav=[(label, url(target), target == section) for label, target in _NAV],
        footer=[("首页", url(HOME_KEY)), ("如何核验", url(LEDGER_KEY))],
        district=district,
        title=title,
        **context,
    )
    return key, html


def _render(template: str, **context: Any) -> str:
    return _env().get_template(template).render(**context)


# --- pages ----------------------------------------------------------------------------------
def render_home(p: HomePage) -> tuple[str, str]:
    return _page(
        "home.html",
        HOME_KEY,
        district=p.district,
        title="首页",
        section=HOME_KEY,
        p=p,
        open_notices=[n for n in p.notices if n.state == "open"],
    )


def render_unit(p: UnitPage) -> tuple[str, str]:
    return _page(
        "unit.html",
        unit_key(p.unit_id),
        district=p.district,
        title=p.name,
        p=p,
        members=sorted(p.members, key=lambda c: c.cadre_id),
        chart=bar_chart_svg(p.figures) if p.figures else None,
        rows=[(f, _rate(f.on_time, f.owed)) for f in p.figures],
    )


def render_cadre_index(p: CadreIndexPage) -> tuple[str, str]:
    years: dict[str, list[str]] = {}
    for month in p.months:
        years.setdefault(_month(month)[:4], []).append(month)
    return _page(
        "cadre_index.html",
        cadre_index_key(p.cadre.cadre_id),
        district=p.district,
        title=f"{p.cadre.name}的工作日志",
        p=p,
        years=list(years.items()),
    )


def render_cadre_month(p: CadreMonthPage) -> tuple[str, str]:
    newer = older = None
    if p.month in p.months:
        i = p.months.index(p.month)
        newer = p.months[i - 1] if i > 0 else None
        older = p.months[i + 1] if i + 1 < len(p.months) else None
    plan_numbers = {item.id: n for n, item in enumerate(p.plan.items, start=1)} if p.plan else {}
    return _page(
        "cadre_month.html",
        cadre_month_key(p.cadre.cadre_id, p.month),
        district=p.district,
        title=f"{p.cadre.name} {month_label(p.month)}工作日志",
        p=p,
        newer=newer,
        older=older,
        plan_numbers=plan_numbers,
    )


def render_revisions(p: RevisionsPage) -> tuple[str, str]:
    key = revisions_key(p.cadre.cadre_id, p.period_key)
    m = _PERIOD_KEY.fullmatch(p.period_key)
    month = (m.group(1) or m.group(2)) if m else None
    return _page(
        "revisions.html",
        key,
        district=p.district,
        title=f"{p.cadre.name} {p.period_label} 修订记录",
        p=p,
        month=month,
        revisions=[(rev, _body_view(body)) for rev, body in p.revisions],
    )


def render_notice(p: NoticeView, district: str) -> tuple[str, str]:
    return _page(
        "notice.html",
        notice_key(p.notice_id),
        district=district,
        title=f"干部任前公示：{p.candidate.name}",
        section=NOTICES_KEY,
        form_origin=p.feedback_url if p.state == "open" else None,
        n=p,
        verdicts=_counts(p.verdicts, VERDICT_LABELS),
        findings=_counts(p.findings, FINDING_LABELS),
    )


def render_notices(notices: list[NoticeView], district: str) -> tuple[str, str]:
    groups = [
        (NOTICE_STATE_LABELS[state], [n for n in notices if n.state == state])
        for state in ("open", "upcoming", "closed")
    ]
    return _page(
        "notices.html",
        NOTICES_KEY,
        district=district,
        title="干部任前公示",
        section=NOTICES_KEY,
        groups=groups,
    )


def render_audit(p: AuditRoundView, district: str) -> tuple[str, str]:
    files = AUDIT_FILES if p.state == "drawn" else AUDIT_FILES[:1]
    return _page(
        "audit.html",
        audit_key(p.round_id),
        district=district,
        title=f"随机抽查 {p.round_id}",
        section=AUDITS_KEY,
        r=p,
        files=[(f"{name}.json", audit_file_key(p.round_id, name)) for name in files],
    )


def render_audits(rounds: list[AuditRoundView], district: str) -> tuple[str, str]:
    return _page(
        "audits.html", AUDITS_KEY, district=district, title="随机抽查", section=AUDITS_KEY, rounds=rounds
    )


def render_ledger(p: LedgerPage) -> tuple[str, str]:
    return _page("ledger.html", LEDGER_KEY, district=p.district, title="如何核验", section=LEDGER_KEY, p=p)


def render_feedback_result(r: FeedbackResult, site_url: str | None = None) -> str:
    """The small standalone page the feedback endpoint answers a form post with (not in the site).

    With ``site_url`` (the site's root address) it links back to the notice, the home page and the
    verification page; without, it has no links."""
    site: Callable[[str], str] | None = None
    if site_url:
        web_origin(site_url)
        base = site_url if site_url.endswith("/") else site_url + "/"

        def site(key: str) -> str:
            return base + key

    links: list[tuple[str, str]] = []
    if site is not None:
        if r.notice_id:
            links.append(("返回公示页面", site(notice_key(r.notice_id))))
        links.append(("网站首页", site(HOME_KEY)))
    return _render(
        "feedback_result.html",
        csp=csp(None),
        site_title=SITE_NAME,
        home_href=site(HOME_KEY) if site else None,
        nav=[],
        footer=[("首页", site(HOME_KEY)), ("如何核验", site(LEDGER_KEY))] if site else [],
        title=r.title,
        r=r,
        links=links,
    )


# --- revision bodies ------------------------------------------------------------------------
def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _body_view(body: dict[str, Any]) -> dict[str, Any]:
    """A revision's public body (entry, plan or summary shape) as display rows."""
    items: list[dict[str, str | None]] = []
    raw_items = body.get("items")
    for raw in raw_items if isinstance(raw_items, list) else []:
        item = raw if isinstance(raw, dict) else {"content": _text(raw)}
        status = item.get("status")
        progress = item.get("progress")
        content = item.get("content")
        target = item.get("target")
        items.append(
            {
                "content": _text(content) if content is not None else None,
                "status": STATUS_LABELS.get(str(status)) if status else None,
                "progress": PROGRESS_LABELS.get(str(progress)) if progress else None,
                "target": _text(target) if target else None,
                "internal": "1" if item.get("internal") else None,
            }
        )
    sections = [
        (label, _text(body[name]))
        for name, label in SECTION_LABELS.items()
        if body.get(name) not in (None, "")
    ]
    known = {"items", *SECTION_LABELS}
    extra = [
        (name, _text(body[name])) for name in sorted(body) if name not in known and body[name] is not None
    ]
    return {"has_items": isinstance(raw_items, list), "items": items, "sections": sections, "extra": extra}
