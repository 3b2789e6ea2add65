"""Schemas of what a participant does with a request (the participants aggregate): the portal's list of
their tasks, the signing link's page and document, a one-time code, approving, signing or declining."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from paraph_platform.numbers import Integer

from ..logic import LOCALES
from . import (
    ID, REQUEST_KINDS, SHA256, EnvelopeDocumentOut, FieldOut, FileOut, ParticipantOut, SignerAttachmentOut, _In,
)


class ClientInfo(_In):
    ip = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    user_agent = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=512))


class SignedPdfIn(ClientInfo):
    """Who asks for the sealed document from their signing link, and whether they save it (the page showing it
    in place is no download)."""
    download = fields.Boolean(load_default=False, metadata={
        "description": "the file is downloaded (a customer contact's download of a quote is recorded by the "
                       "portal), not shown in the signing page"})


class SignIn(_In):
    """What a participant sends to approve, sign or decline (public link or portal)."""
    otp = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=12),
                        metadata={"description": "one-time code"})
    consent = fields.Boolean(load_default=False, metadata={"description": "the signer ticked the consent text"})
    consent_sha256 = fields.String(load_default=None, allow_none=True, validate=SHA256,
                                   metadata={"description": "SHA-256 of the consent text shown"})
    locale = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LOCALES),
                           metadata={"description": "the language the consent text was shown in (the signing "
                                                    "page's, which the signer may switch; default: the request's)"})
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


class LinkIn(_In):
    """The language a signing link's page is shown in."""
    locale = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LOCALES),
                           metadata={"description": "fr or en (default: the request's); the consent text in it"})


class OtpIn(_In):
    channel = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(["email", "sms"]))
    # the signing page's language switch: the code's email or SMS in the language the signer reads the page in
    locale = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LOCALES),
                           metadata={"description": "fr or en: the language of the code's email or SMS (default: "
                                                    "the request's); the page's, once the signer switched it"})


# -- results (documentation of the contract) ---------------------------------------------------------

class TaskOut(Schema):
    participant_id = fields.String(required=True)
    role = fields.String(required=True)
    order = Integer(required=True)
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


class OtpSentOut(Schema):
    sent = fields.Boolean(required=True)
    channel = fields.String(required=True, metadata={"enum": ["email", "sms"]})
    destination = fields.String(required=True, metadata={"description": "masked email address or phone number"})
    expires_at = fields.String(required=True)
    expires_in = Integer(required=True, metadata={"description": "seconds"})


class ActedOut(Schema):
    participant = fields.Nested(ParticipantOut, required=True, metadata={"description": "the participant after "
                                                                                        "acting"})
    request_id = fields.String(required=True)
    request_status = fields.String(required=True)
    stage = fields.String(required=True)
    document_sha256 = fields.String(required=True)
    signers_left = Integer(required=True, metadata={"description": "how many signers have still to sign"})


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
                                                                  "completed_at, locale, signers (how many "
                                                                  "people sign it), signers_left (how many "
                                                                  "have still to sign), country (the "
                                                                  "sender's company's when the request was "
                                                                  "made: the order its dates read in; null "
                                                                  "when unknown)"})
    document = fields.Dict(required=True, metadata={"description": "filename, sha256, size"})
    consent_text = fields.String(required=True)
    consent_sha256 = fields.String(required=True)
    locale = fields.String(required=True, metadata={
        "enum": list(LOCALES), "description": "the language of consent_text (the one asked, else the request's): "
                                              "approve or sign with it"})
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


class SigningPageDocumentOut(FileOut):
    """The document a signing link's page shows, and who may frame it."""
    embed_origins = fields.List(fields.String(), required=True, metadata={
        "description": "the license's embed origins, besides the signing page itself (frame-ancestors)"})
