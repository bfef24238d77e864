"""What people read for the system's codes: one wording per code, on every screen, page and sheet.

Review verdicts, audit findings, evaluation grades, case kinds and states, and the kinds of period a
cadre writes for are stored and sent as stable codes; wherever a person reads one — an API's
``*_text`` field, an error message, a case reason, the dossier, the public site, the XLSX
evaluation sheet, the OpenAPI descriptions — the words come from here, so no two places can word
the same verdict differently. So do the words the public site and the log export show for states
and kinds of their own (a day's state, a notice's, an audit round's; late and revised marks; the
days of the week). This module imports nothing from the rest of the package, so any
module may use it.
"""

from __future__ import annotations

from collections.abc import Mapping

# Weekly review verdicts (reviews, the dossier, the ladder's reasons, notice pages, the sheet).
VERDICT_LABELS: dict[str, str] = {
    "adequate": "合格",
    "perfunctory": "敷衍应付",
    "suspected_falsification": "涉嫌造假",
}
# Audit findings: an inspector's result for one sampled day.
FINDING_LABELS: dict[str, str] = {
    "verified": "属实",
    "discrepancy": "不符",
    "falsified": "造假",
}
# A sampled day an inspector has not reported on yet.
FINDING_PENDING_LABEL = "待核查"
# Quarterly evaluation grades.
GRADE_LABELS: dict[str, str] = {
    "excellent": "优秀",
    "good": "良好",
    "fair": "一般",
    "poor": "较差",
}
CASE_KIND_LABELS: dict[str, str] = {"reminder_talk": "提醒谈话", "accountability": "问责"}
CASE_STATE_LABELS: dict[str, str] = {
    "open": "待办理",
    "talk_recorded": "已谈话",
    "escalated": "已升级",
    "closed": "已办结",
}
# Roles on the roster, as a person reads them (the sign-in page of the local runtime, the app).
ROLE_LABELS: dict[str, str] = {
    "cadre": "普通干部",
    "unit_head": "单位负责人",
    "district_leader": "区领导",
    "org_inspector": "组织部",
    "discipline_inspector": "纪委监委",
    "hr_evaluator": "人社局考核人员",
    "admin": "管理员",
}
# How far a daily entry's item got (the public site, the log export).
ITEM_STATUS_LABELS: dict[str, str] = {"done": "已完成", "in_progress": "推进中", "not_done": "未完成"}
# What a cadre writes: a day's entry, a month's plan, a half-year's summary.
PERIOD_KIND_LABELS: dict[str, str] = {"entry": "工作日志", "plan": "月度计划", "summary": "半年总结"}
# How far a monthly plan's item got by the month's end (the public site's month page).
PLAN_PROGRESS_LABELS: dict[str, str] = {"done": "已完成", "in_progress": "推进中", "not_started": "未开始"}
# A saved period marked late, and one revised after its first save (the site, the log export).
LATE_LABEL = "补记"
AMENDED_LABEL = "修订"
# Whether a day is a working day (a calendar change's preview).
WORKING_DAY_LABELS: dict[bool, str] = {True: "工作日", False: "休息日"}
# Days of the week, Monday first (``date.weekday()`` indexes it): the site and the log export.
WEEKDAY_LABELS: tuple[str, ...] = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
# The public site: a day on a cadre's month page, a vetting notice, an audit round.
DAY_STATE_LABELS: dict[str, str] = {
    "saved": "已填写",
    "missing": "未填写",
    "leave": "休假",
    "not_owed": "无需填写",
}
NOTICE_STATE_LABELS: dict[str, str] = {"open": "公示中", "closed": "公示已结束", "upcoming": "即将开始"}
ROUND_KIND_LABELS: dict[str, str] = {"quarterly": "季度随机抽查", "spot": "专项抽查"}
ROUND_STATE_LABELS: dict[str, str] = {"committed": "已公布承诺，尚未抽取", "drawn": "已抽取"}
# The free-text parts of an entry (mistakes, reflections) and of a half-year summary.
SECTION_LABELS: dict[str, str] = {
    "mistakes": "存在不足",
    "reflections": "心得体会",
    "achievements": "工作成效",
    "problems": "存在问题",
    "next_steps": "下步打算",
}


def label(labels: Mapping[str, str], code: str | None, default: str = "") -> str:
    """The label of ``code``; an unknown code is shown as itself, no code as ``default``."""
    if code is None:
        return default
    return labels.get(code, code)


def listing(labels: Mapping[str, str]) -> str:
    """The labels in their fixed order, for headers: ``合格/敷衍应付/涉嫌造假``."""
    return "/".join(labels.values())


def describe(labels: Mapping[str, str]) -> str:
    """Codes with their labels, for API descriptions: ``adequate 合格 | perfunctory 敷衍应付 | …``."""
    return " | ".join(f"{code} {text}" for code, text in labels.items())
