"""Least privilege: each function's policies in template.yaml against the AWS calls its handler was
seen to make (tests/infra/aws_calls.json, recorded through the integration tests by infra/calls.py).

Every recorded call needs a grant, and every granted action on a resource needs a recorded call,
but for the few calls the tests cannot make (EXCEPTIONS, each with its reason). Conditions are held
to the record where it knows the answer: ``dynamodb:LeadingKeys`` (the partition key's prefix) and
``dynamodb:Attributes`` (what an update writes); the conditions in KNOWN_ELSEWHERE are not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from infra.calls import STACK, load
from infra.template import Stack

# (function, action, recorded resource): granted although no integration test makes the call.
_TOKEN = "the tests' local issuer gives the token audience as a parameter; on AWS it is read from SSM"
_IDEMPOTENT = {
    "dynamodb:GetItem": "Powertools reads a record back when a conflicting put returns no item",
    "dynamodb:DeleteItem": "Powertools deletes its in-progress record when the guarded call raises",
}
_NOTIFY = "the tests stand in for the channels (tests/integration/notify_support.py): "
EXCEPTIONS: dict[tuple[str, str, str], str] = {
    **{
        (function, "ssm:GetParameter", "parameter/worklog/${AWS::StackName}/app-client-id"): _TOKEN
        for function in ("EntriesFunction", "AdminFunction", "ReviewsFunction", "CasesFunction")
    },
    **{
        (function, action, "IdempotencyTable"): reason
        for function in ("EntriesFunction", "AdminFunction", "ReviewsFunction", "CasesFunction")
        for action, reason in _IDEMPOTENT.items()
    },
    ("DisclosurePublisherFunction", "kms:Sign", "SigningKey"): (
        "tests sign checkpoints with a local key file (SIGNING_KEY_ID is empty): moto's KMS is not used"
    ),
    ("DisclosurePublisherFunction", "kms:GetPublicKey", "SigningKey"): (
        "as kms:Sign: the local key file has its public half"
    ),
    ("ArchiverFunction", "kms:GetPublicKey", "SigningKey"): (
        "the checkpoints' public key comes from the local key file in tests (SIGNING_KEY_ID is empty)"
    ),
    ("ArchiverFunction", "s3:ListBucket", "SiteBucket"): (
        "a cadre archived before the publisher proved its leaf has no proof yet: a 404 needs ListBucket"
    ),
    ("ArchiverFunction", "s3:PutObjectRetention", "LedgerBucket/archive/"): (
        "S3 authorises a PutObject with Object Lock headers by this action too (the call is PutObject)"
    ),
    ("DisclosurePublisherFunction", "s3:GetObject", "LedgerBucket/audits/"): (
        "a drawn round's audit files are mirrored onto the site; no integration test publishes after a draw"
    ),
    ("DisclosurePublisherFunction", "s3:ListBucket", "LedgerBucket"): (
        "as the mirror's GetObject: a file not there yet reads as 404 only with ListBucket"
    ),
    **{
        ("NotifierFunction", action, resource): (
            "the morning run's tests run MorningRun directly (test_notify_morning.py), not the handler: "
            + why
        )
        for action, resource, why in (
            ("dynamodb:BatchGetItem", "OutboxTable", "the preferences, 100 a request"),
            ("dynamodb:BatchWriteItem", "OutboxTable", "the digests, 25 a request"),
            ("dynamodb:Query", "OutboxTable/index/gsi1", "who has the morning's digest (a resumed run)"),
        )
    },
    ("NotifierFunction", "dynamodb:Query", "JournalTable/index/by_day"): (
        "done-by-morning reads the day's submissions; the morning tests owe nothing that was written"
    ),
    ("NotifierFunction", "ses:SendEmail", "identity/sender"): _NOTIFY + "e-mail through SES",
    ("NotifierFunction", "ssm:GetParametersByPath", "parameter/worklog/${AWS::StackName}/notify"): (
        _NOTIFY + "the robots' webhook parameters"
    ),
    ("NotifierFunction", "ssm:GetParametersByPath", "parameter/worklog/${AWS::StackName}/notify/"): (
        _NOTIFY + "the robots' webhook parameters"
    ),
    ("AdminFunction", "kms:Decrypt", "key/aws-ssm"): (
        "SSM decrypts the ID-card hash key's SecureString parameter with the caller's grant "
        "(kms:ViaService): no client call of the function's own"
    ),
    ("NotifierFunction", "kms:Decrypt", "key/aws-ssm"): (
        "SSM decrypts the robots' SecureString parameters with the caller's grant (kms:ViaService): "
        "no client call of the function's own"
    ),
    ("NotifierFunction", "sqs:SendMessage", "NotifyRetryQueue"): _NOTIFY + "a failed send's retry",
    ("NotifierFunction", "sqs:ChangeMessageVisibility", "NotifyRetryQueue"): (
        _NOTIFY + "a retry still failing waits longer"
    ),
}
# Condition keys the record cannot judge: they hold whatever the code sends (and the template's
# other tests check their values).
KNOWN_ELSEWHERE = {"ses:FromAddress", "kms:ViaService", "dynamodb:ReturnValues", "dynamodb:Select"}
RECORDED_KEYS = {"dynamodb:LeadingKeys", "dynamodb:Attributes"}


@dataclass(frozen=True)
class Call:
    action: str
    resource: str  # as recorded: a logical id and a path
    key: str | None = None
    attributes: tuple[str, ...] | None = None

    @classmethod
    def parse(cls, line: str) -> Call:
        action, resource, *facets = line.split(" ")
        found = dict(f.split("=", 1) for f in facets)
        attributes = tuple(found["attributes"].split(",")) if "attributes" in found else None
        return cls(action, resource, found.get("key"), attributes)


def arn(stack: Stack, resource: str) -> str:
    """The ARN a recorded resource has in ``stack`` (an object under a folder: a sample key in it)."""
    p, r, a = stack.partition, stack.region, stack.account
    if resource in ("*", "phone"):  # an SMS names no resource
        return "*"
    if resource.startswith("parameter/"):
        return f"arn:{p}:ssm:{r}:{a}:{resource.replace(STACK, stack.stack_name)}"
    if resource.startswith("identity/"):
        return f"arn:{p}:ses:{r}:{a}:{resource}"
    if resource.startswith("key/"):  # a key the stack does not declare (an AWS managed key)
        return f"arn:{p}:kms:{r}:{a}:{resource}"
    logical, _, rest = resource.partition("/")
    base = stack.get_att(logical, "Arn")
    if stack.resources[logical]["Type"] == "AWS::S3::Bucket":
        return f"{base}/{rest}object" if _ else base
    return f"{base}/{rest}" if _ else base


def like(pattern: str, value: str) -> bool:
    """IAM's wildcard match (``*`` any run, ``?`` one character), case-sensitive."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(stack: Stack, function: str) -> list[dict[str, Any]]:
    """The function's own policy statements, resolved (SAM adds the event sources' and the
    destinations' grants, which the Lambda service uses, not the code)."""
    policies = stack.template["Resources"][function]["Properties"].get("Policies") or []
    found = []
    for policy in _listed(stack.resolve(policies)):
        assert isinstance(policy, dict) and set(policy) == {"Statement"}, (
            f"{function}: only inline statements are held to the record, not {policy!r}"
        )
        found.extend(_listed(policy["Statement"]))
    return found


