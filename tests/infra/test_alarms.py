"""Failures that page someone: template.yaml's alarms and the topic they notify.

Every failure queue, every function's errors and throttles, and each scheduled job's heartbeat
(the metric worklog.observability.heartbeat puts) has an alarm; every alarm notifies AlarmTopic.
cfn-lint and the SAM translator check the whole template in test_template.py."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from infra.local.events import to_function_url_event
from infra.local.schedule_expressions import CronExpression, parse_expression
from tests.infra.test_template import of_type
from tests.integration.log_privacy_support import watching_logs
from worklog import http
from worklog.observability import HEARTBEAT_DIMENSION, HEARTBEAT_JOBS, HEARTBEAT_METRIC, NAMESPACE

SEVEN_DAYS = 7 * 86400


def alarms(resources: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {lid: r["Properties"] for lid, r in of_type(resources, "AWS::CloudWatch::Alarm").items()}


def dimensions(alarm: dict[str, Any]) -> dict[str, Any]:
    return {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}


def arn_target(value: Any) -> str | None:
    """The logical id behind ``!GetAtt X.Arn`` (as loaded: {"Fn::GetAtt": ["X", "Arn"]} or "X.Arn")."""
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"]
        return target[0] if isinstance(target, list) else target.split(".")[0]
    return None


def failure_queues(resources: dict[str, dict[str, Any]]) -> set[str]:
    """Queues something fails into: a redrive target, an OnFailure destination, a dead-letter config."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("deadLetterTargetArn", "Destination", "Arn") and arn_target(value):
                    found.add(arn_target(value) or "")
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(resources)
    return {lid for lid in found if resources.get(lid, {}).get("Type") == "AWS::SQS::Queue"}


def test_the_failure_queues_are_the_async_failures_and_the_notifier_dead_letters(
    resources: dict[str, dict[str, Any]],
) -> None:
    # The discovery below is what the alarm test stands on: it must find the queues we know of.
    assert failure_queues(resources) == {"AsyncFailureQueue", "NotifyDeadLetterQueue"}


def test_a_message_in_any_failure_queue_raises_an_alarm(resources: dict[str, dict[str, Any]]) -> None:
    watched = {}
    for alarm in alarms(resources).values():
        if alarm["Namespace"] == "AWS/SQS" and alarm["MetricName"] == "ApproximateNumberOfMessagesVisible":
            assert alarm["ComparisonOperator"] == "GreaterThanThreshold" and alarm["Threshold"] == 0
            assert alarm["Statistic"] == "Maximum" and alarm["TreatMissingData"] == "notBreaching"
            watched[dimensions(alarm)["QueueName"]["Fn::GetAtt"][0]] = alarm
    assert set(watched) == failure_queues(resources)


@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_function_has_its_own_alarm_on_errors_and_throttles(
    resources: dict[str, dict[str, Any]], metric: str
) -> None:
    functions = set(of_type(resources, "AWS::Serverless::Function"))
    watched = set()
    for alarm in alarms(resources).values():
        if alarm["Namespace"] == "AWS/Lambda" and alarm["MetricName"] == metric:
            assert alarm["ComparisonOperator"] == "GreaterThanThreshold" and alarm["Threshold"] == 0
            assert alarm["Statistic"] == "Sum" and alarm["TreatMissingData"] == "notBreaching"
            watched.add(dimensions(alarm)["FunctionName"]["Ref"])
    assert watched == functions


def heartbeat_alarms(resources: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        dimensions(alarm)[HEARTBEAT_DIMENSION]: alarm
        for alarm in alarms(resources).values()
        if alarm["MetricName"] == HEARTBEAT_METRIC
    }


def test_each_job_has_a_heartbeat_alarm_on_the_metric_the_code_puts(
    resources: dict[str, dict[str, Any]], template: dict[str, Any]
) -> None:
    beats = heartbeat_alarms(resources)
    assert sorted(beats) == sorted(HEARTBEAT_JOBS)
    namespace = template["Globals"]["Function"]["Environment"]["Variables"]["POWERTOOLS_METRICS_NAMESPACE"]
    assert namespace == NAMESPACE
    for job, alarm in beats.items():
        assert alarm["Namespace"] == namespace, job
        assert set(dimensions(alarm)) == {HEARTBEAT_DIMENSION}, job  # exactly what heartbeat() puts
        assert alarm["Statistic"] == "Sum" and alarm["ComparisonOperator"] == "LessThanThreshold"
        assert alarm["Threshold"] == 1 and alarm["TreatMissingData"] == "breaching", job


