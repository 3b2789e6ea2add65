"""marshmallow schemas of the signing RPC payloads (inputs refuse unknown fields) and results."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from paraph_platform.pagination import PageParams, PageResult

ID = validate.Length(min=1, max=64)
SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="a lowercase hex SHA-256")
PHONE = validate.Regexp(r"^\+?[0-9 ().-]{6,30}$", error="a phone number")


# what a request is on: a contract or a quote rendered by contracts, or an uploaded document
REQUEST_KINDS = ("contract", "quote", "document")
MAX_ENVELOPE_DOCUMENTS = 10  # documents in one request (envelopes.MAX_ENVELOPE_DOCUMENTS)
# where a placed field goes (FieldIn), as the API documents it
FIELD_PLACEMENT = ("on a page at x, y (PDF points from the page's TOP-LEFT corner, the page as displayed: turned by "
                   "its /Rotate), or at every occurrence of an anchor text (offset_x, offset_y from the anchor's "
                   "top-left corner)")


class _In(Schema):
    class Meta:
        unknown = RAISE


class ParticipantIn(_In):
    user_id = fields.String(validate=ID, metadata={"description": "an internal collaborator (user of the license)"})
    contact_id = fields.String(validate=ID, metadata={"description": "a contact of a customer"})
    name = fields.String(validate=validate.Length(min=1, max=200), metadata={"description": "with email"})
    email = fields.Email(validate=validate.Length(max=320), metadata={"description": "someone else"})
    phone = fields.String(allow_none=True, validate=PHONE)
    order = fields.Integer(validate=validate.Range(min=1, max=100),
                           metadata={"description": "turn within the role; equal orders act in parallel "
                                                    "(default: the position in the list)"})
    otp_channel = fields.String(load_default="email", validate=validate.OneOf(["email", "sms"]),
                                metadata={"description": "where one-time codes go (sms needs a phone)"})

    @validates_schema
    def _one_identity(self, data, **_):
        given = [k for k in ("user_id", "contact_id", "email") if data.get(k)]
        if len(given) != 1:
            raise ValidationError("give exactly one of user_id, contact_id or email (with name)", "_schema")
        if data.get("email") and not data.get("name"):
            raise ValidationError("a name is required with an email", "name")
        if data.get("user_id") or data.get("contact_id"):
            extra = [k for k in ("name", "email", "phone") if data.get(k)]
            if extra:
                raise ValidationError("name, email and phone come from the user or contact record", extra[0])


class CcIn(_In):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(required=True, validate=validate.Length(max=320))


class AttachmentRequestedIn(_In):
    """A file a signer is asked to upload before signing (an ID, a proof of address)."""
    signer = fields.Integer(required=True, validate=validate.Range(min=1, max=20),
                            metadata={"description": "1-based position in signers"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=200),
                         metadata={"description": "what to upload, shown to the signer (e.g. \"Pièce d'identité\")"})
    required = fields.Boolean(load_default=True, metadata={"description": "signing is refused without it"})


class AttachmentUploadIn(_In):
    """A signer's file (PNG, JPEG or PDF, its bytes sniffed)."""
    filename = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=255))
    content_type = fields.String(required=True, validate=validate.Length(max=120),
                                 metadata={"description": "image/png, image/jpeg or application/pdf"})
    content_base64 = fields.String(required=True)


class SignerAttachmentOut(Schema):
    id = fields.String(required=True)
    participant_id = fields.String(required=True)
    name = fields.String(required=True)
    required = fields.Boolean(required=True)
    uploaded = fields.Boolean(required=True)
    filename = fields.String(required=True, allow_none=True)
    content_type = fields.String(required=True, allow_none=True,
                                 metadata={"description": "image/png, image/jpeg or application/pdf"})
    size = fields.Integer(required=True, allow_none=True, metadata={"description": "bytes"})
    sha256 = fields.String(required=True, allow_none=True)
    uploaded_at = fields.String(required=True, allow_none=True)


