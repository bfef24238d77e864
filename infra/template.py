"""template.yaml as the single source of truth for tests and the local runtime.

``load_template`` reads the SAM template (CloudFormation short tags become their long forms);
``Stack`` resolves it for one stack name and set of parameter values, the way CloudFormation
would: physical names, ARNs, conditions, ``Fn::Sub`` and friends. From that view the tests and the
local runtime create their tables, buckets, queues and event buses (``create_resources``) and find
every function, its environment, URL and schedules (``Stack.functions``): nothing redefines a key
schema or an environment variable by hand.

Pure Python: importing this module touches no AWS. boto3 is imported only by ``create_resources``.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import re
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

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


class TemplateError(ValueError):
    """The template asks for something this resolver does not (or cannot) support."""


# --------------------------------------------------------------------------- loading

_SHORT_TAGS: dict[str, str] = {
    "Ref": "Ref",
    "Condition": "Condition",
    "Sub": "Fn::Sub",
    "GetAtt": "Fn::GetAtt",
    "If": "Fn::If",
    "Equals": "Fn::Equals",
    "Not": "Fn::Not",
    "And": "Fn::And",
    "Or": "Fn::Or",
    "Join": "Fn::Join",
    "Select": "Fn::Select",
    "Split": "Fn::Split",
    "FindInMap": "Fn::FindInMap",
    "Base64": "Fn::Base64",
    "ImportValue": "Fn::ImportValue",
    "GetAZs": "Fn::GetAZs",
    "Cidr": "Fn::Cidr",
}


class _TemplateLoader(yaml.SafeLoader):
    """SafeLoader that knows CloudFormation's short tags and leaves dates as strings."""


# CloudFormation reads "2010-09-09" as a string, not a date: drop YAML's timestamp resolver.
_TemplateLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _short_tag_constructor(long_name: str) -> Callable[[yaml.SafeLoader, yaml.Node], dict[str, Any]]:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        value: Any
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if long_name == "Fn::GetAtt":
                value = str(value).split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        elif isinstance(node, yaml.MappingNode):
            value = loader.construct_mapping(node, deep=True)
        else:  # pragma: no cover - yaml has no other node kinds
            raise TemplateError(f"unexpected YAML node for !{long_name}")
        return {long_name: value}

    return construct


for _short, _long in _SHORT_TAGS.items():
    _TemplateLoader.add_constructor(f"!{_short}", _short_tag_constructor(_long))


def load_template(path: Path | None = None) -> dict[str, Any]:
    """The template as plain data, with every short tag in its long form."""
    source = path or TEMPLATE_PATH
    data = yaml.load(source.read_text(encoding="utf-8"), Loader=_TemplateLoader)
    if not isinstance(data, dict) or "Resources" not in data:
        raise TemplateError(f"{source} is not a CloudFormation template")
    return data


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

    def matches(self, event: dict[str, Any]) -> bool:
        """Whether one of the function's rules matches the event (exact values per field, as the
        template's patterns use them)."""
        for text in self.event_rules:
            pattern = json.loads(text)
            if all(
                event.get(field) in values for field, values in pattern.items() if isinstance(values, list)
            ):
                return True
        return False


# --------------------------------------------------------------------------- resolving

_NO_VALUE = object()  # Ref AWS::NoValue: the enclosing key or list element disappears
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_NAMED_TYPES = frozenset(
    {"AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::SQS::Queue", "AWS::Events::EventBus"}
)
_FUNCTION_TYPES = frozenset({"AWS::Serverless::Function", "AWS::Lambda::Function"})
_LAYER_TYPES = frozenset({"AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"})
_NAME_PROPERTY = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::Events::EventBus": "Name",
    "AWS::Serverless::Function": "FunctionName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Serverless::LayerVersion": "LayerName",
    "AWS::Lambda::LayerVersion": "LayerName",
    "AWS::IAM::Role": "RoleName",
    "AWS::CloudFront::Function": "Name",
}
_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "KmsMasterKeyId",
    "SqsManagedSseEnabled",
)


def _text(value: Any) -> str:
    """A resolved scalar as CloudFormation's string form."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise TemplateError(f"expected a scalar, got {value!r}")


def _kebab(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name).lower()


def _digest(*parts: str, size: int = 8) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:size]


def _merge_globals(global_value: Any, own: Any) -> Any:
    """SAM's Globals rule: maps merge, lists append (globals first), scalars are overridden."""
    if isinstance(global_value, dict) and isinstance(own, dict):
        merged = dict(global_value)
        for key, value in own.items():
            merged[key] = _merge_globals(global_value[key], value) if key in global_value else value
        return merged
    if isinstance(global_value, list) and isinstance(own, list):
        return [*global_value, *own]
    return own


