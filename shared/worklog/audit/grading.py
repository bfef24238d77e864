"""Quarterly evaluations (docs/rules.md): the grade HR and the Org Dept give each cadre, and the
figures they grade on — one computation for the unit's XLSX sheet and for the app's grading screen.
No log text is read here."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from worklog import messages
from worklog.access import EVALUATOR_ROLES, Act, refuse_self
from worklog.audit.rounds import in_post, quarter_of
from worklog.audit.tables import AuditTables
from worklog.auth.principals import Principal
from worklog.clock import Clock, iso_now, system_clock, today
from worklog.errors import Forbidden, NotFound, invalid
from worklog.models.audits import Evaluation, EvaluationIn, UnitEvaluationOut
from worklog.models.grades import SheetRow, in_roster_order
from worklog.models.roster import Cadre, Unit
from worklog.records import datarecord


@datarecord
class UnitFigures:
    """A unit's quarter as the evaluators see it: each cadre's figures and grade, in roster order,
    counted from ``first`` through ``last``."""

    unit: Unit
    quarter: str
    first: date
    last: date
    rows: list[SheetRow]


class EvaluationService:
    """Use cases of quarterly evaluations. Repositories, calendar and clock are injected; the
    defaults are the production ones (no client is created before it is used)."""

    def __init__(self, *, tables: AuditTables | None = None, clock: Clock = system_clock) -> None:
        t = tables or AuditTables()
        self.tables = t
        self.audits, self.roster, self.journal = t.audits, t.roster, t.journal
        self.compliance, self.reviews, self.calendar = t.compliance, t.reviews, t.calendar
        self.clock = clock

    # --- evaluations --------------------------------------------------------------------------
    def evaluate(self, who: Principal, quarter: str, cadre_id: str, body: EvaluationIn) -> Evaluation:
        if not who.has(*EVALUATOR_ROLES):
            raise Forbidden(messages.AUDIT["evaluate_forbidden"], code="forbidden")
        refuse_self(Act.EVALUATE, who.cadre_id, cadre_id)
        cadre = self.roster.get_cadre(cadre_id)
        if cadre is None:
            raise NotFound(messages.AUDIT["no_cadre"], code="not_found")
        q = quarter_of(quarter)
        if q.first_day > today(self.clock):
            raise invalid(messages.AUDIT["future_quarter"], ["path", "quarter"], "future_period")
        evaluation = Evaluation(
            quarter=quarter,
            cadre_id=cadre_id,
            unit_id=cadre.unit_id,
            grade=body.grade,
            comment=body.comment,
            by=who.cadre_id,
            at=iso_now(self.clock),
        )
        self.audits.put_evaluation(evaluation)
        return evaluation

    def unit_figures(self, who: Principal, quarter: str, unit_id: str, *, act: str) -> UnitFigures:
        """The quarter's figures of every cadre in post in the unit during it, with the grades given
        so far: one computation for the XLSX sheet and for the app's grading screen. No log text.

        The figures run to yesterday for the quarter under way (today is not owed yet) and to its
        last day once it has ended; a quarter that has not begun has none (422)."""
        if not who.has(*EVALUATOR_ROLES):
            raise Forbidden(messages.AUDIT["evaluators_only"].format(act=act), code="forbidden")
        unit = self.roster.get_unit(unit_id)
        if unit is None:
            raise NotFound(messages.AUDIT["unknown_unit"], code="not_found")
        q = quarter_of(quarter)
        now = today(self.clock)
        if q.first_day > now:
            raise invalid(messages.AUDIT["future_quarter"], ["path", "quarter"], "future_period")
        last = min(q.last_day, now - timedelta(days=1))
        members = [c for c in self.roster.list_unit_members(unit_id) if in_post(c, q.first_day, last)]
        grades = {e.cadre_id: e for e in self.audits.evaluations_of_unit(quarter, unit_id)}
        rows = [self._sheet_row(c, q.first_day, last, grades.get(c.cadre_id)) for c in members]
        return UnitFigures(
            unit=unit, quarter=quarter, first=q.first_day, last=last, rows=in_roster_order(rows)
        )

    def unit_evaluations(self, who: Principal, quarter: str, unit_id: str) -> UnitEvaluationOut:
        """The grading screen's view of the unit: the sheet's figures and each grade with who gave it."""
        figures = self.unit_figures(who, quarter, unit_id, act="查看考评情况")
        graders = {r.graded_by for r in figures.rows if r.graded_by}
        names = {c.cadre_id: c.name for c in self.roster.get_cadres(graders).values()}
        return UnitEvaluationOut.of(
            quarter=quarter,
            unit_id=unit_id,
            unit_name=figures.unit.name,
            first=figures.first,
            last=figures.last,
            closed=quarter_of(quarter).last_day < today(self.clock),
            rows=figures.rows,
            names=names,
        )

    def _sheet_row(self, cadre: Cadre, first: date, last: date, grade: Evaluation | None) -> SheetRow:
        owed = on_time = late = 0
        views = {
            v["period"]: v
            for v in self.journal.views_between(cadre.cadre_id, "ENTRY", first.isoformat(), last.isoformat())
        }
        d = first
        while d <= last:
            if self.calendar.is_working(d) and cadre.active_on(d):
                owed += 1
                view = views.get(d.isoformat())
                if view is not None:
                    late += 1 if view["late"] else 0
                    on_time += 0 if view["late"] else 1
            d += timedelta(days=1)
        reviews = self.reviews.of_cadre(cadre.cadre_id, first - timedelta(days=first.weekday()), last)
        verdicts = Counter(r.verdict for r in reviews if r.verdict)
        findings = Counter(
            f.result for f in self.audits.findings_of_cadre(cadre.cadre_id) if first <= f.day <= last
        )
        # Cases opened about the cadre over the same days, whatever has become of them since.
        opened = Counter(
            str(c.kind) for c in self.compliance.cases_of(cadre.cadre_id) if first <= c.opened_on <= last
        )
        return SheetRow(
            cadre_id=cadre.cadre_id,
            name=cadre.name,
            title=cadre.title or "",
            owed_days=owed,
            on_time=on_time,
            late=late,
            missing=owed - on_time - late,
            verdicts=dict(verdicts),
            findings=dict(findings),
            cases=dict(opened),
            grade=grade.grade if grade else None,
            comment=grade.comment if grade else "",
            graded_by=grade.by if grade else None,
            graded_at=grade.at if grade else None,
        )
