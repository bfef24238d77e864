"""Powertools' Function URL resolver, and nothing else of its event handlers, at cold start.

Powertools' ``event_handler`` package imports in its ``__init__`` every resolver it has (AppSync,
which loads asyncio, Bedrock agents, VPC Lattice, ...), and its ``utilities.data_classes`` package
imports the data classes of every event source Lambda knows. A function URL needs one resolver and
two or three event classes: importing the rest cost every function behind a URL about a seventh of
an ``import boto3`` at each cold start (docs/benchmarks.md, "Cold import, fourth pass").

So this module, the project's only door to those two packages, puts each package in
``sys.modules`` without running its ``__init__`` (:func:`lazy_package`). Submodules then import as
usual; a name the ``__init__`` would have bound is looked up when first asked for: a name it
imports from one of its submodules loads that submodule alone; any other name runs the whole
``__init__`` once, so code elsewhere (a test, a Powertools module) that wants the full package still
gets it. tests/infra/test_handler_imports.py holds which modules a handler loads.
"""

import ast
import importlib
import importlib.util
import sys
from pathlib import Path as _FilePath
from types import ModuleType
from typing import Any

EVENT_HANDLER = "aws_lambda_powertools.event_handler"
DATA_CLASSES = "aws_lambda_powertools.utilities.data_classes"


def _names_from_submodules(package: str, init_file: str) -> dict[str, tuple[str, str]]:
    """Each name ``package``'s ``__init__`` binds by ``from <package or .>.<sub> import name [as
    other]``, mapped to that submodule's full name and the name there."""
    tree = ast.parse(_FilePath(init_file).read_text("utf-8"), init_file)
    names: dict[str, tuple[str, str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        if node.level == 1:
            module = f"{package}.{node.module}"
        elif node.level == 0 and node.module.startswith(f"{package}."):
            module = node.module
        else:
            continue
        for alias in node.names:
            names[alias.asname or alias.name] = (module, alias.name)
    return names


def lazy_package(name: str) -> ModuleType:
    """``name`` in ``sys.modules`` with its ``__init__`` deferred (see the module's docstring); the
    package itself when it is already imported."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None or spec.submodule_search_locations is None:
        raise ImportError(f"{name} is not a package with an __init__", name=name)
    module = importlib.util.module_from_spec(spec)
    origin = spec.origin
    loader = spec.loader
    from_submodule = _names_from_submodules(name, origin)
    state = {"initialised": False}

    def __getattr__(attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        if attr in from_submodule:
            source, original = from_submodule[attr]
            value = getattr(importlib.import_module(source), original)
            setattr(module, attr, value)
            return value
        if importlib.util.find_spec(f"{name}.{attr}") is not None:
            return importlib.import_module(f"{name}.{attr}")
        if not state["initialised"] and loader is not None:
            state["initialised"] = True
            loader.exec_module(module)
            if attr in module.__dict__:
                return module.__dict__[attr]
        raise AttributeError(f"module {name!r} has no attribute {attr!r}")

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(importlib.import_module(parent), child, module)
    return module


lazy_package(EVENT_HANDLER)
lazy_package(DATA_CLASSES)

# Below the two calls above on purpose: these imports must find the packages deferred.
from aws_lambda_powertools.event_handler import content_types  # noqa: E402
from aws_lambda_powertools.event_handler.api_gateway import Response  # noqa: E402
from aws_lambda_powertools.event_handler.exceptions import NotFoundError  # noqa: E402
from aws_lambda_powertools.event_handler.lambda_function_url import LambdaFunctionUrlResolver  # noqa: E402
from aws_lambda_powertools.event_handler.openapi.exceptions import (  # noqa: E402
    RequestUnsupportedContentType,
    RequestValidationError,
    ValidationException,
)
from aws_lambda_powertools.event_handler.openapi.params import Header, Path, Query  # noqa: E402
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse  # noqa: E402

__all__ = [
    "Header",
    "LambdaFunctionUrlResolver",
    "NotFoundError",
    "OpenAPIResponse",
    "Path",
    "Query",
    "RequestUnsupportedContentType",
    "RequestValidationError",
    "Response",
    "ValidationException",
    "content_types",
    "lazy_package",
]
