"""Customers, contacts, contract types, contracts and quotes, attachments, milestones, tasks, customers'
equipment base, settings."""
from __future__ import annotations

import base64
from datetime import timezone

from flask import Blueprint, Response, request
from marshmallow import Schema, fields, validate

from paraph_platform.errors import BadRequest, InvalidInput

from ..routing import call, route
from .identity import _operator

bp = Blueprint("contracts", __name__)

STAFF = ("license_admin", "front_user_manager", "user")
MANAGERS = ("license_admin", "front_user_manager")
ADMIN = ("license_admin",)
ID = validate.Length(min=1, max=64)
DEC = dict(as_string=True, allow_nan=False)
# the columns a list of contracts sorts by (the contracts service's ListSchema checks the same names)
LIST_SORT_KEYS = ("number", "title", "customer_name", "status", "owner_name", "total", "view_count",
                  "download_count", "created_at", "sent_at", "last_viewed_at")


def _dec_range(lo, hi, **kwargs):
    """The service's bounds of a decimal (wrapped: apispec would print a string decimal's bounds as strings,
    which is not valid OpenAPI; the field descriptions say them)."""
    return validate.And(validate.Range(min=lo, max=hi, **kwargs))


# -- schemas (public API) ----------------------------------------------------------------------

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


class Customer(Schema):
    id = fields.String()
    kind = fields.String()
    code = fields.String()
    name = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    address = fields.Dict()
    perimeter_ids = fields.List(fields.String(), metadata={"description": "empty = visible to everyone"})
    contacts = fields.List(fields.Dict())
    created_by = fields.String()
    created_at = fields.String()


class Page(Schema):
    items = fields.List(fields.Dict())
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


class PageQuery(Schema):
    q = fields.String(validate=validate.Length(max=200))
    limit = fields.Integer(validate=validate.Range(min=1, max=200))
    offset = fields.Integer(validate=validate.Range(min=0))


class CustomerQuery(PageQuery):
    kind = fields.String(validate=validate.OneOf(["company", "person"]))
    perimeter_id = fields.String(validate=ID, metadata={"description": "only the customers of this perimeter"})
    sort = fields.String(validate=validate.OneOf(["name", "-name", "code", "-code", "created_at", "-created_at"]),
                         metadata={"description": "default name; -key sorts descending"})


class PerimetersIn(Schema):
    perimeter_ids = fields.List(fields.String(validate=ID), required=True, validate=validate.Length(max=1000))


class MergeField(Schema):
    key = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,59}$"))
    label = fields.String(validate=validate.Length(max=120))
    type = fields.String(validate=validate.OneOf(["text", "number", "date", "boolean"]))
    required = fields.Boolean()


class ContractTypeIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(validate=validate.OneOf(["contract", "quote"]))
    description = fields.String(validate=validate.Length(max=5000))
    template_html = fields.String(validate=validate.Length(max=500_000),
                                  metadata={"description": "Jinja2 (sandboxed) HTML; variables: contract, customer, "
                                                           "contact, owner, fields (merge fields), custom, lines, "
                                                           "optional_lines, totals, labels"})
    merge_fields = fields.List(fields.Nested(MergeField), validate=validate.Length(max=200))
    locale = fields.String(allow_none=True, validate=validate.OneOf(["fr", "en"]))
    attachments_portal_visible = fields.Boolean(allow_none=True)
    abandon_delay_days = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=3650))


class ContractTypePatch(ContractTypeIn):
    class Meta:
        exclude = ("kind",)

    name = fields.String(validate=validate.Length(min=1, max=200))
    archived = fields.Boolean()


class LineIn(Schema):
    product_code = fields.String(allow_none=True, validate=validate.Length(max=64))
    description = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    quantity = fields.Decimal(required=True, validate=_dec_range(0, 10**9),
                              metadata={"description": "0 to 1e9"}, **DEC)
    unit = fields.String(allow_none=True, validate=validate.Length(max=20))
    unit_price = fields.Decimal(required=True, validate=_dec_range(-(10**10), 10**10),
                                metadata={"description": "-1e10 to 1e10, 2 decimals"}, **DEC)
    discount_pct = fields.Decimal(validate=_dec_range(0, 100),
                                  metadata={"description": "percent, 0 to 100"}, **DEC)
    tax_rate = fields.Decimal(validate=_dec_range(0, 100),
                              metadata={"description": "percent, 0 to 100"}, **DEC)
    optional = fields.Boolean(metadata={"description": "optional product: not in the totals unless selected"})
    selected = fields.Boolean()


class TotalsIn(Schema):
    lines = fields.List(fields.Nested(LineIn), validate=validate.Length(max=1000))


class TaxByRate(Schema):
    rate = fields.String()
    base = fields.String()
    tax = fields.String()


class Totals(Schema):
    subtotal = fields.String()
    tax_total = fields.String()
    total = fields.String()
    taxes = fields.List(fields.Nested(TaxByRate), metadata={"description": "by tax rate, on the summed bases"})
    optional_total = fields.String(metadata={"description": "optional products not selected (excl. tax)"})
    line_amounts = fields.List(fields.String(), metadata={"description": "each line's net amount, in order"})


