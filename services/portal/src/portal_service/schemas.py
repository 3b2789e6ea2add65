"""Marshmallow schemas of portal's RPC payloads (inputs raise on unknown fields) and results."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from paraph_platform.numbers import Integer

from paraph_platform import pagination

ID = validate.Length(min=1, max=64)
LOCALE = validate.OneOf(["fr", "en"])
# the emails of the send screen: the first sending, then the reminder (the salesperson may choose either)
QUOTE_TEMPLATES = ("quote_send", "quote_reminder")


class StrictSchema(Schema):
    class Meta:
        unknown = "raise"


# -- client access ---------------------------------------------------------------------------------

class GrantAccessSchema(StrictSchema):
    user_code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    email = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=3, max=320),
                          metadata={"description": "defaults to the contact's email"})
    company = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                            metadata={"description": "defaults to the customer's name"})
    allowed_ip = fields.IP(load_default=None, allow_none=True)
    branch = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    locale = fields.String(load_default=None, allow_none=True, validate=LOCALE, metadata={
        "description": "the language of the invitation and of the client's portal; default: the customer's, else "
                       "the license's default_locale"})
    send_email = fields.Boolean(load_default=True)


class UpdateAccessSchema(StrictSchema):
    user_code = fields.String(validate=validate.Length(min=1, max=64))
    company = fields.String(allow_none=True, validate=validate.Length(max=200))
    allowed_ip = fields.IP(allow_none=True)
    branch = fields.String(allow_none=True, validate=validate.Length(max=200))


class AccessView(Schema):
    contact_id = fields.String(required=True)
    customer_id = fields.String(required=True)
    user_id = fields.String(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    user_code = fields.String(required=True)
    company = fields.String(allow_none=True)
    branch = fields.String(allow_none=True)
    allowed_ip = fields.String(allow_none=True)
    locale = fields.String(required=True)
    role = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "invited | active | deactivated"})
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    customer_name = fields.String(metadata={"description": "list_clients only"})


class AccessStatus(Schema):
    status = fields.String(required=True, allow_none=True, metadata={
        "description": "invited | active | deactivated, or null: the contact never had a portal access"})


class ClientListSchema(StrictSchema, pagination.PageParams):
    """The license's portal clients (Settings > Client portal > Client portal contacts)."""
    q = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                      metadata={"description": "name, email, user code or company contains"})
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(["invited", "active", "deactivated"]))
    company = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                            metadata={"description": "exactly this company (case-insensitive)"})
    customer_id = fields.String(load_default=None, allow_none=True, validate=ID)


class ClientPage(pagination.PageResult):  # (not this module's PageResult: a rendered HTML page)
    items = fields.List(fields.Nested(AccessView), required=True)


class ClientProfile(Schema):
    """A portal client's own contact record and their company, as they may edit them (self-service)."""
    contact = fields.Dict(required=True, metadata={
        "description": "your contact record: first_name, last_name, title, department, email, phone, mobile, fax"})
    company = fields.Dict(required=True, metadata={"description": "your company: name, email, phone, address"})
    changes = fields.List(fields.Dict(), metadata={"description": "after a change: [{field, from, to}]"})


# -- shares -------------------------------------------------------------------------------------------

class ShareSchema(StrictSchema):
    requester_contact_id = fields.String(required=True, validate=ID)
    observer_contact_ids = fields.List(fields.String(validate=ID), load_default=list,
                                       validate=validate.Length(max=100))
    show_attachments = fields.Boolean(load_default=None, allow_none=True,
                                      metadata={"description": "true shows every attachment on the portal, false "
                                                               "hides them all; omitted keeps each attachment's "
                                                               "setting (default from the contract type / license)"})
    branch = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                           metadata={"description": "defaults to the requester contact's branch"})
    message = fields.String(load_default="", validate=validate.Length(max=5000))


class ShareContact(Schema):
    """A contact a contract is shared with on the portal."""
    contact_id = fields.String()
    name = fields.String()
    email = fields.String(allow_none=True)


class StaffShareContact(ShareContact):
    """A contact a contract is shared with, as staff see them: does the contract still show to them?"""
    contact_deleted = fields.Boolean(required=True, metadata={
        "description": "the contact was deleted from the customer since (their portal access revoked with it): "
                       "still named, as who the contract was shared with"})
    access_status = fields.String(required=True, allow_none=True, metadata={
        "enum": ["invited", "active", "deactivated"],
        "description": "their portal access: deactivated (revoked, or with their contact when it was deleted) no "
                       "longer shows them the contract; null: no access"})