class FieldIn(_In):
    """A field placed on the document: where, FIELD_PLACEMENT."""
    type = fields.String(required=True, validate=validate.OneOf(["signature", "initials", "date_signed", "text",
                                                                 "checkbox", "name"]))
    signer = fields.Integer(required=True, validate=validate.Range(min=1, max=20),
                            metadata={"description": "1-based position in signers"})
    page = fields.Integer(validate=validate.Range(min=1, max=10000), metadata={"description": "1-based page"})
    x = fields.Float(validate=validate.Range(min=0, max=14400), metadata={"description": "points from the left"})
    y = fields.Float(validate=validate.Range(min=0, max=14400), metadata={"description": "points from the top"})
    anchor = fields.String(validate=validate.Length(min=1, max=200),
                           metadata={"description": "instead of page, x, y: a text of the document (found in every "
                                                    "document of an envelope)"})
    document = fields.Integer(validate=validate.Range(min=1, max=MAX_ENVELOPE_DOCUMENTS),
                              metadata={"description": "with page: the 1-based position of the document in the "
                                                       "envelope, page then being that document's own page "
                                                       "(default: page of the combined document)"})
    offset_x = fields.Float(load_default=0.0, validate=validate.Range(min=-14400, max=14400))
    offset_y = fields.Float(load_default=0.0, validate=validate.Range(min=-14400, max=14400))
    width = fields.Float(validate=validate.Range(min=1, max=14400), metadata={"description": "default per type"})
    height = fields.Float(validate=validate.Range(min=1, max=14400), metadata={"description": "default per type"})
    required = fields.Boolean(load_default=True,
                              metadata={"description": "date_signed and name are filled by Paraph, never asked"})
    label = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                          metadata={"description": "shown to the signer (text, checkbox)"})

    @validates_schema
    def _placed_once(self, data, **_):
        if data.get("anchor"):
            extra = [k for k in ("page", "x", "y", "document") if k in data]
            if extra:
                raise ValidationError("an anchored field has no page, x, y or document (anchors are found in "
                                      "every document)", extra[0])
        else:
            for k in ("page", "x", "y"):
                if k not in data:
                    raise ValidationError("required without an anchor", k)


class DocumentIn(_In):
    filename = fields.String(required=True, validate=validate.Length(min=1, max=255),
                             metadata={"description": "e.g. agreement.pdf"})
    content_base64 = fields.String(required=True, metadata={"description": "the file, base64: a PDF (or a DOCX, "
                                                                           "converted when LibreOffice is "
                                                                           "installed)"})


class RequestIn(_In):
    contract_id = fields.String(required=True, validate=ID)
    documents = fields.List(fields.Nested(DocumentIn), load_default=list,
                            validate=validate.Length(max=MAX_ENVELOPE_DOCUMENTS - 1),
                            metadata={"description": "uploaded annexes (general terms, a mandate...) signed with "
                                                     "the contract: an envelope. Each file is checked like an "
                                                     "uploaded document; the contract's PDF then the annexes, in "
                                                     "this order, are combined into ONE document, the one shown, "
                                                     "signed and sealed (one seal covers them all)"})
    approvers = fields.List(fields.Nested(ParticipantIn), load_default=list, validate=validate.Length(max=20),
                            metadata={"description": "must all approve before any signer is asked"})
    signers = fields.List(fields.Nested(ParticipantIn), required=True, validate=validate.Length(min=1, max=20),
                          metadata={"description": "asked in order"})
    message = fields.String(load_default="", validate=validate.Length(max=2000))
    expires_in_days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=365))
    expires_at = fields.Date(load_default=None, allow_none=True,
                             metadata={"description": "last day to act (the request expires at the end of that "
                                                      "day, UTC); instead of expires_in_days"})
    signing_order = fields.String(load_default="sequential", validate=validate.OneOf(["sequential", "parallel"]),
                                  metadata={"description": "participants without an explicit order act one after "
                                                           "the other (sequential, by position) or all at once "
                                                           "(parallel); approvers always come before signers"})
    reminder_every_days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=60),
                                         metadata={"description": "remind whoever's turn it is every N days "
                                                                  "(default: the license's setting)"})
    reminder_max = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=20),
                                  metadata={"description": "at most this many automatic reminders per person"})
    cc = fields.List(fields.Nested(CcIn), load_default=list, validate=validate.Length(max=20),
                     metadata={"description": "sent the signed document once completed"})
    locale = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(["fr", "en"]))
    attachments_requested = fields.List(fields.Nested(AttachmentRequestedIn), load_default=list,
                                        validate=validate.Length(max=10),
                                        metadata={"description": "files signers upload from their signing page "
                                                                 "before signing (PNG, JPEG or PDF, 10 MB each)"})
    send_invitations = fields.Boolean(
        load_default=True, metadata={"description": "false when the caller already sent the first participants "
                                                    "a way to sign (e.g. the online quote email): their first "
                                                    "request email is not sent; later turns and reminders are"})
    text_tags = fields.Boolean(load_default=True,
                               metadata={"description": "tags in the PDF's text become fields: {{sig:N}} {{init:N}} "
                                                        "{{date:N}} {{name:N}} {{check:N}} {{text:N}} {{text:N:Label}} "
                                                        "(N: the signer's position)"})
    # last: the name shadows the marshmallow module in the class body
    fields = fields.List(fields.Nested(FieldIn), load_default=list, validate=validate.Length(max=200),
                         metadata={"description": f"placed fields: {FIELD_PLACEMENT}; a signer without a signature "
                                                  f"field gets one (last page, bottom)"})

    @validates_schema
    def _one_expiry(self, data, **_):
        if data.get("expires_in_days") is not None and data.get("expires_at") is not None:
            raise ValidationError("give expires_in_days or expires_at, not both", "expires_at")
        if data.get("expires_at") is not None:
            today = datetime.now(timezone.utc).date()
            if not today <= data["expires_at"] <= today + timedelta(days=365):
                raise ValidationError("a date from today to a year from now (UTC)", "expires_at")
        emails = [x["email"].strip().lower() for x in data.get("cc") or []]
        if len(set(emails)) != len(emails):
            raise ValidationError("an address appears twice", "cc")

    @validates_schema
    def _attachments_of_signers(self, data, **_):
        signers = len(data.get("signers") or [])
        wrong = {str(n): [f"signer {a['signer']} is out of range (1 to {signers})"]
                 for n, a in enumerate(data.get("attachments_requested") or []) if a["signer"] > signers}
        if wrong:
            raise ValidationError(wrong, "attachments_requested")


