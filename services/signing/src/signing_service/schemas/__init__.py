"""marshmallow schemas of the signing RPC payloads (inputs refuse unknown fields) and results.

This package's own module holds what every schema builds on (the ID and SHA256 validators, _In: an
input refusing unknown fields) and the signature request's schemas: creating one (participants, fields,
documents, CC, requested attachments), listing, cancelling, reminding, reassigning, verifying a document,
and the request as answered. The other aggregates' schemas are in a module of the same name as the
aggregate's: participants.py (tasks, the signing link's page, one-time codes, approving, signing,
declining), offline_signatures.py, license_settings.py (and the embed origin), embedded_signing.py and
bulk_sends.py. They import from this module, never the reverse, so import the one you need
(``from .schemas.bulk_sends import BulkSendIn``).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from paraph_platform.dates import Date
from paraph_platform.numbers import Integer
from paraph_platform.pagination import PageParams, PageResult
from paraph_platform.phones import Phone

ID = validate.Length(min=1, max=64)
SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="a lowercase hex SHA-256")


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
    phone = Phone(allow_none=True)
    order = Integer(validate=validate.Range(min=1, max=100),
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
    signer = Integer(required=True, validate=validate.Range(min=1, max=20),
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
    size = Integer(required=True, allow_none=True, metadata={"description": "bytes"})
    sha256 = fields.String(required=True, allow_none=True)
    uploaded_at = fields.String(required=True, allow_none=True)


class FieldIn(_In):
    """A field placed on the document: where, FIELD_PLACEMENT."""
    type = fields.String(required=True, validate=validate.OneOf(["signature", "initials", "date_signed", "text",
                                                                 "checkbox", "name"]))
    signer = Integer(required=True, validate=validate.Range(min=1, max=20),
                            metadata={"description": "1-based position in signers"})
    page = Integer(validate=validate.Range(min=1, max=10000), metadata={"description": "1-based page"})
    x = fields.Float(validate=validate.Range(min=0, max=14400), metadata={"description": "points from the left"})
    y = fields.Float(validate=validate.Range(min=0, max=14400), metadata={"description": "points from the top"})
    anchor = fields.String(validate=validate.Length(min=1, max=200),
                           metadata={"description": "instead of page, x, y: a text of the document (found in every "
                                                    "document of an envelope)"})
    document = Integer(validate=validate.Range(min=1, max=MAX_ENVELOPE_DOCUMENTS),
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
    expires_in_days = Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=365))
    expires_at = Date(load_default=None, allow_none=True,
                             metadata={"description": "last day to act (the request expires at the end of that "
                                                      "day, UTC); instead of expires_in_days"})
    signing_order = fields.String(load_default="sequential", validate=validate.OneOf(["sequential", "parallel"]),
                                  metadata={"description": "participants without an explicit order act one after "
                                                           "the other (sequential, by position) or all at once "
                                                           "(parallel); approvers always come before signers"})
    reminder_every_days = Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=60),
                                         metadata={"description": "remind whoever's turn it is every N days "
                                                                  "(default: the license's setting)"})
    reminder_max = Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=20),
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
    phone = Phone(load_default=None, allow_none=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


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


# contracts whose latest request one call answers (the portal's list of a client's documents awaiting an answer):
# a page's worth, so that one call stays one bounded query and one bounded answer
MAX_CONTRACTS_PER_LOOKUP = 200


class ContractRequestsIn(_In):
    """requests_for_contracts: the contracts whose latest request is wanted."""
    contract_ids = fields.List(
        fields.String(validate=ID), required=True,
        validate=validate.Length(min=1, max=MAX_CONTRACTS_PER_LOOKUP,
                                 error=f"from 1 to {MAX_CONTRACTS_PER_LOOKUP} contract ids in one call"),
        metadata={"description": f"at most {MAX_CONTRACTS_PER_LOOKUP}; an id given twice is answered once"})


class VerifyIn(_In):
    content_base64 = fields.String(required=True)
    filename = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=255))


# -- results (documentation of the contract) ---------------------------------------------------------

class ParticipantOut(Schema):
    id = fields.String(required=True)
    role = fields.String(required=True, metadata={"enum": ["approver", "signer"]})
    order = Integer(required=True)
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
    reminders_sent = Integer()
    decline_reason = fields.String(allow_none=True)
    sign_path = fields.String(metadata={"description": "/sign/<token> (internal views for the portal only)"})


class EnvelopeDocumentOut(Schema):
    filename = fields.String(required=True)
    sha256 = fields.String(required=True, metadata={"description": "of this document as uploaded or rendered"})
    size = Integer(required=True, metadata={"description": "bytes"})
    first_page = Integer(required=True, metadata={"description": "its first page in the combined document"})
    pages = Integer(required=True, allow_none=True)


class FieldOut(Schema):
    """A placed field (fields.field_view)."""
    id = fields.String(required=True)
    type = fields.String(required=True, metadata={"enum": ["signature", "initials", "date_signed", "text",
                                                           "checkbox", "name"]})
    participant_id = fields.String(required=True)
    page = Integer(required=True)
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
    size = Integer(metadata={"description": "bytes"})
    content_base64 = fields.String(required=True)


class ReminderOut(Schema):
    reminded = Integer(required=True, metadata={"description": "how many were reminded now"})
    participant_ids = fields.List(fields.String(), required=True)
    next_reminder_at = fields.String(required=True, allow_none=True, metadata={
        "description": "nobody reminded (one was sent a short while ago): when a reminder is possible again"})


class VerificationOut(Schema):
    valid = fields.Boolean(required=True, metadata={"description": "sealed by Paraph: known and intact"})
    sealed_by_paraph = fields.Boolean(required=True)
    known = fields.Boolean(required=True, metadata={"description": "its SHA-256 is one Paraph produced"})
    kind = fields.String(required=True, allow_none=True, metadata={"enum": ["sealed_document", "proof", None]})
    request = fields.Dict(required=True, allow_none=True, metadata={
        "description": "the request it seals (your license's only): id, contract_id, number, title, completed_at, "
                       "document_sha256, signers"})
    sha256 = fields.String(required=True)
    size = Integer(required=True)
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
