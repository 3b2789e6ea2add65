"""portal's public contract: events it publishes, RPC methods, what it consumes (see paraph_platform.contract)."""
from marshmallow import Schema, fields

from paraph_platform import notification_request
from paraph_platform.contract import ListOf, Rpc

from . import schemas


class ContractSharedV1(Schema):
    contract_id = fields.String(required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    owner_id = fields.String(required=True)
    customer_id = fields.String(required=True)
    requester_contact_id = fields.String(required=True)
    observer_contact_ids = fields.List(fields.String(), required=True)
    company = fields.String(required=True, allow_none=True)
    branch = fields.String(required=True, allow_none=True, metadata={"description": "clients limited to a branch "
                                                                                    "only see shares of that branch"})
    shared_by = fields.String(required=True, metadata={"description": "user id of the staff member who shared it"})
    shared_by_name = fields.String(required=True)


class ContractUnsharedV1(Schema):
    contract_id = fields.String(required=True)
    number = fields.String(required=True)
    owner_id = fields.String(required=True)
    unshared_by = fields.String(required=True)


class _QuoteActivity(Schema):
    """What the events about a contact's action on a quote start with: the quote, its owner and customer, the
    contact, and when."""
    contract_id = fields.String(required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)
    owner_id = fields.String(required=True)
    customer_id = fields.String(allow_none=True)
    contact_id = fields.String(required=True)
    contact_name = fields.String(required=True)
    contact_email = fields.String(required=True)
    at = fields.String(required=True)


class QuoteViewedV1(_QuoteActivity):
    # two of the fields above, described (a field declared again keeps its place)
    owner_id = fields.String(required=True, metadata={"description": "the assigned salesperson (notified per "
                                                                     "their preferences)"})
    at = fields.String(required=True, metadata={"description": "ISO 8601 date and time of the action"})
    ip = fields.String(required=True, allow_none=True)
    user_agent = fields.String(required=True, allow_none=True)
    channel = fields.String(metadata={"enum": ["quote_page", "portal", "signing_link"],
                                      "description": "where the contact opened it: quote_page (the online page "
                                                     "of the emailed link), portal (signed in to the customer "
                                                     "portal) or signing_link (a download of the signed quote "
                                                     "from their own signing link); absent from older events "
                                                     "(quote_page)"})


class QuoteDownloadedV1(QuoteViewedV1):
    pass


class QuoteFeedbackSentV1(_QuoteActivity):
    message = fields.String(required=True)


class ContractPortalResult(Schema):
    """Staff view of a contract on the portal."""
    contract_id = fields.String(required=True)
    number = fields.String(required=True)
    shared = fields.Boolean(required=True, metadata={"description": "visible on the customer portal (the green line)"})
    portal_shared = fields.Boolean(required=True)
    share = fields.Nested(schemas.ShareView, required=True, allow_none=True,
                          metadata={"description": "the share, current or stopped (active); null: never shared"})
    visible_attachments = fields.List(fields.Dict(), required=True)
    visible_milestones = fields.List(fields.Dict(), required=True)
    counts = fields.Dict(required=True, metadata={"description": "attachments, visible_attachments, milestones, "
                                                                 "visible_milestones, views, downloads"})


class NotificationRequestedV1(notification_request.NotificationRequestedV1):
    """Internal: asks the notify service to send a quote (or its reminder) to a contact, the news of a shared
    contract, or a customer's feedback to the salesperson (carries secret links; never webhooked)."""
    template = notification_request.templates(*schemas.QUOTE_TEMPLATES, "contract_shared", "quote_feedback")


EVENTS = {
    "contract.shared.v1": ContractSharedV1,
    "contract.unshared.v1": ContractUnsharedV1,
    "quote.viewed.v1": QuoteViewedV1,
    "quote.downloaded.v1": QuoteDownloadedV1,
    "quote.feedback_sent.v1": QuoteFeedbackSentV1,
    "notification.requested.v1": NotificationRequestedV1,
}
INTERNAL_EVENTS = {"notification.requested.v1"}

RPC = {
    "grant_access": Rpc(schemas.GrantAccessSchema, schemas.AccessView, args=("actor", "contact_id")),
    "get_access": Rpc(result=schemas.AccessView, args=("actor", "contact_id")),
    "access_status_internal": Rpc(result=schemas.AccessStatus, args=("license_id", "contact_id"),
                                  description="the status of a contact's portal access (contracts: who may delete "
                                              "the contact); no perimeter check, the caller made it"),
    "update_access": Rpc(schemas.UpdateAccessSchema, schemas.AccessView, args=("actor", "contact_id")),
    "revoke_access": Rpc(result=schemas.AccessView, args=("actor", "contact_id")),
    "resend_access_invitation": Rpc(result=schemas.AccessView, args=("actor", "contact_id")),
    "list_accesses": Rpc(result=ListOf(schemas.AccessView), description="client accesses of a customer's contacts",
                         args=("actor", "customer_id")),
    "share_contract": Rpc(schemas.ShareSchema, schemas.ShareOutcome, args=("actor", "contract_id")),
    "unshare_contract": Rpc(result=schemas.ShareView, args=("actor", "contract_id")),
    "contract_portal": Rpc(result=ContractPortalResult, args=("actor", "contract_id")),
    "client_contracts": Rpc(result=schemas.ClientContractList, args=("actor",),
                            description="the shared contracts visible to the signed-in client"),
    "client_contract": Rpc(schemas.ClientMetaSchema, schemas.ClientContract,
                           description="a shared contract, portal-visible attachments and milestones only "
                                       "(records a quote's view)", args=("actor", "contract_id")),
    "client_pdf": Rpc(schemas.ClientMetaSchema, description="contracts.get_pdf result, or once signed by everybody "
                                                            "signing.get_signed_pdf's (records a quote's download)",
                      args=("actor", "contract_id")),
    "client_attachment": Rpc(description="contracts.get_attachment_internal result (visible only)",
                             args=("actor", "attachment_id")),
    "client_me": Rpc(result=schemas.ClientMe, args=("actor",)),
    "client_profile": Rpc(result=schemas.ClientProfile, args=("actor",),
                          description="contracts.client_profile_internal: {contact, company}"),
    "client_update_contact": Rpc(result=schemas.ClientProfile, args=("actor",),
                                 description="payload: the contact fields to change (validated by "
                                             "contracts.apply_client_contact_update); result adds changes"),
    "client_update_company": Rpc(result=schemas.ClientProfile, args=("actor",),
                                 description="payload: email, phone, address (validated by "
                                             "contracts.apply_client_company_update); result adds changes"),
    "list_clients": Rpc(schemas.ClientListSchema, schemas.ClientPage, args=("actor",),
                        description="the license's portal clients (perimeter-filtered) with customer_name"),
    "tasks": Rpc(result=schemas.Tasks, description="signing.tasks_for's items, with sign_path", args=("actor",)),
    "act": Rpc(schemas.ActSchema, schemas.Acted, args=("actor", "participant_id")),
    "send_info": Rpc(schemas.SendInfoParams, schemas.SendInfo, args=("actor", "contract_id")),
    "send_quote": Rpc(schemas.SendQuoteSchema, schemas.SendResult, args=("actor", "contract_id")),
    "quote_activity": Rpc(result=schemas.QuoteActivityView, args=("actor", "contract_id"),
                          description="views, downloads, feedback and sends with date and time"),
    "revoke_quote_links": Rpc(result=schemas.RevokedLinks, args=("actor", "contract_id")),
    "quote_page": Rpc(schemas.RequestMetaSchema, schemas.PageResult, args=("token",)),
    "quote_pdf": Rpc(schemas.RequestMetaSchema, description="{status, filename, content_type, content_base64} "
                                                            "or {status, html}", args=("token",)),
    "quote_feedback": Rpc(schemas.RequestMetaSchema, schemas.PostedPageResult, args=("token",),
                          description="sent: a 303 to quote_feedback_sent's page; refused: the page saying why"),
    "quote_feedback_sent": Rpc(schemas.RequestMetaSchema, schemas.PageResult, args=("token",)),
    "portal_page": Rpc(schemas.RequestMetaSchema, schemas.PageResult, args=("page",)),
    "error_page": Rpc(schemas.RequestMetaSchema, schemas.PageResult, args=("status",)),
}

CONSUMES_EVENTS = {
    ("identity", "user.activated.v1"): ["user_id", "license_id", "role"],
    ("identity", "user.deactivated.v1"): ["user_id", "license_id", "role"],
    ("contracts", "contract.status_changed.v1"): ["contract_id", "to_status"],
    ("contracts", "contact.deleted.v1"): ["license_id", "contact_id"],
    ("signing", "signature.document_downloaded.v1"): ["contract_id", "kind", "contact_id", "name", "email", "ip",
                                                      "user_agent", "at"],
}
CONSUMES_RPC = {
    ("identity", "grant_client_access"): ["user_id", "email", "name", "user_code", "company", "branch",
                                          "allowed_ip", "status", "locale"],
    ("identity", "update_client_access"): ["user_code", "company", "branch", "allowed_ip"],
    ("identity", "deactivate_user"): [],
    ("identity", "resend_invitation"): [],
    ("identity", "resolve_users"): ["role", "status", "email", "name", "locale"],
    ("identity", "license_settings"): ["name", "settings"],
    ("contracts", "get_contact"): ["id", "customer_id", "customer_name", "name", "email", "branch"],
    ("contracts", "get_contacts_internal"): ["id", "customer_id", "name", "email", "branch"],
    ("contracts", "get_customer"): ["id", "locale"],
    ("contracts", "visible_customers"): ["names"],
    ("contracts", "client_profile_internal"): ["contact", "company"],
    ("contracts", "apply_client_contact_update"): ["contact", "company"],
    ("contracts", "apply_client_company_update"): ["contact", "company"],
    ("contracts", "get_contract"): ["id", "kind", "number", "title", "status", "customer_id", "customer_name",
                                    "owner_id", "contact_id", "attachments", "milestones", "portal", "locale"],
    ("contracts", "get_contract_internal"): ["number", "title", "status", "owner_id", "owner_name", "owner_email",
                                             "currency", "lines", "subtotal", "tax_total", "total", "attachments",
                                             "milestones", "locale"],
    ("contracts", "get_attachment_internal"): ["contract_id", "portal_visible", "filename", "content_type",
                                               "content_base64"],
    ("contracts", "get_pdf"): ["filename", "content_type", "content_base64"],
    ("contracts", "mark_sent"): ["id", "number", "title", "status"],
    ("contracts", "set_portal_visibility"): [],
    ("signing", "create_request"): ["id"],
    ("signing", "tasks_for"): [],
    ("signing", "request_for_contract"): ["id", "status", "participants"],
    ("signing", "get_signed_pdf"): ["filename", "content_type", "content_base64"],
    ("signing", "requests_for_contracts"): ["status", "participants"],
}
