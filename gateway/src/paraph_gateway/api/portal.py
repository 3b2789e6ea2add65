"""Customer portal: client access of customers' contacts, contracts shared on the portal, what
portal clients see, online quotes (send by email, activity) and signature tasks."""
from __future__ import annotations

from flask import Blueprint, request
from marshmallow import Schema, fields, validate

from paraph_platform.pagination import PageParams

from ..routing import call, client_ip, route
from ..service_results import service_result
from ..downloads import file_response
from .contracts.customers import Address

bp = Blueprint("portal", __name__)

STAFF = ("license_admin", "front_user_manager", "user")
CLIENT = ("client",)
ID = validate.Length(min=1, max=64)


# -- schemas (public API) ----------------------------------------------------------------------

class AccessIn(Schema):
    user_code = fields.String(required=True, validate=validate.Length(min=1, max=64),
                              metadata={"description": "the client may sign in with it (with email and password)"})
    email = fields.Email(allow_none=True, validate=validate.Length(max=320),
                         metadata={"description": "defaults to the contact's email"})
    company = fields.String(allow_none=True, validate=validate.Length(max=200),
                            metadata={"description": "defaults to the customer's name; clients of the same company "
                                                     "see each other's requests"})
    allowed_ip = fields.IP(allow_none=True, metadata={"description": "only this IP address may sign in and use the "
                                                                     "portal (optional)"})
    branch = fields.String(allow_none=True, validate=validate.Length(max=200),
                           metadata={"description": "limit the client to the shares made for this branch (optional)"})
    locale = fields.String(allow_none=True, validate=validate.OneOf(["fr", "en"]))
    send_email = fields.Boolean(metadata={"description": "send the invitation email (set-password link); "
                                                         "default true"})


class ClientQuery(PageParams):
    q = fields.String(validate=validate.Length(max=200),
                      metadata={"description": "name, email, user code or company contains"})
    status = fields.String(validate=validate.OneOf(["invited", "active", "deactivated"]))
    company = fields.String(validate=validate.Length(max=200), metadata={"description": "exactly this company"})
    customer_id = fields.String(validate=ID)


class AccessPatch(Schema):
    user_code = fields.String(validate=validate.Length(min=1, max=64))
    company = fields.String(allow_none=True, validate=validate.Length(max=200))
    allowed_ip = fields.IP(allow_none=True, metadata={"description": "null removes the IP restriction"})
    branch = fields.String(allow_none=True, validate=validate.Length(max=200),
                           metadata={"description": "null removes the branch restriction"})


class Access(Schema):
    contact_id = fields.String()
    customer_id = fields.String()
    user_id = fields.String()
    email = fields.String()
    name = fields.String()
    user_code = fields.String()
    company = fields.String(allow_none=True)
    branch = fields.String(allow_none=True)
    allowed_ip = fields.String(allow_none=True)
    locale = fields.String()
    role = fields.String(metadata={"description": "always client"})
    status = fields.String(metadata={"description": "invited | active | deactivated"})
    created_at = fields.String()
    updated_at = fields.String()
    customer_name = fields.String(metadata={"description": "in the list of the license's portal clients"})


PHONE = validate.Regexp(r"^\+?[0-9][0-9 ().\-/]{3,38}$",
                        error="Not a valid phone number (digits, spaces, + ( ) . - / allowed).")


def _phone(**kwargs):
    return fields.String(allow_none=True, validate=[validate.Length(max=40), PHONE], **kwargs)


class MyContactPatch(Schema):
    first_name = fields.String(validate=validate.Length(max=100))
    last_name = fields.String(validate=validate.Length(min=1, max=100))
    title = fields.String(allow_none=True, validate=validate.Length(max=100))
    department = fields.String(allow_none=True, validate=validate.Length(max=100))
    email = fields.Email(allow_none=True)
    phone = _phone()
    mobile = _phone()
    fax = _phone()


class MyCompanyPatch(Schema):
    email = fields.Email(allow_none=True)
    phone = _phone()
    address = fields.Nested(Address, metadata={"description": "the lines given replace those lines"})


