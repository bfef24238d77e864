"""What a person is told at once (pure): the digest of their notices (owed first, then waiting for
them; each with its last day) and the message the channels send: an e-mail subject, a plain text,
an escaped HTML body, SMS segments of at most 70 characters with the signature first, and the app's
link.
"""

from __future__ import annotations

import html
from datetime import date

from worklog.messages import NOTIFY
from worklog.models.notifications import Delivery, Digest, Message, Notice, NoticeLine, morning_id
from worklog.models.roster import Cadre
from worklog.notify.notices import cn_date
from worklog.settings import NotifySettings

SMS_SEGMENT = 70
# An SMS longer than this many segments is sent in its short form (counts, earliest last day, link).
SMS_MAX_SEGMENTS = 2
# Where a digest of several things points: the app's first screen (its own owed things and menu).
HOME_PATH = "/today"
BREAKS = "；。，、）"


# Told for information only: nothing to do (not counted among the to-dos of a digest's title).
INFORMATION = frozenset({"entry_withdrawn"})


def is_owed(notice: Notice | NoticeLine, urgent: bool = False) -> bool:
    """Owed by the person themself (their own log; a case about them), not waiting on their role."""
    return notice.kind == "entry_missing" or (notice.kind == "accountability_opened" and urgent)


def deadline(line: NoticeLine) -> str:
    """The line's last day in the app's words (截止日期 / 最迟可于 ... 前)."""
    if line.kind == "entry_missing" and line.due and line.last_day:
        return NOTIFY["overdue"].format(due=cn_date(line.due), last_day=cn_date(line.last_day))
    if line.kind == "review_overdue" and line.due:
        return NOTIFY["past_due"].format(due=cn_date(line.due))
    if line.last_day:
        return NOTIFY["due"].format(due=cn_date(line.last_day))
    if line.due:
        return NOTIFY["due"].format(due=cn_date(line.due))
    return ""


def link_of(path: str, app_url: str) -> str:
    return f"{app_url.rstrip('/')}{path}" if app_url else path


def _line(n: Notice) -> NoticeLine:
    return NoticeLine(
        notice_id=n.notice_id, kind=n.kind, title=n.title, due=n.due, last_day=n.last_day, link=n.link
    )


def grouped(notices: list[Notice]) -> tuple[list[NoticeLine], list[NoticeLine], list[NoticeLine]]:
    """(owed, waiting, for information), each deduplicated by notice id and ordered by last day
    (none last)."""
    seen: dict[str, Notice] = {}
    for n in notices:
        seen.setdefault(n.notice_id, n)

    def order(n: Notice) -> tuple[date, str]:
        return (n.last_day or n.due or date.max, n.notice_id)

    ordered = sorted(seen.values(), key=order)
    owed = [_line(n) for n in ordered if is_owed(n, n.urgent)]
    told = [_line(n) for n in ordered if n.kind in INFORMATION]
    waiting = [_line(n) for n in ordered if not is_owed(n, n.urgent) and n.kind not in INFORMATION]
    return owed, waiting, told


def sms_segments(text: str, signature: str = "", limit: int = SMS_SEGMENT) -> list[str]:
    """``text`` in segments of at most ``limit`` characters, the signature at the start of the
    first; a segment ends at a punctuation mark when one is near its end."""
    rest = text if text.startswith(signature) else signature + text
    segments: list[str] = []
    while len(rest) > limit:
        cut = limit
        for at in range(limit, limit - 15, -1):
            if rest[at - 1] in BREAKS:
                cut = at
                break
        segments.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        segments.append(rest)
    return segments


Groups = tuple[list[NoticeLine], list[NoticeLine], list[NoticeLine]]


def _headed(groups: Groups) -> list[tuple[str, list[NoticeLine]]]:
    owed, waiting, told = groups
    return [(NOTIFY["owed"], owed), (NOTIFY["waiting"], waiting), (NOTIFY["for_information"], told)]


