"""A case's dossier: every piece of evidence it cites, looked up and described on one page, so the
Discipline Commission and the Org Dept can act without chasing keys.

Evidence keys (worklog.compliance.ladder, reviews, audit):
  ``miss:<cadre>/<kind>/<period>``                  a missing record (and whether it was late-submitted)
  ``review:<week_start>#<cadre>``                   a weekly review and its verdict
  ``finding:<round>/<cadre>/<day>/<inspector>``     an audit finding
  ``RT-…`` / ``AC-…``                               another case (the reminder talk before it),
  ``CASE#RT-…``                                     the same, as an escalation by hand cites it
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from worklog import messages
from worklog.audit.repository import AuditRepository
from worklog.compliance.repository import ComplianceRepository
from worklog.compliance.review_repository import ReviewRepository
from worklog.labels import CASE_STATE_LABELS, FINDING_LABELS, PERIOD_KIND_LABELS, VERDICT_LABELS, label
from worklog.models.cases import Case, EvidenceOut

TEXT = messages.DOSSIER


class Dossier:
    def __init__(
        self, compliance: ComplianceRepository, reviews: ReviewRepository, audits: AuditRepository
    ) -> None:
        self.compliance, self.reviews, self.audits = compliance, reviews, audits

    def evidence(self, case: Case) -> list[EvidenceOut]:
        return [self._one(key) for key in case.evidence]

    def _one(self, key: str) -> EvidenceOut:
        try:
            if key.startswith("miss:"):
                return self._miss(key)
            if key.startswith("review:"):
                return self._review(key)
            if key.startswith("finding:"):
                return self._finding(key)
            if key.removeprefix("CASE#").startswith(("RT-", "AC-")):
                return self._case(key)
        except (ValueError, IndexError):
            pass
        return EvidenceOut(key=key, kind="unknown", date=None, summary=TEXT["unknown_key"])

    def _miss(self, key: str) -> EvidenceOut:
        cadre_id, kind, period = key.removeprefix("miss:").split("/", 2)
        records = [r for r in self.compliance.missing_of(cadre_id, kind) if r.period == period]
        if not records:
            return EvidenceOut(key=key, kind="miss", date=None, summary=TEXT["miss_gone"])
        r = records[0]
        late = (
            TEXT["miss_late"].format(day=r.submitted_at[:10])
            if r.status == "late_submitted" and r.submitted_at
            else ""
        )
        return EvidenceOut(
            key=key,
            kind="miss",
            date=r.due,
            summary=TEXT["miss"].format(kind=label(PERIOD_KIND_LABELS, r.kind), period=r.period, late=late),
            details=r.model_dump(mode="json"),
        )

    def _review(self, key: str) -> EvidenceOut:
        week, cadre_id = key.removeprefix("review:").split("#", 1)
        monday = date.fromisoformat(week)
        review = next(
            (r for r in self.reviews.of_cadre(cadre_id, monday, monday) if r.week_start == monday), None
        )
        if review is None:
            return EvidenceOut(key=key, kind="review", date=monday, summary=TEXT["review_gone"])
        verdict = label(VERDICT_LABELS, review.verdict, TEXT["not_reviewed"])
        return EvidenceOut(
            key=key,
            kind="review",
            date=review.week_start,
            summary=TEXT["review"].format(
                first=review.week_start, last=review.week_end, verdict=verdict, reviewer=review.reviewer_id
            ),
            details=review.model_dump(mode="json"),
        )

    def _finding(self, key: str) -> EvidenceOut:
        round_id, cadre_id, day, inspector = key.removeprefix("finding:").split("/", 3)
        found = next(
            (
                f
                for f in self.audits.findings_of_round(round_id, cadre_id)
                if f.day.isoformat() == day and f.inspector_id == inspector
            ),
            None,
        )
        if found is None:
            return EvidenceOut(
                key=key, kind="finding", date=date.fromisoformat(day), summary=TEXT["finding_gone"]
            )
        return EvidenceOut(
            key=key,
            kind="finding",
            date=found.day,
            summary=TEXT["finding"].format(
                round_id=round_id, day=day, result=label(FINDING_LABELS, found.result), note=found.note
            ),
            details=found.model_dump(mode="json"),
        )

    def _case(self, key: str) -> EvidenceOut:
        case = self.compliance.get_case(key.removeprefix("CASE#"))
        if case is None:
            return EvidenceOut(key=key, kind="case", date=None, summary=TEXT["case_gone"])
        talk = next((e for e in case.history if e.action == "talk_recorded"), None)
        said = (
            TEXT["talk"].format(said=talk.details.get("said", ""), response=talk.details.get("response", ""))
            if talk
            else ""
        )
        return EvidenceOut(
            key=key,
            kind="case",
            date=case.opened_on,
            summary=TEXT["case"].format(
                case_id=case.case_id, state=CASE_STATE_LABELS[case.state], reason=case.reason, said=said
            ),
            details={
                "case_id": case.case_id,
                "kind": case.kind.value,
                "state": case.state.value,
                "opened_on": case.opened_on.isoformat(),
                "reason": case.reason,
                "history": [e.model_dump(mode="json") for e in case.history],
            },
        )


def people_named(case: Case, evidence: Iterable[EvidenceOut]) -> set[str]:
    """The cadre ids a dossier mentions: the case's cadre, who acted on it, and the reviewers,
    inspectors and actors of its evidence (``system`` is not a person)."""
    named = {case.cadre_id, *(e.by for e in case.history)}
    for item in evidence:
        details = item.details
        for field in ("cadre_id", "reviewer_id", "inspector_id"):
            if isinstance(details.get(field), str):
                named.add(details[field])
        for event in details.get("history", []):
            if isinstance(event, dict) and isinstance(event.get("by"), str):
                named.add(event["by"])
    named.discard("system")
    return named
