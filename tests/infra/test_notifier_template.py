"""The notifier in template.yaml: what it listens to, when it runs, where its failures go, what it
may touch (docs/notifications.md). cfn-lint and the SAM translator check the whole template in
test_template.py and test_stack.py; these are the notifier's own rules."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from infra.template import ROOT, TEMPLATE_PATH, FunctionSpec, Stack
from tests.infra.test_template import as_list, of_type, statements, transformed
from worklog.settings import NotifySettings

DESIGN = ROOT / "docs" / "notifications.md"


def notifier(stack: Stack) -> FunctionSpec:
    return {spec.logical_id: spec for spec in stack.functions()}["NotifierFunction"]


def design_events() -> list[str]:
    """The first column of the design's table of events (docs/notifications.md, "The flow")."""
    rows = re.findall(r"^\s*\|\s*`([A-Za-z]+)`\s*\|", DESIGN.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return rows


def published_by_the_package(detail_type: str) -> bool:
    return any(
        f'"{detail_type}"' in path.read_text(encoding="utf-8")
        for path in (ROOT / "shared" / "worklog").rglob("*.py")
    )


def by_sid(resources: dict[str, dict[str, Any]], logical_id: str) -> dict[str, dict[str, Any]]:
    return {statement["Sid"]: statement for statement in statements(resources[logical_id])}


# --------------------------------------------------------------------------- what it listens to


def test_the_intake_rule_takes_every_event_the_design_tells_someone_about(stack: Stack) -> None:
    # Given the events of the design's table, each one published by the package
    events = design_events()
    assert len(events) == 8
    assert [e for e in events if not published_by_the_package(e)] == []

    # Then the notifier's one rule on the bus matches exactly those, from the worklog source
    [rule] = notifier(stack).event_rules
    pattern = json.loads(rule)
    assert pattern == {"source": ["worklog"], "detail-type": pattern["detail-type"]}
    assert sorted(pattern["detail-type"]) == sorted(events)
    for detail_type in events:
        assert notifier(stack).matches({"source": "worklog", "detail-type": detail_type})
    assert not notifier(stack).matches({"source": "worklog", "detail-type": "NoticeOpened"})


def test_the_morning_run_fires_every_day_at_half_past_eight_shanghai_with_its_input(stack: Stack) -> None:
    [morning] = notifier(stack).schedules

    assert (morning.event_name, morning.expression, morning.timezone) == (
        "Morning",
        "cron(30 8 * * ? *)",
        "Asia/Shanghai",
    )
    assert morning.input == {"run": "morning"} and morning.enabled


def test_one_parameter_sets_both_the_morning_schedule_and_the_digest_time_notices_wait_for(
    template: dict[str, Any], stack: Stack
) -> None:
    # Given the default stack, and one whose DigestSchedule says 09:05
    default = NotifySettings.model_validate_json(notifier(stack).environment["WORKLOG_NOTIFY"])
    changed = Stack(template, parameters={"DigestSchedule": "cron(5 9 * * ? *)"})
    settings = NotifySettings.model_validate_json(notifier(changed).environment["WORKLOG_NOTIFY"])
    # Then the schedule fires at that time and the notifier reckons mornings by the same time
    assert default.digest_time.isoformat() == "08:30:00"
    assert notifier(changed).schedules[0].expression == "cron(5 9 * * ? *)"
    assert settings.digest_time.isoformat() == "09:05:00"
    assert "DigestTime" not in template["Parameters"]


@pytest.mark.parametrize("expression", ["cron(30 8 * * ? *)", "cron(0 23 ? * MON-FRI *)"])
def test_the_digest_schedule_takes_a_daily_cron_at_a_fixed_minute_and_hour(
    template: dict[str, Any], expression: str
) -> None:
    assert re.fullmatch(template["Parameters"]["DigestSchedule"]["AllowedPattern"], expression)


@pytest.mark.parametrize("expression", ["cron(*/5 8 * * ? *)", "cron(30 8-9 * * ? *)", "rate(1 day)"])
def test_a_digest_schedule_without_one_minute_and_hour_is_refused(
    template: dict[str, Any], expression: str
) -> None:
    assert not re.fullmatch(template["Parameters"]["DigestSchedule"]["AllowedPattern"], expression)
    with pytest.raises(ValueError):
        NotifySettings(digest_schedule=expression)


def test_retries_come_from_the_retry_queue_which_dead_letters_into_its_own_queue(stack: Stack) -> None:
    spec = notifier(stack)
    assert spec.sqs_events == (("Retries", "NotifyRetryQueue"),)
    retry = stack.queue_attributes("NotifyRetryQueue")
    dead = stack.queue_attributes("NotifyDeadLetterQueue")

    # An SQS event source needs a visibility timeout of at least the function's timeout.
    assert int(retry["VisibilityTimeout"]) >= spec.timeout_s == 900
    assert json.loads(retry["RedrivePolicy"]) == {
        "deadLetterTargetArn": stack.resolve({"Fn::GetAtt": ["NotifyDeadLetterQueue", "Arn"]}),
        "maxReceiveCount": 5,
    }
    assert retry["SqsManagedSseEnabled"] == dead["SqsManagedSseEnabled"] == "true"
    assert dead["MessageRetentionPeriod"] == str(14 * 24 * 3600)
    assert spec.environment["NOTIFY_RETRY_QUEUE_URL"] == stack.resolve({"Ref": "NotifyRetryQueue"})


def test_the_retry_source_reports_partial_batches(resources: dict[str, dict[str, Any]]) -> None:
    source = resources["NotifierFunction"]["Properties"]["Events"]["Retries"]["Properties"]

    assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert source["BatchSize"] == 10


# --------------------------------------------------------------------------- where failures go


def test_every_queue_after_the_transform_is_one_the_template_declares(template: dict[str, Any]) -> None:
    # A rule's DeadLetterConfig of Type SQS makes SAM add a queue of its own (unencrypted, four
    # days); Arn points at ours.
    output = transformed(template)["Resources"]

    assert set(of_type(output, "AWS::SQS::Queue")) == set(of_type(template["Resources"], "AWS::SQS::Queue"))


def test_the_notifier_fails_into_the_failure_queue_from_its_rule_schedule_and_async_calls(
    template: dict[str, Any],
) -> None:
    output = transformed(template)["Resources"]
    failure = {"Fn::GetAtt": ["AsyncFailureQueue", "Arn"]}

    [target] = output["NotifierFunctionIntake"]["Properties"]["Targets"]
    assert target["DeadLetterConfig"] == {"Arn": failure}
    assert output["NotifierFunctionMorning"]["Properties"]["Target"]["DeadLetterConfig"] == {"Arn": failure}
    [config] = [
        c
        for c in of_type(output, "AWS::Lambda::EventInvokeConfig").values()
        if c["Properties"]["FunctionName"] == {"Ref": "NotifierFunction"}
    ]
    assert config["Properties"]["DestinationConfig"]["OnFailure"]["Destination"] == failure


def test_event_rules_on_the_bus_may_dead_letter_into_the_failure_queue(
    resources: dict[str, dict[str, Any]], stack: Stack
) -> None:
    # EventBridge sends a rule's dead letters with no role: the queue's own policy must let it.
    policy = stack.resolve(resources["AsyncFailureQueuePolicy"]["Properties"])
    [statement] = policy["PolicyDocument"]["Statement"]

    assert policy["Queues"] == [stack.resolve({"Ref": "AsyncFailureQueue"})]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Action"] == "sqs:SendMessage"
    assert statement["Resource"] == stack.resolve({"Fn::GetAtt": ["AsyncFailureQueue", "Arn"]})
    bus = stack.names["EventBus"]
    assert statement["Condition"] == {
        "ArnLike": {"aws:SourceArn": f"arn:aws:events:us-east-1:123456789012:rule/{bus}/*"}
    }


# --------------------------------------------------------------------------- configuration


def test_the_notifier_reads_its_settings_from_parameters(template: dict[str, Any]) -> None:
    env = notifier(Stack(template)).environment
    settings = NotifySettings.model_validate_json(env["WORKLOG_NOTIFY"])
    assert (settings.default_channel, settings.sms_signature, settings.email_sender) == (
        "sms",
        "【锦江区委组织部】",
        "",  # no verified SES identity yet: no e-mail
    )

    chosen = {
        "DefaultChannel": "none",
        "EmailSender": "rizhi@jinjiang.example.gov.cn",
        "SmsSignature": "【区委】",
    }
    env = notifier(Stack(template, parameters=chosen)).environment
    settings = NotifySettings.model_validate_json(env["WORKLOG_NOTIFY"])
    assert settings.default_channel is None
    assert (settings.sms_signature, settings.email_sender) == ("【区委】", "rizhi@jinjiang.example.gov.cn")


def test_links_go_to_the_front_door_and_robots_are_read_under_the_stacks_path(
    template: dict[str, Any], stack: Stack
) -> None:
    env = notifier(stack).environment
    assert env["APP_URL"] == f"https://{stack.resolve({'Fn::GetAtt': ['Distribution', 'DomainName']})}"
    assert env["NOTIFY_PARAMETER_PATH"] == "/worklog/worklog-local/notify/"

    own = {
        "AppDomainName": "rz.example.gov.cn",
        "AppCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/x",
    }
    assert notifier(Stack(template, parameters=own)).environment["APP_URL"] == "https://rz.example.gov.cn"


def test_no_webhook_address_or_secret_is_written_in_the_template() -> None:
    text = TEMPLATE_PATH.read_text(encoding="utf-8")

    for leak in ("oapi.dingtalk.com", "qyapi.weixin.qq.com", "access_token=", "key="):
        assert leak not in text, leak
    assert not re.search(r"SEC[0-9a-f]{32,}", text)


def test_the_notifier_runs_long_enough_without_a_concurrency_cap(
    resources: dict[str, dict[str, Any]],
) -> None:
    props = resources["NotifierFunction"]["Properties"]

    assert (props["Timeout"], props["MemorySize"]) == (900, 1024)
    assert "ReservedConcurrentExecutions" not in props
    assert props["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"] == "notifier"


# --------------------------------------------------------------------------- what it may touch


def test_text_messages_go_to_phone_numbers_only(resources: dict[str, dict[str, Any]]) -> None:
    sids = by_sid(resources, "NotifierFunction")

    assert (sids["SendSms"]["Effect"], sids["SendSms"]["Action"], sids["SendSms"]["Resource"]) == (
        "Allow",
        "sns:Publish",
        "*",
    )
    assert sids["NoTopics"]["Effect"] == "Deny" and sids["NoTopics"]["Action"] == "sns:Publish"
    assert sids["NoTopics"]["Resource"] == {"Fn::Sub": "arn:${AWS::Partition}:sns:*:*:*"}


def test_email_goes_out_only_as_the_configured_sender(
    resources: dict[str, dict[str, Any]], stack: Stack
) -> None:
    email = stack.resolve(by_sid(resources, "NotifierFunction")["SendEmail"])

    assert email["Action"] == "ses:SendEmail"  # the only call the channel makes
    assert email["Resource"] == "arn:aws:ses:us-east-1:123456789012:identity/*"
    assert email["Condition"] == {"StringEquals": {"ses:FromAddress": ""}}


def test_robot_secrets_are_read_under_the_stacks_path_and_decrypted_through_ssm_only(
    resources: dict[str, dict[str, Any]], stack: Stack
) -> None:
    sids = {sid: stack.resolve(s) for sid, s in by_sid(resources, "NotifierFunction").items()}
    prefix = "arn:aws:ssm:us-east-1:123456789012:parameter/worklog/worklog-local/notify"

    assert sids["RobotParameters"]["Action"] == "ssm:GetParametersByPath"
    assert sids["RobotParameters"]["Resource"] == [prefix, f"{prefix}/*"]
    assert sids["RobotParametersDecrypt"]["Action"] == "kms:Decrypt"
    assert sids["RobotParametersDecrypt"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "ssm.us-east-1.amazonaws.com"}
    }