class ContractIn(Schema):
    kind = fields.String(validate=validate.OneOf(["contract", "quote"]))
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    customer_id = fields.String(allow_none=True, validate=ID, metadata={"description": "the account"})
    contact_id = fields.String(allow_none=True, validate=ID, metadata={"description": "or one of its contacts"})
    contract_type_id = fields.String(allow_none=True, validate=ID)
    owner_id = fields.String(allow_none=True, validate=ID, metadata={"description": "assigned salesperson"})
    currency = fields.String(allow_none=True, validate=validate.Regexp(r"^[A-Z]{3}$"))
    locale = fields.String(allow_none=True, validate=validate.OneOf(["fr", "en"]))
    data = fields.Dict(metadata={"description": "merge field values"})
    custom = fields.Dict(metadata={"description": "custom column values"})
    flags = fields.List(fields.String(validate=validate.Length(max=60)), validate=validate.Length(max=50))
    notes = fields.String(validate=validate.Length(max=20000))
    deal_ref = fields.String(allow_none=True, validate=validate.Length(max=120))
    deal_id = fields.String(allow_none=True, validate=ID,
                            metadata={"description": "the deal it belongs to: of the same customer (alone, it "
                                                     "gives the customer); null on PATCH leaves the deal"})
    valid_until = fields.Date(allow_none=True)
    lines = fields.List(fields.Nested(LineIn), validate=validate.Length(max=1000))


class ContractPatch(ContractIn):
    class Meta:
        exclude = ("kind", "customer_id", "contract_type_id")

    title = fields.String(validate=validate.Length(min=1, max=300))
    owner_id = fields.String(validate=ID, metadata={"description": "assigned salesperson"})
    currency = fields.String(validate=validate.Regexp(r"^[A-Z]{3}$"))
    locale = fields.String(validate=validate.OneOf(["fr", "en"]))
    expected_version = fields.Integer(validate=validate.Range(min=1))


class ContractOut(Schema):
    id = fields.String()
    kind = fields.String()
    number = fields.String()
    title = fields.String()
    status = fields.String()
    customer_id = fields.String()
    customer_name = fields.String()
    owner_id = fields.String()
    subtotal = fields.String()
    tax_total = fields.String()
    total = fields.String()
    lines = fields.List(fields.Dict())
    attachments = fields.List(fields.Dict())
    milestones = fields.List(fields.Dict())
    portal = fields.Dict(metadata={"description": "what is visible on the customer portal"})
    view_count = fields.Integer()
    download_count = fields.Integer()
    version = fields.Integer()


class ContractQuery(Schema):
    kind = fields.String(validate=validate.OneOf(["contract", "quote", "order", "invoice"]))
    status = fields.String(validate=validate.Length(max=16))
    customer_id = fields.String(validate=ID)
    owner_id = fields.String(validate=ID)
    contract_type_id = fields.String(validate=ID)
    deal_id = fields.String(validate=ID, metadata={"description": "the documents of this deal"})
    custom_column = fields.String(validate=validate.Length(max=60),
                                  metadata={"description": "with `custom_value`: that custom column has that value"})
    custom_value = fields.String(validate=validate.Length(max=2000))
    flag = fields.String(validate=validate.Length(max=60))
    q = fields.String(validate=validate.Length(max=200))
    sort = fields.String(validate=validate.OneOf([f"{sign}{key}" for key in LIST_SORT_KEYS for sign in ("", "-")]),
                         metadata={"description": "a column, `-` first for descending (default: newest first): "
                                                  + ", ".join(LIST_SORT_KEYS)})
    viewed_since = fields.AwareDateTime(default_timezone=timezone.utc, metadata={
        "description": "only those the customer viewed online since then, most recently viewed first"})
    limit = fields.Integer(validate=validate.Range(min=1, max=200))
    offset = fields.Integer(validate=validate.Range(min=0, max=10_000_000))
    with_total = fields.Boolean()


DEAL_STAGES = ("prospecting", "qualification", "proposal", "negotiation", "won", "lost")
DEAL_SORT_KEYS = ("title", "customer_name", "stage", "amount", "owner_name", "expected_close_date", "created_at",
                  "updated_at")


class DealIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    customer_id = fields.String(required=True, validate=ID)
    stage = fields.String(validate=validate.OneOf(DEAL_STAGES), metadata={"description": "default prospecting"})
    amount = fields.Decimal(allow_none=True, places=2, validate=_dec_range(0, 10**12, max_inclusive=False),
                            metadata={"description": "expected amount excl. tax, 0 to under 1e12"}, **DEC)
    currency = fields.String(allow_none=True, validate=validate.Regexp(r"^[A-Z]{3}$"),
                             metadata={"description": "default: the customer's, else the license's"})
    owner_id = fields.String(allow_none=True, validate=ID, metadata={"description": "default: you"})
    expected_close_date = fields.Date(allow_none=True)
    notes = fields.String(validate=validate.Length(max=20000))


