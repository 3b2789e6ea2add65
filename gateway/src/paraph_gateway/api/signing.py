"""E-signature: approval and signature requests, collaborators' tasks, public signing links (the
link's token is the credential), verification of sealed PDFs and offline (tablet) signing.

The signing page itself (``/sign/<token>``, HTML) is in :mod:`.signing_pages`.
"""
from __future__ import annotations

import base64
import json

from flask import Blueprint, Response, request

from paraph_platform.contract import declares_type
from paraph_platform.errors import BadRequest, InvalidInput, PayloadTooLarge
from paraph_platform.actor import STAFF_ROLES

from ..downloads import DownloadQuery, InlineQuery, file_response
from ..routing import (BINARY, MAX_JSON_DEPTH, FormBody, call, client_ip, forward, json_deeper_than,
                       loaded_json_body, route, upload_body)
from ..service_results import ServiceParams, service_params, service_result

bp = Blueprint("signing", __name__)

TIMEOUT = 30
UPLOAD_TIMEOUT = 150  # an uploaded DOCX is converted by LibreOffice (up to 120 s) before the request is stored
SIGNER_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024  # the signing service's limit too (refused here before the RPC)
# the 410 Gone answers, documented on each operation that can give them
REQUEST_GONE = ("The request was cancelled or has expired, or this participant's turn was handed to someone else "
                "(problem's request_status or participant_status)")
LINK_GONE = ("This signing link no longer works: the request was cancelled or has expired, the turn was handed to "
             "someone else, or the embedded signing session ended")

# the bodies the signing service's payload schemas validate; send_invitations is the portal's (its quote email
# already gave the first participants a way to sign), never an HTTP client's
NOT_SIGNED_YET = ("Not everybody has signed yet: the document is sealed, and its proof made, once the last one "
                  "signs (event signature.completed.v1)")
CONTRACT_REQUEST = service_params("signing", "create_request", not_from_client=("contract_id", "send_invitations"))
DOCUMENT_REQUEST = service_params("signing", "create_document_request", not_from_client=("send_invitations",))
# a task's act: the caller's address and browser are the gateway's to say (the portal's route too)
TASK_ACT = service_params("signing", "act", not_from_client=("ip", "user_agent"))


# -- multipart forms of the JSON bodies --------------------------------------------------------------

DOCUMENT_PARTS = ("document", "documents")


def _json_part(name: str, text: str):
    """A form field holding JSON, within the JSON body's nesting limit."""
    try:
        value = json.loads(text)
        valid = not json_deeper_than(value)
    except (ValueError, RecursionError):  # the parser recurses once per level
        valid = False
    if not valid:
        raise InvalidInput(f"The form field `{name}` is not valid JSON (nested at most {MAX_JSON_DEPTH} levels).",
                           {"fields": {name: ["Not valid JSON."]}})
    return value


def form_payload(params: ServiceParams, file_parts: tuple[str, ...]) -> dict:
    """The fields of a multipart upload as the JSON body's object (``params``, the service's payload): the JSON
    part (or field) `request`, overridden by the plain form fields but ``file_parts``; a field holding a list or
    an object (e.g. `signers`) comes as JSON text, and one left empty is absent (a browser sends every input)."""
    request_part = request.files.get("request")
    text = request_part.read().decode("utf-8", "replace") if request_part else request.form.get("request")
    payload = _json_part("request", text) if text is not None else {}
    if not isinstance(payload, dict):
        raise InvalidInput("The form field `request` must be a JSON object.",
                           {"fields": {"request": ["Not a JSON object."]}})
    structured = {name for name, prop in params.json_schema().get("properties", {}).items()
                  if declares_type(prop, "array") or declares_type(prop, "object")}
    for name, value in request.form.items():
        if name not in ("request", *file_parts) and value != "":
            payload[name] = _json_part(name, value) if name in structured else value
    return payload