class DocumentRequestIn(RequestIn):
    """A request on an uploaded document, or on several (an envelope): a contract's options, a title and the
    file(s) instead of a contract."""
    class Meta:
        exclude = ("contract_id",)

    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    document = fields.Nested(DocumentIn, metadata={"description": "the file to sign (or documents)"})
    documents = fields.List(fields.Nested(DocumentIn), validate=validate.Length(min=1, max=MAX_ENVELOPE_DOCUMENTS),
                            metadata={"description": "instead of document, several files signed together (an "
                                                     "envelope): each checked, then combined in this order into ONE "
                                                     "document, the one shown, signed and sealed (at most the page "
                                                     "limit in all)"})

    @validates_schema
    def _one_document_field(self, data, **_):
        if "document" in data and "documents" in data:
            raise ValidationError("give document or documents, not both", "documents")
        if "document" not in data and "documents" not in data:
            raise ValidationError("the file to sign (or documents, several files)", "document")


class ReassignIn(_In):
    """Who takes over a participant's turn (before they acted) and why."""
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(required=True, validate=validate.Length(max=320))
    phone = fields.String(load_default=None, allow_none=True, validate=PHONE)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ClientInfo(_In):
    ip = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    user_agent = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=512))


class SignIn(_In):
    """What a participant sends to approve, sign or decline (public link or portal)."""
    otp = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=12),
                        metadata={"description": "one-time code"})
    consent = fields.Boolean(load_default=False, metadata={"description": "the signer ticked the consent text"})
    consent_sha256 = fields.String(load_default=None, allow_none=True, validate=SHA256,
                                   metadata={"description": "SHA-256 of the consent text shown"})
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    # a cap on the text; the PNG's own limit (logic.MAX_SIGNATURE_IMAGE_BYTES) is checked once decoded
    signature_image = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=420_000),
                                    metadata={"description": "drawn signature: PNG as base64 or data: URL"})
    typed_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    time_zone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64),
                              metadata={"description": "IANA zone of the signer's device (dates shown in it)"})
    # last: the name shadows the marshmallow module in the class body
    fields = fields.Dict(keys=fields.String(validate=ID), values=fields.Raw(allow_none=True), load_default=dict,
                         validate=validate.Length(max=200),
                         metadata={"description": "{field id: value}: text: a string (max 500); checkbox: true/false; "
                                                  "initials: {typed} or {image: PNG data: URL}; signature fields take "
                                                  "signature_image or typed_name"})


