"""Random audits (双随机) under moto: the quarterly run's commit and draw, verification of the
published files, quarters drawn on demand, and quarterly evaluations."""

from __future__ import annotations

import io
import json

import boto3
import pytest
from openpyxl import load_workbook

from infra.inprocess import InProcessStack
from tests.conftest import Published, set_clock
from tests.integration.audit_support import (
    INSPECTORS,
    body,
    run,
)
from worklog.audit.repository import AuditRepository
from worklog.audit.verify import from_ledger, verify_round
from worklog.cli import main as cli


def test_only_the_first_working_day_of_a_quarter_runs(audited: InProcessStack, events: Published) -> None:
    assert run(audited, "2026-10-07")["ran"] is False  # National Day holiday
    assert run(audited, "2026-10-09")["ran"] is False
    assert events == []


def test_the_quarterly_run_commits_then_draws_and_commits_the_next_quarter(
    audited: InProcessStack, events: Published
) -> None:
    result = run(audited, "2026-10-08")
    assert result["drawn"] == "2026-Q3" and result["committed"] == "2026-Q4"
    kinds = [kind for kind, _ in events]
    # The commitment of the drawn quarter is published before its draw.
    assert kinds == ["AuditCommitted", "AuditDrawn", "AuditCommitted"]
    drawn = AuditRepository().get_round("2026-Q3")
    assert drawn is not None and drawn.state == "drawn" and drawn.sampled
    assignments = AuditRepository().round_assignments("2026-Q3")
    by_cadre: dict[str, list[str]] = {}
    for a in assignments:
        by_cadre.setdefault(a.cadre_id, []).append(a.inspector_id)
        inspector = next(i for i in INSPECTORS if i.cadre_id == a.inspector_id)
        assert inspector.unit_id != a.unit_id and a.inspector_id != a.cadre_id
    assert all(len(set(v)) >= 2 for v in by_cadre.values())
    # Every unit with cadres in post is in the sample (jyj, zzb, jw).
    assert {a.unit_id for a in assignments} == {"jyj", "zzb", "jw"}
    assert verify_round("2026-Q3", from_ledger()) == []

    again = run(audited, "2026-10-08")
    assert again["already_drawn"] is True and again["drawn"] is None
    assert [kind for kind, _ in events].count("AuditDrawn") == 1


