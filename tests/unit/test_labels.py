"""One wording per code: a review verdict, an audit finding or a grade reads the same on every
screen, page and sheet — the API's texts, error messages, case reasons, the dossier, the public
site and the XLSX evaluation sheet."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from openpyxl import load_workbook

from worklog.audit.dossier import Dossier
from worklog.audit.evaluation import HEADERS, evaluation_workbook
from worklog.calendar import WorkingCalendar
from worklog.compliance.ladder import needs_accountability, needs_reminder_talk
from worklog.compliance.reviews import check_verdict, review_out
from worklog.errors import Conflict
from worklog.models.audits import Evaluation, EvaluationOut, Finding, FindingOut
from worklog.models.grades import SheetRow
from worklog.models.reviews import StoredReview, VerdictIn
from worklog.publish import render
from worklog.publish.pages import CadreRef, NoticeView

# The wording the project settled on (one per code).
VERDICTS = {"adequate": "合格", "perfunctory": "敷衍应付", "suspected_falsification": "涉嫌造假"}
FINDINGS = {"verified": "属实", "discrepancy": "不符", "falsified": "造假"}
GRADES = {"excellent": "优秀", "good": "良好", "fair": "一般", "poor": "较差"}
# Wordings that were used for verdicts before and must not come back anywhere.
OTHER_VERDICT_WORDS = re.compile(r"认真|疑似造假|敷衍(?!应付)")
ROOT = Path(__file__).resolve().parents[2]


def notice_text(verdicts: dict[str, int], findings: dict[str, int]) -> str:
    notice = NoticeView(
        notice_id="N-2026-001",
        candidate=CadreRef(cadre_id="c0001", name="李明", title="副局长"),
        unit_name="区教育局",
        current_post="副局长",
        proposed_post="局长",
        start=date(2026, 11, 16),
        end=date(2026, 11, 20),
        state="closed",
        feedback_url="https://feedback.example.org/notices/N-2026-001/feedback",
        months=[],
        on_time_rate="96.2%",
        verdicts=verdicts,
        findings=findings,
    )
    html = render.render_notice(notice, "示范区").html()
    return re.sub(r"<[^>]+>", " ", html)


def stored_review(verdict: str) -> StoredReview:
    return StoredReview(
        assignment_id="2026-11-16#c0001",
        reviewer_id="c0002",
        cadre_id="c0001",
        unit_id="jyj",
        week_start=date(2026, 11, 16),
        week_end=date(2026, 11, 22),
        due=date(2026, 11, 29),
        assigned_at="2026-11-23T06:00:00+08:00",
        status="done",
        verdict=verdict,  # type: ignore[arg-type]
        comment="意见",
        reviewed_at="2026-11-24T10:00:00+08:00",
    )


def finding(result: str) -> Finding:
    return Finding(
        round_id="2026-Q4",
        cadre_id="c0001",
        day=date(2026, 11, 19),
        inspector_id="c0009",
        result=result,  # type: ignore[arg-type]
        note="核对会议记录",
        recorded_at="2026-12-01T10:00:00+08:00",
    )


class _Reviews:
    def __init__(self, review: StoredReview) -> None:
        self.review = review

    def of_cadre(self, cadre_id: str, first: date, last: date) -> list[StoredReview]:
        return [self.review]


class _Audits:
    def __init__(self, found: Finding) -> None:
        self.found = found

    def findings_of_round(self, round_id: str, cadre_id: str) -> list[Finding]:
        return [self.found]


def cited(key: str, *, reviews: Any = None, audits: Any = None) -> str:
    """What the case dossier says of one piece of evidence."""
    case = SimpleNamespace(evidence=[key])
    [evidence] = Dossier(None, reviews, audits).evidence(case)  # type: ignore[arg-type]
    return evidence.summary


# --- verdicts -------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "wording"), VERDICTS.items())
def test_a_verdict_reads_the_same_on_the_site_in_the_dossier_and_in_the_api(code: str, wording: str) -> None:
    # Given a verdict of this kind
    review = stored_review(code)
    # Then the notice page, the dossier, the review's text and the "already reviewed" error all
    # show the one wording, and no other wording of any verdict appears
    shown = [
        notice_text({code: 1}, {}),
        cited(f"review:{review.assignment_id}", reviews=_Reviews(review)),
        review_out(review).verdict_text or "",
    ]
    other = next(c for c in VERDICTS if c != code)
    with pytest.raises(Conflict) as refused:
        check_verdict(review, "c0002", VerdictIn(verdict=other, comment="改"), date(2026, 11, 25))  # type: ignore[arg-type]
    shown.append(refused.value.message)
    for text in shown:
        assert wording in text
        assert not OTHER_VERDICT_WORDS.search(text), text


def test_the_evaluation_sheet_heads_its_columns_with_the_same_wordings() -> None:
    assert HEADERS[8] == "评阅结论（合格/敷衍应付/涉嫌造假）"
    assert HEADERS[9] == "抽查结果（属实/不符/造假）"


def test_case_reasons_quote_the_verdicts_and_findings_as_worded() -> None:
    cal = WorkingCalendar()
    on = date(2026, 11, 20)
    talk = needs_reminder_talk([], [date(2026, 11, 2), date(2026, 11, 9)], on, cal)
    assert talk is not None and "“敷衍应付”" in talk
    accountability = needs_accountability([], None, on, cal, falsification=True)
    assert accountability is not None and "“涉嫌造假”" in accountability and "“造假”" in accountability
    assert not OTHER_VERDICT_WORDS.search(talk + accountability)


# --- findings and grades --------------------------------------------------------------------


@pytest.mark.parametrize(("code", "wording"), FINDINGS.items())
def test_a_finding_reads_the_same_on_the_site_in_the_dossier_and_in_the_api(code: str, wording: str) -> None:
    found = finding(code)
    key = f"finding:{found.round_id}/{found.cadre_id}/{found.day}/{found.inspector_id}"
    assert wording in notice_text({}, {code: 1})
    assert f"：{wording}（" in cited(key, audits=_Audits(found))
    assert FindingOut.of(found).result_text == wording


@pytest.mark.parametrize(("code", "wording"), GRADES.items())
def test_a_grade_reads_the_same_in_the_api_and_on_the_sheet(code: str, wording: str) -> None:
    graded = Evaluation(
        quarter="2026-Q3",
        cadre_id="c0001",
        unit_id="jyj",
        grade=code,
        by="c0009",
        at="2026-10-09T10:00:00+08:00",
    )  # type: ignore[arg-type]
    assert EvaluationOut.of(graded).grade_text == wording
    row = SheetRow(cadre_id="c0001", name="张伟", owed_days=1, on_time=1, late=0, missing=0, grade=code)  # type: ignore[arg-type]
    content = evaluation_workbook(
        district="示范区",
        unit_name="发展改革局",
        quarter="2026-Q3",
        rows=[row],
        generated_at="2026-10-09 10:30",
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None and sheet.cell(row=4, column=HEADERS.index("考评等次") + 1).value == wording


# --- one place ------------------------------------------------------------------------------


def test_the_labels_module_holds_the_settled_wordings() -> None:
    from worklog import labels

    assert labels.VERDICT_LABELS == VERDICTS
    assert labels.FINDING_LABELS == FINDINGS
    assert labels.GRADE_LABELS == GRADES


def test_every_role_of_the_roster_has_one_wording() -> None:
    from worklog import labels
    from worklog.models.roster import ROLES

    assert list(labels.ROLE_LABELS) == list(ROLES)
    assert len(set(labels.ROLE_LABELS.values())) == len(ROLES)


def test_no_other_module_words_a_code_that_labels_words() -> None:
    """Every wording lives in worklog.labels: another module (code, template, handler) that spells
    one out — as a string of its own, or a distinctive word anywhere — would be a second wording."""
    from worklog import labels

    maps = [
        labels.VERDICT_LABELS,
        labels.FINDING_LABELS,
        labels.GRADE_LABELS,
        labels.CASE_KIND_LABELS,
        labels.CASE_STATE_LABELS,
        labels.PERIOD_KIND_LABELS,
        labels.ITEM_STATUS_LABELS,
        labels.PLAN_PROGRESS_LABELS,
        labels.DAY_STATE_LABELS,
        labels.NOTICE_STATE_LABELS,
        labels.ROUND_KIND_LABELS,
        labels.ROUND_STATE_LABELS,
        labels.SECTION_LABELS,
        dict(enumerate(labels.WEEKDAY_LABELS)),
    ]
    literals = {w for m in maps for w in m.values()} | {labels.LATE_LABEL, labels.AMENDED_LABEL}
    as_literal = re.compile("|".join(rf"[\"'“]{re.escape(w)}[\"'”]" for w in sorted(literals)))
    distinctive = re.compile(r"合格|敷衍|认真|疑似造假|涉嫌造假|属实|优秀|良好|较差")
    sources = [
        *(ROOT / "shared" / "worklog").rglob("*.py"),
        *(ROOT / "shared" / "worklog").rglob("*.html"),
        *(ROOT / "functions").rglob("*.py"),
    ]
    own = ROOT / "shared" / "worklog" / "labels.py"
    offenders = []
    for path in sorted(p for p in sources if p != own):
        text = path.read_text(encoding="utf-8")
        for pattern in (as_literal, distinctive):
            for m in pattern.finditer(text):
                offenders.append(f"{path.relative_to(ROOT)}: {m.group(0)}")
    assert len(sources) > 50 and offenders == []
