"""signing's public contract (see paraph_platform.contract): events it publishes, RPC methods, and
what it relies on from contracts and identity."""
from marshmallow import Schema, fields

from paraph_platform.contract import ListOf, Rpc

from . import schemas


class _Person(Schema):
    participant_id = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    order = fields.Integer(required=True)


class SignatureRequestedV1(Schema):
    request_id = fields.String(required=True)
    contract_id = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": ["contract", "quote"]})
    number = fields.String(required=True)
    owner_id = fields.String(required=True)
    document_sha256 = fields.String(required=True)
    expires_at = fields.String(required=True)
    approvers = fields.List(fields.Nested(_Person), required=True)
    signers = fields.List(fields.Nested(_Person), required=True)


class ApproverApprovedV1(Schema):
    request_id = fields.String(required=True)
    contract_id = fields.String(required=True)
    approver_id = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    approved_at = fields.String(required=True)


class SignerSignedV1(Schema):
    request_id = fields.String(required=True)
    contract_id = fields.String(required=True)
    signer_id = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    signed_at = fields.String(required=True, metadata={"description": "device clock for offline signatures"})
    document_sha256 = fields.String(required=True)


class SignerDeclinedV1(Schema):
    request_id = fields.String(required=True)
    contract_id = fields.String(required=True)
    signer_id = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    reason = fields.String(required=True)
    declined_at = fields.String(required=True)
    owner_id = fields.String(required=True)


class ApproverDeclinedV1(Schema):
    request_id = fields.String(required=True)
    contract_id = fields.String(required=True)
    approver_id = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    reason = fields.String(required=True)
    declined_at = fields.String(required=True)
    owner_id = fields.String(required=True)


class _Signer(Schema):
    name = fields.String(required=True)
    email = fields.String(required=True)
    signed_at = fields.String(required=True)


class SignatureCompletedV1(Schema):
    request_id = fields.String(required=True)
    contract_id = fields.String(required=True)
    kind = fields.String(required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)
    owner_id = fields.String(required=True)
    owner_email = fields.String(required=True)
    owner_name = fields.String(required=True)
    customer_id = fields.String(allow_none=True)
    signers = fields.List(fields.Nested(_Signer), required=True)
    document_sha256 = fields.String(required=True)
    sealed_sha256 = fields.String(required=True)
    proof_sha256 = fields.String(required=True)
    completed_at = fields.String(required=True)


class SignatureCancelledV1(Schema):
    request_id = fields.String(required=True)
    contract_id = fields.String(required=True)
    owner_id = fields.String(required=True)
    cancelled_by = fields.String(required=True)
    reason = fields.String(required=True)


class SignatureExpiredV1(Schema):
    request_id = fields.String(required=True)
    contract_id = fields.String(required=True)
    owner_id = fields.String(required=True)
    expired_at = fields.String(required=True)


class SignatureCollectedV1(Schema):
    """Every signer signed; the signing service is sealing the document (signature.completed.v1 follows)."""
    request_id = fields.String(required=True)
    contract_id = fields.String(required=True)


class NotificationRequestedV1(Schema):
    """Internal: asks the notify service to send a signing link, a reminder, a one-time code or the
    completion notice (carries secret links and codes; never webhooked)."""
    channel = fields.String(required=True, metadata={"enum": ["email", "sms"]})
    to = fields.String(required=True)
    to_name = fields.String(required=True)
    locale = fields.String(required=True)
    template = fields.String(required=True, metadata={"enum": ["signature_request", "signature_reminder",
                                                               "signature_otp", "signature_completed"]})
    user_id = fields.String(required=True, allow_none=True)
    dedupe_key = fields.String(required=True)
    vars = fields.Dict(required=True)
    attachments = fields.List(fields.Dict(), metadata={"description": "[{kind: signed_pdf, id, filename}]"})
    customer_id = fields.String(allow_none=True, metadata={"description": "the customer the message is about: "
                                                           "who may read it in the delivery log"})