class ShareIn(Schema):
    requester_contact_id = fields.String(required=True, validate=ID,
                                         metadata={"description": "the portal client asking for the contract"})
    observer_contact_ids = fields.List(fields.String(validate=ID), validate=validate.Length(max=100),
                                       metadata={"description": "other portal clients of the same company"})
    show_attachments = fields.Boolean(allow_none=True,
                                      metadata={"description": "true shows every attachment on the portal, false "
                                                               "hides them; omitted keeps each attachment's setting "
                                                               "(default of the contract type / license)"})
    branch = fields.String(allow_none=True, validate=validate.Length(max=200),
                           metadata={"description": "defaults to the requester contact's branch"})
    message = fields.String(validate=validate.Length(max=5000))


class Person(Schema):
    contact_id = fields.String()
    name = fields.String()
    email = fields.String(allow_none=True)


class ShareOut(Schema):
    """portal.share_contract's result without its `created` flag, which the view turns into 201 or 200."""
    id = fields.String()
    contract_id = fields.String()
    number = fields.String()
    title = fields.String()
    kind = fields.String()
    status = fields.String()
    customer_id = fields.String()
    customer_name = fields.String()
    company = fields.String(allow_none=True)
    branch = fields.String(allow_none=True)
    active = fields.Boolean()
    requester = fields.Nested(Person)
    observers = fields.List(fields.Nested(Person))
    show_attachments = fields.Boolean(allow_none=True)
    message = fields.String()
    shared_by = fields.String()
    shared_by_name = fields.String()
    shared_at = fields.String()
    updated_at = fields.String()
    revoked_at = fields.String(allow_none=True)


class QuoteSendIn(Schema):
    contact_id = fields.String(allow_none=True, validate=ID,
                               metadata={"description": "a contact of the quote's customer; default the quote's "
                                                        "contact"})
    attach_pdf = fields.Boolean(metadata={"description": "attach the quote as a PDF (\"JOINDRE LE DEVIS EN PDF\")"})
    request_signature = fields.Boolean(allow_none=True,
                                       metadata={"description": "ask for an electronic signature; default on when "
                                                                "the license enables electronic signature"})
    message = fields.String(validate=validate.Length(max=5000))
    locale = fields.String(allow_none=True, validate=validate.OneOf(["fr", "en"]))
    template = fields.String(allow_none=True, validate=validate.OneOf(["quote_send", "quote_reminder"]),
                             metadata={"description": "the email template; default quote_send the first time, "
                                                      "quote_reminder afterwards"})
    subject = fields.String(allow_none=True, validate=validate.Length(max=500),
                            metadata={"description": "the email's subject as written on the send screen (plain "
                                                     "text); default the template's"})


class PortalActIn(Schema):
    class Meta:
        unknown = "include"

    action = fields.String(required=True, validate=validate.OneOf(["approve", "sign", "decline"]))
    reason = fields.String(allow_none=True, validate=validate.Length(max=2000))


# -- staff: client access of a contact ------------------------------------------------------------

def _json(body: dict) -> dict:
    return {k: (str(v) if k == "allowed_ip" and v is not None else v) for k, v in body.items()}


@route(bp, "/contacts/<contact_id>/portal-access", ["POST"], body=AccessIn,
       response=service_result("portal", "grant_access"), roles=STAFF, status=201, tags=["customer portal"])
def grant_access(actor, contact_id, body):
    """Give a customer's contact access to the customer portal (role Client); an email invites them to set
    a password. Optional IP address and branch restrictions."""
    return call("portal", "grant_access", actor, contact_id, _json(body))


@route(bp, "/contacts/<contact_id>/portal-access", ["GET"], response=service_result("portal", "get_access"),
       roles=STAFF, tags=["customer portal"])
def get_access(actor, contact_id):
    """The contact's portal access."""
    return call("portal", "get_access", actor, contact_id)


@route(bp, "/contacts/<contact_id>/portal-access", ["PATCH"], body=AccessPatch,
       response=service_result("portal", "update_access"), roles=STAFF, tags=["customer portal"])
def update_access(actor, contact_id, body):
    """Change the client's company, user code, IP or branch restriction."""
    return call("portal", "update_access", actor, contact_id, _json(body))