class DealPatch(DealIn):
    class Meta:
        exclude = ("customer_id",)

    title = fields.String(validate=validate.Length(min=1, max=300))
    currency = fields.String(validate=validate.Regexp(r"^[A-Z]{3}$"))
    owner_id = fields.String(validate=ID)
    expected_version = fields.Integer(validate=validate.Range(min=1),
                                      metadata={"description": "refuse the change if the deal changed since"})


class Deal(Schema):
    id = fields.String()
    title = fields.String()
    stage = fields.String(metadata={"enum": list(DEAL_STAGES)})
    customer_id = fields.String()
    customer_name = fields.String()
    amount = fields.String(allow_none=True)
    currency = fields.String()
    expected_close_date = fields.String(allow_none=True)
    owner_id = fields.String()
    owner_name = fields.String()
    notes = fields.String()
    created_at = fields.String()
    updated_at = fields.String()
    version = fields.Integer()
    documents = fields.Dict(metadata={"description": "quote, contract, order, invoice: {count, total}"})


class DealQuery(Schema):
    q = fields.String(validate=validate.Length(max=200), metadata={"description": "in the title or customer name"})
    stage = fields.String(validate=validate.OneOf(DEAL_STAGES))
    owner_id = fields.String(validate=ID)
    customer_id = fields.String(validate=ID)
    sort = fields.String(validate=validate.OneOf([f"{sign}{key}" for key in DEAL_SORT_KEYS for sign in ("", "-")]),
                         metadata={"description": "a column, `-` first for descending (default -updated_at): "
                                                  + ", ".join(DEAL_SORT_KEYS)})
    limit = fields.Integer(validate=validate.Range(min=1, max=200))
    offset = fields.Integer(validate=validate.Range(min=0, max=10_000_000))


class StatusIn(Schema):
    status = fields.String(required=True, validate=validate.Length(min=1, max=16))
    reason = fields.String(allow_none=True, validate=validate.Length(max=2000))


class SendIn(Schema):
    contact_id = fields.String(allow_none=True, validate=ID)
    reminder = fields.Boolean()


class ConvertIn(Schema):
    target = fields.String(required=True, validate=validate.OneOf(["order", "invoice"]))


class AttachmentIn(Schema):
    filename = fields.String(required=True, validate=validate.Length(min=1, max=255))
    content_type = fields.String(allow_none=True, validate=validate.Length(max=120))
    content_base64 = fields.String(required=True)
    portal_visible = fields.Boolean(allow_none=True)
    folder = fields.String(validate=validate.Length(max=200))


class AssetIn(Schema):
    filename = fields.String(required=True, validate=validate.Length(min=1, max=255))
    content_type = fields.String(allow_none=True, validate=validate.Length(max=120))
    content_base64 = fields.String(required=True)


class AttachmentPatch(Schema):
    portal_visible = fields.Boolean()
    folder = fields.String(validate=validate.Length(max=200))
    filename = fields.String(validate=validate.Length(min=1, max=255))


class PortalVisibilityIn(Schema):
    attachments = fields.Boolean()
    milestones = fields.Boolean()
    folder = fields.String(allow_none=True, validate=validate.Length(max=200),
                           metadata={"description": "with attachments: only the attachments of this folder "
                                                    "(\"\" = those outside any folder)"})


class MilestoneIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    description = fields.String(validate=validate.Length(max=5000))
    due_date = fields.Date(allow_none=True)
    portal_visible = fields.Boolean()
    done = fields.Boolean()


class MilestonePatch(MilestoneIn):
    title = fields.String(validate=validate.Length(min=1, max=300))


class TaskIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    due_date = fields.Date(allow_none=True)
    assignee_id = fields.String(allow_none=True, validate=ID)


class TaskQuery(Schema):
    assignee = fields.String(validate=validate.Length(min=1, max=36), metadata={"description": "'me' or a user id"})
    due_before = fields.Date(metadata={"description": "due on or before this day (overdue included)"})
    done = fields.Boolean(metadata={"description": "default false: open tasks"})
    limit = fields.Integer(validate=validate.Range(min=1, max=200))
    offset = fields.Integer(validate=validate.Range(min=0, max=10_000_000))


class TaskPage(Schema):
    items = fields.List(fields.Dict(), metadata={"description": "tasks, each with its contract: id, kind, number, "
                                                               "title, customer_name"})
    limit = fields.Integer()
    offset = fields.Integer()


class TaskPatch(TaskIn):
    title = fields.String(validate=validate.Length(min=1, max=300))
    done = fields.Boolean()


EQUIPMENT_STATUSES = ["in_service", "retired"]


class EquipmentIn(Schema):
    description = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    product_code = fields.String(allow_none=True, validate=validate.Length(max=64))
    serial_number = fields.String(allow_none=True, validate=validate.Length(max=100))
    quantity = fields.Decimal(validate=_dec_range(0, 10**9, min_inclusive=False), metadata={"description": "more than 0, up to 1e9; default 1"}, **DEC)
    installed_on = fields.Date(allow_none=True)
    warranty_until = fields.Date(allow_none=True, metadata={"description": "not before installed_on"})
    status = fields.String(validate=validate.OneOf(EQUIPMENT_STATUSES), metadata={"description": "default in_service"})
    notes = fields.String(validate=validate.Length(max=5000))


