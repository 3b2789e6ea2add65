"""Signature requests on a document its sender uploads, without a contract: the file is checked before
anything is stored (a PDF pypdf can read, not encrypted, without JavaScript or embedded files, within the
size and page limits; a DOCX is converted to PDF by LibreOffice when it is installed), then the request
goes the way of a contract's (fields, text tags, reminders, CC, sealing, proof).

:func:`inspect_pdf` and :func:`convert_docx` are CPU (or subprocess) work: the service runs them through
``offhub.run``; they return what they found instead of raising, so nothing but plain data crosses the
process boundary.
"""
from __future__ import annotations

import base64
import binascii
import io
import os
import shutil
import subprocess
import tempfile
import zipfile

from paraph_platform.actor import STAFF_ROLES, load_actor, require_role
from paraph_platform.service import endpoint

from . import envelopes, logic, schemas
from .base import SigningBase
from .exceptions import InvalidInput

PDF_MAGIC = b"%PDF-"
DOCX_EXTENSION = ".docx"
DOCX_MAIN_PART = "word/document.xml"
DOCX_CONVERT_TIMEOUT = 120  # seconds LibreOffice may take to convert one document
# objects visited at most when looking for scripts and attachments (a crafted file cannot make it loop)
MAX_WALKED_OBJECTS = 500_000


def _walk(root):
    """Every dictionary and array reachable from ``root`` (indirect references followed once)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject
    seen, stack, visited = set(), [root], 0
    while stack and visited < MAX_WALKED_OBJECTS:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if isinstance(node, DictionaryObject):
            yield node
            stack.extend(node.values())
        elif isinstance(node, ArrayObject):
            stack.extend(node)


def active_content(trailer) -> str | None:
    """What makes a PDF more than a document: "javascript" (a /JS action, a JavaScript names tree, an
    /OpenAction or annotation running a script), "embedded_file" (/EmbeddedFiles, a file attachment
    annotation, an embedded file stream), or None."""
    for d in _walk(trailer):
        if "/JS" in d or d.get("/S") == "/JavaScript" or "/JavaScript" in d:
            return "javascript"
        if ("/EmbeddedFiles" in d or "/EF" in d or d.get("/Type") == "/EmbeddedFile"
                or d.get("/Subtype") == "/FileAttachment"):
            return "embedded_file"
    return None


def inspect_pdf(data: bytes, max_pages: int) -> dict:
    """Off the hub: {"pages": n} for a PDF that may be signed, else {"refused": reason, "pages": n?}
    with reason one of malformed, encrypted, no_pages, too_many_pages, javascript, embedded_file."""
    from pypdf import PdfReader
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return {"refused": "encrypted"}
        pages = len(reader.pages)
        if pages:
            reader.pages[0].mediabox  # noqa: B018 - a page tree that does not resolve is malformed
    except Exception:  # noqa: BLE001 - whatever pypdf cannot parse is malformed
        return {"refused": "malformed"}
    if pages == 0:
        return {"refused": "no_pages"}
    if pages > max_pages:
        return {"refused": "too_many_pages", "pages": pages}
    try:
        found = active_content(reader.trailer)
    except Exception:  # noqa: BLE001 - a broken reference deep in the file
        return {"refused": "malformed"}
    return {"refused": found, "pages": pages} if found else {"pages": pages}


def is_docx(filename: str, data: bytes) -> bool:
    """A Word document: by its extension, or a zip holding word/document.xml."""
    if filename.lower().endswith(DOCX_EXTENSION):
        return True
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return DOCX_MAIN_PART in z.namelist()
    except zipfile.BadZipFile:
        return False


def docx_convert_command(soffice: str, source: str, outdir: str, profile_dir: str) -> list[str]:
    """LibreOffice headless converting ``source`` to PDF in ``outdir``; its own profile directory, so that
    conversions running at the same time do not wait on each other's profile lock."""
    return [soffice, "--headless", "--norestore", "--nolockcheck",
            f"-env:UserInstallation=file://{profile_dir}", "--convert-to", "pdf", "--outdir", outdir, source]


