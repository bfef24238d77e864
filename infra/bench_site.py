"""Site benchmark (part of `make bench`): the disclosure publisher on the demo district — objects
written and time for a full build, then for the nightly run after one new entry (the budget in
docs/benchmarks.md: "at most a handful of S3 writes")."""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from infra.counting import counting
from infra.inprocess import in_process


def _publish(full: bool = False) -> tuple[dict[str, Any], Counter[str], float]:
    from worklog.publish.publisher import Publisher

    with counting() as seen:
        started = time.perf_counter()
        summary = Publisher().run(full=full).as_dict()
        elapsed = time.perf_counter() - started
    return summary, seen, elapsed


def run() -> None:
    from infra.seed import seed_demo
    from worklog.clock import SHANGHAI, system_clock, today

    print("\n## Public site (demo district; moto in-process)")
    with in_process(Path(tempfile.mkdtemp(prefix="worklog-site-"))) as stack:
        now = datetime.now(SHANGHAI).replace(hour=2, minute=0, second=0, microsecond=0)
        system_clock.set(now)
        seed_demo()
        full, seen_full, t_full = _publish(full=True)
        # One cadre saves one entry in the day; the next night's run.
        day = today(system_clock)
        system_clock.set(now + timedelta(hours=16))
        resp = stack.call(
            "entries",
            "PUT",
            f"/entries/{day.isoformat()}",
            {"items": [{"content": "走访辖区企业，协调解决用工问题", "status": "done"}]},
            as_="c0001",
        )
        assert resp.status in (200, 201), resp.body
        system_clock.set(now + timedelta(days=1))
        nightly, seen_nightly, t_nightly = _publish()
        print(f"{'run':<34} {'objects written':>16} {'cadres rendered':>16} {'S3 puts':>8} {'time s':>8}")
        for label, summary, seen, elapsed in (
            ("full build", full, seen_full, t_full),
            ("nightly after one new entry", nightly, seen_nightly, t_nightly),
        ):
            print(
                f"{label:<34} {summary['objects_written']:>16} {summary['cadres_rendered']:>16} "
                f"{seen['PutObject']:>8} {elapsed:>8.1f}"
            )
        print(f"written by the nightly run: {', '.join(nightly['written'])}")