@route(bp, "/contacts/<contact_id>/portal-access", ["DELETE"], response=service_result("portal", "revoke_access"),
       roles=STAFF, tags=["customer portal"])
def revoke_access(actor, contact_id):
    """Deactivate the contact's portal access (license admins and front user managers)."""
    return call("portal", "revoke_access", actor, contact_id)


@route(bp, "/contacts/<contact_id>/portal-access/resend-invitation", ["POST"],
       response=service_result("portal", "resend_access_invitation"), roles=STAFF, tags=["customer portal"])
def resend_access_invitation(actor, contact_id):
    """Send the portal invitation again (earlier links stop working)."""
    return call("portal", "resend_access_invitation", actor, contact_id)


@route(bp, "/customers/<customer_id>/portal-accesses", ["GET"], response=service_result("portal", "list_accesses"),
       roles=STAFF, tags=["customer portal"])
def list_accesses(actor, customer_id):
    """The customer's portal clients (Settings > Customer portal > Manage clients): all of them, one per
    contact of the customer (not paginated; `/portal-clients?customer_id=` pages them)."""
    return call("portal", "list_accesses", actor, customer_id)


@route(bp, "/portal-clients", ["GET"], query=ClientQuery, response=service_result("portal", "list_clients"),
       roles=("license_admin", "front_user_manager"), tags=["customer portal"])
def list_clients(actor, query):
    """The license's portal clients with customer, company, status and restrictions (Settings > Customer
    portal > Manage clients); a front user manager sees those of their perimeters' customers. By company,
    name: walk with `next_cursor`; `count=true` adds `total`."""
    return call("portal", "list_clients", actor, query)


# -- staff: sharing a contract on the portal ---------------------------------------------------------

@route(bp, "/contracts/<contract_id>/portal-share", ["POST"], body=ShareIn, response=ShareOut, roles=STAFF,
       status=201, tags=["customer portal"])
def share_contract(actor, contract_id, body):
    """Show the contract in the customer portal to a requester and observers (portal clients of the
    contract's customer, same company); they receive an email with a link to the portal."""
    result = call("portal", "share_contract", actor, contract_id, body, timeout=20)
    return result, 201 if result.pop("created", True) else 200


@route(bp, "/contracts/<contract_id>/portal-share", ["DELETE"], response=service_result("portal", "unshare_contract"),
       roles=STAFF, tags=["customer portal"])
def unshare_contract(actor, contract_id):
    """Stop showing the contract in the customer portal."""
    return call("portal", "unshare_contract", actor, contract_id)


@route(bp, "/contracts/<contract_id>/portal", ["GET"], response=service_result("portal", "contract_portal"),
       roles=STAFF, tags=["customer portal"])
def contract_portal(actor, contract_id):
    """Whether the contract is shared on the portal, with whom, and which attachments and milestones show."""
    return call("portal", "contract_portal", actor, contract_id)


# -- staff: online quotes -----------------------------------------------------------------------------

@route(bp, "/quotes/<contract_id>/send", ["GET"], response=service_result("portal", "send_info"), roles=STAFF,
       tags=["quotes"])
def send_info(actor, contract_id):
    """What the send screen shows: "Envoyer par email" or "Relancer par email", default contact, signature."""
    return call("portal", "send_info", actor, contract_id)


@route(bp, "/quotes/<contract_id>/send", ["POST"], body=QuoteSendIn, response=service_result("portal", "send_quote"),
       roles=STAFF, tags=["quotes"])
def send_quote(actor, contract_id, body):
    """Send the quote by email with an "Accéder au document" link to its online page (the reminder template
    after the first send); optionally attach the PDF and request an electronic signature."""
    return call("portal", "send_quote", actor, contract_id, body, timeout=30)


@route(bp, "/quotes/<contract_id>/activity", ["GET"], response=service_result("portal", "quote_activity"), roles=STAFF,
       tags=["quotes"])
def quote_activity(actor, contract_id):
    """Every view, download and feedback of the quote, on its online page or in the customer portal (date, time,
    IP, browser, channel), link scanners' prefetches, and every email sent."""
    return call("portal", "quote_activity", actor, contract_id)


