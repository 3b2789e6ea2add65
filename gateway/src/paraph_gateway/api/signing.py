"""E-signature: approval and signature requests, collaborators' tasks, public signing links (the
link's token is the credential), verification of sealed PDFs and offline (tablet) signing.

The signing page itself (``/sign/<token>``, HTML) is in :mod:`.signing_pages`.
"""
from __future__ import annotations

import base64

from flask import Blueprint, Response, request
from marshmallow import Schema, fields, validate

from paraph_platform.errors import BadRequest, InvalidInput

from ..routing import call, client_ip, json_body, route

bp = Blueprint("signing", __name__)

STAFF = ("license_admin", "front_user_manager", "user")
ID = validate.Length(min=1, max=64)
SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="a lowercase hex SHA-256")
PHONE = validate.Regexp(r"^\+?[0-9 ().-]{6,30}$", error="a phone number")
TIMEOUT = 30


# -- schemas (public API) ----------------------------------------------------------------------

class ParticipantIn(Schema):
    user_id = fields.String(validate=ID, metadata={"description": "an internal collaborator (user of the license)"})
    contact_id = fields.String(validate=ID, metadata={"description": "a contact of a customer"})
    name = fields.String(validate=validate.Length(min=1, max=200), metadata={"description": "with email"})
    email = fields.Email(validate=validate.Length(max=320), metadata={"description": "someone else"})
    phone = fields.String(allow_none=True, validate=PHONE)
    order = fields.Integer(validate=validate.Range(min=1, max=100),
                           metadata={"description": "turn within the role (default: position); equal = parallel"})
    otp_channel = fields.String(validate=validate.OneOf(["email", "sms"]),
                                metadata={"description": "where one-time codes go (sms needs a phone)"})


class RequestIn(Schema):
    approvers = fields.List(fields.Nested(ParticipantIn), validate=validate.Length(max=20),
                            metadata={"description": "all approve before any signer is asked"})
    signers = fields.List(fields.Nested(ParticipantIn), required=True, validate=validate.Length(min=1, max=20))
    message = fields.String(validate=validate.Length(max=2000))
    expires_in_days = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=365))
    locale = fields.String(allow_none=True, validate=validate.OneOf(["fr", "en"]))


class RequestOut(Schema):
    id = fields.String()
    contract_id = fields.String()
    contract_number = fields.String()
    status = fields.String(metadata={"description": "pending, sealing, completed, declined, cancelled, expired"})
    stage = fields.String(metadata={"description": "approval, signing, done"})
    expires_at = fields.String()
    document = fields.Dict(metadata={"description": "filename, sha256 (the exact document shown and signed), size"})
    sealed_sha256 = fields.String(allow_none=True)
    participants = fields.List(fields.Dict())


class RequestDetailOut(RequestOut):
    audit_trail = fields.List(fields.Dict(), metadata={"description": "hash-chained entries"})
    chain = fields.Dict(metadata={"description": "verification of the chain: valid, entries, head, errors"})
    evidence = fields.List(fields.Dict())


class ListQuery(Schema):
    contract_id = fields.String(validate=ID)
    status = fields.String(validate=validate.OneOf(["pending", "sealing", "completed", "declined", "cancelled",
                                                    "expired"]))
    limit = fields.Integer(validate=validate.Range(min=1, max=200))
    offset = fields.Integer(validate=validate.Range(min=0))


class CancelIn(Schema):
    reason = fields.String(validate=validate.Length(max=2000))


class RemindIn(Schema):
    participant_id = fields.String(allow_none=True, validate=ID,
                                   metadata={"description": "only this participant; default everybody whose turn "
                                                            "it is"})


class SignIn(Schema):
    otp = fields.String(allow_none=True, validate=validate.Length(max=12), metadata={"description": "one-time code"})
    consent = fields.Boolean(metadata={"description": "the signer ticked the consent text"})
    consent_sha256 = fields.String(allow_none=True, validate=SHA256,
                                   metadata={"description": "SHA-256 of the consent text shown"})
    signature_image = fields.String(allow_none=True, validate=validate.Length(max=420_000),
                                    metadata={"description": "drawn signature (PNG, base64 or data: URL)"})
    typed_name = fields.String(allow_none=True, validate=validate.Length(max=200))


class ApproveIn(SignIn):
    pass


class DeclineIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class OtpIn(Schema):
    channel = fields.String(allow_none=True, validate=validate.OneOf(["email", "sms"]))


class ActIn(SignIn):
    action = fields.String(required=True, validate=validate.OneOf(["approve", "sign", "decline"]))
    reason = fields.String(allow_none=True, validate=validate.Length(max=2000))


class PackageQuery(Schema):
    device_id = fields.String(validate=validate.Length(min=1, max=128))


