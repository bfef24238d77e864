"""What running the stack needs of template.yaml: failures that land somewhere we read, logs that
expire, concurrency that a new account can give (README, "Deploying"; docs/decisions.md)."""

from __future__ import annotations

import copy
from typing import Any

from infra.template import Stack
from tests.infra.test_template import of_type

ASYNC_SOURCES = {"Schedule", "ScheduleV2", "EventBridgeRule", "SQS"}


def declared_queue(template: dict[str, Any], arn: Any) -> bool:
    """Whether ``arn`` is the Arn of an SQS queue this template declares."""
    if not (isinstance(arn, dict) and list(arn) == ["Fn::GetAtt"]):
        return False
    logical_id, attribute = arn["Fn::GetAtt"]
    queue = template["Resources"].get(logical_id, {})
    return attribute == "Arn" and queue.get("Type") == "AWS::SQS::Queue"


def event_problems(template: dict[str, Any], where: str, event: dict[str, Any]) -> list[str]:
    props = event.get("Properties", {})
    if event["Type"] == "SQS":
        queue_id = props["Queue"]["Fn::GetAtt"][0]
        redrive = template["Resources"][queue_id]["Properties"].get("RedrivePolicy") or {}
        if not declared_queue(template, redrive.get("deadLetterTargetArn")):
            return [f"{where}: its queue {queue_id} has no redrive policy to a declared queue"]
        return []
    dead_letter = props.get("DeadLetterConfig") or {}
    if "Type" in dead_letter:
        return [f"{where}: DeadLetterConfig Type makes SAM create a queue of its own; name ours by Arn"]
    if not declared_queue(template, dead_letter.get("Arn")):
        return [f"{where}: no DeadLetterConfig to a declared queue"]
    return []


def async_failure_problems(template: dict[str, Any]) -> list[str]:
    """Every function invoked asynchronously fails into a queue the template declares."""
    problems = []
    for logical_id, function in of_type(template["Resources"], "AWS::Serverless::Function").items():
        props = function.get("Properties", {})
        events = {n: e for n, e in (props.get("Events") or {}).items() if e["Type"] in ASYNC_SOURCES}
        if not events:
            continue
        for name, event in events.items():
            problems += event_problems(template, f"{logical_id}.{name}", event)
        config = props.get("EventInvokeConfig") or {}
        on_failure = (config.get("DestinationConfig") or {}).get("OnFailure") or {}
        if on_failure.get("Type") != "SQS" or not declared_queue(template, on_failure.get("Destination")):
            problems.append(f"{logical_id}: no on-failure destination to a declared queue")
        if "MaximumRetryAttempts" not in config:
            problems.append(f"{logical_id}: MaximumRetryAttempts is not set")
    return problems


# --------------------------------------------------------------------------- where failures go


def test_every_asynchronously_invoked_function_fails_into_a_queue_the_template_declares(
    template: dict[str, Any],
) -> None:
    assert async_failure_problems(template) == []


def test_the_failure_check_catches_a_missing_destination_a_sam_made_queue_and_a_queue_without_redrive(
    template: dict[str, Any],
) -> None:
    broken = copy.deepcopy(template)
    resources = broken["Resources"]
    del resources["DisclosurePublisherFunction"]["Properties"]["EventInvokeConfig"]
    resources["NotifierFunction"]["Properties"]["Events"]["Intake"]["Properties"]["DeadLetterConfig"] = {
        "Type": "SQS"
    }
    del resources["SweepQueue"]["Properties"]["RedrivePolicy"]

    assert len(async_failure_problems(broken)) == 4  # the publisher's destination and retries, Intake, Slices


def test_the_scheduled_jobs_retry_then_fail_into_the_failure_queue(
    resources: dict[str, dict[str, Any]],
) -> None:
    # EventBridge Scheduler invokes a function asynchronously: a run that fails after Lambda's own
    # retries must land in the queue, not vanish.
    for logical_id in (
        "MissingEntryCheckFunction",
        "ReviewAssignmentFunction",
        "AuditSamplingFunction",
        "ArchiverFunction",
    ):
        config = resources[logical_id]["Properties"]["EventInvokeConfig"]
        assert config["MaximumRetryAttempts"] == 2
        assert config["DestinationConfig"]["OnFailure"] == {
            "Type": "SQS",
            "Destination": {"Fn::GetAtt": ["AsyncFailureQueue", "Arn"]},
        }


# --------------------------------------------------------------------------- logs

