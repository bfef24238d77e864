"""A monthly cost model of a deployed stack: `python -m infra.cost` prints it (docs/operations.md).

Two kinds of figures go in, and the table says which is which:

- **measured** (M): request counts from `make bench` (docs/benchmarks.md) - the DynamoDB requests
  of one save, the pages the nightly check reads, the objects one night's publish writes per
  changed cadre and per shard, the checkpoint's and a proof's size, the requests per morning
  digest, the events and digests of a month of the demo district;
- **assumed** (A): how people use the system (saves and app openings per cadre, public page
  views), item and page sizes, function durations, the channel mix, and every price. The prices are
  AWS list prices for one region as the author last knew them: check them against the pricing
  pages before relying on a figure.

The free tiers are left out (they matter for a district, not for a province), and so is tax.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, replace

PRICES_REGION = "us-east-1"
PRICES_CHECKED = "2026-11-30"  # the date the list prices below were last compared with AWS's pages


@dataclass(frozen=True)
class Prices:
    """USD list prices (assumed; see PRICES_REGION and PRICES_CHECKED)."""

    lambda_gb_second: float = 0.0000133334  # arm64
    lambda_request: float = 0.20 / 1e6
    ddb_write_unit: float = 0.625 / 1e6  # on-demand write request unit
    ddb_read_unit: float = 0.125 / 1e6  # on-demand read request unit
    ddb_gb_month: float = 0.25
    ddb_pitr_gb_month: float = 0.20
    s3_put: float = 0.005 / 1000
    s3_get: float = 0.0004 / 1000
    s3_gb_month: float = 0.023
    cloudfront_request: float = 0.012 / 10000  # HTTPS, Asia Pacific edges (PriceClass_All)
    cloudfront_gb_out: float = 0.120  # Asia Pacific edges, first 10 TB
    cloudfront_function: float = 0.10 / 1e6
    sms_china: float = 0.035  # per text message to a mainland China number: check, it varies most
    email: float = 0.10 / 1000
    event: float = 1.00 / 1e6  # EventBridge custom events put on the bus
    sqs_request: float = 0.40 / 1e6
    alarm_month: float = 0.10
    custom_metric_month: float = 0.30
    log_gb_ingested: float = 0.50
    log_gb_month: float = 0.03
    xray_trace: float = 5.00 / 1e6
    kms_key_month: float = 1.00
    kms_asymmetric_request: float = 0.15 / 10000
    cognito_mau: float = 0.015  # Essentials tier, above 10,000 monthly active users


@dataclass(frozen=True)
class Usage:
    """One district's or province's month. M = measured (docs/benchmarks.md), A = assumed."""

    cadres: int
    units: int
    working_days: float = 20.8  # A: about 250 working days a year in mainland China
    days: float = 30.4
    months_in_use: int = 12  # A: storage has grown this long (tables, site versions, ledger)
    # --- the cadres' own use (A) ---
    saves_per_cadre_day: float = 1.3  # today's entry, sometimes saved again with a reason
    app_opens_per_cadre_day: float = 2.0
    # --- measured per request or per run (M) ---
    ddb_requests_per_save: int = 3  # TransactWriteItems, Idempotency PutItem + UpdateItem
    api_requests_per_open: int = 3  # GET /me with today's entry and plan beside it
    api_requests_per_save: int = 3  # the PUT, then GET /me and GET /entries/{day}
    digests_per_cadre_day: float = 372 / (800 * 30)  # the demo district's month
    events_per_cadre_month: float = (594 + 1380 + 17 + 16 + 2 + 1) / 800  # the same month
    requests_per_digest: float = 1.11  # outbox and profile requests beside the send
    objects_per_changed_cadre: int = 4  # month page, index, ledger file, inclusion proof
    # checkpoint (site and ledger bucket), its index, latest.json, ledger page, home
    shared_objects_per_night: int = 6
    shard_cadres: int = 1000  # PUBLISH_SHARD_CADRES: one manifest shard, one batch, one SQS message
    shard_kb_per_cadre: float = 0.46  # a shard's cadre states and object hashes (366 KB for 800)
    manifest_kb_per_unit: float = 0.13  # manifest.json: the units' figures and pages (~1 MB at 7,700)
    checkpoint_kb: float = 0.55  # no leaves: ~465 bytes + the key's fingerprint, at any size
    proof_kb: float = 1.5  # a cadre's inclusion proof (~1.0 KB at 800 cadres, 1.5 KB at 100,000)
    # --- sizes and durations (A) ---
    journal_kb_per_save: float = 6.3  # revision + current view + by_seq copy + by_day projection
    write_units_per_save: float = 20  # 3 transactional items, the check, index copies, idempotency
    read_units_per_api_request: float = 4
    roster_item_kb: float = 1.0
    compliance_kb_per_cadre_month: float = 3.0  # assignments, verdicts, missing records
    changed_share_per_night: float = 0.95  # cadres whose log changed since the last publish
    page_kb: float = 15
    # The revisions since the last publish (by_seq) and the profile: the published chain comes
    # from the cadre's ledger file on the site (one GetObject), no longer from the table.
    chain_kb_read_per_changed_cadre: float = 4
    api_ms: float = 80  # 512 MB functions, warm
    job_ms_per_cadre: float = 5  # nightly check, weekly assignment, publisher: 1024 MB
    send_ms_per_digest: float = 20  # notifier, 1024 MB, eight sends at a time
    api_response_kb: float = 4
    public_views_per_day: float = 2000
    public_requests_per_view: float = 2
    reviewer_api_requests_per_cadre_week: float = 4  # the week read, signals, the verdict
    sms_share: float = 0.8  # channel mix of digests; robots (the rest after e-mail) cost nothing
    email_share: float = 0.1
    log_kb_per_invocation: float = 1.5
    alarms: int = 27  # 2 queues + 10 functions x (errors, throttles) + 4 heartbeats + API 500s
    custom_metrics: int = 31  # ~25 business metrics by service, 4 heartbeats, UnhandledErrors
    active_share: float = 1.0  # cadres who sign in during the month (Cognito MAU)


def district() -> Usage:
    return Usage(cadres=800, units=62, public_views_per_day=2000)


def province() -> Usage:
    return Usage(cadres=100_000, units=7_700, public_views_per_day=50_000)


@dataclass(frozen=True)
class Line:
    service: str
    what: str
    usd: float


def api_requests(u: Usage) -> float:
    """Function-URL requests a month: the cadres' own, the reviewers', nothing else counted."""
    own = (
        u.cadres
        * u.working_days
        * (
            u.app_opens_per_cadre_day * u.api_requests_per_open
            + u.saves_per_cadre_day * u.api_requests_per_save
        )
    )
    reviews = u.cadres * u.reviewer_api_requests_per_cadre_week * u.working_days / 5
    return own + reviews


def saves(u: Usage) -> float:
    return u.cadres * u.working_days * u.saves_per_cadre_day


def digests(u: Usage) -> float:
    return u.cadres * u.days * u.digests_per_cadre_day


def shards(u: Usage) -> int:
    return math.ceil(u.cadres / u.shard_cadres)


def publish_batches_per_night(u: Usage) -> int:
    """Messages through PublishQueue: one per shard, none when one shard is done in the nightly run."""
    return shards(u) if shards(u) > 1 else 0


def job_invocations(u: Usage) -> float:
    """Scheduled runs (nightly check, publish, morning run, review assignment: daily) and the
    publisher's batches on working nights."""
    return 4 * u.days + publish_batches_per_night(u) * u.working_days