def document_request_from_form() -> dict:
    """A multipart upload as the JSON body's object: the file parts `document` (or `documents`, repeated)
    become `document` (one file) or `documents` (several), base64; the other fields as :func:`form_payload`
    reads them."""
    payload = form_payload(DOCUMENT_REQUEST, DOCUMENT_PARTS)
    # a browser sends an empty part (no filename) for a file input left empty
    files = [{"filename": part.filename, "content_base64": base64.b64encode(part.read()).decode()}
             for name in DOCUMENT_PARTS for part in request.files.getlist(name) if part.filename]
    if not files:
        raise InvalidInput("Attach the document to sign as a file part named `document`.",
                           {"fields": {"document": ["Missing file."]}})
    if len(files) == 1:
        payload["document"] = files[0]
    else:
        payload["documents"] = files
    return payload


DOCUMENT_REQUEST_FORM = FormBody(parse=document_request_from_form, schema={
    "schema": {"type": "object", "required": ["document"], "properties": {
        "document": {"type": "string", "format": "binary",
                     "description": "the file to sign (its part's filename names it); repeat the part (or name "
                                    "the parts `documents`) to send several files"},
        "documents": {"type": "array", "items": {"type": "string", "format": "binary"}},
        "request": {"type": "string", "contentMediaType": "application/json",
                    "description": "the JSON body's object without `document` (title, signers, fields...)"},
        "title": {"type": "string", "description": "plain fields override `request`'s (a list or object, e.g. "
                                                   "`signers`, as JSON text)"},
        "message": {"type": "string"},
    }},
    "encoding": {"request": {"contentType": "application/json"}},
})


def caller_evidence() -> dict:
    """The caller's address and browser, which the signature evidence records (the portal's act too)."""
    return {"ip": client_ip(), "user_agent": (request.headers.get("User-Agent") or "")[:512] or None}


def _binary(result: dict, inline: bool = False) -> Response:
    """The signing service's files are PDFs (a result without a content type included)."""
    return file_response(result, inline, "application/pdf")


@bp.after_request
def _no_store(resp):
    resp.headers.setdefault("Cache-Control", "no-store")
    if request.path.startswith("/api/v1/sign/"):
        resp.headers["Referrer-Policy"] = "no-referrer"  # the link's token never leaks through Referer
        resp.headers.setdefault("X-Robots-Tag", "noindex, nofollow")
    return resp


# -- requests (staff) ------------------------------------------------------------------------------------

@route(bp, "/contracts/<contract_id>/signature-requests", ["POST"], body=CONTRACT_REQUEST,
       response=service_result("signing", "create_request"), roles=STAFF_ROLES, status=201, tags=["e-signature"])
def create_request(actor, contract_id, body):
    """Send a contract or quote for approval and signature: its current PDF is frozen (SHA-256), approvers
    are asked first, then signers in order; each gets a personal signing link by email. With `documents`,
    uploaded annexes are signed with it (an envelope: one combined document, one seal)."""
    return call("signing", "create_request", actor, {**body, "contract_id": contract_id},
                timeout=UPLOAD_TIMEOUT if body.get("documents") else TIMEOUT)


forward(bp, "POST", "/signature-requests", "signing.create_document_request", body=DOCUMENT_REQUEST, roles=STAFF_ROLES,
        status=201, tags=["e-signature"], form=DOCUMENT_REQUEST_FORM, timeout=UPLOAD_TIMEOUT,
        doc="""Send your own document (a PDF) for approval and signature, without a contract: it is checked (a readable,
    unencrypted PDF without JavaScript or embedded files, within the size and page limits; 422 saying why
    otherwise), frozen (SHA-256) and signed like a contract's. The body is JSON (the file in base64) or
    multipart/form-data: the file as a part named `document`, the rest as a JSON part `request` or plain
    fields.""")

forward(bp, "GET", "/signature-requests", "signing.list_requests", query=service_params("signing", "list_requests"),
        roles=STAFF_ROLES, tags=["e-signature"],
        doc="""Signature requests of a contract (`contract_id`), or those you sent or own (admins: all), newest
    first: walk with `next_cursor`; `count=true` adds `total`.""")

forward(bp, "GET", "/signature-requests/<request_id>", "signing.get_request", roles=STAFF_ROLES, tags=["e-signature"],
        doc="""A request: participants and their status, evidence of each act, and the hash-chained audit trail
    with its verification.""")

forward(bp, "POST", "/signature-requests/<request_id>/cancel", "signing.cancel_request", roles=STAFF_ROLES,
        tags=["e-signature"], doc="Cancel a request under way (the requester, the document's owner or a manager).")

