"""template.yaml as the single source of truth for tests and the local runtime.

``load_template`` reads the SAM template (cfn-lint's decoder: CloudFormation short tags become
their long forms). ``Stack`` is the template as one deployed stack would see it: the SAM translator
expands the serverless resources into plain CloudFormation (infra.cloudformation.source) and a
small evaluator gives the intrinsic functions their values for one stack name, region and set of
parameter values (infra.cloudformation.intrinsics): physical names, ARNs, conditions, ``Fn::Sub``
and friends. From that view the tests and the local runtime create their tables, buckets, queues
and event buses (``create_resources``) and find every function, its environment, URL, schedules,
queues and event rules (``Stack.functions``): nothing redefines a key schema or an environment
variable by hand. ``Stack.template`` stays the template as written.

Importing this module touches no AWS (the translator runs offline).
"""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.cloudformation.intrinsics import Evaluator, text
from infra.cloudformation.resources import (
    bucket_arguments,
    create_resources,
    queue_arguments,
    table_arguments,
)
from infra.cloudformation.source import TemplateError, code_folder, decode, translate

ROOT: Path = Path(__file__).resolve().parent.parent
TEMPLATE_PATH: Path = ROOT / "template.yaml"

__all__ = [
    "ROOT",
    "TEMPLATE_PATH",
    "FunctionSpec",
    "ScheduleSpec",
    "Stack",
    "TemplateError",
    "create_resources",
    "load_handler",
    "load_template",
]

_NAMED_TYPES = frozenset(
    {"AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::SQS::Queue", "AWS::Events::EventBus"}
)
# What the translator makes of a function's URL and events, each pointing back at the function.
_URL = "AWS::Lambda::Url"
_SCHEDULE = "AWS::Scheduler::Schedule"  # ScheduleV2 events
_RULE = "AWS::Events::Rule"  # EventBridgeRule / CloudWatchEvent (a pattern), Schedule (an expression)
_MAPPING = "AWS::Lambda::EventSourceMapping"  # SQS events (and streams, which the template has none of)


def load_template(path: Path | None = None) -> dict[str, Any]:
    """The template as plain data, with every short tag in its long form."""
    return decode(path or TEMPLATE_PATH)


# --------------------------------------------------------------------------- specs


@dataclass(frozen=True)
class ScheduleSpec:
    event_name: str
    expression: str
    timezone: str
    input: dict[str, Any] | None = field(hash=False)
    enabled: bool


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    name: str
    code_dir: Path
    handler: str
    environment: dict[str, str] = field(hash=False)
    url: bool
    cors: dict[str, Any] | None = field(hash=False)
    schedules: tuple[ScheduleSpec, ...]
    sqs_events: tuple[tuple[str, str], ...]
    # Source folders of the function's layers (ContentUri): on sys.path in Lambda via /opt/python.
    layer_dirs: tuple[Path, ...] = ()
    # EventBridge rules that invoke the function: their event patterns, as JSON text.
    event_rules: tuple[str, ...] = ()
    # MemorySize and Timeout with Globals applied (Lambda's defaults where the template says none).
    memory_mb: int = 128
    timeout_s: float = 3.0

    def matches(self, event: dict[str, Any]) -> bool:
        """Whether one of the function's rules matches the event (exact values per field, as the
        template's patterns use them)."""
        for rule in self.event_rules:
            pattern = json.loads(rule)
            if all(event.get(key) in values for key, values in pattern.items() if isinstance(values, list)):
                return True
        return False


# --------------------------------------------------------------------------- the stack