class ShareView(Schema):
    id = fields.String(required=True)
    contract_id = fields.String(required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True)
    customer_id = fields.String(required=True)
    customer_name = fields.String(required=True)
    company = fields.String(allow_none=True)
    branch = fields.String(allow_none=True)
    active = fields.Boolean(required=True)
    requester = fields.Nested(StaffShareContact, required=True)
    observers = fields.List(fields.Nested(StaffShareContact), required=True)
    show_attachments = fields.Boolean(allow_none=True)
    message = fields.String(required=True)
    shared_by = fields.String(required=True)
    shared_by_name = fields.String(required=True)
    shared_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    revoked_at = fields.String(required=True, allow_none=True, metadata={"description": "null while shared"})


class ShareOutcome(ShareView):
    created = fields.Boolean(required=True, metadata={
        "description": "a new share (or one revoked before): the gateway answers 201 and drops this field, "
                       "else 200"})


# -- what a signed-in client sees --------------------------------------------------------------------

class ClientMe(Schema):
    user_id = fields.String(required=True)
    contact_id = fields.String(required=True)
    customer_id = fields.String(required=True)
    company = fields.String(required=True, allow_none=True)
    branch = fields.String(required=True, allow_none=True)
    name = fields.String(required=True, allow_none=True)
    email = fields.String(required=True, allow_none=True)
    locale = fields.String(required=True)


class SharedWithMe(Schema):
    """How a contract is shared with the signed-in client (their list and the contract's page)."""
    contract_id = fields.String(required=True)
    shared_at = fields.String(required=True)
    company = fields.String(required=True, allow_none=True)
    branch = fields.String(required=True, allow_none=True)
    requester = fields.Nested(ShareContact, required=True, allow_none=True)
    observers = fields.List(fields.Nested(ShareContact), required=True)
    portal_visible = fields.Boolean(required=True)


READER_STATUS = ("the status as this client reads it: the contract's, or `signing` while its signature request "
                 "awaits someone else's approval or signature")


class ClientContractItem(SharedWithMe):
    kind = fields.String(required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True)
    reader_status = fields.String(required=True, allow_none=True, metadata={"description": READER_STATUS})
    my_role = fields.String(required=True, allow_none=True, metadata={"description": "signer, approver or null"})


class ClientContractList(Schema):
    items = fields.List(fields.Nested(ClientContractItem), required=True)
    total = Integer(required=True)


class ClientContract(SharedWithMe):
    """A shared contract as its client sees it: only portal-visible attachments and milestones."""
    id = fields.String(allow_none=True)
    kind = fields.String(allow_none=True)
    number = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    reader_status = fields.String(required=True, allow_none=True, metadata={"description": READER_STATUS})
    customer_name = fields.String(allow_none=True)
    owner_name = fields.String(allow_none=True)
    owner_email = fields.String(allow_none=True)
    currency = fields.String(allow_none=True)
    subtotal = fields.String(allow_none=True)
    tax_total = fields.String(allow_none=True)
    total = fields.String(allow_none=True)
    taxes = fields.List(fields.Dict(), allow_none=True, metadata={"description": "by tax rate"})
    optional_total = fields.String(allow_none=True)
    valid_until = fields.String(allow_none=True)
    locale = fields.String(allow_none=True)
    sent_at = fields.String(allow_none=True)
    signed_at = fields.String(allow_none=True)
    signers = fields.List(fields.Dict(), allow_none=True)
    total_formatted = fields.String(required=True)
    lines = fields.List(fields.Dict(), required=True)
    attachments = fields.List(fields.Dict(), required=True)
    milestones = fields.List(fields.Dict(), required=True)
    message = fields.String(required=True, allow_none=True)
    signature = fields.Dict(required=True, allow_none=True, metadata={"description": "my signing task, if any"})
    signed_document = fields.Boolean(required=True, metadata={
        "description": "signed by everybody: its PDF (GET /portal/contracts/{id}/pdf) is the sealed copy"})


class Tasks(Schema):
    items = fields.List(fields.Dict(), required=True, metadata={"description": "my signature tasks (signing's "
                                                                              "tasks_for), with sign_path"})
    signing_available = fields.Boolean(required=True)


# -- quotes --------------------------------------------------------------------------------------------

class SendQuoteSchema(StrictSchema):
    contact_id = fields.String(load_default=None, allow_none=True, validate=ID,
                               metadata={"description": "defaults to the quote's contact"})
    attach_pdf = fields.Boolean(load_default=False)
    request_signature = fields.Boolean(load_default=None, allow_none=True,
                                       metadata={"description": "defaults to the license's electronic_signature_"
                                                                "enabled setting"})
    message = fields.String(load_default="", validate=validate.Length(max=5000))
    locale = fields.String(load_default=None, allow_none=True, validate=LOCALE)
    template = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(QUOTE_TEMPLATES),
                             metadata={"description": "the email template; defaults to quote_send the first time "
                                                      "the contact gets the quote, quote_reminder afterwards"})
    subject = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500),
                            metadata={"description": "the email's subject as the salesperson wrote it (plain "
                                                     "text); defaults to the template's"})


