"""Marshmallow schemas for contracts' RPC payloads."""
from __future__ import annotations

from datetime import timezone

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from paraph_platform.pagination import PageParams, WholeListPageParams

from .logic import COLUMN_TYPES, MERGE_FIELD_RE, TRANSITIONS, company_id_errors, digits_only

LOCALES = validate.OneOf(["fr", "en"])
CURRENCY = validate.Regexp(r"^[A-Z]{3}$", error="Use a 3-letter ISO currency code.")
ID = validate.Length(min=1, max=64)


class StrictSchema(Schema):
    class Meta:
        unknown = "raise"


class AddressSchema(StrictSchema):
    """The lines of a postal address."""
    line1 = fields.String(validate=validate.Length(max=200))
    line2 = fields.String(validate=validate.Length(max=200))
    postal_code = fields.String(validate=validate.Length(max=20))
    city = fields.String(validate=validate.Length(max=120))
    region = fields.String(validate=validate.Length(max=120))
    country = fields.String(validate=validate.Length(max=120))


class ContactInSchema(StrictSchema):
    first_name = fields.String(load_default="", validate=validate.Length(max=100))
    last_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    department = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    type = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))
    email = fields.Email(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    mobile = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    fax = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    branch = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class ContactPatchSchema(StrictSchema):
    first_name = fields.String(validate=validate.Length(max=100))
    last_name = fields.String(validate=validate.Length(min=1, max=100))
    title = fields.String(allow_none=True, validate=validate.Length(max=100))
    department = fields.String(allow_none=True, validate=validate.Length(max=100))
    type = fields.String(allow_none=True, validate=validate.Length(max=60))
    email = fields.Email(allow_none=True)
    phone = fields.String(allow_none=True, validate=validate.Length(max=40))
    mobile = fields.String(allow_none=True, validate=validate.Length(max=40))
    fax = fields.String(allow_none=True, validate=validate.Length(max=40))
    branch = fields.String(allow_none=True, validate=validate.Length(max=200))


class CustomerInSchema(StrictSchema):
    kind = fields.String(load_default="company", validate=validate.OneOf(["company", "person"]))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    code = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))
    email = fields.Email(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    address = fields.Nested(AddressSchema, load_default=dict)
    vat_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    locale = fields.String(load_default=None, allow_none=True, validate=LOCALES)
    currency = fields.String(load_default=None, allow_none=True, validate=CURRENCY)
    notes = fields.String(load_default="", validate=validate.Length(max=10000))
    contacts = fields.List(fields.Nested(ContactInSchema), load_default=list, validate=validate.Length(max=200))


class CustomerPatchSchema(StrictSchema):
    kind = fields.String(validate=validate.OneOf(["company", "person"]))
    name = fields.String(validate=validate.Length(min=1, max=200))
    code = fields.String(validate=validate.Length(min=1, max=64))
    email = fields.Email(allow_none=True)
    phone = fields.String(allow_none=True, validate=validate.Length(max=40))
    address = fields.Nested(AddressSchema)
    vat_number = fields.String(allow_none=True, validate=validate.Length(max=40))
    locale = fields.String(allow_none=True, validate=LOCALES)
    currency = fields.String(allow_none=True, validate=CURRENCY)
    notes = fields.String(validate=validate.Length(max=10000))


class MergeFieldSchema(StrictSchema):
    key = fields.String(required=True, validate=validate.Regexp(MERGE_FIELD_RE, error="lowercase letters, digits, _"))
    label = fields.String(load_default="", validate=validate.Length(max=120))
    type = fields.String(load_default="text", validate=validate.OneOf(["text", "number", "date", "boolean"]))
    required = fields.Boolean(load_default=False)


class ContractTypeInSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(load_default="contract", validate=validate.OneOf(["contract", "quote"]))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    template_html = fields.String(load_default="", validate=validate.Length(max=500_000))
    merge_fields = fields.List(fields.Nested(MergeFieldSchema), load_default=list, validate=validate.Length(max=200))
    locale = fields.String(load_default=None, allow_none=True, validate=LOCALES)
    attachments_portal_visible = fields.Boolean(load_default=None, allow_none=True)
    abandon_delay_days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=3650))

    @validates_schema
    def _unique_keys(self, data, **kwargs):
        keys = [f["key"] for f in data.get("merge_fields", [])]
        if len(keys) != len(set(keys)):
            raise ValidationError("merge field keys must be unique", "merge_fields")


