"""The front door's sign-in: the code flow returning to the distribution, the user pool's domain,
the audience parameter (read at run time by the deployed functions, and no dependency cycle for it),
and the outputs that give the app's addresses."""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.template import Stack
from tests.infra.front_door_support import TOKEN_FUNCTIONS

# --------------------------------------------------------------------------- sign-in


def test_sign_in_is_the_code_flow_returning_to_the_front_door(stack: Stack) -> None:
    client = stack.resolve(stack.template["Resources"]["UserPoolClient"]["Properties"])
    host = stack.resolve({"Fn::GetAtt": ["Distribution", "DomainName"]})

    assert client["CallbackURLs"] == [f"https://{host}/callback"]
    assert client["LogoutURLs"] == [f"https://{host}/"]
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert client["AllowedOAuthScopes"] == ["openid"]
    assert client["SupportedIdentityProviders"] == ["COGNITO"]
    assert client["GenerateSecret"] is False
    assert client["EnableTokenRevocation"] is True
    validity = client["TokenValidityUnits"]
    assert (client["IdTokenValidity"], validity["IdToken"]) == (60, "minutes")
    assert (client["AccessTokenValidity"], validity["AccessToken"]) == (60, "minutes")
    assert (client["RefreshTokenValidity"], validity["RefreshToken"]) == (12, "hours")


def test_the_sign_in_domain_is_the_user_pools(stack: Stack, template: dict[str, Any]) -> None:
    domain = template["Resources"]["UserPoolDomain"]
    named = Stack(template, parameters={"AuthDomainPrefix": "jinjiang-rz"})

    assert domain["Condition"] == "UseCognito"
    assert stack.resolve(domain["Properties"])["UserPoolId"] == stack.resolve({"Ref": "UserPool"})
    assert named.resolve({"Ref": "UserPoolDomain"}) == "jinjiang-rz"


def test_token_verifying_functions_may_read_exactly_the_audience_parameter(stack: Stack) -> None:
    name = stack.resolve(stack.template["Resources"]["AppClientIdParameter"]["Properties"]["Name"])
    arn = f"arn:aws:ssm:us-east-1:123456789012:parameter{name}"
    for logical_id, resource in stack.template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        ssm = [
            (statement["Action"], stack.resolve(statement["Resource"]))
            for policy in resource["Properties"]["Policies"]
            for statement in policy["Statement"]
            if any(
                a.startswith("ssm:")
                for a in (
                    statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                )
            )
        ]
        expected = [("ssm:GetParameter", arn)] if logical_id in TOKEN_FUNCTIONS else []
        if logical_id == "NotifierFunction":  # the robots' webhooks, under its own path only
            path = stack.resolve(resource["Properties"]["Environment"]["Variables"]["NOTIFY_PARAMETER_PATH"])
            prefix = f"arn:aws:ssm:us-east-1:123456789012:parameter{path.rstrip('/')}"
            expected = [("ssm:GetParametersByPath", [prefix, f"{prefix}/*"])]
        if logical_id == "AdminFunction":  # and the ID-card hash key, that one parameter only
            key = stack.resolve(resource["Properties"]["Environment"]["Variables"]["ID_CARD_KEY_PARAMETER"])
            expected.append(("ssm:GetParameter", f"arn:aws:ssm:us-east-1:123456789012:parameter{key}"))
        assert ssm == expected, logical_id


# --------------------------------------------------------------------------- no cycle, outputs


