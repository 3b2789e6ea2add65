"""One-way ERP user sync (Sage 100 style): ``paraph-identity-sync collaborators.csv``.

Reads an export of the ERP's collaborators (CSV with code;email;name columns, or JSON), sends it to
Paraph in batches through the public API and prints what needs a manual review: collaborators
without a Paraph account (invite them with --invite) and Paraph users unknown to the ERP.
Nothing is ever written back to the ERP.

Authentication: PARAPH_API_KEY, an API key of a service account with the role license_admin and the scope
users:write (README, "API keys"); the other ways to sign in are those of :mod:`paraph_platform.api_client`.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from pathlib import Path

import requests

from paraph_platform.api_client import DEFAULT_API, Api, ApiError, Progress, connect


def batches(content: str, fmt: str, size: int) -> list[str]:
    """Split an export into self-contained chunks (the CSV header is repeated)."""
    if fmt == "json":
        data = json.loads(content)
        if isinstance(data, dict):
            data = data.get("collaborators", data.get("items", []))
        if not isinstance(data, list):
            raise ApiError("the JSON export must be a list of collaborators")
        return [json.dumps(data[i:i + size]) for i in range(0, len(data), size)] or ["[]"]
    text = content.lstrip("\ufeff")
    lines = text.splitlines()
    if not lines:
        return []
    header, rows = lines[0], [line for line in lines[1:] if line.strip()]
    return ["\n".join([header, *rows[i:i + size]]) for i in range(0, len(rows), size)] or [header]


def count_rows(content: str, fmt: str) -> int:
    if fmt == "json":
        data = json.loads(content)
        if isinstance(data, dict):
            data = data.get("collaborators", data.get("items", []))
        return len(data) if isinstance(data, list) else 0
    return max(0, sum(1 for row in csv.reader(io.StringIO(content.lstrip("\ufeff"))) if any(row)) - 1)


def sync(api: Api, content: str, fmt: str, *, batch_size: int = 500, deactivate_missing: bool = False,
         invite: bool = False, role: str = "user", out=None) -> dict:
    out = out or sys.stdout
    total = count_rows(content, fmt)
    chunks = [content] if deactivate_missing else batches(content, fmt, batch_size)
    progress = Progress(total)
    summary = {"created": 0, "updated": 0, "linked": 0, "errors": [], "missing_marked_inactive": 0}
    report = {}
    offset = 0
    for chunk in chunks:
        result = api.post("/erp/collaborators/import", {"format": fmt, "content": chunk,
                                                        "deactivate_missing": deactivate_missing})
        for key in ("created", "updated", "linked", "missing_marked_inactive"):
            summary[key] += result.get(key, 0)
        for err in result.get("errors", []):
            summary["errors"].append({**err, "row": err.get("row", 0) + offset})
        report = result
        n = count_rows(chunk, fmt)
        offset += n
        progress.advance(n)
    if total == 0:
        progress.advance(1)
    invited = []
    if invite and report.get("collaborators_without_user"):
        codes = [c["code"] for c in report["collaborators_without_user"] if c.get("active", True)]
        if codes:
            invited = api.post("/erp/collaborators/invite", {"codes": codes, "role": role}).get("invited", [])
            report = api.get("/erp/sync-report")
    summary.update({
        "matched": len(report.get("matched", [])),
        "collaborators_without_user": report.get("collaborators_without_user", []),
        "users_without_collaborator": report.get("users_without_collaborator", []),
        "invited": [m["email"] for m in invited],
    })
    print(f"created {summary['created']}, updated {summary['updated']}, linked {summary['linked']}, "
          f"matched {summary['matched']}, invited {len(summary['invited'])}", file=out)
    for err in summary["errors"]:
        print(f"  row {err['row']}: {err['error']}", file=out)
    if summary["collaborators_without_user"]:
        print("ERP collaborators without a Paraph account (invite them, or --invite):", file=out)
        for c in summary["collaborators_without_user"]:
            print(f"  {c['code']:<12} {c['email']}", file=out)
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
                        help="mark collaborators absent from this export as inactive (single batch)")
    parser.add_argument("--invite", action="store_true", help="invite active collaborators without an account")
    parser.add_argument("--role", default="user", choices=["user", "front_user_manager", "license_admin"])
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
        summary = sync(api, content, fmt, batch_size=max(1, args.batch_size),
                       deactivate_missing=args.deactivate_missing, invite=args.invite, role=args.role,
                       out=sys.stderr if args.json else sys.stdout)
        if args.json:
            print(json.dumps(summary, indent=2))
        return 0
    except (ApiError, OSError, ValueError, requests.RequestException) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
