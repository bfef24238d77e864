"""Command line for administrators: `python -m worklog.cli <command>`.

It talks to the tables named by the environment (ROSTER_TABLE, JOURNAL_TABLE, …) with the usual
AWS credentials, and reads the ID-card hash key from the SSM parameter ID_CARD_KEY_PARAMETER names
when a roster holds 身份证号码; against the local runtime, load `.local/env` first (the runtime
writes it).

  import-roster FILE [--format json|csv|xlsx] [--dry-run]   validate and import a roster file (role
                                                             changes are recorded as by cli:<os user>)
  load-calendar YEAR FILE.json [--confirm] [--dry-run]       load a year's official schedule
                                                             (--confirm: replace a year in use;
                                                             --dry-run: show the days it changes)
  verify-chain CADRE_ID                                      recompute a cadre's chain, head and views
  verify-audit ROUND_ID [--folder DIR | --url URL]           recompute a published audit draw
                                                             (default: from the ledger bucket)
  publish-site [--full]                                      render the public site now (--full: every page)
  verify-site SITE_URL CADRE_ID [--trusted-key-id FP]...     re-hash a cadre's published log and check it
                                                             against its inclusion proof and the chain
                                                             of signed checkpoints (--trusted-key-id:
                                                             accept only these signing keys)
  verify-archive [--from DAY] [--to DAY] [--trusted-key-id FP]...
                                                             recompute every cadre's chain from the
                                                             archive alone and check it against the
                                                             signed checkpoints from DAY to DAY
  restore --into TABLE=NAME... [--to DAY]                    rebuild the journal and/or compliance table
                                                             from the archive into new, empty tables
  forget-feedback-senders                                    drop the sender hash older versions kept on
                                                             stored public feedback
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from worklog.archive.restore import restore
from worklog.archive.store import ArchiveStore
from worklog.archive.verify import verify_archive
from worklog.audit.verify import from_folder, from_ledger, from_web, verify_round
from worklog.compliance.repository import ComplianceRepository
from worklog.compliance.withdrawal import ProvisionalWithdrawal
from worklog.errors import ValidationFailed, WorklogError
from worklog.holidays import load_schedule
from worklog.journal.repository import JournalRepository
from worklog.journal.verification import verify_journal
from worklog.messages import ARCHIVE
from worklog.models.calendar import ScheduleIn
from worklog.models.common import Day, Year
from worklog.publish.publisher import Publisher
from worklog.publish.verification import verify_site, withdrawn_on
from worklog.roster.importer import import_roster
from worklog.roster.repository import RosterRepository
from worklog.schedules import ScheduleRepository, current_calendar
from worklog.settings import get_settings
from worklog.vetting.repository import NoticeRepository

FORMATS: dict[str, Literal["json", "csv", "xlsx"]] = {".json": "json", ".csv": "csv", ".xlsx": "xlsx"}


def _import_roster(args: argparse.Namespace) -> int:
    path = Path(args.file)
    fmt = args.format or FORMATS.get(path.suffix.lower())
    if fmt is None:
        print(f"cannot tell the format of {path}; pass --format", file=sys.stderr)
        return 2
    report = import_roster(
        path.read_bytes(), fmt, RosterRepository(), author=_cli_author(), dry_run=args.dry_run
    )
    print(report.model_dump_json(indent=2))
    return 1 if report.rejected else 0


def _cli_author() -> str:
    """Who a command-line roster change is recorded as: the operating-system user."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment or the password database
        user = "unknown"
    return f"cli:{user}"


def _year(text: str) -> int:
    """The year argument, held to the API's rule (exactly four digits, 2000–2099)."""
    try:
        return int(TypeAdapter(Year).validate_python(text))
    except ValidationError as err:
        raise argparse.ArgumentTypeError(f"{text!r}: a year is four digits, 2000–2099") from err


def _load_calendar(args: argparse.Namespace) -> int:
    data = ScheduleIn.model_validate_json(Path(args.file).read_text("utf-8"))
    created, described = load_schedule(
        args.year, data, "cli", ScheduleRepository(), confirm=args.confirm, dry_run=args.dry_run
    )
    if not args.dry_run:
        # After the load: provisional misses on the days it makes days off are withdrawn.
        withdrawn = ProvisionalWithdrawal().run(args.year, current_calendar())
        described = described.model_copy(update={"withdrawn_misses": withdrawn.withdrawn})
    verb = "would load " if args.dry_run else ("loaded " if created else "replaced ")
    print(verb + described.model_dump_json(indent=2))
    return 0


def _verify_chain(args: argparse.Namespace) -> int:
    report = verify_journal(JournalRepository(), args.cadre_id)
    out = {"ok": report.ok, "chain": report.chain.__dict__, "problems": report.problems}
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0 if report.ok else 1


def _verify_audit(args: argparse.Namespace) -> int:
    fetch = (
        from_folder(Path(args.folder)) if args.folder else from_web(args.url) if args.url else from_ledger()
    )
    problems = verify_round(args.round_id, fetch)
    print(
        json.dumps(
            {"round_id": args.round_id, "ok": not problems, "problems": problems},
            ensure_ascii=False,
            indent=2,
        )
    )
    return 0 if not problems else 1


def _publish_site(args: argparse.Namespace) -> int:
    print(json.dumps(Publisher().run(full=args.full).as_dict(), ensure_ascii=False, indent=2))
    return 0


