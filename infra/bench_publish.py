"""Publish benchmark (part of `make bench`): the nightly publish after 1% of the cadres saved a new
entry — requests against the lower bound, time per shard, the largest object written — at a
district's size by default, and a province's (100,000 cadres) with ``--publish-province``.

The roster (units of 13) and one entry a cadre come from the sweeps' loader; a full build
publishes them (the night before, not measured); then 1% of the cadres save an entry through the
API and the next night's run goes through the publish queue as on AWS: planned, one batch per
manifest shard, the batch that counts the last one doing the shared pages and the checkpoint. Only
that night is counted and timed.

The night before is the publisher's own full run with its requests handed straight to the
in-process emulator (``baseline_publisher``, ``infra.direct``): the same code leaves the same
shards, manifest, pages, ledger files, proofs and checkpoint, without botocore's encoding and
moto's parsing of every put (a province's 400,000 objects through the emulator's clients took
hours; this way the whole 100,000 row takes about twenty minutes).
tests/integration/test_publish_bench_baseline.py holds both ways to the same buckets and the same
measured night, byte for byte and request for request.

The lower bound is what any incremental publisher must do for k changed cadres of N: read the
roster (its pages, read alone), learn every cadre's chain head (⌈N / 100⌉ BatchGetItem), read each
changed cadre's new revisions (k Query), write each one's ledger file, month page and index (3k
PutObject), and the day's checkpoint, its index, the ledger page and the home page (4) plus the
checkpoint under Object Lock (1). Everything above it is the price of the layout: manifests and
their shards, the last published ledger files, the queue, the pages compared and not written.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from math import ceil
from pathlib import Path
from typing import Any

import boto3

from infra.counting import counting
from infra.inprocess import InProcessStack, in_process

CHANGED = 0.01


def _sizes() -> tuple[dict[str, tuple[int, str]], Any]:
    """A site bucket that records the size and the SHA-256 of every object it writes."""
    from worklog.publish.site import SiteStore

    sizes: dict[str, tuple[int, str]] = {}

    class Recording(SiteStore):
        def put(self, key: str, body: bytes, content_type: str, digest: str) -> None:
            sizes[key] = (max(sizes.get(key, (0, ""))[0], len(body)), digest)
            super().put(key, body, content_type, digest)

    return sizes, Recording()


def _nightly(site: Any) -> tuple[Counter[str], list[float], float, dict[str, Any]]:
    """The night's run through the queue: the plan, then each batch as the event source hands it."""
    from worklog.publish.publisher import Publisher
    from worklog.publish.runs import PublishQueue
    from worklog.settings import get_settings

    sqs, url = boto3.client("sqs"), get_settings().publish_queue_url
    shard_times: list[float] = []
    with counting() as seen:
        started = time.perf_counter()
        summary = Publisher(site=site).start(queue=PublishQueue())
        plan_s = time.perf_counter() - started
        while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            for message in messages:
                began = time.perf_counter()
                Publisher(site=site).take_batch(json.loads(message["Body"]), PublishQueue())
                shard_times.append(time.perf_counter() - began)
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    if not shard_times:  # one shard: the plan did it in the same invocation
        shard_times.append(plan_s)
    return seen, shard_times, plan_s, summary.as_dict()


def lower_bound(n: int, k: int) -> int:
    from worklog.roster.repository import RosterRepository

    with counting() as seen:
        sum(1 for _ in RosterRepository().list_cadres())
    return sum(seen.values()) + ceil(n / 100) + k + 3 * k + 5


def changed_cadres(n: int) -> list[str]:
    """The 1% of n cadres (at least one) who save an entry the day after (the same ones each run)."""
    k = max(1, round(n * CHANGED))
    return [f"c{i:06d}" for i in sorted(random.Random(n).sample(range(n), k))]


def _change(stack: InProcessStack, n: int) -> int:
    """1% of the cadres (at least one) save an entry for the day after the first one."""
    changed = changed_cadres(n)
    for cadre_id in changed:
        body = {"items": [{"content": "走访辖区企业，协调解决用工问题", "status": "done"}]}
        resp = stack.call("entries", "PUT", "/entries/2026-11-20", body, as_=cadre_id)
        assert resp.status in (200, 201), resp.body
    return len(changed)


def _load(n: int) -> None:
    """The sweeps' district of n cadres, each with one entry saved on the sweeps' day (its revision,
    view and chain head), straight into the in-process emulator: the benchmark measures the
    publisher, not the loading."""
    from infra.bench_sweeps import DAY, district_in_emulator
    from worklog.journal.records import Head, append, head_item, revision_item, view_item
    from worklog.periods import day_period
    from worklog.roster.repository import RosterRepository
    from worklog.roster.standing import standing_items

    write, journal, cadres, policy = district_in_emulator(n)
    items, revisions = [], []
    for c in cadres:
        step = append(
            Head(c.cadre_id),
            period=day_period(DAY),
            body={"items": [{"content": "召开专题会议，研究部署重点工作", "status": "done"}]},
            reason=None,
            saved_at=f"{DAY.isoformat()}T18:00:00.000+08:00",
            author=c.cadre_id,
            unit_id=c.unit_id,
            policy=policy,
        )
        items += [
            revision_item(step.record),
            view_item(step.record, first_saved_at=step.record["saved_at"], unit_id=c.unit_id),
            head_item(step.after),
        ]
        revisions.append(step.record)
    write(journal.table, items)
    write(RosterRepository().table, standing_items(revisions))