class TemplateVariablesSchema(StrictSchema):
    locale = fields.String(load_default="en", validate=LOCALES,
                           metadata={"description": "language of the descriptions"})


class AbandonRunSchema(StrictSchema):
    now = fields.AwareDateTime(load_default=None, allow_none=True,
                               metadata={"description": "run as of this time (tests/ops)"})


class ContractTypePatchSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    description = fields.String(validate=validate.Length(max=5000))
    template_html = fields.String(validate=validate.Length(max=500_000))
    merge_fields = fields.List(fields.Nested(MergeFieldSchema), validate=validate.Length(max=200))
    locale = fields.String(allow_none=True, validate=LOCALES)
    attachments_portal_visible = fields.Boolean(allow_none=True)
    abandon_delay_days = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=3650))
    archived = fields.Boolean()


class LineInSchema(StrictSchema):
    product_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    description = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    quantity = fields.Decimal(required=True, places=3, validate=validate.Range(min=0, max=10**9),
                              allow_nan=False, as_string=True)
    unit = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    unit_price = fields.Decimal(required=True, places=2, validate=validate.Range(min=-(10**10), max=10**10),
                                allow_nan=False, as_string=True)
    discount_pct = fields.Decimal(load_default="0", places=2, validate=validate.Range(min=0, max=100),
                                  allow_nan=False, as_string=True)
    tax_rate = fields.Decimal(load_default="0", places=2, validate=validate.Range(min=0, max=100), allow_nan=False,
                              as_string=True)
    optional = fields.Boolean(load_default=False)
    selected = fields.Boolean(load_default=False)


class TotalsInSchema(StrictSchema):
    """Lines whose totals are computed without saving anything (the quote editor's live totals)."""
    lines = fields.List(fields.Nested(LineInSchema), load_default=list, validate=validate.Length(max=1000))


class ContractInSchema(StrictSchema):
    kind = fields.String(load_default="contract", validate=validate.OneOf(["contract", "quote"]))
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    customer_id = fields.String(load_default=None, allow_none=True, validate=ID)
    contact_id = fields.String(load_default=None, allow_none=True, validate=ID)
    contract_type_id = fields.String(load_default=None, allow_none=True, validate=ID)
    owner_id = fields.String(load_default=None, allow_none=True, validate=ID)
    currency = fields.String(load_default=None, allow_none=True, validate=CURRENCY)
    locale = fields.String(load_default=None, allow_none=True, validate=LOCALES)
    data = fields.Dict(keys=fields.String(), load_default=dict)
    custom = fields.Dict(keys=fields.String(), load_default=dict)
    flags = fields.List(fields.String(validate=validate.Length(max=60)), load_default=list,
                        validate=validate.Length(max=50))
    notes = fields.String(load_default="", validate=validate.Length(max=20000))
    deal_ref = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    deal_id = fields.String(load_default=None, allow_none=True, validate=ID,
                            metadata={"description": "the deal it belongs to (same customer)"})
    valid_until = fields.Date(load_default=None, allow_none=True)
    lines = fields.List(fields.Nested(LineInSchema), load_default=list, validate=validate.Length(max=1000))

    @validates_schema
    def _who(self, data, **kwargs):
        if not data.get("customer_id") and not data.get("contact_id") and not data.get("deal_id"):
            raise ValidationError("give the customer (account), one of its contacts or a deal", "customer_id")


class ContractPatchSchema(StrictSchema):
    title = fields.String(validate=validate.Length(min=1, max=300))
    contact_id = fields.String(allow_none=True, validate=ID)
    owner_id = fields.String(validate=ID)
    currency = fields.String(validate=CURRENCY)
    locale = fields.String(validate=LOCALES)
    data = fields.Dict(keys=fields.String())
    custom = fields.Dict(keys=fields.String())
    flags = fields.List(fields.String(validate=validate.Length(max=60)), validate=validate.Length(max=50))
    notes = fields.String(validate=validate.Length(max=20000))
    deal_ref = fields.String(allow_none=True, validate=validate.Length(max=120))
    deal_id = fields.String(allow_none=True, validate=ID, metadata={"description": "null: no deal"})
    valid_until = fields.Date(allow_none=True)
    lines = fields.List(fields.Nested(LineInSchema), validate=validate.Length(max=1000))
    expected_version = fields.Integer(validate=validate.Range(min=1),
                                      metadata={"description": "optimistic concurrency: refuse if changed since"})