def _verify_site(args: argparse.Namespace) -> int:
    fetch = from_web(args.site_url, text=(".pem",))
    problems = verify_site(fetch, args.cadre_id, trusted_keys=args.trusted_key_id or ())
    out = {"site": args.site_url, "cadre_id": args.cadre_id, "ok": not problems, "problems": problems}
    if withdrawn := withdrawn_on(fetch, args.cadre_id):
        out["withdrawn"] = withdrawn  # only the chain's last head was checked: the log is no longer public
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0 if not problems else 1


def _day(text: str) -> date:
    try:
        return TypeAdapter(Day).validate_python(text)
    except ValidationError as err:
        raise argparse.ArgumentTypeError(f"{text!r}: a day is YYYY-MM-DD") from err


def _verify_archive(args: argparse.Namespace) -> int:
    report = verify_archive(
        ArchiveStore(),
        get_settings().publication,
        first=args.first,
        last=args.last,
        trusted_keys=args.trusted_key_id or (),
    )
    print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    return 0 if report.ok else 1


RESTORABLE = ("journal", "compliance")


def _restore(args: argparse.Namespace) -> int:
    targets = dict(pair.partition("=")[::2] for pair in args.into)
    unknown = sorted(set(targets) - set(RESTORABLE)) or [t for t, name in targets.items() if not name]
    if unknown or not targets:
        text = ARCHIVE["unknown_table"].format(table=", ".join(unknown) or "-")
        raise ValidationFailed(text, code="unknown_table")
    done = restore(
        ArchiveStore(),
        journal=JournalRepository(table=targets["journal"]) if "journal" in targets else None,
        compliance=ComplianceRepository(table=targets["compliance"]) if "compliance" in targets else None,
        last=args.last,
    )
    out = {
        name: summary.as_dict()
        for name, summary in zip([t for t in RESTORABLE if t in targets], done, strict=True)
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


def _forget_feedback_senders(args: argparse.Namespace) -> int:
    print(json.dumps({"rewritten": NoticeRepository().forget_senders()}))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m worklog.cli",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    roster = commands.add_parser("import-roster", help="validate and import a roster file")
    roster.add_argument("file")
    roster.add_argument("--format", choices=sorted(set(FORMATS.values())))
    roster.add_argument("--dry-run", action="store_true")
    roster.set_defaults(run=_import_roster)
    calendar = commands.add_parser(
        "load-calendar", help="load a year's official schedule (JSON: holidays, workdays)"
    )
    calendar.add_argument("year", type=_year)
    calendar.add_argument("file")
    calendar.add_argument(
        "--confirm",
        action="store_true",
        help="replace a year in use (loaded before, or some of its days have come); the load is recorded",
    )
    calendar.add_argument(
        "--dry-run",
        action="store_true",
        help="store nothing: print what the year would become and the days whose working status changes",
    )
    calendar.set_defaults(run=_load_calendar)
    chain = commands.add_parser("verify-chain", help="recompute a cadre's hash chain")
    chain.add_argument("cadre_id")
    chain.set_defaults(run=_verify_chain)
    audit = commands.add_parser("verify-audit", help="recompute a published audit draw")
    audit.add_argument("round_id")
    source = audit.add_mutually_exclusive_group()
    source.add_argument("--folder", help="a folder holding audits/<round>/*.json")
    source.add_argument("--url", help="a web address serving audits/<round>/*.json")
    audit.set_defaults(run=_verify_audit)
    publish = commands.add_parser("publish-site", help="render the public site into the site bucket now")
    publish.add_argument("--full", action="store_true", help="rebuild every page, not only what changed")
    publish.set_defaults(run=_publish_site)
    site = commands.add_parser(
        "verify-site", help="check a cadre's published log against its proof and the checkpoints"
    )
    site.add_argument("site_url", help="the public site's address, e.g. http://127.0.0.1:8080/site/")
    site.add_argument("cadre_id")
    site.add_argument(
        "--trusted-key-id",
        action="append",
        metavar="FINGERPRINT",
        help="a signing key's fingerprint (ledger/keys/<fingerprint>.pem) learned other than from the site;"
        " repeat for each key: a checkpoint signed with any other key is reported",
    )
    site.set_defaults(run=_verify_site)
    _archive_commands(commands)
    forget = commands.add_parser(
        "forget-feedback-senders", help="drop the sender hash older versions kept on stored feedback"
    )
    forget.set_defaults(run=_forget_feedback_senders)
    return parser


def _archive_commands(commands: Any) -> None:
    archive = commands.add_parser(
        "verify-archive", help="recompute every chain from the archive and check the signed checkpoints"
    )
    archive.add_argument("--from", dest="first", type=_day, help="the first checkpoint day checked")
    archive.add_argument("--to", dest="last", type=_day, help="the last night read and checkpoint checked")
    archive.add_argument(
        "--trusted-key-id", action="append", metavar="FINGERPRINT", help="accept only these signing keys"
    )
    archive.set_defaults(run=_verify_archive)
    rebuild = commands.add_parser("restore", help="rebuild a table from the archive into a new, empty table")
    rebuild.add_argument(
        "--into",
        action="append",
        required=True,
        metavar="TABLE=NAME",
        help="journal=NAME or compliance=NAME (repeat for both)",
    )
    rebuild.add_argument("--to", dest="last", type=_day, help="the last night restored (default: all)")
    rebuild.set_defaults(run=_restore)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except ValidationError as err:
        print(f"validation_error: {err}", file=sys.stderr)
        return 2
    except WorklogError as err:
        print(f"{err.code}: {err.message}", file=sys.stderr)
        for detail in err.details or []:
            print(f"  {detail}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