class EquipmentPatch(EquipmentIn):
    description = fields.String(validate=validate.Length(min=1, max=5000))


class EquipmentQuery(Schema):
    status = fields.String(validate=validate.OneOf(EQUIPMENT_STATUSES))


class EquipmentFromContract(Schema):
    line_ids = fields.List(fields.String(validate=ID), allow_none=True, validate=validate.Length(min=1, max=1000),
                           metadata={"description": "default: every taken line with a product code"})
    installed_on = fields.Date(allow_none=True)
    warranty_until = fields.Date(allow_none=True, metadata={"description": "not before installed_on"})


class EquipmentSource(Schema):
    contract_id = fields.String()
    number = fields.String()
    line_id = fields.String(allow_none=True)


class Equipment(Schema):
    id = fields.String()
    customer_id = fields.String()
    product_code = fields.String(allow_none=True)
    description = fields.String()
    serial_number = fields.String(allow_none=True)
    quantity = fields.String()
    installed_on = fields.Date(allow_none=True)
    warranty_until = fields.Date(allow_none=True)
    under_warranty = fields.Boolean()
    status = fields.String(metadata={"enum": EQUIPMENT_STATUSES})
    notes = fields.String()
    source = fields.Nested(EquipmentSource, allow_none=True,
                           metadata={"description": "the order/invoice line it was recorded from"})
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class EquipmentBase(Schema):
    customer_id = fields.String()
    customer_name = fields.String()
    items = fields.List(fields.Nested(Equipment))


class EquipmentRecorded(Schema):
    customer_id = fields.String()
    contract_id = fields.String()
    created = fields.List(fields.Nested(Equipment))
    already_recorded = fields.Integer(metadata={"description": "lines asked for that were recorded before"})


class ColumnIn(Schema):
    key = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,59}$"))
    label = fields.String(required=True, validate=validate.Length(min=1, max=120))
    type = fields.String(required=True, validate=validate.OneOf(["text", "number", "date", "boolean", "choice"]))
    choices = fields.List(fields.String(validate=validate.Length(max=120)), validate=validate.Length(max=100))
    position = fields.Integer()


class ColumnPatch(Schema):
    label = fields.String(validate=validate.Length(min=1, max=120))
    choices = fields.List(fields.String(validate=validate.Length(max=120)), validate=validate.Length(max=100))
    position = fields.Integer()


class FlagIn(Schema):
    key = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,59}$"))
    label = fields.String(required=True, validate=validate.Length(min=1, max=120))
    color = fields.String(validate=validate.Regexp(r"^#[0-9a-fA-F]{6}$"))


class FlagPatch(Schema):
    label = fields.String(validate=validate.Length(min=1, max=120))
    color = fields.String(validate=validate.Regexp(r"^#[0-9a-fA-F]{6}$"))


class AbandonIn(Schema):
    now = fields.AwareDateTime(allow_none=True, metadata={"description": "run as of this time (tests/ops)"})


def _json(data: dict) -> dict:
    """Dates and decimals as JSON for the RPC."""
    out = {}
    for key, value in data.items():
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif key == "lines" and isinstance(value, list):
            value = [_json(line) for line in value]
        elif value.__class__.__name__ == "Decimal":
            value = str(value)
        out[key] = value
    return out


def _binary(result: dict, inline: bool = False) -> Response:
    content = base64.b64decode(result["content_base64"])
    disposition = "inline" if inline else "attachment"
    resp = Response(content, mimetype=result.get("content_type") or "application/octet-stream")
    resp.headers["Content-Disposition"] = f'{disposition}; filename="{result["filename"]}"'
    if result.get("sha256"):
        resp.headers["ETag"] = f'"{result["sha256"]}"'
        resp.headers["X-Content-SHA256"] = result["sha256"]
    return resp


# -- customers and contacts -----------------------------------------------------------------------

@route(bp, "/customers", ["GET"], query=CustomerQuery, response=Page, roles=STAFF, tags=["customers"])
def list_customers(actor, query):
    """Customers visible to you (your perimeters, plus customers without perimeter)."""
    return call("contracts", "list_customers", actor, query)


@route(bp, "/customers", ["POST"], body=CustomerIn, response=Customer, roles=STAFF, status=201, tags=["customers"])
def create_customer(actor, body):
    """Create a customer (company or person), optionally with contacts; it inherits your perimeters."""
    return call("contracts", "create_customer", actor, _json(body))


@route(bp, "/customers/<customer_id>", ["GET"], response=Customer, roles=STAFF, tags=["customers"])
def get_customer(actor, customer_id):
    """A customer file with its contacts and perimeters."""
    return call("contracts", "get_customer", actor, customer_id)