def lambda_lines(u: Usage, p: Prices) -> list[Line]:
    api = api_requests(u)
    api_gb_s = api * u.api_ms / 1000 * 0.5
    nights = u.working_days  # the check and the publish do real work after working days
    job_gb_s = nights * u.cadres * u.job_ms_per_cadre / 1000 * (1 + u.changed_share_per_night)
    job_gb_s += u.cadres * u.job_ms_per_cadre / 1000 * u.days / 7  # the week's assigning run
    job_gb_s += digests(u) * u.send_ms_per_digest / 1000
    invocations = api + job_invocations(u) + u.events_per_cadre_month * u.cadres
    gb_s = api_gb_s + job_gb_s
    return [
        Line("Lambda", f"{invocations:,.0f} invocations", invocations * p.lambda_request),
        Line("Lambda", f"{gb_s:,.0f} GB-s (arm64)", gb_s * p.lambda_gb_second),
    ]


def stored_gb(u: Usage) -> float:
    """Table data after months_in_use months (journal, roster, compliance, outbox)."""
    journal = saves(u) * u.journal_kb_per_save * u.months_in_use
    compliance = u.cadres * u.compliance_kb_per_cadre_month * u.months_in_use
    outbox = digests(u) * 1.0 * u.months_in_use
    roster = u.cadres * u.roster_item_kb * 2  # profile and standing, their index copies
    return (journal + compliance + outbox + roster) / 1024 / 1024


