"""template.yaml is the single source of truth: it lints, it transforms, it says what matters, and
the Stack view of it (infra/template.py) creates exactly those resources.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.template import (
    ROOT,
    TEMPLATE_PATH,
    FunctionSpec,
    Stack,
    TemplateError,
    create_resources,
    load_handler,
    load_template,
)

TABLES = {"RosterTable", "JournalTable", "ComplianceTable", "IdempotencyTable"}
URL_FUNCTIONS = {"EntriesFunction", "AdminFunction", "ReviewsFunction", "CasesFunction", "FeedbackFunction"}
EXTERNAL_ISSUER = {
    "TokenIssuer": "https://id.example.org/realms/worklog",
    "TokenAudience": "worklog-app",
    "JwksUrl": "https://id.example.org/realms/worklog/certs",
    "TokenSubjectClaim": "sub",
}


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="module")
def resources(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return template["Resources"]


@pytest.fixture(scope="module")
def stack(template: dict[str, Any]) -> Stack:
    return Stack(template)


def of_type(resources: dict[str, dict[str, Any]], rtype: str) -> dict[str, dict[str, Any]]:
    return {logical_id: r for logical_id, r in resources.items() if r["Type"] == rtype}


def function_properties(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    """A function's properties with the Globals it inherits (own values win)."""
    merged = dict(template.get("Globals", {}).get("Function", {}))
    merged.update(template["Resources"][logical_id].get("Properties", {}))
    return merged


