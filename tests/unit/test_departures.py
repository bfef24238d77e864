"""A departed cadre's log leaving the public site: when it does (the publication policy's
``departed_public_months``), what their pages and ledger file become, what links to them, and what
``verify-site`` still checks."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from tests.unit.site_support import LI, ROUNDS, check_page, notice_view, resolve
from tests.unit.tamper_support import ProvedSite
from worklog import cli
from worklog.models.publication import PublicationPolicy
from worklog.publish import keys, render
from worklog.publish.departures import cadre_pages, withdraw
from worklog.publish.manifest import CadreState
from worklog.publish.pages import AuditSampleRow
from worklog.publish.policy import is_withdrawn, public_until
from worklog.publish.site import SiteStore, SiteWriter
from worklog.publish.tamper import WithdrawnLedger
from worklog.publish.verification import verify_site, withdrawn_on
from worklog.settings import Settings

TWELVE = PublicationPolicy()


# --- when ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("left_on", "months", "last_public_day"),
    [
        (date(2026, 10, 31), 12, date(2027, 10, 31)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),  # no 31 February: the month's last day
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # a leap year's
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),  # over the year's end
        (date(2026, 5, 3), 0, date(2026, 5, 3)),  # 0: public until the last day in post only
        (date(2026, 1, 10), 36, date(2029, 1, 10)),
    ],
)
def test_a_departed_cadres_log_is_public_until_the_same_day_so_many_months_after_the_last_day_in_post(
    left_on: date, months: int, last_public_day: date
) -> None:
    policy = PublicationPolicy(departed_public_months=months)
    assert public_until(left_on, policy) == last_public_day
    assert not is_withdrawn(left_on, last_public_day, policy)  # the last public day itself
    assert is_withdrawn(left_on, date.fromordinal(last_public_day.toordinal() + 1), policy)


def test_a_cadre_in_post_is_never_withdrawn() -> None:
    assert not is_withdrawn(None, date(2099, 1, 1), PublicationPolicy(departed_public_months=0))


def test_the_default_is_twelve_months_and_the_setting_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert TWELVE.departed_public_months == 12
    monkeypatch.setenv("WORKLOG_PUBLICATION__DEPARTED_PUBLIC_MONTHS", "3")
    assert Settings().publication.departed_public_months == 3


@pytest.mark.parametrize("bad", [-1, True, 1.5, 12.0, "twelve", "", 1201])
def test_the_months_are_a_non_negative_whole_number(bad: Any) -> None:
    with pytest.raises(ValidationError):
        PublicationPolicy(departed_public_months=bad)


# --- what the batch writes ----------------------------------------------------------------------
class Store(SiteStore):
    """A SiteStore that keeps what was put."""

    def __init__(self) -> None:
        super().__init__(bucket="site", client=object())
        self.bodies: dict[str, bytes] = {}

    def put(self, key: str, body: bytes, content_type: str, digest: str) -> None:
        self.bodies[key] = body


OBJECTS = {  # a shard's objects: two cadres' pages, ledgers and proofs
    "cadres/c0001/index.html": "1",
    "cadres/c0001/2026-10.html": "2",
    "cadres/c0001/revisions/ENTRY-2026-10-30.html": "3",
    "ledger/cadres/c0001.json": "4",
    "ledger/proofs/c0001.json": "5",
    "cadres/c00011/index.html": "6",  # another cadre whose id starts the same
    "ledger/cadres/c00011.json": "7",
}
SHARED = {keys.HOME, keys.NOTICES, keys.AUDITS, keys.LEDGER}  # what the run's last step writes
STATE = CadreState(seen_seq=4, seq=4, head="ab" * 32, months=["2026-10"], proved="ab" * 32, proof_date="x")


def test_withdrawing_writes_the_notice_over_each_of_the_cadres_pages_and_a_ledger_without_revisions() -> None:
    store = Store()
    state = withdraw(SiteWriter(store, OBJECTS, SHARED), OBJECTS, "c0001", STATE, date(2027, 11, 1), "锦江区")
    assert cadre_pages(OBJECTS, "c0001") == [
        "cadres/c0001/2026-10.html",
        "cadres/c0001/index.html",
        "cadres/c0001/revisions/ENTRY-2026-10-30.html",
    ]
    assert sorted(store.bodies) == [*cadre_pages(OBJECTS, "c0001"), "ledger/cadres/c0001.json"]
    for key in cadre_pages(OBJECTS, "c0001"):
        html = store.bodies[key].decode()
        check_page(key, html)
        assert render.WITHDRAWN_TEXT in html and "2026-10" not in html.split("<main", 1)[1]
    ledger = WithdrawnLedger.model_validate_json(store.bodies["ledger/cadres/c0001.json"])
    assert (ledger.cadre_id, ledger.seq, ledger.head, ledger.withdrawn) == (
        "c0001",
        4,
        STATE.head,
        "2027-11-01",
    )
    # the leaf and the proof stay: the checkpoints keep signing the same head, no proof is rewritten
    assert state == STATE.model_copy(update={"withdrawn": "2027-11-01"})


def test_withdrawing_again_keeps_the_first_day_and_writes_nothing_new() -> None:
    store = Store()
    first = withdraw(SiteWriter(store, {}), OBJECTS, "c0001", STATE, date(2027, 11, 1), "锦江区")
    written = dict(store.bodies)
    again = Store()
    site = SiteWriter(again, {k: hashlib.sha256(v).hexdigest() for k, v in written.items()})
    assert withdraw(site, OBJECTS, "c0001", first, date(2027, 12, 5), "锦江区") == first
    assert again.bodies == {}


def test_the_notice_page_links_only_to_pages_every_site_has() -> None:
    page = render.render_withdrawn("cadres/c0001/revisions/ENTRY-2026-10-30.html", "锦江区")
    assert {resolve(page.key, link.anchor.split('"')[1])[0] for link in page.links} <= {
        keys.HOME,
        keys.NOTICES,
        keys.AUDITS,
        keys.LEDGER,
    }
    with pytest.raises(ValueError):
        render.render_withdrawn(keys.HOME, "锦江区")


# --- what links to a withdrawn cadre --------------------------------------------------------------
def test_a_notice_of_a_withdrawn_candidate_says_so_instead_of_linking_their_months() -> None:
    view = notice_view("N-2026-001", "open", months=[]).model_copy(update={"withdrawn": True})
    html = render.render_notice(view, "锦江区").html()
    assert render.WITHDRAWN_TEXT in html and "cadres/" not in html


def test_an_audit_row_of_a_withdrawn_cadre_shows_its_days_as_text() -> None:
    row = AuditSampleRow(cadre=LI, unit_name="区教育局", entries=[date(2026, 10, 30)], withdrawn=True)
    html = render.render_audit(ROUNDS[0].model_copy(update={"sample": [row]}), "锦江区").html()
    assert render.WITHDRAWN_TEXT in html and "2026-10-30" in html and "cadres/" not in html


# --- what verify-site checks ----------------------------------------------------------------------
def withdrawn_site(cadre_id: str = "c0002", **changes: Any) -> ProvedSite:
    """The proved site with c0002 withdrawn after its three revisions (its proof names 11-19)."""
    site = ProvedSite()
    fields: dict[str, Any] = {
        "cadre_id": cadre_id,
        "withdrawn": "2027-11-01",
        "notice": render.WITHDRAWN_TEXT,
    }
    fields |= {"seq": 3, "head": site.ledgers["c0002"].heads[-1], **changes}
    site.files[keys.cadre_ledger("c0002")] = WithdrawnLedger.model_validate(fields).model_dump(mode="json")
    return site


def test_a_withdrawn_cadres_last_head_still_verifies_against_the_signed_checkpoints() -> None:
    site = withdrawn_site()
    assert site.verify("c0002") == []
    assert withdrawn_on(site.fetch, "c0002") == "2027-11-01" and withdrawn_on(site.fetch, "c0001") is None
    assert site.verify("c0001") == []  # the others as before


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"head": "00" * 32}, "not the withdrawn log's last position and head"),
        ({"seq": 2}, "not the withdrawn log's last position and head"),
        ({"cadre_id": "c0001"}, "ledger is for cadre c0001"),
    ],
)
def test_a_withdrawn_ledger_that_names_another_head_is_reported(
    changes: dict[str, Any], problem: str
) -> None:
    problems = withdrawn_site(**changes).verify("c0002")
    assert any(problem in p for p in problems), problems


def test_a_withdrawn_ledger_without_its_proof_or_with_a_broken_chain_is_reported() -> None:
    site = withdrawn_site()
    del site.files[keys.cadre_proof("c0002")]
    assert site.verify("c0002") == ["inclusion proof of c0002 is missing"]
    site = withdrawn_site()
    site.files[keys.LATEST_CHECKPOINT]["root"] = "00" * 32
    assert verify_site(site.fetch, "c0002")


def test_verify_site_on_the_command_line_says_the_log_was_withdrawn(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the last head was checked: the answer says so, and says nothing of it for the others."""
    site = withdrawn_site()
    monkeypatch.setattr(cli, "from_web", lambda url, text=(): site.fetch)
    assert cli.main(["verify-site", "https://site.example/", "c0002"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["ok"] and answer["withdrawn"] == "2027-11-01"
    assert cli.main(["verify-site", "https://site.example/", "c0001"]) == 0
    assert "withdrawn" not in json.loads(capsys.readouterr().out)
