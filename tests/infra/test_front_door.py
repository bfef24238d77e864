"""The front door: one CloudFront distribution is the only HTTPS origin a browser needs.

The web app at /, the public site at /site/, each API path at the function URL that serves it,
Cognito's token endpoint at /oauth2/*; private buckets read only by the distribution; one CSP for
the app and the site; sign-in that returns to the distribution. Read from template.yaml as
CloudFormation would resolve it (infra/template.py). The viewer-request function, run:
test_front_door_function.py; sign-in, the audience and the outputs: test_front_door_sign_in.py.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from infra.local.security import APP_CSP  # the app's CSP: CloudFront sends the local runtime's, word for word
from infra.template import Stack
from tests.infra.front_door_support import (
    ALL_VIEWER_EXCEPT_HOST,
    CACHING_DISABLED,
    EXTERNAL_ISSUER,
    OWN_DOMAIN,
    behaviour_for,
    behaviours,
    distribution,
    function_by_origin,
    routing_problems,
    spec_operations,
)

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
