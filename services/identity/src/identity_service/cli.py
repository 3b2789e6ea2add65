"""One-way ERP user sync (Sage 100 style): ``paraph-identity-sync collaborators.csv``.

Reads an export of the ERP's collaborators (CSV with code;email;name columns, or JSON), sends it to
Paraph in batches through the public API and prints what needs a manual review: collaborators
without a Paraph account (invite them with --invite), those whose email is a client portal account's (never
invited: one email is one person) and Paraph users unknown to the ERP. Nothing is ever written back to the ERP.

With --preview, nothing is imported: it prints what the sync would do, as the web app's preview page shows it
(linked by email, to create, emails of client portal accounts, users missing from the file, rows with errors).

With --invite, each of the export's active collaborators without an account is invited and takes a seat of the
subscription. The sync previews the export first: when they would need more seats than are free, it says so
before it imports, then runs as the API does (every row imported, invitations in the file's order while seats
are left, the others listed as "not invited" errors, to invite once seats are freed by running it again).

Authentication: PARAPH_API_KEY, an API key of a service account with the role license_admin and the scope
users:write (README, "API keys"); the other ways to sign in are those of :mod:`paraph_platform.api_client`.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import requests

from paraph_platform.api_client import DEFAULT_API, Api, ApiError, Progress, connect


def seat_shortage(preview: dict) -> str | None:
    """What to say before an import with invitations that need more seats than are free (the preview's
    seats_needed and seats_free), and what the run does then, as the API does it; None when they fit."""
    needed, free = preview["seats_needed"], preview["seats_free"]
    if needed <= free:
        return None
    invitations = (f"invites the first {free} in the file's order; the other {needed - free} are not invited" if free
                   else f"invites none of them: the {needed} are not invited")
    return (f"Not enough seats: {needed} collaborators to invite, {free} seat{'s' * (free != 1)} free "
            f"({preview['seats_used']} of {preview['seats_total']} in use in the subscription). The sync imports "
            f"every row and {invitations} (listed as errors below) and stay without an account. Free seats "
            "(deactivate the users who left) or add seats to the subscription, then run the sync again to invite "
            "them.")


# the collaborators whose email is a client portal account's of the company (the API's ``portal_clients``, as
# logic.LicenseAccounts.standing sorts them), in the preview and after a run
PORTAL_CLIENTS = ("Emails of client portal accounts (a customer's contact: one email is one person, so the sync "
                  "does not invite them and counts no seat for them; correct the email in the ERP):")


def print_collaborators(heading: str, collaborators: list[dict], out) -> None:
    """A group of collaborators under its heading, one a line: code, email, name (a linked user deactivated in
    Paraph says so, as the web app's badge does); nothing for an empty group."""
    if not collaborators:
        return
    print(heading, file=out)
    for c in collaborators:
        name = f"  {c['name']}" if c.get("name") else ""
        deactivated = " (deactivated in Paraph)" if c.get("user_status") == "deactivated" else ""
        print(f"  {c['code']:<12} {c['email']}{name}{deactivated}", file=out)


def print_errors(errors: list[dict], out) -> None:
    for err in errors:
        print(f"  row {err['row']}: {err['error']}", file=out)


def preview(api: Api, content: str, fmt: str, *, out=None) -> dict:
    """What importing the export would do, changing nothing (``POST /erp/collaborators/preview``), printed as the
    web app's preview page shows it: the counts, then each group (linked by email, to create, emails of client
    portal accounts, Paraph users missing from the file, rows with errors) and, when the collaborators to create
    need more seats than are free, whom a run with --invite would invite."""
    out = out or sys.stdout
    result = api.post("/erp/collaborators/preview", {"format": fmt, "content": content})
    counts = [("linked by email", len(result["linked"])), ("to create", len(result["to_create"]))]
    if result["portal_clients"]:
        counts.append(("emails of client portal accounts", len(result["portal_clients"])))
    counts += [("free seats", result["seats_free"]), ("missing from this file", len(result["to_check"])),
               ("rows with errors", len(result["errors"]))]
    print("Preview, nothing changed: " + ", ".join(f"{label} {count}" for label, count in counts), file=out)
    if result["seats_needed"] > result["seats_free"]:
        print(f"Not enough seats to invite them all: a run with --invite invites the first {result['seats_free']} "
              f"collaborators to create in the file's order ({result['seats_used']} of {result['seats_total']} seats "
              "in use in the subscription).", file=out)
    print_collaborators("Linked by email (the account gets the collaborator code):", result["linked"], out)
    print_collaborators("To create (--invite invites them by email; each takes a seat):", result["to_create"], out)
    print_collaborators(PORTAL_CLIENTS, result["portal_clients"], out)
    if result["to_check"]:
        print("Paraph users missing from this file (the sync leaves them as they are):", file=out)
        for u in result["to_check"]:
            print(f"  {u['email']}", file=out)
    if result["errors"]:
        print("Rows with errors (skipped; correct them in the ERP):", file=out)
        print_errors(result["errors"], out)
    return result


def sync(api: Api, content: str, fmt: str, *, batch_size: int = 500, deactivate_missing: bool = False,
         invite: bool = False, role: str = "user", out=None) -> dict:
    """Import the export ``batch_size`` rows a request (``first_row``/``row_count``): each request sends the whole
    export, so that the API refuses a row repeating an earlier row's email as in one run, numbers the rows as in
    the file and, with ``deactivate_missing``, knows every email of the export. With ``invite``, each request
    invites its rows' new collaborators (``invite_new``), after a preview that says whether the seats suffice."""
    out = out or sys.stdout
    summary = {"created": 0, "updated": 0, "linked": 0, "errors": [], "missing_marked_inactive": 0}
    invited = []
    if invite:
        expected = api.post("/erp/collaborators/preview", {"format": fmt, "content": content})
        summary["seats"] = {key: expected[f"seats_{key}"] for key in ("needed", "free", "total", "used")}
        shortage = seat_shortage(expected)
        if shortage:
            print(shortage, file=out)
    progress = None
    first_row, total = 1, None
    while total is None or first_row <= total:
        report = api.post("/erp/collaborators/import", {
            "format": fmt, "content": content, "first_row": first_row, "row_count": batch_size,
            "deactivate_missing": deactivate_missing, "invite_new": invite, "role": role})
        total = report["total"]
        for key in ("created", "updated", "linked", "missing_marked_inactive"):
            summary[key] += report.get(key, 0)
        summary["errors"] += report.get("errors", [])
        invited += report.get("invited", [])
        progress = progress or Progress(total)
        progress.advance(max(1, min(batch_size, total - first_row + 1)))
        first_row += batch_size
    summary.update({
        "matched": len(report.get("matched", [])),
        "collaborators_without_user": report.get("collaborators_without_user", []),
        "portal_clients": report.get("portal_clients", []),
        "users_without_collaborator": report.get("users_without_collaborator", []),
        "invited": [m["email"] for m in invited],
    })
    print(f"created {summary['created']}, updated {summary['updated']}, linked {summary['linked']}, "
          f"matched {summary['matched']}, invited {len(summary['invited'])}", file=out)
    print_errors(summary["errors"], out)
    print_collaborators("ERP collaborators without a Paraph account (invite them, or --invite):",
                        summary["collaborators_without_user"], out)
    print_collaborators(PORTAL_CLIENTS, summary["portal_clients"], out)
    if summary["users_without_collaborator"]:
        print("Paraph users unknown to the ERP (check manually before creating them in the ERP):", file=out)
        for u in summary["users_without_collaborator"]:
            print(f"  {u['email']}", file=out)
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="paraph-identity-sync", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", help="the ERP export (.csv or .json); - reads stdin")
    parser.add_argument("--format", choices=["csv", "json"], help="default: from the file extension")
    parser.add_argument("--api", default=os.environ.get("PARAPH_API", DEFAULT_API))
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--deactivate-missing", action="store_true",
                        help="mark collaborators absent from this export as inactive")
    parser.add_argument("--invite", action="store_true",
                        help="invite the export's active collaborators without an account (each takes a seat)")
    parser.add_argument("--role", default="user", choices=["user", "front_user_manager", "license_admin"])
    parser.add_argument("--preview", action="store_true",
                        help="import nothing: print what the sync would do (as the web app's preview page)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    try:
        if args.file == "-":
            content = sys.stdin.read()
            fmt = args.format or "csv"
        else:
            path = Path(args.file)
            content = path.read_text(encoding="utf-8-sig")
            fmt = args.format or ("json" if path.suffix.lower() == ".json" else "csv")
        api = connect(args.api)
        out = sys.stderr if args.json else sys.stdout
        if args.preview:
            summary = preview(api, content, fmt, out=out)
        else:
            summary = sync(api, content, fmt, batch_size=max(1, args.batch_size),
                           deactivate_missing=args.deactivate_missing, invite=args.invite, role=args.role, out=out)
        if args.json:
            print(json.dumps(summary, indent=2))
        return 0
    except (ApiError, OSError, ValueError, requests.RequestException) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
