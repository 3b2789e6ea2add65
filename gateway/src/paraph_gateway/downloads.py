"""Files the services return (``{"content_base64", "filename", "content_type", "sha256"?}``) as HTTP downloads,
and the query parameters that choose whether a browser shows one or saves it (the gateway's own: no service
takes them)."""
from __future__ import annotations

import base64
import unicodedata
from urllib.parse import quote

from flask import Response
from marshmallow import Schema, fields


class InlineQuery(Schema):
    """A file downloaded unless asked to be shown."""
    inline = fields.Boolean(load_default=False, metadata={
        "description": "`1` (or `true`): shown in the browser (Content-Disposition: inline) rather than downloaded"})


class DownloadQuery(Schema):
    """A file shown unless asked to be downloaded."""
    download = fields.Boolean(load_default=False, metadata={
        "description": "`1` (or `true`): downloaded (Content-Disposition: attachment) rather than shown in the "
                       "browser"})


# what the ASCII ``filename`` writes for the typography of a French title that NFKD does not take apart (the
# apostrophe of "Lettre d’engagement" would be dropped: "Lettre dengagement")
ASCII_SPELLING = str.maketrans({"’": "'", "‘": "'", "‐": "-", "‑": "-", "–": "-", "—": "-", "…": "...", "œ": "oe",
                                "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


def content_disposition(filename: str, inline: bool = False) -> str:
    """The header for a name that may come from anywhere (an ERP's document number, an uploaded file's name, a
    title): no control characters, quotes or backslashes (a CR/LF would split the header), an ASCII ``filename``
    for every client (accents and typography spelled in ASCII, one space between words) and, when the name is not
    ASCII, the exact one as ``filename*`` (RFC 6266 / RFC 8187)."""
    cleaned = "".join(ch for ch in str(filename) if ch.isprintable() and ch not in '"\\').strip() or "download"
    ascii_name = " ".join(unicodedata.normalize("NFKD", cleaned.translate(ASCII_SPELLING))
                          .encode("ascii", "ignore").decode().split()) or "download"
    header = f'{"inline" if inline else "attachment"}; filename="{ascii_name}"'
    if ascii_name != cleaned:
        header += f"; filename*=UTF-8''{quote(cleaned, safe='')}"
    return header


def file_response(result: dict, inline: bool = False, default_type: str = "application/octet-stream") -> Response:
    resp = Response(base64.b64decode(result["content_base64"]), mimetype=result.get("content_type") or default_type)
    resp.headers["Content-Disposition"] = content_disposition(result["filename"], inline)
    if result.get("sha256"):
        resp.headers["ETag"] = f'"{result["sha256"]}"'
        resp.headers["X-Content-SHA256"] = result["sha256"]
    return resp
