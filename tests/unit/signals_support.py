"""Shared fixtures of the reviewer-signal tests: the week under review, realistic work lines and
a helper that builds one logged day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from worklog.clock import SHANGHAI
from worklog.compliance.signals import LoggedDay

# The week under review: Monday 16 to Sunday 22 November 2026.
MON, TUE, WED, THU, FRI = (date(2026, 11, d) for d in range(16, 21))

EDUCATION_MEETING = "上午召开全区教育系统安全工作会议，部署冬季校园消防排查"
OLD_ESTATES = "下午赴春熙路街道督导老旧小区改造项目，协调解决电梯加装问题3个"
SAFETY_SWEEP = "带队检查辖区餐饮企业燃气使用情况，排查隐患8处，现场督促整改"
SAFETY_SWEEP_AGAIN = "带队检查辖区餐饮企业燃气使用情况，排查隐患12处，现场督促整改"
PETITIONS = "接待群众来访5批次，对物业纠纷问题当场答复，其余转相关部门限期办理"
BUDGET = "审核2027年部门预算草案，与财政局对接专项资金绩效目标"
FLOOD_REVIEW = "参加区防汛抗旱指挥部年度总结会，汇报本单位汛期值守和物资储备情况"


def evening(day: date, minute: int = 0) -> datetime:
    """A first save on the evening of the day itself (on time)."""
    return datetime(day.year, day.month, day.day, 20, 0, tzinfo=SHANGHAI) + timedelta(minutes=minute)


def logged(
    cadre_id: str, day: date, *texts: str, saved: datetime | None = None, late: bool = False
) -> LoggedDay:
    return LoggedDay(
        cadre_id=cadre_id,
        day=day,
        texts=texts,
        first_saved_at=saved if saved is not None else evening(day),
        late=late,
    )


# A Friday-night burst of first saves, the shape of a bulk back-fill.
FRIDAY_NIGHT = datetime(2026, 11, 20, 22, 5, tzinfo=SHANGHAI)
