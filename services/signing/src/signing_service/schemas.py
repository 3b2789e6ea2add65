"""marshmallow schemas of the signing RPC payloads (inputs refuse unknown fields) and results."""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

ID = validate.Length(min=1, max=64)
SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="a lowercase hex SHA-256")
PHONE = validate.Regexp(r"^\+?[0-9 ().-]{6,30}$", error="a phone number")


class _In(Schema):
    class Meta:
        unknown = RAISE


class ParticipantIn(_In):
    user_id = fields.String(validate=ID, metadata={"description": "an internal collaborator"})
    contact_id = fields.String(validate=ID, metadata={"description": "a contact of a customer"})
    name = fields.String(validate=validate.Length(min=1, max=200))
    email = fields.Email(validate=validate.Length(max=320))
    phone = fields.String(allow_none=True, validate=PHONE)
    order = fields.Integer(validate=validate.Range(min=1, max=100),
                           metadata={"description": "turn within the role; equal orders act in parallel "
                                                    "(default: the position in the list)"})
    otp_channel = fields.String(load_default="email", validate=validate.OneOf(["email", "sms"]))

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


class RequestIn(_In):
    contract_id = fields.String(required=True, validate=ID)
    approvers = fields.List(fields.Nested(ParticipantIn), load_default=list, validate=validate.Length(max=20),
                            metadata={"description": "must all approve before any signer is asked"})
    signers = fields.List(fields.Nested(ParticipantIn), required=True, validate=validate.Length(min=1, max=20),
                          metadata={"description": "asked in order"})
    message = fields.String(load_default="", validate=validate.Length(max=2000))
    expires_in_days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=365))
    locale = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(["fr", "en"]))
    send_invitations = fields.Boolean(
        load_default=True, metadata={"description": "false when the caller already sent the first participants "
                                                    "a way to sign (e.g. the online quote email): their first "
                                                    "request email is not sent; later turns and reminders are"})


class ClientInfo(_In):
    ip = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    user_agent = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=512))


class SignIn(_In):
    """What a participant sends to approve, sign or decline (public link or portal)."""
    otp = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=12))
    consent = fields.Boolean(load_default=False)
    consent_sha256 = fields.String(load_default=None, allow_none=True, validate=SHA256,
                                   metadata={"description": "SHA-256 of the consent text shown"})
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    signature_image = fields.String(load_default=None, allow_none=True,
                                    metadata={"description": "drawn signature: PNG as base64 or data: URL"})
    typed_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


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


class ListIn(_In):
    contract_id = fields.String(load_default=None, allow_none=True, validate=ID)
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(["pending", "sealing", "completed", "declined", "cancelled",
                                                    "expired"]))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


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
    status = fields.String(required=True, metadata={"enum": ["waiting", "pending", "approved", "signed",
                                                             "declined"]})
    asked_at = fields.String(allow_none=True)
    acted_at = fields.String(allow_none=True)
    sign_path = fields.String(metadata={"description": "/sign/<token> (internal views for the portal only)"})


class RequestOut(Schema):
    id = fields.String(required=True)
    contract_id = fields.String(required=True)
    contract_kind = fields.String(required=True)
    contract_number = fields.String(required=True)
    contract_title = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["pending", "sealing", "completed", "declined",
                                                             "cancelled", "expired"]})
    stage = fields.String(required=True, metadata={"enum": ["approval", "signing", "done"]})
    owner_id = fields.String(required=True)
    created_by = fields.String(required=True)
    expires_at = fields.String(required=True)
    created_at = fields.String(required=True)
    completed_at = fields.String(allow_none=True)
    document = fields.Dict(required=True, metadata={"description": "filename, sha256, size"})
    sealed_sha256 = fields.String(allow_none=True)
    proof_sha256 = fields.String(allow_none=True)
    participants = fields.List(fields.Nested(ParticipantOut), required=True)
    audit_trail = fields.List(fields.Dict(), metadata={"description": "get_request only"})
    chain = fields.Dict(metadata={"description": "verification of the audit hash chain (get_request only)"})
    evidence = fields.List(fields.Dict(), metadata={"description": "get_request only"})


class FileOut(Schema):
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    sha256 = fields.String(required=True)
    content_base64 = fields.String(required=True)


class TaskOut(Schema):
    participant_id = fields.String(required=True)
    role = fields.String(required=True)
    action = fields.String(required=True, metadata={"enum": ["approve", "sign"]})
    request_id = fields.String(required=True)
    contract_id = fields.String(required=True)
    contract_number = fields.String(required=True)
    contract_title = fields.String(required=True)
    sign_path = fields.String(required=True)
    consent_text = fields.String(required=True)
    consent_sha256 = fields.String(required=True)
    document_sha256 = fields.String(required=True)
    expires_at = fields.String(required=True)
