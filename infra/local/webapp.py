"""The app at ``/app/``: the files Vite built into ``web/dist/``, and ``/app/config.json``.

Served as the deployed front door serves them: ``index.html`` for every path of the app that is not
a file (history-mode routes), the service worker, its registration and the manifest revalidated on
every load (a new build takes effect at the next load), hashed files under ``assets/`` cached for a
year, and the app's security headers (``infra.local.security``) on every answer.

``/app/config.json`` is not a built file: the runtime writes it, as the deployed stack uploads one
of the same shape with its own values (docs/api.md). The app reads its sign-in settings from it.
"""

from __future__ import annotations

import functools
import gzip
import html
import json
import mimetypes
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from infra.local.events import HttpResponse
from infra.local.security import APP_SECURITY_HEADERS

APP_PREFIX = "/app"
CONFIG_PATH = "/app/config.json"
# Files a browser must ask for again each time (no-cache: it may keep them, but revalidates).
REVALIDATED = frozenset({"index.html", "sw.js", "registerSW.js", "manifest.webmanifest"})
IMMUTABLE = "public, max-age=31536000, immutable"  # assets/ names carry their content's hash

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
}

TEXT = {
    "not_built_title": "应用尚未构建",
    "not_built": "应用的构建结果（{dist}）不存在。请在仓库根目录运行 <code>make web</code>"
    "（<code>make run</code> 会先构建应用），然后刷新本页。",
    "not_found": "页面不存在",
    "bad_path": "请求的路径无效",
    "method_not_allowed": "该地址只支持 GET 和 HEAD",
}


def app_config(issuer: str, client_id: str, *, environment: str = "local") -> dict[str, Any]:
    """The one shape of ``/app/config.json`` (the deployed stack uploads the same keys)."""
    return {
        "authority": issuer,
        "client_id": client_id,
        "scope": "openid",
        "redirect_path": "/app/callback",
        "post_logout_path": "/app/",
        # Where to send the browser to sign out when the issuer's discovery names no
        # end_session_endpoint (Cognito's hosted UI logout); null: use the discovery's.
        "sign_out_url": None,
        "environment": environment,
        # The issuer's endpoints, so the app starts without fetching the discovery document (one
        # round trip less before the first screen; the deployed config names Cognito's the same way).
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/oauth2/token",
        "revocation_endpoint": None,
        "end_session_endpoint": f"{issuer}/logout",
    }


class AppFiles:
    """``/app/…`` from ``dist`` (a built app), and ``/app/config.json`` from ``config``."""

    def __init__(self, dist: Path, config: Mapping[str, Any]) -> None:
        self.dist = dist
        self.config = dict(config)

    @property
    def built(self) -> bool:
        return (self.dist / "index.html").is_file()

    def serve(
        self, method: str, target_path: str, query: str = "", headers: Mapping[str, str] | None = None
    ) -> HttpResponse:
        """The answer to ``method target_path`` (the path as received, still percent-encoded)."""
        if method.upper() not in {"GET", "HEAD"}:
            response = _page(405, TEXT["method_not_allowed"], TEXT["method_not_allowed"])
            return HttpResponse(405, [*response.headers, ("Allow", "GET, HEAD")], response.body)
        if target_path == APP_PREFIX:
            return _secured(301, [("Location", APP_PREFIX + "/" + (f"?{query}" if query else ""))])
        if target_path == CONFIG_PATH:
            body = json.dumps(self.config, ensure_ascii=False).encode("utf-8")
            return _secured(200, [("Content-Type", "application/json"), ("Cache-Control", "no-cache")], body)
        relative = _relative(target_path[len(APP_PREFIX) + 1 :])
        if relative is None:
            return _page(400, TEXT["bad_path"], TEXT["bad_path"])
        if not self.built:
            return _page(
                503, TEXT["not_built_title"], TEXT["not_built"].format(dist=html.escape(str(self.dist)))
            )
        root = self.dist.resolve()
        file = (root / relative).resolve()
        if not file.is_relative_to(root):  # a symbolic link out of dist
            return _page(400, TEXT["bad_path"], TEXT["bad_path"])
        if file.is_file():
            return _file(file, relative, headers or {})
        last = relative.rsplit("/", 1)[-1]
        if "." not in last:  # a route of the app, not a file: the app's page answers it
            return _file(root / "index.html", "index.html", headers or {})
        return _page(404, TEXT["not_found"], TEXT["not_found"])


