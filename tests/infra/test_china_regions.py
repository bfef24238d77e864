"""The AWS China regions (README, "AWS China regions"): the same template deploys in cn-north-1.

cn-north-1 has function URLs (cn-northwest-1 has none, so the API cannot run there) but no Cognito
user pools, and its CloudFront has no origin access control and no CloudFront Functions. The
template's ``InChina`` condition (on AWS::Region, which cfn-lint resolves per linted region) leaves
those out; an external OIDC issuer (TokenIssuer, TokenAudience, JwksUrl) signs the tokens there.
"""

from __future__ import annotations

from typing import Any

import pytest

from infra.cloudformation.source import translate
from infra.template import TEMPLATE_PATH, Stack
from tests.infra.test_template import EXTERNAL_ISSUER, URL_FUNCTIONS

CHINA = "cn-north-1"
NOT_IN_CHINA = {
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolDomain",
    "AWS::Cognito::UserPoolClient",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::Function",
    "AWS::CloudFront::Distribution",
}


@pytest.mark.parametrize(
    "parameters", [EXTERNAL_ISSUER, {}], ids=["with an external issuer", "with the default parameters"]
)
def test_cfn_lint_reports_nothing_for_cn_north_1(parameters: dict[str, str]) -> None:
    from cfnlint.api import ManualArgs, lint_file

    args = ManualArgs(include_checks=["I"], regions=[CHINA])
    if parameters:
        args["parameters"] = [parameters]  # cfn-lint wraps a plain mapping in a ParameterSet

    matches = lint_file(TEMPLATE_PATH, config=args)

    assert not matches, "\n".join(str(match) for match in matches)


def test_in_china_no_user_pool_and_no_cloudfront_feature_it_lacks_is_created(
    template: dict[str, Any],
) -> None:
    china = Stack(template, parameters=EXTERNAL_ISSUER, region=CHINA)
    abroad = Stack(template, parameters=EXTERNAL_ISSUER)

    assert china.of_type(*NOT_IN_CHINA) == []
    assert set(abroad.of_type(*NOT_IN_CHINA)) >= {
        "Distribution",
        "FrontDoorFunction",
        "S3OriginAccessControl",
    }
    # Even without an issuer no user pool is attempted in China (the stack would fail to create).
    assert Stack(template, region=CHINA).condition("UseCognito") is False
    assert Stack(template).condition("UseCognito") is True


def test_in_china_the_functions_keep_their_urls_and_trust_the_external_issuer(
    template: dict[str, Any],
) -> None:
    china = Stack(template, parameters=EXTERNAL_ISSUER, region=CHINA)
    functions = {spec.logical_id: spec for spec in china.functions()}

    assert {logical_id for logical_id, spec in functions.items() if spec.url} == URL_FUNCTIONS
    for spec in functions.values():
        assert spec.environment["TOKEN_ISSUER"] == EXTERNAL_ISSUER["TokenIssuer"]
        assert spec.environment["TOKEN_AUDIENCE"] == EXTERNAL_ISSUER["TokenAudience"]
        assert spec.environment["JWKS_URL"] == EXTERNAL_ISSUER["JwksUrl"]


def test_in_china_the_buckets_grant_no_distribution_and_the_addresses_are_the_own_domain(
    template: dict[str, Any],
) -> None:
    # The front door in China is the operator's (an ICP-filed domain): AppDomainName names it.
    china = Stack(
        template, parameters={**EXTERNAL_ISSUER, "AppDomainName": "rz.example.gov.cn"}, region=CHINA
    )
    outputs = {
        key: china.resolve(output["Value"])
        for key, output in template["Outputs"].items()
        if "Condition" not in output or china.condition(output["Condition"])
    }

    for bucket_policy in ("SiteBucketPolicy", "AppBucketPolicy"):
        statements = china.properties(bucket_policy)["PolicyDocument"]["Statement"]
        assert [s["Sid"] for s in statements] == ["DenyInsecureTransport"], bucket_policy
    assert "DistributionId" not in outputs and "DistributionDomainName" not in outputs
    assert outputs["AppUrl"] == "https://rz.example.gov.cn/"
    assert outputs["SiteUrl"] == "https://rz.example.gov.cn/site/"
    publisher = {spec.logical_id: spec for spec in china.functions()}["DisclosurePublisherFunction"]
    assert publisher.environment["FEEDBACK_URL"] == "https://rz.example.gov.cn"


def test_the_sam_transform_expands_the_template_for_cn_north_1(template: dict[str, Any]) -> None:
    expanded = translate(template, Stack.parameter_values(template["Parameters"], EXTERNAL_ISSUER), CHINA)

    urls = [lid for lid, r in expanded["Resources"].items() if r["Type"] == "AWS::Lambda::Url"]
    assert len(urls) == len(URL_FUNCTIONS)