class StatusSchema(StrictSchema):
    status = fields.String(required=True, validate=validate.Length(min=1, max=16))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class SendSchema(StrictSchema):
    contact_id = fields.String(load_default=None, allow_none=True, validate=ID)
    reminder = fields.Boolean(load_default=False)


class ConvertSchema(StrictSchema):
    target = fields.String(required=True, validate=validate.OneOf(["order", "invoice"]))


# the columns a list of contracts can be sorted by (the web app's sortable columns)
LIST_SORT_KEYS = ("number", "title", "customer_name", "status", "owner_name", "total", "view_count",
                  "download_count", "created_at", "sent_at", "last_viewed_at")


class ListSchema(StrictSchema, PageParams):
    kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(["contract", "quote", "order",
                                                                                         "invoice"]))
    status = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=16))
    customer_id = fields.String(load_default=None, allow_none=True, validate=ID)
    owner_id = fields.String(load_default=None, allow_none=True, validate=ID)
    contract_type_id = fields.String(load_default=None, allow_none=True, validate=ID)
    deal_id = fields.String(load_default=None, allow_none=True, validate=ID,
                            metadata={"description": "the documents of this deal"})
    custom_column = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60),
                                  metadata={"description": "with `custom_value`: that custom column has that value"})
    custom_value = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    flag = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))
    q = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    sort = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(
        [f"{sign}{key}" for key in LIST_SORT_KEYS for sign in ("", "-")]),
        metadata={"description": "a column, '-' first for descending; default: newest first"})
    viewed_since = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=timezone.utc,
                                        metadata={"description": "only those the customer viewed online since "
                                                                 "then, most recently viewed first"})
    with_total = fields.Boolean(load_default=False, metadata={
        "description": "deprecated alias of count (before cursors it defaulted to true)", "deprecated": True})


# a deal's stages, in the order a deal moves through them (won and lost close it)
DEAL_STAGES = ("prospecting", "qualification", "proposal", "negotiation", "won", "lost")
DEAL_SORT_KEYS = ("title", "customer_name", "stage", "amount", "owner_name", "expected_close_date", "created_at",
                  "updated_at")
# below 1e12 once rounded to the cent: what the amount column (numeric(14, 2)) holds
AMOUNT = validate.Range(min=0, max=10**12, max_inclusive=False)


class DealInSchema(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    customer_id = fields.String(required=True, validate=ID)
    stage = fields.String(load_default="prospecting", validate=validate.OneOf(DEAL_STAGES))
    amount = fields.Decimal(load_default=None, allow_none=True, places=2, as_string=True, allow_nan=False,
                            validate=AMOUNT, metadata={"description": "expected amount excl. tax, 0 to under 1e12"})
    currency = fields.String(load_default=None, allow_none=True, validate=CURRENCY)
    owner_id = fields.String(load_default=None, allow_none=True, validate=ID,
                             metadata={"description": "default: you"})
    expected_close_date = fields.Date(load_default=None, allow_none=True)
    notes = fields.String(load_default="", validate=validate.Length(max=20000))


class DealPatchSchema(StrictSchema):
    title = fields.String(validate=validate.Length(min=1, max=300))
    stage = fields.String(validate=validate.OneOf(DEAL_STAGES))
    amount = fields.Decimal(allow_none=True, places=2, as_string=True, allow_nan=False, validate=AMOUNT)
    currency = fields.String(validate=CURRENCY)
    owner_id = fields.String(validate=ID)
    expected_close_date = fields.Date(allow_none=True)
    notes = fields.String(validate=validate.Length(max=20000))
    expected_version = fields.Integer(validate=validate.Range(min=1),
                                      metadata={"description": "optimistic concurrency: refuse if changed since"})


class DealListSchema(StrictSchema, PageParams):
    q = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                      metadata={"description": "in the title or the customer's name"})
    stage = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(DEAL_STAGES))
    owner_id = fields.String(load_default=None, allow_none=True, validate=ID)
    customer_id = fields.String(load_default=None, allow_none=True, validate=ID)
    sort = fields.String(load_default="-updated_at", validate=validate.OneOf(
        [f"{sign}{key}" for key in DEAL_SORT_KEYS for sign in ("", "-")]),
        metadata={"description": "a column, '-' first for descending; default: latest changed first"})


