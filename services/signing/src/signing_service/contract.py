"""signing's public contract (see paraph_platform.contract): events it publishes, RPC methods, and
what it relies on from contracts and identity."""
from marshmallow import Schema, fields

from paraph_platform import notification_request
from paraph_platform.contract import ListOf, MapOf, Rpc
from paraph_platform.numbers import Integer

# the signature request's schemas, and the other aggregates' by the module named like the aggregate
from . import schemas
from .schemas import bulk_sends, embedded_signing, license_settings, offline_signatures, participants


class _Person(Schema):
    participant_id = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    order = Integer(required=True)


class _RequestEvent(Schema):
    """What every event about a signature request starts with."""
    request_id = fields.String(required=True)
    contract_id = fields.String(required=True, allow_none=True)  # null: an uploaded document


class _ApproverEvent(_RequestEvent):
    """An event about one approver of a request."""
    approver_id = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)


class _SignerEvent(_RequestEvent):
    """An event about one signer of a request."""
    signer_id = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)


class SignatureRequestedV1(_RequestEvent):
    kind = fields.String(required=True, metadata={"enum": list(schemas.REQUEST_KINDS)})
    number = fields.String(required=True)
    owner_id = fields.String(required=True)
    document_sha256 = fields.String(required=True)
    expires_at = fields.String(required=True)
    approvers = fields.List(fields.Nested(_Person), required=True)
    signers = fields.List(fields.Nested(_Person), required=True)
    requested_by = fields.String(required=True, metadata={
        "description": "the user (or service account) who sent it for signature"})


class ApproverApprovedV1(_ApproverEvent):
    approved_at = fields.String(required=True)


class SignerSignedV1(_SignerEvent):
    signed_at = fields.String(required=True, metadata={"description": "device clock for offline signatures"})
    document_sha256 = fields.String(required=True)


class _Declined(Schema):
    """What a decline says, by a signer or an approver alike (the request ends; its owner is told)."""
    reason = fields.String(required=True)
    declined_at = fields.String(required=True)
    owner_id = fields.String(required=True)


# _Declined first: marshmallow lists the fields of the bases from the last in the MRO (_RequestEvent) to
# the first, so the participant's fields come before the decline's
class SignerDeclinedV1(_Declined, _SignerEvent):
    pass


class ApproverDeclinedV1(_Declined, _ApproverEvent):
    pass


class _Signer(Schema):
    name = fields.String(required=True)
    email = fields.String(required=True)
    signed_at = fields.String(required=True)


class SignatureCompletedV1(_RequestEvent):
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


class SignatureCancelledV1(_RequestEvent):
    owner_id = fields.String(required=True)
    cancelled_by = fields.String(required=True)
    reason = fields.String(required=True)


class SignatureExpiredV1(_RequestEvent):
    owner_id = fields.String(required=True)
    expired_at = fields.String(required=True)


class SignatureReassignedV1(_RequestEvent):
    """A participant who had not acted yet was replaced by someone else (their signing link no longer works)."""
    owner_id = fields.String(required=True)
    role = fields.String(required=True, metadata={"enum": ["approver", "signer"]})
    previous_participant_id = fields.String(required=True)
    previous_name = fields.String(required=True)
    previous_email = fields.String(required=True)
    participant_id = fields.String(required=True, metadata={"description": "the new participant"})
    name = fields.String(required=True)
    email = fields.String(required=True)
    reason = fields.String(required=True)
    reassigned_by = fields.String(required=True, metadata={"description": "user id"})
    reassigned_at = fields.String(required=True)


class DocumentDownloadedV1(_RequestEvent):
    """Internal: a customer contact downloaded the sealed document from their own signing link (the portal records
    a quote's download: quote.downloaded.v1, channel signing_link)."""
    kind = fields.String(required=True, metadata={"description": "the contract's kind (quote, contract...)"})
    participant_id = fields.String(required=True)
    contact_id = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    ip = fields.String(required=True, allow_none=True)
    user_agent = fields.String(required=True, allow_none=True)
    at = fields.String(required=True, metadata={"description": "ISO 8601 date and time of the download"})


class SignatureCollectedV1(_RequestEvent):
    """Every signer signed; the signing service is sealing the document (signature.completed.v1 follows)."""


