"""Logger, Tracer and Metrics, created once; every function imports them from here."""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import AmazonCloudWatchEMFProvider

from worklog.tracing import Tracer

logger = Logger()
# Our own X-Ray subsegments (worklog.tracing), not Powertools' Tracer: the X-Ray SDK it imports was
# the largest library of a handler's cold start after pydantic.
tracer = Tracer()
# The template sets the namespace; a process that imports this before its environment is set (a
# test session) still gets one, or Powertools refuses to flush a full metric set.
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "Worklog"
metrics = Metrics(namespace=NAMESPACE)

FUNCTION_URL_CORRELATION = correlation_paths.LAMBDA_FUNCTION_URL

# Heartbeats: a scheduled job that finished its run says so; template.yaml's heartbeat alarms fire
# when a job's metric is missing over its period (tests/infra/test_alarms.py holds both to these).
HEARTBEAT_METRIC = "RunFinished"
HEARTBEAT_DIMENSION = "job"
HEARTBEAT_JOBS = (
    "missing-entry-check",
    "review-assignment",
    "disclosure-publisher",
    "notifier-morning",
    "archiver",
)


def heartbeat(job: str) -> None:
    """Put one ``RunFinished`` for ``job`` at once, as an EMF record of its own.

    Its own record, not the handler's shared metric set: a ``job`` dimension there would ride on
    every other metric of the invocation, and the service dimension Powertools adds there would
    have to be named by the alarm too. Here the only dimension is the job."""
    if job not in HEARTBEAT_JOBS:
        raise ValueError(f"not a job with a heartbeat alarm: {job}")
    record = AmazonCloudWatchEMFProvider(namespace=NAMESPACE, service="")
    record.add_metric(name=HEARTBEAT_METRIC, unit=MetricUnit.Count, value=1)
    record.add_dimension(name=HEARTBEAT_DIMENSION, value=job)
    record.flush_metrics(raise_on_empty_metrics=True)
