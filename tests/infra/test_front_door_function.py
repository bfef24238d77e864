"""The front door's viewer-request function (CloudFront JS 2), run under node: the URI each app and
site path maps to, and the behaviours it is published on."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from infra.template import Stack
from tests.infra.front_door_support import HARNESS, behaviours

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