CUSTOMER_SORTS = ("name", "-name", "code", "-code", "created_at", "-created_at")


class CustomerListSchema(StrictSchema, PageParams):
    q = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(["company", "person"]))
    perimeter_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64),
                                 metadata={"description": "only the customers of this perimeter"})
    sort = fields.String(load_default="name", validate=validate.OneOf(CUSTOMER_SORTS),
                         metadata={"description": "default name; -key sorts descending"})


class AttachmentInSchema(StrictSchema):
    filename = fields.String(required=True, validate=validate.Length(min=1, max=255))
    content_type = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    content_base64 = fields.String(required=True)
    portal_visible = fields.Boolean(load_default=None, allow_none=True)
    folder = fields.String(load_default="", validate=validate.Length(max=200))


class AssetInSchema(StrictSchema):
    filename = fields.String(required=True, validate=validate.Length(min=1, max=255))
    content_type = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    content_base64 = fields.String(required=True)


class AttachmentPatchSchema(StrictSchema):
    portal_visible = fields.Boolean()
    folder = fields.String(validate=validate.Length(max=200))
    filename = fields.String(validate=validate.Length(min=1, max=255))


class MilestoneInSchema(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    due_date = fields.Date(load_default=None, allow_none=True)
    portal_visible = fields.Boolean(load_default=True)
    done = fields.Boolean(load_default=False)


class MilestonePatchSchema(StrictSchema):
    title = fields.String(validate=validate.Length(min=1, max=300))
    description = fields.String(validate=validate.Length(max=5000))
    due_date = fields.Date(allow_none=True)
    portal_visible = fields.Boolean()
    done = fields.Boolean()


class TaskInSchema(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    due_date = fields.Date(load_default=None, allow_none=True)
    assignee_id = fields.String(load_default=None, allow_none=True, validate=ID)


class TaskListSchema(StrictSchema, PageParams):
    assignee = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=36),
                             metadata={"description": "'me' or a user id"})
    due_before = fields.Date(load_default=None, allow_none=True,
                             metadata={"description": "due on or before this day (overdue included)"})
    done = fields.Boolean(load_default=False, metadata={"description": "default false: open tasks"})


class TaskPatchSchema(StrictSchema):
    title = fields.String(validate=validate.Length(min=1, max=300))
    due_date = fields.Date(allow_none=True)
    assignee_id = fields.String(allow_none=True, validate=ID)
    done = fields.Boolean()


EQUIPMENT_STATUSES = ["in_service", "retired"]


def check_warranty(data):
    """The warranty may not end before the installation (a patch is checked merged with the stored item)."""
    installed, warranty = data.get("installed_on"), data.get("warranty_until")
    if installed and warranty and warranty < installed:
        raise ValidationError({"warranty_until": ["The warranty cannot end before the installation."]})


class EquipmentInSchema(StrictSchema):
    description = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    product_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    serial_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    quantity = fields.Decimal(load_default="1", places=3, allow_nan=False, as_string=True,
                              validate=validate.Range(min=0, max=10**9, min_inclusive=False))
    installed_on = fields.Date(load_default=None, allow_none=True)
    warranty_until = fields.Date(load_default=None, allow_none=True)
    status = fields.String(load_default="in_service", validate=validate.OneOf(EQUIPMENT_STATUSES))
    notes = fields.String(load_default="", validate=validate.Length(max=5000))

    @validates_schema
    def warranty_after_installation(self, data, **kwargs):
        check_warranty(data)


class EquipmentPatchSchema(StrictSchema):
    description = fields.String(validate=validate.Length(min=1, max=5000))
    product_code = fields.String(allow_none=True, validate=validate.Length(max=64))
    serial_number = fields.String(allow_none=True, validate=validate.Length(max=100))
    quantity = fields.Decimal(places=3, validate=validate.Range(min=0, max=10**9, min_inclusive=False),
                              allow_nan=False, as_string=True)
    installed_on = fields.Date(allow_none=True)
    warranty_until = fields.Date(allow_none=True)
    status = fields.String(validate=validate.OneOf(EQUIPMENT_STATUSES))
    notes = fields.String(validate=validate.Length(max=5000))