@route(bp, "/customers/<customer_id>", ["PATCH"], body=CustomerPatch, response=Customer, roles=STAFF,
       tags=["customers"])
def update_customer(actor, customer_id, body):
    """Edit a customer file."""
    return call("contracts", "update_customer", actor, customer_id, _json(body))


@route(bp, "/customers/<customer_id>/perimeters", ["PUT"], body=PerimetersIn, roles=MANAGERS, tags=["customers"])
def set_customer_perimeters(actor, customer_id, body):
    """Set a customer's perimeters (front user managers and license admins)."""
    return call("contracts", "set_customer_perimeters", actor, customer_id, body)


@route(bp, "/customers/<customer_id>/contacts", ["POST"], body=ContactIn, roles=STAFF, status=201, tags=["customers"])
def add_contact(actor, customer_id, body):
    """Add a contact to a customer."""
    return call("contracts", "add_contact", actor, customer_id, body)


@route(bp, "/customers/<customer_id>/history", ["GET"], roles=STAFF, tags=["customers"])
def customer_history(actor, customer_id):
    """Changes of the customer file and its contacts, newest first: by staff, or by the customer's portal
    clients themselves (actor_kind client)."""
    return call("contracts", "customer_history", actor, customer_id)


@route(bp, "/contacts/<contact_id>", ["GET"], roles=STAFF, tags=["customers"])
def get_contact(actor, contact_id):
    """A contact."""
    return call("contracts", "get_contact", actor, contact_id)


@route(bp, "/contacts/<contact_id>", ["PATCH"], body=ContactPatch, roles=STAFF, tags=["customers"])
def update_contact(actor, contact_id, body):
    """Edit a contact."""
    return call("contracts", "update_contact", actor, contact_id, body)


@route(bp, "/contacts/<contact_id>", ["DELETE"], roles=STAFF, tags=["customers"], status=204)
def delete_contact(actor, contact_id):
    """Remove a contact."""
    call("contracts", "delete_contact", actor, contact_id)
    return None


# -- deals ----------------------------------------------------------------------------------------

@route(bp, "/deals", ["GET"], query=DealQuery, response=Page, roles=STAFF, tags=["deals"])
def list_deals(actor, query):
    """Deals (sales opportunities) of the customers you can see."""
    return call("contracts", "list_deals", actor, _json(query))


@route(bp, "/deals", ["POST"], body=DealIn, response=Deal, roles=STAFF, status=201, tags=["deals"])
def create_deal(actor, body):
    """Open a deal for a customer; its quotes, orders and invoices then carry its `deal_id`."""
    return call("contracts", "create_deal", actor, _json(body))


@route(bp, "/deals/<deal_id>", ["GET"], response=Deal, roles=STAFF, tags=["deals"])
def get_deal(actor, deal_id):
    """A deal with the count and total of its quotes, contracts, orders and invoices
    (the documents themselves: `GET /contracts?deal_id=`)."""
    return call("contracts", "get_deal", actor, deal_id)


@route(bp, "/deals/<deal_id>", ["PATCH"], body=DealPatch, response=Deal, roles=STAFF, tags=["deals"])
def update_deal(actor, deal_id, body):
    """Move a deal to another stage, change its amount, owner, close date or title."""
    return call("contracts", "update_deal", actor, deal_id, _json(body))


@route(bp, "/deals/<deal_id>", ["DELETE"], roles=STAFF, tags=["deals"], status=204)
def delete_deal(actor, deal_id):
    """Delete a deal opened by mistake; one with quotes, contracts, orders or invoices is closed instead (409)."""
    call("contracts", "delete_deal", actor, deal_id)
    return None


# -- contract types -------------------------------------------------------------------------------

@route(bp, "/contract-types", ["GET"], roles=STAFF, tags=["contract types"])
def list_contract_types(actor):
    """Contract types (models) visible to you."""
    return call("contracts", "list_contract_types", actor, request.args.get("archived") == "true")


@route(bp, "/contract-types", ["POST"], body=ContractTypeIn, roles=MANAGERS, status=201, tags=["contract types"])
def create_contract_type(actor, body):
    """Create a contract type with its HTML template and merge fields."""
    return call("contracts", "create_contract_type", actor, body)


@route(bp, "/contract-types/<type_id>", ["GET"], roles=STAFF, tags=["contract types"])
def get_contract_type(actor, type_id):
    """A contract type with its template."""
    return call("contracts", "get_contract_type", actor, type_id)


@route(bp, "/contract-types/<type_id>", ["PATCH"], body=ContractTypePatch, roles=MANAGERS, tags=["contract types"])
def update_contract_type(actor, type_id, body):
    """Edit a contract type (the template is checked before it is saved)."""
    return call("contracts", "update_contract_type", actor, type_id, body)


@route(bp, "/contract-types/<type_id>/perimeters", ["PUT"], body=PerimetersIn, roles=ADMIN, tags=["contract types"])
def set_contract_type_perimeters(actor, type_id, body):
    """Set the perimeters of a contract type (none = available to everyone)."""
    return call("contracts", "set_contract_type_perimeters", actor, type_id, body)


