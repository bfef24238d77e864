"""Logger, Tracer and Metrics, created once; every function imports them from here."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths

logger = Logger()
tracer = Tracer()
metrics = Metrics()

FUNCTION_URL_CORRELATION = correlation_paths.LAMBDA_FUNCTION_URL
