"""The app at /app/: the built files with the right types and caching, index.html for the app's own
routes, nothing outside the build, a page naming `make web` when there is no build, the sign-in
settings at /app/config.json, and the app's security headers on every answer."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from infra.local.events import HttpResponse
from infra.local.security import APP_CSP
from infra.local.webapp import AppFiles, app_config

CONFIG = app_config("http://127.0.0.1:8080/_local", "worklog-local")
INDEX = (
    b'<!doctype html><div id="app"></div><script type="module" src="/app/assets/index-3f2a9c.js"></script>'
)
SECRET = b"not for the browser"

FILES = {
    "index.html": INDEX,
    "sw.js": b"self.addEventListener('fetch', () => {})",
    "registerSW.js": b"navigator.serviceWorker.register('/app/sw.js')",
    "manifest.webmanifest": b'{"name": "\xe5\xb7\xa5\xe4\xbd\x9c\xe6\x97\xa5\xe5\xbf\x97"}',
    "assets/index-3f2a9c.js": b"console.log(1)",
    "assets/index-77be01.css": b"body{}",
    "assets/logo-0a1b2c.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    "assets/noto-5d6e7f.woff2": b"wOF2",
    "icons/icon-192.png": b"\x89PNG\r\n",
    "favicon.ico": b"\x00\x00\x01\x00",
    "robots.txt": b"User-agent: *\nDisallow: /\n",
    "version.json": b'{"build": "x"}',
    "config.json": b'{"authority": "https://stale.example"}',  # never served: the runtime writes its own
}


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    for name, content in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    (tmp_path / "secret.txt").write_bytes(SECRET)
    return root


@pytest.fixture
def app(dist: Path) -> AppFiles:
    return AppFiles(dist, CONFIG)


def get(app: AppFiles, path: str, headers: dict[str, str] | None = None) -> HttpResponse:
    raw, _, query = path.partition("?")
    return app.serve("GET", raw, query, headers or {})


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/app/", "text/html; charset=utf-8"),
        ("/app/index.html", "text/html; charset=utf-8"),
        ("/app/assets/index-3f2a9c.js", "text/javascript; charset=utf-8"),
        ("/app/sw.js", "text/javascript; charset=utf-8"),
        ("/app/assets/index-77be01.css", "text/css; charset=utf-8"),
        ("/app/assets/logo-0a1b2c.svg", "image/svg+xml"),
        ("/app/icons/icon-192.png", "image/png"),
        ("/app/manifest.webmanifest", "application/manifest+json"),
        ("/app/version.json", "application/json"),
        ("/app/assets/noto-5d6e7f.woff2", "font/woff2"),
        ("/app/favicon.ico", "image/x-icon"),
        ("/app/robots.txt", "text/plain; charset=utf-8"),
    ],
)
def test_each_file_is_served_with_its_type(app: AppFiles, path: str, content_type: str) -> None:
    resp = get(app, path)

    assert resp.status == 200
    assert resp.header("Content-Type") == content_type
    name = path.removeprefix("/app/") or "index.html"
    assert resp.body == FILES[name]


@pytest.mark.parametrize("name", ["index.html", "sw.js", "registerSW.js", "manifest.webmanifest"])
def test_the_page_the_service_worker_and_the_manifest_are_revalidated_each_time(
    app: AppFiles, name: str
) -> None:
    assert get(app, f"/app/{name}").header("Cache-Control") == "no-cache"


@pytest.mark.parametrize(
    "name", ["index-3f2a9c.js", "index-77be01.css", "logo-0a1b2c.svg", "noto-5d6e7f.woff2"]
)
def test_hashed_assets_are_cached_for_good(app: AppFiles, name: str) -> None:
    cache = get(app, f"/app/assets/{name}").header("Cache-Control") or ""

    assert "immutable" in cache and "max-age=31536000" in cache


def test_a_file_outside_assets_is_not_cached_for_good(app: AppFiles) -> None:
    assert get(app, "/app/icons/icon-192.png").header("Cache-Control") == "no-cache"


def test_a_revalidation_of_an_unchanged_file_gets_304(app: AppFiles) -> None:
    first = get(app, "/app/sw.js")
    etag = first.header("ETag")
    assert etag

    again = get(app, "/app/sw.js", {"if-none-match": etag})

    assert again.status == 304 and again.body == b""
    assert again.header("Cache-Control") == "no-cache"


def test_a_changed_file_is_sent_again(app: AppFiles, dist: Path) -> None:
    etag = get(app, "/app/sw.js").header("ETag") or ""
    (dist / "sw.js").write_bytes(b"self.skipWaiting()")

    again = get(app, "/app/sw.js", {"if-none-match": etag})

    assert again.status == 200 and again.body == b"self.skipWaiting()"


@pytest.mark.parametrize(
    "path",
    ["/app/today", "/app/calendar/2026-11", "/app/reviews/c0001/2026-11-16", "/app/me/", "/app/assets"],
)
def test_a_route_of_the_app_gets_its_page(app: AppFiles, path: str) -> None:
    resp = get(app, path)

    assert resp.status == 200
    assert resp.body == INDEX
    assert resp.header("Content-Type") == "text/html; charset=utf-8"
    assert resp.header("Cache-Control") == "no-cache"


@pytest.mark.parametrize("path", ["/app/assets/index-000000.js", "/app/missing.png", "/app/today/old.css"])
def test_a_missing_file_is_a_404_not_the_page(app: AppFiles, path: str) -> None:
    resp = get(app, path)

    assert resp.status == 404
    assert resp.body != INDEX
    assert "页面不存在" in resp.body.decode("utf-8")


def test_app_without_its_slash_moves_permanently_to_it(app: AppFiles) -> None:
    plain = get(app, "/app")
    with_query = get(app, "/app?from=banner")

    assert plain.status == 301 and plain.header("Location") == "/app/"
    assert with_query.status == 301 and with_query.header("Location") == "/app/?from=banner"


@pytest.mark.parametrize(
    "path",
    [
        "/app/../secret.txt",
        "/app/assets/../../secret.txt",
        "/app/%2e%2e/secret.txt",
        "/app/%2E%2E%2Fsecret.txt",
        "/app/assets/..%2f..%2fsecret.txt",
        "/app/..%5csecret.txt",
        "/app/..\\secret.txt",
        "/app/assets\\..\\..\\secret.txt",
        "/app//etc/passwd",
        "/app/%2fetc/passwd",
        "/app/./index.html",
        "/app/%00index.html",
        "/app/%ff%fe",
    ],
)
def test_nothing_outside_the_build_is_reachable(app: AppFiles, path: str) -> None:
    resp = get(app, path)

    assert resp.status == 400
    assert SECRET not in resp.body and resp.body != INDEX


def test_a_link_out_of_the_build_is_not_followed(app: AppFiles, dist: Path) -> None:
    (dist / "leak.txt").symlink_to(dist.parent / "secret.txt")

    resp = get(app, "/app/leak.txt")

    assert resp.status == 400 and SECRET not in resp.body


def test_a_double_encoded_dot_dot_is_only_a_name(app: AppFiles) -> None:
    resp = get(app, "/app/%252e%252e/secret.txt")

    assert resp.status == 404 and SECRET not in resp.body


def test_without_a_build_the_app_says_how_to_build_it(tmp_path: Path) -> None:
    app = AppFiles(tmp_path / "no-dist", CONFIG)

    for path in ("/app/", "/app/today", "/app/assets/index-3f2a9c.js"):
        resp = get(app, path)
        assert resp.status == 503
        text = resp.body.decode("utf-8")
        assert "make web" in text and "应用尚未构建" in text
        assert resp.header("Content-Type") == "text/html; charset=utf-8"
        assert resp.header("Content-Security-Policy") == APP_CSP
    assert get(app, "/app/config.json").status == 200  # the settings do not depend on a build


def test_config_json_is_the_runtimes_sign_in_settings_not_a_built_file(app: AppFiles) -> None:
    resp = get(app, "/app/config.json")

    assert resp.status == 200
    assert resp.header("Content-Type") == "application/json"
    assert resp.header("Cache-Control") == "no-cache"
    assert json.loads(resp.body) == {
        "authority": "http://127.0.0.1:8080/_local",
        "client_id": "worklog-local",
        "scope": "openid",
        "redirect_path": "/app/callback",
        "post_logout_path": "/app/",
        "sign_out_url": None,
        "environment": "local",
        "authorization_endpoint": "http://127.0.0.1:8080/_local/authorize",
        "token_endpoint": "http://127.0.0.1:8080/_local/oauth2/token",
        "revocation_endpoint": None,
        "end_session_endpoint": "http://127.0.0.1:8080/_local/logout",
    }


@pytest.mark.parametrize(
    "path",
    [
        "/app/",
        "/app/today",
        "/app/assets/index-3f2a9c.js",
        "/app/config.json",
        "/app/missing.png",
        "/app/%2e%2e/x",
    ],
)
def test_every_answer_carries_the_apps_security_headers(app: AppFiles, path: str) -> None:
    resp = get(app, path)

    assert resp.header("Content-Security-Policy") == APP_CSP
    assert resp.header("Referrer-Policy") == "no-referrer"
    assert resp.header("X-Content-Type-Options") == "nosniff"


def test_only_get_and_head_are_answered(app: AppFiles) -> None:
    resp = app.serve("POST", "/app/", "", {})

    assert resp.status == 405 and resp.header("Allow") == "GET, HEAD"


def test_the_csp_allows_no_inline_script_and_no_other_origin() -> None:
    directives = {d.split()[0]: d.split()[1:] for d in APP_CSP.split("; ")}

    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["connect-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-eval'" not in APP_CSP
    assert all(
        source.startswith("'") or source == "data:" for sources in directives.values() for source in sources
    )


# --- compression (CloudFront compresses the deployed app; the local runtime does the same) -------------

BIG_JS = ("const line = '干部工作日志';\n" * 200).encode("utf-8")


@pytest.fixture
def big(dist: Path) -> Path:
    (dist / "assets" / "vendor-9a8b7c.js").write_bytes(BIG_JS)
    return dist


def test_a_text_file_goes_gzip_compressed_to_a_browser_that_accepts_it(app: AppFiles, big: Path) -> None:
    resp = get(app, "/app/assets/vendor-9a8b7c.js", {"accept-encoding": "gzip, deflate, br"})

    assert resp.status == 200 and resp.header("Content-Encoding") == "gzip"
    assert gzip.decompress(resp.body) == BIG_JS and len(resp.body) < len(BIG_JS) / 4
    assert resp.header("Vary") == "Accept-Encoding"
    assert resp.header("Content-Type") == "text/javascript; charset=utf-8"


def test_without_gzip_accepted_the_file_goes_as_it_is_with_its_own_etag(app: AppFiles, big: Path) -> None:
    plain = get(app, "/app/assets/vendor-9a8b7c.js")
    refused = get(app, "/app/assets/vendor-9a8b7c.js", {"accept-encoding": "gzip;q=0, identity"})
    packed = get(app, "/app/assets/vendor-9a8b7c.js", {"accept-encoding": "gzip"})

    assert plain.body == BIG_JS and plain.header("Content-Encoding") is None
    assert refused.body == BIG_JS and refused.header("Content-Encoding") is None
    assert plain.header("ETag") != packed.header("ETag")
    etag = packed.header("ETag") or ""
    again = get(app, "/app/assets/vendor-9a8b7c.js", {"accept-encoding": "gzip", "if-none-match": etag})
    assert again.status == 304 and again.body == b""


def test_small_and_binary_files_are_not_compressed(app: AppFiles) -> None:
    small = get(app, "/app/assets/index-3f2a9c.js", {"accept-encoding": "gzip"})
    font = get(app, "/app/assets/noto-5d6e7f.woff2", {"accept-encoding": "gzip"})

    assert small.header("Content-Encoding") is None and small.body == FILES["assets/index-3f2a9c.js"]
    assert font.header("Content-Encoding") is None and font.header("Vary") is None
