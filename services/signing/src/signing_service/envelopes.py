"""Envelopes: several documents signed in one request. The documents (a rendered contract or quote first,
then uploaded files, or uploaded files only) are concatenated into ONE PDF, the request's ``document``:
it is what everybody is shown, what the fields are placed on and what one PAdES seal covers (like
DocuSign's combined document). The request keeps where each document lies in it
(``SignatureRequest.documents``: [{filename, sha256, size, first_page, pages}], NULL for a request on a
single document), so that fields can be placed on a document's own page, the signing page can jump to a
document and the proof can list each file with its own SHA-256.

:func:`combine` is CPU work (pypdf): callers run it through ``offhub.run``; the rest is pure.
"""
from __future__ import annotations

import hashlib
import io

MAX_ENVELOPE_DOCUMENTS = 10


def combine(parts: list[bytes]) -> dict:
    """Off the hub: {"pdf": the documents one after the other, "pages": [pages of each]}."""
    from pypdf import PdfReader, PdfWriter
    writer, pages = PdfWriter(), []
    for data in parts:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages.append(len(reader.pages))
        for page in reader.pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return {"pdf": out.getvalue(), "pages": pages}


def layout(files: list[tuple[str, bytes]], pages: list[int]) -> list[dict]:
    """Where each document (file name, bytes) lies in the combined PDF, given each one's pages."""
    out, first = [], 1
    for (filename, data), count in zip(files, pages):
        out.append({"filename": filename, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
                    "first_page": first, "pages": count})
        first += count
    return out


def documents_of(r) -> list[dict]:
    """A request's documents: its envelope's, or for a single document one entry from its own columns."""
    if r.documents:
        return [dict(d) for d in r.documents]
    return [{"filename": r.document_filename, "sha256": r.document_sha256, "size": r.document_size,
             "first_page": 1, "pages": len(r.page_sizes) if r.page_sizes else None}]


def place_on_envelope(specs: list[dict], documents: list[dict]) -> tuple[list[dict], dict]:
    """The fields with a ``document`` (1-based) get the envelope's page for their document-relative
    ``page``; returns (fields without ``document``, {"<field index>": [why]} for the ones that cannot be)."""
    placed, errors = [], {}
    for index, spec in enumerate(specs):
        spec = dict(spec)
        number = spec.pop("document", None)
        if number is not None:
            if not 1 <= number <= len(documents):
                errors[str(index)] = [f"document {number} is out of range (the request has {len(documents)})"]
                continue
            doc = documents[number - 1]
            if doc["pages"] is not None and spec["page"] > doc["pages"]:  # None: checked when placed
                errors[str(index)] = [f"page {spec['page']} is out of range (document {number}, "
                                      f"{doc['filename']}, has {doc['pages']})"]
                continue
            spec["page"] = doc["first_page"] + spec["page"] - 1
        placed.append(spec)
    return placed, errors
