"""The Stack view of template.yaml (infra/template.py): the template decoded by cfn-lint, expanded by
the SAM translator offline, and resolved for one stack name, region and set of parameters, as
CloudFormation would resolve it.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from infra.cloudformation.source import code_folder, translate
from infra.template import ROOT, FunctionSpec, Stack, TemplateError, load_handler, load_template
from tests.infra.test_template import EXTERNAL_ISSUER, URL_FUNCTIONS, of_type, transformed

# --------------------------------------------------------------------------- translating


def test_the_translator_runs_offline_without_a_configured_region(
    template: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given no region anywhere in the environment or the AWS config files
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))

    # When the stack's region is the only one given (to a template not translated before)
    offline = {**template, "Description": "translated offline"}
    output = translate(offline, {}, "ap-southeast-1")

    # Then the serverless resources are plain CloudFormation, the code folders readable back
    assert not [r for r in output["Resources"].values() if r["Type"].startswith("AWS::Serverless::")]
    entries = output["Resources"]["EntriesFunction"]["Properties"]
    assert code_folder(entries["Code"]) == "functions/entries/"


def test_the_translator_refuses_a_broken_serverless_resource(template: dict[str, Any]) -> None:
    broken = copy.deepcopy(template)
    broken["Resources"]["AdminFunction"]["Properties"]["Events"] = {"Bad": {"Type": "NoSuchEvent"}}

    with pytest.raises(TemplateError, match="AdminFunction"):
        Stack(broken)


def test_sam_transform_gives_every_url_function_a_public_function_url(template: dict[str, Any]) -> None:
    output = transformed(template)["Resources"]

    urls = of_type(output, "AWS::Lambda::Url")
    assert {url["Properties"]["TargetFunctionArn"]["Ref"] for url in urls.values()} == URL_FUNCTIONS
    assert {url["Properties"]["AuthType"] for url in urls.values()} == {"NONE"}
    public = [
        p["Properties"]["FunctionName"]["Ref"]
        for p in of_type(output, "AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "*" and p["Properties"]["Action"] == "lambda:InvokeFunctionUrl"
    ]
    assert set(public) == URL_FUNCTIONS


def test_sam_transform_sends_failed_async_invocations_to_the_failure_queue(template: dict[str, Any]) -> None:
    output = transformed(template)["Resources"]

    configs = of_type(output, "AWS::Lambda::EventInvokeConfig")
    assert {c["Properties"]["FunctionName"]["Ref"] for c in configs.values()} >= URL_FUNCTIONS
    for config in configs.values():
        destination = config["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]
        assert destination == {"Fn::GetAtt": ["AsyncFailureQueue", "Arn"]}


def test_sam_transform_accepts_an_external_issuer(template: dict[str, Any]) -> None:
    output = translate(template, dict(EXTERNAL_ISSUER), "us-east-1")

    assert of_type(output["Resources"], "AWS::Lambda::Function")


# --------------------------------------------------------------------------- identity wiring


def test_without_an_issuer_the_functions_trust_the_cognito_user_pool(
    stack: Stack, resources: dict[str, dict[str, Any]]
) -> None:
    env = {spec.logical_id: spec.environment for spec in stack.functions()}["EntriesFunction"]
    pool = stack.resolve({"Ref": "UserPool"})

    assert stack.condition("UseCognito") is True
    assert env["TOKEN_ISSUER"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool}"
    assert env["JWKS_URL"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool}/.well-known/jwks.json"
    # The audience, the app client id, comes from the parameter that holds it (no cycle through
    # the distribution): TOKEN_AUDIENCE itself stays empty.
    parameter = stack.resolve(resources["AppClientIdParameter"]["Properties"])
    assert env["TOKEN_AUDIENCE"] == ""
    assert env["TOKEN_AUDIENCE_PARAMETER"] == parameter["Name"] == "/worklog/worklog-local/app-client-id"
    assert parameter["Value"] == stack.resolve({"Ref": "UserPoolClient"})
    assert env["TOKEN_SUBJECT_CLAIM"] == "cognito:username"


def test_with_an_issuer_no_user_pool_is_made_and_the_parameters_flow_through(
    template: dict[str, Any],
) -> None:
    stack = Stack(template, parameters=EXTERNAL_ISSUER)

    assert stack.condition("UseCognito") is False
    for spec in stack.functions():
        assert spec.environment["TOKEN_ISSUER"] == EXTERNAL_ISSUER["TokenIssuer"]
        assert spec.environment["TOKEN_AUDIENCE"] == EXTERNAL_ISSUER["TokenAudience"]
        assert spec.environment["TOKEN_AUDIENCE_PARAMETER"] == ""
        assert spec.environment["JWKS_URL"] == EXTERNAL_ISSUER["JwksUrl"]
        assert spec.environment["TOKEN_SUBJECT_CLAIM"] == "sub"
    with pytest.raises(TemplateError, match="UserPool"):
        stack.resolve({"Ref": "UserPool"})


def test_user_pool_logs_in_by_cadre_id_and_has_no_self_sign_up(resources: dict[str, dict[str, Any]]) -> None:
    pool = resources["UserPool"]
    assert pool["Condition"] == "UseCognito"
    assert pool["Properties"]["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert "UsernameAttributes" not in pool["Properties"]  # the user name itself is the cadre id
    client = resources["UserPoolClient"]
    assert client["Condition"] == "UseCognito"
    assert client["Properties"]["GenerateSecret"] is False


# --------------------------------------------------------------------------- Stack: resolving


def test_load_template_turns_short_tags_into_long_forms(template: dict[str, Any]) -> None:
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"  # a string, not a date
    assert template["Conditions"]["UseCognito"] == {
        "Fn::And": [{"Fn::Equals": [{"Ref": "TokenIssuer"}, ""]}, {"Condition": "OutsideChina"}]
    }
    assert template["Outputs"]["AppBucketName"]["Value"] == {"Ref": "AppBucket"}
    assert template["Outputs"]["DistributionDomainName"]["Value"] == {
        "Fn::GetAtt": ["Distribution", "DomainName"]
    }


def test_load_template_reads_every_short_tag(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "Resources: {}\n"
        "Values:\n"
        "  - !Sub 'a-${AWS::Region}'\n"
        "  - !Sub ['${x}', {x: !Ref AWS::StackName}]\n"
        "  - !GetAtt [A, B]\n"
        "  - !Join [',', !Split ['|', 'a|b']]\n"
        "  - !Select [0, !GetAZs '']\n"
        "  - !If [C, !Not [!Condition D], !And [!Or [true, false], true]]\n"
        "  - !FindInMap [M, k, v]\n"
        "  - !Base64 x\n"
        "  - !ImportValue other\n"
        "Date: 2010-09-09\n",
        encoding="utf-8",
    )

    values = load_template(path)["Values"]

    assert [next(iter(v)) for v in values] == [
        "Fn::Sub",
        "Fn::Sub",
        "Fn::GetAtt",
        "Fn::Join",
        "Fn::Select",
        "Fn::If",
        "Fn::FindInMap",
        "Fn::Base64",
        "Fn::ImportValue",
    ]
    assert values[1] == {"Fn::Sub": ["${x}", {"x": {"Ref": "AWS::StackName"}}]}
    assert values[5]["Fn::If"][1] == {"Fn::Not": [{"Condition": "D"}]}
    assert load_template(path)["Date"] == "2010-09-09"  # text, as CloudFormation reads it


def test_resolve_substitutes_refs_attributes_and_literals(stack: Stack) -> None:
    roster = stack.names["RosterTable"]

    assert stack.resolve({"Fn::Sub": "${AWS::StackName}/${RosterTable}"}) == f"worklog-local/{roster}"
    assert (
        stack.resolve({"Fn::Sub": "${RosterTable.Arn}/index/*"})
        == f"arn:aws:dynamodb:us-east-1:123456789012:table/{roster}/index/*"
    )
    assert (
        stack.resolve({"Fn::Sub": ["${a}-${AWS::Region}", {"a": {"Ref": "LedgerLockMode"}}]})
        == "GOVERNANCE-us-east-1"
    )
    assert stack.resolve({"Fn::Sub": "${!Literal}"}) == "${Literal}"


def test_resolve_get_att_gives_well_formed_arns(stack: Stack) -> None:
    n = stack.names

    assert stack.resolve({"Fn::GetAtt": ["JournalTable", "Arn"]}) == (
        f"arn:aws:dynamodb:us-east-1:123456789012:table/{n['JournalTable']}"
    )
    assert stack.resolve({"Fn::GetAtt": ["LedgerBucket", "Arn"]}) == f"arn:aws:s3:::{n['LedgerBucket']}"
    assert stack.resolve({"Fn::GetAtt": ["AsyncFailureQueue", "Arn"]}) == (
        f"arn:aws:sqs:us-east-1:123456789012:{n['AsyncFailureQueue']}"
    )
    assert stack.resolve({"Fn::GetAtt": ["EntriesFunction", "Arn"]}).startswith(
        "arn:aws:lambda:us-east-1:123456789012:function:"
    )
    assert stack.resolve({"Fn::GetAtt": ["SiteBucket", "WebsiteURL"]}).startswith(
        f"http://{n['SiteBucket']}."
    )
    assert stack.resolve({"Fn::GetAtt": ["EntriesFunctionUrl", "FunctionUrl"]}).startswith("https://")
    assert stack.resolve({"Ref": "AsyncFailureQueue"}).endswith(f"/123456789012/{n['AsyncFailureQueue']}")


def test_resolve_if_and_conditions(template: dict[str, Any]) -> None:
    on = Stack(template)
    off = Stack(template, parameters={"DeletionProtection": "false"})
    expression = {"Fn::If": ["DeletionProtected", "kept", {"Ref": "AWS::NoValue"}]}

    assert on.resolve(expression) == "kept"
    assert off.resolve({"a": expression, "b": [expression, 1]}) == {"b": [1]}
    assert off.resolve(
        {"Fn::And": [{"Condition": "UseCognito"}, {"Fn::Not": [{"Condition": "DeletionProtected"}]}]}
    )
    assert on.resolve({"Fn::Or": [{"Fn::Equals": ["a", "b"]}, {"Fn::Equals": [1, "1"]}]}) is True


def test_resolve_join_select_split_and_pseudo_parameters(stack: Stack) -> None:
    assert stack.resolve({"Fn::Join": ["-", ["a", {"Ref": "AWS::AccountId"}]]}) == "a-123456789012"
    assert stack.resolve({"Fn::Select": [1, {"Fn::Split": [",", "x,y,z"]}]}) == "y"
    assert stack.resolve({"Fn::Sub": "${AWS::Partition}:${AWS::URLSuffix}"}) == "aws:amazonaws.com"


def test_resolve_refuses_what_it_cannot_know(stack: Stack, template: dict[str, Any]) -> None:
    with pytest.raises(TemplateError, match="ImportValue"):
        stack.resolve({"Fn::ImportValue": "other-stack-output"})
    with pytest.raises(TemplateError, match="Nope"):
        stack.resolve({"Ref": "Nope"})
    with pytest.raises(TemplateError, match="not supported"):
        stack.resolve({"Fn::GetAtt": ["RosterTable", "Colour"]})
    with pytest.raises(TemplateError, match="unknown parameters"):
        Stack(template, parameters={"NoSuchParameter": "x"})
    with pytest.raises(TemplateError, match="LedgerLockMode"):
        Stack(template, parameters={"LedgerLockMode": "FOREVER"})


def test_physical_names_are_valid_bucket_names_even_for_long_stack_names(template: dict[str, Any]) -> None:
    for stack_name in ("worklog-local", "Worklog-Province-Sichuan-Chengdu-Jinjiang-District-Production"):
        stack = Stack(template, stack_name=stack_name)
        names = list(stack.names.values())
        assert len(set(names)) == len(names)
        for logical_id in stack.buckets():
            name = stack.names[logical_id]
            assert re.fullmatch(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]", name), name
    assert (
        Stack(template, stack_name="a").names["RosterTable"]
        != Stack(template, stack_name="b").names["RosterTable"]
    )


# --------------------------------------------------------------------------- Stack: functions


def test_functions_are_the_url_functions_with_fully_resolved_environments(stack: Stack) -> None:
    specs = {spec.logical_id: spec for spec in stack.functions()}
    assert set(specs) >= URL_FUNCTIONS
    entries, admin = specs["EntriesFunction"], specs["AdminFunction"]

    assert (entries.name, admin.name) == ("entries", "admin")
    assert entries.code_dir == ROOT / "functions" / "entries"
    assert entries.handler == "handler.lambda_handler"
    assert entries.url and admin.url
    assert entries.cors is not None and entries.cors["AllowHeaders"] == [
        "authorization",
        "content-type",
        "idempotency-key",
    ]
    assert entries.layer_dirs == (ROOT / "shared",)
    # Globals give MemorySize and Timeout; a function's own value wins.
    assert (entries.memory_mb, entries.timeout_s) == (512, 15.0)
    assert (admin.memory_mb, admin.timeout_s) == (512, 60.0)
    for spec in (entries, admin):
        assert all(isinstance(v, str) and "${" not in v for v in spec.environment.values()), spec.environment
        assert spec.environment["ROSTER_TABLE"] == stack.names["RosterTable"]
        assert spec.environment["JOURNAL_TABLE"] == stack.names["JournalTable"]
        assert spec.environment["COMPLIANCE_TABLE"] == stack.names["ComplianceTable"]
        assert spec.environment["IDEMPOTENCY_TABLE"] == stack.names["IdempotencyTable"]
        assert spec.environment["SITE_BUCKET"] == stack.names["SiteBucket"]
        assert spec.environment["LEDGER_BUCKET"] == stack.names["LedgerBucket"]
        assert spec.environment["POWERTOOLS_METRICS_NAMESPACE"] == "Worklog"
    assert entries.environment["POWERTOOLS_SERVICE_NAME"] == "entries"
    assert admin.environment["POWERTOOLS_SERVICE_NAME"] == "admin"
    assert hash(entries) == hash(specs["EntriesFunction"])  # usable as a cache key


def test_functions_read_schedules_and_queues_from_events(template: dict[str, Any]) -> None:
    changed = copy.deepcopy(template)
    changed["Resources"]["AdminFunction"]["Properties"]["Events"] = {
        "Nightly": {
            "Type": "ScheduleV2",
            "Properties": {
                "ScheduleExpression": "cron(30 1 * * ? *)",
                "ScheduleExpressionTimezone": "Asia/Shanghai",
                "Input": '{"job": "nightly"}',
                "DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["AsyncFailureQueue", "Arn"]}},
            },
        },
        "Paused": {
            "Type": "ScheduleV2",
            "Properties": {"ScheduleExpression": "rate(1 hour)", "State": "DISABLED"},
        },
        "Failures": {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["AsyncFailureQueue", "Arn"]}}},
        "Hourly": {"Type": "Schedule", "Properties": {"Schedule": "rate(1 hour)", "Enabled": False}},
        "OnOpened": {
            "Type": "EventBridgeRule",
            "Properties": {"Pattern": {"source": ["worklog"], "detail-type": ["NoticeOpened"]}},
        },
    }

    admin = {spec.logical_id: spec for spec in Stack(changed).functions()}["AdminFunction"]

    nightly, paused, hourly = admin.schedules
    assert (nightly.event_name, nightly.expression, nightly.timezone) == (
        "Nightly",
        "cron(30 1 * * ? *)",
        "Asia/Shanghai",
    )
    assert nightly.input == {"job": "nightly"} and nightly.enabled
    assert (paused.timezone, paused.enabled, paused.input) == ("UTC", False, None)
    assert (hourly.event_name, hourly.timezone, hourly.enabled) == ("Hourly", "UTC", False)
    assert admin.sqs_events == (("Failures", "AsyncFailureQueue"),)
    assert admin.matches({"source": "worklog", "detail-type": "NoticeOpened"})
    assert not admin.matches({"source": "worklog", "detail-type": "AuditDrawn"})


def test_functions_come_in_the_order_the_template_declares_them(
    stack: Stack, resources: dict[str, dict[str, Any]]
) -> None:
    declared = list(of_type(resources, "AWS::Serverless::Function"))

    assert [spec.logical_id for spec in stack.functions()] == declared


def test_function_name_is_the_kebab_case_code_folder(template: dict[str, Any]) -> None:
    changed = copy.deepcopy(template)
    changed["Resources"]["AdminFunction"]["Properties"]["CodeUri"] = "functions/missing_entry_check/"

    names = {spec.logical_id: spec.name for spec in Stack(changed).functions()}

    assert names["AdminFunction"] == "missing-entry-check"


def test_load_handler_imports_each_handler_once_under_its_own_name(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    specs: list[FunctionSpec] = [spec for spec in stack.functions() if spec.logical_id in URL_FUNCTIONS]
    for spec in specs:
        for key, value in spec.environment.items():
            monkeypatch.setenv(key, value)

        handler = load_handler(spec)

        assert callable(handler)
        assert load_handler(spec) is handler
        assert handler.__module__ == f"worklog_fn_{spec.name.replace('-', '_')}"