class EquipmentQuerySchema(StrictSchema, WholeListPageParams):
    status = fields.String(validate=validate.OneOf(EQUIPMENT_STATUSES))


class EquipmentFromContractSchema(StrictSchema):
    """Record an order's or invoice's lines in its customer's equipment base."""
    line_ids = fields.List(fields.String(validate=ID), load_default=None, allow_none=True,
                           validate=validate.Length(min=1, max=1000))
    installed_on = fields.Date(load_default=None, allow_none=True)
    warranty_until = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def warranty_after_installation(self, data, **kwargs):
        check_warranty(data)


# -- the ERP import (erp_import.py): the rows are checked one by one, so that a bad row is reported with
# its number and does not refuse the others

ERP_IMPORT_ROWS_MAX = 500
ERP_DOCUMENT_KINDS = ("order", "invoice")


class ErpImportSchema(StrictSchema):
    rows = fields.List(fields.Dict(), required=True, validate=validate.Length(max=ERP_IMPORT_ROWS_MAX))


class ErpContactSchema(ContactPatchSchema):
    """A customer's contact in the ERP: matched by email, else by first and last name; the fields given are set."""
    last_name = fields.String(required=True, validate=validate.Length(min=1, max=100))


class ErpCustomerSchema(CustomerPatchSchema):
    """A customer of the ERP keyed by its code: the fields given are set (name is needed for a new customer)."""
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    contacts = fields.List(fields.Nested(ErpContactSchema), load_default=list, validate=validate.Length(max=200))


class ErpLineSchema(LineInSchema):
    class Meta(StrictSchema.Meta):
        exclude = ("optional", "selected")  # an order or invoice holds what the customer took

    serial_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))


class ErpDocumentSchema(StrictSchema):
    """An order or invoice of the ERP's sales history, keyed by its kind and the ERP's number."""
    kind = fields.String(required=True, validate=validate.OneOf(ERP_DOCUMENT_KINDS))
    number = fields.String(required=True, validate=validate.Length(min=1, max=40))
    customer_code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    date = fields.Date(required=True)
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=300))
    currency = fields.String(load_default=None, allow_none=True, validate=CURRENCY)
    status = fields.String(load_default=None, allow_none=True)
    lines = fields.List(fields.Nested(ErpLineSchema), load_default=list, validate=validate.Length(max=1000))

    @validates_schema
    def known_status(self, data, **kwargs):
        statuses = TRANSITIONS.get(data.get("kind"), {})
        if data.get("status") is not None and statuses and data["status"] not in statuses:
            raise ValidationError(f"one of: {', '.join(statuses)}", "status")


# a column's place among the license's columns (an INTEGER column: 32 bits)
COLUMN_POSITION = validate.Range(min=0, max=10_000)


class ColumnInSchema(StrictSchema):
    key = fields.String(required=True, validate=validate.Regexp(MERGE_FIELD_RE, error="lowercase letters, digits, _"))
    label = fields.String(required=True, validate=validate.Length(min=1, max=120))
    type = fields.String(required=True, validate=validate.OneOf(COLUMN_TYPES))
    choices = fields.List(fields.String(validate=validate.Length(max=120)), load_default=list,
                          validate=validate.Length(max=100))
    position = fields.Integer(load_default=0, validate=COLUMN_POSITION)

    @validates_schema
    def _choices(self, data, **kwargs):
        if data["type"] == "choice" and not data.get("choices"):
            raise ValidationError("a choice column needs choices", "choices")


class ColumnPatchSchema(StrictSchema):
    label = fields.String(validate=validate.Length(min=1, max=120))
    choices = fields.List(fields.String(validate=validate.Length(max=120)), validate=validate.Length(max=100))
    position = fields.Integer(validate=COLUMN_POSITION)


class FlagInSchema(StrictSchema):
    key = fields.String(required=True, validate=validate.Regexp(MERGE_FIELD_RE, error="lowercase letters, digits, _"))
    label = fields.String(required=True, validate=validate.Length(min=1, max=120))
    color = fields.String(load_default="#2f80ed", validate=validate.Regexp(r"^#[0-9a-fA-F]{6}$"))


class FlagPatchSchema(StrictSchema):
    label = fields.String(validate=validate.Length(min=1, max=120))
    color = fields.String(validate=validate.Regexp(r"^#[0-9a-fA-F]{6}$"))