def _samples(name: str, call: Call) -> list[str] | None:
    """The values a recorded call gives a condition key (None: it does not know them)."""
    if name == "dynamodb:LeadingKeys":
        if call.key is None or call.key == "*":
            return None
        return [call.key + "x" if call.key.endswith("#") else call.key]
    if call.attributes is None:
        return None
    return [a.replace("*", "x") for a in call.attributes]


def holds(condition: dict[str, Any], call: Call) -> bool:
    for operator, tests in condition.items():
        for name, wanted in tests.items():
            if name in KNOWN_ELSEWHERE:
                continue
            assert name in RECORDED_KEYS, f"teach test_grants.py the condition key {name}"
            values = _samples(name, call)
            if values is None:
                return False
            match = like if "Like" in operator else str.__eq__
            if not all(any(match(w, v) for w in _listed(wanted)) for v in values):
                return False
    return True


def applies(statement: dict[str, Any], call: Call, resource_arn: str) -> bool:
    return any(like(a, call.action) for a in _listed(statement["Action"])) and any(
        like(r, resource_arn) for r in _listed(statement["Resource"])
    )


def functions(stack: Stack) -> list[str]:
    return [f.logical_id for f in stack.functions()]


RECORD = load()


def test_every_function_has_recorded_calls(stack: Stack) -> None:
    # Given the template's functions, when the record is read, then each one was seen at work.
    assert sorted(RECORD) == sorted(functions(stack))