class DeclineIn(_In):
    """Why a participant declines through their signing link (required there)."""
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ActIn(SignIn):
    action = fields.String(required=True, validate=validate.OneOf(["approve", "sign", "decline"]))
    ip = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    user_agent = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=512))


class OtpIn(_In):
    channel = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(["email", "sms"]))


class CancelIn(_In):
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class RemindIn(_In):
    participant_id = fields.String(load_default=None, allow_none=True, validate=ID,
                                   metadata={"description": "remind only this participant (their turn); default "
                                                            "everybody whose turn it is"})


class ListIn(_In, PageParams):
    contract_id = fields.String(load_default=None, allow_none=True, validate=ID)
    kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(REQUEST_KINDS), metadata={
        "description": "the contract's kind, or document: requests on uploaded documents"})
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(["pending", "sealing", "completed", "declined", "cancelled",
                                                    "expired"]))


class VerifyIn(_In):
    content_base64 = fields.String(required=True)
    filename = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=255))


class PackageIn(_In):
    device_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=128))


class Geolocation(_In):
    latitude = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    accuracy_m = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=0, max=1e6))


class OfflineItem(_In):
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=128),
                              metadata={"description": "generated by the device; the idempotency key of the item"})
    request_id = fields.String(required=True, validate=ID)
    participant_id = fields.String(required=True, validate=ID)
    document_sha256 = fields.String(required=True, validate=SHA256,
                                    metadata={"description": "SHA-256 of the document the device showed"})
    signed_at = fields.AwareDateTime(required=True, metadata={"description": "device clock"})
    consent = fields.Boolean(required=True)
    consent_sha256 = fields.String(load_default=None, allow_none=True, validate=SHA256)
    signature_image = fields.String(load_default=None, allow_none=True)
    typed_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    device_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=128))
    geolocation = fields.Nested(Geolocation, load_default=None, allow_none=True)


class OfflineSyncIn(_In):
    device_id = fields.String(required=True, validate=validate.Length(min=1, max=128))
    items = fields.List(fields.Raw(), required=True, validate=validate.Length(min=1, max=100))


# -- results (documentation of the contract) ---------------------------------------------------------