class Stack:
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
        self.template = template
        self.stack_name = stack_name
        self.region = region
        self.account = account
        self.base_dir = (base_dir or ROOT).resolve()
        self.partition = "aws-cn" if region.startswith("cn-") else "aws"
        self.url_suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
        self.resources: dict[str, dict[str, Any]] = template.get("Resources", {})
        self.parameters: dict[str, str] = self._parameter_values(parameters or {})
        self._conditions: dict[str, bool] = {}
        self.names: dict[str, str] = {
            logical_id: self._physical_name(logical_id)
            for logical_id, resource in self.resources.items()
            if resource.get("Type") in _NAMED_TYPES and self._active(logical_id)
        }

    # ------------------------------------------------------------------ parameters and conditions

    def _parameter_values(self, given: Mapping[str, Any]) -> dict[str, str]:
        declared: dict[str, dict[str, Any]] = self.template.get("Parameters", {}) or {}
        unknown = sorted(set(given) - set(declared))
        if unknown:
            raise TemplateError(f"unknown parameters: {', '.join(unknown)}")
        values: dict[str, str] = {}
        for name, spec in declared.items():
            if name in given:
                value = _text(given[name])
            elif "Default" in spec:
                value = _text(spec["Default"])
            else:
                raise TemplateError(f"parameter {name} has no default and no value was given")
            allowed = spec.get("AllowedValues")
            if allowed is not None and value not in [_text(a) for a in allowed]:
                raise TemplateError(f"parameter {name}={value!r} is not one of {allowed}")
            if spec.get("Type") == "Number":
                try:
                    float(value)
                except ValueError:
                    raise TemplateError(f"parameter {name}={value!r} is not a number") from None
            values[name] = value
        return values

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            conditions: dict[str, Any] = self.template.get("Conditions", {}) or {}
            if name not in conditions:
                raise TemplateError(f"unknown condition {name}")
            self._conditions[name] = self._truth(conditions[name])
        return self._conditions[name]

    def _truth(self, expression: Any) -> bool:
        if isinstance(expression, dict) and set(expression) == {"Condition"}:
            return self.condition(expression["Condition"])
        value = self._resolve(expression)
        if not isinstance(value, bool):
            raise TemplateError(f"condition expression did not give a boolean: {expression!r}")
        return value

    def _active(self, logical_id: str) -> bool:
        name = self.resources[logical_id].get("Condition")
        return True if name is None else self.condition(name)

    def _resource(self, logical_id: str) -> dict[str, Any]:
        resource = self.resources.get(logical_id)
        if resource is None:
            raise TemplateError(f"unknown resource {logical_id}")
        if not self._active(logical_id):
            raise TemplateError(
                f"resource {logical_id} is not created (condition {resource['Condition']} is false)"
            )
        return resource

    def _properties(self, logical_id: str) -> dict[str, Any]:
        props = self.resolve(self.resources[logical_id].get("Properties", {}) or {})
        return props if isinstance(props, dict) else {}

    # ------------------------------------------------------------------ names and identifiers

    def _generated_name(self, logical_id: str, limit: int = 63) -> str:
        name = re.sub(r"[^a-z0-9-]+", "-", f"{self.stack_name}-{_kebab(logical_id)}".lower()).strip("-")
        if len(name) > limit:
            name = f"{name[: limit - 9].rstrip('-')}-{_digest(self.stack_name, logical_id)}"
        return name

    def _physical_name(self, logical_id: str) -> str:
        resource = self.resources[logical_id]
        rtype = resource.get("Type", "")
        props = resource.get("Properties", {}) or {}
        explicit = props.get(_NAME_PROPERTY.get(rtype, ""))
        if explicit is not None:
            return _text(self.resolve(explicit))
        if rtype == "AWS::Events::EventBus":
            raise TemplateError(f"{logical_id}: an event bus needs a Name")
        name = self._generated_name(logical_id)
        if rtype == "AWS::SQS::Queue" and _text(self.resolve(props.get("FifoQueue", False))) == "true":
            name = f"{name[:58]}.fifo"
        return name

    def _name_of(self, logical_id: str) -> str:
        return self.names[logical_id] if logical_id in self.names else self._physical_name(logical_id)

    def _arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return (
            f"arn:{self.partition}:{service}:{self.region if region else ''}:"
            f"{self.account if account else ''}:{resource}"
        )

    def _queue_url(self, name: str) -> str:
        return f"https://sqs.{self.region}.{self.url_suffix}/{self.account}/{name}"

    def _ref_resource(self, logical_id: str) -> str:
        rtype = self._resource(logical_id).get("Type", "")
        name = self._name_of(logical_id)
        if rtype == "AWS::SQS::Queue":
            return self._queue_url(name)
        if rtype in _LAYER_TYPES:
            return self._arn("lambda", f"layer:{name}:1")
        if rtype == "AWS::Cognito::UserPool":
            return f"{self.region}_{_digest(self.stack_name, logical_id, size=9)}"
        if rtype == "AWS::Cognito::UserPoolClient":
            return _digest(self.stack_name, logical_id, size=26)
        if rtype in {
            "AWS::KMS::Key",
            "AWS::CloudFront::ResponseHeadersPolicy",
            "AWS::CloudFront::OriginRequestPolicy",
            "AWS::CloudFront::CachePolicy",
            "AWS::CloudFront::OriginAccessControl",
        }:
            # Ids that are UUIDs; deterministic ones keep the local environment stable.
            h = _digest(self.stack_name, logical_id, size=32)
            return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
        if rtype == "AWS::CloudFront::Distribution":
            return "E" + _digest(self.stack_name, logical_id, size=13).upper()
        if rtype == "AWS::CloudFront::Function":
            return self._get_att(logical_id, "FunctionARN")
        if rtype in {"AWS::Cognito::UserPoolDomain", "AWS::SSM::Parameter"}:
            # The domain prefix / the parameter's name, as given.
            key = "Domain" if rtype == "AWS::Cognito::UserPoolDomain" else "Name"
            given = (self._resource(logical_id).get("Properties") or {}).get(key)
            if given is None:
                raise TemplateError(f"{logical_id}: Ref needs an explicit {key}")
            return _text(self.resolve(given))
        return name

    def _get_att(self, logical_id: str, attribute: str) -> str:
        generated = self._sam_generated_att(logical_id, attribute)
        if generated is not None:
            return generated
        rtype = self._resource(logical_id).get("Type", "")
        name = self._name_of(logical_id)
        if rtype == "AWS::DynamoDB::Table":
            arn = self._arn("dynamodb", f"table/{name}")
            values = {"Arn": arn, "StreamArn": f"{arn}/stream/1970-01-01T00:00:00.000"}
        elif rtype == "AWS::S3::Bucket":
            values = {
                "Arn": self._arn("s3", name, region=False, account=False),
                "DomainName": f"{name}.s3.{self.url_suffix}",
                "RegionalDomainName": f"{name}.s3.{self.region}.{self.url_suffix}",
                "DualStackDomainName": f"{name}.s3.dualstack.{self.region}.{self.url_suffix}",
                "WebsiteURL": f"http://{name}.s3-website-{self.region}.{self.url_suffix}",
            }
        elif rtype == "AWS::SQS::Queue":
            values = {"Arn": self._arn("sqs", name), "QueueName": name, "QueueUrl": self._queue_url(name)}
        elif rtype == "AWS::Events::EventBus":
            values = {"Arn": self._arn("events", f"event-bus/{name}"), "Name": name}
        elif rtype in _FUNCTION_TYPES:
            values = {"Arn": self._arn("lambda", f"function:{name}")}
        elif rtype == "AWS::Cognito::UserPool":
            pool = self._ref_resource(logical_id)
            provider = f"cognito-idp.{self.region}.{self.url_suffix}/{pool}"
            values = {
                "Arn": self._arn("cognito-idp", f"userpool/{pool}"),
                "ProviderName": provider,
                "ProviderURL": f"https://{provider}",
                "UserPoolId": pool,
            }
        elif rtype == "AWS::Cognito::UserPoolClient":
            values = {"ClientId": self._ref_resource(logical_id), "Name": name}
        elif rtype == "AWS::KMS::Key":
            key_id = self._ref_resource(logical_id)
            values = {"Arn": self._arn("kms", f"key/{key_id}"), "KeyId": key_id}
        elif rtype == "AWS::CloudFront::Distribution":
            values = {
                "Id": self._ref_resource(logical_id),
                "DomainName": f"d{_digest(self.stack_name, logical_id, size=13)}.cloudfront.net",
            }
        elif rtype == "AWS::CloudFront::Function":
            arn = self._arn("cloudfront", f"function/{name}", region=False)
            values = {"FunctionARN": arn, "FunctionMetadata.FunctionARN": arn}
        elif rtype == "AWS::CloudFront::OriginAccessControl":
            values = {"Id": self._ref_resource(logical_id)}
        elif rtype == "AWS::IAM::Role":
            values = {
                "Arn": self._arn("iam", f"role/{name}", region=False),
                "RoleId": _digest(name, size=21).upper(),
            }
        else:
            values = {}
        if attribute not in values:
            raise TemplateError(
                f"Fn::GetAtt {logical_id}.{attribute} ({rtype or 'unknown type'}) is not supported"
            )
        return values[attribute]

    def _sam_generated_att(self, logical_id: str, attribute: str) -> str | None:
        """Attributes of resources that the SAM transform adds (<Function>Url, <Function>Role)."""
        if logical_id in self.resources:
            return None
        for suffix in ("Url", "Role"):
            owner = logical_id.removesuffix(suffix)
            if (
                owner == logical_id
                or self.resources.get(owner, {}).get("Type") != "AWS::Serverless::Function"
            ):
                continue
            self._resource(owner)
            function = self._name_of(owner)
            if suffix == "Url" and "FunctionUrlConfig" in (self.resources[owner].get("Properties") or {}):
                url_id = _digest(self.stack_name, owner, size=32)
                values = {
                    "FunctionUrl": f"https://{url_id}.lambda-url.{self.region}.on.aws/",
                    "FunctionArn": self._arn("lambda", f"function:{function}"),
                }
                if attribute in values:
                    return values[attribute]
            if suffix == "Role" and attribute == "Arn":
                return self._arn("iam", f"role/{self._generated_name(logical_id, 64)}", region=False)
        return None

    # ------------------------------------------------------------------ intrinsic functions

    def resolve(self, value: Any) -> Any:
        """``value`` with every intrinsic function evaluated (``Ref AWS::NoValue`` gives None)."""
        resolved = self._resolve(value)
        return None if resolved is _NO_VALUE else resolved

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, argument),) = value.items()
                if key == "Ref" or key.startswith("Fn::"):
                    return self._intrinsic(key, argument)
            return {k: r for k, v in value.items() if (r := self._resolve(v)) is not _NO_VALUE}
        if isinstance(value, list):
            return [r for v in value if (r := self._resolve(v)) is not _NO_VALUE]
        return value

    def _intrinsic(self, function: str, argument: Any) -> Any:
        handler = {
            "Ref": self._fn_ref,
            "Fn::Sub": self._fn_sub,
            "Fn::GetAtt": self._fn_get_att,
            "Fn::If": self._fn_if,
            "Fn::Equals": self._fn_equals,
            "Fn::Not": self._fn_not,
            "Fn::And": self._fn_and,
            "Fn::Or": self._fn_or,
            "Fn::Join": self._fn_join,
            "Fn::Select": self._fn_select,
            "Fn::Split": self._fn_split,
            "Fn::FindInMap": self._fn_find_in_map,
            "Fn::Base64": self._fn_base64,
            "Fn::GetAZs": self._fn_get_azs,
        }.get(function)
        if handler is None:
            raise TemplateError(f"{function} is not supported by the local resolver")
        return handler(argument)

    def _fn_ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            raise TemplateError(f"Ref needs a name, got {name!r}")
        if name in self.parameters:
            declared = self.template["Parameters"][name]
            kind = str(declared.get("Type", "String"))
            if kind == "CommaDelimitedList" or kind.startswith("List<"):
                return [part.strip() for part in self.parameters[name].split(",")]
            return self.parameters[name]
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account,
            "AWS::StackName": self.stack_name,
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": self.url_suffix,
            "AWS::StackId": self._arn(
                "cloudformation", f"stack/{self.stack_name}/{_digest(self.stack_name, size=36)}"
            ),
        }
        if name in pseudo:
            return pseudo[name]
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name == "AWS::NotificationARNs":
            return []
        return self._ref_resource(name)

    def _fn_get_att(self, argument: Any) -> str:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        if not isinstance(argument, list) or len(argument) != 2:
            raise TemplateError(f"Fn::GetAtt needs [resource, attribute], got {argument!r}")
        logical_id, attribute = argument
        return self._get_att(_text(logical_id), _text(self._resolve(attribute)))

    def _fn_sub(self, argument: Any) -> str:
        if isinstance(argument, str):
            text, variables = argument, {}
        elif isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
            text, variables = argument[0], argument[1]
        else:
            raise TemplateError(f"Fn::Sub needs a string or [string, variables], got {argument!r}")
        if not isinstance(text, str):
            raise TemplateError(f"Fn::Sub template must be a string, got {text!r}")

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            name = name.strip()
            if name in variables:
                return _text(self._resolve(variables[name]))
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return self._get_att(logical_id, attribute)
            value = self._fn_ref(name)
            if value is _NO_VALUE or isinstance(value, list):
                raise TemplateError(f"Fn::Sub cannot insert {name}")
            return _text(value)

        return _SUB_VARIABLE.sub(replace, text)

    def _fn_if(self, argument: Any) -> Any:
        if not isinstance(argument, list) or len(argument) != 3:
            raise TemplateError(f"Fn::If needs [condition, then, else], got {argument!r}")
        name, when_true, when_false = argument
        return self._resolve(when_true if self.condition(_text(name)) else when_false)

    def _fn_equals(self, argument: Any) -> bool:
        if not isinstance(argument, list) or len(argument) != 2:
            raise TemplateError(f"Fn::Equals needs two values, got {argument!r}")
        left, right = (self._resolve(v) for v in argument)

        def normal(value: Any) -> Any:
            return [normal(v) for v in value] if isinstance(value, list) else _text(value)

        return bool(normal(left) == normal(right))

    def _conditions_list(self, function: str, argument: Any) -> list[bool]:
        if not isinstance(argument, list) or not argument:
            raise TemplateError(f"{function} needs a list of conditions, got {argument!r}")
        return [self._truth(item) for item in argument]

    def _fn_not(self, argument: Any) -> bool:
        values = self._conditions_list("Fn::Not", argument)
        if len(values) != 1:
            raise TemplateError("Fn::Not takes exactly one condition")
        return not values[0]

    def _fn_and(self, argument: Any) -> bool:
        return all(self._conditions_list("Fn::And", argument))

    def _fn_or(self, argument: Any) -> bool:
        return any(self._conditions_list("Fn::Or", argument))

    def _fn_join(self, argument: Any) -> str:
        if not isinstance(argument, list) or len(argument) != 2:
            raise TemplateError(f"Fn::Join needs [delimiter, list], got {argument!r}")
        delimiter, items = argument[0], self._resolve(argument[1])
        if not isinstance(items, list):
            raise TemplateError(f"Fn::Join needs a list, got {items!r}")
        return _text(delimiter).join(_text(item) for item in items)

    def _fn_select(self, argument: Any) -> Any:
        if not isinstance(argument, list) or len(argument) != 2:
            raise TemplateError(f"Fn::Select needs [index, list], got {argument!r}")
        index, items = int(_text(self._resolve(argument[0]))), self._resolve(argument[1])
        if not isinstance(items, list) or not 0 <= index < len(items):
            raise TemplateError(f"Fn::Select index {index} out of range of {items!r}")
        return items[index]

    def _fn_split(self, argument: Any) -> list[str]:
        if not isinstance(argument, list) or len(argument) != 2:
            raise TemplateError(f"Fn::Split needs [delimiter, string], got {argument!r}")
        return _text(self._resolve(argument[1])).split(_text(argument[0]))

    def _fn_find_in_map(self, argument: Any) -> Any:
        if not isinstance(argument, list) or len(argument) != 3:
            raise TemplateError(f"Fn::FindInMap needs [map, key, key], got {argument!r}")
        map_name, first, second = (_text(self._resolve(v)) for v in argument)
        try:
            return self._resolve(self.template["Mappings"][map_name][first][second])
        except KeyError:
            raise TemplateError(f"Fn::FindInMap: no {map_name}/{first}/{second}") from None

    def _fn_base64(self, argument: Any) -> str:
        return base64.b64encode(_text(self._resolve(argument)).encode()).decode()

    def _fn_get_azs(self, argument: Any) -> list[str]:
        region = _text(self._resolve(argument)) or self.region
        return [f"{region}{zone}" for zone in "abc"]

    # ------------------------------------------------------------------ resources

    def _of_type(self, *types: str) -> list[str]:
        return [
            logical_id
            for logical_id, resource in self.resources.items()
            if resource.get("Type") in types and self._active(logical_id)
        ]

    def tables(self) -> dict[str, dict[str, Any]]:
        """Logical id -> keyword arguments of ``dynamodb.create_table``."""
        tables: dict[str, dict[str, Any]] = {}
        for logical_id in self._of_type("AWS::DynamoDB::Table"):
            props = self._properties(logical_id)
            kwargs: dict[str, Any] = {
                "TableName": self.names[logical_id],
                "KeySchema": props["KeySchema"],
                "AttributeDefinitions": props["AttributeDefinitions"],
                "BillingMode": props.get("BillingMode", "PROVISIONED"),
            }
            if kwargs["BillingMode"] == "PROVISIONED":
                kwargs["ProvisionedThroughput"] = _throughput(props.get("ProvisionedThroughput"))
            gsis = [
                _index(index, provisioned=kwargs["BillingMode"] == "PROVISIONED")
                for index in props.get("GlobalSecondaryIndexes", [])
            ]
            if gsis:
                kwargs["GlobalSecondaryIndexes"] = gsis
            lsis = [_index(index, provisioned=False) for index in props.get("LocalSecondaryIndexes", [])]
            if lsis:
                kwargs["LocalSecondaryIndexes"] = lsis
            stream = props.get("StreamSpecification")
            if stream:
                kwargs["StreamSpecification"] = {
                    "StreamEnabled": True,
                    "StreamViewType": stream["StreamViewType"],
                }
            if "TableClass" in props:
                kwargs["TableClass"] = props["TableClass"]
            tables[logical_id] = kwargs
        return tables

    def ttl(self) -> dict[str, str]:
        """Logical id -> TTL attribute name, for tables with TimeToLiveSpecification enabled."""
        result: dict[str, str] = {}
        for logical_id in self._of_type("AWS::DynamoDB::Table"):
            spec = self._properties(logical_id).get("TimeToLiveSpecification") or {}
            if _text(spec.get("Enabled", False)) == "true":
                result[logical_id] = spec["AttributeName"]
        return result

    def buckets(self) -> dict[str, dict[str, Any]]:
        """Logical id -> {Bucket, ObjectLockEnabledForBucket, Versioning, Website, ObjectLockConfiguration}.

        ``Website`` and ``ObjectLockConfiguration`` are in the shape of the S3 API
        (``put_bucket_website`` / ``put_object_lock_configuration``), or None.
        """
        buckets: dict[str, dict[str, Any]] = {}
        for logical_id in self._of_type("AWS::S3::Bucket"):
            props = self._properties(logical_id)
            lock = _text(props.get("ObjectLockEnabled", False)) == "true"
            versioning = (props.get("VersioningConfiguration") or {}).get("Status") == "Enabled"
            buckets[logical_id] = {
                "Bucket": self.names[logical_id],
                "ObjectLockEnabledForBucket": lock,
                "Versioning": versioning or lock,
                "Website": _website(props.get("WebsiteConfiguration")),
                "ObjectLockConfiguration": _object_lock(props.get("ObjectLockConfiguration"))
                if lock
                else None,
            }
        return buckets

    def queues(self) -> dict[str, str]:
        """Logical id -> queue name."""
        return {logical_id: self.names[logical_id] for logical_id in self._of_type("AWS::SQS::Queue")}

    def queue_attributes(self, logical_id: str) -> dict[str, str]:
        """The ``create_queue`` attributes of one queue (all values as strings)."""
        props = self._properties(logical_id)
        attributes = {key: _text(props[key]) for key in _QUEUE_ATTRIBUTES if key in props}
        if "RedrivePolicy" in props:
            attributes["RedrivePolicy"] = json.dumps(props["RedrivePolicy"])
        return attributes

    def event_buses(self) -> dict[str, str]:
        """Logical id -> event bus name."""
        return {logical_id: self.names[logical_id] for logical_id in self._of_type("AWS::Events::EventBus")}

    def functions(self) -> list[FunctionSpec]:
        """Every SAM function, with Globals applied and its environment resolved to strings."""
        defaults = (self.template.get("Globals") or {}).get("Function") or {}
        specs: list[FunctionSpec] = []
        for logical_id in self._of_type("AWS::Serverless::Function"):
            raw = _merge_globals(defaults, self.resources[logical_id].get("Properties") or {})
            code_uri = self.resolve(raw.get("CodeUri"))
            if not isinstance(code_uri, str):
                raise TemplateError(f"{logical_id}: CodeUri must be a local folder, got {code_uri!r}")
            code_dir = (self.base_dir / code_uri).resolve()
            variables = self.resolve((raw.get("Environment") or {}).get("Variables") or {})
            url_config = self.resolve(raw.get("FunctionUrlConfig"))
            events: dict[str, Any] = self.resolve(raw.get("Events") or {})
            specs.append(
                FunctionSpec(
                    logical_id=logical_id,
                    name=code_dir.name.replace("_", "-"),
                    code_dir=code_dir,
                    handler=_text(self.resolve(raw.get("Handler", "handler.lambda_handler"))),
                    environment={key: _text(value) for key, value in variables.items()},
                    url=url_config is not None,
                    cors=(url_config or {}).get("Cors"),
                    schedules=tuple(
                        _schedule(name, event)
                        for name, event in events.items()
                        if event.get("Type") in {"Schedule", "ScheduleV2"}
                    ),
                    sqs_events=tuple(
                        (name, self._queue_of(logical_id, name))
                        for name, event in events.items()
                        if event.get("Type") == "SQS"
                    ),
                    layer_dirs=self._layer_dirs(raw.get("Layers") or []),
                    event_rules=tuple(
                        json.dumps((event.get("Properties") or {}).get("Pattern") or {}, sort_keys=True)
                        for event in events.values()
                        if event.get("Type") in {"EventBridgeRule", "CloudWatchEvent"}
                    ),
                )
            )
        return specs

    def _queue_of(self, function_id: str, event_name: str) -> str:
        raw = self.resources[function_id]["Properties"]["Events"][event_name]["Properties"]["Queue"]
        if isinstance(raw, dict) and "Fn::GetAtt" in raw:
            target = raw["Fn::GetAtt"]
            logical_id = target.split(".", 1)[0] if isinstance(target, str) else target[0]
            if logical_id in self.queues():
                return str(logical_id)
        arn = self.resolve(raw)
        for logical_id in self.queues():
            if self._get_att(logical_id, "Arn") == arn:
                return logical_id
        raise TemplateError(f"{function_id}.{event_name}: queue {raw!r} is not a queue of this template")

    def _layer_dirs(self, layers: list[Any]) -> tuple[Path, ...]:
        dirs: list[Path] = []
        for layer in layers:
            target = layer.get("Ref") if isinstance(layer, dict) else None
            resource = self.resources.get(target) if isinstance(target, str) else None
            if resource is None or resource.get("Type") not in _LAYER_TYPES:
                continue
            props = resource.get("Properties") or {}
            content = self.resolve(props.get("ContentUri") or props.get("Content"))
            if isinstance(content, str):
                dirs.append((self.base_dir / content).resolve())
        return tuple(dirs)


