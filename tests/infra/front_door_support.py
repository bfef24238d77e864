"""What the front door's tests share (test_front_door.py, test_front_door_function.py,
test_front_door_sign_in.py): the distribution as CloudFormation would resolve it, the behaviour
CloudFront picks for a path, and the routing check against docs/openapi.json."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from infra.template import ROOT, Stack

SPEC = ROOT / "docs" / "openapi.json"
HARNESS = Path(__file__).with_name("cloudfront_function_harness.js")

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
EXTERNAL_ISSUER = {
    "TokenIssuer": "https://id.example.org/realms/worklog",
    "TokenAudience": "worklog-app",
    "JwksUrl": "https://id.example.org/realms/worklog/certs",
}
OWN_DOMAIN = {
    "AppDomainName": "rz.example.gov.cn",
    "AppCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c",
}
# Functions whose callers carry bearer tokens (every URL function but the public feedback one).
TOKEN_FUNCTIONS = {"EntriesFunction", "AdminFunction", "ReviewsFunction", "CasesFunction"}


def distribution(stack: Stack) -> dict[str, Any]:
    config: dict[str, Any] = stack.resolve(stack.template["Resources"]["Distribution"]["Properties"])[
        "DistributionConfig"
    ]
    return config


def behaviours(stack: Stack) -> list[dict[str, Any]]:
    config = distribution(stack)
    return [*config["CacheBehaviors"], {**config["DefaultCacheBehavior"], "PathPattern": "*"}]


def _pattern(path_pattern: str) -> re.Pattern[str]:
    """A CloudFront path pattern: * any run of characters (slashes too), ? one; case-sensitive."""
    text = path_pattern if path_pattern.startswith("/") or path_pattern == "*" else "/" + path_pattern
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text))


def behaviour_for(stack: Stack, path: str) -> dict[str, Any]:
    """The behaviour CloudFront picks for ``path``: the first whose pattern matches."""
    return next(b for b in behaviours(stack) if _pattern(b["PathPattern"]).fullmatch(path))


def function_by_origin(stack: Stack) -> dict[str, str]:
    """Origin id -> the name of the URL function whose function URL it is."""
    hosts = {
        stack.resolve({"Fn::GetAtt": [f"{spec.logical_id}Url", "FunctionUrl"]}).split("/")[2]: spec.name
        for spec in stack.functions()
        if spec.url
    }
    return {
        o["Id"]: hosts[o["DomainName"]] for o in distribution(stack)["Origins"] if o["DomainName"] in hosts
    }


def spec_operations() -> Iterator[tuple[str, str, str]]:
    """(path, method, function) for every operation in docs/openapi.json."""
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "x-worklog-function" in operation:
                yield path, method, operation["x-worklog-function"]


def routing_problems(stack: Stack) -> list[str]:
    """Every spec operation whose path the distribution sends anywhere but its function."""
    origins = function_by_origin(stack)
    problems = []
    for path, method, function in spec_operations():
        concrete = re.sub(r"\{[^}]+\}", "x1", path)
        behaviour = behaviour_for(stack, concrete)
        served_by = origins.get(behaviour["TargetOriginId"], f"origin {behaviour['TargetOriginId']}")
        if served_by != function:
            problems.append(f"{method.upper()} {path}: sent to {served_by}, served by {function}")
        elif method.upper() not in behaviour["AllowedMethods"]:
            problems.append(f"{method.upper()} {path}: method not allowed by {behaviour['PathPattern']}")
    return problems
