"""`make bench`: counts and ratios, never timed assertions (docs/benchmarks.md).

1. AWS requests per entry submission, counted from botocore's before-send events, for a cold
   container, a warm one, a warm one with an Idempotency-Key, and a retried (replayed) key.
2. The entries handler's p50 time per submission beside a bare TransactWriteItems of the same
   three items, in the same run (moto in-process, so both pay the same emulator cost).
3. Cold import of each function's handler module beside `import boto3` alone, under Lambda-like
   conditions (infra/bench_cold.py: read-only byte-compiled layer, fresh interpreters, interleaved).

Then the sweeps (infra/bench_sweeps.py), the public site (infra/bench_site.py), the nightly publish
after 1% changed (infra/bench_publish.py; the province's row with --publish-province) and the app
in a browser (infra/bench_app.py).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from infra import bench_app, bench_cold, bench_notify, bench_publish, bench_site, bench_sweeps
from infra.counting import counting
from infra.inprocess import InProcessStack, in_process, reset_caches

BUDGET_REQUESTS_PER_SAVE = 3


def _roster(n: int) -> None:
    from worklog.models.roster import Cadre, Unit
    from worklog.roster.repository import RosterRepository

    unit = Unit(unit_id="bench", name="基准测试单位", head_id=None)
    cadres = [
        Cadre(cadre_id=f"b{i:05d}", name=f"测试{i}", unit_id="bench", roles=["cadre"]) for i in range(n)
    ]
    RosterRepository().bulk_put([unit], cadres)


def _entry(i: int) -> dict[str, Any]:
    return {"items": [{"content": f"第{i}项工作：召开专题会议，研究部署重点任务推进", "status": "done"}]}


def request_counts(stack: InProcessStack) -> list[tuple[str, Counter[str]]]:
    rows = []
    scenarios = [
        ("cold container, no Idempotency-Key", "2026-11-20", {}),
        ("warm container, no Idempotency-Key", "2026-11-19", {}),
        ("warm container, with Idempotency-Key", "2026-11-18", {"Idempotency-Key": "bench-1"}),
        ("retry of the same key (replayed)", "2026-11-18", {"Idempotency-Key": "bench-1"}),
    ]
    reset_caches()  # a cold container: no cached principal, head or calendar
    for i, (name, day, headers) in enumerate(scenarios):
        with counting() as seen:
            resp = stack.call(
                "entries", "PUT", f"/entries/{day}", _entry(min(i, 2)), as_="b00000", headers=headers
            )
            assert resp.status == 201, resp.body
        rows.append((name, seen))
    return rows


def _p50(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def handler_vs_bare(stack: InProcessStack, n: int) -> tuple[float, float]:
    """Interleaved, so both see the same table size (moto's transactions copy the table state)."""
    import boto3

    from worklog.calendar import WorkingCalendar
    from worklog.clock import SHANGHAI, system_clock
    from worklog.dynamo import to_item
    from worklog.journal.records import Head, append, head_item, revision_item
    from worklog.periods import LockdownPolicy, day_period
    from worklog.settings import Rules

    system_clock.set(datetime(2026, 11, 20, 18, tzinfo=SHANGHAI))
    client = boto3.client("dynamodb")
    table = stack.stack.names["JournalTable"]
    policy = LockdownPolicy(Rules(), WorkingCalendar())
    handler_times, bare_times = [], []
    # Tokens are minted before timing: signing is the identity provider's work, not the handler's.
    tokens = {f"b{j:05d}": {"Authorization": f"Bearer {stack.token(f'b{j:05d}')}"} for j in range(50)}
    for i in range(n):
        who = f"b{i % 50:05d}"
        day = (date(2026, 11, 20) - timedelta(days=i // 50)).isoformat()
        start = time.perf_counter()
        resp = stack.call(
            "entries", "PUT", f"/entries/{day}", {**_entry(i), "reason": "基准测试"}, headers=tokens[who]
        )
        handler_times.append(time.perf_counter() - start)
        assert resp.status in (200, 201), resp.body
        # The same three items the handler writes (revision, view, head), built by the same code.
        step = append(
            Head(f"bare{i:05d}"),
            period=day_period(date(2026, 11, 20)),
            body=_entry(i),
            reason=None,
            saved_at="2026-11-20T18:00:00.000+08:00",
            author=f"bare{i:05d}",
            unit_id="bench",
            policy=policy,
        )
        items: list[Any] = [
            {
                "Put": {
                    "TableName": table,
                    "Item": to_item(revision_item(step.record)),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {"Put": {"TableName": table, "Item": to_item(step.view)}},
            {
                "Put": {
                    "TableName": table,
                    "Item": to_item(head_item(step.after)),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]
        start = time.perf_counter()
        client.transact_write_items(TransactItems=items)
        bare_times.append(time.perf_counter() - start)
    return _p50(handler_times), _p50(bare_times)


def report(sections: list[tuple[str, Callable[[], None]]]) -> None:
    for title, body in sections:
        print(f"\n## {title}")
        body()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--saves", type=int, default=200, help="submissions timed for the p50")
    parser.add_argument(
        "--morning-sizes",
        default="800,80000",
        help="people of the morning digest runs (comma-separated)",
    )
    parser.add_argument(
        "--sweep-sizes",
        default="800,8000",
        help="roster sizes for the sweeps, comma-separated (80000 takes the emulator about twenty minutes)",
    )
    parser.add_argument(
        "--publish-sizes",
        default="800",
        help="roster sizes for the nightly publish after 1%% changed, comma-separated (bench_publish)",
    )
    parser.add_argument(
        "--publish-province",
        action="store_true",
        help="add the province's row, 100,000 cadres, to the publish benchmark (about twenty minutes)",
    )
    parser.add_argument(
        "--app-runs", type=int, default=5, help="throttled loads of the app timed per profile (bench_app)"
    )
    parser.add_argument(
        "--cold-rounds", type=int, default=5, help="fresh interpreters per handler and per boto3 (bench_cold)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    print("# worklog benchmark (moto in-process; counts are exact, times are this machine's)")
    with in_process(Path(tempfile.mkdtemp(prefix="worklog-bench-"))) as stack:
        from worklog.clock import SHANGHAI, system_clock

        _roster(50)
        system_clock.set(datetime(2026, 11, 20, 18, tzinfo=SHANGHAI))
        rows = request_counts(stack)
        print(
            "\n## AWS requests per entry submission (budget: at most 3 on the hot path, idempotency included)"
        )
        print(f"{'scenario':42} {'requests':>8}  by operation")
        for name, seen in rows:
            ops = ", ".join(f"{op}×{n}" for op, n in sorted(seen.items()))
            print(f"{name:42} {sum(seen.values()):>8}  {ops}")
        hot = sum(rows[2][1].values())
        print(
            f"hot path with Idempotency-Key: {hot} requests; budget {BUDGET_REQUESTS_PER_SAVE}; "
            f"ratio {hot / BUDGET_REQUESTS_PER_SAVE:.2f}"
        )
        handler_p50, bare_p50 = handler_vs_bare(stack, args.saves)
        print(f"\n## Submission time, p50 over {args.saves} saves (same run, same emulator)")
        print(f"entries handler (auth, validation, chain append): {handler_p50:7.2f} ms")
        print(f"bare TransactWriteItems of 3 items:               {bare_p50:7.2f} ms")
        print(f"ratio handler / bare transaction:                 {handler_p50 / bare_p50:7.2f}")
    bench_sweeps.run([int(n) for n in args.sweep_sizes.split(",") if n])
    bench_notify.run([int(n) for n in args.morning_sizes.split(",") if n])
    bench_site.run()
    bench_publish.run(
        [int(n) for n in args.publish_sizes.split(",") if n] + [100_000] * args.publish_province
    )
    bench_app.run(args.app_runs)
    bench_cold.run(args.cold_rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
