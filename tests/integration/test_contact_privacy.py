"""Who sees how to reach a cadre (mobile, e-mail, WeCom and DingTalk ids, preferred channel): the
cadre themself (GET /me) and admins (the roster's records), nobody else, and never the public site
(docs/decisions.md, "Who sees a cadre's contact details")."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from infra.inprocess import InProcessStack
from tests.conftest import CADRES, set_clock
from worklog.models.roster import Cadre
from worklog.roster.repository import RosterRepository

ADMIN = "c0003"


def contact_of(cadre: Cadre) -> dict[str, Any]:
    number = int(cadre.cadre_id[1:])
    return {
        "mobile": f"1390000{number:04d}",
        "email": f"{cadre.cadre_id}@jinjiang.example.gov.cn",
        "wecom_user_id": f"wx-{cadre.cadre_id}",
        "dingtalk_user_id": f"dd-{cadre.cadre_id}",
        "preferred_channel": "wecom",
    }


def details(cadre_id: str) -> list[str]:
    """The texts that would give away how to reach ``cadre_id`` (the channel name alone does not)."""
    found = next(c for c in CADRES if c.cadre_id == cadre_id)
    return [v for k, v in contact_of(found).items() if k != "preferred_channel"]


def leaked(body: str | bytes, *, except_for: str | None = None) -> list[str]:
    text = body if isinstance(body, str) else body.decode("utf-8", "replace")
    return [d for c in CADRES if c.cadre_id != except_for for d in details(c.cadre_id) if d in text]


@pytest.fixture
def reachable(stack: InProcessStack) -> InProcessStack:
    """The small roster, each cadre with a mobile, an e-mail and both messenger ids, and a day of
    entries by a cadre and their unit's head."""
    roster = RosterRepository()
    for cadre in CADRES:
        assert roster.put_row(cadre.model_copy(update=contact_of(cadre)))
    set_clock(2026, 11, 19, 18)
    entry = {"items": [{"content": "走访辖区学校，协调校舍维修", "status": "done"}]}
    for who in ("c0001", "c0002"):
        assert stack.call("entries", "PUT", "/entries/2026-11-19", entry, as_=who).status == 201
    set_clock(2026, 11, 20, 18)
    return stack


# What readers other than admins ask for: their own things, their unit's, the Org Dept's.
READS = [
    ("c0001", "entries", "/entries?from=2026-11-01&to=2026-11-20"),
    ("c0001", "entries", "/me/calendar?month=2026-11"),
    ("c0001", "reviews", "/reviews"),
    ("c0001", "reviews", "/units/roster"),
    ("c0001", "cases", "/cases"),
    ("c0001", "cases", "/me/audits"),
    ("c0002", "reviews", "/reviews"),
    ("c0002", "reviews", "/cadres/c0001/entries?from=2026-11-16&to=2026-11-20"),
    ("c0002", "reviews", "/units/jyj/figures?month=2026-10"),
    ("c0002", "cases", "/cases"),
    ("c0010", "admin", "/admin/roster/units/jyj/cadres"),
    ("c0010", "admin", "/admin/roster/cadres/c0001"),
    ("c0010", "admin", "/admin/notices"),
    ("c0010", "reviews", "/units/figures?month=2026-10"),
    ("c0010", "cases", "/cases"),
    ("c0010", "cases", "/audits"),
]


@pytest.mark.parametrize(("who", "function", "path"), READS)
def test_a_reader_who_is_not_an_admin_never_gets_anyones_contact_details(
    reachable: InProcessStack, who: str, function: str, path: str
) -> None:
    # When a cadre, a unit head or the Org Dept's inspector reads what they may
    resp = reachable.call(function, "GET", path, as_=who)
    # Then the answer is there, and holds no mobile, e-mail or messenger id of anyone
    assert resp.status == 200, resp.body
    assert leaked(resp.body) == []


def test_the_org_dept_browses_the_roster_without_the_contact_fields(reachable: InProcessStack) -> None:
    members = json.loads(reachable.call("admin", "GET", "/admin/roster/units/jyj/cadres", as_="c0010").body)
    assert members["cadres"] and all(
        c.get(field) is None
        for c in members["cadres"]
        for field in ("mobile", "email", "wecom_user_id", "dingtalk_user_id", "preferred_channel")
    )


def test_an_admin_reads_a_cadres_contact_details_on_the_roster(reachable: InProcessStack) -> None:
    one = json.loads(reachable.call("admin", "GET", "/admin/roster/cadres/c0001", as_=ADMIN).body)
    members = json.loads(reachable.call("admin", "GET", "/admin/roster/units/jyj/cadres", as_=ADMIN).body)
    expected = contact_of(next(c for c in CADRES if c.cadre_id == "c0001"))
    assert {k: one[k] for k in expected} == expected
    assert {k: members["cadres"][0][k] for k in expected} == contact_of(
        next(c for c in CADRES if c.cadre_id == members["cadres"][0]["cadre_id"])
    )


def test_a_cadre_sees_in_me_how_the_roster_reaches_them_and_nobody_elses(reachable: InProcessStack) -> None:
    for who in ("c0001", "c0002", "c0010"):
        resp = reachable.call("entries", "GET", "/me", as_=who)
        me = json.loads(resp.body)
        assert me["contact"] == contact_of(next(c for c in CADRES if c.cadre_id == who))
        assert leaked(resp.body, except_for=who) == []


def test_a_cadre_the_roster_has_no_contact_for_sees_none_in_me(stack: InProcessStack) -> None:
    me = json.loads(stack.call("entries", "GET", "/me", as_="c0001").body)
    assert me["contact"] == {
        "mobile": None,
        "email": None,
        "wecom_user_id": None,
        "dingtalk_user_id": None,
        "preferred_channel": None,
    }


def test_the_public_site_never_carries_a_contact_detail(reachable: InProcessStack) -> None:
    # Given cadres with every contact detail, and entries to publish
    set_clock(2026, 11, 21, 2)
    # When the public site is built in full
    assert reachable.invoke("disclosure-publisher", {"full": True})
    # Then no page, ledger or data file holds any of them
    s3, bucket = boto3.client("s3"), reachable.stack.names["SiteBucket"]
    keys = [
        o["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for o in page.get("Contents", [])
    ]
    assert any(k.endswith(".html") for k in keys)
    bodies = {k: s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys}
    assert {k: leaked(text) for k, text in bodies.items() if leaked(text)} == {}