class ParticipantOut(Schema):
    id = fields.String(required=True)
    role = fields.String(required=True, metadata={"enum": ["approver", "signer"]})
    order = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"enum": ["user", "contact", "external"]})
    user_id = fields.String(allow_none=True)
    contact_id = fields.String(allow_none=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    phone_masked = fields.String(allow_none=True, metadata={"description": "the mobile the one-time code is sent "
                                                                           "to, masked"})
    otp_channel = fields.String(metadata={"enum": ["email", "sms"]})
    status = fields.String(required=True, metadata={"enum": ["waiting", "pending", "approved", "signed",
                                                             "declined"]})
    asked_at = fields.String(allow_none=True)
    viewed_at = fields.String(allow_none=True, metadata={"description": "first opened the signing link"})
    acted_at = fields.String(allow_none=True)
    reminders_sent = fields.Integer()
    decline_reason = fields.String(allow_none=True)
    sign_path = fields.String(metadata={"description": "/sign/<token> (internal views for the portal only)"})


class EnvelopeDocumentOut(Schema):
    filename = fields.String(required=True)
    sha256 = fields.String(required=True, metadata={"description": "of this document as uploaded or rendered"})
    size = fields.Integer(required=True, metadata={"description": "bytes"})
    first_page = fields.Integer(required=True, metadata={"description": "its first page in the combined document"})
    pages = fields.Integer(required=True, allow_none=True)


class FieldOut(Schema):
    """A placed field (fields.field_view)."""
    id = fields.String(required=True)
    type = fields.String(required=True, metadata={"enum": ["signature", "initials", "date_signed", "text",
                                                           "checkbox", "name"]})
    participant_id = fields.String(required=True)
    page = fields.Integer(required=True)
    x = fields.Float(required=True, metadata={"description": "points from the page's left edge"})
    y = fields.Float(required=True, metadata={"description": "points from the page's top edge"})
    width = fields.Float(required=True)
    height = fields.Float(required=True)
    required = fields.Boolean(required=True)
    label = fields.String(required=True, allow_none=True)
    filled = fields.Boolean(required=True)
    asked = fields.Boolean(required=True, metadata={"description": "false: Paraph fills it in when sealing "
                                                                   "(date signed, name); the signer is not asked"})


class CcOut(Schema):
    name = fields.String(required=True)
    email = fields.String(required=True)


class RequestOut(Schema):
    id = fields.String(required=True)
    license_id = fields.String()
    contract_id = fields.String(required=True, allow_none=True, metadata={"description": "null: an uploaded document"})
    contract_kind = fields.String(required=True, metadata={"enum": list(REQUEST_KINDS)})
    contract_number = fields.String(required=True)
    contract_title = fields.String(required=True)
    customer_id = fields.String(allow_none=True, metadata={"description": "the contract's customer (null: an "
                                                                          "uploaded document without one)"})
    status = fields.String(required=True, metadata={"enum": ["pending", "sealing", "completed", "declined",
                                                             "cancelled", "expired"]})
    stage = fields.String(required=True, metadata={"enum": ["approval", "signing", "done"]})
    owner_id = fields.String(required=True)
    owner_name = fields.String()
    created_by = fields.String(required=True)
    message = fields.String(metadata={"description": "the sender's message to the participants"})
    locale = fields.String(metadata={"description": "language of the emails and of the signing page"})
    expires_at = fields.String(required=True)
    created_at = fields.String(required=True)
    updated_at = fields.String()
    completed_at = fields.String(allow_none=True)
    ended_at = fields.String(allow_none=True, metadata={"description": "declined, cancelled or expired at"})
    end_reason = fields.String(allow_none=True)
    seal = fields.Dict(metadata={"description": "how the signed PDF was sealed: level (PAdES-B-B, PAdES-B-T), "
                                                "timestamp"})
    signed_pdf_available = fields.Boolean(metadata={"description": "the sealed PDF can be downloaded"})
    document = fields.Dict(required=True, metadata={"description": "filename, sha256, size of the document signed "
                                                                  "(an envelope's combined document, the one sealed)"})
    documents = fields.List(fields.Nested(EnvelopeDocumentOut), required=True,
                            metadata={"description": "the documents combined in it (one for a single document)"})
    sealed_sha256 = fields.String(allow_none=True)
    proof_sha256 = fields.String(allow_none=True)
    participants = fields.List(fields.Nested(ParticipantOut), required=True)
    signing_order = fields.String(metadata={"enum": ["sequential", "parallel"]})
    reminders = fields.Dict(metadata={"description": "the cadence: every_days (null: the service's default), "
                                                     "interval_hours, max"})
    cc = fields.List(fields.Nested(CcOut), metadata={"description": "sent a copy once completed"})
    decline = fields.Dict(allow_none=True, metadata={"description": "who declined, when, and why"})
    reassigned = fields.List(fields.Dict(), metadata={"description": "participants replaced before they acted: "
                                                                     "id, role, order, name, email, replaced_by, "
                                                                     "reassigned_at"})
    audit_trail = fields.List(fields.Dict(), metadata={"description": "get_request only"})
    chain = fields.Dict(metadata={"description": "verification of the audit hash chain (get_request only)"})
    evidence = fields.List(fields.Dict(), metadata={"description": "get_request only"})
    attachments = fields.List(fields.Nested(SignerAttachmentOut),
                              metadata={"description": "files signers were asked to upload (get_request only); "
                                                       "download one with GET .../attachments/<id>"})
    # last: the name shadows the marshmallow module in the class body
    fields = fields.List(fields.Nested(FieldOut), metadata={"description": "placed fields of every signer "
                                                                          "(create_request and get_request)"})


class RequestPage(PageResult):
    items = fields.List(fields.Nested(RequestOut), required=True)


class FileOut(Schema):
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    sha256 = fields.String(required=True)
    size = fields.Integer(metadata={"description": "bytes"})
    content_base64 = fields.String(required=True)


class SigningPageDocumentOut(FileOut):
    """The document a signing link's page shows, and who may frame it."""
    embed_origins = fields.List(fields.String(), required=True, metadata={
        "description": "the license's embed origins, besides the signing page itself (frame-ancestors)"})


class TaskOut(Schema):
    participant_id = fields.String(required=True)
    role = fields.String(required=True)
    order = fields.Integer(required=True)
    action = fields.String(required=True, metadata={"enum": ["approve", "sign"]})
    request_id = fields.String(required=True)
    contract_id = fields.String(required=True, allow_none=True)
    contract_kind = fields.String(required=True, metadata={"enum": list(REQUEST_KINDS)})
    contract_number = fields.String(required=True)
    contract_title = fields.String(required=True)
    requested_by = fields.String(required=True, metadata={"description": "the sender's name"})
    message = fields.String(required=True, metadata={"description": "the sender's message"})
    sign_path = fields.String(required=True)
    consent_text = fields.String(required=True)
    consent_sha256 = fields.String(required=True)
    asked_at = fields.String(required=True, allow_none=True)
    document_sha256 = fields.String(required=True)
    document_filename = fields.String(required=True)
    otp_required = fields.Boolean(required=True, metadata={"description": "a one-time code is needed to sign"})
    expires_at = fields.String(required=True)


class ReminderOut(Schema):
    reminded = fields.Integer(required=True, metadata={"description": "how many were reminded now"})
    participant_ids = fields.List(fields.String(), required=True)


class OtpSentOut(Schema):
    sent = fields.Boolean(required=True)
    channel = fields.String(required=True, metadata={"enum": ["email", "sms"]})
    destination = fields.String(required=True, metadata={"description": "masked email address or phone number"})
    expires_at = fields.String(required=True)
    expires_in = fields.Integer(required=True, metadata={"description": "seconds"})


class ActedOut(Schema):
    participant = fields.Nested(ParticipantOut, required=True, metadata={"description": "the participant after "
                                                                                        "acting"})
    request_id = fields.String(required=True)
    request_status = fields.String(required=True)
    stage = fields.String(required=True)
    document_sha256 = fields.String(required=True)


class VerificationOut(Schema):
    valid = fields.Boolean(required=True, metadata={"description": "sealed by Paraph: known and intact"})
    sealed_by_paraph = fields.Boolean(required=True)
    known = fields.Boolean(required=True, metadata={"description": "its SHA-256 is one Paraph produced"})
    kind = fields.String(required=True, allow_none=True, metadata={"enum": ["sealed_document", "proof", None]})
    request = fields.Dict(required=True, allow_none=True, metadata={
        "description": "the request it seals (your license's only): id, contract_id, number, title, completed_at, "
                       "document_sha256, signers"})
    sha256 = fields.String(required=True)
    size = fields.Integer(required=True)
    filename = fields.String(required=True, allow_none=True)
    intact = fields.Boolean(required=True)
    trusted = fields.Boolean(required=True)
    pades_level = fields.String(required=True, allow_none=True, metadata={
        "enum": ["B-B", "B-T", "B-LT", "B-LTA", None],
        "description": "the lowest PAdES baseline level of the signatures (null: one is not PAdES)"})
    document_timestamp = fields.Dict(required=True, metadata={
        "description": "the latest document timestamp (B-LTA): present, time, intact, valid, trusted"})
    signatures = fields.List(fields.Dict(), required=True, metadata={
        "description": "field, signer, intact, valid, trusted, coverage, covers_whole_file, pades_level, "
                       "timestamp{present, time, intact, valid, trusted}, document_timestamp{...}, ..."})
    problems = fields.List(fields.String(), required=True)


class PageSizeOut(Schema):
    """A page's size as displayed (a page turned by /Rotate 90 or 270 has its width and height swapped)."""
    width = fields.Float(required=True, metadata={"description": "points"})
    height = fields.Float(required=True, metadata={"description": "points"})


class LinkOut(Schema):
    """What a signing link's page shows."""
    participant = fields.Dict(required=True, metadata={"description": "id, name, email_masked, role, status, order, "
                                                                      "acted_at"})
    request = fields.Dict(required=True, metadata={"description": "id, status, stage, kind, number, title, message, "
                                                                  "sender_name, license_name, expires_at, "
                                                                  "completed_at, locale"})
    document = fields.Dict(required=True, metadata={"description": "filename, sha256, size"})
    consent_text = fields.String(required=True)
    consent_sha256 = fields.String(required=True)
    action = fields.String(required=True, metadata={"enum": ["approve", "sign"]})
    can_act = fields.Boolean(required=True)
    your_turn = fields.Boolean(required=True)
    otp = fields.Dict(required=True, metadata={"description": "channel, destination, sms_available, required"})
    signed_pdf_available = fields.Boolean(required=True)
    pages = fields.List(fields.Nested(PageSizeOut), required=True, metadata={"description": "size of each page"})
    documents = fields.List(fields.Nested(EnvelopeDocumentOut), required=True,
                            metadata={"description": "an envelope's documents, combined into the document"})
    attachments = fields.List(fields.Nested(SignerAttachmentOut), required=True,
                              metadata={"description": "the files you are asked to upload"})
    # last: the name shadows the marshmallow module in the class body
    fields = fields.List(fields.Nested(FieldOut), required=True, metadata={"description": "your own fields"})


class OfflinePackageOut(Schema):
    request_id = fields.String(required=True)
    issued_at = fields.String(required=True)
    expires_at = fields.String(required=True)
    contract = fields.Dict(required=True, metadata={"description": "id, kind, number, title"})
    document = fields.Dict(required=True, metadata={"description": "filename, sha256, size, content_type, "
                                                                    "content_base64"})
    participants = fields.List(fields.Dict(), required=True, metadata={"description": "id, role, order, name, "
                                                                                       "email_masked, status"})
    consent = fields.Dict(required=True, metadata={"description": "by role (signer, approver): text, sha256"})
    locale = fields.String(required=True, allow_none=True)


class OfflineSyncOut(Schema):
    device_id = fields.String(required=True)
    received_at = fields.String(required=True)
    summary = fields.Dict(required=True, metadata={"description": "how many items got each status: accepted, "
                                                                  "conflict, rejected, error"})
    items = fields.List(fields.Dict(), required=True, metadata={
        "description": "in the order sent: client_id, status (accepted, conflict, rejected, or error: sync it "
                       "again), code, detail, retryable"})


# -- signing settings of a license, embedded signing ------------------------------------------------------

_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
                   r"|\[[0-9a-f:.]+\])$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_origin(value: str) -> str:
    """``scheme://host[:port]`` as a browser serialises an origin (lower case, no default port), or
    ValueError: the value goes into a Content-Security-Policy header and a postMessage target, so it is
    one exact origin (no path, credentials, wildcard or separator)."""
    if not isinstance(value, str) or len(value) > 300 or "*" in value:
        raise ValueError("an exact origin such as https://app.example.com (no wildcard)")
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        raise ValueError("an origin such as https://app.example.com[:port]") from None
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in _DEFAULT_PORTS:
        raise ValueError("the scheme must be https or http")
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment \
            or parts.path not in ("", "/"):
        raise ValueError("an origin only: scheme://host[:port], without path, query or credentials")
    if ":" in host:
        host = f"[{host}]"
    if not _HOST.match(host):
        raise ValueError("not a valid host name")
    return f"{scheme}://{host}" + (f":{port}" if port not in (None, _DEFAULT_PORTS[scheme]) else "")


class Origin(fields.String):
    """A web origin, normalised by :func:`normalize_origin`."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return normalize_origin(super()._deserialize(value, attr, data, **kwargs))
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class SettingsIn(_In):
    """Only the fields sent change; null puts a reminder field back to the service's default."""
    embed_origins = fields.List(Origin(validate=validate.Length(max=300)), validate=validate.Length(max=20),
                                metadata={"description": "origins (https://host[:port]) allowed to frame the "
                                                         "signing page (embedded signing); [] refuses framing"})
    reminder_every_days = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=60),
                                         metadata={"description": "remind whoever's turn it is every N days"})
    reminder_max = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=20),
                                  metadata={"description": "at most N reminders per participant (0: none)"})


