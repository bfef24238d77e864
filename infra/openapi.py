"""Generate the committed OpenAPI spec (docs/openapi.json) from the URL functions' resolvers.

Each function-URL function declares its routes and models with Powertools; this merges their
schemas into one document (one server per function URL). ``python -m infra.openapi --check``
exits non-zero when the committed file is stale (``make test`` runs it).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from infra.template import ROOT, Stack, load_handler, load_template

SPEC_PATH = ROOT / "docs" / "openapi.json"
REF_TEMPLATE = "#/components/schemas/{model}"
TITLE = "Cadre work logs (干部工作日志) API"
DESCRIPTION = (
    "Function-URL APIs of the cadre work-log system. Every endpoint takes `Authorization: Bearer <JWT>` "
    "(except public feedback); errors are `{code, message}` with `details` for validation errors. "
    "Each tag group is served by one Lambda function URL (see x-worklog-function on each operation)."
)


def build_spec() -> dict[str, Any]:
    from worklog import __version__

    stack = Stack(load_template(), parameters=_offline_parameters())
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for spec in sorted(stack.functions(), key=lambda s: s.name):
        if not spec.url:
            continue
        module = sys.modules[load_handler(spec).__module__]
        doc = json.loads(module.app.get_openapi_json_schema(title=TITLE, version=__version__))
        _add_request_bodies(doc, getattr(module, "REQUEST_BODIES", {}))
        _add_body_limits(doc, getattr(module, "body_limit", None))
        for path, operations in doc.get("paths", {}).items():
            if path in paths:
                raise SystemExit(f"{path} is served by two functions")
            for operation in operations.values():
                operation["x-worklog-function"] = spec.name
            paths[path] = operations
        for name, schema in doc.get("components", {}).get("schemas", {}).items():
            if name in schemas and schemas[name] != schema:
                raise SystemExit(f"schema {name} differs between functions")
            schemas[name] = schema
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": __version__, "description": DESCRIPTION},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
        "security": [{"bearer": []}],
    }


def _add_request_bodies(
    doc: dict[str, Any], bodies: dict[tuple[str, str], tuple[type[BaseModel], Any]]
) -> None:
    """Document the bodies of routes that read their body themselves (``REQUEST_BODIES`` of a
    handler module: (method, path) → (model, content types)), so the spec still says what the
    route checks."""
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for (method, path), (model, content_types) in bodies.items():
        schema = model.model_json_schema(mode="validation", ref_template=REF_TEMPLATE)
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
        ref = {"$ref": REF_TEMPLATE.format(model=model.__name__)}
        doc["paths"][path][method]["requestBody"] = {
            "required": True,
            "content": {content_type: {"schema": ref} for content_type in content_types},
        }


def _add_body_limits(doc: dict[str, Any], body_limit: Any) -> None:
    """Say on every request body how many bytes the route takes (``body_limit(path)`` of the handler
    module, else the default of worklog.settings); larger bodies are 413 before anything else."""
    from worklog.settings import Rules

    for path, operations in doc.get("paths", {}).items():
        for operation in operations.values():
            body = operation.get("requestBody")
            if body is None:
                continue
            limit = body_limit(path) if body_limit else Rules().max_body_bytes
            body["description"] = f"at most {limit} bytes (UTF-8); a larger body is 413 payload_too_large"
            body["x-max-bytes"] = limit


def _offline_parameters() -> dict[str, str]:
    # Only the routes matter here; these keep the Cognito branch out of resolution.
    return {
        "TokenIssuer": "https://issuer.invalid",
        "TokenAudience": "worklog",
        "JwksUrl": "https://issuer.invalid/jwks",
    }


def render(spec: dict[str, Any]) -> str:
    return json.dumps(spec, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if docs/openapi.json is stale")
    parser.add_argument("--out", type=Path, default=SPEC_PATH)
    args = parser.parse_args(argv)
    text = render(build_spec())
    if args.check:
        current = args.out.read_text("utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is stale: run `make openapi` and commit it", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, "utf-8")
    print(f"wrote {args.out.relative_to(ROOT)} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