class SyncIn(Schema):
    device_id = fields.String(required=True, validate=validate.Length(min=1, max=128))
    items = fields.List(fields.Raw(), required=True, validate=validate.Length(min=1, max=100),
                        metadata={"description": "{client_id, request_id, participant_id, document_sha256, "
                                                 "signed_at (device clock), consent, consent_sha256?, "
                                                 "signature_image?, typed_name?, device_id?, "
                                                 "geolocation?{latitude, longitude, accuracy_m}}"})


class VerifyIn(Schema):
    content_base64 = fields.String(required=True)
    filename = fields.String(allow_none=True, validate=validate.Length(max=255))


# -- helpers ------------------------------------------------------------------------------------------

def _client() -> dict:
    return {"ip": client_ip(), "user_agent": (request.headers.get("User-Agent") or "")[:512] or None}


def _binary(result: dict, inline: bool = False) -> Response:
    content = base64.b64decode(result["content_base64"])
    resp = Response(content, mimetype=result.get("content_type") or "application/pdf")
    disposition = "inline" if inline else "attachment"
    resp.headers["Content-Disposition"] = f'{disposition}; filename="{result["filename"]}"'
    if result.get("sha256"):
        resp.headers["ETag"] = f'"{result["sha256"]}"'
        resp.headers["X-Content-SHA256"] = result["sha256"]
    return resp


@bp.after_request
def _no_store(resp):
    resp.headers.setdefault("Cache-Control", "no-store")
    if request.path.startswith("/api/v1/sign/"):
        resp.headers["Referrer-Policy"] = "no-referrer"  # the link's token never leaks through Referer
        resp.headers.setdefault("X-Robots-Tag", "noindex, nofollow")
    return resp


# -- requests (staff) ------------------------------------------------------------------------------------

@route(bp, "/contracts/<contract_id>/signature-requests", ["POST"], body=RequestIn, response=RequestOut,
       roles=STAFF, status=201, tags=["e-signature"])
def create_request(actor, contract_id, body):
    """Send a contract or quote for approval and signature: its current PDF is frozen (SHA-256), approvers
    are asked first, then signers in order; each gets a personal signing link by email."""
    return call("signing", "create_request", actor, {**body, "contract_id": contract_id}, timeout=TIMEOUT)


@route(bp, "/signature-requests", ["GET"], query=ListQuery, roles=STAFF, tags=["e-signature"])
def list_requests(actor, query):
    """Signature requests of a contract (`contract_id`), or those you sent or own (admins: all)."""
    return call("signing", "list_requests", actor, query)


@route(bp, "/signature-requests/<request_id>", ["GET"], response=RequestDetailOut, roles=STAFF,
       tags=["e-signature"])
def get_request(actor, request_id):
    """A request: participants and their status, evidence of each act, and the hash-chained audit trail
    with its verification."""
    return call("signing", "get_request", actor, request_id)


@route(bp, "/signature-requests/<request_id>/cancel", ["POST"], body=CancelIn, response=RequestOut, roles=STAFF,
       tags=["e-signature"])
def cancel_request(actor, request_id, body):
    """Cancel a request under way (the requester, the document's owner or a manager)."""
    return call("signing", "cancel_request", actor, request_id, body)


@route(bp, "/signature-requests/<request_id>/remind", ["POST"], body=RemindIn, roles=STAFF, tags=["e-signature"])
def remind(actor, request_id, body):
    """Remind now everybody whose turn it is, or only `participant_id` (409 when it is not their turn). Nobody
    is reminded twice within the minimum interval (`reminded` says how many were)."""
    return call("signing", "remind", actor, request_id, body)


@route(bp, "/signature-requests/<request_id>/signed.pdf", ["GET"], roles=STAFF, tags=["e-signature"],
       responses={200: "application/pdf: the PAdES-sealed document"})
def signed_pdf(actor, request_id):
    """The signed document, sealed with a PAdES (B-T) signature and timestamp."""
    return _binary(call("signing", "download_signed_pdf", actor, request_id, timeout=TIMEOUT),
                   inline=request.args.get("inline") == "1")


@route(bp, "/signature-requests/<request_id>/proof.pdf", ["GET"], roles=STAFF, tags=["e-signature"],
       responses={200: "application/pdf: the proof of signature"})
def proof_pdf(actor, request_id):
    """The proof of signature: document hash, each signer's identity, authentication, consent, time, IP,
    user agent, and the audit trail with its hashes."""
    return _binary(call("signing", "download_proof", actor, request_id, timeout=TIMEOUT),
                   inline=request.args.get("inline") == "1")


# -- collaborators' tasks ------------------------------------------------------------------------------------