class SettingsOut(Schema):
    embed_origins = fields.List(fields.String(), required=True)
    reminder_every_days = fields.Integer(required=True, allow_none=True)
    reminder_max = fields.Integer(required=True, allow_none=True)
    defaults = fields.Dict(required=True, metadata={"description": "what null means: reminder_every_days, "
                                                                  "reminder_max"})
    updated_at = fields.String(required=True, allow_none=True)


class EmbedIn(_In):
    origin = Origin(required=True, validate=validate.Length(max=300),
                    metadata={"description": "the page that frames the signing page: one of the license's "
                                             "embed_origins"})
    return_url = fields.Url(load_default=None, allow_none=True, schemes={"http", "https"}, require_tld=False,
                            validate=validate.Length(max=2000),
                            metadata={"description": "where the frame goes once the participant acted (on one of "
                                                     "the license's embed_origins)"})


class EmbedOut(Schema):
    url = fields.String(required=True, metadata={"description": "opens the signing page once, in a frame on origin"})
    expires_at = fields.String(required=True)


# -- bulk send ---------------------------------------------------------------------------------------------

MAX_BULK_ROWS = 1000  # recipients of one bulk send (documented in the API; more is a 422)
MAX_BULK_CSV_CHARS = 2 * 1024 * 1024


class RecipientIn(_In):
    """A bulk send's row; its problems (a bad email, no name) do not refuse the job: the row is reported as
    failed (bulk_sends.row_problem)."""
    name = fields.String(metadata={"description": "the signer's name"})
    email = fields.String(metadata={"description": "where the signing link goes"})
    phone = fields.String(allow_none=True, metadata={"description": "a bad one is reported as the row's error"})
    locale = fields.String(allow_none=True, metadata={"description": "fr or en (default: the job's)"})
    customer_id = fields.String(validate=ID, metadata={"description": "with a contract type: whose contract"})


