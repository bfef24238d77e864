"""The monthly cost model's arithmetic (infra/cost.py, docs/operations.md)."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

import pytest

from infra import cost

FREE = cost.Prices(**{f.name: 0.0 for f in fields(cost.Prices)})


def small(**changes: Any) -> cost.Usage:
    """A made-up district with round figures, so each count can be worked out by hand."""
    base = cost.Usage(cadres=100, units=10, working_days=20, days=30, months_in_use=1)
    return replace(base, **changes)


def line(items: list[cost.Line], service: str, starts: str = "") -> cost.Line:
    return next(i for i in items if i.service == service and i.what.startswith(starts))


def test_api_requests_are_openings_saves_and_reviews_per_working_day() -> None:
    # Given 100 cadres opening the app twice (3 requests) and saving once (3 requests) a working
    # day, and 4 reviewer requests per cadre a week
    usage = small(app_opens_per_cadre_day=2, saves_per_cadre_day=1, reviewer_api_requests_per_cadre_week=4)
    # When the month's function-URL requests are counted
    # Then: 100 x 20 x (2x3 + 1x3) + 100 x 4 x 20/5 weeks
    assert cost.api_requests(usage) == pytest.approx(100 * 20 * 9 + 100 * 4 * 4)


def test_text_messages_cost_the_sms_share_of_the_digests_at_the_sms_price() -> None:
    # Given one digest per cadre a day, 80% of them by text message at USD 0.05
    usage = small(digests_per_cadre_day=1.0, sms_share=0.8)
    prices = replace(FREE, sms_china=0.05)
    # When the notifications are priced
    sms = line(cost.notify_lines(usage, prices), "SNS SMS")
    # Then 100 cadres x 30 days x 0.8 x 0.05
    assert sms.usd == pytest.approx(100 * 30 * 0.8 * 0.05)
    assert sms.what.startswith("2,400 ")


def test_one_nights_publish_writes_the_changed_cadres_objects_their_units_and_the_shared_pages() -> None:
    # Given half of 100 cadres changed, 4 objects each (month page, index, ledger file, proof), 10
    # units, 6 shared objects, and 100 cadres in one manifest shard
    usage = small(changed_share_per_night=0.5)
    assert (usage.objects_per_changed_cadre, usage.shared_objects_per_night) == (4, 6)
    # Then 50 x 4 + 10 unit pages + 6 + the shard and manifest.json
    assert cost.publish_objects_per_night(usage) == pytest.approx(218)


def test_a_unit_page_is_written_at_most_once_per_changed_cadre() -> None:
    # Given more units than changed cadres (3 of 100 changed, 10 units)
    usage = small(changed_share_per_night=0.03)
    # Then at most three unit pages are counted
    assert cost.publish_objects_per_night(usage) == pytest.approx(3 * 4 + 3 + 6 + 2)


def test_a_publish_with_more_than_one_shard_sends_one_message_a_shard_and_writes_each_shard() -> None:
    # Given 1,000 cadres a shard: a district has one shard, done in the nightly run without a message
    assert cost.publish_batches_per_night(small(cadres=800)) == 0
    # When a province of 100,000 is published, every cadre changed
    province = small(cadres=100_000, units=10, changed_share_per_night=1.0)
    # Then one message a shard, and the 100 shards and manifest.json are among the objects written
    assert cost.publish_batches_per_night(province) == 100
    assert cost.publish_objects_per_night(province) == pytest.approx(100_000 * 4 + 10 + 6 + 101)


def test_xray_traces_the_first_request_a_second_then_five_percent() -> None:
    usage = small(working_days=1)  # 10 busy hours: 36,000 seconds
    assert cost.sampled_traces(1_000, usage) == pytest.approx(1_000)
    assert cost.sampled_traces(136_000, usage) == pytest.approx(36_000 + 0.05 * 100_000)


def test_cognito_charges_only_the_active_users_above_ten_thousand() -> None:
    prices = replace(FREE, cognito_mau=0.01)
    district = line(cost.identity_lines(small(cadres=800), prices), "Cognito")
    province = line(cost.identity_lines(small(cadres=100_000, active_share=0.5), prices), "Cognito")
    assert district.usd == 0
    assert province.usd == pytest.approx((50_000 - 10_000) * 0.01)


def test_table_storage_grows_with_the_months_in_use() -> None:
    one = cost.stored_gb(small(months_in_use=1))
    twelve = cost.stored_gb(small(months_in_use=12))
    roster = 100 * 1.0 * 2 / 1024 / 1024  # the roster does not grow with time
    assert twelve - roster == pytest.approx(12 * (one - roster))


def test_the_total_is_the_sum_of_the_lines_and_the_table_prints_it() -> None:
    usage, prices = cost.district(), cost.Prices()
    items = cost.lines(usage, prices)
    assert cost.total(items) == pytest.approx(sum(i.usd for i in items))
    printed = cost.table("district", usage, prices).splitlines()
    assert printed[-1].split()[-1] == f"{cost.total(items):,.2f}"
    assert len(printed) == len(items) + 2


def test_with_every_price_zero_the_model_costs_nothing() -> None:
    assert cost.total(cost.lines(cost.province(), FREE)) == 0