@route(bp, "/me/signature-tasks", ["GET"], tags=["e-signature"])
def my_tasks(actor):
    """Documents waiting for my approval or signature."""
    return call("signing", "tasks_for", actor)


@route(bp, "/signature-tasks/<participant_id>/otp", ["POST"], body=OtpIn, tags=["e-signature"])
def task_otp(actor, participant_id, body):
    """Send me the one-time code to sign one of my tasks."""
    return call("signing", "task_otp", actor, participant_id, body)


@route(bp, "/signature-tasks/<participant_id>/act", ["POST"], body=ActIn, tags=["e-signature"],
       responses={412: "signing needs a one-time code: one was just sent"})
def act(actor, participant_id, body):
    """Approve, sign (with the one-time code) or decline (with a reason) one of my tasks."""
    return call("signing", "act", actor, participant_id, {**body, **_client()}, timeout=TIMEOUT)


# -- verification ----------------------------------------------------------------------------------------------

@route(bp, "/signatures/verify", ["POST"], tags=["e-signature"], raw_body=True,
       description="multipart/form-data with `file`, a raw application/pdf body, or JSON {content_base64, filename}")
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
        payload = VerifyIn().load(json_body())
    else:
        raise BadRequest("Send multipart/form-data with a 'file' field, an application/pdf body, or JSON.")
    return call("signing", "verify_document", actor, payload, timeout=TIMEOUT)


# -- offline signing (tablet) ---------------------------------------------------------------------------------

@route(bp, "/offline/requests/<request_id>/package", ["GET"], query=PackageQuery, roles=STAFF,
       tags=["offline signing"])
def offline_package(actor, request_id, query):
    """Download, while online, what a device needs to collect signatures offline: the exact document, its
    SHA-256, the participants and the consent wording. 403 unless the caller is the request's requester, the
    contract owner or a manager."""
    return call("signing", "offline_package", actor, request_id, query, timeout=TIMEOUT)


@route(bp, "/offline/sync", ["POST"], body=SyncIn, roles=STAFF, tags=["offline signing"])
def offline_sync(actor, body):
    """Upload signatures collected offline. Each item gets `accepted`, `conflict` (code: already_signed,
    declined, request_cancelled, request_expired, wrong_order, unknown_participant, document_changed...) or
    `rejected` (code: invalid, consent_missing, not_allowed: only the request's requester, the contract owner or
    a manager may attest in-person signatures; the evidence records them as the operator); the same client_id
    always gets the same answer and never signs twice."""
    return call("signing", "offline_sync", actor, body, timeout=TIMEOUT)


# -- public signing link (the token is the credential) -------------------------------------------------------------

@route(bp, "/sign/<token>", ["GET"], public=True, tags=["signing link"])
def link_info(token):
    """What the signing page shows: the document's name and hash, the consent text, whose turn it is."""
    return call("signing", "public_info", token)


@route(bp, "/sign/<token>/document", ["GET"], public=True, tags=["signing link"],
       responses={200: "application/pdf: the exact document to approve or sign"})
def link_document(token):
    """The exact document to approve or sign (inline)."""
    resp = _binary(call("signing", "public_document", token, _client(), timeout=TIMEOUT),
                   inline=request.args.get("download") != "1")
    resp.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
    resp.headers["X-Frame-Options"] = "SAMEORIGIN"
    return resp


@route(bp, "/sign/<token>/signed.pdf", ["GET"], public=True, tags=["signing link"])
def link_signed_pdf(token):
    """Once everybody signed: the sealed document."""
    return _binary(call("signing", "public_signed_pdf", token, timeout=TIMEOUT))


@route(bp, "/sign/<token>/otp", ["POST"], body=OtpIn, public=True, tags=["signing link"])
def link_otp(token, body):
    """Send me a one-time code (6 digits, 10 minutes, 5 attempts) by email or SMS."""
    return call("signing", "public_request_otp", token, body, _client())


@route(bp, "/sign/<token>/sign", ["POST"], body=SignIn, public=True, tags=["signing link"])
def link_sign(token, body):
    """Sign: the one-time code and the consent are required."""
    return call("signing", "public_sign", token, body, _client(), timeout=TIMEOUT)


@route(bp, "/sign/<token>/approve", ["POST"], body=ApproveIn, public=True, tags=["signing link"])
def link_approve(token, body):
    """Approve the document (approvers)."""
    return call("signing", "public_approve", token, body, _client(), timeout=TIMEOUT)


@route(bp, "/sign/<token>/decline", ["POST"], body=DeclineIn, public=True, tags=["signing link"])
def link_decline(token, body):
    """Decline, with a reason."""
    return call("signing", "public_decline", token, body, _client(), timeout=TIMEOUT)
