"""template.yaml is the single source of truth: it lints, it transforms, it says what matters.

The Stack view of it (infra/template.py) is tested in test_stack.py, the resources it creates in
test_create_resources.py.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from infra.cloudformation.source import translate
from infra.template import (
    TEMPLATE_PATH,
    Stack,
)

TABLES = {"RosterTable", "JournalTable", "ComplianceTable", "IdempotencyTable", "OutboxTable"}
URL_FUNCTIONS = {"EntriesFunction", "AdminFunction", "ReviewsFunction", "CasesFunction", "FeedbackFunction"}
EXTERNAL_ISSUER = {
    "TokenIssuer": "https://id.example.org/realms/worklog",
    "TokenAudience": "worklog-app",
    "JwksUrl": "https://id.example.org/realms/worklog/certs",
    "TokenSubjectClaim": "sub",
}


# --------------------------------------------------------------------------- helpers


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


def transformed(template: dict[str, Any], monkeypatch: pytest.MonkeyPatch | None = None) -> dict[str, Any]:
    """The template as the deployment's SAM transform makes it (us-east-1, default parameters).

    The translator runs offline: it needs no region from the environment (``monkeypatch`` is
    accepted for the callers that pass it)."""
    return translate(template, {}, "us-east-1")


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
    # its daily sender secrets; the outbox's, the notices waiting for their morning.
    assert stack.ttl() == {
        "IdempotencyTable": "expiration",
        "ComplianceTable": "expires_at",
        "OutboxTable": "expires_at",
    }
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
    assert indexes("OutboxTable", "GlobalSecondaryIndexes") == {"gsi1": ["gsi1pk", "gsi1sk"]}


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


def test_every_dynamodb_grant_names_exact_tables_of_this_template(
    resources: dict[str, dict[str, Any]], stack: Stack
) -> None:
    table_arns = {f"arn:aws:dynamodb:us-east-1:123456789012:table/{stack.names[t]}" for t in TABLES}
    # A table's indexes, all of them or one by name.
    allowed = table_arns | {f"{arn}/index/*" for arn in table_arns}
    for logical_id, table in stack.tables().items():
        arn = f"arn:aws:dynamodb:us-east-1:123456789012:table/{stack.names[logical_id]}"
        for index in table.get("GlobalSecondaryIndexes", []) + table.get("LocalSecondaryIndexes", []):
            allowed.add(f"{arn}/index/{index['IndexName']}")
    for logical_id, function in of_type(resources, "AWS::Serverless::Function").items():
        for policy in function["Properties"].get("Policies", []):
            # Managed policies and SAM policy templates would hide broad grants (Scan, table/*).
            assert isinstance(policy, dict) and "Statement" in policy, f"{logical_id}: {policy!r}"
        for statement in statements(function):
            actions = as_list(statement["Action"])
            if not any(action.startswith("dynamodb:") for action in actions):
                continue
            assert "dynamodb:*" not in actions, logical_id
            if logical_id != "ArchiverFunction":  # the archive reads the compliance table whole (decision 33)
                assert "dynamodb:Scan" not in actions, f"{logical_id}: queries, never scans"
            elif "dynamodb:Scan" in actions:
                assert stack.resolve(statement["Resource"]) == stack.resolve(
                    {"Fn::GetAtt": ["ComplianceTable", "Arn"]}
                ), "the archiver scans the compliance table, nothing else"
            granted = set(as_list(stack.resolve(statement["Resource"])))
            assert "*" not in granted, logical_id
            assert granted <= allowed, f"{logical_id}: {granted - allowed}"


def test_only_the_admin_function_reads_the_id_card_hash_key_and_decrypts_it_through_ssm_only(
    resources: dict[str, dict[str, Any]], stack: Stack
) -> None:
    # Given the functions that are told where the key is
    told = {
        logical_id
        for logical_id, resource in of_type(resources, "AWS::Serverless::Function").items()
        if "ID_CARD_KEY_PARAMETER" in resource["Properties"].get("Environment", {}).get("Variables", {})
    }
    assert told == {"AdminFunction"}
    env = resources["AdminFunction"]["Properties"]["Environment"]["Variables"]
    assert stack.resolve(env["ID_CARD_KEY_PARAMETER"]) == f"/worklog/{stack.stack_name}/roster/id-card-key"
    # Then the admin function may decrypt a SecureString only as SSM's caller
    sids = {s.get("Sid"): stack.resolve(s) for s in statements(resources["AdminFunction"])}
    assert sids["IdCardKeyDecrypt"]["Action"] == "kms:Decrypt"
    assert sids["IdCardKeyDecrypt"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "ssm.us-east-1.amazonaws.com"}
    }


def table_grants(resource: dict[str, Any], stack: Stack) -> dict[str, set[str]]:
    """A function's DynamoDB actions by table name (indexes counted as their table)."""
    by_table: dict[str, set[str]] = {}
    for statement in statements(resource):
        for arn in as_list(stack.resolve(statement["Resource"])):
            if ":table/" not in arn:
                continue  # buckets, queues, the bus, the signing key
            table = arn.split(":table/")[1].split("/index/")[0]
            by_table.setdefault(table, set()).update(as_list(statement["Action"]))
    return by_table


