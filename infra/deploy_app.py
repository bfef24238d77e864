"""Upload the web app built for the distribution's / (web/dist-root) to the stack's app bucket.

    python -m infra.deploy_app [--stack-name NAME] [--region REGION] [--dist web/dist-root]

After ``sam deploy`` it reads the stack's outputs (and parameters), writes ``config.json`` (the
app's sign-in settings) next to the built files, uploads them with the Content-Type and
Cache-Control each needs, removes what the new build no longer has, and invalidates the entry
files in CloudFront. The stack name and region default to those ``sam deploy --guided`` saved in
samconfig.toml. Only boto3: no AWS CLI needed.

Caching: files under ``assets/`` carry a content hash in their names, so they are immutable for a
year; everything else (index.html, sw.js, registerSW.js, manifest.webmanifest, config.json, icons)
is ``no-cache`` (revalidated on every use). Files go up assets first and index.html last, so no
page ever names an asset that is not there yet, and replaced assets stay a few days, so a page
loaded before the release can still fetch its lazily loaded screens.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import sys
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "web" / "dist-root"
SAMCONFIG = ROOT / "samconfig.toml"
CONFIG_NAME = "config.json"
ASSETS_PREFIX = "assets/"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Replaced assets are kept this long: a page loaded before a release still finds its chunks.
KEEP_REPLACED_ASSETS = timedelta(days=7)
# Uploaded last: they name the other files.
ENTRY_FILES = ("sw.js", "registerSW.js", "manifest.webmanifest", CONFIG_NAME, "index.html")
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".webmanifest": "application/manifest+json; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
    ".wasm": "application/wasm",
}


class DeployError(RuntimeError):
    """Something the person deploying must fix (said plainly, no traceback)."""


@dataclass(frozen=True)
class Upload:
    key: str
    path: Path
    content_type: str
    cache_control: str


# --------------------------------------------------------------------------- the app's config


def app_config(outputs: Mapping[str, str], parameters: Mapping[str, str]) -> dict[str, Any]:
    """config.json: how the app signs in on this stack.

    With the stack's own Cognito user pool: the pool as issuer, the hosted sign-in pages for the
    authorization request and for signing out, and the token endpoints through the front door
    (/oauth2/*: the app's CSP allows no other origin for fetch). With an external issuer
    (TokenIssuer given): that issuer and TokenAudience as the client id; the app finds its
    endpoints from the issuer, and there is no sign-out URL to give. The pool's issuer URL is the
    stack's output TokenIssuerUrl, the very value the functions verify tokens against (its host
    depends on the partition's URL suffix), never spelt here.
    """
    app_url = _required(outputs, "AppUrl")
    if not app_url.endswith("/"):
        app_url += "/"
    config: dict[str, Any] = {
        "scope": "openid",
        "redirect_path": "/callback",
        "post_logout_path": "/",
        "environment": "aws",
    }
    issuer = (parameters.get("TokenIssuer") or "").strip()
    if issuer:
        audience = (parameters.get("TokenAudience") or "").strip()
        if not audience:
            raise DeployError("the stack trusts an external issuer but has no TokenAudience (its client id)")
        return {
            "authority": issuer,
            "client_id": audience,
            **config,
            "sign_out_url": None,
            "authorization_endpoint": None,
            "token_endpoint": None,
            "revocation_endpoint": None,
            "end_session_endpoint": None,
        }
    authority = _required(outputs, "TokenIssuerUrl")
    client_id = _required(outputs, "UserPoolClientId")
    hosted = _required(outputs, "HostedUiUrl").rstrip("/")
    back_to = f"client_id={quote(client_id, safe='')}&logout_uri={quote(app_url, safe='')}"
    return {
        "authority": authority,
        "client_id": client_id,
        **config,
        "sign_out_url": f"{hosted}/logout?{back_to}",
        "authorization_endpoint": f"{hosted}/oauth2/authorize",
        "token_endpoint": f"{app_url}oauth2/token",
        "revocation_endpoint": f"{app_url}oauth2/revoke",
        # Cognito's sign-out is its hosted UI's /logout with its own parameters: sign_out_url.
        "end_session_endpoint": None,
    }


def _required(outputs: Mapping[str, str], name: str) -> str:
    value = outputs.get(name)
    if not value:
        raise DeployError(f"the stack has no output {name}: deploy the current template.yaml first")
    return value


# --------------------------------------------------------------------------- what goes up, and how


def content_type(key: str) -> str:
    suffix = Path(key).suffix.lower()
    return _TYPES.get(suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"


def cache_control(key: str) -> str:
    return IMMUTABLE if key.startswith(ASSETS_PREFIX) else REVALIDATE


def plan(dist: Path) -> list[Upload]:
    """Every file of the build, assets first and the entry files last (index.html at the end)."""
    if not (dist / "index.html").is_file():
        raise DeployError(f"no built app in {dist} (index.html missing): run `make web-root` first")
    files = sorted(p for p in dist.rglob("*") if p.is_file() and not p.name.startswith("."))
    uploads = [
        Upload(key, path, content_type(key), cache_control(key))
        for path in files
        for key in [path.relative_to(dist).as_posix()]
    ]

    def order(u: Upload) -> tuple[int, int, str]:
        if u.key.startswith(ASSETS_PREFIX):
            return (0, 0, u.key)
        if u.key in ENTRY_FILES:
            return (2, ENTRY_FILES.index(u.key), u.key)
        return (1, 0, u.key)

    return sorted(uploads, key=order)


def upload(
    s3: Any,
    bucket: str,
    uploads: Sequence[Upload],
    *,
    now: datetime,
    keep_replaced_assets: timedelta = KEEP_REPLACED_ASSETS,
) -> list[str]:
    """Put every file, then delete what the build no longer has (replaced assets once they are
    ``keep_replaced_assets`` old). Returns the deleted keys."""
    for u in uploads:
        s3.put_object(
            Bucket=bucket,
            Key=u.key,
            Body=u.path.read_bytes(),
            ContentType=u.content_type,
            CacheControl=u.cache_control,
        )
    wanted = {u.key for u in uploads}
    stale = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            key = obj["Key"]
            if key in wanted:
                continue
            if key.startswith(ASSETS_PREFIX) and now - obj["LastModified"] < keep_replaced_assets:
                continue
            stale.append(key)
    for start in range(0, len(stale), 1000):
        batch = [{"Key": key} for key in stale[start : start + 1000]]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
    return stale


def invalidation_paths(uploads: Iterable[Upload]) -> list[str]:
    """The revalidated files (not the immutable assets), and / (index.html by another name)."""
    return ["/", *(f"/{u.key}" for u in uploads if not u.key.startswith(ASSETS_PREFIX))]


def invalidate(cloudfront: Any, distribution_id: str, paths: Sequence[str], *, reference: str) -> str:
    result = cloudfront.create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={
            "Paths": {"Quantity": len(paths), "Items": list(paths)},
            "CallerReference": reference,
        },
    )
    invalidation_id: str = result["Invalidation"]["Id"]
    return invalidation_id


# --------------------------------------------------------------------------- the stack


def stack_settings(samconfig: Path, environment: str = "default") -> dict[str, str]:
    """stack_name and region as `sam deploy --guided` saved them ({} without the file)."""
    if not samconfig.is_file():
        return {}
    data = tomllib.loads(samconfig.read_text(encoding="utf-8"))
    section = data.get(environment, {})
    found: dict[str, str] = {}
    for command in ("deploy", "global"):
        for key, value in (section.get(command, {}).get("parameters", {}) or {}).items():
            if key in {"stack_name", "region"} and isinstance(value, str):
                found.setdefault(key, value)
    return found


def describe(cloudformation: Any, stack_name: str) -> tuple[dict[str, str], dict[str, str]]:
    """The stack's outputs and parameters."""
    stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    if not stacks:
        raise DeployError(f"no stack {stack_name}")
    found = stacks[0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in found.get("Outputs", [])}
    parameters = {p["ParameterKey"]: p.get("ParameterValue", "") for p in found.get("Parameters", [])}
    return outputs, parameters


def deploy(session: Any, stack_name: str, dist: Path, *, now: datetime | None = None) -> dict[str, Any]:
    """The whole upload; returns what was done (for the log line and the tests)."""
    region = session.region_name
    if not region:
        raise DeployError("no AWS region: pass --region or set it in samconfig.toml")
    plan(dist)  # a missing build is said before anything is written
    outputs, parameters = describe(session.client("cloudformation"), stack_name)
    config = app_config(outputs, parameters)
    (dist / CONFIG_NAME).write_text(json.dumps(config, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    uploads = plan(dist)
    moment = now or datetime.now(UTC)
    bucket = _required(outputs, "AppBucketName")
    deleted = upload(session.client("s3"), bucket, uploads, now=moment)
    paths = invalidation_paths(uploads)
    invalidation = None
    # In the China regions the template builds no distribution: the front door is the operator's
    # (README, "AWS China regions"), and so is clearing its cache.
    if not region.startswith("cn-") or outputs.get("DistributionId"):
        invalidation = invalidate(
            session.client("cloudfront"),
            _required(outputs, "DistributionId"),
            paths,
            reference=f"worklog-app-{moment.strftime('%Y%m%dT%H%M%S%fZ')}",
        )
    return {
        "bucket": bucket,
        "uploaded": [u.key for u in uploads],
        "deleted": deleted,
        "invalidation": invalidation,
        "invalidated": paths,
        "app_url": outputs["AppUrl"],
        "config": config,
    }


def main(argv: Sequence[str] | None = None) -> int:
    import boto3

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack-name", help="default: stack_name in samconfig.toml")
    parser.add_argument("--region", help="default: region in samconfig.toml, else the AWS profile's")
    parser.add_argument("--profile", help="AWS profile to use")
    parser.add_argument(
        "--dist", type=Path, default=DIST, help="the app built for / (default web/dist-root: make web-root)"
    )
    parser.add_argument("--samconfig", type=Path, default=SAMCONFIG)
    args = parser.parse_args(argv)
    saved = stack_settings(args.samconfig)
    stack_name = args.stack_name or saved.get("stack_name")
    if not stack_name:
        print(
            "deploy_app: no stack name (pass --stack-name, or run sam deploy --guided first)", file=sys.stderr
        )
        return 2
    session = boto3.session.Session(profile_name=args.profile, region_name=args.region or saved.get("region"))
    try:
        done = deploy(session, stack_name, args.dist)
    except DeployError as err:
        print(f"deploy_app: {err}", file=sys.stderr)
        return 1
    print(
        f"uploaded {len(done['uploaded'])} files to s3://{done['bucket']}/ "
        f"(removed {len(done['deleted'])}), invalidation {done['invalidation']}: {done['app_url']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
