"""``python -m infra.local [--port N] [--no-demo | --demo-weeks N] [--no-publish] [--token-ttl S]
[--app-dist DIR]``: start the local runtime until Ctrl-C."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import warnings
from pathlib import Path


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m infra.local",
        description="Run the whole work-log system locally: embedded AWS (moto), every function URL, "
        "the schedules and the public site, on one port.",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=os.environ.get("WORKLOG_PORT", "8080"),  # argparse applies type=int to it
        help="port to listen on (default: $WORKLOG_PORT or 8080; 0 picks a free one)",
    )
    parser.add_argument("--no-demo", action="store_true", help="start with empty tables (no demo district)")
    parser.add_argument(
        "--demo-weeks",
        type=int,
        metavar="N",
        help="a short demo instead of the full one: N weeks of logs and no compliance history, loaded "
        "before the runtime reports healthy (the end-to-end tests use 3)",
    )
    parser.add_argument(
        "--no-publish",
        action="store_true",
        help="do not render the demo's public site at start-up (the nightly schedule or "
        "POST /_local/run/disclosure-publisher does it later)",
    )
    parser.add_argument(
        "--host",
        choices=["127.0.0.1"],
        default="127.0.0.1",
        help="address to listen on: only 127.0.0.1 (the runtime has no real authentication)",
    )
    parser.add_argument(
        "--token-ttl",
        type=int,
        metavar="SECONDS",
        default=os.environ.get("WORKLOG_TOKEN_TTL", "900"),
        help="how long the tokens of app sign-ins last (default: $WORKLOG_TOKEN_TTL or 900, 15 minutes; "
        "the app refreshes them); POST /_local/token keeps its own ttl_seconds",
    )
    parser.add_argument(
        "--app-dist",
        type=Path,
        metavar="DIR",
        default=os.environ.get("WORKLOG_APP_DIST") or None,
        help="the built app to serve at /app/ (default: $WORKLOG_APP_DIST or web/dist, built by make web)",
    )
    parser.add_argument("--quiet", action="store_true", help="log warnings only (no per-request lines)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    for noisy in ("botocore", "boto3", "urllib3", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Powertools warns on every request that a handler published no metric; metrics are off here.
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    from infra.local.harness import StartupError
    from infra.local.runtime import LocalRuntime

    stop = threading.Event()

    def _on_signal(signum: int, frame: object) -> None:
        stop.set()

    if args.demo_weeks is not None and not 1 <= args.demo_weeks <= 52:
        print("--demo-weeks takes 1 to 52", file=sys.stderr)
        return 2
    if not 10 <= args.token_ttl <= 24 * 3600:
        print("--token-ttl takes 10 to 86400 seconds", file=sys.stderr)
        return 2
    runtime = LocalRuntime(
        port=args.port,
        host=args.host,
        demo=not args.no_demo,
        publish=not args.no_publish,
        demo_weeks=args.demo_weeks,
        app_dist=args.app_dist,
        token_ttl=args.token_ttl,
    )
    try:
        runtime.start()
    except KeyboardInterrupt:
        print("interrupted while starting; stopped", file=sys.stderr)
        return 0
    except StartupError as err:
        print(f"cannot start the local runtime: {err}", file=sys.stderr)
        return 1
    # From here on Ctrl-C (and SIGTERM) only asks the main thread to stop cleanly.
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    print(runtime.banner(), flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        print("stopping…", file=sys.stderr, flush=True)
        runtime.stop()
    print("stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
