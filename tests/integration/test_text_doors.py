"""Every door through which text comes in refuses control, bidirectional and invisible characters
with 422 validation_error naming the field and the code point (the roster import: a rejected row),
and stores nothing of the request; ordinary text with line breaks and emoji goes through."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from infra.inprocess import InProcessStack
from infra.local.events import to_function_url_event, to_http_response
from tests.conftest import set_clock
from worklog.roster.repository import RosterRepository

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "付款exe.txt" shows as "付款txt.exe"
ITEM = {"content": "走访3家企业", "status": "done"}
NOTICE = {
    "candidate_id": "c0001",
    "current_post": "区教育局副局长",
    "proposed_post": "区教育局局长",
    "start": "2026-11-23",
}
FEEDBACK_ID = "0123456789abcdef"
NOTICE_ID = "N20261123-c0001"

# (function, method, path, body, who, field): one request per text a client may send, with RLO in
# the text; who is someone who may otherwise make the request.
DOORS: list[tuple[str, str, str, dict[str, Any], str, str]] = [
    (
        "entries",
        "PUT",
        "/entries/2026-11-20",
        {"items": [{"content": f"走访{RLO}企业", "status": "done"}]},
        "c0001",
        "content",
    ),
    (
        "entries",
        "PUT",
        "/entries/2026-11-20",
        {"items": [ITEM], "mistakes": f"漏报{RLO}"},
        "c0001",
        "mistakes",
    ),
    (
        "entries",
        "PUT",
        "/entries/2026-11-20",
        {"items": [ITEM], "reflections": f"思考{RLO}"},
        "c0001",
        "reflections",
    ),
    ("entries", "PUT", "/entries/2026-11-20", {"items": [ITEM], "reason": f"补充{RLO}"}, "c0001", "reason"),
    ("entries", "PUT", "/plans/2026-12", {"items": [{"content": f"调研{RLO}"}]}, "c0001", "content"),
    (
        "entries",
        "PUT",
        "/plans/2026-12",
        {"items": [{"content": "调研", "target": f"完成{RLO}"}]},
        "c0001",
        "target",
    ),
    (
        "entries",
        "PUT",
        "/plans/2026-12",
        {"items": [{"content": "调研"}], "reason": f"调整{RLO}"},
        "c0001",
        "reason",
    ),
    (
        "entries",
        "PUT",
        "/summaries/2026-H2",
        {"achievements": f"成效{RLO}", "problems": "问题", "next_steps": "打算"},
        "c0001",
        "achievements",
    ),
    (
        "entries",
        "POST",
        "/leaves",
        {"from": "2026-11-23", "to": "2026-11-24", "kind": "annual", "note": f"探亲{RLO}"},
        "c0001",
        "note",
    ),
    (
        "reviews",
        "PUT",
        "/reviews/2026-11-09/c0001",
        {"verdict": "adequate", "comment": f"认真{RLO}"},
        "c0002",
        "comment",
    ),
    (
        "cases",
        "POST",
        "/cases/RT-LOG-c0001-2026-11-18/talks",
        {"talk_date": "2026-11-20", "said": f"谈话{RLO}"},
        "c0002",
        "said",
    ),
    (
        "cases",
        "POST",
        "/cases/RT-LOG-c0001-2026-11-18/talks",
        {"talk_date": "2026-11-20", "said": "谈话", "response": f"接受{RLO}"},
        "c0002",
        "response",
    ),
    (
        "cases",
        "POST",
        "/cases/RT-LOG-c0001-2026-11-18/escalation",
        {"reason": f"拒不整改{RLO}"},
        "c0002",
        "reason",
    ),
    (
        "cases",
        "POST",
        "/cases/RT-LOG-c0001-2026-11-18/closure",
        {"reason": f"已整改{RLO}"},
        "c0002",
        "reason",
    ),
    ("cases", "POST", "/audits", {"size": 1, "reason": f"专项抽查{RLO}"}, "c0010", "reason"),
    (
        "cases",
        "PUT",
        "/audits/2026-Q3/findings/c0001/2026-09-01",
        {"result": "verified", "note": f"属实{RLO}"},
        "c0010",
        "note",
    ),
    (
        "cases",
        "PUT",
        "/audits/2026-Q3/findings/c0001/2026-09-01",
        {"result": "verified", "note": "属实", "evidence_ref": f"档{RLO}案"},
        "c0010",
        "evidence_ref",
    ),
    (
        "cases",
        "PUT",
        "/evaluations/2026-Q3/c0001",
        {"grade": "good", "comment": f"较好{RLO}"},
        "c0010",
        "comment",
    ),
    ("admin", "POST", "/admin/notices", {**NOTICE, "current_post": f"副局长{RLO}"}, "c0010", "current_post"),
    ("admin", "POST", "/admin/notices", {**NOTICE, "proposed_post": f"局长{RLO}"}, "c0010", "proposed_post"),
    (
        "admin",
        "PUT",
        f"/admin/notices/{NOTICE_ID}/feedback/{FEEDBACK_ID}/answer",
        {"answer": f"已核实{RLO}"},
        "c0010",
        "answer",
    ),
    (
        "admin",
        "PUT",
        "/admin/calendar/2027",
        {"holidays": ["2027-01-01"], "source": f"国办{RLO}"},
        "c0003",
        "source",
    ),
]


def refused(resp: Any, field: str, code: str = "U+202E") -> bool:
    if resp.status != 422:
        return False
    data = json.loads(resp.body)
    return data["code"] == "validation_error" and any(
        d["loc"][-1] == field and code in d["msg"] and d["type"] == "forbidden_character"
        for d in data["details"]
    )


@pytest.mark.parametrize(("function", "method", "path", "data", "who", "field"), DOORS)
def test_each_door_refuses_a_bidi_override_naming_field_and_code_point(
    stack: InProcessStack, function: str, method: str, path: str, data: dict[str, Any], who: str, field: str
) -> None:
    resp = stack.call(function, method, path, data, as_=who)
    assert refused(resp, field), (resp.status, resp.body)


@pytest.mark.parametrize("bad", ["\x00", "\u2066", "\u200b", "\ufeff", "\u200e", "\x9b"])
def test_nothing_of_a_refused_entry_is_stored(stack: InProcessStack, bad: str) -> None:
    entry = {"items": [{"content": f"走访{bad}企业", "status": "done"}]}
    assert refused(
        stack.call("entries", "PUT", "/entries/2026-11-20", entry, as_="c0001"),
        "content",
        f"U+{ord(bad):04X}",
    )
    assert stack.call("entries", "GET", "/entries/2026-11-20", as_="c0001").status == 404


def test_ordinary_text_with_line_breaks_and_emoji_is_stored_as_sent_with_lf_line_ends(
    stack: InProcessStack,
) -> None:
    content = "上午：走访3家企业👍，了解“减负”情况；\r\n下午：整理台账（完成率80%）。\tOK"
    entry = {"items": [{"content": content, "status": "in_progress"}], "reflections": "多听👨‍💻基层意见"}
    assert stack.call("entries", "PUT", "/entries/2026-11-20", entry, as_="c0001").status == 201
    stored = json.loads(stack.call("entries", "GET", "/entries/2026-11-20", as_="c0001").body)
    assert stored["items"][0]["content"] == content.replace("\r\n", "\n")
    assert stored["reflections"] == "多听👨‍💻基层意见"


# --- public feedback, JSON and the HTML form --------------------------------------------------------
def feedback(stack: InProcessStack, notice_id: str, raw: bytes, content_type: str, ip: str) -> Any:
    event = to_function_url_event(
        "POST", f"/feedback/{notice_id}", [("content-type", content_type)], raw, function_name="feedback"
    )
    event["requestContext"]["http"]["sourceIp"] = ip
    return to_http_response(stack.invoke("feedback", event))


@pytest.fixture
def open_notice(stack: InProcessStack) -> str:
    """Given a vetting notice of c0001 open for feedback (2026-11-24)."""
    resp = stack.call("admin", "POST", "/admin/notices", NOTICE, as_="c0010")
    assert resp.status == 201, resp.body
    set_clock(2026, 11, 24, 10)
    return str(json.loads(resp.body)["notice_id"])


@pytest.mark.parametrize("field", ["content", "contact"])
def test_public_feedback_refuses_hidden_characters_as_json_and_as_a_form(
    stack: InProcessStack, open_notice: str, field: str
) -> None:
    sent = {"content": "该同志工作认真", "contact": "13900001111", field: f"举报{RLO}内容"}
    as_json = feedback(stack, open_notice, json.dumps(sent).encode(), "application/json", "198.51.100.1")
    assert refused(as_json, field)
    form = "&".join(f"{k}={quote(v)}" for k, v in sent.items()).encode()
    as_form = feedback(stack, open_notice, form, "application/x-www-form-urlencoded", "198.51.100.2")
    assert as_form.status == 422 and as_form.header("content-type").startswith("text/html")
    listed = stack.call("admin", "GET", f"/admin/notices/{open_notice}/feedback", as_="c0010")
    assert json.loads(listed.body)["feedback"] == []


def test_the_org_depts_answer_refuses_hidden_characters_and_leaves_the_feedback_unanswered(
    stack: InProcessStack, open_notice: str
) -> None:
    sent = json.dumps({"content": "反映情况"}).encode()
    received = feedback(stack, open_notice, sent, "application/json", "198.51.100.3")
    assert received.status == 201
    fid = json.loads(received.body)["feedback_id"]
    path = f"/admin/notices/{open_notice}/feedback/{fid}/answer"
    assert refused(
        stack.call("admin", "PUT", path, {"answer": "已核实\u2067"}, as_="c0010"), "answer", "U+2067"
    )
    [stored] = json.loads(
        stack.call("admin", "GET", f"/admin/notices/{open_notice}/feedback", as_="c0010").body
    )["feedback"]
    assert stored["answer"] is None


# --- the roster import ------------------------------------------------------------------------------
def test_a_roster_row_with_a_hidden_character_is_rejected_in_the_report(stack: InProcessStack) -> None:
    rows = [
        {"cadre_id": "c0301", "name": "吴敏", "unit_id": "jyj", "title": "科长"},
        {"cadre_id": "c0302", "name": f"吴{RLO}敏", "unit_id": "jyj"},
        {"cadre_id": "c0303", "name": "陈刚", "unit_id": "xjb", "unit_name": "区信访局\u200b"},
    ]
    resp = stack.call(
        "admin",
        "POST",
        "/admin/roster/imports",
        {"format": "json", "content": json.dumps(rows, ensure_ascii=False)},
        as_="c0003",
    )
    report = json.loads(resp.body)
    assert resp.status == 200 and report["imported"] == 1
    reasons = {r["cadre_id"]: r["errors"] for r in report["rejected"]}
    assert set(reasons) == {"c0302", "c0303"}
    assert reasons["c0302"][0].startswith("姓名含有不允许的字符 U+202E")
    assert reasons["c0303"][0].startswith("单位名称含有不允许的字符 U+200B")
    repo = RosterRepository()
    assert (
        repo.get_cadre("c0302") is None and repo.get_cadre("c0303") is None and repo.get_unit("xjb") is None
    )