def dynamodb_lines(u: Usage, p: Prices) -> list[Line]:
    writes = saves(u) * u.write_units_per_save
    writes += u.events_per_cadre_month * u.cadres * 4  # missing records, assignments, standing
    writes += digests(u) * 4  # the digest written before and after its send, the notices
    reads = api_requests(u) * u.read_units_per_api_request
    roster_pass = u.cadres * u.roster_item_kb / 4 / 2  # eventually consistent, 4 KB a unit
    reads += roster_pass * 3 * u.days  # nightly check, morning run, review assignment (daily)
    reads += u.working_days * u.cadres * u.changed_share_per_night * u.chain_kb_read_per_changed_cadre / 8
    reads += u.working_days * u.cadres * 0.5  # the publish's plan: every chain head (BatchGetItem)
    gb = stored_gb(u)
    return [
        Line("DynamoDB", f"{writes:,.0f} write units", writes * p.ddb_write_unit),
        Line("DynamoDB", f"{reads:,.0f} read units", reads * p.ddb_read_unit),
        Line("DynamoDB", f"{gb:,.1f} GB stored, with PITR", gb * (p.ddb_gb_month + p.ddb_pitr_gb_month)),
    ]


def publish_objects_per_night(u: Usage) -> float:
    """Site and ledger objects written: the changed cadres', their units', the shared ones, and the
    manifest (every shard with a changed cadre - all of them at 95% - and manifest.json)."""
    changed = u.cadres * u.changed_share_per_night
    units = min(u.units, changed)  # a unit page where any member changed
    manifests = shards(u) + 1
    return changed * u.objects_per_changed_cadre + units + u.shared_objects_per_night + manifests


def publish_gets_per_night(u: Usage) -> float:
    """Each changed cadre's ledger file; per batch the manifest and its shard; the last step every shard."""
    changed = u.cadres * u.changed_share_per_night
    return changed + 3 * shards(u) + u.shared_objects_per_night


def manifest_kb(u: Usage) -> float:
    return u.cadres * u.shard_kb_per_cadre + u.units * u.manifest_kb_per_unit


def s3_lines(u: Usage, p: Prices) -> list[Line]:
    puts = publish_objects_per_night(u) * u.working_days
    gets = publish_gets_per_night(u) * u.working_days
    pages_gb = u.cadres * ((u.months_in_use + 2) * u.page_kb + u.proof_kb) / 1024 / 1024
    # Each rewrite keeps the object it replaced for 365 days (the site bucket's lifecycle); the
    # manifest's shards are rewritten whole on a night any of their cadres changed.
    rewritten_kb = puts * u.page_kb + manifest_kb(u) * u.working_days
    versions_gb = rewritten_kb * min(u.months_in_use, 12) / 1024 / 1024
    ledger_gb = 2 * u.checkpoint_kb * u.days * u.months_in_use / 1024 / 1024  # site copy + ledger
    gb = pages_gb + versions_gb + ledger_gb
    return [
        Line("S3", f"{puts:,.0f} PUTs, {gets:,.0f} GETs", puts * p.s3_put + gets * p.s3_get),
        Line("S3", f"{gb:,.1f} GB (pages, old versions, checkpoints)", gb * p.s3_gb_month),
    ]


def cloudfront_lines(u: Usage, p: Prices) -> list[Line]:
    public = u.public_views_per_day * u.days * u.public_requests_per_view
    api = api_requests(u)
    app_loads = u.cadres * u.working_days * 0.1  # a new build fetched now and then (A)
    requests = public + api + app_loads * 10
    gb = (public * u.page_kb + api * u.api_response_kb + app_loads * 300) / 1024 / 1024
    functions = public + app_loads * 10
    return [
        Line("CloudFront", f"{requests:,.0f} HTTPS requests", requests * p.cloudfront_request),
        Line("CloudFront", f"{gb:,.1f} GB out", gb * p.cloudfront_gb_out),
        Line("CloudFront", f"{functions:,.0f} function runs", functions * p.cloudfront_function),
    ]


