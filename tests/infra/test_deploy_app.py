"""`make deploy` uploads the built app: config.json from the stack's outputs, each file with the
Content-Type and Cache-Control it needs, stale files removed, the entry files invalidated."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra import deploy_app
from infra.deploy_app import DeployError, app_config, plan, stack_settings
from infra.template import Stack

REGION = "ap-southeast-1"
APP_URL = "https://d111111abcdef8.cloudfront.net/"
COGNITO_OUTPUTS = {
    "AppUrl": APP_URL,
    "SiteUrl": f"{APP_URL}site/",
    "AppBucketName": "worklog-app",
    "DistributionId": "E2QWRUHAPOMQZL",
    "UserPoolId": f"{REGION}_AbCdEf123",
    "TokenIssuerUrl": f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_AbCdEf123",
    "UserPoolClientId": "1h2g3f4e5d6c7b8a9",
    "HostedUiUrl": f"https://worklog-123456789012.auth.{REGION}.amazoncognito.com",
}
EXTERNAL = {"TokenIssuer": "https://id.example.org/realms/worklog", "TokenAudience": "worklog-app"}


def build(dist: Path) -> Path:
    """A Vite-like build: hashed assets, the service worker and its registration, icons."""
    files = {
        "index.html": '<!doctype html><script type="module" src="/assets/index-1a2b3c4d.js"></script>',
        "assets/index-1a2b3c4d.js": "console.log('app')",
        "assets/index-5e6f7a8b.css": "body{}",
        "assets/today-9c0d1e2f.js": "export default {}",
        "sw.js": "self.addEventListener('fetch', () => {})",
        "registerSW.js": "navigator.serviceWorker.register('/sw.js')",
        "manifest.webmanifest": '{"name": "干部工作日志"}',
        "icons/icon-192.png": "\x89PNG",
        "favicon.svg": "<svg/>",
    }
    for key, text in files.items():
        path = dist / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return dist


# --------------------------------------------------------------------------- config.json


def test_the_config_signs_in_with_the_stacks_user_pool_through_the_front_door() -> None:
    config = app_config(COGNITO_OUTPUTS, {"TokenIssuer": "", "TokenAudience": ""})

    assert config == {
        "authority": f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_AbCdEf123",
        "client_id": "1h2g3f4e5d6c7b8a9",
        "scope": "openid",
        "redirect_path": "/callback",
        "post_logout_path": "/",
        "sign_out_url": (
            f"https://worklog-123456789012.auth.{REGION}.amazoncognito.com/logout"
            "?client_id=1h2g3f4e5d6c7b8a9&logout_uri=https%3A%2F%2Fd111111abcdef8.cloudfront.net%2F"
        ),
        "environment": "aws",
        # The authorization request is a navigation (any origin); token calls are fetches, which
        # the app's CSP allows only to its own origin: they go through the distribution.
        "authorization_endpoint": f"https://worklog-123456789012.auth.{REGION}.amazoncognito.com/oauth2/authorize",
        "token_endpoint": f"{APP_URL}oauth2/token",
        "revocation_endpoint": f"{APP_URL}oauth2/revoke",
        "end_session_endpoint": None,
    }


def test_with_an_external_issuer_the_config_names_it_and_its_audience() -> None:
    outputs = {
        k: v
        for k, v in COGNITO_OUTPUTS.items()
        if k not in {"UserPoolId", "UserPoolClientId", "HostedUiUrl", "TokenIssuerUrl"}
    }

    config = app_config(outputs, EXTERNAL)

    assert config["authority"] == EXTERNAL["TokenIssuer"]
    assert config["client_id"] == EXTERNAL["TokenAudience"]
    assert config["sign_out_url"] is None and config["token_endpoint"] is None
    assert (config["scope"], config["redirect_path"], config["environment"]) == ("openid", "/callback", "aws")


def test_a_stack_without_the_front_door_outputs_is_a_clear_error() -> None:
    with pytest.raises(DeployError, match="no output AppUrl"):
        app_config({"UserPoolId": "p"}, {})
    with pytest.raises(DeployError, match="TokenAudience"):
        app_config(COGNITO_OUTPUTS, {"TokenIssuer": "https://id.example.org"})


# --------------------------------------------------------------------------- the plan


def test_hashed_assets_are_immutable_and_everything_else_is_revalidated(tmp_path: Path) -> None:
    uploads = {u.key: u for u in plan(build(tmp_path))}

    for key in ("assets/index-1a2b3c4d.js", "assets/index-5e6f7a8b.css", "assets/today-9c0d1e2f.js"):
        assert uploads[key].cache_control == "public, max-age=31536000, immutable", key
    for key in ("index.html", "sw.js", "registerSW.js", "manifest.webmanifest", "icons/icon-192.png"):
        assert uploads[key].cache_control == "no-cache", key
    assert uploads["index.html"].content_type == "text/html; charset=utf-8"
    assert uploads["assets/index-1a2b3c4d.js"].content_type == "text/javascript; charset=utf-8"
    assert uploads["assets/index-5e6f7a8b.css"].content_type == "text/css; charset=utf-8"
    assert uploads["manifest.webmanifest"].content_type == "application/manifest+json; charset=utf-8"
    assert uploads["icons/icon-192.png"].content_type == "image/png"
    assert uploads["favicon.svg"].content_type == "image/svg+xml"


def test_assets_go_up_first_and_index_html_last(tmp_path: Path) -> None:
    keys = [u.key for u in plan(build(tmp_path))]

    assert keys[:3] == sorted(k for k in keys if k.startswith("assets/"))
    assert keys[-1] == "index.html"
    assert keys.index("sw.js") > keys.index("favicon.svg")


def test_no_build_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DeployError, match="make web"):
        plan(tmp_path)


def test_the_stack_name_and_region_come_from_sams_saved_settings(tmp_path: Path) -> None:
    samconfig = tmp_path / "samconfig.toml"
    samconfig.write_text(
        "version = 0.1\n[default.deploy.parameters]\n"
        'stack_name = "worklog-jinjiang"\nregion = "ap-southeast-1"\ncapabilities = "CAPABILITY_IAM"\n',
        encoding="utf-8",
    )

    assert stack_settings(samconfig) == {"stack_name": "worklog-jinjiang", "region": "ap-southeast-1"}
    assert stack_settings(tmp_path / "missing.toml") == {}


# --------------------------------------------------------------------------- against moto


STACK_TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Parameters": {
        "TokenIssuer": {"Type": "String", "Default": ""},
        "TokenAudience": {"Type": "String", "Default": ""},
    },
    "Resources": {"Placeholder": {"Type": "AWS::SQS::Queue"}},
    "Outputs": {key: {"Value": value} for key, value in COGNITO_OUTPUTS.items()},
}


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[boto3.session.Session]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        session = boto3.session.Session(region_name=REGION)
        yield session


def deployed_stack(session: boto3.session.Session) -> str:
    """The stack's outputs as CloudFormation gives them, the app bucket and the distribution."""
    s3 = session.client("s3")
    s3.create_bucket(Bucket="worklog-app", CreateBucketConfiguration={"LocationConstraint": REGION})
    distribution = session.client("cloudfront").create_distribution(
        DistributionConfig={
            "CallerReference": "worklog",
            "Comment": "",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "app",
                        "DomainName": "worklog-app.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "app",
                "ViewerProtocolPolicy": "redirect-to-https",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
            },
        }
    )["Distribution"]["Id"]
    template = json.loads(json.dumps(STACK_TEMPLATE))
    template["Outputs"]["DistributionId"] = {"Value": distribution}
    session.client("cloudformation").create_stack(
        StackName="worklog-jinjiang", TemplateBody=json.dumps(template)
    )
    return str(distribution)


