"""events/ holds a fixture for every route, and each one runs through its real handler.

The fixtures are function-URL events (payload 2.0) for `sam local invoke -e` and for these tests;
their bearer token is a placeholder that the test replaces with one from the local issuer.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from infra.inprocess import InProcessStack
from infra.template import ROOT
from worklog.compliance.ladder import open_case
from worklog.compliance.repository import ComplianceRepository
from worklog.models.cases import CaseKind, Subject
from worklog.models.roster import Cadre, Unit
from worklog.roster.repository import RosterRepository

EVENTS = ROOT / "events"
SPEC = json.loads((ROOT / "docs" / "openapi.json").read_text("utf-8"))

# Run in file order on the test district at 2026-11-20 18:00 (Shanghai); the status each gets.
EXPECTED = {
    "entries/01-put-entry.json": 201,
    "entries/02-put-entry-revision.json": 200,
    "entries/03-get-entry.json": 200,
    "entries/04-get-entry-revisions.json": 200,
    "entries/05-list-entries.json": 200,
    "entries/06-put-plan.json": 201,
    "entries/07-get-plan.json": 200,
    "entries/08-get-plan-revisions.json": 200,
    "entries/09-put-summary.json": 409,  # 2026-H1 locked on 2026-07-21
    "entries/10-get-summary.json": 404,
    "entries/11-get-summary-revisions.json": 404,
    "entries/12-post-leave.json": 201,
    "entries/13-list-leaves.json": 200,
    "entries/14-get-me.json": 200,
    "entries/15-get-my-calendar.json": 200,
    "entries/16-get-my-export.json": 200,  # XLSX of the entries saved above
    "entries/17-get-my-notifications.json": 200,
    "entries/18-post-notifications-read.json": 200,
    "entries/19-get-notification-preferences.json": 200,
    "entries/20-put-notification-preferences.json": 200,
    "admin/01-post-roster-import.json": 200,
    "admin/02-get-units.json": 200,
    "admin/03-get-unit-cadres.json": 200,
    "admin/04-get-cadre.json": 200,
    "admin/05-put-calendar.json": 201,
    "admin/06-get-calendar.json": 200,
    "admin/07-post-notice.json": 201,
    "admin/08-list-notices.json": 200,
    "admin/09-get-notice-feedback.json": 200,
    "admin/10-put-feedback-answer.json": 404,  # no such feedback
    "admin/11-get-calendar-history.json": 200,  # the load of 05
    "admin/12-get-role-changes.json": 200,  # the roles the import in 01 gave
    "admin/13-post-notice-dry-run.json": 200,  # the notice it would open; nothing stored
    "admin/14-put-calendar-dry-run.json": 200,  # a preview of 2028: nothing stored
    "admin/15-get-calendar-status.json": 200,  # 2026 known, 2027 loaded in 05
    "feedback/01-post-feedback-json.json": 201,
    "feedback/02-post-feedback-form.json": 201,  # an HTML confirmation page
    "audit-sampling/quarterly.json": 200,  # scheduled: the first working day of 2026-Q4
    "disclosure-publisher/nightly.json": 200,  # scheduled
    "review-assignment/weekly.json": 200,  # scheduled: assigns the week of 2026-11-09 (setup for reviews/)
    "reviews/01-list-reviews.json": 200,
    "reviews/02-get-review.json": 200,
    "reviews/03-put-verdict.json": 200,
    "reviews/04-get-cadre-entries.json": 200,
    "reviews/05-get-my-reads.json": 200,
    "reviews/06-get-unit-figures.json": 200,  # jyj's head, October (closed on 11-08)
    "reviews/07-get-district-figures.json": 403,  # every unit: the Org Dept and district leaders only
    "reviews/08-get-unit-export.json": 200,  # XLSX: jyj's members, each recorded as a read
    "reviews/09-list-units.json": 200,
    "cases/01-list-cases.json": 200,
    "cases/02-get-case.json": 200,
    "cases/03-post-talk.json": 200,
    "cases/04-post-escalation.json": 200,
    "cases/05-post-closure.json": 200,  # the escalated reminder-talk case
    "cases/06-get-dossier.json": 200,
    # The cases function's audit and evaluation routes, as the Org Dept (c0010).
    "audits/01-post-audit.json": 201,
    "audits/02-list-audits.json": 200,
    "audits/03-get-audit.json": 200,
    "audits/04-get-my-audits.json": 200,
    "audits/05-get-sampled-entries.json": 403,  # the Org Dept is not one of the drawn inspectors
    "audits/06-put-finding.json": 403,
    "audits/07-put-evaluation.json": 200,
    "audits/08-get-evaluation-sheet.json": 200,
    "audits/09-get-audit-sample.json": 200,  # the Org Dept sees the spot-check's whole sample
    "audits/10-get-unit-evaluations.json": 200,  # jyj's 2026-Q3 with the grade of 07
    # The notifier's three doors (a bus event, the morning schedule, the retry queue): they answer
    # with summaries, run by tests/integration/test_notifier_handler.py.
    "notifier/01-entry-missing.json": 200,
    "notifier/02-accountability-case-opened.json": 200,
    "notifier/03-morning.json": 200,
    "notifier/04-retry.json": 200,
}
CALLER = {
    "entries": "c0001",
    "admin": "c0003",
    "reviews": "c0002",
    "cases": "c0002",
    "audits": "c0010",
    "feedback": "c0001",  # ignored: public
}
FUNCTION = {"audits": "cases"}  # folder → function, where they differ


def seed_case() -> None:
    """The cases fixtures act on RT-LOG-c0001-2026-11-18: about c0001, held by jyj's head (c0002)."""
    ComplianceRepository().open_case(
        open_case(
            CaseKind.REMINDER_TALK,
            Subject.LOGGING,
            "c0001",
            opened_on=date(2026, 11, 18),
            at="2026-11-18T02:00:00.000+08:00",
            reason="近10个工作日内3次未按时填写（2026-11-12、2026-11-16、2026-11-17）",
            evidence=["c0001/entry/2026-11-12", "c0001/entry/2026-11-16", "c0001/entry/2026-11-17"],
            owner_unit_id="jyj",
        )
    )


