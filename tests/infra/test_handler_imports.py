"""What a function's cold start does not load (docs/benchmarks.md, "Cold import").

Each handler module is imported in a fresh interpreter, as Lambda does, and the modules it must not
pull in are looked up in ``sys.modules``: our token verifier (worklog.auth.jose, on cryptography's
primitives) only where tokens are verified and PyJWT nowhere, openpyxl only when a sheet is read or
written, Jinja2 only where pages are rendered, pydantic-settings nowhere; our own pydantic models only
in the functions that use them. No timing here: the times are the bench's
(infra/bench_cold.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache

import pytest

from infra.bench_cold import lambda_env
from infra.template import ROOT, FunctionSpec, Stack, load_template

FUNCTIONS = {spec.code_dir.name: spec for spec in Stack(load_template()).functions()}
# Modules no function loads at import: each is loaded by the one route that needs it.
# PyJWT is a test and local-runtime dependency only: tokens are verified by worklog.auth.jose.
NEVER_AT_IMPORT = ("openpyxl", "pydantic_settings", "jwt")
# The public feedback function never verifies a token, and renders its page only for form posts.
NOT_IN = {"feedback": ("cryptography", "jinja2")}
# Functions that do verify tokens load their verifier at init, not in their first request.
TOKEN_FUNCTIONS = ("entries", "reviews", "cases", "admin")
# Model modules are built at import (pydantic's schema build), so a function loads only those it
# uses: the roster's models need only the contact details, not the notifier's models; the access
# rules need the case and review models only as annotations.
NOTIFICATION_MODELS = "worklog.models.notifications"
NOTIFICATION_FUNCTIONS = ("entries", "notifier")  # the inbox (/me/notifications) and the sender
MODELS_NOT_IN = {
    # feedback: the site's page models only for a form post's page, with the renderer
    "feedback": (
        "worklog.models.cases",
        "worklog.models.reviews",
        "worklog.models.entries",
        "worklog.publish.pages",
    ),
    "admin": ("worklog.models.cases", "worklog.models.reviews", "worklog.models.entries"),
    "notifier": ("worklog.models.cases",),
}

_PROBE = "import json, sys\nimport handler\nprint(json.dumps(sorted(sys.modules)))\n"
# Our models whose schema (validator and serializer) is built once the handler is imported.
_BUILT = (
    "import json\nimport handler\nfrom pydantic import BaseModel\n"
    "def subclasses(c):\n"
    "    for s in c.__subclasses__():\n"
    "        yield s\n"
    "        yield from subclasses(s)\n"
    "print(json.dumps(sorted({f'{m.__module__}.{m.__qualname__}' for m in subclasses(BaseModel)\n"
    "    if m.__module__.startswith('worklog') and m.__dict__.get('__pydantic_complete__')})))\n"
)
# Our models with a field annotated by a string, which pydantic compiles and evaluates at import.
_STRING_FIELDS = _BUILT.replace(
    "m.__dict__.get('__pydantic_complete__')",
    "any(isinstance(a, str) for a in m.__dict__.get('__annotations__', {}).values())",
)


def loaded_by(name: str) -> frozenset[str]:
    """The top-level packages a fresh import of the function's handler loads."""
    return frozenset(module.split(".")[0] for module in modules_of(name))


@cache
def modules_of(name: str) -> frozenset[str]:
    return frozenset(_run_probe(name, _PROBE))


def _run_probe(name: str, probe: str) -> list[str]:
    spec = FUNCTIONS[name]
    out = subprocess.run(
        [sys.executable, "-I", "-c", _probe(spec, probe)],
        cwd=spec.code_dir,
        # Lambda's environment: Powertools' Tracer is on (it turns itself off outside Lambda)
        env=lambda_env(spec),
        capture_output=True,
        text=True,
        check=True,
    )
    return list(json.loads(out.stdout.splitlines()[-1]))


def _probe(spec: FunctionSpec, probe: str) -> str:
    paths = [str(spec.code_dir), str(ROOT / "shared")]
    return f"import sys\nsys.path[:0] = {paths!r}\n{probe}"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_a_cold_start_loads_no_library_that_only_some_requests_need(name: str) -> None:
    # Given the function's handler module, When a fresh interpreter imports it
    loaded = loaded_by(name)
    # Then the libraries of single routes, and those the function never needs, are not loaded
    assert loaded.isdisjoint(NEVER_AT_IMPORT + NOT_IN.get(name, ())), sorted(
        loaded & set(NEVER_AT_IMPORT + NOT_IN.get(name, ()))
    )


