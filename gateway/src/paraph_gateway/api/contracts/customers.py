"""Customers (companies or persons) and their contacts."""
from __future__ import annotations

from paraph_platform.actor import MANAGERS, STAFF_ROLES

from ...routing import forward
from ...service_results import service_params
from .common import bp

forward(bp, "GET", "/customers", "contracts.list_customers", query=service_params("contracts", "list_customers"),
        roles=STAFF_ROLES, tags=["customers"],
        doc="""Customers visible to you (your perimeters, plus customers without perimeter).

    `without_perimeter=true` lists those in no perimeter (visible to every user), e.g. the customers created before
    the license used perimeters, left to put in one.

    Pages by cursor: pass the answer's `next_cursor` as `cursor` for the next page; `count=true` for `total`.""")

forward(bp, "POST", "/customers", "contracts.create_customer", roles=STAFF_ROLES, status=201, tags=["customers"],
        doc="Create a customer (company or person), optionally with contacts; it inherits your perimeters.")

forward(bp, "GET", "/customers/<customer_id>", "contracts.get_customer", roles=STAFF_ROLES, tags=["customers"],
        doc="A customer file with its contacts and perimeters.")

forward(bp, "PATCH", "/customers/<customer_id>", "contracts.update_customer", roles=STAFF_ROLES, tags=["customers"],
        doc="""Edit a customer file: the fields given change, the others stay.

    `address` is merged into the stored address (JSON merge patch, RFC 7396): `{"address": {"city": "Lyon"}}`
    changes the city and keeps the other lines; a line given null is removed.""")

forward(bp, "PUT", "/customers/<customer_id>/perimeters", "contracts.set_customer_perimeters", roles=MANAGERS,
        tags=["customers"], doc="Set a customer's perimeters (front user managers and license admins).")

forward(bp, "POST", "/customers/<customer_id>/contacts", "contracts.add_contact", roles=STAFF_ROLES, status=201,
        tags=["customers"], doc="Add a contact to a customer.")

forward(bp, "GET", "/customers/<customer_id>/history", "contracts.customer_history", roles=STAFF_ROLES, tags=["customers"],
        doc="""Changes of the customer file and its contacts, newest first: by staff, or by the customer's portal
    clients themselves (actor_kind client).""")

forward(bp, "GET", "/contacts/<contact_id>", "contracts.get_contact", roles=STAFF_ROLES, tags=["customers"], doc="A contact.")

forward(bp, "PATCH", "/contacts/<contact_id>", "contracts.update_contact", roles=STAFF_ROLES, tags=["customers"],
        doc="Edit a contact.")

forward(bp, "DELETE", "/contacts/<contact_id>", "contracts.delete_contact", roles=STAFF_ROLES, tags=["customers"], status=204,
        responses={403: "The contact has a client portal access (invited or active; `portal_access` says which): "
                        "only license admins and front user managers, who may revoke it, delete such a contact"},
        doc="""Remove a contact: kept in the customer's history, published as contact.deleted.v1, and the contact's
    client portal access, if any, is revoked (portal). A contact already removed is a 404.""")