class SendResult(Schema):
    contract_id = fields.String(required=True)
    contact_id = fields.String(required=True)
    to = fields.String(required=True)
    template = fields.String(required=True, metadata={"enum": list(QUOTE_TEMPLATES)})
    reminder = fields.Boolean(required=True)
    link = fields.String(required=True, metadata={"description": "the online quote page (the email's link)"})
    expires_at = fields.String(required=True)
    attach_pdf = fields.Boolean(required=True)
    signature = fields.Dict(required=True)


class SendInfoParams(StrictSchema):
    contact_id = fields.String(load_default=None, allow_none=True, validate=ID,
                               metadata={"description": "the recipient the screen shows (its `template`); the "
                                                        "quote's contact by default"})


class LastSend(Schema):
    at = fields.String(required=True)
    attach_pdf = fields.Boolean(required=True)
    request_signature = fields.Boolean(required=True)


class SendInfo(Schema):
    """What the "send by email" dialog of a quote shows."""
    contract_id = fields.String(required=True)
    sent = fields.Boolean(required=True, metadata={"description": "sent before, to the quote's contact or another: "
                                                                 "a send to a contact in sent_to is a reminder"})
    sends = Integer(required=True, metadata={"description": "sent so far (reminders included)"})
    sent_to = fields.Dict(keys=fields.String(), values=Integer(), required=True,
                          metadata={"description": "sends so far per contact id: a contact not in it never got the "
                                                   "quote (its first email is quote_send)"})
    template = fields.String(required=True, metadata={"enum": list(QUOTE_TEMPLATES),
                                                      "description": "for the recipient (contact_id, the quote's "
                                                                     "contact by default): quote_send the first "
                                                                     "time, quote_reminder afterwards"})
    templates = fields.List(fields.String(), required=True)
    default_contact_id = fields.String(required=True, allow_none=True)
    customer_id = fields.String(required=True)
    request_signature_default = fields.Boolean(required=True)
    last_send = fields.Nested(LastSend, required=True, allow_none=True, metadata={
        "description": "the recipient's latest email of the quote (null: none yet): a reminder offers its choices "
                       "again, rather than a signature request or a PDF the first email did not have"})


class QuoteActivityView(Schema):
    contract_id = fields.String(required=True)
    number = fields.String(required=True)
    view_count = Integer(required=True)
    download_count = Integer(required=True)
    views = Integer(required=True)
    downloads = Integer(required=True)
    feedback = Integer(required=True)
    prefetches = Integer(required=True, metadata={"description": "link scanners' fetches, not views"})
    events = fields.List(fields.Dict(), required=True, metadata={"description": "kind, channel, at, contact, ip, "
                                                                              "user agent, message"})
    sends = fields.List(fields.Dict(), required=True)
    links = fields.List(fields.Dict(), required=True, metadata={"description": "each contact's online quote link"})


class RevokedLinks(Schema):
    revoked = Integer(required=True, metadata={"description": "links revoked now"})


class ClientMetaSchema(Schema):
    """Who is asking (the gateway passes it along): kept with quote views and downloads."""
    class Meta:
        unknown = "exclude"

    ip = fields.String(load_default=None, allow_none=True)
    user_agent = fields.String(load_default=None, allow_none=True)
    method = fields.String(load_default="GET", allow_none=True,
                           metadata={"description": "HTTP method; HEAD requests (link previews) are not views"})


class RequestMetaSchema(ClientMetaSchema):
    """What the gateway passes along with a public page request."""
    class Meta:
        unknown = "exclude"

    lang = fields.String(load_default=None, allow_none=True)
    nonce = fields.String(load_default="", validate=validate.Length(max=64))
    message = fields.String(load_default=None, allow_none=True)
    contract_id = fields.String(load_default=None, allow_none=True)


class PageResult(Schema):
    status = Integer(required=True)
    html = fields.String(required=True)


class PostedPageResult(PageResult):
    """The answer to a page's form: the page saying what was refused, or (status 303) where to go once done."""
    location = fields.String(metadata={"description": "a 303's target: the page to GET after the post"})


class ActSchema(Schema):
    """Passed through to signing.act (its schema decides)."""
    class Meta:
        unknown = "include"

    action = fields.String(required=True, validate=validate.OneOf(["approve", "sign", "decline"]))


class Acted(Schema):
    """signing.act's result, passed through: the task after acting."""
    participant = fields.Dict(required=True, metadata={"description": "the participant after acting"})
    request_id = fields.String(required=True)
    request_status = fields.String(required=True)
    stage = fields.String(required=True)
    document_sha256 = fields.String(required=True)
    signers_left = Integer(required=True, metadata={"description": "how many signers have still to sign"})
