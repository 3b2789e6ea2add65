"""A list as a CSV download, every page of it, streamed: ``csv_download(filename, header, page_at, row)``.

``page_at(cursor)`` reads one page of the list from the API (``cursor`` None: the first; the next ones
by the API's ``next_cursor``, so the last page of a long list costs what the first does), ``row(item)``
turns an item into the CSV's cells. The first page is read before anything is sent, so an expired session or an API error still gets
its proper page; the next pages are read while streaming. UTF-8 with a BOM: Excel opens it with its
accents right."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable

from flask import Response, stream_with_context

from ..api import LARGEST_PAGE

PAGE_SIZE = LARGEST_PAGE  # the API's largest page: the fewest calls for the whole list


def csv_download(filename: str, header: list[str], page_at: Callable[[str | None], dict],
                 row: Callable[[dict], Iterable]) -> Response:
    first = page_at(None)

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        yield "\ufeff"
        writer.writerow(header)
        page = first
        while True:
            for item in page["items"]:
                writer.writerow(row(item))
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
