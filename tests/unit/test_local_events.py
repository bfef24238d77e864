"""The local runtime speaks the function URL's language: payload 2.0 events in, results out."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from aws_lambda_powertools.event_handler import LambdaFunctionUrlResolver, Response, content_types
from aws_lambda_powertools.utilities.data_classes import LambdaFunctionUrlEvent

from infra.local.events import (
    HttpResponse,
    error_response,
    is_text_content_type,
    to_function_url_event,
    to_http_response,
)

MOMENT = datetime(2024, 5, 6, 1, 2, 3, 456000, tzinfo=UTC)


def event_for(method: str = "GET", target: str = "/", headers=(), body: bytes = b"", **kw):
    return to_function_url_event(method, target, list(headers), body, now=MOMENT, request_id="req-1", **kw)


# --- requests → events ---------------------------------------------------------------------------


def test_event_carries_the_payload_2_0_envelope():
    event = event_for("get", "/entries/2024-05-06", [("User-Agent", "curl/8")], source_ip="10.0.0.9")

    assert event["version"] == "2.0"
    assert event["routeKey"] == "$default"
    assert event["rawPath"] == "/entries/2024-05-06"
    assert event["isBase64Encoded"] is False
    ctx = event["requestContext"]
    assert ctx["http"] == {
        "method": "GET",
        "path": "/entries/2024-05-06",
        "protocol": "HTTP/1.1",
        "sourceIp": "10.0.0.9",
        "userAgent": "curl/8",
    }
    assert ctx["requestId"] == "req-1"
    assert ctx["stage"] == "$default"
    assert ctx["timeEpoch"] == int(MOMENT.timestamp() * 1000)
    assert ctx["time"] == "06/May/2024:01:02:03 +0000"
    assert ctx["domainName"]


def test_domain_name_is_the_host_the_client_asked_for():
    event = event_for(headers=[("Host", "127.0.0.1:8080")])

    assert event["requestContext"]["domainName"] == "127.0.0.1:8080"


def test_request_without_body_or_query_has_neither_key():
    event = event_for()

    assert "body" not in event
    assert "queryStringParameters" not in event
    assert event["rawQueryString"] == ""


def test_query_keeps_the_raw_string_and_joins_repeated_parameters_with_commas():
    event = event_for(target="/entries?from=2024-05-01&to=2024-05-31&tag=a&tag=b&empty=")

    assert event["rawQueryString"] == "from=2024-05-01&to=2024-05-31&tag=a&tag=b&empty="
    assert event["queryStringParameters"] == {
        "from": "2024-05-01",
        "to": "2024-05-31",
        "tag": "a,b",
        "empty": "",
    }


def test_query_values_are_percent_decoded():
    event = event_for(target="/site/search?q=%E5%B7%A5%E4%BD%9C+%E6%97%A5%E5%BF%97")

    assert event["queryStringParameters"] == {"q": "工作 日志"}


def test_header_names_are_lower_cased_and_repeated_headers_joined_with_commas():
    event = event_for(headers=[("Content-Type", "application/json"), ("X-Tag", "a"), ("x-tag", "b")])

    assert event["headers"]["content-type"] == "application/json"
    assert event["headers"]["x-tag"] == "a,b"


def test_cookie_header_moves_to_the_cookies_list():
    event = event_for(headers=[("Cookie", "a=1; b=2"), ("Cookie", "c=3")])

    assert event["cookies"] == ["a=1", "b=2", "c=3"]
    assert "cookie" not in event["headers"]


def test_json_body_is_passed_as_text():
    body = json.dumps({"items": [{"content": "开会", "status": "done"}]}, ensure_ascii=False).encode()

    event = event_for(
        "PUT", "/entries/2024-05-06", [("Content-Type", "application/json; charset=utf-8")], body
    )

    assert event["isBase64Encoded"] is False
    assert json.loads(event["body"])["items"][0]["content"] == "开会"


def test_binary_content_type_is_base64_encoded_even_when_it_decodes_as_text():
    body = b"PK\x03\x04 plain-looking"

    event = event_for(
        "POST",
        "/admin/roster/imports",
        [("Content-Type", "application/vnd.openxmlformats-officedocument")],
        body,
    )

    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == body


def test_text_content_type_that_is_not_utf8_is_base64_encoded():
    body = "干部".encode("gbk")

    event = event_for("POST", "/x", [("Content-Type", "text/csv")], body)

    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == body


@pytest.mark.parametrize(
    ("content_type", "text"),
    [
        (None, True),
        ("text/csv", True),
        ("application/json", True),
        ("application/problem+json", True),
        ("application/xml", True),
        ("application/x-www-form-urlencoded", True),
        ("application/octet-stream", False),
        ("image/png", False),
        ("application/pdf", False),
    ],
)
def test_which_content_types_travel_as_text(content_type, text):
    assert is_text_content_type(content_type) is text


def test_powertools_reads_the_event_as_a_function_url_event():
    event = event_for(
        "POST",
        "/leaves?x=1",
        [("Content-Type", "application/json"), ("Authorization", "Bearer t"), ("Cookie", "s=1")],
        b'{"kind": "sick"}',
    )

    parsed = LambdaFunctionUrlEvent(event)

    assert parsed.path == "/leaves"
    assert parsed.http_method == "POST"
    assert parsed.json_body == {"kind": "sick"}
    assert parsed.get_query_string_value("x") == "1"
    assert parsed.headers["authorization"] == "Bearer t"
    assert parsed.cookies == ["s=1"]
    assert parsed.request_context.http.source_ip == "127.0.0.1"


# --- results → responses -------------------------------------------------------------------------


def test_structured_result_sets_status_headers_and_body():
    response = to_http_response(
        {"statusCode": 201, "headers": {"Content-Type": "application/json"}, "body": '{"revision":1}'}
    )

    assert response.status == 201
    assert response.header("content-type") == "application/json"
    assert response.body == b'{"revision":1}'


def test_cookies_of_a_result_become_set_cookie_headers():
    response = to_http_response({"statusCode": 200, "cookies": ["a=1; Path=/", "b=2"], "body": ""})

    assert [v for k, v in response.headers if k == "Set-Cookie"] == ["a=1; Path=/", "b=2"]


def test_base64_body_of_a_result_is_decoded():
    raw = bytes(range(256))

    response = to_http_response(
        {"statusCode": 200, "isBase64Encoded": True, "body": base64.b64encode(raw).decode()}
    )

    assert response.body == raw


def test_utf8_text_body_is_encoded_as_utf8():
    response = to_http_response({"statusCode": 200, "body": "未找到"})

    assert response.body == "未找到".encode()


def test_result_without_status_code_is_inferred_as_200_json():
    response = to_http_response({"summary": {"reminded": 3}})

    assert response.status == 200
    assert response.header("Content-Type") == "application/json"
    assert json.loads(response.body) == {"summary": {"reminded": 3}}


def test_plain_string_result_is_sent_as_a_json_string():
    response = to_http_response("done")

    assert response.status == 200
    assert json.loads(response.body) == "done"


def test_missing_body_is_an_empty_response():
    response = to_http_response({"statusCode": 204})

    assert response.status == 204
    assert response.body == b""


@pytest.mark.parametrize("status", ["abc", 42, 600])
def test_invalid_status_code_is_a_function_error(status):
    with pytest.raises(ValueError, match="statusCode"):
        to_http_response({"statusCode": status})


def test_error_response_uses_the_project_error_body():
    response = error_response(404, "not_found", "未找到该接口")

    assert response.status == 404
    assert json.loads(response.body) == {"code": "not_found", "message": "未找到该接口"}
    assert response.header("content-type").startswith("application/json")


# --- the round trip through a real resolver ------------------------------------------------------


def _app() -> LambdaFunctionUrlResolver:
    app = LambdaFunctionUrlResolver()

    @app.put("/entries/<day>")
    def put_entry(day: str) -> Response:
        body = {
            "day": day,
            "items": app.current_event.json_body["items"],
            "q": app.current_event.query_string_parameters,
        }
        return Response(201, content_types.APPLICATION_JSON, json.dumps(body), cookies=["seen=1"])

    return app


def test_a_powertools_resolver_answers_the_local_event_as_on_aws():
    event = event_for(
        "PUT",
        "/entries/2024-05-06?draft=1",
        [("Content-Type", "application/json")],
        json.dumps({"items": [1, 2]}).encode(),
    )

    response = to_http_response(_app().resolve(event, None))

    assert isinstance(response, HttpResponse)
    assert response.status == 201
    assert json.loads(response.body) == {"day": "2024-05-06", "items": [1, 2], "q": {"draft": "1"}}
    assert ("Set-Cookie", "seen=1") in response.headers