class PerimetersSchema(StrictSchema):
    perimeter_ids = fields.List(fields.String(validate=ID), required=True, validate=validate.Length(max=1000))


# -- portal visibility of attachments and milestones ---------------------------------------------------

class PortalVisibilitySchema(StrictSchema):
    """Show or hide at once every attachment (or those of one folder) and/or every milestone."""
    attachments = fields.Boolean()
    milestones = fields.Boolean()
    folder = fields.String(allow_none=True, validate=validate.Length(max=200),
                           metadata={"description": "with attachments: only the attachments of this folder "
                                                    "(\"\" = those outside any folder)"})

    @validates_schema
    def _something_to_change(self, data, **_):
        if "attachments" not in data and "milestones" not in data:
            raise ValidationError("Give attachments and/or milestones as true or false.", "attachments")
        if data.get("folder") is not None and "attachments" not in data:
            raise ValidationError("A folder applies to attachments: give attachments too.", "folder")


# -- client self-service (a portal client updates their own contact and their company) -------------------

PHONE = validate.Regexp(r"^\+?[0-9][0-9 ().\-/]{3,38}$",
                        error="Not a valid phone number (digits, spaces, + ( ) . - / allowed).")


def _phone():
    return fields.String(allow_none=True, validate=[validate.Length(max=40), PHONE])


class ClientContactUpdateSchema(StrictSchema):
    """What a portal client may change of their own contact (not their branch nor type: staff decide)."""
    first_name = fields.String(validate=validate.Length(max=100))
    last_name = fields.String(validate=validate.Length(min=1, max=100))
    title = fields.String(allow_none=True, validate=validate.Length(max=100))
    department = fields.String(allow_none=True, validate=validate.Length(max=100))
    email = fields.Email(allow_none=True)
    phone = _phone()
    mobile = _phone()
    fax = _phone()


class ClientCompanyUpdateSchema(StrictSchema):
    """What a portal client may change of their company (the customer file): address, phone, email."""
    email = fields.Email(allow_none=True)
    phone = _phone()
    address = fields.Nested(AddressSchema, metadata={"description": "the lines given replace those lines"})


# -- the company profile (the issuer the PDFs name) -------------------------------------------------------

class CompanyAddressSchema(StrictSchema):
    line1 = fields.String(load_default="", validate=validate.Length(max=200))
    line2 = fields.String(load_default="", validate=validate.Length(max=200))
    postal_code = fields.String(load_default="", validate=validate.Length(max=20))
    city = fields.String(load_default="", validate=validate.Length(max=120))
    country = fields.String(load_default="", validate=validate.Length(max=120))


def _identifier(max_length: int):
    """A legal identifier as typed: spaces, dots and dashes are dropped (logic.digits_only) before it is checked."""
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=max_length))


class CompanyProfileSchema(StrictSchema):
    """The whole company profile (PUT): what is not given is cleared. SIREN, SIRET and a French VAT number
    are checked (format, check digit, the same company); a wrong one is a 422 naming its field."""
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    address = fields.Nested(CompanyAddressSchema, load_default=dict)
    siren = _identifier(20)
    siret = _identifier(30)
    vat_number = _identifier(30)
    legal_form = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60),
                               metadata={"description": "SAS, SARL, SA, EURL..."})
    share_capital = fields.Decimal(load_default=None, allow_none=True, places=2, as_string=True, allow_nan=False,
                                   validate=validate.Range(min=0, max=10**13))
    rcs_city = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120),
                             metadata={"description": "the city of the trade register (RCS Lyon)"})
    phone = fields.String(load_default=None, allow_none=True, validate=[validate.Length(max=40), PHONE])
    email = fields.Email(load_default=None, allow_none=True)
    website = fields.String(load_default=None, allow_none=True,
                            validate=[validate.Length(max=300),
                                      validate.URL(schemes={"http", "https"}, require_tld=True)])

    @validates_schema
    def _identifiers_valid(self, data, **kwargs):
        """Each identifier's format and check digit, and that they name one company (cross-field)."""
        errors = company_id_errors(*(digits_only(data.get(key)) for key in ("siren", "siret", "vat_number")))
        if errors:
            raise ValidationError({field: [message] for field, message in errors.items()})

    @post_load
    def _identifiers_cleaned(self, data, **kwargs):
        for key in ("siren", "siret", "vat_number"):
            data[key] = digits_only(data.get(key))
        return data