forward(bp, "POST", "/signature-requests/<request_id>/remind", "signing.remind", roles=STAFF_ROLES, tags=["e-signature"],
        doc="""Remind now everybody whose turn it is, or only `participant_id` (409 when it is not their turn). Nobody
    is reminded twice within the minimum interval (`reminded` says how many were).""")

forward(bp, "POST", "/signature-requests/<request_id>/participants/<participant_id>/reassign",
        "signing.reassign_participant", roles=STAFF_ROLES, tags=["e-signature"], responses={410: REQUEST_GONE},
        doc="""Hand an approver's or signer's turn to someone else before they act (the requester, the document's owner
    or a manager; 409 once they acted): their link stops working, the new person is asked at once if it is
    their turn, and the audit trail records who did it, from whom to whom and why.""")


@route(bp, "/signature-requests/<request_id>/signed.pdf", ["GET"], query=InlineQuery, roles=STAFF_ROLES,
       tags=["e-signature"], responses={200: "application/pdf: the PAdES-sealed document", 409: NOT_SIGNED_YET})
def signed_pdf(actor, request_id, query):
    """The signed document, sealed with a PAdES signature (B-LTA by default: timestamp, validation data, document
    timestamp)."""
    return _binary(call("signing", "download_signed_pdf", actor, request_id, timeout=TIMEOUT),
                   inline=query["inline"])


@route(bp, "/signature-requests/<request_id>/proof.pdf", ["GET"], query=InlineQuery, roles=STAFF_ROLES,
       tags=["e-signature"], responses={200: "application/pdf: the proof of signature", 409: NOT_SIGNED_YET})
def proof_pdf(actor, request_id, query):
    """The proof of signature: document hash, each signer's identity, authentication, consent, time, IP,
    user agent, the files signers attached (SHA-256), and the audit trail with its hashes."""
    return _binary(call("signing", "download_proof", actor, request_id, timeout=TIMEOUT),
                   inline=query["inline"])


@route(bp, "/signature-requests/<request_id>/attachments/<attachment_id>", ["GET"], query=InlineQuery,
       roles=STAFF_ROLES, tags=["e-signature"], responses={200: "*/*: the file a signer uploaded (PNG, JPEG or PDF)",
                                                           404: "not uploaded (yet)"})
def signer_attachment(actor, request_id, attachment_id, query):
    """Download a file a signer attached (staff who see the request)."""
    return file_response(call("signing", "get_signer_attachment", actor, request_id, attachment_id, timeout=TIMEOUT),
                         inline=query["inline"])


# -- collaborators' tasks ------------------------------------------------------------------------------------

forward(bp, "GET", "/me/signature-tasks", "signing.tasks_for", tags=["e-signature"], endpoint="my_tasks",
        doc="Documents waiting for my approval or signature.")

forward(bp, "POST", "/signature-tasks/<participant_id>/otp", "signing.task_otp", tags=["e-signature"],
        responses={410: REQUEST_GONE}, doc="Send me the one-time code to sign one of my tasks.")


@route(bp, "/signature-tasks/<participant_id>/act", ["POST"], body=TASK_ACT, response=service_result("signing", "act"),
       tags=["e-signature"],
       responses={412: "signing needs a one-time code: one was just sent", 410: REQUEST_GONE})
def act(actor, participant_id, body):
    """Approve, sign (with the one-time code) or decline (with a reason) one of my tasks."""
    return call("signing", "act", actor, participant_id, {**body, **caller_evidence()}, timeout=TIMEOUT)


# -- verification ----------------------------------------------------------------------------------------------

VERIFIED = service_params("signing", "verify_document")
SIGNER_FILE = service_params("signing", "public_upload_attachment")


@route(bp, "/signatures/verify", ["POST"], response=service_result("signing", "verify_document"),
       tags=["e-signature"], raw_body={**upload_body(VERIFIED), "application/pdf": BINARY,
                                       "application/octet-stream": BINARY})