def test_a_deploy_puts_each_file_with_its_headers_and_the_config_beside_them(
    aws: boto3.session.Session, tmp_path: Path
) -> None:
    # Given a deployed stack and a fresh build
    distribution = deployed_stack(aws)
    dist = build(tmp_path / "dist")

    # When the app is deployed
    done = deploy_app.deploy(aws, "worklog-jinjiang", dist)

    # Then every file is in the bucket with its type and caching
    s3 = aws.client("s3")
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="worklog-app")["Contents"]}
    assert keys == {u.key for u in plan(dist)} and "config.json" in keys

    def head(key: str) -> tuple[str, str]:
        found = s3.head_object(Bucket="worklog-app", Key=key)
        return found["ContentType"], found["CacheControl"]

    assert head("index.html") == ("text/html; charset=utf-8", "no-cache")
    assert head("sw.js") == ("text/javascript; charset=utf-8", "no-cache")
    assert head("config.json") == ("application/json; charset=utf-8", "no-cache")
    assert head("assets/index-1a2b3c4d.js") == (
        "text/javascript; charset=utf-8",
        "public, max-age=31536000, immutable",
    )
    # And config.json, in the bucket and next to the build, says how to sign in on this stack
    stored = json.loads(s3.get_object(Bucket="worklog-app", Key="config.json")["Body"].read())
    assert stored == json.loads((dist / "config.json").read_text(encoding="utf-8")) == done["config"]
    assert stored["client_id"] == COGNITO_OUTPUTS["UserPoolClientId"]
    assert stored["authority"] == COGNITO_OUTPUTS["TokenIssuerUrl"]
    # And the revalidated files are invalidated at the edge, the immutable assets not
    cloudfront = aws.client("cloudfront")
    [summary] = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]["Items"]
    paths = cloudfront.get_invalidation(DistributionId=distribution, Id=summary["Id"])["Invalidation"][
        "InvalidationBatch"
    ]["Paths"]["Items"]
    assert set(paths) >= {
        "/",
        "/index.html",
        "/sw.js",
        "/registerSW.js",
        "/manifest.webmanifest",
        "/config.json",
    }
    assert not [p for p in paths if p.startswith("/assets/")]