# The primitives an RS256 / ES256 verifier needs; the rest of cryptography (X.509, SSH and PKCS#12
# serialization, the other key types) is what PyJWT used to load at a cold start.
VERIFIER = (
    "worklog.auth.jose",
    "cryptography.hazmat.primitives.asymmetric.rsa",
    "cryptography.hazmat.primitives.asymmetric.ec",
    "cryptography.hazmat.primitives.asymmetric.padding",
    "cryptography.hazmat.primitives.hashes",
)
NOT_FOR_VERIFYING = (
    "cryptography.x509",
    "cryptography.hazmat.primitives.serialization.ssh",
    "cryptography.hazmat.primitives.serialization.pkcs12",
    "cryptography.hazmat.primitives.asymmetric.ed25519",
    "cryptography.hazmat.primitives.asymmetric.x25519",
    "cryptography.hazmat.primitives.hmac",
)


@pytest.mark.parametrize("name", TOKEN_FUNCTIONS)
def test_a_function_that_verifies_tokens_loads_its_verifier_at_init(name: str) -> None:
    # Given a function behind sign-in, When its handler module is imported
    loaded = modules_of(name)
    # Then our verifier and the primitives it uses are loaded already, so its first request does not
    # pay for them
    assert set(VERIFIER) <= loaded, sorted(set(VERIFIER) - loaded)
    # And none of the rest of cryptography, which only a general-purpose JWT library needs
    assert loaded.isdisjoint(NOT_FOR_VERIFYING), sorted(loaded & set(NOT_FOR_VERIFYING))


@pytest.mark.parametrize("name", sorted(set(FUNCTIONS) - set(NOTIFICATION_FUNCTIONS)))
def test_only_the_notifying_functions_build_the_notification_models(name: str) -> None:
    # Given a function that neither serves the inbox nor sends digests, When its handler module is
    # imported, Then the notification models are not built (the roster needs only the contact details)
    assert NOTIFICATION_MODELS not in modules_of(name)


@pytest.mark.parametrize("name", sorted(MODELS_NOT_IN))
def test_a_function_builds_no_model_it_does_not_use(name: str) -> None:
    # Given a function that reads no case, review, entry or audit at import, When its handler is imported
    loaded = modules_of(name)
    # Then those model modules are not built
    assert loaded.isdisjoint(MODELS_NOT_IN[name]), sorted(loaded & set(MODELS_NOT_IN[name]))


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_a_cold_start_builds_none_of_our_models(name: str) -> None:
    # Given any function, When a fresh interpreter imports its handler module
    built = _run_probe(name, _BUILT)
    # Then no model of worklog has its schema built yet: each is built at its first use
    # (worklog.models.common.Model defers it), so a cold start pays only for the models it reads
    assert built == [], built


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_our_models_declare_their_fields_with_evaluated_annotations(name: str) -> None:
    # Given any function, When a fresh interpreter imports its handler module
    stringly = _run_probe(name, _STRING_FIELDS)
    # Then no model of worklog declares a field as a string annotation (``from __future__ import
    # annotations``): pydantic would compile and evaluate each one at import, about a third of what
    # defining our deferred models costs
    assert stringly == [], stringly


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_the_tracer_patches_botocore_alone(name: str) -> None:
    # Given a function in Lambda's environment, When its handler module is imported
    loaded = modules_of(name)
    # Then the AWS calls are traced, and no other library's X-Ray patch (nor sqlite3) is loaded
    assert "aws_xray_sdk.ext.botocore.patch" in loaded
    others = {m for m in loaded if m.startswith("aws_xray_sdk.ext.") and m.endswith(".patch")}
    assert others == {"aws_xray_sdk.ext.botocore.patch"} and "sqlite3" not in loaded, sorted(others)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_no_function_loads_powertools_batch_utility(name: str) -> None:
    # Given any function, the SQS-fed ones included (worklog.queue.each_message answers their
    # partial batches), When its handler module is imported
    loaded = modules_of(name)
    # Then Powertools' batch utility, which loads every event source's data classes, is not loaded
    assert "aws_lambda_powertools.utilities.batch" not in loaded
