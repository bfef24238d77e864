"""The server enforces exactly the limits docs/openapi.json documents: for every limit on a path or
query parameter or a body field (a date's or period's range, a length, a number's bounds, a list's
size), a value just outside it is refused (422 naming the field, or 413 for a body over the size
limit) and a value just inside it is not refused for that field (the request may still fail for
another reason: a locked period, a missing resource, a role)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

from infra.inprocess import InProcessStack
from infra.local.events import to_function_url_event, to_http_response
from infra.template import ROOT

SPEC: dict[str, Any] = json.loads((ROOT / "docs" / "openapi.json").read_text("utf-8"))
CALLER = "c0003"  # authenticated (admin): limits are checked before any role is

# Just outside / just inside the documented range of each kind of period (and look-alikes).
PERIODS: dict[str, tuple[list[str], list[str]]] = {
    "date": (["1999-12-31", "2100-01-01", "20٢٦-11-20"], ["2000-01-01", "2099-12-31"]),
    "month": (["1999-12", "2100-01", "20٢٦-11"], ["2000-01", "2099-12"]),
    "half": (["1999-H2", "2100-H1", "20٢٦-H1"], ["2000-H1", "2099-H2"]),
    "quarter": (["1999-Q4", "2100-Q1", "20٢٦-Q1"], ["2000-Q1", "2099-Q4"]),
}

# A valid value for every path parameter, and a valid body for every route that takes one.
PATH_VALUES = {
    "date": "2026-11-20",
    "day": "2026-09-09",
    "week_start": "2026-11-09",
    "month": "2026-11",
    "half": "2026-H2",
    "quarter": "2026-Q3",
    "year": "2027",
    "cadre_id": "c0001",
    "unit_id": "jyj",
    "case_id": "RT-LOG-c0001-2026-11-18",
    "round_id": "2026-Q3",
    "notice_id": "N20261120-c0001",
    "feedback_id": "0123456789abcdef",
}
QUERY_VALUES = {"from": "2026-11-16", "to": "2026-11-20", "month": "2026-11"}
# (method, path[, variant]): a route whose body has mutually exclusive fields has one per variant.
BODIES: dict[tuple[str, ...], dict[str, Any]] = {
    ("put", "/admin/calendar/{year}"): {"holidays": ["2027-01-01"], "workdays": [], "source": "国办发明电"},
    ("post", "/admin/notices"): {
        "candidate_id": "c0001",
        "current_post": "区教育局副局长",
        "proposed_post": "区教育局局长",
        "start": "2026-11-23",
    },
    ("put", "/admin/notices/{notice_id}/feedback/{feedback_id}/answer"): {"answer": "已核实"},
    ("post", "/admin/roster/imports"): {
        "format": "csv",
        "content": "工号,姓名,单位编码\nc0501,某人,jyj\n",
        "dry_run": True,
    },
    ("post", "/audits"): {"size": 1, "reason": "年底前随机抽查"},
    ("post", "/audits", "quarter"): {"quarter": "2026-Q3", "reason": "季度抽查提前进行"},
    ("put", "/audits/{round_id}/findings/{cadre_id}/{day}"): {
        "result": "verified",
        "note": "属实",
        "evidence_ref": "档案2026-1",
    },
    ("post", "/cases/{case_id}/closure"): {"reason": "已整改"},
    ("post", "/cases/{case_id}/escalation"): {"reason": "拒不整改"},
    ("post", "/cases/{case_id}/talks"): {"talk_date": "2026-11-20", "said": "谈话", "response": "接受"},
    ("put", "/entries/{date}"): {
        "items": [{"content": "走访企业", "status": "done", "plan_item_id": "p1", "internal": False}],
        "mistakes": "无",
        "reflections": "多听意见",
        "reason": "补充",
    },
    ("put", "/evaluations/{quarter}/{cadre_id}"): {"grade": "good", "comment": "较好"},
    ("post", "/leaves"): {"from": "2026-11-23", "to": "2026-11-24", "kind": "annual", "note": "探亲"},
    ("put", "/plans/{month}"): {
        "items": [{"id": "p1", "content": "调研", "target": "完成"}],
        "reason": "调整",
    },
    ("put", "/reviews/{week_start}/{cadre_id}"): {"verdict": "adequate", "comment": "认真"},
    ("put", "/summaries/{half}"): {
        "achievements": "成效",
        "problems": "问题",
        "next_steps": "打算",
        "reason": "补充",
    },
    ("post", "/feedback/{notice_id}"): {"content": "反映情况", "contact": "13900001111"},
    ("post", "/me/notifications/read"): {"ids": ["2026-11-20T08:30:00.000+08:00#morning-2026-11-20"]},
    ("put", "/me/notification-preferences"): {"muted": ["sms"]},
}


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    options = [resolve(o) for o in schema.get("anyOf", []) if resolve(o).get("type") != "null"]
    return options[0] if len(options) == 1 else schema


def period_kind(name: str, schema: dict[str, Any]) -> str | None:
    if schema.get("format") == "date":
        return "date"
    return name if name in ("month", "half", "quarter") and "pattern" in schema else None


Probe = tuple[str, Any, bool, frozenset[str]]


def probes(name: str, schema: dict[str, Any], sample: Any) -> Iterator[Probe]:
    """(what, value, refused?, how a refusal is reported) for each documented limit of one value:
    just outside (refused) and just inside (not refused)."""
    schema = resolve(schema)
    kind = period_kind(name, schema)
    if kind is not None:
        outside, inside = PERIODS[kind]
        yield from ((f"{kind} {v}", v, True, PERIOD_ERRORS) for v in outside)
        yield from ((f"{kind} {v}", v, False, PERIOD_ERRORS) for v in inside)
        return
    if schema.get("type") == "string":
        if "maxLength" in schema:
            n = schema["maxLength"]
            yield f"maxLength {n} + 1", "x" * (n + 1), True, LENGTH_ERRORS
            yield f"maxLength {n}", "x" * n, False, LENGTH_ERRORS
        if schema.get("minLength", 0) > 0:
            n = schema["minLength"]
            yield f"minLength {n} - 1", "x" * (n - 1), True, LENGTH_ERRORS
            yield f"minLength {n}", "x" * n, False, LENGTH_ERRORS
    if schema.get("type") == "integer":
        for bound, step in (("minimum", -1), ("maximum", 1)):
            if bound in schema:
                limit = int(schema[bound])
                yield f"{bound} {limit} {step:+d}", limit + step, True, BOUND_ERRORS
                yield f"{bound} {limit}", limit, False, BOUND_ERRORS
    if schema.get("type") == "array" and isinstance(sample, list) and sample:
        if "maxItems" in schema:
            n = schema["maxItems"]
            yield f"maxItems {n} + 1", [sample[0]] * (n + 1), True, SIZE_ERRORS
            yield f"maxItems {n}", [sample[0]] * n, False, SIZE_ERRORS
        if schema.get("minItems", 0) > 0:
            yield f"minItems {schema['minItems']} - 1", [], True, SIZE_ERRORS


def body_probes(
    schema: dict[str, Any], sample: Any, at: tuple[Any, ...] = ()
) -> Iterator[tuple[tuple[Any, ...], str, str, Any, bool, frozenset[str]]]:
    """(path in the body, field, what, value, refused?, errors) for every limited field of a body."""
    schema = resolve(schema)
    for prop, sub in schema.get("properties", {}).items():
        if prop not in sample:
            continue
        for what, value, refused, errors in probes(prop, sub, sample[prop]):
            yield (*at, prop), prop, what, value, refused, errors
        inner = resolve(sub)
        if inner.get("type") == "array" and sample[prop]:
            items = resolve(inner.get("items", {}))
            if items.get("type") == "object":
                yield from body_probes(items, sample[prop][0], (*at, prop, 0))
            else:
                for what, value, refused, errors in probes(prop, items, sample[prop][0]):
                    yield (*at, prop, 0), prop, f"item {what}", value, refused, errors


def with_value(body: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    target: Any = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return changed


def send(stack: InProcessStack, function: str, method: str, target: str, body: Any) -> Any:
    raw = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
    headers = {"content-type": "application/json", "authorization": f"Bearer {stack.token(CALLER)}"}
    event = to_function_url_event(method.upper(), target, headers.items(), raw, function_name=function)
    return to_http_response(stack.invoke(function, event))


# How a broken limit is reported (pydantic's types; value_error from the strict date and year
# validators), per kind of limit. A 422 of another type on the field is a domain rule (a reversed
# range, a start in the past, a leave too long), not the documented limit.
PERIOD_ERRORS = frozenset(
    {"value_error", "string_pattern_mismatch", "date_parsing", "date_from_datetime_parsing"}
)
LENGTH_ERRORS = frozenset({"string_too_long", "string_too_short"})
BOUND_ERRORS = frozenset({"greater_than_equal", "less_than_equal", "value_error"})
SIZE_ERRORS = frozenset({"too_long", "too_short"})


def refused_for(resp: Any, field: str, errors: frozenset[str]) -> bool:
    """The response refuses the value of ``field`` with one of ``errors`` (its limit's kind)."""
    if resp.status == 413:
        return True
    if resp.status != 422:
        return False
    details = json.loads(resp.body).get("details") or []
    return any(
        d.get("type") in errors and field in [p for p in d.get("loc", []) if isinstance(p, str)]
        for d in details
    )


def shown(resp: Any) -> str:
    return f"{resp.status} {resp.body.decode('utf-8', 'replace')[:300]}"


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, ops in SPEC["paths"].items():
        for method, op in ops.items():
            yield method, path, op


def target_of(path: str, op: dict[str, Any], override: tuple[str, str, str] | None = None) -> str:
    values = {p["name"]: PATH_VALUES[p["name"]] for p in op.get("parameters", []) if p["in"] == "path"}
    query = {
        p["name"]: QUERY_VALUES[p["name"]]
        for p in op.get("parameters", [])
        if p["in"] == "query" and p.get("required")
    }
    if override is not None:
        where, name, value = override
        (values if where == "path" else query)[name] = value
    filled = path
    for name, value in values.items():
        filled = filled.replace("{" + name + "}", quote(str(value), safe=""))
    return filled + ("?" + urlencode(query) if query else "")


def test_every_route_with_a_body_has_a_valid_sample_here() -> None:
    with_body = {(m, p) for m, p, op in operations() if "requestBody" in op}
    assert with_body == {key[:2] for key in BODIES}


def test_parameters_are_refused_just_outside_their_documented_limits_and_accepted_inside(
    stack: InProcessStack,
) -> None:
    problems, probed = [], 0
    for method, path, op in operations():
        body = BODIES.get((method, path))  # the first variant
        for param in op.get("parameters", []):
            name, where = param["name"], param["in"]
            for what, value, refused, errors in probes(name, param["schema"], None):
                target = target_of(path, op, (where, name, str(value)))
                resp = send(stack, op["x-worklog-function"], method, target, body)
                probed += 1
                if refused_for(resp, name, errors) != refused:
                    expected = "refused" if refused else "accepted"
                    problems.append(f"{method.upper()} {target} ({what}): {shown(resp)}, expected {expected}")
    assert probed > 60 and problems == []


def test_body_fields_are_refused_just_outside_their_documented_limits_and_accepted_inside(
    stack: InProcessStack,
) -> None:
    problems, probed = [], 0
    for (method, path, *_), body in BODIES.items():
        op = SPEC["paths"][path][method]
        schema = op["requestBody"]["content"]["application/json"]["schema"]
        target = target_of(path, op)
        for at, field, what, value, refused, errors in body_probes(schema, body):
            resp = send(stack, op["x-worklog-function"], method, target, with_value(body, at, value))
            probed += 1
            if refused_for(resp, field, errors) != refused:
                expected = "refused" if refused else "accepted"
                field_at = ".".join(map(str, at))
                problems.append(
                    f"{method.upper()} {path} {field_at} ({what}): {shown(resp)}, expected {expected}"
                )
    assert probed > 100 and problems == []


def test_bodies_are_refused_just_over_their_documented_size_and_taken_at_it(stack: InProcessStack) -> None:
    problems = []
    for (method, path, *_), body in BODIES.items():
        op = SPEC["paths"][path][method]
        limit = op["requestBody"]["x-max-bytes"]
        raw = json.dumps(body, ensure_ascii=False).encode()
        for size, refused in ((limit + 1, True), (limit, False)):
            padded = raw + b" " * (size - len(raw))  # JSON allows trailing whitespace
            headers = {"content-type": "application/json", "authorization": f"Bearer {stack.token(CALLER)}"}
            event = to_function_url_event(method.upper(), target_of(path, op), headers.items(), padded)
            resp = to_http_response(stack.invoke(op["x-worklog-function"], event))
            if (resp.status == 413) != refused:
                problems.append(f"{method.upper()} {path} with {size} bytes: {shown(resp)}")
    assert problems == []