def statements(function: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for policy in function.get("Properties", {}).get("Policies", []):
        if isinstance(policy, dict) and "Statement" in policy:
            yield from policy["Statement"]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def schedule_problems(template: dict[str, Any]) -> list[str]:
    """Every scheduled invocation runs in Shanghai time and has somewhere to fail to."""
    problems = []
    for logical_id, function in of_type(template["Resources"], "AWS::Serverless::Function").items():
        for name, event in (function.get("Properties", {}).get("Events") or {}).items():
            where = f"{logical_id}.{name}"
            if event["Type"] == "Schedule":
                problems.append(f"{where}: use ScheduleV2 (EventBridge Scheduler has time zones)")
            if event["Type"] != "ScheduleV2":
                continue
            props = event.get("Properties", {})
            if props.get("ScheduleExpressionTimezone") != "Asia/Shanghai":
                problems.append(f"{where}: ScheduleExpressionTimezone must be Asia/Shanghai")
            dead_letter = props.get("DeadLetterConfig") or {}
            if not (dead_letter.get("Arn") or dead_letter.get("Type") == "SQS"):
                problems.append(f"{where}: no DeadLetterConfig")
    return problems


# --------------------------------------------------------------------------- lint and transform


def test_cfn_lint_reports_nothing_not_even_informational() -> None:
    from cfnlint.api import ManualArgs, lint_file

    matches = lint_file(TEMPLATE_PATH, config=ManualArgs(include_checks=["I"]))

    assert not matches, "\n".join(str(match) for match in matches)


class _NoManagedPolicies:
    """The translator only asks IAM for managed policies named in Policies; this template names none."""

    def load(self) -> dict[str, str]:
        return {}


def transformed(template: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    from samtranslator.translator.transform import transform

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    packaged = copy.deepcopy(template)
    # As `sam package` would: local code folders become S3 locations.
    for resource in packaged["Resources"].values():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str):
                props[key] = f"s3://artifacts/{props[key].strip('/')}.zip"
    return transform(packaged, {}, _NoManagedPolicies())  # type: ignore[arg-type]


def test_sam_transform_gives_every_url_function_a_public_function_url(
    template: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    output = transformed(template, monkeypatch)["Resources"]

    urls = of_type(output, "AWS::Lambda::Url")
    assert {url["Properties"]["TargetFunctionArn"]["Ref"] for url in urls.values()} == URL_FUNCTIONS
    assert {url["Properties"]["AuthType"] for url in urls.values()} == {"NONE"}
    public = [
        p["Properties"]["FunctionName"]["Ref"]
        for p in of_type(output, "AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "*" and p["Properties"]["Action"] == "lambda:InvokeFunctionUrl"
    ]
    assert set(public) == URL_FUNCTIONS


def test_sam_transform_sends_failed_async_invocations_to_the_failure_queue(
    template: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    output = transformed(template, monkeypatch)["Resources"]

    configs = of_type(output, "AWS::Lambda::EventInvokeConfig")
    assert {c["Properties"]["FunctionName"]["Ref"] for c in configs.values()} >= URL_FUNCTIONS
    for config in configs.values():
        destination = config["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]
        assert destination == {"Fn::GetAtt": ["AsyncFailureQueue", "Arn"]}


def test_sam_transform_accepts_an_external_issuer(
    template: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from samtranslator.translator.transform import transform

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    packaged = copy.deepcopy(template)
    for resource in packaged["Resources"].values():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str):
                props[key] = "s3://artifacts/code.zip"

    output = transform(packaged, dict(EXTERNAL_ISSUER), _NoManagedPolicies())  # type: ignore[arg-type]

    assert of_type(output["Resources"], "AWS::Lambda::Function")


# --------------------------------------------------------------------------- what the template must say


def test_every_table_has_pitr_encryption_and_deletion_protection_wired_to_the_parameter(
    resources: dict[str, dict[str, Any]], template: dict[str, Any]
) -> None:
    tables = of_type(resources, "AWS::DynamoDB::Table")
    assert set(tables) == TABLES
    assert template["Conditions"]["DeletionProtected"] == {
        "Fn::Equals": [{"Ref": "DeletionProtection"}, "true"]
    }
    for logical_id, table in tables.items():
        props = table["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST", logical_id
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, logical_id
        assert props["SSESpecification"]["SSEEnabled"] is True, logical_id
        assert props["DeletionProtectionEnabled"] == {"Fn::If": ["DeletionProtected", True, False]}, (
            logical_id
        )
        expected_policy = "Delete" if logical_id == "IdempotencyTable" else "Retain"
        assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == expected_policy, logical_id


@pytest.mark.parametrize(("value", "protected"), [("true", True), ("false", False)])
def test_deletion_protection_follows_the_parameter(
    template: dict[str, Any], value: str, protected: bool
) -> None:
    stack = Stack(template, parameters={"DeletionProtection": value})

    for logical_id in TABLES:
        assert (
            stack.resolve(template["Resources"][logical_id]["Properties"]["DeletionProtectionEnabled"])
            is protected
        )


def test_the_public_feedback_function_reaches_only_notices_rate_records_and_sender_secrets(
    resources: dict[str, dict[str, Any]], stack: Stack
) -> None:
    # A function anyone can call must not be able to touch cases, audits or grades in the same table.
    compliance = f"arn:aws:dynamodb:us-east-1:123456789012:table/{stack.names['ComplianceTable']}"
    on_compliance = [
        s
        for s in statements(resources["FeedbackFunction"])
        if compliance in as_list(stack.resolve(s["Resource"]))
    ]
    assert on_compliance
    for statement in on_compliance:
        assert statement["Condition"] == {
            "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["NOTICE#*", "RATE#*", "SENDER-SECRET#*"]}
        }


def test_deletion_protection_is_on_by_default(stack: Stack) -> None:
    assert stack.condition("DeletionProtected") is True


def test_idempotency_records_expire_on_the_expiration_attribute(stack: Stack) -> None:
    # The compliance table's TTL serves only the public feedback endpoint's rate-limit records and
    # its daily sender secrets.
    assert stack.ttl() == {"IdempotencyTable": "expiration", "ComplianceTable": "expires_at"}
    assert stack.tables()["IdempotencyTable"]["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]


def test_indexes_are_the_ones_the_repositories_query(stack: Stack) -> None:
    tables = stack.tables()

    def indexes(logical_id: str, kind: str) -> dict[str, list[str]]:
        return {
            index["IndexName"]: [key["AttributeName"] for key in index["KeySchema"]]
            for index in tables[logical_id].get(kind, [])
        }

    assert indexes("RosterTable", "GlobalSecondaryIndexes") == {
        "by_unit": ["unit_pk", "unit_sk"],
        "by_roster": ["roster_pk", "roster_sk"],
    }
    assert indexes("JournalTable", "LocalSecondaryIndexes") == {"by_seq": ["pk", "seq"]}
    assert indexes("JournalTable", "GlobalSecondaryIndexes") == {"by_day": ["day_pk", "day_sk"]}
    by_day = tables["JournalTable"]["GlobalSecondaryIndexes"][0]["Projection"]
    assert by_day == {
        "ProjectionType": "INCLUDE",
        "NonKeyAttributes": ["cadre_id", "unit_id", "revision", "late", "saved_at"],
    }
    assert indexes("ComplianceTable", "GlobalSecondaryIndexes") == {
        "gsi1": ["gsi1pk", "gsi1sk"],
        "gsi2": ["gsi2pk", "gsi2sk"],
    }


def test_every_key_attribute_is_defined_and_every_definition_is_a_key(stack: Stack) -> None:
    for logical_id, table in stack.tables().items():
        keys = {key["AttributeName"] for key in table["KeySchema"]}
        for index in table.get("GlobalSecondaryIndexes", []) + table.get("LocalSecondaryIndexes", []):
            keys |= {key["AttributeName"] for key in index["KeySchema"]}
        assert {d["AttributeName"] for d in table["AttributeDefinitions"]} == keys, logical_id


def test_ledger_bucket_is_write_once_private_and_kept(resources: dict[str, dict[str, Any]]) -> None:
    ledger = resources["LedgerBucket"]
    props = ledger["Properties"]

    assert props["ObjectLockEnabled"] is True
    assert props["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled",
        "Rule": {
            "DefaultRetention": {"Mode": {"Ref": "LedgerLockMode"}, "Days": {"Ref": "LedgerRetentionDays"}}
        },
    }
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    assert ledger["DeletionPolicy"] == "Retain"


def test_ledger_lock_defaults_to_governance_for_ten_years(stack: Stack) -> None:
    lock = stack.buckets()["LedgerBucket"]["ObjectLockConfiguration"]

    assert lock["Rule"]["DefaultRetention"] == {"Mode": "GOVERNANCE", "Days": 3650}


def test_site_bucket_is_private_and_read_only_by_the_distribution(
    resources: dict[str, dict[str, Any]], stack: Stack
) -> None:
    # The S3 website endpoint spoke plain HTTP to a bucket that refuses it: every page was a 403.
    # Pages now go out through the distribution alone.
    props = resources["SiteBucket"]["Properties"]
    assert "WebsiteConfiguration" not in props
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }

    policy = stack.resolve(resources["SiteBucketPolicy"]["Properties"])
    site = stack.names["SiteBucket"]
    distribution = stack.resolve({"Ref": "Distribution"})
    assert policy["Bucket"] == site
    allows = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert allows == [
        {
            "Sid": "DistributionReadsPages",
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": [f"arn:aws:s3:::{site}", f"arn:aws:s3:::{site}/*"],
            "Condition": {
                "StringEquals": {
                    "AWS:SourceArn": f"arn:aws:cloudfront::123456789012:distribution/{distribution}"
                }
            },
        }
    ]


@pytest.mark.parametrize("bucket", ["SiteBucket", "AppBucket", "LedgerBucket"])
def test_buckets_refuse_plain_http(resources: dict[str, dict[str, Any]], stack: Stack, bucket: str) -> None:
    policies = [
        r
        for r in of_type(resources, "AWS::S3::BucketPolicy").values()
        if r["Properties"]["Bucket"] == {"Ref": bucket}
    ]
    assert len(policies) == 1
    document = stack.resolve(policies[0]["Properties"]["PolicyDocument"])
    denies = [s for s in document["Statement"] if s["Effect"] == "Deny"]
    arn = f"arn:aws:s3:::{stack.names[bucket]}"

    assert any(
        s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        and s["Action"] == "s3:*"
        and set(s["Resource"]) == {arn, f"{arn}/*"}
        for s in denies
    )


def test_every_function_is_python313_on_arm64_traced_with_the_shared_layer(template: dict[str, Any]) -> None:
    functions = of_type(template["Resources"], "AWS::Serverless::Function")
    assert set(functions) >= URL_FUNCTIONS
    for logical_id in functions:
        props = function_properties(template, logical_id)
        assert props["Runtime"] == "python3.13", logical_id
        assert props["Architectures"] == ["arm64"], logical_id
        assert props["Tracing"] == "Active", logical_id
        assert {"Ref": "SharedLayer"} in props["Layers"], logical_id
        own = template["Resources"][logical_id]["Properties"]["Environment"]["Variables"]
        assert own["POWERTOOLS_SERVICE_NAME"], logical_id


def test_shared_layer_is_built_for_python313_on_arm64(resources: dict[str, dict[str, Any]]) -> None:
    layer = resources["SharedLayer"]

    assert layer["Type"] == "AWS::Serverless::LayerVersion"
    assert layer["Properties"]["ContentUri"] == "shared/"
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]
    assert layer["Metadata"]["BuildArchitecture"] == "arm64"
    assert layer["Metadata"]["BuildMethod"] in {"python3.13", "makefile"}


def test_layer_requirements_are_the_project_dependencies_without_boto3() -> None:
    import tomllib

    def name(requirement: str) -> str:
        return re.split(r"[\[<>=!~ ;]", requirement.strip(), maxsplit=1)[0].lower()

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    lines = (ROOT / "shared" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    layer = {name(line) for line in lines if line.strip() and not line.startswith("#")}

    assert layer == {name(d) for d in declared} - {"boto3"}


def test_every_dynamodb_grant_names_exact_tables_of_this_template(
    resources: dict[str, dict[str, Any]], stack: Stack
) -> None:
    table_arns = {f"arn:aws:dynamodb:us-east-1:123456789012:table/{stack.names[t]}" for t in TABLES}
    allowed = table_arns | {f"{arn}/index/*" for arn in table_arns}
    for logical_id, function in of_type(resources, "AWS::Serverless::Function").items():
        for policy in function["Properties"].get("Policies", []):
            # Managed policies and SAM policy templates would hide broad grants (Scan, table/*).
            assert isinstance(policy, dict) and "Statement" in policy, f"{logical_id}: {policy!r}"
        for statement in statements(function):
            actions = as_list(statement["Action"])
            if not any(action.startswith("dynamodb:") for action in actions):
                continue
            assert "dynamodb:*" not in actions, logical_id
            assert "dynamodb:Scan" not in actions, f"{logical_id}: queries, never scans"
            granted = set(as_list(stack.resolve(statement["Resource"])))
            assert "*" not in granted, logical_id
            assert granted <= allowed, f"{logical_id}: {granted - allowed}"


def test_grants_are_the_least_each_function_needs(resources: dict[str, dict[str, Any]], stack: Stack) -> None:
    def grants(logical_id: str) -> dict[str, set[str]]:
        by_table: dict[str, set[str]] = {}
        for statement in statements(resources[logical_id]):
            for arn in as_list(stack.resolve(statement["Resource"])):
                if ":table/" not in arn:
                    continue  # buckets, queues, the bus, the signing key
                table = arn.split(":table/")[1].removesuffix("/index/*")
                by_table.setdefault(table, set()).update(as_list(statement["Action"]))
        return by_table

    n = stack.names
    common = {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"}
    idempotency = {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
    assert grants("EntriesFunction") == {
        n["JournalTable"]: common
        | {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"},
        # A save's transaction checks the author's roster profile, and the cadre's standing
        # learns of leave and late saves in it.
        n["RosterTable"]: common | {"dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"},
        n["IdempotencyTable"]: idempotency,
    }
    assert grants("AdminFunction") == {
        # Puts only: role change records are append-only (no UpdateItem, no BatchWriteItem deletes).
        n["RosterTable"]: common | {"dynamodb:PutItem"},
        n["IdempotencyTable"]: idempotency,
        # Vetting notices and the answers to their feedback.
        n["ComplianceTable"]: {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"},
    }
    # The functions whose writes the app's outbox retries with an Idempotency-Key (verdicts; case
    # moves, findings and grades) keep Powertools' records there, as entries and admin do.
    assert grants("ReviewsFunction")[n["IdempotencyTable"]] == idempotency
    assert grants("CasesFunction")[n["IdempotencyTable"]] == idempotency
    assert grants("FeedbackFunction") == {
        n["RosterTable"]: {"dynamodb:GetItem", "dynamodb:Query"},
        # Notices, the day's sender secret, and one transaction per post (ConditionCheck at midnight).
        n["ComplianceTable"]: {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:ConditionCheckItem"},
    }
    assert grants("DisclosurePublisherFunction") == {
        n["RosterTable"]: common,
        n["JournalTable"]: common,
        n["ComplianceTable"]: {"dynamodb:GetItem", "dynamodb:Query"},
    }


def test_every_schedule_runs_in_shanghai_time_with_a_dead_letter_queue(template: dict[str, Any]) -> None:
    assert schedule_problems(template) == []


def test_the_schedule_check_catches_a_utc_schedule_without_dead_letters(template: dict[str, Any]) -> None:
    broken = copy.deepcopy(template)
    broken["Resources"]["EntriesFunction"]["Properties"]["Events"] = {
        "Nightly": {"Type": "ScheduleV2", "Properties": {"ScheduleExpression": "cron(0 1 * * ? *)"}},
        "Old": {"Type": "Schedule", "Properties": {"Schedule": "rate(1 day)"}},
    }

    assert len(schedule_problems(broken)) == 3


def test_async_failures_have_a_durable_encrypted_queue(resources: dict[str, dict[str, Any]]) -> None:
    queue = resources["AsyncFailureQueue"]["Properties"]
    assert queue["SqsManagedSseEnabled"] is True
    assert queue["MessageRetentionPeriod"] == 14 * 24 * 3600
    for logical_id in URL_FUNCTIONS:
        config = resources[logical_id]["Properties"]["EventInvokeConfig"]
        assert config["MaximumRetryAttempts"] >= 1  # a transient failure is tried again before it is queued
        assert config["DestinationConfig"]["OnFailure"] == {
            "Type": "SQS",
            "Destination": {"Fn::GetAtt": ["AsyncFailureQueue", "Arn"]},
        }


def test_url_functions_allow_the_headers_clients_send(resources: dict[str, dict[str, Any]]) -> None:
    public = resources["FeedbackFunction"]["Properties"]["FunctionUrlConfig"]
    assert public["AuthType"] == "NONE"
    assert public["Cors"] == {
        "AllowOrigins": ["*"],
        "AllowMethods": ["POST"],
        "AllowHeaders": ["content-type"],  # no token, no idempotency key: a public form
        "MaxAge": 600,
    }
    for logical_id in URL_FUNCTIONS - {"FeedbackFunction"}:
        url = resources[logical_id]["Properties"]["FunctionUrlConfig"]
        assert url["AuthType"] == "NONE"
        assert url["Cors"] == {
            "AllowOrigins": ["*"],
            "AllowMethods": ["GET", "PUT", "POST"],
            "AllowHeaders": ["authorization", "content-type", "idempotency-key"],
            "MaxAge": 600,
        }


def test_outputs_name_the_urls_the_site_and_the_ledger(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]

    assert outputs["EntriesFunctionUrl"]["Value"] == {"Fn::GetAtt": ["EntriesFunctionUrl", "FunctionUrl"]}
    assert outputs["AdminFunctionUrl"]["Value"] == {"Fn::GetAtt": ["AdminFunctionUrl", "FunctionUrl"]}
    assert outputs["LedgerBucketName"]["Value"] == {"Ref": "LedgerBucket"}
    assert outputs["UserPoolId"]["Condition"] == outputs["UserPoolClientId"]["Condition"] == "UseCognito"


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
    assert template["Conditions"]["UseCognito"] == {"Fn::Equals": [{"Ref": "TokenIssuer"}, ""]}
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
        "  - !ImportValue other\n",
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
    }

    admin = {spec.logical_id: spec for spec in Stack(changed).functions()}["AdminFunction"]

    nightly, paused = admin.schedules
    assert (nightly.event_name, nightly.expression, nightly.timezone) == (
        "Nightly",
        "cron(30 1 * * ? *)",
        "Asia/Shanghai",
    )
    assert nightly.input == {"job": "nightly"} and nightly.enabled
    assert (paused.timezone, paused.enabled, paused.input) == ("UTC", False, None)
    assert admin.sqs_events == (("Failures", "AsyncFailureQueue"),)


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
        monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")

        handler = load_handler(spec)

        assert callable(handler)
        assert load_handler(spec) is handler
        assert handler.__module__ == f"worklog_fn_{spec.name.replace('-', '_')}"


# --------------------------------------------------------------------------- creating resources


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        yield


def _keys(schema: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(key["AttributeName"], key["KeyType"]) for key in schema]


def _index_shapes(indexes: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    return {
        index["IndexName"]: (
            _keys(index["KeySchema"]),
            index["Projection"]["ProjectionType"],
            sorted(index["Projection"].get("NonKeyAttributes", [])),
        )
        for index in indexes
    }


@pytest.mark.usefixtures("aws")
def test_create_resources_makes_every_table_as_the_template_says(stack: Stack) -> None:
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")

    create_resources(stack, dynamodb=dynamodb, s3=boto3.client("s3"), sqs=boto3.client("sqs"))

    for logical_id, expected in stack.tables().items():
        table = dynamodb.describe_table(TableName=expected["TableName"])["Table"]
        assert _keys(table["KeySchema"]) == _keys(expected["KeySchema"]), logical_id
        assert sorted(table["AttributeDefinitions"], key=lambda d: d["AttributeName"]) == sorted(
            expected["AttributeDefinitions"], key=lambda d: d["AttributeName"]
        ), logical_id
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST", logical_id
        for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            assert _index_shapes(table.get(kind, [])) == _index_shapes(expected.get(kind, [])), (
                logical_id,
                kind,
            )
    ttl = dynamodb.describe_time_to_live(TableName=stack.names["IdempotencyTable"])["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expiration")


@pytest.mark.usefixtures("aws")
def test_create_resources_makes_the_buckets_and_locks_the_ledger(stack: Stack) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")

    create_resources(stack, s3=s3)

    site, ledger, app = stack.names["SiteBucket"], stack.names["LedgerBucket"], stack.names["AppBucket"]
    assert {b["Name"] for b in s3.list_buckets()["Buckets"]} >= {site, ledger, app}
    lock = s3.get_object_lock_configuration(Bucket=ledger)["ObjectLockConfiguration"]
    assert lock["ObjectLockEnabled"] == "Enabled"
    retention = lock["Rule"]["DefaultRetention"]
    assert (retention["Mode"], retention["Days"]) == ("GOVERNANCE", 3650)
    for bucket in (site, ledger):
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    for bucket in (site, app):  # served by the distribution, never as S3 websites
        with pytest.raises(s3.exceptions.ClientError, match="NoSuchWebsiteConfiguration"):
            s3.get_bucket_website(Bucket=bucket)
    version = s3.put_object(Bucket=ledger, Key="checkpoints/2026-01-05.json", Body=b"{}")["VersionId"]
    with pytest.raises(s3.exceptions.ClientError):
        s3.delete_object(Bucket=ledger, Key="checkpoints/2026-01-05.json", VersionId=version)


@pytest.mark.usefixtures("aws")
def test_create_resources_makes_the_failure_queue(stack: Stack) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")

    create_resources(stack, sqs=sqs)

    url = sqs.get_queue_url(QueueName=stack.names["AsyncFailureQueue"])["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["MessageRetentionPeriod"])[
        "Attributes"
    ]
    assert attributes["MessageRetentionPeriod"] == "1209600"


@pytest.mark.usefixtures("aws")
def test_create_resources_twice_leaves_existing_resources_alone(stack: Stack) -> None:
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    create_resources(stack)
    dynamodb.put_item(
        TableName=stack.names["RosterTable"], Item={"pk": {"S": "CADRE#1"}, "sk": {"S": "PROFILE"}}
    )

    create_resources(stack)

    assert dynamodb.scan(TableName=stack.names["RosterTable"])["Count"] == 1


@pytest.mark.usefixtures("aws")
def test_create_resources_outside_us_east_1(template: dict[str, Any]) -> None:
    stack = Stack(template, region="ap-southeast-1")

    create_resources(stack)

    s3 = boto3.client("s3", region_name="ap-southeast-1")
    location = s3.get_bucket_location(Bucket=stack.names["LedgerBucket"])["LocationConstraint"]
    assert location == "ap-southeast-1"
    assert boto3.client("dynamodb", region_name="ap-southeast-1").list_tables()["TableNames"]


@pytest.mark.usefixtures("aws")
def test_create_resources_makes_event_buses_and_redrive_targets_first(template: dict[str, Any]) -> None:
    changed = copy.deepcopy(template)
    changed["Resources"]["WorkQueue"] = {
        "Type": "AWS::SQS::Queue",
        "Properties": {
            "VisibilityTimeout": 900,
            "RedrivePolicy": {
                "deadLetterTargetArn": {"Fn::GetAtt": ["AsyncFailureQueue", "Arn"]},
                "maxReceiveCount": 3,
            },
        },
    }
    changed["Resources"]["DomainEvents"] = {
        "Type": "AWS::Events::EventBus",
        "Properties": {"Name": "worklog-events"},
    }
    stack = Stack(changed)

    create_resources(stack)

    assert stack.event_buses()["DomainEvents"] == "worklog-events"
    assert boto3.client("events").describe_event_bus(Name="worklog-events")["Name"] == "worklog-events"
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=stack.names["WorkQueue"])["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "900"
    assert stack.names["AsyncFailureQueue"] in attributes["RedrivePolicy"]