EVENTS = {
    "signature.requested.v1": SignatureRequestedV1,
    "approver.approved.v1": ApproverApprovedV1,
    "approver.declined.v1": ApproverDeclinedV1,
    "signer.signed.v1": SignerSignedV1,
    "signer.declined.v1": SignerDeclinedV1,
    "signature.completed.v1": SignatureCompletedV1,
    "signature.cancelled.v1": SignatureCancelledV1,
    "signature.expired.v1": SignatureExpiredV1,
    "signature.collected.v1": SignatureCollectedV1,
    "notification.requested.v1": NotificationRequestedV1,
}
INTERNAL_EVENTS = {"notification.requested.v1"}

RPC = {
    "create_request": Rpc(schemas.RequestIn, schemas.RequestOut, args=("actor",),
                          description="approvers then signers; freezes the contract's current PDF"),
    "get_request": Rpc(result=schemas.RequestOut, args=("actor", "request_id"),
                       description="with audit_trail, chain and evidence"),
    "list_requests": Rpc(schemas.ListIn, args=("actor",)),
    "cancel_request": Rpc(schemas.CancelIn, schemas.RequestOut, args=("actor", "request_id")),
    "remind": Rpc(schemas.RemindIn, args=("actor", "request_id"), description="{reminded, participant_ids}"),
    "tasks_for": Rpc(result=ListOf(schemas.TaskOut), args=("actor",), description="list of my pending tasks"),
    "task_otp": Rpc(schemas.OtpIn, args=("actor", "participant_id")),
    "act": Rpc(schemas.ActIn, args=("actor", "participant_id"),
               description="approve | sign (otp required; 412 + code sent without one) | decline (reason)"),
    "request_for_contract": Rpc(result=schemas.RequestOut, args=("license_id", "contract_id"), nullable=True,
                                description="latest request of a contract (or null), participants with sign_path"),
    "get_signed_pdf": Rpc(result=schemas.FileOut, args=("license_id", "request_id")),
    "get_proof": Rpc(result=schemas.FileOut, args=("license_id", "request_id")),
    "download_signed_pdf": Rpc(result=schemas.FileOut, args=("actor", "request_id")),
    "download_proof": Rpc(result=schemas.FileOut, args=("actor", "request_id")),
    "verify_document": Rpc(schemas.VerifyIn, args=("actor",)),
    "verify_chain": Rpc(args=("license_id", "request_id"), description="{valid, entries, head, errors}"),
    "offline_package": Rpc(schemas.PackageIn, args=("actor", "request_id")),
    "offline_sync": Rpc(schemas.OfflineSyncIn, args=("actor",)),
    "public_info": Rpc(args=("token",)),
    "public_document": Rpc(result=schemas.FileOut, args=("token", "client")),
    "public_signed_pdf": Rpc(result=schemas.FileOut, args=("token",)),
    "public_request_otp": Rpc(schemas.OtpIn, args=("token",)),
    "public_sign": Rpc(schemas.SignIn, args=("token",)),
    "public_approve": Rpc(schemas.SignIn, args=("token",)),
    "public_decline": Rpc(schemas.SignIn, args=("token",)),
    "run_maintenance": Rpc(args=("actor", "now")),
}

CONSUMES_EVENTS = {
    ("signing", "signature.collected.v1"): ["request_id"],
}
CONSUMES_RPC = {
    ("contracts", "get_contract"): ["id", "kind", "number", "title", "status", "customer_id", "owner_id",
                                    "owner_name", "owner_email", "locale"],
    ("contracts", "get_pdf"): ["filename", "sha256", "content_base64"],
    ("contracts", "get_contacts_internal"): [],
    ("contracts", "get_contact"): ["id"],
    ("identity", "resolve_users"): [],
    ("identity", "license_settings"): ["name"],
}
