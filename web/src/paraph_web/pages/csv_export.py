"""A list as a CSV download, every page of it, streamed: ``csv_download(filename, header, page_at, row)``.

``page_at(cursor)`` reads one page of the list from the API (``cursor`` None: the first; the next ones
by the API's ``next_cursor``, so the last page of a long list costs what the first does), ``row(item)``
turns an item into the CSV's cells. The first page is read before anything is sent, so an expired session or an API error still gets
its proper page; the next pages are read while streaming. UTF-8 with a BOM: Excel opens it with its
accents right. Written as a spreadsheet in the page's language reads it (i18n's ``sheet_*``): its cells separated
by ";" in French (French Excel splits a double-clicked file by it, not by ","), "," in English; a yes/no as a word
("Oui", "No"), a number with the language's decimal mark, a time in the reader's time zone; a status as its badge
says it (``status_labels``). A text that a spreadsheet would run as a formula is written as text (``inert``).
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable

from flask import Response, stream_with_context

from ..api import LARGEST_PAGE
from ..i18n import sheet_number, sheet_separator, yes_no

PAGE_SIZE = LARGEST_PAGE  # the API's largest page: the fewest calls for the whole list
# what makes a spreadsheet read a cell as a formula ("=HYPERLINK(...)" typed as a customer's name by anyone who can
# write one would run on the salesperson's machine: OWASP's "CSV injection"), and a number as sheet_number writes it
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[-+]?\d+(?:[.,]\d+)?$")


def inert(cell):
    """A cell as the spreadsheet shows it and never runs: a text starting like a formula gets a leading "'" (which
    spreadsheets show as text and do not display); numbers such as "-12,50" are left as they are."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_START) and not _NUMBER.match(cell):
        return "'" + cell
    return cell


def csv_download(filename: str, header: list[str], page_at: Callable[[str | None], dict],
                 row: Callable[[dict], Iterable]) -> Response:
    first = page_at(None)

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=sheet_separator())  # quoting a cell holding it
        yield "\ufeff"
        writer.writerow(header)
        page = first
        while True:
            for item in page["items"]:
                writer.writerow([inert(cell) for cell in row(item)])
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
            if not page.get("next_cursor"):
                break
            page = page_at(page["next_cursor"])
        yield buffer.getvalue()  # the header of an empty list

    resp = Response(stream_with_context(lines()), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


def custom_cell(column: dict, value) -> str:
    """A custom column's value in a CSV (what the lists show, macros.html custom_value, as a spreadsheet reads it):
    a yes/no as a word, a number with the page's decimal mark, a date as YYYY-MM-DD, the others as they are; empty
    for none."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):  # a yes/no column's (stored as JSON booleans)
        return yes_no(value)
    return sheet_number(value) if column.get("type") == "number" else str(value)