class Stack(Evaluator):
    """A resolved view of the template for one stack name and parameter values."""

    def __init__(
        self,
        template: dict[str, Any],
        stack_name: str = "worklog-local",
        parameters: dict[str, str] | None = None,
        region: str = "us-east-1",
        account: str = "123456789012",
        *,
        base_dir: Path | None = None,
    ) -> None:
        values = Evaluator.parameter_values(template.get("Parameters") or {}, parameters or {})
        super().__init__(translate(template, values, region), stack_name, values, region, account)
        self.template = template
        self.base_dir = (base_dir or ROOT).resolve()
        self.names: dict[str, str] = {
            logical_id: self.physical_name(logical_id) for logical_id in self.of_type(*_NAMED_TYPES)
        }

    # ------------------------------------------------------------------ resources

    def tables(self) -> dict[str, dict[str, Any]]:
        """Logical id -> keyword arguments of ``dynamodb.create_table``."""
        return {
            logical_id: table_arguments(self.names[logical_id], self.properties(logical_id))
            for logical_id in self.of_type("AWS::DynamoDB::Table")
        }

    def ttl(self) -> dict[str, str]:
        """Logical id -> TTL attribute name, for tables with TimeToLiveSpecification enabled."""
        result: dict[str, str] = {}
        for logical_id in self.of_type("AWS::DynamoDB::Table"):
            spec = self.properties(logical_id).get("TimeToLiveSpecification") or {}
            if text(spec.get("Enabled", False)) == "true":
                result[logical_id] = spec["AttributeName"]
        return result

    def buckets(self) -> dict[str, dict[str, Any]]:
        """Logical id -> {Bucket, ObjectLockEnabledForBucket, Versioning, Website, ObjectLockConfiguration}
        (see ``infra.cloudformation.resources.bucket_arguments``)."""
        return {
            logical_id: bucket_arguments(self.names[logical_id], self.properties(logical_id))
            for logical_id in self.of_type("AWS::S3::Bucket")
        }

    def queues(self) -> dict[str, str]:
        """Logical id -> queue name."""
        return {logical_id: self.names[logical_id] for logical_id in self.of_type("AWS::SQS::Queue")}

    def queue_attributes(self, logical_id: str) -> dict[str, str]:
        """The ``create_queue`` attributes of one queue (all values as strings)."""
        return queue_arguments(self.properties(logical_id))

    def event_buses(self) -> dict[str, str]:
        """Logical id -> event bus name."""
        return {logical_id: self.names[logical_id] for logical_id in self.of_type("AWS::Events::EventBus")}

    # ------------------------------------------------------------------ functions

    def functions(self) -> list[FunctionSpec]:
        """Every function with local code, as translated (Globals applied), its environment resolved;
        in the template's order (the translator sorts its output)."""
        declared = list(self.template.get("Resources", {}))
        return [
            self._function(logical_id)
            for logical_id in sorted(self.of_type("AWS::Lambda::Function"), key=_position(declared))
            if code_folder((self.resources[logical_id].get("Properties") or {}).get("Code")) is not None
        ]

    def _function(self, logical_id: str) -> FunctionSpec:
        raw = self.resources[logical_id].get("Properties") or {}
        code_dir = (self.base_dir / str(code_folder(raw["Code"]))).resolve()
        variables = self.resolve((raw.get("Environment") or {}).get("Variables") or {})
        events = self._events(logical_id)
        url = next((props for _, rtype, props in events if rtype == _URL), None)
        return FunctionSpec(
            logical_id=logical_id,
            name=code_dir.name.replace("_", "-"),
            code_dir=code_dir,
            handler=text(self.resolve(raw.get("Handler", "handler.lambda_handler"))),
            environment={key: text(value) for key, value in variables.items()},
            url=url is not None,
            cors=(url or {}).get("Cors"),
            schedules=tuple(
                _schedule(name, rtype, props)
                for name, rtype, props in events
                if rtype == _SCHEDULE or (rtype == _RULE and "ScheduleExpression" in props)
            ),
            sqs_events=tuple(
                (name, self._queue_of(logical_id, name, props["EventSourceArn"]))
                for name, rtype, props in events
                if rtype == _MAPPING and ":sqs:" in str(props.get("EventSourceArn"))
            ),
            layer_dirs=self._layer_dirs(raw.get("Layers") or []),
            event_rules=tuple(
                json.dumps(props["EventPattern"], sort_keys=True)
                for _, rtype, props in events
                if rtype == _RULE and "EventPattern" in props
            ),
            memory_mb=int(text(self.resolve(raw.get("MemorySize", 128)))),
            timeout_s=float(text(self.resolve(raw.get("Timeout", 3)))),
        )

    def _events(self, function_id: str) -> list[tuple[str, str, dict[str, Any]]]:
        """(event name, type, resolved properties) of the resources the translator made from the
        function's URL and events, in the order the template declares the events.

        The translator names them ``<function><event>`` and points them at the function by
        ``Ref`` or by ``Fn::GetAtt <function>.Arn``."""
        pointers = ({"Ref": function_id}, {"Fn::GetAtt": [function_id, "Arn"]})
        found: list[tuple[str, str, dict[str, Any]]] = []
        for logical_id in self.of_type(_URL, _SCHEDULE, _RULE, _MAPPING):
            props = self.resources[logical_id].get("Properties") or {}
            targets = [
                props.get("TargetFunctionArn"),
                props.get("FunctionName"),
                (props.get("Target") or {}).get("Arn"),
                *((target or {}).get("Arn") for target in props.get("Targets") or []),
            ]
            if any(pointer in targets for pointer in pointers):
                rtype = self.resources[logical_id]["Type"]
                found.append((logical_id.removeprefix(function_id), rtype, self.properties(logical_id)))
        source = (self.template.get("Resources", {}).get(function_id) or {}).get("Properties") or {}
        position = _position(list(source.get("Events") or {}))
        return sorted(found, key=lambda event: position(event[0]))

    def _queue_of(self, function_id: str, event_name: str, arn: str) -> str:
        for logical_id in self.queues():
            if self.get_att(logical_id, "Arn") == arn:
                return logical_id
        raise TemplateError(f"{function_id}.{event_name}: queue {arn!r} is not a queue of this template")

    def _layer_dirs(self, layers: list[Any]) -> tuple[Path, ...]:
        dirs: list[Path] = []
        for layer in layers:
            target = layer.get("Ref") if isinstance(layer, dict) else None
            resource = self.resources.get(target) if isinstance(target, str) else None
            folder = code_folder((resource.get("Properties") or {}).get("Content")) if resource else None
            if folder is not None:
                dirs.append((self.base_dir / folder).resolve())
        return tuple(dirs)


