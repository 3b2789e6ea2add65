"""Customer portal: client access of customers' contacts, contracts shared on the portal, what
portal clients see, online quotes (send by email, activity) and signature tasks."""
from __future__ import annotations

from flask import Blueprint, request

from paraph_platform.actor import CLIENTS, MANAGERS, STAFF_ROLES

from ..routing import call, client_ip, forward, route
from ..service_results import service_params, service_result
from ..downloads import InlineQuery, file_response
from .signing import TASK_ACT, caller_evidence

bp = Blueprint("portal", __name__)



# -- staff: client access of a contact ------------------------------------------------------------

forward(bp, "POST", "/contacts/<contact_id>/portal-access", "portal.grant_access", roles=STAFF_ROLES, status=201,
        tags=["customer portal"],
        doc="""Give a customer's contact access to the customer portal (role Client); an email invites them to set
    a password. Optional IP address and branch restrictions.""")

forward(bp, "GET", "/contacts/<contact_id>/portal-access", "portal.get_access", roles=STAFF_ROLES, tags=["customer portal"],
        doc="""The contact's portal access; a deleted contact's too (deactivated with the contact). A 404 when the
    contact never had one.""")

forward(bp, "PATCH", "/contacts/<contact_id>/portal-access", "portal.update_access", roles=STAFF_ROLES,
        tags=["customer portal"], doc="Change the client's company, user code, IP or branch restriction.")

forward(bp, "DELETE", "/contacts/<contact_id>/portal-access", "portal.revoke_access", roles=STAFF_ROLES,
        tags=["customer portal"],
        doc="Deactivate the contact's portal access (license admins and front user managers).")

forward(bp, "POST", "/contacts/<contact_id>/portal-access/resend-invitation", "portal.resend_access_invitation",
        roles=STAFF_ROLES, tags=["customer portal"], doc="Send the portal invitation again (earlier links stop working).")

forward(bp, "GET", "/customers/<customer_id>/portal-accesses", "portal.list_accesses", roles=STAFF_ROLES,
        tags=["customer portal"],
        doc="""The customer's portal clients (Settings > Client portal > Client portal contacts): all of them, one per
    contact of the customer (not paginated; `/portal-clients?customer_id=` pages them).""")

forward(bp, "GET", "/portal-clients", "portal.list_clients", query=service_params("portal", "list_clients"),
        roles=MANAGERS, tags=["customer portal"],
        doc="""The license's portal clients with customer, company, status and restrictions (Settings > Client
    portal > Client portal contacts); a front user manager sees those of their perimeters' customers. By company,
    name: walk with `next_cursor`; `count=true` adds `total`.""")


# -- staff: sharing a contract on the portal ---------------------------------------------------------

@route(bp, "/contracts/<contract_id>/portal-share", ["POST"], body=service_params("portal", "share_contract"),
       response=service_result("portal", "share_contract", not_in_answer=("created",)), roles=STAFF_ROLES,
       status=201, tags=["customer portal"])
def share_contract(actor, contract_id, body):
    """Show the contract in the customer portal to a requester and observers (portal clients of the
    contract's customer, same company); they receive an email with a link to the portal."""
    result = call("portal", "share_contract", actor, contract_id, body, timeout=20)
    return result, 201 if result.pop("created", True) else 200


forward(bp, "DELETE", "/contracts/<contract_id>/portal-share", "portal.unshare_contract", roles=STAFF_ROLES,
        tags=["customer portal"], doc="Stop showing the contract in the customer portal.")

forward(bp, "GET", "/contracts/<contract_id>/portal", "portal.contract_portal", roles=STAFF_ROLES, tags=["customer portal"],
        doc="""Whether the contract is shared on the portal, with whom, and which attachments and milestones show.

    Each requester and observer says whether the contract still shows to them: `access_status` (deactivated:
    their access revoked) and `contact_deleted` (their contact deleted since, which revokes the access).""")


# -- staff: online quotes -----------------------------------------------------------------------------

forward(bp, "GET", "/quotes/<contract_id>/send", "portal.send_info", roles=STAFF_ROLES, tags=["quotes"],
        query=service_params("portal", "send_info"),
        doc="""What the send screen needs: whether the quote was sent before, to whom (a send to a contact who had
    it is a reminder, with the reminder template: `template` is the one `contact_id` gets), default contact,
    signature.""")