def verify(actor):
    """Is this PDF a document sealed by Paraph? Its SHA-256 must be known and its PAdES signature intact,
    covering the whole file, with a timestamp."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise InvalidInput("Send the PDF in a form field named 'file'.",
                               {"fields": {"file": ["Missing data for required field."]}})
        payload = {"content_base64": base64.b64encode(upload.read()).decode(), "filename": upload.filename}
    elif request.mimetype in ("application/pdf", "application/octet-stream"):
        if not request.data:
            raise BadRequest("The body is empty: send the PDF.")
        payload = {"content_base64": base64.b64encode(request.get_data()).decode(), "filename": None}
    elif request.is_json:
        payload = loaded_json_body(VERIFIED)
    else:
        raise BadRequest("Send multipart/form-data with a 'file' field, an application/pdf body, or JSON.")
    return call("signing", "verify_document", actor, payload, timeout=TIMEOUT)


def _dev_ca_file(name: str) -> Response:
    resp = file_response(call("signing", "public_ca_file", name), inline=True)
    resp.headers["Cache-Control"] = "public, max-age=3600"
    return resp


@route(bp, "/signing/ca.crl", ["GET"], public=True, tags=["e-signature"],
       responses={200: "application/pkix-crl: the CRL (DER)", 404: "no development CA key in use"})
def dev_ca_crl():
    """The development CA's CRL (no sealing certificate configured): the CRL distribution point of the
    development sealing and TSA certificates, embedded in seals at PAdES B-LT and B-LTA."""
    return _dev_ca_file("ca.crl")


@route(bp, "/signing/ca.pem", ["GET"], public=True, tags=["e-signature"],
       responses={200: "application/x-pem-file: the development CA certificate", 404: "no development CA in use"})
def dev_ca_pem():
    """The development CA's certificate: the trust root that validates seals made without a configured
    sealing certificate."""
    return _dev_ca_file("ca.pem")


# -- offline signing (tablet) ---------------------------------------------------------------------------------

forward(bp, "GET", "/offline/requests/<request_id>/package", "signing.offline_package",
        query=service_params("signing", "offline_package"), roles=STAFF_ROLES, tags=["offline signing"],
        responses={410: "The request was cancelled or has expired"}, timeout=TIMEOUT,
        doc="""Download, while online, what a device needs to collect signatures offline: the exact document, its
    SHA-256, the participants and the consent wording. 403 unless the caller is the request's requester, the
    contract owner or a manager.""")

forward(bp, "POST", "/offline/sync", "signing.offline_sync", roles=STAFF_ROLES, tags=["offline signing"], timeout=TIMEOUT,
        doc="""Upload signatures collected offline. Each item gets `accepted`, `conflict` (code: already_signed,
    declined, request_cancelled, request_expired, wrong_order, unknown_participant, document_changed...) or
    `rejected` (code: invalid, consent_missing, not_allowed: only the request's requester, the contract owner or
    a manager may attest in-person signatures; the evidence records them as the operator); the same client_id
    always gets the same answer and never signs twice.""")


# -- public signing link (the token is the credential) -------------------------------------------------------------

forward(bp, "GET", "/sign/<token>", "signing.public_info", query=service_params("signing", "public_info"),
        public=True, tags=["signing link"], responses={410: LINK_GONE}, endpoint="link_info",
        doc="""What the signing page shows: the document's name and hash, the consent text, whose turn it is; in the
    language asked (`locale`, else the request's), which the approval or signature then names.""")


@route(bp, "/sign/<token>/document", ["GET"], query=DownloadQuery, public=True, tags=["signing link"],
       responses={200: "application/pdf: the exact document to approve or sign", 410: LINK_GONE})
def link_document(token, query):
    """The exact document to approve or sign (inline)."""
    result = call("signing", "public_document", token, caller_evidence(), timeout=TIMEOUT)
    resp = _binary(result, inline=not query["download"])
    # framed by the signing page, itself framed by the license's embed origins when embedded (every
    # ancestor must be allowed)
    origins = result.get("embed_origins") or []
    resp.headers["Content-Security-Policy"] = "frame-ancestors " + " ".join(["'self'", *origins])
    if not origins:  # for old browsers (X-Frame-Options cannot list several origins)
        resp.headers["X-Frame-Options"] = "SAMEORIGIN"
    return resp


@route(bp, "/sign/<token>/signed.pdf", ["GET"], query=InlineQuery, public=True, tags=["signing link"],
       responses={200: "application/pdf: the PAdES-sealed document", 409: NOT_SIGNED_YET, 410: LINK_GONE})
def link_signed_pdf(token, query):
    """Once everybody signed: the sealed document (shown by the signing page with `inline=1`; a customer contact's
    download of a quote is kept in the quote's activity, as its online page's and the portal's are)."""
    download = not query["inline"] and request.method == "GET"  # a HEAD (a link scanner) takes nothing away
    return _binary(call("signing", "public_signed_pdf", token, {**caller_evidence(), "download": download},
                        timeout=TIMEOUT), inline=query["inline"])


@route(bp, "/sign/<token>/proof.pdf", ["GET"], public=True, tags=["signing link"],
       responses={200: "application/pdf: the proof of signature", 409: NOT_SIGNED_YET, 410: LINK_GONE})
def link_proof_pdf(token):
    """Once everybody signed: the proof of signature (each signer's identity, authentication, consent, time, and
    the audit trail), which every participant's completion email says their link gives."""
    return _binary(call("signing", "public_proof_pdf", token, timeout=TIMEOUT))


@route(bp, "/sign/<token>/otp", ["POST"], body=service_params("signing", "public_request_otp"),
       response=service_result("signing", "public_request_otp"),
       public=True, tags=["signing link"], responses={410: LINK_GONE})
def link_otp(token, body):
    """Send me a one-time code (6 digits, 10 minutes, 5 attempts) by email or SMS, in the language I read the
    page in (`locale`, else the request's)."""
    return call("signing", "public_request_otp", token, body, caller_evidence())


@route(bp, "/sign/<token>/attachments/<attachment_id>", ["POST"],
       response=service_result("signing", "public_upload_attachment"), public=True, tags=["signing link"],
       raw_body={"image/png": BINARY, "image/jpeg": BINARY, "application/pdf": BINARY, "application/json": SIGNER_FILE},
       description="the file as the raw body: Content-Type image/png, image/jpeg or application/pdf (the bytes must "
                   "match), at most 10 MB, `?filename=` naming it; or JSON {filename, content_type, content_base64}",
       responses={413: "larger than 10 MB", 415: "not a PNG, JPEG or PDF", 410: LINK_GONE})
def link_upload_attachment(token, attachment_id):
    """Upload a file you are asked to attach (an ID, a proof of address); a new upload replaces it until you
    sign."""
    if request.content_length is not None and request.content_length > SIGNER_ATTACHMENT_MAX_BYTES:
        raise PayloadTooLarge("The file is larger than 10 MB.", {"limit": SIGNER_ATTACHMENT_MAX_BYTES})
    if request.is_json:
        payload = loaded_json_body(SIGNER_FILE)
    else:
        content = request.get_data()
        if not content:
            raise InvalidInput("The body is empty: send the file.", {"fields": {"content": ["Empty file."]}})
        payload = {"filename": (request.args.get("filename") or "")[:255] or None,
                   "content_type": request.mimetype or "", "content_base64": base64.b64encode(content).decode()}
    return call("signing", "public_upload_attachment", token, attachment_id, payload, caller_evidence(),
                timeout=TIMEOUT)


@route(bp, "/sign/<token>/sign", ["POST"], body=service_params("signing", "public_sign"),
       response=service_result("signing", "public_sign"), public=True, tags=["signing link"],
       responses={410: LINK_GONE})
def link_sign(token, body):
    """Sign: the one-time code and the consent are required."""
    return call("signing", "public_sign", token, body, caller_evidence(), timeout=TIMEOUT)


@route(bp, "/sign/<token>/approve", ["POST"], body=service_params("signing", "public_approve"),
       response=service_result("signing", "public_approve"), public=True, tags=["signing link"],
       responses={410: LINK_GONE})
def link_approve(token, body):
    """Approve the document (approvers)."""
    return call("signing", "public_approve", token, body, caller_evidence(), timeout=TIMEOUT)


@route(bp, "/sign/<token>/decline", ["POST"], body=service_params("signing", "public_decline"),
       response=service_result("signing", "public_decline"),
       public=True, tags=["signing link"], responses={410: LINK_GONE})
def link_decline(token, body):
    """Decline, with a reason."""
    return call("signing", "public_decline", token, body, caller_evidence(), timeout=TIMEOUT)
