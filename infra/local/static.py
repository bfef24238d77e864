"""What the runtime serves from files: the public site from its bucket (``/site/``), the Swagger UI
from the swagger-ui-bundle package (``/_local/docs``) and the OpenAPI document it shows."""

from __future__ import annotations

import json
import logging
import mimetypes
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from infra.local.events import HttpResponse
from infra.local.issuer import REPO_ROOT
from infra.local.text import TEXT, not_allowed, not_found

log = logging.getLogger("infra.local")

SITE_PREFIX = "/site"


def guess_type(key: str) -> str:
    guessed, _ = mimetypes.guess_type(key)
    guessed = guessed or "application/octet-stream"
    if guessed.startswith("text/") or guessed in {"application/json", "application/javascript"}:
        guessed += "; charset=utf-8"
    return guessed


# --- /site ---------------------------------------------------------------------------------------


class SiteFiles:
    """The public site bucket served as an S3 website serves it."""

    def __init__(self, bucket: str | None = None) -> None:
        self.bucket = bucket

    def serve(self, method: str, path: str) -> HttpResponse:
        if method.upper() not in {"GET", "HEAD"}:
            return not_allowed()
        if path == SITE_PREFIX:
            return HttpResponse(301, [("Location", SITE_PREFIX + "/")])
        key = unquote(path[len(SITE_PREFIX) + 1 :])
        if key == "" or key.endswith("/"):
            key += "index.html"
        found = self.object(key)
        if found is not None:
            return found
        if not key.endswith("index.html") and self.object(key + "/index.html") is not None:
            return HttpResponse(302, [("Location", path + "/")])  # like an S3 website: dir → dir/
        missing = self.object("404.html")
        if missing is not None:
            return HttpResponse(404, missing.headers, missing.body)
        body = f"<!doctype html><meta charset=utf-8><title>404</title><p>{TEXT['page_not_found']}".encode()
        return HttpResponse(404, [("Content-Type", "text/html; charset=utf-8")], body)

    def object(self, key: str) -> HttpResponse | None:
        """The object at ``key`` as a 200 answer, or None when there is none."""
        import botocore.exceptions

        from worklog import aws

        if not self.bucket:
            return None
        try:
            obj = aws.client("s3").get_object(Bucket=self.bucket, Key=key)
        except botocore.exceptions.ClientError as err:
            if err.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NoSuchBucket"}:
                return None
            raise
        body = obj["Body"].read()
        content_type = obj.get("ContentType")
        if not content_type or content_type in {"binary/octet-stream", "application/octet-stream"}:
            content_type = guess_type(key)
        headers = [("Content-Type", content_type)]
        if obj.get("CacheControl"):
            headers.append(("Cache-Control", obj["CacheControl"]))
        if obj.get("ETag"):
            headers.append(("ETag", obj["ETag"]))
        return HttpResponse(200, headers, body)


# --- the OpenAPI document ------------------------------------------------------------------------


class OpenApiDocument:
    """docs/openapi.json when committed, else generated; ``servers`` names the runtime."""

    def __init__(self, apps: Callable[[], Iterable[Any]]) -> None:
        self._apps = apps  # the resolver apps of the URL functions, for the last resort
        self._document: dict[str, Any] | None = None

    def for_server(self, url: str) -> dict[str, Any]:
        if self._document is None:
            committed = REPO_ROOT / "docs" / "openapi.json"
            if committed.exists():
                self._document = json.loads(committed.read_text(encoding="utf-8"))
            else:
                self._document = self._generated()
        return {**self._document, "servers": [{"url": url, "description": "local runtime"}]}

    def _generated(self) -> dict[str, Any]:
        try:
            from infra.openapi import build_spec

            return build_spec()
        except (Exception, SystemExit) as err:  # build_spec exits on inconsistent schemas
            log.warning("infra.openapi cannot build the spec (%s): merging the apps' own schemas", err)
        return merge_openapi(json.loads(app.get_openapi_json_schema()) for app in self._apps())


def merge_openapi(documents: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """One OpenAPI document for every function URL (the clients see one API)."""
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "干部工作日志 API（本地）", "version": "local"},
        "paths": {},
        "components": {},
    }
    for doc in documents:
        merged["openapi"] = doc.get("openapi", merged["openapi"])
        for path, item in (doc.get("paths") or {}).items():
            merged["paths"].setdefault(path, {}).update(item)
        for section, entries in (doc.get("components") or {}).items():
            merged["components"].setdefault(section, {}).update(entries)
        for tag in doc.get("tags") or []:
            tags = merged.setdefault("tags", [])
            if tag not in tags:
                tags.append(tag)
    if not merged["components"]:
        del merged["components"]
    return merged


# --- Swagger UI ----------------------------------------------------------------------------------

_SWAGGER_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <title>干部工作日志 API（本地）</title>
  <link rel="stylesheet" href="/_local/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/_local/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/_local/docs/swagger-ui-bundle.js"></script>
  <script src="/_local/docs/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: "/_local/openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      validatorUrl: null,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: "StandaloneLayout"
    });
  </script>
</body>
</html>
"""


def swagger_file(name: str) -> HttpResponse:
    """The Swagger UI page (``name`` empty) or one of the package's files."""
    if name in {"", "index.html"}:
        page = _SWAGGER_PAGE.encode("utf-8")
        return HttpResponse(200, [("Content-Type", "text/html; charset=utf-8")], page)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        return not_found()
    from swagger_ui_bundle import swagger_ui_path

    file = Path(str(swagger_ui_path)) / name
    if not file.is_file():
        return not_found()
    headers = [("Content-Type", guess_type(name)), ("Cache-Control", "max-age=3600")]
    return HttpResponse(200, headers, file.read_bytes())
