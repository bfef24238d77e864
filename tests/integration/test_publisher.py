"""The disclosure publisher under moto: a full build, incremental runs, an interrupted run, masking
and escaping, vetting notices with public feedback, and the public tamper evidence."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from posixpath import dirname, join, normpath
from typing import Any

import boto3
import pytest

from infra.inprocess import InProcessStack
from tests.conftest import set_clock
from worklog import schedules
from worklog.publish import keys
from worklog.publish import site as site_module
from worklog.publish.publisher import Publisher, Records
from worklog.publish.tamper import LocalSigner, key_fingerprint
from worklog.publish.verification import verify_site

PAYLOAD = "<script>window.pwned=1</script><img src=x onerror=alert(1)>"
ENTRY = {
    "items": [
        {"content": "走访企业，联系人电话13812345678，现场协调用地问题", "status": "done"},
        {"content": "研究干部调整动议", "status": "in_progress", "internal": True},
        {"content": PAYLOAD, "status": "not_done"},
    ],
    "mistakes": "会议材料准备不充分",
}


def site(stack: InProcessStack) -> dict[str, bytes]:
    s3, bucket = boto3.client("s3"), stack.stack.names["SiteBucket"]
    keys = [
        o["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for o in page.get("Contents", [])
    ]
    return {k: s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys}


def fetch_from(stack: InProcessStack) -> Any:
    s3, bucket = boto3.client("s3"), stack.stack.names["SiteBucket"]

    def fetch(path: str) -> Any:
        try:
            body = s3.get_object(Bucket=bucket, Key=path)["Body"].read()
        except s3.exceptions.NoSuchKey:
            return None
        return body.decode() if path.endswith(".pem") else json.loads(body)

    return fetch


def publish(stack: InProcessStack, **event: Any) -> dict[str, Any]:
    result: dict[str, Any] = stack.invoke("disclosure-publisher", event)
    return result


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if (
                name in ("href", "src")
                and value
                and not value.startswith(("#", "http:", "https:", "mailto:", "data:"))
            ):
                self.hrefs.append(value)


def broken_links(pages: dict[str, bytes]) -> list[str]:
    broken = []
    for key, body in pages.items():
        if not key.endswith(".html"):
            continue
        parser = Links()
        parser.feed(body.decode())
        for href in parser.hrefs:
            target = normpath(join(dirname(key), href.split("#")[0]))
            if target.endswith("/") or target == ".":
                target = join(target, "index.html")
            if normpath(target) not in pages:
                broken.append(f"{key} → {href}")
    return broken


@pytest.fixture
def logged(stack: InProcessStack) -> InProcessStack:
    set_clock(2026, 11, 19, 18)
    assert stack.call("entries", "PUT", "/entries/2026-11-19", ENTRY, as_="c0001").status == 201
    assert (
        stack.call(
            "entries",
            "PUT",
            "/entries/2026-11-19",
            {"items": [{"content": "召开教育工作会议", "status": "done"}]},
            as_="c0002",
        ).status
        == 201
    )
    set_clock(2026, 11, 20, 2)
    return stack


def test_a_full_build_publishes_every_page_with_the_policy_applied(logged: InProcessStack) -> None:
    summary = publish(logged)
    pages = site(logged)
    manifests = [k for k in pages if k == keys.MANIFEST or k.startswith("manifest/")]
    assert summary["objects_written"] == len(pages) - len(manifests)
    for key in (
        "index.html",
        "units/jyj/index.html",
        "cadres/c0001/2026-11.html",
        "cadres/c0001/index.html",
        "ledger/index.html",
        "ledger/cadres/c0001.json",
        "ledger/checkpoints/2026-11-20.json",
    ):
        assert key in pages, key
    month = pages["cadres/c0001/2026-11.html"].decode()
    assert "138****5678" in month and "13812345678" not in month
    assert "内部事项，不予公开" in month and "研究干部调整动议" not in month
    assert "会议材料准备不充分" not in month  # mistakes are off by default
    assert "<script>window.pwned" not in month and "&lt;script&gt;window.pwned=1&lt;/script&gt;" in month
    assert not any(b"<script" in body for key, body in pages.items() if key.endswith(".html"))
    assert broken_links(pages) == []
    assert verify_site(fetch_from(logged), "c0001") == []


def test_entries_appear_the_night_after_they_are_saved(logged: InProcessStack) -> None:
    set_clock(2026, 11, 20, 9)
    logged.call(
        "entries",
        "PUT",
        "/entries/2026-11-20",
        {"items": [{"content": "当天的工作", "status": "done"}]},
        as_="c0003",
    )
    publish(logged)
    assert "cadres/c0003/2026-11.html" not in site(logged)
    set_clock(2026, 11, 21, 2)
    publish(logged)
    assert "当天的工作" in site(logged)["cadres/c0003/2026-11.html"].decode()


def test_after_one_new_entry_the_nightly_run_writes_a_handful_of_objects(logged: InProcessStack) -> None:
    publish(logged)
    again = publish(logged)
    assert again["objects_written"] == 0  # the same night, nothing new
    set_clock(2026, 11, 20, 18)
    logged.call(
        "entries",
        "PUT",
        "/entries/2026-11-20",
        {"items": [{"content": "调研课后服务", "status": "done"}]},
        as_="c0001",
    )
    set_clock(2026, 11, 21, 2)
    nightly = publish(logged)
    assert nightly["cadres_rendered"] == 1
    assert set(nightly["written"]) == {
        "cadres/c0001/2026-11.html",
        "cadres/c0001/index.html",
        "ledger/cadres/c0001.json",
        "ledger/checkpoints/2026-11-21.json",
        "ledger/checkpoints/index.json",
        "ledger/checkpoints/latest.json",
        "ledger/proofs/c0001.json",  # c0002's leaf did not move: its proof against 11-20 stands
        "ledger/index.html",
        "index.html",
    }
    assert verify_site(fetch_from(logged), "c0001") == []


def test_a_night_with_one_changed_cadre_writes_only_its_proof_and_every_cadre_verifies(
    logged: InProcessStack,
) -> None:
    """Given two cadres published on 11-20, when only c0003 (new) and c0001 log on 11-20, then the
    night of 11-21 proves those two against the checkpoint of 11-21, c0002 keeps its proof against
    11-20, every cadre verifies, and the checkpoint did not grow with the extra cadre."""
    publish(logged)
    first = json.loads(site(logged)["ledger/checkpoints/2026-11-20.json"])
    set_clock(2026, 11, 20, 18)
    for who in ("c0001", "c0003"):
        entry = {"items": [{"content": "调研课后服务", "status": "done"}]}
        assert logged.call("entries", "PUT", "/entries/2026-11-20", entry, as_=who).status == 201
    set_clock(2026, 11, 21, 2)
    nightly = publish(logged)
    assert sorted(k for k in nightly["written"] if k.startswith("ledger/proofs/")) == [
        "ledger/proofs/c0001.json",
        "ledger/proofs/c0003.json",
    ]
    pages = site(logged)
    proofs = {
        c: json.loads(pages[f"ledger/proofs/{c}.json"])["checkpoint"] for c in ("c0001", "c0002", "c0003")
    }
    assert proofs == {"c0001": "2026-11-21", "c0002": "2026-11-20", "c0003": "2026-11-21"}
    for cadre_id in proofs:
        assert verify_site(fetch_from(logged), cadre_id) == [], cadre_id
    second = json.loads(pages["ledger/checkpoints/2026-11-21.json"])
    assert (first["count"], second["count"]) == (2, 3) and "leaves" not in second
    assert second["previous"] == {"date": "2026-11-20", "root": first["root"]}

    def size(checkpoint: dict[str, Any]) -> int:  # the first has no previous; signatures vary a byte
        return len(json.dumps({**checkpoint, "signature": "", "previous": None}))

    assert size(second) == size(first)


def test_an_interrupted_run_leaves_no_broken_link_and_the_next_run_completes(
    logged: InProcessStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(logged)
    set_clock(2026, 11, 20, 18)
    logged.call(
        "entries",
        "PUT",
        "/entries/2026-11-20",
        {"items": [{"content": "新的工作", "status": "done"}]},
        as_="c0003",
    )
    set_clock(2026, 11, 21, 2)
    original = site_module.SiteStore.put
    calls = {"n": 0}

    def flaky(self: Any, key: str, body: bytes, content_type: str, digest: str) -> None:
        calls["n"] += 1
        if calls["n"] > 2:
            raise RuntimeError("network lost")
        original(self, key, body, content_type, digest)

    with monkeypatch.context() as broken:
        broken.setattr(site_module.SiteStore, "put", flaky)
        with pytest.raises(RuntimeError):
            publish(logged)
    half = site(logged)
    assert "cadres/c0003/2026-11.html" in half  # the new page went out first …
    assert "c0003" not in half["units/zzb/index.html"].decode()  # … the index linking it did not
    assert broken_links(half) == []
    publish(logged)
    pages = site(logged)
    assert "cadres/c0003/index.html" in pages["units/zzb/index.html"].decode()
    assert broken_links(pages) == []
    assert verify_site(fetch_from(logged), "c0003") == []


def test_the_verify_check_catches_a_rewritten_published_entry(logged: InProcessStack) -> None:
    publish(logged)
    s3, bucket = boto3.client("s3"), logged.stack.names["SiteBucket"]
    key = "ledger/cadres/c0001.json"
    ledger = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    ledger["revisions"][0]["body"]["items"][0]["content"] = "改写后的内容"
    s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(ledger, ensure_ascii=False).encode())
    assert verify_site(fetch_from(logged), "c0001")


# --- vetting notices and public feedback --------------------------------------------------------------
NOTICE = {
    "candidate_id": "c0001",
    "current_post": "区教育局副局长",
    "proposed_post": "区教育局局长",
    "start": "2026-11-23",
}


def open_notice(stack: InProcessStack) -> dict[str, Any]:
    resp = stack.call("admin", "POST", "/admin/notices", NOTICE, as_="c0010")
    assert resp.status == 201, resp.body
    notice: dict[str, Any] = json.loads(resp.body)
    return notice


def feedback(
    stack: InProcessStack, notice_id: str, body: Any, *, ip: str = "198.51.100.7", form: bool = False
) -> Any:
    from infra.local.events import to_function_url_event, to_http_response

    if form:
        raw = "&".join(f"{k}={v}" for k, v in body.items()).encode()
        headers = {"content-type": "application/x-www-form-urlencoded"}
    else:
        raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        headers = {"content-type": "application/json"}
    event = to_function_url_event(
        "POST", f"/feedback/{notice_id}", headers.items(), raw, function_name="feedback"
    )
    event["requestContext"]["http"]["sourceIp"] = ip
    return to_http_response(stack.invoke("feedback", event))


def test_a_notice_needs_five_working_days_and_an_org_dept_author(logged: InProcessStack) -> None:
    short = {**NOTICE, "end": "2026-11-26"}  # Mon–Thu: four working days
    resp = logged.call("admin", "POST", "/admin/notices", short, as_="c0010")
    assert resp.status == 422 and json.loads(resp.body)["details"][0]["type"] == "notice_too_short"
    assert logged.call("admin", "POST", "/admin/notices", NOTICE, as_="c0001").status == 403
    notice = open_notice(logged)
    assert notice["end"] == "2026-11-27" and notice["working_days"] == 5 and notice["state"] == "upcoming"
    assert logged.call("admin", "POST", "/admin/notices", NOTICE, as_="c0010").status == 409


def test_public_feedback_is_validated_limited_and_only_taken_while_open(logged: InProcessStack) -> None:
    notice = open_notice(logged)
    nid = notice["notice_id"]
    assert feedback(logged, nid, {"content": "反映情况"}).status == 409  # not open yet
    set_clock(2026, 11, 24, 10)
    ok = feedback(logged, nid, {"content": "该同志工作认真负责", "contact": "13900001111"})
    assert ok.status == 201 and json.loads(ok.body)["feedback_id"]
    page = feedback(logged, nid, {"content": "%E6%94%AF%E6%8C%81"}, form=True, ip="198.51.100.8")
    assert (
        page.status == 201
        and page.header("content-type").startswith("text/html")
        and "已收到" in page.body.decode()
    )
    assert feedback(logged, nid, {"content": "   "}).status == 422
    assert feedback(logged, nid, {"content": "长" * 2001}).status == 422
    assert feedback(logged, nid, b"{not json").status == 400
    assert feedback(logged, nid, {"content": "x" * 20000}).status == 413
    bad_form = feedback(logged, nid, {"content": ""}, form=True, ip="198.51.100.9")
    assert bad_form.status == 422 and bad_form.header("content-type").startswith("text/html")
    assert feedback(logged, "N20261123-c0002", {"content": "反映"}).status == 404
    statuses = [feedback(logged, nid, {"content": f"第{i}条"}, ip="203.0.113.50").status for i in range(7)]
    assert statuses[:5] == [201] * 5 and statuses[5:] == [429, 429]

    listed = json.loads(logged.call("admin", "GET", f"/admin/notices/{nid}/feedback", as_="c0010").body)[
        "feedback"
    ]
    assert {f["content"] for f in listed} >= {"该同志工作认真负责", "支持"}
    assert logged.call("admin", "GET", f"/admin/notices/{nid}/feedback", as_="c0001").status == 403
    fid = listed[0]["feedback_id"]
    answered = logged.call(
        "admin", "PUT", f"/admin/notices/{nid}/feedback/{fid}/answer", {"answer": "已核实"}, as_="c0010"
    )
    assert answered.status == 200 and json.loads(answered.body)["answered_by"] == "c0010"

    set_clock(2026, 11, 28, 2)
    assert feedback(logged, nid, {"content": "晚了"}).status == 409


def test_the_notice_page_has_a_working_form_while_open_and_says_closed_after(logged: InProcessStack) -> None:
    nid = open_notice(logged)["notice_id"]
    set_clock(2026, 11, 23, 2)
    publish(logged)
    page = site(logged)[keys.notice(nid)].decode()
    assert re.search(rf'<form[^>]+action="http://127.0.0.1:8080/feedback/{nid}"', page)
    assert "区教育局局长" in page and "cadres/c0001/2026-11.html" in page
    set_clock(2026, 11, 28, 2)
    publish(logged)
    page = site(logged)[keys.notice(nid)].decode()
    assert "<form" not in page and "公示期已结束" in page


def test_the_site_never_carries_the_journals_own_hashes(logged: InProcessStack) -> None:
    """They are computed over the unmasked text: published, they would let anyone test guesses
    of a masked phone number."""
    from worklog.journal.repository import JournalRepository

    publish(logged)
    hashes = [r["hash"] for r in JournalRepository().all_revisions("c0001")]
    pages = site(logged)
    assert hashes and not any(h.encode() in body for h in hashes for body in pages.values())


def test_a_full_rebuild_keeps_the_checkpoint_history(logged: InProcessStack) -> None:
    publish(logged)
    set_clock(2026, 11, 21, 2)
    publish(logged)
    set_clock(2026, 11, 22, 2)
    publish(logged, full=True)
    index = json.loads(site(logged)["ledger/checkpoints/index.json"])
    assert index["checkpoints"] == ["2026-11-20", "2026-11-21", "2026-11-22"]
    assert verify_site(fetch_from(logged), "c0001") == []


def test_a_roster_change_rerenders_the_cadres_pages(logged: InProcessStack) -> None:
    from worklog.models.roster import Cadre
    from worklog.roster.repository import RosterRepository

    publish(logged)
    roster = RosterRepository()
    cadre = roster.get_cadre("c0001")
    assert cadre is not None
    roster.put_row(Cadre.model_validate({**cadre.model_dump(), "name": "李明远"}))
    set_clock(2026, 11, 21, 2)
    nightly = publish(logged)
    assert "cadres/c0001/2026-11.html" in nightly["written"]
    assert "李明远" in site(logged)["cadres/c0001/2026-11.html"].decode()


def test_feedback_that_is_not_an_object_gets_a_4xx(logged: InProcessStack) -> None:
    nid = open_notice(logged)["notice_id"]
    set_clock(2026, 11, 24, 10)
    assert feedback(logged, nid, b"[" * 16000).status == 400
    assert feedback(logged, nid, b"[1, 2]").status == 422


def test_the_publisher_built_with_its_defaults_reads_the_working_calendar_from_the_stored_schedules(
    stack: InProcessStack,
) -> None:
    # Given a container whose calendar is not cached yet (a cold start of the scheduled publisher)
    schedules.invalidate()
    # When the publisher's records are built with the production defaults
    records = Records()
    # Then the calendar is the one the stored schedules give, shared with the other use cases
    assert records.calendar is schedules.current_calendar()


def test_a_key_rotated_between_two_nights_leaves_both_nights_verifiable(
    logged: InProcessStack, tmp_path: Path
) -> None:
    """Given the night of 11-20 signed with the stack's key, when the key is rotated and c0001 logs
    on 11-20, then the night of 11-21 is signed with the new key, both keys are published under their
    fingerprints (the old one written once and kept), public-key.pem is the new key, and every cadre
    verifies: c0002's proof still names 11-20, whose checkpoint names the old key."""
    publish(logged)
    old = json.loads(site(logged)["ledger/checkpoints/2026-11-20.json"])["key_fingerprint"]
    set_clock(2026, 11, 20, 18)
    entry = {"items": [{"content": "调研课后服务", "status": "done"}]}
    assert logged.call("entries", "PUT", "/entries/2026-11-20", entry, as_="c0001").status == 201
    set_clock(2026, 11, 21, 2)
    rotated = LocalSigner(tmp_path / "rotated-key.pem")
    nightly = Publisher(signer=rotated).run().as_dict()
    new = key_fingerprint(rotated.public_key_pem())
    pages = site(logged)
    assert json.loads(pages["ledger/checkpoints/2026-11-21.json"])["key_fingerprint"] == new != old
    assert keys.signing_key(new) in nightly["written"] and keys.signing_key(old) not in nightly["written"]
    assert pages[keys.PUBLIC_KEY].decode() == rotated.public_key_pem()
    assert key_fingerprint(pages[keys.signing_key(old)].decode()) == old
    assert json.loads(pages["ledger/proofs/c0002.json"])["checkpoint"] == "2026-11-20"
    for cadre_id in ("c0001", "c0002"):
        assert verify_site(fetch_from(logged), cadre_id) == [], cadre_id
        assert verify_site(fetch_from(logged), cadre_id, trusted_keys={old, new}) == [], cadre_id
    assert verify_site(fetch_from(logged), "c0002", trusted_keys={new}) != []  # pinned: the old key is not
