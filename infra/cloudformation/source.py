"""Reading the template with the libraries of the real toolchain, offline.

``decode``: cfn-lint's decoder (the one ``cfn-lint`` and ``sam validate`` use) reads the YAML with
CloudFormation's short tags in their long forms; the result is turned into plain dicts, lists and
strings (dates, as CloudFormation reads them, stay text).

``translate``: the SAM translator expands ``AWS::Serverless::*`` (Globals, environments, layers,
policies, function URLs, events) into plain CloudFormation, as the deployment's transform does.
It needs what ``sam package`` and an AWS session would give it; here, offline: local code folders
become locations in a marker bucket (``code_folder`` reads them back), the region comes from an
explicit boto3 session (no credentials are read), and managed policies resolve to nothing (the
template names none; policy templates are expanded by the translator itself).

cfn-lint and the translator are imported when first used: they take a second or more to import,
and most importers of infra.template want only ``ROOT``.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

__all__ = ["LOCAL_CODE_BUCKET", "TemplateError", "code_folder", "decode", "translate"]

# The marker bucket of packaged code: its keys are the template's own folders (CodeUri, ContentUri).
LOCAL_CODE_BUCKET = "local-code"
_CODE_PROPERTIES = ("CodeUri", "ContentUri")


class TemplateError(ValueError):
    """The template asks for something this resolver does not (or cannot) support."""


def decode(path: Path) -> dict[str, Any]:
    """The template at ``path`` as plain data, with every short tag in its long form."""
    from cfnlint.decode import cfn_yaml

    data = json.loads(json.dumps(cfn_yaml.load(str(path)), default=str))
    if not isinstance(data, dict) or "Resources" not in data:
        raise TemplateError(f"{path} is not a CloudFormation template")
    return data


def translate(template: dict[str, Any], parameters: dict[str, str], region: str) -> dict[str, Any]:
    """The template with its SAM resources expanded into plain CloudFormation (a fresh copy)."""
    key = json.dumps([template, parameters, region], sort_keys=True)
    return json.loads(_translated(key))


def code_folder(location: Any) -> str | None:
    """The local folder of a translated function's ``Code`` or a layer's ``Content``, if local."""
    if isinstance(location, dict) and location.get("S3Bucket") == LOCAL_CODE_BUCKET:
        return str(location["S3Key"])
    return None


@functools.lru_cache(maxsize=8)
def _translated(key: str) -> str:
    # Cached on the whole input: tests and the local runtime build many stacks of one template.
    import boto3
    from samtranslator.metrics.metrics import DummyMetricsPublisher, Metrics
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    template, parameters, region = json.loads(key)
    _package(template)
    metrics = Metrics("ServerlessTransform", DummyMetricsPublisher())
    translator = Translator(
        None, Parser(), boto_session=boto3.session.Session(region_name=region), metrics=metrics
    )
    try:
        output = translator.translate(
            template, parameter_values=dict(parameters), get_managed_policy_map=dict
        )
    except InvalidDocumentException as error:
        raise TemplateError(f"the SAM translator refuses the template: {error}") from None
    finally:
        metrics.publish()  # to nobody (the dummy publisher); an unpublished cache warns when collected
    return json.dumps(output)


def _package(template: dict[str, Any]) -> None:
    """As ``sam package`` would: local code folders become S3 locations (of the marker bucket)."""
    for resource in template.get("Resources", {}).values():
        props = resource.get("Properties") or {}
        for key in _CODE_PROPERTIES:
            if isinstance(props.get(key), str) and "://" not in props[key]:
                props[key] = f"s3://{LOCAL_CODE_BUCKET}/{props[key]}"