def _references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                yield inner
            elif key == "Fn::GetAtt":
                target = inner.split(".", 1)[0] if isinstance(inner, str) else inner[0]
                yield target
            elif key == "Fn::Sub":
                text = inner if isinstance(inner, str) else inner[0]
                yield from (m.split(".", 1)[0] for m in re.findall(r"\$\{([^}!]+)\}", text))
                if isinstance(inner, list):
                    yield from _references(inner[1])
            else:
                yield from _references(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _references(inner)


def dependency_cycle(resources: dict[str, Any]) -> list[str] | None:
    """A cycle among the resources' references (Ref, GetAtt, Sub, DependsOn), or None."""
    edges = {
        name: {
            r
            for r in [*_references(resource.get("Properties", {})), *_as_list(resource.get("DependsOn", []))]
            if r in resources and r != name
        }
        for name, resource in resources.items()
    }
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_the_transformed_template_has_no_dependency_cycle(
    template: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The distribution fronts the function URLs, and the app client's callback URL is on the
    # distribution: a Ref from the functions to the client would close the circle.
    from tests.infra.test_template import transformed

    output = transformed(template, monkeypatch)["Resources"]

    assert {"Distribution", "UserPoolClient", "EntriesFunctionUrl"} <= set(output)
    assert dependency_cycle(output) is None


def test_the_cycle_check_finds_the_cycle_an_audience_ref_would_make(
    template: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.infra.test_template import transformed

    broken = copy.deepcopy(template)
    broken["Globals"]["Function"]["Environment"]["Variables"]["TOKEN_AUDIENCE"] = {"Ref": "UserPoolClient"}

    cycle = dependency_cycle(transformed(broken, monkeypatch)["Resources"])

    assert cycle is not None and {"UserPoolClient", "Distribution"} <= set(cycle)


def test_outputs_give_the_apps_addresses_and_no_website_endpoint(stack: Stack) -> None:
    outputs = {k: stack.resolve(v["Value"]) for k, v in stack.template["Outputs"].items()}
    host = stack.resolve({"Fn::GetAtt": ["Distribution", "DomainName"]})

    assert outputs["AppUrl"] == f"https://{host}/"
    assert outputs["SiteUrl"] == f"https://{host}/site/"
    assert outputs["AppBucketName"] == stack.names["AppBucket"]
    assert outputs["DistributionId"] == stack.resolve({"Ref": "Distribution"})
    assert outputs["HostedUiUrl"] == "https://worklog-local-123456789012.auth.us-east-1.amazoncognito.com"
    assert outputs["UserPoolClientId"] == stack.resolve({"Ref": "UserPoolClient"})
    assert not [k for k, v in outputs.items() if "s3-website" in str(v)]
    for name in ("UserPoolId", "UserPoolClientId", "HostedUiUrl"):
        assert stack.template["Outputs"][name]["Condition"] == "UseCognito"


# --------------------------------------------------------------------------- the audience at run time


@pytest.mark.usefixtures("aws")
def test_deployed_functions_read_their_audience_from_the_templates_parameter(
    stack: Stack, tmp_path: Path
) -> None:
    import boto3
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    from worklog import aws
    from worklog.auth.tokens import TokenVerifier
    from worklog.errors import Unauthenticated
    from worklog.settings import Settings

    # Given the parameter the template declares, holding the app client id, in SSM
    parameter = stack.resolve(stack.template["Resources"]["AppClientIdParameter"]["Properties"])
    boto3.client("ssm").put_parameter(Name=parameter["Name"], Value=parameter["Value"], Type="String")
    aws.reset_clients()
    # And the entries function's environment, with a key set standing in for Cognito's
    env = {spec.logical_id: spec.environment for spec in stack.functions()}["EntriesFunction"]
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks = tmp_path / "jwks.json"
    public = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    jwks.write_text(json.dumps({"keys": [{**public, "kid": "k1", "use": "sig"}]}), encoding="utf-8")
    verifier = TokenVerifier(
        Settings(
            TOKEN_ISSUER=env["TOKEN_ISSUER"],
            TOKEN_AUDIENCE=env["TOKEN_AUDIENCE"],
            TOKEN_AUDIENCE_PARAMETER=env["TOKEN_AUDIENCE_PARAMETER"],
            JWKS_URL=jwks.as_uri(),
            TOKEN_SUBJECT_CLAIM=env["TOKEN_SUBJECT_CLAIM"],
        )
    )

    def id_token(audience: str) -> str:
        now = int(time.time())
        claims = {"iss": env["TOKEN_ISSUER"], "aud": audience, "cognito:username": "c0001"}
        return jwt.encode(
            {**claims, "iat": now, "exp": now + 600}, key, algorithm="RS256", headers={"kid": "k1"}
        )

    # When an ID token minted for the app client arrives, Then it names its cadre
    assert verifier.subject(f"Bearer {id_token(parameter['Value'])}") == "c0001"
    # And one minted for any other client of the issuer is refused
    with pytest.raises(Unauthenticated):
        verifier.subject(f"Bearer {id_token('some-other-client')}")


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from moto import mock_aws

    from worklog import aws as clients

    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        clients.reset_clients()
        yield
    clients.reset_clients()