@pytest.mark.parametrize("function", sorted(RECORD))
def test_every_recorded_call_is_granted(stack: Stack, function: str) -> None:
    found = statements(stack, function)
    refused = []
    for line in RECORD[function]:
        call = Call.parse(line)
        target = arn(stack, call.resource)
        allowing = [s for s in found if s["Effect"] == "Allow" and applies(s, call, target)]
        denied = any(s["Effect"] == "Deny" and applies(s, call, target) for s in found)
        if denied or not any(holds(s.get("Condition") or {}, call) for s in allowing):
            refused.append(line)
    assert not refused, f"{function} makes calls no grant allows: {refused}"


@pytest.mark.parametrize("function", sorted(RECORD))
def test_every_grant_is_used_by_a_recorded_call(stack: Stack, function: str) -> None:
    calls = [Call.parse(line) for line in RECORD[function]]
    calls += [Call(a, r) for (f, a, r) in EXCEPTIONS if f == function]
    targets = [(c, arn(stack, c.resource)) for c in calls]
    unused = []
    for statement in statements(stack, function):
        if statement["Effect"] != "Allow":
            continue
        for action in _listed(statement["Action"]):
            for resource in _listed(statement["Resource"]):
                if not any(like(action, c.action) and like(resource, t) for c, t in targets):
                    unused.append(f"{statement.get('Sid')}: {action} on {resource}")
    assert not unused, f"{function} is granted what no recorded call uses: {unused}"


def allowed(stack: Stack, function: str, line: str) -> bool:
    call = Call.parse(line)
    target = arn(stack, call.resource)
    found = statements(stack, function)
    if any(s["Effect"] == "Deny" and applies(s, call, target) for s in found):
        return False
    return any(
        s["Effect"] == "Allow" and applies(s, call, target) and holds(s.get("Condition") or {}, call)
        for s in found
    )


def test_the_publisher_reads_audit_evidence_but_cannot_write_it(stack: Stack) -> None:
    # Given the publisher's grants, then it may read the ledger's audits/ and write only checkpoints/.
    assert allowed(stack, "DisclosurePublisherFunction", "s3:GetObject LedgerBucket/audits/")
    assert not allowed(stack, "DisclosurePublisherFunction", "s3:PutObject LedgerBucket/audits/")
    assert allowed(stack, "DisclosurePublisherFunction", "s3:PutObject LedgerBucket/checkpoints/")


@pytest.mark.parametrize("function", ["EntriesFunction", "MissingEntryCheckFunction"])
def test_standing_writers_cannot_touch_a_profiles_roles_or_unit(stack: Stack, function: str) -> None:
    # Given a function that keeps the cadres' standings, then an update of a standing's marks is
    # allowed, and one that writes roles or a unit (a profile's attributes) is not.
    standing = "leave:*,pk,roster_pk,roster_sk,sk" if function == "EntriesFunction" else "miss:*,pk,sk"
    assert allowed(stack, function, f"dynamodb:UpdateItem RosterTable key=CADRE# attributes={standing}")
    for attribute in ("roles", "unit_id"):
        line = f"dynamodb:UpdateItem RosterTable key=CADRE# attributes=pk,sk,{attribute}"
        assert not allowed(stack, function, line)


def test_the_public_feedback_function_reaches_only_the_notices_partitions(stack: Stack) -> None:
    # Given the feedback function (no token), then it reaches NOTICE#, RATE# and SENDER-SECRET#
    # items of the compliance table and no case, review or audit item.
    assert allowed(stack, "FeedbackFunction", "dynamodb:PutItem ComplianceTable key=NOTICE#")
    for prefix in ("CASE#", "AUDIT#", "REVIEWER#", "CADRE#"):
        assert not allowed(stack, "FeedbackFunction", f"dynamodb:GetItem ComplianceTable key={prefix}")
