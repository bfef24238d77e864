"""A fault of ours answers 500 in the API's shape, and its log line names the fault without quoting
the data it failed on: a validation error's own text repeats every value it checked."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import TypeAdapter

from infra.inprocess import InProcessStack
from tests.conftest import set_clock
from tests.integration.log_privacy_support import readable, watching_logs
from worklog import http
from worklog.roster.repository import RosterRepository

PRIVATE = "走访张家三口老人"  # short: pydantic quotes a long value only in part


def invalid(*args: Any, **kwargs: Any) -> None:
    # A model that fails on stored data: pydantic's message quotes the value it was given.
    TypeAdapter(int).validate_python(PRIVATE)


@pytest.mark.parametrize("where", ["in a route", "before routing"])
def test_a_validation_fault_is_logged_by_its_type_and_place_never_with_the_values(
    stack: InProcessStack, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    # Given a fault of ours that is a validation error over a cadre's text
    set_clock(2026, 11, 24, 10)
    if where == "in a route":
        monkeypatch.setattr(RosterRepository, "get_unit", invalid)
    else:
        monkeypatch.setattr(http, "authenticate", invalid)

    # When a request meets it
    with watching_logs() as watch:
        answer = stack.call("entries", "GET", "/me", as_="c0001")

    # Then the client gets the API's 500, and the log says what failed and where, without the text
    assert answer.status == 500
    assert not [line for line in watch.lines() if PRIVATE in readable(line)]
    faults = [json.loads(line) for line in watch.powertools.lines if '"unhandled error' in line]
    [fault] = faults
    assert fault["level"] == "ERROR"
    assert fault["error_type"] == "ValidationError"
    assert fault["errors"] == [{"type": "int_parsing", "loc": []}]
    assert "invalid" in fault["stack"]  # the frame that failed is named