@pytest.mark.parametrize(
    ("job", "silence_hours"),
    [
        ("missing-entry-check", 26),
        ("disclosure-publisher", 26),
        ("notifier-morning", 26),
        ("review-assignment", 26),
        ("archiver", 26),
    ],
)
def test_a_heartbeat_alarm_fires_only_after_a_whole_period_without_a_run(
    resources: dict[str, dict[str, Any]], job: str, silence_hours: int
) -> None:
    # Every period of the window must be silent (M of M), so a run anywhere in it keeps it quiet,
    # and the window stays within CloudWatch's limit (7 days; 1 day for periods under an hour).
    alarm = heartbeat_alarms(resources)[job]
    window = alarm["Period"] * alarm["EvaluationPeriods"]
    assert alarm["DatapointsToAlarm"] == alarm["EvaluationPeriods"]
    assert window == silence_hours * 3600
    assert window <= SEVEN_DAYS and alarm["Period"] >= 3600


# Each heartbeat job's schedule: (function, event). The notifier's morning run takes its expression from
# a parameter, read at its default.
HEARTBEAT_SCHEDULES = {
    "missing-entry-check": ("MissingEntryCheckFunction", "Nightly"),
    "disclosure-publisher": ("DisclosurePublisherFunction", "Nightly"),
    "notifier-morning": ("NotifierFunction", "Morning"),
    "review-assignment": ("ReviewAssignmentFunction", "Daily"),
    "archiver": ("ArchiverFunction", "Nightly"),
}
RUN_AND_METRIC_SLACK = timedelta(hours=2)  # a run's length plus the metric's delay, at most


def fire_times(template: dict[str, Any], job: str, days: int) -> list[datetime]:
    function, event = HEARTBEAT_SCHEDULES[job]
    schedule = template["Resources"][function]["Properties"]["Events"][event]["Properties"]
    expression = schedule["ScheduleExpression"]
    if isinstance(expression, dict):
        expression = template["Parameters"][expression["Ref"]]["Default"]
    tz = ZoneInfo(schedule["ScheduleExpressionTimezone"])
    cron = parse_expression(expression)
    assert isinstance(cron, CronExpression), job
    start = datetime(2026, 11, 1, tzinfo=tz)
    times: list[datetime] = []
    moment: datetime | None = start
    while moment is not None and moment < start + timedelta(days):
        times.append(moment)
        moment = cron.next_after(moment, tz)
    return times[1:]  # the start itself is no run


@pytest.mark.parametrize("job", sorted(HEARTBEAT_SCHEDULES))
def test_every_job_runs_often_enough_for_its_heartbeat_window_with_slack(
    resources: dict[str, dict[str, Any]], template: dict[str, Any], job: str
) -> None:
    # Given the job's schedule over four weeks, when the longest gap between two runs is taken,
    # then a run late by the slack still lands before the alarm's window has gone silent: a
    # weekly job's seven days, CloudWatch's longest window, would leave none (decision 23).
    assert sorted(HEARTBEAT_SCHEDULES) == sorted(HEARTBEAT_JOBS)
    alarm = heartbeat_alarms(resources)[job]
    window = timedelta(seconds=alarm["Period"] * alarm["EvaluationPeriods"])
    times = fire_times(template, job, days=28)
    longest = max(later - earlier for earlier, later in pairwise(times))
    assert longest + RUN_AND_METRIC_SLACK <= window, (job, longest, window)


def test_every_alarm_notifies_the_alarm_topic_when_it_fires_and_when_it_clears(
    resources: dict[str, dict[str, Any]],
) -> None:
    assert alarms(resources)
    for logical_id, alarm in alarms(resources).items():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}], logical_id
        assert alarm["OKActions"] == [{"Ref": "AlarmTopic"}], logical_id
        assert alarm.get("ActionsEnabled", True) is True