def convert_docx(soffice: str, data: bytes, timeout: float = DOCX_CONVERT_TIMEOUT) -> dict:
    """Off the hub: {"pdf": bytes} or {"error": why} (LibreOffice failed or took longer than ``timeout``)."""
    with tempfile.TemporaryDirectory(prefix="paraph-docx-") as work:
        source = os.path.join(work, "document.docx")
        with open(source, "wb") as f:
            f.write(data)
        outdir, profile = os.path.join(work, "out"), os.path.join(work, "profile")
        try:
            subprocess.run(docx_convert_command(soffice, source, outdir, profile), check=True, timeout=timeout,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return {"error": "timeout"}
        except (subprocess.CalledProcessError, OSError):
            return {"error": "failed"}
        target = os.path.join(outdir, "document.pdf")
        if not os.path.exists(target):
            return {"error": "failed"}
        with open(target, "rb") as f:
            return {"pdf": f.read()}


REFUSALS = {
    "not_pdf": "This file is not a PDF: upload a PDF document.",
    "malformed": "This PDF cannot be read (it is damaged or not a real PDF).",
    "no_pages": "This PDF has no pages.",
    "encrypted": "This PDF is encrypted or password-protected: upload it without protection.",
    "javascript": "This PDF contains JavaScript: documents with scripts cannot be signed.",
    "embedded_file": "This PDF contains embedded files or attachments: remove them and upload it again.",
    "docx_unavailable": "DOCX is converted only when LibreOffice is installed; upload a PDF.",
    "docx_failed": "This Word document could not be converted to PDF; upload a PDF.",
}


def _refuse(reason: str, message: str | None = None, field: str = "document", filename: str | None = None):
    """422 on the uploaded file ``field``: an envelope's (``documents[1]``) is named with its file name."""
    message = message or REFUSALS[reason]
    details = {"reason": reason}
    if field != "document":
        message = f"{field} ({filename}): {message}"
        details.update(document=field, filename=filename)
    raise InvalidInput(message, {**details, "fields": {field: [message]}})


class UploadedDocumentsEndpoints(SigningBase):
    """A signature request on an uploaded document."""

    def _uploaded_pdf(self, filename: str, data: bytes, field: str = "document") -> tuple[str, bytes, int]:
        """The PDF to sign (a DOCX converted), its file name and its number of pages; 422 on ``field`` when
        refused."""
        from paraph_platform import offhub

        def refuse(reason, message=None):
            _refuse(reason, message, field, filename)

        limit = self.settings.max_document_bytes
        if len(data) > limit:
            refuse("too_large", f"The document is larger than {limit // (1024 * 1024) or 1} MB "
                                f"({limit} bytes), the largest accepted for signature.")
        if not data.startswith(PDF_MAGIC):
            if not is_docx(filename, data):
                refuse("not_pdf")
            soffice = shutil.which("soffice")
            if soffice is None:
                refuse("docx_unavailable")
            converted = offhub.run(convert_docx, soffice, data)
            if "pdf" not in converted:
                refuse("docx_failed")
            data, filename = converted["pdf"], os.path.splitext(filename)[0] + ".pdf"
            if len(data) > limit:
                refuse("too_large", "The converted document is too large to be signed.")
        found = offhub.run(inspect_pdf, data, self.settings.max_document_pages)
        if found.get("refused") == "too_many_pages":
            refuse("too_many_pages", f"This PDF has {found['pages']} pages; at most "
                                     f"{self.settings.max_document_pages} can be sent for signature.")
        if found.get("refused"):
            refuse(found["refused"])
        return filename, data, found["pages"]

    def _checked_upload(self, upload: dict, field: str = "document") -> tuple[str, bytes]:
        """An uploaded file ({filename, content_base64}) as the PDF to sign and its name (no folders); 422
        on ``field`` when refused."""
        filename = os.path.basename(upload["filename"].replace("\\", "/")).strip() or "document.pdf"
        filename, document, _pages = self._uploaded_pdf(filename, self._decoded_upload(upload, field), field)
        return filename, document

    def _uploaded_files(self, uploads: list[dict]) -> list[tuple[str, bytes]]:
        """An envelope's uploaded files (file name, PDF), each checked like a single one (a refusal names
        ``documents[i]``)."""
        return [self._checked_upload(upload, f"documents[{index}]") for index, upload in enumerate(uploads)]

    def _envelope(self, files: list[tuple[str, bytes]]) -> tuple[bytes, list[dict]]:
        """The documents combined into the one PDF signed and sealed, and where each lies in it; 422 when
        they have more pages together than a request may."""
        from paraph_platform import offhub
        combined = offhub.run(envelopes.combine, [data for _name, data in files])
        total, limit = sum(combined["pages"]), self.settings.max_document_pages
        if total > limit:
            message = f"These documents have {total} pages together; at most {limit} can be sent for signature."
            raise InvalidInput(message, {"reason": "too_many_pages", "fields": {"documents": [message]}})
        if len(combined["pdf"]) > self.settings.max_document_bytes:
            message = "These documents are too large together to be signed."
            raise InvalidInput(message, {"reason": "too_large", "fields": {"documents": [message]}})
        return combined["pdf"], envelopes.layout(files, combined["pages"])

    @endpoint(write=True)
    def create_document_request(self, actor, payload):
        """A request on an uploaded PDF (or DOCX, converted), without a contract: seen by its sender, the
        managers and the owner only."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self._outsiders_phones(actor):  # typed numbers loaded, then written by _resolve, in one country
            return self._document_request(actor, schemas.DocumentRequestIn().load(payload))

    def _document_request(self, actor: dict, data: dict) -> dict:
        if "documents" in data:  # an envelope: named after its first document
            files = self._uploaded_files(data["documents"])
            document, documents = self._envelope(files)
            filename = files[0][0]
        else:
            filename, document = self._checked_upload(data["document"])
            documents = None
        source = self._document_source(actor, filename, data["title"])
        return self._open_request(actor, data, source, filename, document, documents)

    @staticmethod
    def _decoded_upload(upload: dict, field: str = "document") -> bytes:
        """An uploaded file's bytes (422 on ``field`` when its content is not base64)."""
        try:
            return base64.b64decode(upload["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("The document is not valid base64." if field == "document"
                               else f"{field} is not valid base64.",
                               {"fields": {field: {"content_base64": ["not base64"]}}}) from None

    @staticmethod
    def _document_source(actor: dict, filename: str, title: str) -> dict:
        """The stand-in of a contract for a request on an uploaded document: what the request's emails,
        consent text and file names show."""
        stem = os.path.splitext(filename)[0] or "document"
        return {"id": None, "kind": logic.UPLOADED_KIND, "number": stem[:64], "title": title,
                "customer_id": None, "owner_id": actor["user_id"], "owner_name": actor.get("name") or "",
                "owner_email": actor.get("email") or "", "locale": None}
