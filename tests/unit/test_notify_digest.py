"""A person's digest: owed first, then waiting; each line with its last day; the app's link; SMS in
segments of at most 70 characters signed at the start; escaped HTML."""

from __future__ import annotations

from datetime import date

from worklog.models.notifications import Notice
from worklog.models.roster import Cadre
from worklog.notify.digest import compose, sms_segments
from worklog.settings import NotifySettings

SETTINGS = NotifySettings()
SIGNATURE = SETTINGS.sms_signature
PERSON = Cadre(cadre_id="c1", name="李明", unit_id="jyj")
AT = "2026-11-25T08:30:00.000+08:00"
MORNING = date(2026, 11, 25)


def notice(
    nid: str, kind: str = "entry_missing", title: str = "填写 2026-11-24 的工作日志", **extra: object
) -> Notice:
    fields: dict[str, object] = {
        "notice_id": nid,
        "person_id": "c1",
        "kind": kind,
        "title": title,
        "link": "/day/2026-11-24",
        "event_type": "EntryMissing",
        "received_at": "2026-11-24T22:00:00.000+08:00",
    }
    return Notice.model_validate({**fields, **extra})


MISSING = notice("entry_missing/a", due=date(2026, 11, 24), last_day=date(2026, 12, 1))
REVIEW = notice(
    "review_assigned/c1/2026-11-16",
    kind="review_assigned",
    title="审阅 2026-11-16 至 2026-11-22 的周工作日志（2 人）",
    link="/review",
    due=date(2026, 11, 26),
    last_day=date(2026, 11, 26),
)


def test_owed_things_come_first_each_with_its_last_day_and_the_way_to_act() -> None:
    digest, message = compose(
        PERSON,
        [REVIEW, MISSING, MISSING],
        at=AT,
        morning=MORNING,
        settings=SETTINGS,
        app_url="https://rz.example.cn/app",
    )
    assert digest.digest_id == "morning-2026-11-25"
    assert [line.notice_id for line in digest.lines] == ["entry_missing/a", "review_assigned/c1/2026-11-16"]
    text = message.text
    assert text.index("您需要完成的事项") < text.index("等待您处理的事项")
    assert "已过截止日期 11月24日，最迟可于 12月1日 前补交" in text
    assert "请于 11月26日 前完成" in text
    assert "https://rz.example.cn/app/day/2026-11-24" in text
    assert message.link == "https://rz.example.cn/app/today"  # two different screens: the app's first
    assert digest.delivery.status == "queued"


def test_without_an_app_address_the_link_is_the_apps_path() -> None:
    _, message = compose(PERSON, [MISSING], at=AT, morning=MORNING, settings=SETTINGS, app_url="")
    assert message.link == "/day/2026-11-24"


def test_sms_segments_are_at_most_70_characters_and_the_first_starts_with_the_signature() -> None:
    segments = sms_segments("通知" * 80, SIGNATURE)
    assert all(len(s) <= 70 for s in segments)
    assert segments[0].startswith(SIGNATURE)
    assert "".join(segments) == SIGNATURE + "通知" * 80


def test_a_short_digest_goes_by_sms_in_full_within_two_segments() -> None:
    _, message = compose(PERSON, [MISSING], at=AT, morning=MORNING, settings=SETTINGS, app_url="")
    assert 1 <= len(message.sms) <= 2 and message.sms[0].startswith(SIGNATURE)
    assert "填写 2026-11-24 的工作日志" in "".join(message.sms)


def test_a_long_digest_goes_by_sms_in_its_short_form_counts_earliest_last_day_and_link() -> None:
    many = [
        notice(f"entry_missing/{i}", due=date(2026, 11, 10 + i), last_day=date(2026, 12, 1 + i))
        for i in range(6)
    ]
    _, message = compose(
        PERSON,
        [*many, REVIEW],
        at=AT,
        morning=MORNING,
        settings=SETTINGS,
        app_url="https://rz.example.cn/app",
    )
    joined = "".join(message.sms)
    assert len(message.sms) <= 2 and all(len(s) <= 70 for s in message.sms)
    assert message.sms[0].startswith(SIGNATURE)
    assert "7项待办" in joined and "待完成6项" in joined and "待处理1项" in joined
    assert "最早11月26日截止" in joined
    assert "https://rz.example.cn/app/today" in joined


def test_the_email_html_escapes_what_a_title_carries() -> None:
    evil = notice("entry_missing/x", title="<script>alert(1)</script>", due=date(2026, 11, 24))
    _, message = compose(PERSON, [evil], at=AT, morning=MORNING, settings=SETTINGS, app_url="")
    assert "<script>" not in message.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in message.html
    assert message.subject.startswith("干部工作日志")


def test_an_urgent_notice_is_a_digest_of_its_own() -> None:
    urgent = notice(
        "accountability_opened/AC-1/c1",
        kind="accountability_opened",
        title="有一件关于您的问责案件已立案，请登录查看",
        urgent=True,
        link="/matters",
    )
    digest, message = compose(
        PERSON, [urgent], at="2026-11-25T10:00:00.000+08:00", morning=None, settings=SETTINGS, app_url=""
    )
    assert digest.digest_id == "urgent-accountability_opened/AC-1/c1" and digest.urgent
    assert message.sms[0].startswith(SIGNATURE) and all(len(s) <= 70 for s in message.sms)
    assert "您需要完成的事项" in message.text


def test_a_withdrawn_reminder_is_told_for_information_after_the_things_to_do() -> None:
    withdrawn = notice(
        "entry_withdrawn/c1/entry/2027-01-01",
        kind="entry_withdrawn",
        title="1月1日已确定为节假日，该日工作日志无需填写，此前的提醒已撤销",
        link="/calendar/2027-01",
    )
    digest, message = compose(
        PERSON, [withdrawn, REVIEW, MISSING], at=AT, morning=MORNING, settings=SETTINGS, app_url=""
    )
    assert [line.kind for line in digest.lines] == ["entry_missing", "review_assigned", "entry_withdrawn"]
    text = message.text
    assert text.index("您需要完成的事项") < text.index("等待您处理的事项") < text.index("请知悉")
    assert text.index("请知悉") < text.index("无需填写")
    assert "请知悉" in message.html


def test_a_morning_with_only_news_is_not_called_a_to_do() -> None:
    withdrawn = notice(
        "entry_withdrawn/c1/entry/2027-01-01",
        kind="entry_withdrawn",
        title="1月1日已确定为节假日，该日工作日志无需填写，此前的提醒已撤销",
        link="/calendar/2027-01",
    )
    digest, message = compose(PERSON, [withdrawn], at=AT, morning=MORNING, settings=SETTINGS, app_url="")
    assert digest.title == "11月25日 工作提醒：1 条通知，无需办理"
    assert "待办" not in "".join(message.sms) and "无需填写" in "".join(message.sms)
    # and with things to do beside it, only they are counted as to-dos
    mixed, _ = compose(PERSON, [withdrawn, MISSING], at=AT, morning=MORNING, settings=SETTINGS, app_url="")
    assert mixed.title == "11月25日 工作提醒：1 项待办"