def _throughput(value: Any) -> dict[str, int]:
    if not isinstance(value, dict):
        raise TemplateError("a PROVISIONED table or index needs ProvisionedThroughput")
    return {key: int(_text(value[key])) for key in ("ReadCapacityUnits", "WriteCapacityUnits")}


def _index(index: dict[str, Any], *, provisioned: bool) -> dict[str, Any]:
    shaped: dict[str, Any] = {
        "IndexName": index["IndexName"],
        "KeySchema": index["KeySchema"],
        "Projection": index["Projection"],
    }
    if provisioned:
        shaped["ProvisionedThroughput"] = _throughput(index.get("ProvisionedThroughput"))
    return shaped


def _website(config: Any) -> dict[str, Any] | None:
    if not isinstance(config, dict):
        return None
    website: dict[str, Any] = {}
    if "IndexDocument" in config:
        website["IndexDocument"] = {"Suffix": config["IndexDocument"]}
    if "ErrorDocument" in config:
        website["ErrorDocument"] = {"Key": config["ErrorDocument"]}
    if "RedirectAllRequestsTo" in config:
        website["RedirectAllRequestsTo"] = config["RedirectAllRequestsTo"]
    return website


def _object_lock(config: Any) -> dict[str, Any] | None:
    if not isinstance(config, dict):
        return None
    shaped: dict[str, Any] = {"ObjectLockEnabled": config.get("ObjectLockEnabled", "Enabled")}
    retention = (config.get("Rule") or {}).get("DefaultRetention")
    if retention:
        default = {"Mode": retention["Mode"]}
        default.update({unit: int(_text(retention[unit])) for unit in ("Days", "Years") if unit in retention})
        shaped["Rule"] = {"DefaultRetention": default}
    return shaped


