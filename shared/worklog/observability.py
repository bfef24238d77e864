"""Logger, Tracer and Metrics, created once; every function imports them from here."""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths

logger = Logger()
tracer = Tracer()
# The template sets the namespace; a process that imports this before its environment is set (a
# test session) still gets one, or Powertools refuses to flush a full metric set.
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "Worklog")

FUNCTION_URL_CORRELATION = correlation_paths.LAMBDA_FUNCTION_URL
