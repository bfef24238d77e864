"""What a function's cold start does not load (docs/benchmarks.md, "Cold import").

Each handler module is imported in a fresh interpreter, as Lambda does, and the modules it must not
pull in are looked up in ``sys.modules``: our token verifier (worklog.auth.jose, on cryptography's
primitives) only where tokens are verified and PyJWT nowhere, openpyxl only when a sheet is read or
written, Jinja2 only where pages are rendered, pydantic-settings and the X-Ray SDK nowhere; our own
pydantic models only in the functions that use them. No timing here: the times are the bench's
(infra/bench_cold.py).
"""

from __future__ import annotations

import ast
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
# The roster file's import (its rows, cells, unit names): the admin function's import route only.
ROSTER_IMPORT = ("worklog.roster.importer", "worklog.roster.row_refs", "worklog.roster.roster_row")
# The public feedback function never verifies a token, and renders its page only for form posts.
NOT_IN = {
    "feedback": ("cryptography", "jinja2"),
    # Jinja2 at the first page rendered: the archiver never renders, nor the publisher's planning run.
    "archiver": ("jinja2",),
    "disclosure_publisher": ("jinja2",),
}
# The X-Ray SDK and what it patched with: our own tracer (worklog.tracing) replaced Powertools'.
TRACING_LIBRARIES = ("aws_xray_sdk", "wrapt")
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
    # archiver: it reads the journal and the compliance table and copies; it renders no page
    "archiver": (
        "worklog.publish.publisher",
        "worklog.publish.render",
        "worklog.publish.pages",
        "worklog.models.audits",
        "worklog.models.reviews",
    ),
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
        # Lambda's environment (Powertools and the libraries it loads behave differently outside it)
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


@pytest.mark.parametrize("name", TOKEN_FUNCTIONS)
def test_a_function_that_verifies_tokens_loads_its_verifier_at_init(name: str) -> None:
    # Given a function behind sign-in, When its handler module is imported
    loaded = modules_of(name)
    # Then our verifier is loaded already, so its first request does not pay for it
    assert "worklog.auth.jose" in loaded and "worklog.auth.jwks" in loaded


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_no_function_loads_cryptography_at_import(name: str) -> None:
    # Given any function, When its handler module is imported
    loaded = loaded_by(name)
    # Then cryptography is not loaded: RS256 needs no library, its EC primitives load with the
    # first P-256 key an issuer's key set holds (worklog.auth.jose), and the site's checkpoints
    # load it when one is signed or checked (worklog.publish.tamper), which the publisher's batches
    # and the archiver never do
    assert "cryptography" not in loaded


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
def test_no_function_loads_the_xray_sdk(name: str) -> None:
    # Given a function in Lambda's environment (where Powertools' Tracer would have imported it),
    # When its handler module is imported
    loaded = loaded_by(name)
    # Then neither the X-Ray SDK nor wrapt, which it patched botocore with, is loaded: the traces
    # are worklog.tracing's, whose hooks are botocore's own events
    assert loaded.isdisjoint(TRACING_LIBRARIES), sorted(loaded & set(TRACING_LIBRARIES))
    assert "worklog" in loaded and "worklog.tracing" in modules_of(name)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_no_function_loads_powertools_batch_utility(name: str) -> None:
    # Given any function, the SQS-fed ones included (worklog.queue.each_message answers their
    # partial batches), When its handler module is imported
    loaded = modules_of(name)
    # Then Powertools' batch utility, which loads every event source's data classes, is not loaded
    assert "aws_lambda_powertools.utilities.batch" not in loaded


# Powertools' event handlers and event data classes a function URL does not need: the resolvers of
# other event sources (AppSync loads asyncio) and the data classes of every other event source.
OTHER_EVENT_HANDLERS = (
    "aws_lambda_powertools.event_handler.appsync",
    "aws_lambda_powertools.event_handler.bedrock_agent",
    "aws_lambda_powertools.event_handler.events_appsync",
    "aws_lambda_powertools.event_handler.http_resolver",
    "aws_lambda_powertools.utilities.data_classes.sqs_event",
    "aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event",
    "aws_lambda_powertools.utilities.data_classes.appsync_resolver_event",
)
URL_FUNCTIONS = ("entries", "reviews", "cases", "admin", "feedback")


@pytest.mark.parametrize("name", URL_FUNCTIONS)
def test_a_function_url_loads_only_the_function_url_resolver(name: str) -> None:
    # Given a function behind a URL, When a fresh interpreter imports its handler module
    loaded = modules_of(name)
    # Then Powertools' Function URL resolver is loaded, and none of the other resolvers or event
    # sources its packages' __init__ would have imported (worklog.resolver defers them)
    assert "aws_lambda_powertools.event_handler.lambda_function_url" in loaded
    assert loaded.isdisjoint(OTHER_EVENT_HANDLERS), sorted(loaded & set(OTHER_EVENT_HANDLERS))