forward(bp, "POST", "/quotes/<contract_id>/send", "portal.send_quote", roles=STAFF_ROLES, tags=["quotes"], timeout=30,
        doc="""Send the quote by email with a "Consulter le devis" button to its online page (the reminder template
    after the first send); optionally attach the PDF and request an electronic signature.""")

forward(bp, "GET", "/quotes/<contract_id>/activity", "portal.quote_activity", roles=STAFF_ROLES, tags=["quotes"],
        doc="""Every view, download and feedback of the quote, on its online page or in the customer portal (date, time,
    IP, browser, channel), link scanners' prefetches, and every email sent.""")

forward(bp, "DELETE", "/quotes/<contract_id>/links", "portal.revoke_quote_links", roles=STAFF_ROLES, tags=["quotes"],
        doc="Deactivate the links to the quote's online page.")


# -- portal clients ----------------------------------------------------------------------------------

def _meta() -> dict:
    """Who is asking, kept with a client's quote views and downloads."""
    return {"ip": client_ip(), "user_agent": (request.headers.get("User-Agent") or "")[:500],
            "method": request.method}


forward(bp, "GET", "/portal/me", "portal.client_me", roles=CLIENTS, tags=["portal (clients)"],
        doc="The signed-in client: contact, customer, company and branch.")

forward(bp, "GET", "/portal/me/profile", "portal.client_profile", roles=CLIENTS, tags=["portal (clients)"],
        doc="Your contact details and your company's, as you may update them.")

# portal passes a client's change on to contracts, whose payload schema validates it (and documents the body)
forward(bp, "PATCH", "/portal/me/contact", "portal.client_update_contact",
        body=service_params("contracts", "apply_client_contact_update"), roles=CLIENTS, tags=["portal (clients)"],
        doc="""Update your own contact details; your salesperson is told and the change is kept in your customer
    file's history. Sending the same values again changes nothing.""")

forward(bp, "PATCH", "/portal/me/company", "portal.client_update_company",
        body=service_params("contracts", "apply_client_company_update"), roles=CLIENTS, tags=["portal (clients)"],
        doc="Update your company's address, phone or email (same rules as your own details).")

forward(bp, "GET", "/portal/contracts", "portal.client_contracts", roles=CLIENTS, tags=["portal (clients)"],
        doc="Contracts shared with you or with your company (limited to your branch if your access is).")


@route(bp, "/portal/contracts/<contract_id>", ["GET"], response=service_result("portal", "client_contract"),
       roles=CLIENTS, tags=["portal (clients)"])
def client_contract(actor, contract_id):
    """A shared contract with its portal-visible attachments and milestones (a quote's view is recorded
    with date and time and counted in the quote list)."""
    return call("portal", "client_contract", actor, contract_id, _meta())


@route(bp, "/portal/contracts/<contract_id>/pdf", ["GET"], query=InlineQuery, roles=CLIENTS,
       tags=["portal (clients)"], responses={200: "application/pdf"})
def client_pdf(actor, contract_id, query):
    """The shared contract's PDF (a quote's download is recorded with date and time and counted in the quote
    list)."""
    return file_response(call("portal", "client_pdf", actor, contract_id, _meta(), timeout=60),
                         inline=query["inline"])


@route(bp, "/portal/attachments/<attachment_id>", ["GET"], roles=CLIENTS, tags=["portal (clients)"],
       responses={200: "*/*: the file as uploaded, with its content type"})
def client_attachment(actor, attachment_id):
    """An attachment of a shared contract, if it is visible on the portal."""
    return file_response(call("portal", "client_attachment", actor, attachment_id, timeout=60))


forward(bp, "GET", "/portal/tasks", "portal.tasks", tags=["portal (clients)"],
        doc="Your approvals and signatures waiting (clients and collaborators added as approvers or signers).")


# portal passes the act on to signing.act, whose payload schema validates it (and documents the body)
@route(bp, "/portal/tasks/<participant_id>/act", ["POST"], body=TASK_ACT, response=service_result("portal", "act"),
       tags=["portal (clients)"])
def act(actor, participant_id, body):
    """Approve, sign (with the one-time code sent to you) or decline; your address and browser are recorded
    in the signature evidence."""
    return call("portal", "act", actor, participant_id, {**body, **caller_evidence()}, timeout=30)