def test_the_verify_command_detects_a_tampered_sample_or_snapshot(
    audited: InProcessStack, events: Published, capsys: pytest.CaptureFixture[str]
) -> None:
    run(audited, "2026-10-08")
    assert cli(["verify-audit", "2026-Q3"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True

    s3, bucket = boto3.client("s3"), audited.stack.names["LedgerBucket"]
    for name, tamper in (
        ("sample", lambda v: {**v, "cadres": v["cadres"][1:]}),
        ("snapshot", lambda v: {**v, "rate_percent": 50}),
    ):
        key = f"audits/2026-Q3/{name}.json"
        original = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(tamper(json.loads(original))).encode())
        assert cli(["verify-audit", "2026-Q3"]) == 1
        assert json.loads(capsys.readouterr().out)["problems"]
        s3.put_object(Bucket=bucket, Key=key, Body=original)
    assert cli(["verify-audit", "2026-Q3"]) == 0


def test_a_quarter_drawn_on_demand_is_never_drawn_again_by_either_path(
    audited: InProcessStack, events: Published
) -> None:
    # Given 2026-Q3 never committed, drawn on demand by the Org Dept with a reason
    first = audited.call(
        "cases", "POST", "/audits", {"quarter": "2026-Q3", "reason": "季度抽查提前进行"}, as_="c0010"
    )
    assert first.status == 201
    drawn = AuditRepository().get_round("2026-Q3")
    assert drawn is not None
    ledger = from_ledger()
    assert ledger("audits/2026-Q3/commitment.json")["reason"] == "季度抽查提前进行"
    assert ledger("audits/2026-Q3/reveal.json")["drawn_by"] == "c0010"
    # When it is asked for again on demand, by anyone, or the quarterly run comes
    for who in ("c0010", "d0001"):
        again = audited.call("cases", "POST", "/audits", {"quarter": "2026-Q3", "reason": "重抽"}, as_=who)
        assert again.status == 409 and body(again)["code"] == "already_drawn"
    assert run(audited, "2026-10-08")["already_drawn"] is True
    # Then the round keeps its one seed and sample
    after = AuditRepository().get_round("2026-Q3")
    assert after is not None and (after.seed, after.drawn_at) == (drawn.seed, drawn.drawn_at)
    assert [kind for kind, _ in events].count("AuditDrawn") == 1


def test_a_quarter_committed_by_the_run_is_drawn_on_demand_with_its_committed_seed(
    audited: InProcessStack, events: Published
) -> None:
    # Given 2026-Q4 committed by the quarterly run of 2026-10-08, before any of its logs
    run(audited, "2026-10-08")
    committed = AuditRepository().get_round("2026-Q4")
    assert committed is not None and committed.state == "committed"
    # When the Org Dept draws it on demand once the quarter has ended
    set_clock(2027, 1, 2, 10)
    resp = audited.call(
        "cases", "POST", "/audits", {"quarter": "2026-Q4", "reason": "年终考核需要"}, as_="c0010"
    )
    # Then the committed seed is the one drawn, and the reveal says who had it drawn and why
    assert resp.status == 201 and body(resp)["seed"] == committed.seed
    reveal = from_ledger()("audits/2026-Q4/reveal.json")
    assert (reveal["requested_by"], reveal["reason"]) == ("system", "")
    assert (reveal["drawn_by"], reveal["draw_reason"]) == ("c0010", "年终考核需要")
    assert body(resp)["draw_reason"] == "年终考核需要"


def test_a_quarter_already_drawn_cannot_be_drawn_again(audited: InProcessStack, events: Published) -> None:
    run(audited, "2026-10-08")
    again = audited.call("cases", "POST", "/audits", {"quarter": "2026-Q3", "reason": "重抽"}, as_="c0010")
    assert again.status == 409 and body(again)["code"] == "already_drawn"
    not_over = audited.call("cases", "POST", "/audits", {"quarter": "2026-Q4", "reason": "抽"}, as_="c0010")
    assert not_over.status == 422


def test_evaluations_and_the_unit_sheet(audited: InProcessStack, events: Published) -> None:
    set_clock(2026, 10, 15, 10)
    grade = {"grade": "good", "comment": "日志记录及时完整"}
    assert audited.call("cases", "PUT", "/evaluations/2026-Q3/c0001", grade, as_="c0001").status == 403
    assert (
        audited.call("cases", "PUT", "/evaluations/2026-Q3/c0001", {"grade": "A"}, as_="c0010").status == 422
    )
    assert audited.call("cases", "PUT", "/evaluations/2026-Q3/nobody", grade, as_="c0010").status == 404
    saved = audited.call("cases", "PUT", "/evaluations/2026-Q3/c0001", grade, as_="c0010")
    assert saved.status == 200 and body(saved)["grade_text"] == "良好"

    sheet = audited.call("cases", "GET", "/evaluations/2026-Q3/units/jyj/sheet", as_="c0010")
    assert sheet.status == 200 and sheet.header(
        "content-type",
    ).startswith("application/vnd.openxml")
    book = load_workbook(io.BytesIO(sheet.body))
    rows = [[c.value for c in row] for row in book.active.iter_rows(min_row=4)]
    first = next(r for r in rows if r[1] == "李明")
    assert first[3] > 60 and first[4] == 3 and first[11] == "良好"
    assert audited.call("cases", "GET", "/evaluations/2026-Q3/units/jyj/sheet", as_="c0001").status == 403
