"""Customers (companies or persons) and their contacts."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from paraph_platform.pagination import PageParams

from ...routing import call, route
from ...service_results import service_result
from .common import ID, MANAGERS, STAFF, PerimetersIn, _json, bp

class Address(Schema):
    line1 = fields.String(validate=validate.Length(max=200))
    line2 = fields.String(validate=validate.Length(max=200))
    postal_code = fields.String(validate=validate.Length(max=20))
    city = fields.String(validate=validate.Length(max=120))
    region = fields.String(validate=validate.Length(max=120))
    country = fields.String(validate=validate.Length(max=120))


class ContactIn(Schema):
    first_name = fields.String(validate=validate.Length(max=100))
    last_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    title = fields.String(allow_none=True, validate=validate.Length(max=100))
    department = fields.String(allow_none=True, validate=validate.Length(max=100))
    type = fields.String(allow_none=True, validate=validate.Length(max=60))
    email = fields.Email(allow_none=True)
    phone = fields.String(allow_none=True, validate=validate.Length(max=40))
    mobile = fields.String(allow_none=True, validate=validate.Length(max=40))
    fax = fields.String(allow_none=True, validate=validate.Length(max=40))
    branch = fields.String(allow_none=True, validate=validate.Length(max=200))


class ContactPatch(ContactIn):
    last_name = fields.String(validate=validate.Length(min=1, max=100))


class CustomerIn(Schema):
    kind = fields.String(validate=validate.OneOf(["company", "person"]))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    code = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))
    email = fields.Email(allow_none=True)
    phone = fields.String(allow_none=True, validate=validate.Length(max=40))
    address = fields.Nested(Address)
    vat_number = fields.String(allow_none=True, validate=validate.Length(max=40))
    locale = fields.String(allow_none=True, validate=validate.OneOf(["fr", "en"]))
    currency = fields.String(allow_none=True, validate=validate.Regexp(r"^[A-Z]{3}$"))
    notes = fields.String(validate=validate.Length(max=10000))
    contacts = fields.List(fields.Nested(ContactIn), validate=validate.Length(max=200))


class CustomerPatch(CustomerIn):
    class Meta:
        exclude = ("contacts",)

    name = fields.String(validate=validate.Length(min=1, max=200))
    code = fields.String(validate=validate.Length(min=1, max=64))


class PageQuery(PageParams):
    q = fields.String(validate=validate.Length(max=200))


class CustomerQuery(PageQuery):
    kind = fields.String(validate=validate.OneOf(["company", "person"]))
    perimeter_id = fields.String(validate=ID, metadata={"description": "only the customers of this perimeter"})
    sort = fields.String(validate=validate.OneOf(["name", "-name", "code", "-code", "created_at", "-created_at"]),
                         metadata={"description": "default name; -key sorts descending"})


@route(bp, "/customers", ["GET"], query=CustomerQuery, response=service_result("contracts", "list_customers"),
       roles=STAFF, tags=["customers"])
def list_customers(actor, query):
    """Customers visible to you (your perimeters, plus customers without perimeter).

    Pages by cursor: pass the answer's `next_cursor` as `cursor` for the next page; `count=true` for `total`."""
    return call("contracts", "list_customers", actor, query)


@route(bp, "/customers", ["POST"], body=CustomerIn, response=service_result("contracts", "create_customer"),
       roles=STAFF, status=201, tags=["customers"])
def create_customer(actor, body):
    """Create a customer (company or person), optionally with contacts; it inherits your perimeters."""
    return call("contracts", "create_customer", actor, _json(body))


@route(bp, "/customers/<customer_id>", ["GET"], response=service_result("contracts", "get_customer"), roles=STAFF,
       tags=["customers"])
def get_customer(actor, customer_id):
    """A customer file with its contacts and perimeters."""
    return call("contracts", "get_customer", actor, customer_id)


@route(bp, "/customers/<customer_id>", ["PATCH"], body=CustomerPatch,
       response=service_result("contracts", "update_customer"), roles=STAFF, tags=["customers"])
def update_customer(actor, customer_id, body):
    """Edit a customer file."""
    return call("contracts", "update_customer", actor, customer_id, _json(body))


@route(bp, "/customers/<customer_id>/perimeters", ["PUT"], body=PerimetersIn,
       response=service_result("contracts", "set_customer_perimeters"), roles=MANAGERS, tags=["customers"])
def set_customer_perimeters(actor, customer_id, body):
    """Set a customer's perimeters (front user managers and license admins)."""
    return call("contracts", "set_customer_perimeters", actor, customer_id, body)


@route(bp, "/customers/<customer_id>/contacts", ["POST"], body=ContactIn,
       response=service_result("contracts", "add_contact"), roles=STAFF, status=201, tags=["customers"])
def add_contact(actor, customer_id, body):
    """Add a contact to a customer."""
    return call("contracts", "add_contact", actor, customer_id, body)


@route(bp, "/customers/<customer_id>/history", ["GET"], response=service_result("contracts", "customer_history"),
       roles=STAFF, tags=["customers"])
def customer_history(actor, customer_id):
    """Changes of the customer file and its contacts, newest first: by staff, or by the customer's portal
    clients themselves (actor_kind client)."""
    return call("contracts", "customer_history", actor, customer_id)


@route(bp, "/contacts/<contact_id>", ["GET"], response=service_result("contracts", "get_contact"), roles=STAFF,
       tags=["customers"])
def get_contact(actor, contact_id):
    """A contact."""
    return call("contracts", "get_contact", actor, contact_id)


@route(bp, "/contacts/<contact_id>", ["PATCH"], body=ContactPatch,
       response=service_result("contracts", "update_contact"), roles=STAFF, tags=["customers"])
def update_contact(actor, contact_id, body):
    """Edit a contact."""
    return call("contracts", "update_contact", actor, contact_id, body)


@route(bp, "/contacts/<contact_id>", ["DELETE"], roles=STAFF, tags=["customers"], status=204)
def delete_contact(actor, contact_id):
    """Remove a contact."""
    call("contracts", "delete_contact", actor, contact_id)
    return None