def _schedule(name: str, event: dict[str, Any]) -> ScheduleSpec:
    props = event.get("Properties") or {}
    raw_input = props.get("Input")
    payload = json.loads(raw_input) if isinstance(raw_input, str) else raw_input
    if event["Type"] == "ScheduleV2":
        expression = props["ScheduleExpression"]
        timezone = props.get("ScheduleExpressionTimezone", "UTC")
        enabled = props.get("State", "ENABLED") == "ENABLED"
    else:
        expression = props["Schedule"]
        timezone = "UTC"  # EventBridge rules have no time zone
        enabled = _text(props.get("Enabled", True)) == "true" and props.get("State", "ENABLED") == "ENABLED"
    return ScheduleSpec(
        event_name=name,
        expression=_text(expression),
        timezone=_text(timezone),
        input=payload if isinstance(payload, dict) else None,
        enabled=enabled,
    )


# --------------------------------------------------------------------------- creating resources


def create_resources(
    stack: Stack,
    *,
    dynamodb: Any = None,
    s3: Any = None,
    sqs: Any = None,
    events: Any = None,
) -> None:
    """Create the template's tables (then TTL), buckets, queues and event buses.

    Clients that are not given are made with boto3 for ``stack.region`` (they honour
    ``AWS_ENDPOINT_URL``). Idempotent: a resource that already exists is left as it is.
    """
    import boto3
    from botocore.exceptions import ClientError

    def client(given: Any, service: str) -> Any:
        return given if given is not None else boto3.client(service, region_name=stack.region)  # type: ignore[call-overload]

    tables = stack.tables()
    if tables:
        dynamodb = client(dynamodb, "dynamodb")
        existing = {
            name for page in dynamodb.get_paginator("list_tables").paginate() for name in page["TableNames"]
        }
        for kwargs in tables.values():
            if kwargs["TableName"] not in existing:
                dynamodb.create_table(**kwargs)
                dynamodb.get_waiter("table_exists").wait(
                    TableName=kwargs["TableName"], WaiterConfig={"Delay": 1, "MaxAttempts": 60}
                )
        for logical_id, attribute in stack.ttl().items():
            name = tables[logical_id]["TableName"]
            status = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
            if status.get("TimeToLiveStatus") not in {"ENABLED", "ENABLING"}:
                dynamodb.update_time_to_live(
                    TableName=name, TimeToLiveSpecification={"AttributeName": attribute, "Enabled": True}
                )

    buckets = stack.buckets()
    if buckets:
        s3 = client(s3, "s3")
        existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
        for spec in buckets.values():
            name = spec["Bucket"]
            if name in existing:
                continue
            create: dict[str, Any] = {"Bucket": name}
            if stack.region != "us-east-1":
                create["CreateBucketConfiguration"] = {"LocationConstraint": stack.region}
            if spec["ObjectLockEnabledForBucket"]:
                create["ObjectLockEnabledForBucket"] = True
            s3.create_bucket(**create)
            if spec["Versioning"]:
                s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
            if spec["ObjectLockConfiguration"] and "Rule" in spec["ObjectLockConfiguration"]:
                s3.put_object_lock_configuration(
                    Bucket=name, ObjectLockConfiguration=spec["ObjectLockConfiguration"]
                )
            if spec["Website"]:
                s3.put_bucket_website(Bucket=name, WebsiteConfiguration=spec["Website"])

    queues = stack.queues()
    if queues:
        sqs = client(sqs, "sqs")
        # Dead-letter targets first: a redrive policy must point at an existing queue.
        ordered = sorted(queues, key=lambda logical_id: "RedrivePolicy" in stack.queue_attributes(logical_id))
        for logical_id in ordered:
            try:
                sqs.get_queue_url(QueueName=queues[logical_id])
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "")
                if not code.endswith(("NonExistentQueue", "QueueDoesNotExist")):
                    raise
                sqs.create_queue(QueueName=queues[logical_id], Attributes=stack.queue_attributes(logical_id))

    buses = stack.event_buses()
    if buses:
        events = client(events, "events")
        for name in buses.values():
            try:
                events.describe_event_bus(Name=name)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                    raise
                events.create_event_bus(Name=name)


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