@route(bp, "/quotes/<contract_id>/links", ["DELETE"], response=service_result("portal", "revoke_quote_links"),
       roles=STAFF, tags=["quotes"])
def revoke_quote_links(actor, contract_id):
    """Deactivate the links to the quote's online page."""
    return call("portal", "revoke_quote_links", actor, contract_id)


# -- portal clients ----------------------------------------------------------------------------------

def _meta() -> dict:
    """Who is asking, kept with a client's quote views and downloads."""
    return {"ip": client_ip(), "user_agent": (request.headers.get("User-Agent") or "")[:500],
            "method": request.method}


@route(bp, "/portal/me", ["GET"], response=service_result("portal", "client_me"), roles=CLIENT,
       tags=["portal (clients)"])
def client_me(actor):
    """The signed-in client: contact, customer, company and branch."""
    return call("portal", "client_me", actor)


@route(bp, "/portal/me/profile", ["GET"], response=service_result("portal", "client_profile"), roles=CLIENT,
       tags=["portal (clients)"])
def client_profile(actor):
    """Your contact details and your company's, as you may update them."""
    return call("portal", "client_profile", actor)


@route(bp, "/portal/me/contact", ["PATCH"], body=MyContactPatch,
       response=service_result("portal", "client_update_contact"), roles=CLIENT, tags=["portal (clients)"])
def client_update_contact(actor, body):
    """Update your own contact details; your salesperson is told and the change is kept in your customer
    file's history. Sending the same values again changes nothing."""
    return call("portal", "client_update_contact", actor, body)


@route(bp, "/portal/me/company", ["PATCH"], body=MyCompanyPatch,
       response=service_result("portal", "client_update_company"), roles=CLIENT, tags=["portal (clients)"])
def client_update_company(actor, body):
    """Update your company's address, phone or email (same rules as your own details)."""
    return call("portal", "client_update_company", actor, body)


@route(bp, "/portal/contracts", ["GET"], response=service_result("portal", "client_contracts"), roles=CLIENT,
       tags=["portal (clients)"])
def client_contracts(actor):
    """Contracts shared with you or with your company (limited to your branch if your access is)."""
    return call("portal", "client_contracts", actor)


@route(bp, "/portal/contracts/<contract_id>", ["GET"], response=service_result("portal", "client_contract"),
       roles=CLIENT, tags=["portal (clients)"])
def client_contract(actor, contract_id):
    """A shared contract with its portal-visible attachments and milestones (a quote's view is recorded
    with date and time and counted in the quote list)."""
    return call("portal", "client_contract", actor, contract_id, _meta())


@route(bp, "/portal/contracts/<contract_id>/pdf", ["GET"], roles=CLIENT, tags=["portal (clients)"],
       responses={200: "application/pdf"})
def client_pdf(actor, contract_id):
    """The shared contract's PDF (a quote's download is recorded with date and time and counted in the quote
    list)."""
    return file_response(call("portal", "client_pdf", actor, contract_id, _meta(), timeout=60),
                   inline=request.args.get("inline") == "1")


@route(bp, "/portal/attachments/<attachment_id>", ["GET"], roles=CLIENT, tags=["portal (clients)"],
       responses={200: "*/*: the file as uploaded, with its content type"})
def client_attachment(actor, attachment_id):
    """An attachment of a shared contract, if it is visible on the portal."""
    return file_response(call("portal", "client_attachment", actor, attachment_id, timeout=60))


@route(bp, "/portal/tasks", ["GET"], response=service_result("portal", "tasks"), tags=["portal (clients)"])
def tasks(actor):
    """Your approvals and signatures waiting (clients and collaborators added as approvers or signers)."""
    return call("portal", "tasks", actor)


@route(bp, "/portal/tasks/<participant_id>/act", ["POST"], body=PortalActIn, response=service_result("portal", "act"),
       tags=["portal (clients)"])
def act(actor, participant_id, body):
    """Approve, sign (with the one-time code sent to you) or decline; your address and browser are recorded
    in the signature evidence."""
    body = {**body, "ip": client_ip(), "user_agent": (request.headers.get("User-Agent") or "")[:512] or None}
    return call("portal", "act", actor, participant_id, body, timeout=30)