def _text(person: Cadre, groups: Groups, link: str, app_url: str) -> str:
    lines = [NOTIFY["greeting"].format(name=person.name)]
    number = 0
    for header, group in _headed(groups):
        if not group:
            continue
        lines.append(header)
        for line in group:
            number += 1
            lines.append(f"{number}. {line.title}{deadline(line)}")
            lines.append(f"   {link_of(line.link, app_url)}")
    lines.append(NOTIFY["act"].format(link=link))
    return "\n".join(lines)


def _html(person: Cadre, groups: Groups, link: str, app_url: str) -> str:
    e = html.escape
    parts = [f"<p>{e(NOTIFY['greeting'].format(name=person.name))}</p>"]
    for header, group in _headed(groups):
        if not group:
            continue
        items = "".join(
            f'<li><a href="{e(link_of(line.link, app_url))}">{e(line.title)}</a>{e(deadline(line))}</li>'
            for line in group
        )
        parts.append(f"<p>{e(header)}</p><ol>{items}</ol>")
    parts.append(f'<p><a href="{e(link)}">{e(NOTIFY["act"].format(link=link))}</a></p>')
    return "".join(parts)


def _sms(person: Cadre, groups: Groups, day: date, link: str, signature: str) -> list[str]:
    owed, waiting, told = groups
    lines = owed + waiting + told
    items = "；".join(f"{i}.{line.title}{deadline(line)}" for i, line in enumerate(lines, start=1))
    # Nothing to do, only news (a withdrawn reminder): not called 待办.
    full = NOTIFY["sms_full" if owed or waiting else "sms_info"].format(
        name=person.name, day=cn_date(day), count=len(lines), items=items, link=link
    )
    segments = sms_segments(full, signature)
    if len(segments) <= SMS_MAX_SEGMENTS:
        return segments
    days = [d for line in lines if (d := line.last_day or line.due)]
    short = NOTIFY["sms_short" if days else "sms_short_no_day"].format(
        name=person.name,
        day=cn_date(day),
        count=len(lines),
        owed=len(owed),
        waiting=len(waiting) + len(told),
        first=cn_date(min(days)) if days else "",
        link=link,
    )
    return sms_segments(short, signature)


def compose(
    person: Cadre,
    notices: list[Notice],
    *,
    at: str,
    morning: date | None,
    settings: NotifySettings,
    app_url: str,
) -> tuple[Digest, Message]:
    """One person's digest of a morning (``morning`` given) or of one urgent notice (None), and the
    message for the channels. Its delivery starts ``queued``."""
    groups = grouped(notices)
    lines = [line for group in groups for line in group]
    paths = {line.link for line in lines}
    link = link_of(paths.pop() if len(paths) == 1 else HOME_PATH, app_url)
    day = morning or date.fromisoformat(at[:10])
    if morning is None:
        digest_id, title = f"urgent-{lines[0].notice_id}", NOTIFY["title_urgent"].format(title=lines[0].title)
    else:
        digest_id = morning_id(morning)
        to_do = len(groups[0]) + len(groups[1])
        title = (
            NOTIFY["title_morning"].format(day=cn_date(morning), count=to_do)
            if to_do
            else NOTIFY["title_morning_info"].format(day=cn_date(morning), count=len(lines))
        )
    digest = Digest(
        digest_id=digest_id,
        person_id=person.cadre_id,
        at=at,
        title=title,
        lines=lines,
        urgent=morning is None,
        delivery=Delivery(status="queued", at=at),
    )
    if morning is None:
        sms = sms_segments(
            NOTIFY["sms_urgent"].format(name=person.name, title=lines[0].title, link=link),
            settings.sms_signature,
        )
    else:
        sms = _sms(person, groups, day, link, settings.sms_signature)
    message = Message(
        person_id=person.cadre_id,
        digest_id=digest_id,
        subject=NOTIFY["subject"].format(title=title),
        text=_text(person, groups, link, app_url),
        html=_html(person, groups, link, app_url),
        sms=sms,
        link=link,
    )
    return digest, message
