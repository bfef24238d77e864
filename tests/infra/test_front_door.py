"""The front door: one CloudFront distribution is the only HTTPS origin a browser needs.

The web app at /, the public site at /site/, each API path at the function URL that serves it,
Cognito's token endpoint at /oauth2/*; private buckets read only by the distribution; one CSP for
the app and the site; sign-in that returns to the distribution. Read from template.yaml as
CloudFormation would resolve it (infra/template.py), and, for the viewer-request function, run.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.local.security import APP_CSP  # the app's CSP: CloudFront sends the local runtime's, word for word
from infra.template import ROOT, Stack, load_template

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


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="module")
def stack(template: dict[str, Any]) -> Stack:
    return Stack(template)


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


# --------------------------------------------------------------------------- routing


@pytest.mark.parametrize("parameters", [{}, EXTERNAL_ISSUER], ids=["cognito", "external-issuer"])
def test_every_api_path_in_the_spec_reaches_the_function_that_serves_it(
    template: dict[str, Any], parameters: dict[str, str]
) -> None:
    stack = Stack(template, parameters=parameters)

    assert list(spec_operations())
    assert routing_problems(stack) == []


def test_the_routing_check_catches_a_path_sent_to_the_wrong_function(template: dict[str, Any]) -> None:
    # Given /me/reads (reviews) handed to the entries origin, as a careless reordering would
    broken = copy.deepcopy(template)
    config = broken["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    for behaviour in config["CacheBehaviors"]:
        if isinstance(behaviour, dict) and behaviour.get("PathPattern") == "/me/reads":
            behaviour["TargetOriginId"] = "entries"

    problems = routing_problems(Stack(broken))

    assert problems == ["GET /me/reads: sent to entries, served by reviews"]


def test_the_spec_is_the_committed_one_of_every_url_function(stack: Stack) -> None:
    # Every URL function serves at least one path (none is left without a behaviour by accident).
    served = {function for _, _, function in spec_operations()}
    assert served == {spec.name for spec in stack.functions() if spec.url}


@pytest.mark.parametrize(
    ("path", "origin"),
    [
        ("/", "app"),
        ("/today", "app"),
        ("/calendar/2026-12", "app"),
        ("/callback", "app"),
        ("/assets/index-1a2b3c4d.js", "app"),
        ("/config.json", "app"),
        ("/sw.js", "app"),
        ("/site", "app"),  # the viewer-request function redirects it to /site/
        ("/site/", "site"),
        ("/site/notices/index.html", "site"),
        ("/oauth2/token", "cognito"),
        ("/feedback/N20261120-c0001", "feedback"),
        ("/mentor", "app"),  # API families are exact: a look-alike prefix is the app's
        ("/reviewsx", "app"),
    ],
)
def test_pages_assets_and_sign_in_go_to_their_origins(stack: Stack, path: str, origin: str) -> None:
    assert behaviour_for(stack, path)["TargetOriginId"] == origin


def test_without_cognito_there_is_no_token_endpoint_behind_the_front_door(template: dict[str, Any]) -> None:
    stack = Stack(template, parameters=EXTERNAL_ISSUER)

    assert "cognito" not in {o["Id"] for o in distribution(stack)["Origins"]}
    assert behaviour_for(stack, "/oauth2/token")["TargetOriginId"] == "app"


def test_the_token_endpoint_is_the_user_pools_own_domain(stack: Stack) -> None:
    origin = next(o for o in distribution(stack)["Origins"] if o["Id"] == "cognito")
    behaviour = behaviour_for(stack, "/oauth2/token")

    assert origin["DomainName"] == "worklog-local-123456789012.auth.us-east-1.amazoncognito.com"
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert "POST" in behaviour["AllowedMethods"]
    assert behaviour["CachePolicyId"] == CACHING_DISABLED
    assert behaviour["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST  # Host must be Cognito's


# --------------------------------------------------------------------------- origins and buckets


@pytest.mark.parametrize("origin_id", ["app", "site"])
def test_s3_origins_are_read_through_origin_access_control(stack: Stack, origin_id: str) -> None:
    resources = stack.template["Resources"]
    origin = next(o for o in distribution(stack)["Origins"] if o["Id"] == origin_id)
    bucket = {"app": "AppBucket", "site": "SiteBucket"}[origin_id]
    oac = resources["S3OriginAccessControl"]["Properties"]["OriginAccessControlConfig"]

    assert origin["DomainName"] == f"{stack.names[bucket]}.s3.us-east-1.amazonaws.com"
    assert origin["OriginAccessControlId"] == stack.resolve({"Fn::GetAtt": ["S3OriginAccessControl", "Id"]})
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy OAI
    assert (oac["OriginAccessControlOriginType"], oac["SigningBehavior"], oac["SigningProtocol"]) == (
        "s3",
        "always",
        "sigv4",
    )


def test_api_origins_are_the_function_urls_over_https(stack: Stack) -> None:
    origins = function_by_origin(stack)
    config = {o["Id"]: o for o in distribution(stack)["Origins"]}

    assert set(origins.values()) == {"entries", "reviews", "cases", "admin", "feedback"}
    for origin_id in origins:
        custom = config[origin_id]["CustomOriginConfig"]
        assert custom["OriginProtocolPolicy"] == "https-only", origin_id
        assert custom["OriginSSLProtocols"] == ["TLSv1.2"], origin_id
        assert "OriginAccessControlId" not in config[origin_id], origin_id  # AuthType NONE: decision 18


def test_api_behaviours_pass_everything_but_host_and_cache_nothing(stack: Stack) -> None:
    origins = function_by_origin(stack)
    api = [b for b in behaviours(stack) if b["TargetOriginId"] in origins]

    assert len(api) > 10
    for behaviour in api:
        pattern = behaviour["PathPattern"]
        assert behaviour["CachePolicyId"] == CACHING_DISABLED, pattern
        assert set(behaviour["AllowedMethods"]) == {
            "GET",
            "HEAD",
            "OPTIONS",
            "PUT",
            "PATCH",
            "POST",
            "DELETE",
        }
        expected = (
            stack.resolve({"Ref": "FeedbackOriginRequestPolicy"})
            if behaviour["TargetOriginId"] == "feedback"
            else ALL_VIEWER_EXCEPT_HOST
        )
        assert behaviour["OriginRequestPolicyId"] == expected, pattern


def test_every_bucket_is_private_with_no_website_and_no_public_principal(stack: Stack) -> None:
    resources = stack.template["Resources"]
    buckets = {k: r for k, r in resources.items() if r["Type"] == "AWS::S3::Bucket"}
    assert set(buckets) == {"SiteBucket", "AppBucket", "LedgerBucket"}
    for logical_id, bucket in buckets.items():
        props = bucket["Properties"]
        assert "WebsiteConfiguration" not in props, logical_id
        assert props["PublicAccessBlockConfiguration"] == dict.fromkeys(
            ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
        ), logical_id
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"], logical_id
        assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    for policy in (r for r in resources.values() if r["Type"] == "AWS::S3::BucketPolicy"):
        for statement in stack.resolve(policy["Properties"]["PolicyDocument"])["Statement"]:
            if statement["Effect"] == "Allow":
                assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}, statement


@pytest.mark.parametrize("bucket", ["AppBucket", "SiteBucket"])
def test_only_this_distribution_may_read_the_app_and_site_buckets(stack: Stack, bucket: str) -> None:
    resources = stack.template["Resources"]
    policy = next(
        r
        for r in resources.values()
        if r["Type"] == "AWS::S3::BucketPolicy" and r["Properties"]["Bucket"] == {"Ref": bucket}
    )
    allows = [
        s
        for s in stack.resolve(policy["Properties"]["PolicyDocument"])["Statement"]
        if s["Effect"] == "Allow"
    ]
    arn = f"arn:aws:s3:::{stack.names[bucket]}"
    distribution_arn = (
        f"arn:aws:cloudfront::123456789012:distribution/{stack.resolve({'Ref': 'Distribution'})}"
    )

    assert len(allows) == 1
    assert set(allows[0]["Action"]) == {"s3:GetObject", "s3:ListBucket"}
    assert set(allows[0]["Resource"]) == {arn, f"{arn}/*"}
    assert allows[0]["Condition"] == {"StringEquals": {"AWS:SourceArn": distribution_arn}}


def test_the_publisher_still_writes_and_lists_the_site_bucket(stack: Stack) -> None:
    # The bucket policy names only the distribution; the publisher's own grants still reach it.
    site = f"arn:aws:s3:::{stack.names['SiteBucket']}"
    grants: dict[str, set[str]] = {}
    for policy in stack.template["Resources"]["DisclosurePublisherFunction"]["Properties"]["Policies"]:
        for statement in policy["Statement"]:
            resource = stack.resolve(statement["Resource"])
            for arn in resource if isinstance(resource, list) else [resource]:
                actions = statement["Action"]
                grants.setdefault(arn, set()).update(actions if isinstance(actions, list) else [actions])

    assert grants[f"{site}/*"] >= {"s3:GetObject", "s3:PutObject"}
    assert grants[site] >= {"s3:ListBucket"}


# --------------------------------------------------------------------------- HTTPS and headers


def test_every_behaviour_is_https_only_or_redirects_to_https(stack: Stack) -> None:
    for behaviour in behaviours(stack):
        policy = behaviour["ViewerProtocolPolicy"]
        origin = behaviour["TargetOriginId"]
        # Pages may be typed as http:// and are redirected; an API call over http is refused, not
        # redirected (a redirected POST would lose its body).
        expected = "redirect-to-https" if origin in {"app", "site"} else "https-only"
        assert policy == expected, behaviour["PathPattern"]


def test_the_distribution_speaks_http2_and_http3_over_ipv6_at_the_chosen_price_class(stack: Stack) -> None:
    config = distribution(stack)
    price = stack.template["Parameters"]["PriceClass"]

    assert (config["HttpVersion"], config["IPV6Enabled"], config["Enabled"]) == ("http2and3", True, True)
    assert config["PriceClass"] == price["Default"] == "PriceClass_All"
    assert set(price["AllowedValues"]) == {"PriceClass_100", "PriceClass_200", "PriceClass_All"}
    assert config["ViewerCertificate"] == {"CloudFrontDefaultCertificate": True}
    assert "CustomErrorResponses" not in config  # they would replace the API's JSON errors too


def test_an_own_domain_gets_its_certificate_and_tls_1_2_at_least(template: dict[str, Any]) -> None:
    stack = Stack(template, parameters=OWN_DOMAIN)
    config = distribution(stack)

    assert config["Aliases"] == ["rz.example.gov.cn"]
    assert config["ViewerCertificate"] == {
        "AcmCertificateArn": OWN_DOMAIN["AppCertificateArn"],
        "SslSupportMethod": "sni-only",
        "MinimumProtocolVersion": "TLSv1.2_2021",
    }


def _headers_policy(stack: Stack, logical_id: str) -> dict[str, Any]:
    config: dict[str, Any] = stack.template["Resources"][logical_id]["Properties"][
        "ResponseHeadersPolicyConfig"
    ]["SecurityHeadersConfig"]
    return config


def test_app_and_site_pages_carry_the_csp_hsts_no_referrer_nosniff_and_deny(stack: Stack) -> None:
    pages = stack.resolve({"Ref": "PageHeadersPolicy"})
    for path in ("/", "/today", "/site/", "/site/notices/index.html"):
        assert behaviour_for(stack, path)["ResponseHeadersPolicyId"] == pages, path
    headers = _headers_policy(stack, "PageHeadersPolicy")

    assert headers["ContentSecurityPolicy"] == {"ContentSecurityPolicy": APP_CSP, "Override": True}
    hsts = headers["StrictTransportSecurity"]
    assert hsts["AccessControlMaxAgeSec"] >= 365 * 24 * 3600 and hsts["IncludeSubdomains"] is True
    assert hsts["Override"] is True
    assert headers["ReferrerPolicy"] == {"ReferrerPolicy": "no-referrer", "Override": True}
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["FrameOptions"] == {"FrameOption": "DENY", "Override": True}


def test_api_answers_carry_hsts_and_no_page_csp(stack: Stack) -> None:
    api = stack.resolve({"Ref": "ApiHeadersPolicy"})
    for path in ("/me", "/entries/2026-11-20", "/admin/notices", "/feedback/N1", "/oauth2/token"):
        assert behaviour_for(stack, path)["ResponseHeadersPolicyId"] == api, path
    headers = _headers_policy(stack, "ApiHeadersPolicy")

    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 365 * 24 * 3600
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
    # The feedback endpoint's HTML answer styles itself inline under its own meta CSP.
    assert "ContentSecurityPolicy" not in headers


def test_the_public_sites_pages_live_within_the_app_csp() -> None:
    # The site's own meta CSP (render.csp) and the front door's header CSP both apply: a page must
    # need nothing the header forbids - no script, no other origin; inline style only.
    from worklog.publish.render import csp

    page = csp("https://d111111abcdef8.cloudfront.net/feedback/N20261120-c0001")
    directives = dict(d.strip().split(" ", 1) for d in page.split(";"))
    assert "script-src" not in directives and directives["default-src"] == "'none'"
    assert directives["style-src"] == "'unsafe-inline'"  # allowed by style-src 'self' 'unsafe-inline'
    assert directives["img-src"] == "'self' data:"  # allowed by img-src 'self' data:
    # The form posts to the front door itself: form-action 'self' of the header CSP allows it.
    assert directives["form-action"] == "https://d111111abcdef8.cloudfront.net"


# --------------------------------------------------------------------------- feedback through the front door


def test_the_notice_pages_form_posts_to_the_front_door(stack: Stack) -> None:
    env = {spec.logical_id: spec.environment for spec in stack.functions()}
    host = stack.resolve({"Fn::GetAtt": ["Distribution", "DomainName"]})

    feedback_url = env["DisclosurePublisherFunction"]["FEEDBACK_URL"]

    assert feedback_url == f"https://{host}"
    # The publisher appends /feedback/<notice id>: the feedback function's own behaviour.
    assert behaviour_for(stack, "/feedback/N20261120-c0001")["TargetOriginId"] == "feedback"


def test_with_an_own_domain_the_form_and_the_outputs_use_it(template: dict[str, Any]) -> None:
    stack = Stack(template, parameters=OWN_DOMAIN)
    env = {spec.logical_id: spec.environment for spec in stack.functions()}
    outputs = {k: stack.resolve(v["Value"]) for k, v in template["Outputs"].items() if "Condition" not in v}

    assert env["DisclosurePublisherFunction"]["FEEDBACK_URL"] == "https://rz.example.gov.cn"
    assert outputs["AppUrl"] == "https://rz.example.gov.cn/"
    assert outputs["SiteUrl"] == "https://rz.example.gov.cn/site/"


def test_the_feedback_origin_proves_itself_with_the_functions_edge_secret(stack: Stack) -> None:
    from worklog.vetting.senders import EDGE_HEADER, VIEWER_ADDRESS_HEADER

    origin = next(o for o in distribution(stack)["Origins"] if o["Id"] == "feedback")
    env = {spec.logical_id: spec.environment for spec in stack.functions()}["FeedbackFunction"]
    policy = stack.template["Resources"]["FeedbackOriginRequestPolicy"]["Properties"][
        "OriginRequestPolicyConfig"
    ]

    [header] = origin["OriginCustomHeaders"]
    assert header["HeaderName"].lower() == EDGE_HEADER
    assert header["HeaderValue"] == env["EDGE_SECRET"] != ""
    assert header["HeaderValue"] in stack.resolve({"Ref": "AWS::StackId"})  # never in a public name
    forwarded = [h.lower() for h in policy["HeadersConfig"]["Headers"]]
    assert VIEWER_ADDRESS_HEADER in forwarded and "host" not in forwarded
    assert policy["HeadersConfig"]["HeaderBehavior"] == "whitelist"


def test_the_edge_secret_is_not_in_the_public_sign_in_domain(stack: Stack) -> None:
    secret = {spec.logical_id: spec.environment for spec in stack.functions()}["FeedbackFunction"][
        "EDGE_SECRET"
    ]
    domain = stack.resolve({"Ref": "UserPoolDomain"})

    assert secret not in domain and domain == "worklog-local-123456789012"


# --------------------------------------------------------------------------- the viewer-request function


def run_function(template: dict[str, Any], uris: list[str], tmp_path: Path) -> list[dict[str, Any]]:
    code = tmp_path / "function.js"
    code.write_text(
        template["Resources"]["FrontDoorFunction"]["Properties"]["FunctionCode"], encoding="utf-8"
    )
    done = subprocess.run(
        ["node", str(HARNESS), str(code)],
        input=json.dumps(uris),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results


SITE_CASES = [
    ("/site/", {"uri": "/index.html"}),
    ("/site/notices/", {"uri": "/notices/index.html"}),
    ("/site/units/jyj/", {"uri": "/units/jyj/index.html"}),
    ("/site/units/jyj/index.html", {"uri": "/units/jyj/index.html"}),
    ("/site/ledger/public-key.pem", {"uri": "/ledger/public-key.pem"}),
    ("/site/ledger/checkpoints/2026-11-20.json", {"uri": "/ledger/checkpoints/2026-11-20.json"}),
    ("/site/x.css", {"uri": "/x.css"}),
    # A directory without its slash: redirected, so its page's relative links resolve as written.
    ("/site", {"statusCode": 301, "location": "/site/"}),
    ("/site/units/jyj", {"statusCode": 301, "location": "/site/units/jyj/"}),
]
APP_CASES = [
    ("/", {"uri": "/index.html"}),
    ("/today", {"uri": "/index.html"}),
    ("/calendar/2026-12", {"uri": "/index.html"}),
    ("/callback", {"uri": "/index.html"}),
    ("/reviews-of-mine/", {"uri": "/index.html"}),
    ("/assets/index-1a2b3c4d.js", {"uri": "/assets/index-1a2b3c4d.js"}),
    ("/assets/index-1a2b3c4d.css", {"uri": "/assets/index-1a2b3c4d.css"}),
    ("/sw.js", {"uri": "/sw.js"}),
    ("/registerSW.js", {"uri": "/registerSW.js"}),
    ("/manifest.webmanifest", {"uri": "/manifest.webmanifest"}),
    ("/config.json", {"uri": "/config.json"}),
    ("/index.html", {"uri": "/index.html"}),
    ("/sites", {"uri": "/index.html"}),  # not the site: the app's route
]


@pytest.mark.parametrize("cases", [SITE_CASES, APP_CASES], ids=["site", "app"])
def test_the_viewer_request_function_maps_each_uri(
    template: dict[str, Any], tmp_path: Path, cases: list[tuple[str, dict[str, Any]]]
) -> None:
    results = run_function(template, [uri for uri, _ in cases], tmp_path)

    assert dict(zip([uri for uri, _ in cases], results, strict=True)) == dict(cases)


def test_the_function_is_cloudfront_js_2_published_on_the_app_and_site_behaviours(stack: Stack) -> None:
    function = stack.template["Resources"]["FrontDoorFunction"]["Properties"]
    arn = stack.resolve({"Fn::GetAtt": ["FrontDoorFunction", "FunctionARN"]})

    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert function["AutoPublish"] is True
    for behaviour in behaviours(stack):
        associations = behaviour.get("FunctionAssociations", [])
        if behaviour["TargetOriginId"] in {"app", "site"}:
            assert associations == [{"EventType": "viewer-request", "FunctionARN": arn}]
        else:
            assert associations == [], behaviour["PathPattern"]


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
        assert ssm == ([("ssm:GetParameter", arn)] if logical_id in TOKEN_FUNCTIONS else []), logical_id


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
