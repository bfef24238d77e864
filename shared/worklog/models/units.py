"""Per-unit figures of closed months (单位概况): counts per unit, never per cadre."""

from pydantic import Field

from worklog.labels import VERDICT_LABELS
from worklog.models.common import Model


class MonthFigures(Model):
    """One unit's month, in person-days and person-weeks. No cadre is named or ranked: these are the
    unit's totals, as the public site shows the entry figures."""

    month: str = Field(description="YYYY-MM, a closed month (every day of it past its correction window)")
    owed: int = Field(ge=0, description="entries owed: on_time + late + missing (person-days)")
    on_time: int = Field(ge=0, description="entries saved by the end of their day, on working days")
    late: int = Field(ge=0, description="entries saved late (补记), within the correction window")
    missing: int = Field(ge=0, description="entries the nightly check found missing and never saved")
    weeks_assigned: int = Field(ge=0, description="weekly reviews assigned for weeks starting in the month")
    weeks_reviewed: int = Field(ge=0, description="of those, reviews with a verdict")
    perfunctory: int = Field(
        ge=0, description=f"of those, verdicts {VERDICT_LABELS['perfunctory']} (perfunctory)"
    )


class UnitFiguresOut(Model):
    unit_id: str
    unit_name: str
    closed_through: str = Field(description="the latest closed month (YYYY-MM)")
    months: list[MonthFigures] = Field(description="the months asked for, oldest first")


class UnitMonthRow(Model):
    unit_id: str
    unit_name: str
    figures: MonthFigures


class DistrictFiguresOut(Model):
    month: str
    closed_through: str = Field(description="the latest closed month (YYYY-MM)")
    units: list[UnitMonthRow] = Field(description="every unit in roster order (never sorted by a figure)")


class UnitName(Model):
    unit_id: str
    name: str
    category: str = ""


class UnitNames(Model):
    units: list[UnitName] = Field(description="every unit in roster order")