def test_the_notifier_reads_the_journal_through_its_by_day_index_only(
    resources: dict[str, dict[str, Any]], stack: Stack
) -> None:
    journal = f"arn:aws:dynamodb:us-east-1:123456789012:table/{stack.names['JournalTable']}"
    on_journal = [
        stack.resolve(s)
        for s in statements(resources["NotifierFunction"])
        if any(str(r).startswith(journal) for r in as_list(stack.resolve(s["Resource"])))
    ]

    assert [(s["Action"], s["Resource"]) for s in on_journal] == [
        ("dynamodb:Query", f"{journal}/index/by_day")
    ]


def test_the_notifier_sends_to_and_stretches_only_its_retry_queue(
    resources: dict[str, dict[str, Any]], stack: Stack, template: dict[str, Any]
) -> None:
    retry = stack.resolve(by_sid(resources, "NotifierFunction")["RetryQueue"])
    assert set(retry["Action"]) == {"sqs:SendMessage", "sqs:ChangeMessageVisibility"}
    assert retry["Resource"] == stack.resolve({"Fn::GetAtt": ["NotifyRetryQueue", "Arn"]})

    # Receiving and deleting the source's messages: SAM's SQS event adds the managed policy itself.
    role = transformed(template)["Resources"]["NotifierFunctionRole"]["Properties"]
    assert any(arn.endswith("/AWSLambdaSQSQueueExecutionRole") for arn in role["ManagedPolicyArns"])