@dataclass
class Night:
    """What the measured night did: its requests, its batches' times, what it wrote."""

    n: int
    k: int
    seen: Counter[str]
    shard_times: list[float]
    plan_s: float
    bound: int
    written: dict[str, tuple[int, str]]  # key -> (largest size, SHA-256 of the last body)
    baseline_s: float
    night_s: float
    before: dict[str, str]  # the buckets after the night before, key -> SHA-256 (when asked for)


def baseline_publisher() -> Any:
    """The publisher of the night before, its requests handed straight to the in-process emulator
    (``infra.direct``, as the demo loader publishes its site): the same code, the same objects,
    without botocore's encoding and moto's parsing of 400,000 puts (a province's full build through
    the emulator takes hours). Only the ledger bucket (one checkpoint) goes through a client."""
    from infra.direct import DirectDynamoDB, direct_publisher
    from worklog import aws

    return direct_publisher(DirectDynamoDB(aws.client("dynamodb")))


def _buckets() -> dict[str, str]:
    """Every object of the site and ledger buckets, bucket/key -> SHA-256 of its bytes."""
    from worklog.settings import get_settings

    s3, settings, found = boto3.client("s3"), get_settings(), {}
    for bucket in (settings.site_bucket, settings.ledger_bucket):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for obj in page.get("Contents", []):
                body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
                found[f"{bucket}/{obj['Key']}"] = hashlib.sha256(body).hexdigest()
    return found


def measure(n: int, *, state_dir: Path | None = None, direct: bool = True, keep: bool = False) -> Night:
    """The night after 1% of n cadres changed. The night before (the full build) is not measured:
    ``direct`` publishes it through ``baseline_publisher``, else through the emulator's clients;
    ``keep`` keeps the digest of every object it left (a small n: the test that both are the same)."""
    from worklog.clock import SHANGHAI, system_clock
    from worklog.publish.publisher import Publisher

    with in_process(state_dir or Path(tempfile.mkdtemp(prefix="worklog-publish-"))) as stack:
        _load(n)
        _progress(n, "loaded")
        system_clock.set(datetime(2026, 11, 20, 2, tzinfo=SHANGHAI))
        began = time.perf_counter()
        (baseline_publisher() if direct else Publisher()).run(full=True)
        baseline_s = time.perf_counter() - began
        _progress(n, f"the night before published in {baseline_s:.0f} s")
        before = _buckets() if keep else {}
        system_clock.set(datetime(2026, 11, 20, 18, tzinfo=SHANGHAI))
        with contextlib.redirect_stdout(io.StringIO()):  # the functions' metrics (EMF lines)
            k = _change(stack, n)
        _progress(n, f"{k} cadres saved an entry")
        system_clock.set(datetime(2026, 11, 21, 2, tzinfo=SHANGHAI))
        written, site = _sizes()
        began = time.perf_counter()
        seen, shard_times, plan_s, _ = _nightly(site)
        night_s = time.perf_counter() - began
        bound = lower_bound(n, k)
    return Night(n, k, seen, shard_times, plan_s, bound, written, baseline_s, night_s, before)


def _progress(n: int, step: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {n}: {step}", file=sys.stderr, flush=True)


def one_size(n: int) -> None:
    began = time.perf_counter()
    night = measure(n)
    seen, shard_times, sizes = night.seen, night.shard_times, night.written
    total = sum(seen.values())
    ops = ", ".join(f"{op}×{c}" for op, c in sorted(seen.items()))
    largest = max(sizes, key=lambda key: sizes[key][0])
    print(
        f"{n:>8} {night.k:>6} {len(shard_times):>6} {total:>9} {night.bound:>6} {total / night.bound:>6.2f} "
        f"{night.plan_s:>7.1f} {sum(shard_times) / len(shard_times):>7.2f} {max(shard_times):>7.2f} "
        f"{sizes[largest][0] / 1024:>9.1f}  {largest}"
    )
    kinds = Counter(_kind(key) for key in sizes)
    print(
        f"{'':>8} night {night.night_s:.0f} s; the night before (full build, direct, "
        f"not counted) {night.baseline_s:.0f} s; all told {time.perf_counter() - began:.0f} s"
    )
    print(f"{'':>8} requests: {ops}")
    print(f"{'':>8} site objects written: " + ", ".join(f"{kind} {c}" for kind, c in sorted(kinds.items())))
    shared = sorted(key for key in sizes if _kind(key) == "shared")
    print(f"{'':>8} shared: {', '.join(shared[:12])}{' …' if len(shared) > 12 else ''}")


def _kind(key: str) -> str:
    from worklog.publish import keys

    if key == keys.MANIFEST or key.startswith("manifest/"):
        return "manifests"
    return "shared" if keys.cadre_of(key) is None else "cadres'"


def run(sizes: list[int]) -> None:
    print("\n## Nightly publish after 1% of the cadres saved an entry (moto in-process, through the queue)")
    print("lower bound: roster pages + ⌈N/100⌉ BatchGetItem + k Query + 3k PutObject + 5 (see the module)")
    print(
        f"{'cadres':>8} {'k':>6} {'shards':>6} {'requests':>9} {'bound':>6} {'ratio':>6} "
        f"{'plan s':>7} {'shard s':>7} {'max s':>7} {'largest KB':>9}  object"
    )
    for n in sizes:
        one_size(n)