def notify_lines(u: Usage, p: Prices) -> list[Line]:
    sms = digests(u) * u.sms_share
    email = digests(u) * u.email_share
    return [
        Line("SNS SMS", f"{sms:,.0f} text messages", sms * p.sms_china),
        Line("SES", f"{email:,.0f} e-mails", email * p.email),
    ]


def messaging_lines(u: Usage, p: Prices) -> list[Line]:
    events = u.events_per_cadre_month * u.cadres + 3 * u.days  # plus the publisher's own triggers
    sqs = 3 * math.ceil(u.cadres / 8000) * u.days  # sweep slices and retries: a few a night (A)
    # The publisher's batches: sent ten a request, then received and deleted one by one.
    sqs += (math.ceil(publish_batches_per_night(u) / 10) + 2 * publish_batches_per_night(u)) * u.working_days
    return [
        Line("EventBridge", f"{events:,.0f} events", events * p.event),
        Line("SQS", f"{sqs:,.0f} requests", sqs * p.sqs_request),
    ]


def observability_lines(u: Usage, p: Prices) -> list[Line]:
    invocations = api_requests(u) + job_invocations(u) + u.events_per_cadre_month * u.cadres
    log_gb = invocations * u.log_kb_per_invocation / 1024 / 1024
    retained_gb = log_gb * 6  # LogRetentionDays 180: about six months kept
    traces = sampled_traces(invocations, u)
    return [
        Line(
            "CloudWatch",
            f"{u.alarms} alarms, {u.custom_metrics} custom metrics",
            u.alarms * p.alarm_month + u.custom_metrics * p.custom_metric_month,
        ),
        Line(
            "CloudWatch",
            f"{log_gb:,.2f} GB logs in, {retained_gb:,.1f} GB kept",
            log_gb * p.log_gb_ingested + retained_gb * p.log_gb_month,
        ),
        Line("X-Ray", f"{traces:,.0f} traces", traces * p.xray_trace),
    ]


def sampled_traces(invocations: float, u: Usage) -> float:
    """X-Ray's default rule: the first request each second, then 5%; traffic over 10 h a working day."""
    busy_seconds = u.working_days * 10 * 3600
    first = min(invocations, busy_seconds)
    return first + 0.05 * max(0.0, invocations - busy_seconds)


def identity_lines(u: Usage, p: Prices) -> list[Line]:
    mau = u.cadres * u.active_share
    signs = u.days  # one checkpoint a night (and GetPublicKey beside it)
    return [
        Line(
            "KMS",
            "1 signing key, a checkpoint a night",
            p.kms_key_month + 2 * signs * p.kms_asymmetric_request,
        ),
        Line("Cognito", f"{mau:,.0f} monthly active users", max(0.0, mau - 10_000) * p.cognito_mau),
    ]


def lines(u: Usage, p: Prices) -> list[Line]:
    return [
        *lambda_lines(u, p),
        *dynamodb_lines(u, p),
        *s3_lines(u, p),
        *cloudfront_lines(u, p),
        *notify_lines(u, p),
        *messaging_lines(u, p),
        *observability_lines(u, p),
        *identity_lines(u, p),
    ]


def total(items: list[Line]) -> float:
    return sum(line.usd for line in items)


def table(name: str, u: Usage, p: Prices) -> str:
    """One size's line items: service, quantity, USD a month; then the total."""
    items = lines(u, p)
    rows = [f"## {name}: {u.cadres:,} cadres in {u.units:,} units, storage after {u.months_in_use} months"]
    rows += [f"{line.service:<12} {line.what:<48} {line.usd:>10,.2f}" for line in items]
    rows.append(f"{'total USD a month':<61} {total(items):>10,.2f}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months-in-use", type=int, default=12, help="months of stored data (default 12)")
    args = parser.parse_args(argv)
    sizes = [
        ("district", replace(district(), months_in_use=args.months_in_use)),
        ("province", replace(province(), months_in_use=args.months_in_use)),
    ]
    for name, usage in sizes:
        print(table(name, usage, Prices()) + "\n")
    print(f"Prices: {PRICES_REGION} list prices as of {PRICES_CHECKED} (assumed: check them); no free tiers.")


if __name__ == "__main__":
    main()