def test_the_alarm_topic_is_encrypted_and_mails_the_address_only_when_one_is_given(
    resources: dict[str, dict[str, Any]], template: dict[str, Any]
) -> None:
    topic = resources["AlarmTopic"]
    assert topic["Type"] == "AWS::SNS::Topic"
    assert topic["Properties"]["KmsMasterKeyId"] == "alias/aws/sns"
    assert template["Parameters"]["AlarmEmail"]["Default"] == ""
    [subscription] = of_type(resources, "AWS::SNS::Subscription").values()
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"] == {
        "Protocol": "email",
        "Endpoint": {"Ref": "AlarmEmail"},
        "TopicArn": {"Ref": "AlarmTopic"},
    }
    assert template["Conditions"]["HasAlarmEmail"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]
    }


# --- an API function's 500: counted from its log, since the invocation itself succeeds ---------------
JSON_TERM = re.compile(r'\(\$\.(\w+) = "([^"*]*)"\)')


def unhandled_filters(resources: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        r["Properties"]["LogGroupName"]["Ref"]: r["Properties"]
        for r in of_type(resources, "AWS::Logs::MetricFilter").values()
        if r["Properties"]["MetricTransformations"][0]["MetricName"] == "UnhandledErrors"
    }


def pattern_matches(pattern: str, line: str) -> bool:
    """CloudWatch's JSON filter pattern, for the one form the template uses: exact string terms
    joined by ``||``. Anything else in the pattern fails the test rather than being guessed at."""
    terms = JSON_TERM.findall(pattern)
    assert terms and pattern == "{ " + " || ".join(f'($.{k} = "{v}")' for k, v in terms) + " }", pattern
    record = json.loads(line)
    return any(record.get(key) == value for key, value in terms)


def test_every_url_functions_log_group_counts_its_unhandled_errors_into_one_alarmed_metric(
    resources: dict[str, dict[str, Any]],
) -> None:
    url_functions = {
        lid
        for lid, r in of_type(resources, "AWS::Serverless::Function").items()
        if "FunctionUrlConfig" in r["Properties"]
    }
    groups = {
        lid: r["Properties"]["LogGroupName"]["Fn::Sub"].removeprefix("/aws/lambda/${").removesuffix("}")
        for lid, r in of_type(resources, "AWS::Logs::LogGroup").items()
    }
    filters = unhandled_filters(resources)
    assert {groups[group] for group in filters} == url_functions and len(url_functions) == 5
    for properties in filters.values():
        [metric] = properties["MetricTransformations"]
        assert (metric["MetricNamespace"], metric["MetricValue"]) == (NAMESPACE, "1")
        assert "Dimensions" not in metric  # one metric for the five: the log says which function
    [alarm] = [a for a in alarms(resources).values() if a["MetricName"] == "UnhandledErrors"]
    assert (alarm["Namespace"], alarm["Statistic"], alarm["Period"]) == (NAMESPACE, "Sum", 300)
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold" and alarm["Threshold"] == 0
    assert alarm["TreatMissingData"] == "notBreaching" and "Dimensions" not in alarm


def logged_lines(limit: Callable[[str], int]) -> tuple[int, list[str]]:
    """The status of a GET /boom whose route raises, and the JSON lines Powertools' logger printed."""
    app = http.create_app()

    @app.get("/boom")
    def boom() -> dict[str, str]:
        raise RuntimeError("a fault of ours")

    event = to_function_url_event("GET", "/boom", [("host", "api.example.test")])
    with watching_logs() as watch:
        result = http.handle(app, event, None, subject_of=None, limit=limit)
    return result["statusCode"], watch.powertools.lines


def too_early(path: str) -> int:
    raise RuntimeError("a fault of ours before routing")


@pytest.mark.parametrize("limit", [lambda path: 1_000, too_early], ids=["in a route", "before routing"])
def test_the_filter_matches_the_line_an_unexpected_exception_logs_and_nothing_else(
    resources: dict[str, dict[str, Any]], limit: Callable[[str], int]
) -> None:
    # Given the pattern of every URL function's filter
    patterns = {properties["FilterPattern"] for properties in unhandled_filters(resources).values()}
    assert len(patterns) == 1
    [pattern] = patterns
    # When a request meets an unexpected exception, in a route or before routing
    status, lines = logged_lines(limit)
    # Then the answer is a 500, and exactly the line logged for it matches (the filter counts one)
    assert status == 500
    assert [json.loads(line)["level"] for line in lines if pattern_matches(pattern, line)] == ["ERROR"]
    other = json.dumps({"level": "ERROR", "message": "service unavailable", "service": "entries"})
    assert not pattern_matches(pattern, other)