LOG_RETENTION_VALUES = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192]
LOG_RETENTION_VALUES += [2557, 2922, 3288, 3653]


def test_log_retention_is_a_parameter_of_the_values_cloudwatch_takes_180_days_by_default(
    template: dict[str, Any],
) -> None:
    parameter = template["Parameters"]["LogRetentionDays"]

    assert parameter["Type"] == "Number"
    assert parameter["Default"] == 180
    assert [int(value) for value in parameter["AllowedValues"]] == LOG_RETENTION_VALUES


def test_every_function_has_its_log_group_kept_for_the_parameters_days(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    groups = of_type(resources, "AWS::Logs::LogGroup").values()
    by_name = {str(g["Properties"]["LogGroupName"]): g for g in groups}

    for logical_id in of_type(resources, "AWS::Serverless::Function"):
        group = by_name.get(str({"Fn::Sub": f"/aws/lambda/${{{logical_id}}}"}))
        assert group is not None, f"{logical_id} has no log group"
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
        assert group["DeletionPolicy"] == group["UpdateReplacePolicy"] == "Delete"
    assert len(by_name) == len(of_type(resources, "AWS::Serverless::Function"))


# --------------------------------------------------------------------------- concurrency

RESERVED = {"FeedbackFunction": 10, "DisclosurePublisherFunction": 6}


def reserved(template: dict[str, Any], parameters: dict[str, str]) -> dict[str, Any]:
    stack = Stack(template, parameters=parameters)
    functions = of_type(template["Resources"], "AWS::Serverless::Function")
    resolved = {logical_id: stack.resolve(f["Properties"]) for logical_id, f in functions.items()}
    return {
        logical_id: props["ReservedConcurrentExecutions"]
        for logical_id, props in resolved.items()
        if "ReservedConcurrentExecutions" in props
    }


def test_the_default_reserves_no_concurrency_so_an_account_with_a_quota_of_10_can_deploy(
    template: dict[str, Any],
) -> None:
    # Lambda keeps at least 10 executions unreserved: with a quota of 10, reserving even 1 fails.
    assert template["Parameters"]["ReserveConcurrency"]["AllowedValues"] == ["true", "false"]
    assert template["Parameters"]["ReserveConcurrency"]["Default"] == "false"

    assert reserved(template, {}) == {}


def test_reserving_caps_the_public_feedback_at_10_and_the_publisher_above_its_batches(
    template: dict[str, Any],
) -> None:
    assert reserved(template, {"ReserveConcurrency": "true"}) == RESERVED


# --------------------------------------------------------------------------- two stacks, other partitions

LONGEST_STACK_NAME = "worklog-jinjiang-district-production-2027-abcdef"  # 48 characters


def schedule_names(template: dict[str, Any], stack_name: str) -> list[str]:
    stack = Stack(template, stack_name=stack_name)
    return [stack.properties(logical_id)["Name"] for logical_id in stack.of_type("AWS::Scheduler::Schedule")]


def sub_strings(value: Any) -> list[str]:
    """The format strings of every Fn::Sub in ``value``."""
    if isinstance(value, list):
        return [s for item in value for s in sub_strings(item)]
    if not isinstance(value, dict):
        return []
    found = [s for item in value.values() for s in sub_strings(item)]
    sub = value.get("Fn::Sub")
    if sub is not None:
        found.append(sub if isinstance(sub, str) else sub[0])
    return found


def test_schedule_names_are_the_stacks_so_two_stacks_share_an_account(template: dict[str, Any]) -> None:
    # Without a Name, SAM names a schedule by its logical id: a second stack in the account (the
    # default schedule group) would collide with the first.
    ours, theirs = schedule_names(template, "worklog-a"), schedule_names(template, "worklog-b")

    assert len(ours) == len(set(ours)) == 6
    assert not set(ours) & set(theirs)
    assert all(name.startswith("worklog-a-") for name in ours)


def test_schedule_names_fit_schedulers_64_characters_for_a_48_character_stack_name(
    template: dict[str, Any],
) -> None:
    for name in schedule_names(template, LONGEST_STACK_NAME):
        assert len(name) <= 64, name


def test_service_endpoints_are_built_with_the_partitions_url_suffix(template: dict[str, Any]) -> None:
    # amazonaws.com is not every partition's domain (amazonaws.com.cn in the China regions).
    strings = sub_strings(template)

    assert [s for s in strings if "amazonaws.com" in s] == []
    assert any("cognito-idp.${AWS::Region}.${AWS::URLSuffix}/" in s for s in strings)