def test_only_worklog_resolver_imports_powertools_event_handlers() -> None:
    # Given every module of the layer and every handler
    doors = ("aws_lambda_powertools.event_handler", "aws_lambda_powertools.utilities.data_classes")
    offenders = []
    for path in [*(ROOT / "shared" / "worklog").rglob("*.py"), *(ROOT / "functions").rglob("*.py")]:
        if path == ROOT / "shared" / "worklog" / "resolver.py":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.startswith(doors)]
    # Then none imports Powertools' event handlers or data classes but worklog.resolver: an import
    # that came first would run the packages' __init__ and load every resolver again
    assert offenders == []


@pytest.mark.parametrize("name", sorted(set(FUNCTIONS) - {"admin"}))
def test_only_the_admin_function_loads_the_roster_files_import(name: str) -> None:
    # Given a function that imports no roster file, When its handler module is imported
    loaded = modules_of(name)
    # Then the roster's repository is there without the code that reads a file's rows
    assert loaded.isdisjoint(ROSTER_IMPORT), sorted(loaded & set(ROSTER_IMPORT))


_PLUGIN_SCAN = (
    "import json, sys\nimport handler\n"
    "loader = sys.modules.get('pydantic.plugin._loader')\n"
    "print(json.dumps([] if loader is None or loader._plugins is None else ['scanned']))\n"
)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_no_function_scans_the_installed_distributions_for_pydantic_plugins(name: str) -> None:
    # Given any function in its template environment (PYDANTIC_DISABLE_PLUGINS), When its handler
    # module is imported and pydantic builds its first schema
    scanned = _run_probe(name, _PLUGIN_SCAN)
    # Then pydantic did not read every distribution's entry points looking for plugins
    assert scanned == []


_COLLECTOR = (
    "import gc, json\ncollections = []\n"
    "gc.callbacks.append(lambda phase, info: collections.append(info) if phase == 'start' else None)\n"
    "import handler\n"
    "print(json.dumps([gc.isenabled(), gc.get_freeze_count() > 0, len(collections)]))\n"
)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_the_collector_rests_while_a_handler_loads_and_works_after(name: str) -> None:
    # Given any function, When a fresh interpreter imports its handler module
    enabled, frozen, collections = _run_probe(name, _COLLECTOR)
    # Then the garbage collector did not run while its modules loaded (worklog.coldstart), what was
    # loaded is frozen out of later collections, and the collector is on for the requests
    assert collections <= 2, collections  # the interpreter's own, before the handler's first line
    assert enabled and frozen


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_powertools_idempotency_loads_with_the_first_keyed_write_not_at_import(name: str) -> None:
    # Given any function, When its handler module is imported
    loaded = modules_of(name)
    # Then Powertools' idempotency utility is not loaded: only a write with an Idempotency-Key uses it
    assert "aws_lambda_powertools.utilities.idempotency" not in loaded


_DATACLASSES = (
    "import json, sys\nimport handler\n"
    "print(json.dumps(sorted(f'{c.__module__}.{c.__qualname__}' for m in list(sys.modules.values())\n"
    "    if getattr(m, '__name__', '').startswith('worklog') for c in vars(m).values()\n"
    "    if isinstance(c, type) and c.__module__ == m.__name__ and '__dataclass_fields__' in vars(c))))\n"
)
# Made at import: DayInfo (slots=True makes a new class, which a record cannot do in place), and the
# records a module builds an instance of at import: the access table's rules and refusals, the
# ladder's and the signals' defaults, the journal's first head and append, a text rule that
# pydantic metadata carries.
DATACLASSES_AT_IMPORT = [
    "worklog.access.ReadRule",
    "worklog.access.Refusal",
    "worklog.calendar.DayInfo",
    "worklog.compliance.ladder.LadderSettings",
    "worklog.compliance.signals.SignalSettings",
    "worklog.journal.records.Appended",
    "worklog.journal.records.Head",
    "worklog.models.common.CheckedText",
]


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_a_cold_start_writes_no_dataclass_methods_of_ours(name: str) -> None:
    # Given any function, When a fresh interpreter imports its handler module
    made = _run_probe(name, _DATACLASSES)
    # Then none of our dataclasses had its methods written yet (worklog.records.datarecord): each is
    # made at its first instance
    assert sorted(set(made) - set(DATACLASSES_AT_IMPORT)) == []
