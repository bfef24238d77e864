"""The evaluator of intrinsic functions that the local stack needs (what the libraries leave).

cfn-lint decodes the template and the SAM translator expands it, but neither knows what a ``Ref``
or an ``Fn::Sub`` gives once the stack exists: CloudFormation decides that at deploy time. The
local stack needs those values (table names in environments, ARNs in policies, the distribution's
origins), so this module evaluates them for one stack name, region, account and set of parameter
values: parameters and conditions, physical names as CloudFormation generates them, the ``Ref`` and
``Fn::GetAtt`` values of the resource types the template uses (a table of formats below), and the
intrinsic functions. Ids that AWS would make up (user pools, keys, distributions) are digests of
the stack name and logical id, so that a local environment keeps them from run to run. Parameter
values are checked here too (unknown names, AllowedValues, Number): the translator only fills in
defaults, and cfn-lint checks the template, not the values a stack is given.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any

from infra.cloudformation.source import TemplateError

__all__ = ["Evaluator", "text"]

_NO_VALUE = object()  # Ref AWS::NoValue: the enclosing key or list element disappears
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")

# The property that names a resource; without it CloudFormation generates a name.
_NAME_PROPERTY = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::Events::EventBus": "Name",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Lambda::LayerVersion": "LayerName",
    "AWS::IAM::Role": "RoleName",
    "AWS::CloudFront::Function": "Name",
    "AWS::Cognito::UserPoolDomain": "Domain",
    "AWS::SSM::Parameter": "Name",
}
_NAME_LIMIT = {"AWS::IAM::Role": 64}  # generated names are cut at 63 characters otherwise

# What ``Ref`` gives, by type (the physical name when the type is not listed). Format fields: the
# resource's ``name``; ``p``artition, ``r``egion, ``a``ccount, url ``s``uffix; digests ``h9``,
# ``h13``, ``h26`` and ``uuid`` of the stack name and logical id.
_UUID_REF = "{uuid}"
_REFS = {
    "AWS::SQS::Queue": "https://sqs.{r}.{s}/{a}/{name}",
    "AWS::Lambda::LayerVersion": "arn:{p}:lambda:{r}:{a}:layer:{name}:1",
    "AWS::Cognito::UserPool": "{r}_{h9}",
    "AWS::Cognito::UserPoolClient": "{h26}",
    "AWS::KMS::Key": _UUID_REF,
    "AWS::CloudFront::ResponseHeadersPolicy": _UUID_REF,
    "AWS::CloudFront::OriginRequestPolicy": _UUID_REF,
    "AWS::CloudFront::CachePolicy": _UUID_REF,
    "AWS::CloudFront::OriginAccessControl": _UUID_REF,
    "AWS::CloudFront::Distribution": "E{H13}",
    "AWS::CloudFront::Function": "arn:{p}:cloudfront::{a}:function/{name}",
}
# What ``Fn::GetAtt`` gives, by type and attribute (same fields, and ``ref``; for a function URL
# ``target`` is its function's name and ``url_id`` a digest of the function's logical id).
_TABLE_ARN = "arn:{p}:dynamodb:{r}:{a}:table/{name}"
_FUNCTION_ARN = "arn:{p}:lambda:{r}:{a}:function:{name}"
_ATTRIBUTES: dict[str, dict[str, str]] = {
    "AWS::DynamoDB::Table": {"Arn": _TABLE_ARN, "StreamArn": _TABLE_ARN + "/stream/1970-01-01T00:00:00.000"},
    "AWS::S3::Bucket": {
        "Arn": "arn:{p}:s3:::{name}",
        "DomainName": "{name}.s3.{s}",
        "RegionalDomainName": "{name}.s3.{r}.{s}",
        "DualStackDomainName": "{name}.s3.dualstack.{r}.{s}",
        "WebsiteURL": "http://{name}.s3-website-{r}.{s}",
    },
    "AWS::SQS::Queue": {"Arn": "arn:{p}:sqs:{r}:{a}:{name}", "QueueName": "{name}", "QueueUrl": "{ref}"},
    "AWS::Events::EventBus": {"Arn": "arn:{p}:events:{r}:{a}:event-bus/{name}", "Name": "{name}"},
    "AWS::Lambda::Function": {"Arn": _FUNCTION_ARN},
    "AWS::Lambda::Url": {
        "FunctionUrl": "https://{url_id}.lambda-url.{r}.on.aws/",
        "FunctionArn": "arn:{p}:lambda:{r}:{a}:function:{target}",
    },
    "AWS::Cognito::UserPool": {
        "Arn": "arn:{p}:cognito-idp:{r}:{a}:userpool/{ref}",
        "ProviderName": "cognito-idp.{r}.{s}/{ref}",
        "ProviderURL": "https://cognito-idp.{r}.{s}/{ref}",
        "UserPoolId": "{ref}",
    },
    "AWS::Cognito::UserPoolClient": {"ClientId": "{ref}", "Name": "{name}"},
    "AWS::KMS::Key": {"Arn": "arn:{p}:kms:{r}:{a}:key/{ref}", "KeyId": "{ref}"},
    "AWS::CloudFront::Distribution": {"Id": "{ref}", "DomainName": "d{h13}.cloudfront.net"},
    "AWS::CloudFront::Function": {"FunctionARN": "{ref}", "FunctionMetadata.FunctionARN": "{ref}"},
    "AWS::CloudFront::OriginAccessControl": {"Id": "{ref}"},
    "AWS::IAM::Role": {"Arn": "arn:{p}:iam::{a}:role/{name}", "RoleId": "{role_id}"},
}


def text(value: Any) -> str:
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


def _pair(function: str, argument: Any, shape: str, size: int = 2) -> list[Any]:
    if not isinstance(argument, list) or len(argument) != size:
        raise TemplateError(f"{function} needs {shape}, got {argument!r}")
    return argument


class Evaluator:
    """Intrinsic functions of one (translated) template for one stack name, region and parameters."""

    def __init__(
        self,
        template: dict[str, Any],
        stack_name: str,
        parameters: dict[str, str],
        region: str,
        account: str,
    ) -> None:
        self.stack_name = stack_name
        self.region = region
        self.account = account
        self.partition = "aws-cn" if region.startswith("cn-") else "aws"
        self.url_suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
        self.translated = template
        self.resources: dict[str, dict[str, Any]] = template.get("Resources", {})
        self.parameters = parameters
        self._conditions: dict[str, bool] = {}
        self._functions: dict[str, Callable[[Any], Any]] = {
            "Ref": self._fn_ref,
            "Fn::Sub": self._fn_sub,
            "Fn::GetAtt": self._fn_get_att,
            "Fn::If": self._fn_if,
            "Fn::Equals": self._fn_equals,
            "Fn::Not": self._fn_not,
            "Fn::And": lambda argument: all(self._truths("Fn::And", argument)),
            "Fn::Or": lambda argument: any(self._truths("Fn::Or", argument)),
            "Fn::Join": self._fn_join,
            "Fn::Select": self._fn_select,
            "Fn::Split": self._fn_split,
            "Fn::FindInMap": self._fn_find_in_map,
            "Fn::Base64": lambda argument: base64.b64encode(text(self._resolve(argument)).encode()).decode(),
            "Fn::GetAZs": lambda argument: [f"{text(self._resolve(argument)) or region}{z}" for z in "abc"],
        }

    # ------------------------------------------------------------------ parameters and conditions

    @staticmethod
    def parameter_values(declared: Mapping[str, dict[str, Any]], given: Mapping[str, Any]) -> dict[str, str]:
        """Every declared parameter's value: the given one or its default, checked as CloudFormation does."""
        unknown = sorted(set(given) - set(declared))
        if unknown:
            raise TemplateError(f"unknown parameters: {', '.join(unknown)}")
        values: dict[str, str] = {}
        for name, spec in declared.items():
            if name not in given and "Default" not in spec:
                raise TemplateError(f"parameter {name} has no default and no value was given")
            value = text(given[name] if name in given else spec["Default"])
            allowed = spec.get("AllowedValues")
            if allowed is not None and value not in [text(a) for a in allowed]:
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
            conditions: dict[str, Any] = self.translated.get("Conditions", {}) or {}
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

    def _truths(self, function: str, argument: Any) -> list[bool]:
        if not isinstance(argument, list) or not argument:
            raise TemplateError(f"{function} needs a list of conditions, got {argument!r}")
        return [self._truth(item) for item in argument]

    def active(self, logical_id: str) -> bool:
        name = self.resources[logical_id].get("Condition")
        return True if name is None else self.condition(name)

    def of_type(self, *types: str) -> list[str]:
        """The logical ids of the created resources of these types."""
        return [
            logical_id
            for logical_id, resource in self.resources.items()
            if resource.get("Type") in types and self.active(logical_id)
        ]

    def properties(self, logical_id: str) -> dict[str, Any]:
        """A resource's properties, resolved."""
        props = self.resolve(self.resources[logical_id].get("Properties") or {})
        return props if isinstance(props, dict) else {}

    def _resource(self, logical_id: str) -> dict[str, Any]:
        resource = self.resources.get(logical_id)
        if resource is None:
            raise TemplateError(f"unknown resource {logical_id}")
        if not self.active(logical_id):
            raise TemplateError(
                f"resource {logical_id} is not created (condition {resource['Condition']} is false)"
            )
        return resource

    # ------------------------------------------------------------------ names, refs and attributes

    def physical_name(self, logical_id: str) -> str:
        """The resource's name: its own name property, or the one CloudFormation would generate."""
        resource = self.resources[logical_id]
        rtype = resource.get("Type", "")
        props = resource.get("Properties", {}) or {}
        explicit = props.get(_NAME_PROPERTY.get(rtype, ""))
        if explicit is not None:
            return text(self.resolve(explicit))
        if rtype == "AWS::Events::EventBus":
            raise TemplateError(f"{logical_id}: an event bus needs a Name")
        limit = _NAME_LIMIT.get(rtype, 63)
        name = re.sub(r"[^a-z0-9-]+", "-", f"{self.stack_name}-{_kebab(logical_id)}".lower()).strip("-")
        if len(name) > limit:
            name = f"{name[: limit - 9].rstrip('-')}-{_digest(self.stack_name, logical_id)}"
        if rtype == "AWS::SQS::Queue" and text(self.resolve(props.get("FifoQueue", False))) == "true":
            name = f"{name[:58]}.fifo"
        return name

    def _fields(self, logical_id: str) -> dict[str, str]:
        """The format fields of ``_REFS`` and ``_ATTRIBUTES`` for one resource."""
        resource = self._resource(logical_id)
        rtype = resource.get("Type", "")
        h = _digest(self.stack_name, logical_id, size=32)
        fields = {
            "name": self.physical_name(logical_id),
            "p": self.partition,
            "r": self.region,
            "a": self.account,
            "s": self.url_suffix,
            "h9": _digest(self.stack_name, logical_id, size=9),
            "h13": h[:13],
            "H13": h[:13].upper(),
            "h26": h[:26],
            "uuid": f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}",
        }
        fields["role_id"] = _digest(fields["name"], size=21).upper()
        fields["ref"] = _REFS.get(rtype, "{name}").format(**fields)
        target = ((resource.get("Properties") or {}).get("TargetFunctionArn") or {}).get("Ref")
        if rtype == "AWS::Lambda::Url" and isinstance(target, str):
            fields["target"] = self.physical_name(target)
            fields["url_id"] = _digest(self.stack_name, target, size=32)
        return fields

    def _ref_resource(self, logical_id: str) -> str:
        return self._fields(logical_id)["ref"]

    def get_att(self, logical_id: str, attribute: str) -> str:
        fields = self._fields(logical_id)
        rtype = self.resources[logical_id].get("Type", "")
        formats = _ATTRIBUTES.get(rtype, {})
        if attribute not in formats:
            raise TemplateError(
                f"Fn::GetAtt {logical_id}.{attribute} ({rtype or 'unknown type'}) is not supported"
            )
        return formats[attribute].format(**fields)

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
                    function = self._functions.get(key)
                    if function is None:
                        raise TemplateError(f"{key} is not supported by the local resolver")
                    return function(argument)
            return {k: r for k, v in value.items() if (r := self._resolve(v)) is not _NO_VALUE}
        if isinstance(value, list):
            return [r for v in value if (r := self._resolve(v)) is not _NO_VALUE]
        return value

    def _pseudo(self, name: str) -> Any:
        stack_id = f"stack/{self.stack_name}/{_digest(self.stack_name, size=36)}"
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account,
            "AWS::StackName": self.stack_name,
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": self.url_suffix,
            "AWS::StackId": f"arn:{self.partition}:cloudformation:{self.region}:{self.account}:{stack_id}",
            "AWS::NoValue": _NO_VALUE,
            "AWS::NotificationARNs": [],
        }.get(name)

    def _fn_ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            raise TemplateError(f"Ref needs a name, got {name!r}")
        if name in self.parameters:
            kind = str(self.translated["Parameters"][name].get("Type", "String"))
            if kind == "CommaDelimitedList" or kind.startswith("List<"):
                return [part.strip() for part in self.parameters[name].split(",")]
            return self.parameters[name]
        if name.startswith("AWS::"):
            pseudo = self._pseudo(name)
            if pseudo is not None:
                return pseudo
        return self._ref_resource(name)

    def _fn_get_att(self, argument: Any) -> str:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        logical_id, attribute = _pair("Fn::GetAtt", argument, "[resource, attribute]")
        return self.get_att(text(logical_id), text(self._resolve(attribute)))

    def _fn_sub(self, argument: Any) -> str:
        if isinstance(argument, str):
            template, variables = argument, {}
        else:
            template, variables = _pair("Fn::Sub", argument, "a string or [string, variables]")
        if not isinstance(template, str) or not isinstance(variables, dict):
            raise TemplateError(f"Fn::Sub needs a string or [string, variables], got {argument!r}")

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            name = name.strip()
            if name in variables:
                return text(self._resolve(variables[name]))
            if "." in name and not name.startswith("AWS::"):
                return self.get_att(*name.split(".", 1))
            value = self._fn_ref(name)
            if value is _NO_VALUE or isinstance(value, list):
                raise TemplateError(f"Fn::Sub cannot insert {name}")
            return text(value)

        return _SUB_VARIABLE.sub(replace, template)

    def _fn_if(self, argument: Any) -> Any:
        name, when_true, when_false = _pair("Fn::If", argument, "[condition, then, else]", 3)
        return self._resolve(when_true if self.condition(text(name)) else when_false)

    def _fn_equals(self, argument: Any) -> bool:
        left, right = (self._resolve(v) for v in _pair("Fn::Equals", argument, "two values"))

        def normal(value: Any) -> Any:
            return [normal(v) for v in value] if isinstance(value, list) else text(value)

        return bool(normal(left) == normal(right))

    def _fn_not(self, argument: Any) -> bool:
        values = self._truths("Fn::Not", argument)
        if len(values) != 1:
            raise TemplateError("Fn::Not takes exactly one condition")
        return not values[0]

    def _fn_join(self, argument: Any) -> str:
        delimiter, items = _pair("Fn::Join", argument, "[delimiter, list]")
        items = self._resolve(items)
        if not isinstance(items, list):
            raise TemplateError(f"Fn::Join needs a list, got {items!r}")
        return text(delimiter).join(text(item) for item in items)

    def _fn_select(self, argument: Any) -> Any:
        index, items = _pair("Fn::Select", argument, "[index, list]")
        index, items = int(text(self._resolve(index))), self._resolve(items)
        if not isinstance(items, list) or not 0 <= index < len(items):
            raise TemplateError(f"Fn::Select index {index} out of range of {items!r}")
        return items[index]

    def _fn_split(self, argument: Any) -> list[str]:
        delimiter, source = _pair("Fn::Split", argument, "[delimiter, string]")
        return text(self._resolve(source)).split(text(delimiter))

    def _fn_find_in_map(self, argument: Any) -> Any:
        argument = _pair("Fn::FindInMap", argument, "[map, key, key]", 3)
        map_name, first, second = (text(self._resolve(v)) for v in argument)
        try:
            return self._resolve(self.translated["Mappings"][map_name][first][second])
        except KeyError:
            raise TemplateError(f"Fn::FindInMap: no {map_name}/{first}/{second}") from None
