"""Quarterly grades (季度考评) as values: the grade codes, one cadre's line of a unit's quarter (the
figures and the grade given), and how a quarter and an on-time rate are written. The sheet that
prints them is worklog.audit.evaluation; what the API returns is worklog.models.audits."""

import re
from enum import StrEnum

from pydantic import Field

from worklog.models.common import YEARS, Model


class Grade(StrEnum):
    """Stable codes stored in the database; ``worklog.labels.GRADE_LABELS`` holds what is printed."""

    EXCELLENT = "excellent"
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"


class SheetRow(Model):
    """One cadre's line on the sheet: the quarter's figures and the grade given (if any yet)."""

    cadre_id: str
    name: str
    title: str = ""
    owed_days: int = Field(ge=0)  # working days the cadre owed an entry in the quarter
    on_time: int = Field(ge=0)  # entries saved on time
    late: int = Field(ge=0)  # entries saved late (补记)
    missing: int = Field(ge=0)  # days still missing
    verdicts: dict[str, int] = Field(default_factory=dict)  # review verdict code -> count
    findings: dict[str, int] = Field(default_factory=dict)  # audit finding code -> count
    cases: dict[str, int] = Field(default_factory=dict)  # case kind code -> cases opened in the quarter
    grade: Grade | None = None
    comment: str = ""
    graded_by: str | None = None  # who gave the grade (cadre id), and when: the app shows it, the sheet not
    graded_at: str | None = None


def in_roster_order(rows: list[SheetRow]) -> list[SheetRow]:
    """The roster's order (by cadre id), on the sheet and on the screen alike: never by any figure,
    so that neither reads as a ranking (the 2023 rules against formalism)."""
    return sorted(rows, key=lambda r: r.cadre_id)


QUARTER_RE = re.compile(rf"^({YEARS})-Q([1-4])$")
_QUARTER_NUMERALS = ("一", "二", "三", "四")


def quarter_label(quarter: str) -> str:
    """ "2026-Q3" -> "2026年第三季度"; ValueError for anything but YYYY-Qn with n in 1..4."""
    m = QUARTER_RE.match(quarter)
    if not m:
        raise ValueError(f"quarter must look like 2026-Q3, got {quarter!r}")
    return f"{m[1]}年第{_QUARTER_NUMERALS[int(m[2]) - 1]}季度"


def on_time_rate(row: SheetRow) -> str:
    """Entries on time per day owed, one decimal rounded half up ("92.3%"); "—" when nothing was owed."""
    if row.owed_days == 0:
        return "—"
    per_mille = (2000 * row.on_time + row.owed_days) // (2 * row.owed_days)  # round half up, in integers
    return f"{per_mille // 10}.{per_mille % 10}%"