def _relative(raw: str) -> str | None:
    """The path under dist a request names, or None when it names something outside it (``..``,
    ``.``, an absolute path, a backslash, an empty segment, a control character, bad UTF-8)."""
    try:
        path = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return None
    if "\\" in path or any(ch < " " or ch == "\x7f" for ch in path):
        return None
    if path == "":
        return "index.html"
    segments = path.split("/")
    if path.endswith("/"):
        segments = segments[:-1]
    if any(seg in {"", ".", ".."} for seg in segments):
        return None
    return path.rstrip("/") if path.endswith("/") else path


# Text files are sent gzip-compressed to a browser that accepts it, as CloudFront does for the
# deployed app (Compress: true): the app's budgets are for compressed bytes, and a benchmark on a
# throttled network would otherwise measure the raw files.
COMPRESSIBLE = {".js", ".mjs", ".css", ".html", ".svg", ".json", ".webmanifest", ".txt", ".map"}
COMPRESS_FROM_BYTES = 1024


def _accepts_gzip(headers: Mapping[str, str]) -> bool:
    for part in (headers.get("accept-encoding") or "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in {"gzip", "*"}:
            return params.replace(" ", "").lower() not in {"q=0", "q=0.0", "q=0.00", "q=0.000"}
    return False


@functools.lru_cache(maxsize=512)
def _gzipped(path: str, size: int, mtime_ns: int) -> bytes:
    """The file compressed, once per version of it (size and mtime name the version)."""
    return gzip.compress(Path(path).read_bytes(), compresslevel=6, mtime=0)


def _file(file: Path, relative: str, headers: Mapping[str, str]) -> HttpResponse:
    stat = file.stat()
    etag = f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'
    compressible = file.suffix.lower() in COMPRESSIBLE
    encode = compressible and stat.st_size >= COMPRESS_FROM_BYTES and _accepts_gzip(headers)
    if encode:
        etag = etag[:-1] + '-gzip"'  # another representation, another validator
    name = relative.rsplit("/", 1)[-1]
    if name in REVALIDATED:
        cache = "no-cache"
    elif relative.startswith("assets/"):
        cache = IMMUTABLE
    else:
        # Icons, robots.txt and the like keep their names from one build to the next: revalidated.
        cache = "no-cache"
    out = [("Content-Type", content_type(name)), ("Cache-Control", cache), ("ETag", etag)]
    if compressible:
        out.append(("Vary", "Accept-Encoding"))
    if etag in [t.strip() for t in (headers.get("if-none-match") or "").split(",")]:
        return _secured(304, out)
    if encode:
        body = _gzipped(str(file), stat.st_size, stat.st_mtime_ns)
        return _secured(200, [*out, ("Content-Encoding", "gzip")], body)
    return _secured(200, out, file.read_bytes())


def content_type(name: str) -> str:
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def _secured(status: int, headers: list[tuple[str, str]], body: bytes = b"") -> HttpResponse:
    return HttpResponse(status, [*headers, *APP_SECURITY_HEADERS], body)


def _page(status: int, title: str, message_html: str) -> HttpResponse:
    document = (
        '<!doctype html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n</head>\n<body>\n<h1>{title}</h1>\n<p>{message_html}</p>\n</body>\n</html>\n"
    )
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")]
    return _secured(status, headers, document.encode("utf-8"))