# -- contracts and quotes -------------------------------------------------------------------------

def _list(actor, query, kind=None):
    params = _json(query)
    if kind:
        params["kind"] = kind
    return call("contracts", "list_contracts", actor, params)


@route(bp, "/contracts", ["GET"], query=ContractQuery, response=Page, roles=STAFF, tags=["contracts"])
def list_contracts(actor, query):
    """Contracts, quotes, orders and invoices of customers you can see."""
    return _list(actor, query)


@route(bp, "/quotes", ["GET"], query=ContractQuery, response=Page, roles=STAFF, tags=["quotes"])
def list_quotes(actor, query):
    """Quotes, with how many times each was viewed and downloaded online."""
    return _list(actor, query, "quote")


@route(bp, "/contracts", ["POST"], body=ContractIn, response=ContractOut, roles=STAFF, status=201, tags=["contracts"])
def create_contract(actor, body):
    """Create a contract or a quote for a customer (from the account, a contact or a deal)."""
    return call("contracts", "create_contract", actor, _json(body), timeout=20)


@route(bp, "/quotes", ["POST"], body=ContractIn, response=ContractOut, roles=STAFF, status=201, tags=["quotes"])
def create_quote(actor, body):
    """Create a quote with product lines and optional products."""
    return call("contracts", "create_contract", actor, {**_json(body), "kind": "quote"}, timeout=20)


@route(bp, "/quotes/totals", ["POST"], body=TotalsIn, response=Totals, roles=STAFF, tags=["quotes"])
def quote_totals(actor, body):
    """The totals of lines as a saved quote would have them (optional products count only when selected,
    taxes by rate), without saving anything: a quote editor shows them while lines are typed."""
    return call("contracts", "compute_totals", actor, _json(body))


@route(bp, "/contracts/<contract_id>", ["GET"], response=ContractOut, roles=STAFF, tags=["contracts"])
def get_contract(actor, contract_id):
    """A contract or quote with lines, totals, attachments, milestones, tasks and portal visibility."""
    return call("contracts", "get_contract", actor, contract_id)


@route(bp, "/contracts/<contract_id>", ["PATCH"], body=ContractPatch, response=ContractOut, roles=STAFF,
       tags=["contracts"])
def update_contract(actor, contract_id, body):
    """Edit a contract; `expected_version` refuses the change if someone else changed it meanwhile."""
    return call("contracts", "update_contract", actor, contract_id, _json(body), timeout=20)


@route(bp, "/contracts/<contract_id>/status", ["POST"], body=StatusIn, response=ContractOut, roles=STAFF,
       tags=["contracts"])
def change_status(actor, contract_id, body):
    """Move a contract through its lifecycle (draft, sent, signed/accepted, validated, refused, abandoned)."""
    return call("contracts", "change_status", actor, contract_id, body)


@route(bp, "/contracts/<contract_id>/mark-sent", ["POST"], body=SendIn, response=ContractOut, roles=STAFF,
       tags=["contracts"])
def mark_sent(actor, contract_id, body):
    """Record that the document was sent to the customer outside Paraph (or a reminder was)."""
    return call("contracts", "mark_sent", actor, contract_id, body)


@route(bp, "/contracts/<contract_id>/duplicate", ["POST"], response=ContractOut, roles=STAFF, status=201,
       tags=["contracts"])
def duplicate(actor, contract_id):
    """Duplicate a contract or quote (new number, draft)."""
    return call("contracts", "duplicate", actor, contract_id)


@route(bp, "/contracts/<contract_id>/convert", ["POST"], body=ConvertIn, response=ContractOut, roles=STAFF,
       status=201, tags=["quotes"])
def convert(actor, contract_id, body):
    """Create a customer order or an invoice from a quote."""
    return call("contracts", "convert", actor, contract_id, body)


@route(bp, "/contracts/<contract_id>/history", ["GET"], roles=STAFF, tags=["contracts"])
def history(actor, contract_id):
    """Every change of the contract, with who and when (online views and downloads included)."""
    return call("contracts", "history", actor, contract_id)


@route(bp, "/contracts/<contract_id>/pdf", ["GET"], roles=STAFF, tags=["contracts"],
       responses={200: "application/pdf"})
def download_pdf(actor, contract_id):
    """The contract's PDF (rendered from its type's template)."""
    return _binary(call("contracts", "download_pdf", actor, contract_id, timeout=60),
                   inline=request.args.get("inline") == "1")


@route(bp, "/contracts/<contract_id>/attachments", ["POST"], roles=STAFF, status=201, tags=["attachments"],
       raw_body=True, description="multipart/form-data with `file` (and optional `portal_visible`, `folder`), "
                                  "or JSON {filename, content_type, content_base64, portal_visible, folder}")
def add_attachment(actor, contract_id):
    """Attach a document to a contract (size and type limits apply)."""
    payload = _upload(AttachmentIn, portal_visible=lambda v: None if v is None else v.lower() in ("1", "true", "yes"),
                      folder=lambda v: v or "")
    return call("contracts", "add_attachment", actor, contract_id, payload, timeout=60), 201