class BulkSendIn(RequestIn):
    """One document (or one contract type) sent to many recipients, each getting a request of their own:
    the options of a request, the recipients as a JSON list or as CSV text (header: name, email, optional
    phone, locale and, with a contract type, customer_id; `,` or `;` separated)."""
    class Meta:
        exclude = ("contract_id", "signers", "send_invitations", "documents")

    title = fields.String(required=True, validate=validate.Length(min=1, max=300),
                          metadata={"description": "the document's title, or each contract's"})
    document = fields.Nested(DocumentIn, load_default=None, allow_none=True,
                             metadata={"description": "the PDF sent to every recipient"})
    contract_type_id = fields.String(load_default=None, allow_none=True, validate=ID,
                                     metadata={"description": "instead of a document: each row's customer_id gets a "
                                                              "contract of this type, sent to the row's recipient "
                                                              "for signature"})
    recipients = fields.List(fields.Nested(RecipientIn), load_default=None, allow_none=True,
                             validate=validate.Length(max=MAX_BULK_ROWS),
                             metadata={"description": f"at most {MAX_BULK_ROWS} rows"})
    csv = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_BULK_CSV_CHARS),
                        metadata={"description": f"instead of recipients: CSV text, a header line naming the columns "
                                                 f"name, email (phone, locale, customer_id optional), `,` or `;` "
                                                 f"separated; at most {MAX_BULK_ROWS} rows"})

    @validates_schema
    def _one_source(self, data, **_):
        if (data.get("document") is None) == (data.get("contract_type_id") is None):
            raise ValidationError("give a document or a contract_type_id (one of them)", "document")
        if (data.get("recipients") is None) == (data.get("csv") is None):
            raise ValidationError("give recipients or csv (one of them)", "recipients")