def test_a_release_removes_old_files_but_keeps_replaced_assets_a_week(
    aws: boto3.session.Session, tmp_path: Path
) -> None:
    # Given a previous release's files still in the bucket
    deployed_stack(aws)
    s3 = aws.client("s3")
    for key in ("assets/old-00000000.js", "old-page.html"):
        s3.put_object(Bucket="worklog-app", Key=key, Body=b"old")
    dist = build(tmp_path / "dist")

    # When the next release goes up the same day, Then the old page goes, the old asset stays
    done = deploy_app.deploy(aws, "worklog-jinjiang", dist)
    assert done["deleted"] == ["old-page.html"]
    assert "assets/old-00000000.js" in {
        o["Key"] for o in s3.list_objects_v2(Bucket="worklog-app")["Contents"]
    }

    # And a release more than a week later removes the replaced asset too
    later = datetime.now(UTC) + timedelta(days=8)
    done = deploy_app.deploy(aws, "worklog-jinjiang", dist, now=later)
    assert done["deleted"] == ["assets/old-00000000.js"]


def test_the_command_reads_the_stack_from_samconfig_and_reports_what_it_did(
    aws: boto3.session.Session,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    deployed_stack(aws)
    samconfig = tmp_path / "samconfig.toml"
    samconfig.write_text(
        f'version = 0.1\n[default.deploy.parameters]\nstack_name = "worklog-jinjiang"\nregion = "{REGION}"\n',
        encoding="utf-8",
    )
    dist = build(tmp_path / "dist")

    code = deploy_app.main(["--samconfig", str(samconfig), "--dist", str(dist)])

    assert code == 0
    out = capsys.readouterr().out
    assert "s3://worklog-app/" in out and APP_URL in out


def test_the_command_without_a_build_says_to_build_first(
    aws: boto3.session.Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployed_stack(aws)

    code = deploy_app.main(["--stack-name", "worklog-jinjiang", "--region", REGION, "--dist", str(tmp_path)])

    assert code == 1
    assert "make web" in capsys.readouterr().err
    assert "Contents" not in aws.client("s3").list_objects_v2(Bucket="worklog-app")
    assert list(tmp_path.iterdir()) == []  # not even a config.json left behind


def test_the_authority_is_the_issuer_the_functions_verify_tokens_against(template: dict[str, Any]) -> None:
    # Given the template as deployed (its user pool's issuer is built with the partition's suffix)
    stack = Stack(template)
    outputs = {key: stack.resolve(o["Value"]) for key, o in template["Outputs"].items()}
    entries = {spec.logical_id: spec for spec in stack.functions()}["EntriesFunction"]

    # When the app's config is made from the stack's outputs
    config = app_config(outputs, {"TokenIssuer": "", "TokenAudience": ""})

    # Then the app signs in where the functions' tokens come from
    assert config["authority"] == outputs["TokenIssuerUrl"] == entries.environment["TOKEN_ISSUER"]
    china = Stack(template, parameters=EXTERNAL, region="cn-north-1")
    assert china.resolve(template["Outputs"]["TokenIssuerUrl"]["Value"]) == EXTERNAL["TokenIssuer"]


def test_in_china_without_a_distribution_the_app_goes_up_and_nothing_is_invalidated(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        session = boto3.session.Session(region_name="cn-north-1")
        session.client("s3").create_bucket(
            Bucket="worklog-app", CreateBucketConfiguration={"LocationConstraint": "cn-north-1"}
        )
        template = json.loads(json.dumps(STACK_TEMPLATE))
        template["Outputs"] = {
            key: {"Value": value}
            for key, value in {**COGNITO_OUTPUTS, "AppUrl": "https://rz.example.gov.cn/"}.items()
            if key not in {"DistributionId", "UserPoolId", "UserPoolClientId", "HostedUiUrl"}
        }
        template["Parameters"]["TokenIssuer"]["Default"] = EXTERNAL["TokenIssuer"]
        template["Parameters"]["TokenAudience"]["Default"] = EXTERNAL["TokenAudience"]
        session.client("cloudformation").create_stack(
            StackName="worklog-cn", TemplateBody=json.dumps(template)
        )

        done = deploy_app.deploy(session, "worklog-cn", build(tmp_path / "dist"))

    assert done["invalidation"] is None and "index.html" in done["uploaded"]
    assert done["config"]["authority"] == EXTERNAL["TokenIssuer"]