def _position(declared: list[str]) -> Callable[[str], int]:
    """A sort key: the place of a name in the template (names it does not declare come first)."""
    return lambda name: declared.index(name) if name in declared else -1


def _schedule(name: str, rtype: str, props: dict[str, Any]) -> ScheduleSpec:
    if rtype == _SCHEDULE:
        target, timezone = props.get("Target") or {}, props.get("ScheduleExpressionTimezone", "UTC")
    else:  # an EventBridge rule with a schedule: rules have no time zone
        target, timezone = (props.get("Targets") or [{}])[0], "UTC"
    raw_input = target.get("Input")
    payload = json.loads(raw_input) if isinstance(raw_input, str) else raw_input
    return ScheduleSpec(
        event_name=name,
        expression=text(props["ScheduleExpression"]),
        timezone=text(timezone),
        input=payload if isinstance(payload, dict) else None,
        enabled=props.get("State", "ENABLED") == "ENABLED",
    )


# --------------------------------------------------------------------------- handlers

_handlers: dict[tuple[str, Path, str], Callable[[dict[str, Any], Any], Any]] = {}
_handlers_lock = threading.Lock()


def load_handler(spec: FunctionSpec) -> Callable[[dict[str, Any], Any], Any]:
    """Import ``spec.code_dir``'s handler module under a unique name and return the handler.

    The function's layer folders are put on ``sys.path`` first, as Lambda does with /opt/python.
    Handlers import only from their layers: the code folder itself is not put on ``sys.path``
    (every function has a ``handler.py``; they would shadow each other).
    """
    key = (spec.logical_id, spec.code_dir, spec.handler)
    with _handlers_lock:
        if key in _handlers:
            return _handlers[key]
        module_path, _, attribute = spec.handler.rpartition(".")
        if not module_path or not attribute:
            raise TemplateError(f"{spec.logical_id}: handler {spec.handler!r} is not <module>.<function>")
        source = spec.code_dir / f"{module_path.replace('.', '/')}.py"
        if not source.is_file():
            raise FileNotFoundError(f"{spec.logical_id}: no handler module at {source}")
        for layer_dir in reversed(spec.layer_dirs):
            if str(layer_dir) not in sys.path:
                sys.path.insert(0, str(layer_dir))
        module_name = f"worklog_fn_{spec.name.replace('-', '_')}"
        loader_spec = importlib.util.spec_from_file_location(module_name, source)
        if loader_spec is None or loader_spec.loader is None:
            raise ImportError(f"cannot import {source}")
        module = importlib.util.module_from_spec(loader_spec)
        # Registered before running it: dataclasses and pydantic look modules up by name.
        sys.modules[module_name] = module
        try:
            loader_spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(module_name, None)
            raise
        handler = getattr(module, attribute, None)
        if not callable(handler):
            raise TemplateError(f"{spec.logical_id}: {source} has no callable {attribute}")
        _handlers[key] = handler
        return handler