class BulkSendCompletedV1(Schema):
    """Every row of a bulk send was tried (not sent when the job was cancelled)."""
    bulk_send_id = fields.String(required=True)
    created_by = fields.String(required=True, metadata={"description": "user id"})
    kind = fields.String(required=True, metadata={"enum": ["document", "contract_type"]})
    total = Integer(required=True)
    created = Integer(required=True, metadata={"description": "requests created"})
    failed = Integer(required=True, metadata={"description": "rows refused"})
    finished_at = fields.String(required=True)


class NotificationRequestedV1(notification_request.NotificationRequestedV1):
    """Internal: asks the notify service to send a signing link, a reminder, a one-time code, the
    completion notice (to participants, and to CC recipients with the proof) or, to the sender, the news
    that a request was declined or expired (carries secret links and codes; never webhooked)."""
    template = notification_request.templates("signature_request", "signature_reminder", "signature_otp",
                                              "signature_completed", "signature_cc", "signature_declined",
                                              "signature_expired")


EVENTS = {
    "signature.requested.v1": SignatureRequestedV1,
    "approver.approved.v1": ApproverApprovedV1,
    "approver.declined.v1": ApproverDeclinedV1,
    "signer.signed.v1": SignerSignedV1,
    "signer.declined.v1": SignerDeclinedV1,
    "signature.completed.v1": SignatureCompletedV1,
    "signature.cancelled.v1": SignatureCancelledV1,
    "signature.expired.v1": SignatureExpiredV1,
    "signature.reassigned.v1": SignatureReassignedV1,
    "signature.collected.v1": SignatureCollectedV1,
    "signature.document_downloaded.v1": DocumentDownloadedV1,
    "bulk_send.completed.v1": BulkSendCompletedV1,
    "notification.requested.v1": NotificationRequestedV1,
}
INTERNAL_EVENTS = {"notification.requested.v1", "signature.document_downloaded.v1"}