def seed_inspectors() -> None:
    """The audit fixtures draw from a pool of discipline inspectors (区纪委监委 and one stationed)."""
    roster = RosterRepository()
    roster.put_unit(Unit(unit_id="jw", name="区纪委监委"))
    for cadre_id, unit in (("d0001", "jw"), ("d0002", "jw"), ("d0003", "zzb")):
        roster.put_row(
            Cadre(cadre_id=cadre_id, name="纪检监察员", unit_id=unit, roles=["cadre", "discipline_inspector"])
        )


def seed_notice() -> None:
    """The feedback fixtures post to N20261120-c0001, open on the test district's date."""
    from worklog.models.notices import Notice
    from worklog.vetting.repository import NoticeRepository

    NoticeRepository().create(
        Notice(
            notice_id="N20261120-c0001",
            candidate_id="c0001",
            candidate_name="李明",
            unit_id="jyj",
            current_post="区教育局副局长",
            proposed_post="区教育局局长",
            start=date(2026, 11, 20),
            end=date(2026, 11, 26),
            opened_by="c0003",
            opened_at="2026-11-19T10:00:00.000+08:00",
        )
    )


SETUP = {"cases": seed_case, "audits": seed_inspectors, "feedback": seed_notice}  # needed first


def fixtures() -> list[Path]:
    return sorted(EVENTS.glob("*/*.json"))


def route_of(path_template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", path_template) + "$")


def test_every_route_in_the_spec_has_a_fixture() -> None:
    events = [json.loads(f.read_text("utf-8")) for f in fixtures()]
    covered = {
        (e["requestContext"]["http"]["method"], e["rawPath"])
        for e in events
        if "requestContext" in e  # scheduled events (review-assignment/weekly.json) serve no route
    }
    missing = [
        f"{method.upper()} {path}"
        for path, operations in SPEC["paths"].items()
        for method in operations
        if not any(m == method.upper() and route_of(path).match(p) for m, p in covered)
    ]
    assert not missing, f"routes without a fixture in events/: {missing}"


def test_every_fixture_is_listed_with_its_expected_status() -> None:
    assert sorted(str(f.relative_to(EVENTS)) for f in fixtures()) == sorted(EXPECTED)


@pytest.mark.parametrize("folder", ["entries", "admin", "cases", "audits", "feedback"])
def test_fixtures_run_through_their_handlers(stack: InProcessStack, folder: str) -> None:
    SETUP.get(folder, lambda: None)()
    for path in sorted((EVENTS / folder).glob("*.json")):
        event = json.loads(path.read_text("utf-8"))
        event["headers"]["authorization"] = f"Bearer {stack.token(CALLER[folder])}"
        result = stack.invoke(FUNCTION.get(folder, folder), event)
        name = f"{folder}/{path.name}"
        assert result["statusCode"] == EXPECTED[name], (name, result.get("body"))
        if result.get("isBase64Encoded") or "html" in str(result.get("headers", {}).get("Content-Type", "")):
            continue  # the evaluation sheet (XLSX), the feedback form's confirmation page
        body = json.loads(result["body"])
        if result["statusCode"] >= 400:
            assert {"code", "message"} <= set(body), (name, body)
        else:  # the resource itself, never an error's shape under a success status
            assert isinstance(body, dict | list) and not {"code", "message"} <= set(body), (name, body)


def test_review_fixtures_run_after_the_weekly_assignment(stack: InProcessStack) -> None:
    weekly = json.loads((EVENTS / "review-assignment" / "weekly.json").read_text("utf-8"))
    summary = stack.invoke("review-assignment", weekly)
    assert summary["week_start"] == "2026-11-09" and summary["new_assignments"] > 0
    for path in sorted((EVENTS / "reviews").glob("*.json")):
        event = json.loads(path.read_text("utf-8"))
        event["headers"]["authorization"] = f"Bearer {stack.token(CALLER['reviews'])}"
        result = stack.invoke("reviews", event)
        name = f"reviews/{path.name}"
        assert result["statusCode"] == EXPECTED[name], (name, result.get("body"))


@pytest.mark.parametrize("function", ["audit-sampling", "disclosure-publisher"])
def test_scheduled_fixtures_run_through_their_handlers(stack: InProcessStack, function: str) -> None:
    [path] = (EVENTS / function).glob("*.json")
    summary = stack.invoke(function, json.loads(path.read_text("utf-8")))
    if function == "audit-sampling":
        assert summary["ran"] and summary["drawn"] == "2026-Q3"
    else:
        assert summary["objects_written"] > 0
