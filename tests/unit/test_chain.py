"""The per-cadre hash chain: canonical encoding, and detection of any rewrite of history."""

import copy
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worklog.chain import canonical_bytes, normalise_text, revision_hash, verify_chain
from worklog.journal.records import Head, build_revision
from worklog.periods import day_period

texts = st.text(min_size=1, max_size=30)
bodies = st.fixed_dictionaries(
    {
        "items": st.lists(
            st.fixed_dictionaries(
                {"content": texts, "status": st.sampled_from(["done", "in_progress", "not_done"])}
            ),
            min_size=1,
            max_size=3,
        )
    }
)


def build_chain(bodies_: list[dict[str, Any]]) -> list[dict[str, Any]]:
    head = Head("c0001")
    chain = []
    for i, body in enumerate(bodies_):
        record = build_revision(
            head,
            period=day_period(date(2026, 11, 1 + i % 28)),
            revision=1,
            body=body,
            reason=None if i % 2 == 0 else "补充",
            saved_at=f"2026-11-20T18:{i % 60:02d}:00.000+08:00",
            author="c0001",
            late=i % 3 == 0,
        )
        chain.append(record)
        head = Head("c0001", record["seq"], record["hash"])
    return chain


def test_an_untouched_chain_verifies() -> None:
    chain = build_chain([{"items": [{"content": "会议", "status": "done"}]}] * 5)
    verdict = verify_chain(chain)
    assert verdict.ok and verdict.length == 5 and verdict.head == chain[-1]["hash"]


def test_the_first_revision_links_to_null() -> None:
    assert build_chain([{"items": []}])[0]["previous_hash"] is None


def test_canonical_encoding_ignores_key_order() -> None:
    assert canonical_bytes({"b": 1, "a": "é"}) == canonical_bytes({"a": "é", "b": 1})


def test_two_spellings_of_the_same_text_hash_differently_so_a_silent_respelling_is_detected() -> None:
    assert canonical_bytes({"a": "é"}) != canonical_bytes({"a": "e\u0301"})


def test_text_is_normalised_to_nfc_before_it_is_hashed_and_stored() -> None:
    assert normalise_text({"items": [{"content": "Cafe\u0301"}]}) == {"items": [{"content": "Café"}]}


def test_canonical_encoding_refuses_floats() -> None:
    with pytest.raises(TypeError):
        canonical_bytes({"x": 1.5})


mutations = st.sampled_from(
    [
        "body",
        "respelling",
        "kind",
        "cadre_id",
        "seq",
        "reason",
        "saved_at",
        "author",
        "late",
        "period",
        "revision",
        "hash",
        "previous_hash",
        "delete",
        "swap",
        "insert",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(bodies, min_size=2, max_size=8), st.data(), mutations)
def test_any_change_to_any_stored_revision_is_detected(
    bodies_: list[dict[str, Any]], data: st.DataObject, how: str
) -> None:
    chain = build_chain(bodies_)
    assert verify_chain(chain).ok
    tampered = copy.deepcopy(chain)
    i = data.draw(st.integers(0, len(chain) - 1))
    record = tampered[i]
    if how == "body":
        record["body"]["items"][0]["content"] += "改"
    elif how == "respelling":
        record["body"]["items"][0]["content"] = "e\u0301" + record["body"]["items"][0]["content"]
        tampered_nfc = copy.deepcopy(record)
        tampered_nfc["body"]["items"][0]["content"] = "é" + tampered_nfc["body"]["items"][0]["content"][2:]
        assert revision_hash(record, record["previous_hash"]) != revision_hash(
            tampered_nfc, record["previous_hash"]
        )
    elif how == "kind":
        record["kind"] = "plan" if record["kind"] != "plan" else "entry"
    elif how == "cadre_id":
        record["cadre_id"] = "c9999"
    elif how == "seq":
        record["seq"] += 100
    elif how == "reason":
        record["reason"] = (record["reason"] or "") + "x"
    elif how == "saved_at":
        record["saved_at"] = "2026-11-21T08:00:00.000+08:00"
    elif how == "author":
        record["author"] = "c9999"
    elif how == "late":
        record["late"] = not record["late"]
    elif how == "period":
        record["period"] = "2025-01-01"
    elif how == "revision":
        record["revision"] += 1
    elif how == "hash":
        record["hash"] = "0" * 64
    elif how == "previous_hash":
        record["previous_hash"] = "f" * 64
    elif how == "delete":
        del tampered[i]
        if i == len(chain) - 1:
            # Dropping the newest revision leaves a valid shorter chain: the published head catches it.
            assert verify_chain(tampered).head != chain[-1]["hash"]
            return
    elif how == "swap":
        j = (i + 1) % len(chain)
        tampered[i], tampered[j] = tampered[j], tampered[i]
    elif how == "insert":
        forged = copy.deepcopy(chain[i])
        forged["body"] = {"items": [{"content": "伪造", "status": "done"}]}
        forged["hash"] = revision_hash(forged, forged["previous_hash"])
        tampered.insert(i, forged)
    assert not verify_chain(tampered).ok
