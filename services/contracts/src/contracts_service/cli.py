"""One-way ERP import of customers and sales history: ``paraph-contracts-import customers|sales FILE``.

Reads an ERP export and sends it to Paraph in batches through the public API (``/erp/customers/import``,
``/erp/sales/import``); prints a progress bar on stderr, then what was created, updated, unchanged, and
each refused row with its line in the file and why. Importing the same file again changes nothing.
Nothing is ever written back to the ERP.

Files: CSV (``;`` or ``,`` separated, a header line; decimal commas and dd/mm/yyyy dates are accepted) or
JSON lines (``.jsonl``: one JSON object a line; a ``.json`` array of them works too). An empty CSV cell
leaves that field as it is in Paraph.

* customers, CSV: one line per customer (``code``, ``name``, ``kind``, ``email``, ``phone``, ``vat_number``,
  ``registration_number`` (its SIREN or SIRET in France), ``locale``, ``currency``, ``notes``, address ``line1``, ``line2``, ``postal_code``, ``city``, ``region``,
  ``country``) with one contact (``contact_first_name``, ``contact_last_name``, ``contact_email``,
  ``contact_phone``, ``contact_mobile``, ``contact_title``, ``contact_department``); more lines with the same
  code add contacts. JSON lines: one customer a line, as the API takes it.
* sales, CSV: one line per document LINE, the document's columns repeated (``kind`` order|invoice,
  ``number``, ``customer_code``, ``date``, ``title``, ``currency``, ``status``) then the line's
  (``product_code``, ``description``, ``quantity``, ``unit_price``, ``tax_rate``, ``discount_pct``, ``unit``,
  ``serial_number``); lines are grouped by kind and number. JSON lines: one document a line, with its lines.

Authentication: PARAPH_API_KEY, an API key of a service account with the scope customers:write (customers)
or contracts:write (sales); the customers it creates get the account's perimeters. The other ways to sign
in are those of :mod:`paraph_platform.api_client`.

Exit status: 0 when every row was imported, 2 when some rows were refused (the others were imported),
1 when the file cannot be read or the API cannot be reached or refuses the key.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import sys
from pathlib import Path

import requests

from paraph_platform.api_client import DEFAULT_API, Api, ApiError, Progress, connect

BATCH_MAX = 500  # rows a call (the API's limit)
ADDRESS_COLUMNS = ("line1", "line2", "postal_code", "city", "region", "country")
CUSTOMER_COLUMNS = ("code", "name", "kind", "email", "phone", "vat_number", "registration_number", "locale", "currency",
                    "notes")
CONTACT_COLUMNS = ("first_name", "last_name", "email", "phone", "mobile", "title", "department")
DOCUMENT_COLUMNS = ("kind", "number", "customer_code", "date", "title", "currency", "status")
LINE_COLUMNS = ("product_code", "description", "quantity", "unit_price", "tax_rate", "discount_pct", "unit",
                "serial_number")
DECIMAL_COLUMNS = ("quantity", "unit_price", "tax_rate", "discount_pct")
WHAT = {"customers": ("/erp/customers/import", "code"), "sales": ("/erp/sales/import", "number")}


def _given(record: dict, columns, prefix: str = "") -> dict:
    """The non-empty cells of ``prefix + column`` for the columns, named by the column."""
    out = {}
    for column in columns:
        value = (record.get(prefix + column) or "").strip()
        if value:
            out[column] = value
    return out


def _decimal(value: str) -> str:
    """An ERP's amount as the API takes it: "1 234,56", "1.234,56" and "1,234.56" are all 1234.56 (with both
    separators, the last one is the decimal one)."""
    value = value.replace("\u00a0", "").replace(" ", "")
    if "," in value and "." in value:
        thousands = "." if value.rfind(",") > value.rfind(".") else ","
        value = value.replace(thousands, "")
    return value.replace(",", ".")


def _iso_date(value: str) -> str:
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
    return f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}" if m else value


def read_csv(content: str) -> list[tuple[int, dict]]:
    """(the line in the file, its cells by lowercase column) of each non-empty CSV line."""
    text = content.lstrip("\ufeff")
    header = text.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if header.count(";") >= header.count(",") else ",")
    if reader.fieldnames is None:
        return []
    reader.fieldnames = [(name or "").strip().lower() for name in reader.fieldnames]
    return [(reader.line_num, record) for record in reader if any((v or "").strip() for v in record.values()
                                                                  if isinstance(v, str))]


def read_jsonl(content: str) -> list[tuple[int, dict]]:
    """(the line, the object) of each JSON line; a JSON array (.json) is read too, numbered by position."""
    text = content.lstrip("\ufeff")
    if text.lstrip().startswith("["):
        items = json.loads(text)
        if not all(isinstance(item, dict) for item in items):
            raise ApiError("the JSON array must hold objects")
        return list(enumerate(items, start=1))
    rows = []
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                rows.append((n, json.loads(line)))
            except ValueError as exc:
                raise ApiError(f"line {n}: not JSON ({exc})") from None
            if not isinstance(rows[-1][1], dict):
                raise ApiError(f"line {n}: not a JSON object")
    return rows


def customer_rows(records: list[tuple[int, dict]]) -> list[tuple[int, dict]]:
    """CSV lines -> customers (lines of the same code add contacts to the first one's)."""
    by_code: dict[str, tuple[int, dict]] = {}
    out = []
    for line, record in records:
        row = _given(record, CUSTOMER_COLUMNS)
        address = _given(record, ADDRESS_COLUMNS)
        if address:
            row["address"] = address
        contact = _given(record, CONTACT_COLUMNS, "contact_")
        code = row.get("code", "")
        if code and code in by_code:
            customer = by_code[code][1]
        else:
            customer = {**row, "contacts": []}
            out.append((line, customer))
            if code:
                by_code[code] = (line, customer)
        if contact:
            customer["contacts"].append(contact)
    return out


def sales_rows(records: list[tuple[int, dict]]) -> list[tuple[int, dict]]:
    """CSV lines (one per document line) -> documents with their lines, grouped by kind and number."""
    by_key: dict[tuple, dict] = {}
    out = []
    for line, record in records:
        document = _given(record, DOCUMENT_COLUMNS)
        if "date" in document:
            document["date"] = _iso_date(document["date"])
        key = (document.get("kind", ""), document.get("number", ""))
        if key not in by_key or not all(key):
            by_key[key] = {**document, "lines": []}
            out.append((line, by_key[key]))
        item = _given(record, LINE_COLUMNS)
        for column in DECIMAL_COLUMNS:
            if column in item:
                item[column] = _decimal(item[column])
        if item:
            by_key[key]["lines"].append(item)
    return out


def load_rows(what: str, content: str, fmt: str) -> list[tuple[int, dict]]:
    """(the row's line in the file, the row as the API takes it) of an export."""
    if fmt == "jsonl":
        return read_jsonl(content)
    records = read_csv(content)
    return customer_rows(records) if what == "customers" else sales_rows(records)


def run_import(api: Api, what: str, rows: list[tuple[int, dict]], *, batch_size: int = BATCH_MAX,
               out=None, progress_stream=None) -> dict:
    """Send the rows in batches; the summary, its errors by line in the file."""
    out = out or sys.stdout
    path, key = WHAT[what]
    progress = Progress(len(rows), stream=progress_stream, label=f"import {what}")
    summary = {"created": 0, "updated": 0, "unchanged": 0, "errors": []}
    size = max(1, min(batch_size, BATCH_MAX))
    for start in range(0, len(rows), size):
        batch = rows[start:start + size]
        result = api.post(path, {"rows": [row for _line, row in batch]})
        for counter in ("created", "updated", "unchanged"):
            summary[counter] += result.get(counter, 0)
        for err in result.get("errors", []):
            summary["errors"].append({"line": batch[err["row"] - 1][0], key: err.get(key), "errors": err["errors"]})
        progress.advance(len(batch))
    if not rows:
        progress.advance(1)
    print(f"{what}: created {summary['created']}, updated {summary['updated']}, unchanged {summary['unchanged']}, "
          f"refused {len(summary['errors'])}", file=out)
    for err in summary["errors"]:
        reasons = "; ".join(f"{field}: {json.dumps(msgs, ensure_ascii=False)}" for field, msgs in err["errors"].items())
        print(f"  line {err['line']} ({err[key] or '?'}): {reasons}", file=out)
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="paraph-contracts-import", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=sorted(WHAT), help="what the file holds")
    parser.add_argument("file", help="the ERP export (.csv or .jsonl); - reads stdin")
    parser.add_argument("--format", choices=["csv", "jsonl"], help="default: from the file extension (csv)")
    parser.add_argument("--api", default=os.environ.get("PARAPH_API", DEFAULT_API))
    parser.add_argument("--batch-size", type=int, default=BATCH_MAX, help=f"rows a call (at most {BATCH_MAX})")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    try:
        if args.file == "-":
            content, suffix = sys.stdin.read(), ""
        else:
            path = Path(args.file)
            content, suffix = path.read_text(encoding="utf-8-sig"), path.suffix.lower()
        fmt = args.format or ("jsonl" if suffix in (".jsonl", ".ndjson", ".json") else "csv")
        rows = load_rows(args.what, content, fmt)
        api = connect(args.api, timeout=180)
        summary = run_import(api, args.what, rows, batch_size=args.batch_size,
                             out=sys.stderr if args.json else sys.stdout)
        if args.json:
            print(json.dumps(summary, indent=2, ensure_ascii=False))
        return 2 if summary["errors"] else 0
    except (ApiError, OSError, ValueError, requests.RequestException) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
