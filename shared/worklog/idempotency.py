"""Client retries through Powertools Idempotency, keyed by the ``Idempotency-Key`` header.

The key is scoped to the caller, the method and the path; the body is the payload validated on a
replay: the same key and body return the first response and write nothing, the same key with a
different body is refused. Without the header a write simply runs as it always did.

Every write the web app sends through its outbox (which retries a lost answer with the same key)
goes through ``respond``: the journal's saves and leave, and the once-only acts — a review verdict,
a case's talk, escalation and closure, an audit finding — whose plain retry would otherwise be
refused (409) although the first attempt succeeded, as well as a grade and a feedback answer, whose
retry would otherwise write again. A route declares the header with ``KeyHeader`` so that the spec
documents it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel

from worklog import aws
from worklog.errors import Conflict, ValidationFailed
from worklog.messages import MSG
from worklog.records import datarecord
from worklog.resolver import Header, LambdaFunctionUrlResolver, Response, content_types
from worklog.settings import get_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig

KEY_RULE = r"^[A-Za-z0-9._:-]{1,128}$"
KEY_PATTERN = re.compile(KEY_RULE)
# The header as a route declares it (the spec documents it; ``respond`` checks it again, since
# a route's own validation would let a trailing line break through "$").
KeyHeader = Annotated[
    str | None,
    Header(
        alias="idempotency-key",
        pattern=KEY_RULE,
        description="optional: a retry with the same key and body gets the first response, writes nothing",
    ),
]


@datarecord(frozen=True)
class _Utility:
    config: IdempotencyConfig
    store: DynamoDBPersistenceLayer
    idempotent_function: Callable[..., Any]
    mismatch: type[Exception]
    in_progress: type[Exception]


@lru_cache(maxsize=1)
def _utility() -> _Utility:
    """Powertools' idempotency utility (its persistence layer, JMESPath, serializers), loaded at the
    container's first write that carries a key, not at cold start: reads and unkeyed writes never use
    it (docs/benchmarks.md, "Cold import")."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    config = IdempotencyConfig(
        event_key_jmespath="[cadre_id, method, path, key]",
        payload_validation_jmespath="body",
        expires_after_seconds=24 * 3600,
    )
    store = DynamoDBPersistenceLayer(
        table_name=get_settings().idempotency_table, boto3_client=aws.client("dynamodb")
    )
    return _Utility(
        config, store, idempotent_function, IdempotencyValidationError, IdempotencyAlreadyInProgressError
    )


def respond(
    app: LambdaFunctionUrlResolver,
    cadre_id: str,
    run: Callable[[], tuple[int, BaseModel]],
    model: type[BaseModel],
) -> Response[Any]:
    """Run ``run`` once per Idempotency-Key (when one is sent) and shape its result."""
    event = app.current_event
    key = event.headers.get("idempotency-key") or event.headers.get("Idempotency-Key")
    if not key:
        status, result = run()
        return Response(status, content_types.APPLICATION_JSON, result)
    if not KEY_PATTERN.fullmatch(key):  # (match would let a trailing newline through "$")
        raise ValidationFailed(
            MSG["validation_error"],
            details=[
                {
                    "loc": ["header", "Idempotency-Key"],
                    "msg": "1–128 letters, digits or ._:-",
                    "type": "pattern",
                }
            ],
        )

    def once(request: dict[str, Any]) -> dict[str, Any]:
        status, result = run()
        return {"status": status, "body": result.model_dump(mode="json", by_alias=True)}

    utility = _utility()
    utility.config.register_lambda_context(app.lambda_context)
    guarded = utility.idempotent_function(
        data_keyword_argument="request", persistence_store=utility.store, config=utility.config
    )(once)
    request = {
        "cadre_id": cadre_id,
        "method": event.http_method,
        "path": event.path,
        "key": key,
        "body": event.json_body,
    }
    try:
        outcome = guarded(request=request)
    except utility.mismatch as err:
        raise Conflict(MSG["idempotency_mismatch"], code="idempotency_key_reused") from err
    except utility.in_progress as err:
        raise Conflict(MSG["idempotency_in_progress"], code="request_in_progress") from err
    return Response(
        int(outcome["status"]), content_types.APPLICATION_JSON, model.model_validate(outcome["body"])
    )