def _upload(json_schema, **form_fields) -> dict:
    """The RPC payload of a file upload: multipart/form-data with a ``file`` field (plus ``form_fields``:
    name -> conversion of the form value, None when absent), or a JSON body loaded with ``json_schema``."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise InvalidInput("Send the file in a form field named 'file'.",
                               {"fields": {"file": ["Missing data for required field."]}})
        return {"filename": upload.filename, "content_type": upload.mimetype,
                "content_base64": base64.b64encode(upload.read()).decode(),
                **{name: convert(request.form.get(name)) for name, convert in form_fields.items()}}
    if request.is_json:
        from ..routing import json_body
        return json_schema().load(json_body())
    raise BadRequest("Send multipart/form-data with a 'file' field, or JSON with content_base64.")


# -- assets: images templates embed by id (the PDF renderer fetches nothing else) ------------------

@route(bp, "/assets", ["POST"], roles=MANAGERS, status=201, tags=["assets"], raw_body=True,
       description="multipart/form-data with `file`, or JSON {filename, content_type, content_base64}")
def upload_asset(actor):
    """Upload an image (PNG or JPEG, 1 MB by default) for contract-type templates, e.g. the company logo:
    a template shows it with `<img src="paraph-asset:<id>">` (the `url` of the result)."""
    return call("contracts", "upload_asset", actor, _upload(AssetIn), timeout=60), 201


@route(bp, "/assets", ["GET"], roles=STAFF, tags=["assets"])
def list_assets(actor):
    """The images uploaded for your license's templates."""
    return call("contracts", "list_assets", actor)


@route(bp, "/assets/<asset_id>", ["GET"], roles=STAFF, tags=["assets"])
def download_asset(actor, asset_id):
    """Download an image uploaded for templates."""
    return _binary(call("contracts", "get_asset", actor, asset_id, timeout=60))


@route(bp, "/assets/<asset_id>", ["DELETE"], roles=MANAGERS, tags=["assets"], status=204)
def delete_asset(actor, asset_id):
    """Delete an image; templates still naming it fail to render until they are changed."""
    call("contracts", "delete_asset", actor, asset_id)
    return None


@route(bp, "/attachments/<attachment_id>", ["GET"], roles=STAFF, tags=["attachments"])
def download_attachment(actor, attachment_id):
    """Download an attachment."""
    return _binary(call("contracts", "get_attachment", actor, attachment_id, timeout=60))


@route(bp, "/attachments/<attachment_id>", ["PATCH"], body=AttachmentPatch, roles=STAFF, tags=["attachments"])
def update_attachment(actor, attachment_id, body):
    """Show or hide an attachment on the customer portal; rename or move it."""
    return call("contracts", "update_attachment", actor, attachment_id, body)


@route(bp, "/attachments/<attachment_id>", ["DELETE"], roles=STAFF, tags=["attachments"], status=204)
def delete_attachment(actor, attachment_id):
    """Delete an attachment."""
    call("contracts", "delete_attachment", actor, attachment_id)
    return None


@route(bp, "/contracts/<contract_id>/portal-visibility", ["PUT"], body=PortalVisibilityIn, roles=STAFF,
       tags=["attachments"])
def set_portal_visibility(actor, contract_id, body):
    """Show or hide all attachments (or those of one folder) and/or milestones of a contract on the portal."""
    return call("contracts", "set_portal_visibility", actor, contract_id, body)


@route(bp, "/contracts/<contract_id>/milestones", ["POST"], body=MilestoneIn, roles=STAFF, status=201,
       tags=["milestones"])
def add_milestone(actor, contract_id, body):
    """Add a milestone (visible on the portal by default)."""
    return call("contracts", "add_milestone", actor, contract_id, _json(body))


@route(bp, "/milestones/<milestone_id>", ["PATCH"], body=MilestonePatch, roles=STAFF, tags=["milestones"])
def update_milestone(actor, milestone_id, body):
    """Edit a milestone, mark it done, show or hide it on the portal."""
    return call("contracts", "update_milestone", actor, milestone_id, _json(body))


@route(bp, "/milestones/<milestone_id>", ["DELETE"], roles=STAFF, tags=["milestones"], status=204)
def delete_milestone(actor, milestone_id):
    """Delete a milestone."""
    call("contracts", "delete_milestone", actor, milestone_id)
    return None


@route(bp, "/contracts/<contract_id>/tasks", ["POST"], body=TaskIn, roles=STAFF, status=201, tags=["tasks"])
def add_task(actor, contract_id, body):
    """Create a task on a contract or quote."""
    return call("contracts", "add_task", actor, contract_id, _json(body))


@route(bp, "/tasks", ["GET"], query=TaskQuery, response=TaskPage, roles=STAFF, tags=["tasks"])
def list_tasks(actor, query):
    """Open tasks on contracts and quotes of customers you can see, soonest due first
    (``assignee=me&due_before=<today>``: my tasks due today or overdue)."""
    return call("contracts", "list_tasks", actor, _json(query))