class BulkRowOut(Schema):
    request_id = fields.String(required=True)


class BulkSendError(Schema):
    row = fields.Integer(required=True, metadata={"description": "1-based (the CSV's header not counted)"})
    email = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True, metadata={
        "enum": ["missing_name", "name_too_long", "missing_email", "bad_email", "bad_phone", "bad_locale",
                 "missing_customer", "refused"],
        "description": "refused: the row was valid but its request was not created (message says why)"})
    message = fields.String(required=True)


class BulkSendCreated(Schema):
    row = fields.Integer(required=True)
    email = fields.String(required=True)
    request_id = fields.String(required=True)


class BulkSendOut(Schema):
    id = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["queued", "running", "completed", "cancelled"]})
    kind = fields.String(required=True, metadata={"enum": ["document", "contract_type"]})
    title = fields.String(required=True, allow_none=True)
    contract_type_id = fields.String(required=True, allow_none=True)
    document_filename = fields.String(required=True, allow_none=True)
    total = fields.Integer(required=True, metadata={"description": "rows"})
    created = fields.Integer(required=True, metadata={"description": "requests created so far"})
    failed = fields.Integer(required=True, metadata={"description": "rows refused so far"})
    errors = fields.List(fields.Nested(BulkSendError), required=True)
    request_ids = fields.List(fields.String(), required=True, metadata={"description": "in the rows' order"})
    requests = fields.List(fields.Nested(BulkSendCreated), required=True,
                           metadata={"description": "the requests created, with their rows and recipients"})
    created_by = fields.String(required=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    finished_at = fields.String(required=True, allow_none=True)


class BulkSendListIn(_In):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100),
                           metadata={"description": "default 50"})


class BulkSendList(Schema):
    items = fields.List(fields.Nested(BulkSendOut), required=True, metadata={"description": "newest first"})