RPC = {
    "create_request": Rpc(schemas.RequestIn, schemas.RequestOut, args=("actor",),
                          description="approvers then signers; freezes the contract's current PDF"),
    "create_document_request": Rpc(schemas.DocumentRequestIn, schemas.RequestOut, args=("actor",),
                                   description="a request on an uploaded PDF (or DOCX), or on several (an "
                                               "envelope), without a contract"),
    "create_bulk_send": Rpc(bulk_sends.BulkSendIn, bulk_sends.BulkSendOut, args=("actor",),
                            description="stored and answered at once (queued); a timer sends the rows"),
    "get_bulk_send": Rpc(result=bulk_sends.BulkSendOut, args=("actor", "bulk_send_id")),
    "list_bulk_sends": Rpc(bulk_sends.BulkSendListIn, bulk_sends.BulkSendList, args=("actor",)),
    "cancel_bulk_send": Rpc(result=bulk_sends.BulkSendOut, args=("actor", "bulk_send_id"),
                            description="the rows not started are not sent; 409 once completed"),
    "send_bulk_row": Rpc(result=bulk_sends.BulkRowOut, args=("actor", "bulk_send_id", "row"),
                         description="internal: one row's request, under a key derived from the job and the row"),
    "get_request": Rpc(result=schemas.RequestOut, args=("actor", "request_id"),
                       description="with audit_trail, chain and evidence"),
    "list_requests": Rpc(schemas.ListIn, schemas.RequestPage, args=("actor",)),
    "cancel_request": Rpc(schemas.CancelIn, schemas.RequestOut, args=("actor", "request_id")),
    "remind": Rpc(schemas.RemindIn, schemas.ReminderOut, args=("actor", "request_id")),
    "tasks_for": Rpc(result=ListOf(participants.TaskOut), args=("actor",), description="list of my pending tasks"),
    "task_otp": Rpc(participants.OtpIn, participants.OtpSentOut, args=("actor", "participant_id")),
    "act": Rpc(participants.ActIn, participants.ActedOut, args=("actor", "participant_id"),
               description="approve | sign (otp required; 412 + code sent without one) | decline (reason)"),
    "request_for_contract": Rpc(result=schemas.RequestOut, args=("license_id", "contract_id"), nullable=True,
                                description="latest request of a contract (or null), participants with sign_path"),
    "requests_for_contracts": Rpc(schemas.ContractRequestsIn, MapOf(schemas.RequestOut, key="contract_id"),
                                  args=("license_id",),
                                  description="the latest request of each contract that has one, keyed by contract "
                                              "id, as request_for_contract answers it (at most "
                                              f"{schemas.MAX_CONTRACTS_PER_LOOKUP} contracts a call)"),
    "get_signed_pdf": Rpc(result=schemas.FileOut, args=("license_id", "request_id")),
    "get_proof": Rpc(result=schemas.FileOut, args=("license_id", "request_id")),
    "download_signed_pdf": Rpc(result=schemas.FileOut, args=("actor", "request_id")),
    "download_proof": Rpc(result=schemas.FileOut, args=("actor", "request_id")),
    "verify_document": Rpc(schemas.VerifyIn, schemas.VerificationOut, args=("actor",)),
    "verify_chain": Rpc(args=("license_id", "request_id"), description="{valid, entries, head, errors}"),
    "public_ca_file": Rpc(result=schemas.FileOut, args=("name",),
                          description="the development CA's ca.pem or ca.crl (404 without a development CA)"),
    "offline_package": Rpc(offline_signatures.PackageIn, offline_signatures.OfflinePackageOut,
                           args=("actor", "request_id")),
    "offline_sync": Rpc(offline_signatures.OfflineSyncIn, offline_signatures.OfflineSyncOut, args=("actor",)),
    "public_info": Rpc(participants.LinkIn, participants.LinkOut, args=("token",)),
    "public_document": Rpc(result=participants.SigningPageDocumentOut, args=("token", "client")),
    "public_signed_pdf": Rpc(participants.SignedPdfIn, schemas.FileOut, args=("token",),
                             description="a customer contact's download (not the page's display) publishes "
                                         "signature.document_downloaded.v1"),
    "public_proof_pdf": Rpc(result=schemas.FileOut, args=("token",)),
    "public_request_otp": Rpc(participants.OtpIn, participants.OtpSentOut, args=("token",)),
    "public_sign": Rpc(participants.SignIn, participants.ActedOut, args=("token",)),
    "public_approve": Rpc(participants.SignIn, participants.ActedOut, args=("token",)),
    "public_decline": Rpc(participants.DeclineIn, participants.ActedOut, args=("token",)),
    "public_upload_attachment": Rpc(schemas.AttachmentUploadIn, schemas.SignerAttachmentOut,
                                    args=("token", "attachment_id"),
                                    description="PNG, JPEG or PDF up to 10 MB; replaces the previous upload "
                                                "until the signer signs"),
    "get_signer_attachment": Rpc(result=schemas.FileOut, args=("actor", "request_id", "attachment_id")),
    "run_maintenance": Rpc(args=("actor", "now")),
    "reassign_participant": Rpc(schemas.ReassignIn, schemas.RequestOut, args=("actor", "request_id", "participant_id"),
                                description="before they acted (409 after); their link stops working"),
    "get_settings": Rpc(result=license_settings.SettingsOut, args=("actor",)),
    "update_settings": Rpc(license_settings.SettingsIn, license_settings.SettingsOut, args=("actor",),
                           description="license admins; only the fields sent change"),
    "create_embed_url": Rpc(embedded_signing.EmbedIn, embedded_signing.EmbedOut,
                            args=("actor", "request_id", "participant_id"),
                            description="one-use, short-lived URL of the participant's signing page, framed on "
                                        "origin"),
    "open_embed": Rpc(args=("token", "client"),
                      description="{link_token, origin, frame_ancestors, return_url, request_id, participant_id} "
                                  "(once)"),
    "create_in_person_url": Rpc(embedded_signing.InPersonIn, embedded_signing.InPersonOut,
                                args=("actor", "request_id", "participant_id"),
                                description="one-use, short-lived URL of the participant's signing page, opened at "
                                            "the top of the caller's browser to sign in person on their device"),
    "open_in_person": Rpc(args=("token", "client"),
                          description="{link_token, request_id, participant_id, participant_name, started_by_name, "
                                      "back_url} (once)"),
}

CONSUMES_EVENTS = {
    ("signing", "signature.collected.v1"): ["request_id"],
}
CONSUMES_RPC = {
    ("contracts", "get_contract"): ["id", "kind", "number", "title", "status", "customer_id", "owner_id",
                                    "owner_name", "owner_email", "locale"],
    ("contracts", "get_pdf"): ["filename", "sha256", "content_base64"],
    ("contracts", "get_contacts_internal"): [],
    ("contracts", "phone_country_internal"): ["country"],
    ("contracts", "get_contact"): ["id"],
    ("identity", "resolve_users"): [],
    ("identity", "license_settings"): ["name", "settings"],
    ("signing", "send_bulk_row"): ["request_id"],
    ("contracts", "create_contract"): ["id"],
    ("contracts", "get_contract_type"): ["id"],
}