@route(bp, "/tasks/<task_id>", ["PATCH"], body=TaskPatch, roles=STAFF, tags=["tasks"])
def update_task(actor, task_id, body):
    """Edit or complete a task."""
    return call("contracts", "update_task", actor, task_id, _json(body))


# -- equipment base (parc matériel) --------------------------------------------------------------

@route(bp, "/customers/<customer_id>/equipment", ["GET"], query=EquipmentQuery, response=EquipmentBase, roles=STAFF,
       tags=["equipment"])
def list_equipment(actor, customer_id, query):
    """A customer's equipment base: what is installed at the customer, with serial numbers and warranty."""
    return call("contracts", "list_equipment", actor, customer_id, query)


@route(bp, "/customers/<customer_id>/equipment", ["POST"], body=EquipmentIn, response=Equipment, roles=STAFF,
       status=201, tags=["equipment"])
def add_equipment(actor, customer_id, body):
    """Add an item to a customer's equipment base by hand."""
    return call("contracts", "add_equipment", actor, customer_id, _json(body))


@route(bp, "/equipment/<equipment_id>", ["PATCH"], body=EquipmentPatch, response=Equipment, roles=STAFF,
       tags=["equipment"])
def update_equipment(actor, equipment_id, body):
    """Edit an item (serial number, dates, notes) or retire it."""
    return call("contracts", "update_equipment", actor, equipment_id, _json(body))


@route(bp, "/equipment/<equipment_id>", ["DELETE"], roles=STAFF, tags=["equipment"], status=204)
def delete_equipment(actor, equipment_id):
    """Remove an item entered by mistake (retire it instead to keep its history)."""
    call("contracts", "delete_equipment", actor, equipment_id)
    return None


@route(bp, "/contracts/<contract_id>/equipment", ["GET"], query=EquipmentQuery, response=EquipmentBase, roles=STAFF,
       tags=["equipment"])
def contract_equipment(actor, contract_id, query):
    """The equipment base of a quote's or contract's customer, opened from the quote."""
    return call("contracts", "contract_equipment", actor, contract_id, query)


@route(bp, "/contracts/<contract_id>/equipment", ["POST"], body=EquipmentFromContract, response=EquipmentRecorded,
       roles=STAFF, tags=["equipment"])
def record_equipment(actor, contract_id, body):
    """Record what the customer bought in its equipment base: the taken lines (not optional, or optional and
    selected) of a confirmed or delivered order, an issued or paid invoice, a signed contract or an accepted
    quote; by default every such line with a product code. Lines already recorded are skipped."""
    return call("contracts", "record_equipment", actor, contract_id, _json(body))


# -- back office settings: custom columns and flags -----------------------------------------------

@route(bp, "/settings/columns", ["GET"], roles=STAFF, tags=["settings"])
def list_columns(actor):
    """Editable custom columns of contracts."""
    return call("contracts", "list_columns", actor)


@route(bp, "/settings/columns", ["POST"], body=ColumnIn, roles=ADMIN, status=201, tags=["settings"])
def create_column(actor, body):
    """Add a custom column (text, number, date, boolean or choice)."""
    return call("contracts", "create_column", actor, body)


@route(bp, "/settings/columns/<column_id>", ["PATCH"], body=ColumnPatch, roles=ADMIN, tags=["settings"])
def update_column(actor, column_id, body):
    """Rename or reorder a custom column."""
    return call("contracts", "update_column", actor, column_id, body)


@route(bp, "/settings/columns/<column_id>", ["DELETE"], roles=ADMIN, tags=["settings"], status=204)
def delete_column(actor, column_id):
    """Delete a custom column."""
    call("contracts", "delete_column", actor, column_id)
    return None


@route(bp, "/settings/flags", ["GET"], roles=STAFF, tags=["settings"])
def list_flags(actor):
    """Flags usable on contracts."""
    return call("contracts", "list_flags", actor)


@route(bp, "/settings/flags", ["POST"], body=FlagIn, roles=ADMIN, status=201, tags=["settings"])
def create_flag(actor, body):
    """Create a flag."""
    return call("contracts", "create_flag", actor, body)


@route(bp, "/settings/flags/<flag_id>", ["PATCH"], body=FlagPatch, roles=ADMIN, tags=["settings"])
def update_flag(actor, flag_id, body):
    """Edit a flag."""
    return call("contracts", "update_flag", actor, flag_id, body)


@route(bp, "/settings/flags/<flag_id>", ["DELETE"], roles=ADMIN, tags=["settings"])
def delete_flag(actor, flag_id):
    """Delete a flag (removed from the contracts carrying it)."""
    return call("contracts", "delete_flag", actor, flag_id)


@route(bp, "/operator/abandon-scan", ["POST"], body=AbandonIn, public=True, tags=["operator"])
def abandon_scan(body):
    """Run the automatic abandon of unsigned contracts now (operator token)."""
    now = body.get("now")
    return call("contracts", "run_abandon", _operator(), now.isoformat() if now else None, timeout=120)