def test_grants_are_the_least_each_function_needs(resources: dict[str, dict[str, Any]], stack: Stack) -> None:
    def grants(logical_id: str) -> dict[str, set[str]]:
        return table_grants(resources[logical_id], stack)

    # The per-table summary of what test_grants.py holds to the recorded calls (tests/infra/aws_calls.json).
    n = stack.names
    get, put, update, query = "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"
    batch_get = "dynamodb:BatchGetItem"
    idempotency = {get, put, update, "dynamodb:DeleteItem"}
    assert grants("EntriesFunction") == {
        # Saves are transactions of Puts: no UpdateItem, no ConditionCheck on the journal.
        n["JournalTable"]: {get, batch_get, query, put},
        # A save's transaction checks the author's roster profile, and the cadre's standing
        # learns of leave and late saves in it (limited to the standing's attributes).
        n["RosterTable"]: {get, query, update, "dynamodb:ConditionCheckItem"},
        n["IdempotencyTable"]: idempotency,
        # The caller's notifications (the inbox) and their preferences.
        n["OutboxTable"]: {get, put, update, query},
    }
    assert grants("AdminFunction") == {
        # Puts only: role change records are append-only (no UpdateItem, no BatchWriteItem deletes).
        n["RosterTable"]: {get, batch_get, query, put},
        # Answers to public feedback are sent with an Idempotency-Key.
        n["IdempotencyTable"]: idempotency,
        # Vetting notices and the answers to their feedback; after a schedule's load, the
        # withdrawal of provisional misses on its days off (their status only).
        n["ComplianceTable"]: {get, put, query, update},
    }
    # The functions whose writes the app's outbox retries with an Idempotency-Key (verdicts; case
    # moves, findings and grades) keep Powertools' records there, as entries and admin do.
    assert grants("ReviewsFunction")[n["IdempotencyTable"]] == idempotency
    assert grants("CasesFunction")[n["IdempotencyTable"]] == idempotency
    assert grants("FeedbackFunction") == {
        # The working calendar's stored schedules.
        n["RosterTable"]: {query},
        # Notices, the day's sender secret, and one transaction per post (ConditionCheck at midnight).
        n["ComplianceTable"]: {get, put, "dynamodb:ConditionCheckItem"},
    }
    assert grants("NotifierFunction") == {
        n["OutboxTable"]: {get, batch_get, query, put, update, "dynamodb:BatchWriteItem"},
        n["RosterTable"]: {get, batch_get, query},
        # Done-by-morning reads who has written what from the journal's by_day index, nothing else.
        n["JournalTable"]: {query},
    }
    assert grants("DisclosurePublisherFunction") == {
        n["RosterTable"]: {batch_get, query},  # a batch's cadres by id
        n["JournalTable"]: {batch_get, query},
        n["ComplianceTable"]: {query},
        # The run's lock and batch count, and only that item (a condition on its key).
        n["IdempotencyTable"]: {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"},
    }


def test_the_archiver_reads_and_never_writes_a_table(
    resources: dict[str, dict[str, Any]], stack: Stack
) -> None:
    n = stack.names
    assert table_grants(resources["ArchiverFunction"], stack) == {
        n["RosterTable"]: {"dynamodb:Query"},  # the roster, and the role changes after the last archived
        # The HEADs and views; the revisions after the last seq.
        n["JournalTable"]: {"dynamodb:BatchGetItem", "dynamodb:Query"},
        # The items new or changed since the last night: the table has no index of changes.
        n["ComplianceTable"]: {"dynamodb:Scan"},
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
