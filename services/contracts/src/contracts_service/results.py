"""What contracts' RPC methods answer: one schema each, through which every answer is dumped (an undeclared
field never leaves the service)."""
from marshmallow import Schema, fields

from paraph_platform.numbers import Integer
from paraph_platform.pagination import PageResult

from . import logic
from .schemas import deals, equipment


class FieldChange(Schema):
    field = fields.String(required=True, metadata={"description": "e.g. phone, address.city"})
    from_ = fields.Raw(required=True, allow_none=True, data_key="from")
    to = fields.Raw(required=True, allow_none=True)


class PdfFile(Schema):
    """A PDF as a download: what the gateway answers it with."""
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    sha256 = fields.String(required=True)
    size = Integer(required=True)
    content_base64 = fields.String(required=True)


class PdfResult(PdfFile):
    contract_id = fields.String(required=True)
    number = fields.String(required=True)
    rendered_at = fields.String(required=True)


class TemplatePreviewPdf(PdfFile):
    """A contract type's template rendered on sample data (nothing stored)."""
    contract_type_id = fields.String(required=True)


class ContractSummary(Schema):
    """A row of the contract list."""
    id = fields.String(required=True)
    kind = fields.String(required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True)
    customer_id = fields.String(required=True)
    customer_name = fields.String(required=True, allow_none=True)
    contact_id = fields.String(required=True, allow_none=True)
    contract_type_id = fields.String(required=True, allow_none=True)
    owner_id = fields.String(required=True)
    owner_name = fields.String(required=True, allow_none=True)
    currency = fields.String(required=True)
    subtotal = fields.String(required=True)
    tax_total = fields.String(required=True)
    total = fields.String(required=True)
    flags = fields.List(fields.String(), required=True)
    custom = fields.Dict(required=True, metadata={"description": "custom column values, by key"})
    portal_shared = fields.Boolean(required=True)
    view_count = Integer(required=True)
    download_count = Integer(required=True)
    last_viewed_at = fields.String(required=True, allow_none=True, metadata={"description": "last online view"})
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    sent_at = fields.String(required=True, allow_none=True)
    signed_at = fields.String(required=True, allow_none=True)
    version = Integer(required=True)
    deal_id = fields.String(required=True, allow_none=True)


class ContractDetail(ContractSummary):
    """A contract with everything in it (built on the list row: contract_summary)."""
    customer_name = fields.String(required=True)
    owner_name = fields.String(required=True)
    owner_email = fields.String(required=True)
    locale = fields.String(required=True)
    lines = fields.List(fields.Dict(), required=True)
    contact = fields.Dict(required=True, allow_none=True)
    attachments = fields.List(fields.Dict(), required=True,
                              metadata={"description": "id, filename, content_type, size, sha256, portal_visible"})
    milestones = fields.List(fields.Dict(), required=True,
                             metadata={"description": "id, title, due_date, done, portal_visible"})
    portal = fields.Dict(required=True, metadata={"description": "what is visible on the customer portal"})
    signers = fields.List(fields.Dict(), required=True)
    data = fields.Dict(required=True, metadata={"description": "custom field values, by key"})
    notes = fields.String(required=True)
    deal_ref = fields.String(required=True, allow_none=True, metadata={"description": "the deal's reference "
                                                                                      "(free text)"})
    valid_until = fields.String(required=True, allow_none=True, metadata={"description": "a quote's validity "
                                                                                        "(date)"})
    source_id = fields.String(required=True, allow_none=True, metadata={"description": "the quote it was converted "
                                                                                      "from, or copied from"})
    closed_at = fields.String(required=True, allow_none=True)
    signature_request_id = fields.String(required=True, allow_none=True,
                                         metadata={"description": "its signature request, if any"})
    taxes = fields.List(fields.Dict(), required=True, metadata={"description": "by tax rate: rate, base, tax"})
    optional_total = fields.String(required=True, metadata={"description": "optional products not selected"})
    tasks = fields.List(fields.Dict(), required=True, metadata={"description": "its tasks, as in list_tasks"})
    allowed_statuses = fields.List(fields.String(), required=True, metadata={
        "description": "the statuses the caller may move it to now (POST /contracts/<id>/status): its "
                       "lifecycle from its status and the caller's role, without accepted (a quote) or signed (a "
                       "contract) while signature_pending; empty for an internal read"})
    can_record_equipment = fields.Boolean(required=True, metadata={
        "description": "what was bought may be recorded in the customer's equipment base now (POST "
                       "/contracts/<id>/equipment): a contract signed or validated, a quote accepted or validated, "
                       "an order confirmed or delivered, an invoice issued or paid"})
    signature_pending = fields.Boolean(required=True, metadata={
        "description": "a signature request on it is under way: its content is locked, and it becomes accepted "
                       "(a quote) or signed (a contract) when the request completes"})
    converted_into = fields.List(fields.Dict(), required=True, metadata={
        "description": "a quote's orders and invoices made from it (POST /contracts/<id>/convert), the first made "
                       "first: id, kind, number; empty for the other kinds. A quote with one is not sent for "
                       "signature (409)"})


class TaxByRate(Schema):
    rate = fields.String(required=True)
    base = fields.String(required=True)
    tax = fields.String(required=True)


class TotalsResult(Schema):
    """The totals of lines (optional products count only when selected), taxes by rate."""
    subtotal = fields.String(required=True)
    tax_total = fields.String(required=True)
    total = fields.String(required=True)
    taxes = fields.List(fields.Nested(TaxByRate), required=True,
                        metadata={"description": "by tax rate, on the summed bases"})
    optional_total = fields.String(required=True, metadata={"description": "optional products not selected"})
    line_amounts = fields.List(fields.String(), required=True, metadata={"description": "each line's net amount"})


class AttachmentResult(Schema):
    """A contract's attachment (attachments.attachment_view)."""
    id = fields.String(required=True)
    contract_id = fields.String(required=True)
    folder = fields.String(required=True, metadata={"description": "\"\" = outside any folder"})
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = Integer(required=True)
    sha256 = fields.String(required=True)
    portal_visible = fields.Boolean(required=True)
    created_by = fields.String(required=True)
    created_at = fields.String(required=True)


class AttachmentContent(AttachmentResult):
    content_base64 = fields.String(required=True)


class ContactView(Schema):
    """A contact of a customer (contact_view)."""
    id = fields.String(required=True)
    customer_id = fields.String(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    name = fields.String(required=True)
    title = fields.String(required=True, allow_none=True)
    department = fields.String(required=True, allow_none=True)
    type = fields.String(required=True, allow_none=True)
    email = fields.String(required=True, allow_none=True)
    phone = fields.String(required=True, allow_none=True)
    mobile = fields.String(required=True, allow_none=True)
    fax = fields.String(required=True, allow_none=True)
    branch = fields.String(required=True, allow_none=True)
    created_at = fields.String(required=True)


class ContactResult(ContactView):
    """A contact (contact_view) with its customer's name."""
    customer_name = fields.String(required=True)


class InternalContactResult(ContactResult):
    """A contact as other services read it (get_contacts_internal): with where their SMS go."""
    sms_phone = fields.String(allow_none=True, metadata={
        "description": "the number their SMS go to (one-time codes), in E.164: their mobile, else their phone, read "
                       "in their customer's country, else the company's, else France; null when neither is a number "
                       "there (paraph_platform.phones)"})


class PhoneCountry(Schema):
    country = fields.String(required=True, metadata={
        "description": "ISO 3166-1 alpha-2 code of the country a phone number written without its country code is "
                       "read in (paraph_platform.phones)"})


class CustomerResult(Schema):
    id = fields.String(required=True)
    kind = fields.String(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True, allow_none=True)
    phone = fields.String(required=True, allow_none=True)
    address = fields.Dict(required=True)
    vat_number = fields.String(required=True, allow_none=True)
    registration_number = fields.String(required=True, allow_none=True, metadata={
        "description": "its company number: in France its SIREN or SIRET, elsewhere its country's"})
    locale = fields.String(required=True, allow_none=True)
    currency = fields.String(required=True, allow_none=True)
    notes = fields.String(required=True)
    perimeter_ids = fields.List(fields.String(), required=True, metadata={"description": "empty = visible to everyone"})
    contacts = fields.List(fields.Dict(), metadata={"description": "create and get only"})
    created_by = fields.String(required=True, allow_none=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)


class ContractPage(PageResult):
    items = fields.List(fields.Nested(ContractSummary), required=True)


class TaskContract(Schema):
    id = fields.String(required=True)
    kind = fields.String(required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)
    customer_name = fields.String(required=True)


class TaskResult(Schema):
    """A task on a contract or quote (tasks.task_view)."""
    id = fields.String(required=True)
    contract_id = fields.String(required=True)
    title = fields.String(required=True)
    due_date = fields.String(required=True, allow_none=True, metadata={"description": "YYYY-MM-DD"})
    assignee_id = fields.String(required=True, allow_none=True)
    done = fields.Boolean(required=True)
    created_by = fields.String(required=True)
    created_at = fields.String(required=True)


class TaskItem(TaskResult):
    """A task with the contract or quote it is on."""
    contract = fields.Nested(TaskContract, required=True)


class TaskPage(PageResult):
    items = fields.List(fields.Nested(TaskItem), required=True)


class CustomerPage(PageResult):
    items = fields.List(fields.Nested(CustomerResult), required=True)


class PortalVisibilityResult(Schema):
    shared = fields.Boolean(required=True, metadata={"description": "visible on the customer portal (the green line)"})
    visible_attachments = Integer(required=True)
    visible_milestones = Integer(required=True)


class EquipmentSource(Schema):
    contract_id = fields.String(required=True)
    number = fields.String(required=True)
    line_id = fields.String(required=True, allow_none=True)


class EquipmentResult(Schema):
    """An item of a customer's equipment base (equipment_view)."""
    id = fields.String(required=True)
    customer_id = fields.String(required=True)
    product_code = fields.String(required=True, allow_none=True)
    description = fields.String(required=True)
    serial_number = fields.String(required=True, allow_none=True)
    quantity = fields.String(required=True)
    installed_on = fields.String(required=True, allow_none=True, metadata={"format": "date"})
    warranty_until = fields.String(required=True, allow_none=True, metadata={"format": "date"})
    under_warranty = fields.Boolean(required=True)
    status = fields.String(required=True, metadata={"enum": equipment.EQUIPMENT_STATUSES})
    notes = fields.String(required=True)
    source = fields.Nested(EquipmentSource, required=True, allow_none=True,
                           metadata={"description": "the order/invoice line it was recorded from"})
    created_by = fields.String(required=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)


class EquipmentBase(PageResult):
    customer_id = fields.String(required=True)
    customer_name = fields.String(required=True)
    items = fields.List(fields.Nested(EquipmentResult), required=True)


class EquipmentRecorded(Schema):
    customer_id = fields.String(required=True)
    contract_id = fields.String(required=True)
    created = fields.List(fields.Nested(EquipmentResult), required=True)
    already_recorded = Integer(required=True,
                                      metadata={"description": "lines asked for that were recorded before"})


class ImportRowError(Schema):
    row = Integer(required=True, metadata={"description": "the row's position in the call, from 1"})
    code = fields.String(allow_none=True, metadata={"description": "import_customers: the row's customer code"})
    number = fields.String(allow_none=True, metadata={"description": "import_sales: the row's document number"})
    errors = fields.Dict(required=True, metadata={"description": "{field: [messages]}; _row: the row as a whole"})


class ImportSummary(Schema):
    """What an ERP import call did, row by row (a refused row does not stop the others)."""
    created = Integer(required=True)
    updated = Integer(required=True)
    unchanged = Integer(required=True)
    errors = fields.List(fields.Nested(ImportRowError), required=True)


class AssetResult(Schema):
    """An image uploaded for templates (asset_view)."""
    id = fields.String(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = Integer(required=True)
    sha256 = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "what a template writes: <img src=\"{url}\">"})
    created_by = fields.String(required=True)
    created_at = fields.String(required=True)


class AssetContent(AssetResult):
    content_base64 = fields.String(required=True)


class TemplateVariable(Schema):
    name = fields.String(required=True, metadata={"description": "as written in a template: customer.name; "
                                                                  "lines[].amount is line.amount in a for loop"})
    type = fields.String(required=True, metadata={
        "enum": ["text", "number", "boolean", "date", "money", "rate", "object", "list"]})
    nullable = fields.Boolean(required=True, metadata={"description": "may be empty or null"})
    example = fields.String(required=True)
    description = fields.String(required=True, metadata={"description": "in the language asked for"})


class TemplateVariables(Schema):
    """Every variable a contract type's template may use (template_variables.catalog)."""
    variables = fields.List(fields.Nested(TemplateVariable), required=True)
    default_template = fields.String(required=True, metadata={
        "description": "Paraph's own template, used by a type without one: a starting point for yours"})


class CompanyLogo(Schema):
    content_type = fields.String(required=True)
    size = Integer(required=True)
    sha256 = fields.String(required=True)
    filename = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "paraph-asset:<id>: templates may embed it"})


class CompanyProfileResult(Schema):
    """The license's company profile (company_profile.profile_view), named as the license until it is saved."""
    name = fields.String(required=True, metadata={"description": "the license's name until the profile is saved "
                                                                 "with a name (a renamed license: its new name)"})
    address = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                          metadata={"description": "line1, line2, postal_code, city, region, country"})
    siren = fields.String(required=True, allow_none=True)
    siret = fields.String(required=True, allow_none=True)
    vat_number = fields.String(required=True, allow_none=True)
    legal_form = fields.String(required=True, allow_none=True)
    share_capital = fields.String(required=True, allow_none=True)
    rcs_city = fields.String(required=True, allow_none=True)
    phone = fields.String(required=True, allow_none=True)
    email = fields.String(required=True, allow_none=True)
    website = fields.String(required=True, allow_none=True)
    logo = fields.Nested(CompanyLogo, required=True, allow_none=True)
    updated_at = fields.String(required=True, allow_none=True)


class DealDocuments(Schema):
    count = Integer(required=True)
    total = fields.String(required=True, metadata={"description": "sum of their totals incl. tax"})
    won_total = fields.String(required=True, metadata={
        "description": "sum of the totals incl. tax of those the customer has bought: quotes accepted or "
                       "validated, contracts signed or validated, orders confirmed or delivered, invoices issued "
                       "or paid"})


class DealResult(Schema):
    """A deal (deals.view); get, create and update add its documents."""
    id = fields.String(required=True)
    title = fields.String(required=True)
    stage = fields.String(required=True, metadata={"enum": list(deals.DEAL_STAGES)})
    customer_id = fields.String(required=True)
    customer_name = fields.String(required=True)
    amount = fields.String(required=True, allow_none=True, metadata={"description": "expected, excl. tax"})
    currency = fields.String(required=True)
    expected_close_date = fields.String(required=True, allow_none=True)
    owner_id = fields.String(required=True)
    owner_name = fields.String(required=True)
    notes = fields.String(required=True)
    created_by = fields.String(required=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    version = Integer(required=True)
    documents = fields.Dict(keys=fields.String(), values=fields.Nested(DealDocuments),
                            metadata={"description": "quote, contract, order, invoice: count and total"})


class DealPage(PageResult):
    items = fields.List(fields.Nested(DealResult), required=True)


class Deleted(Schema):
    deleted = fields.Boolean(required=True)


class KnownIds(Schema):
    ids = fields.List(fields.String(), required=True)


class FlagDeleted(Deleted):
    removed_from_contracts = Integer(required=True, metadata={"description": "contracts that had the flag"})


class PerimeterAssignments(Schema):
    """The perimeters of a customer or contract type, as the perimeter service recorded them (its
    set_assignments result, answered as is)."""
    subject_type = fields.String(required=True, metadata={"enum": ["customer", "contract_type"]})
    subject_id = fields.String(required=True)
    perimeter_ids = fields.List(fields.String(), required=True, metadata={"description": "empty = visible to everyone"})
    version = Integer(required=True)


class ContractTypeResult(Schema):
    """A contract type (contract_types.type_view)."""
    id = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": ["contract", "quote"]})
    description = fields.String(required=True, allow_none=True)
    merge_fields = fields.List(fields.Dict(), required=True, metadata={"description": "key, label, type, required"})
    locale = fields.String(required=True, allow_none=True)
    attachments_portal_visible = fields.Boolean(required=True, allow_none=True)
    abandon_delay_days = Integer(required=True, allow_none=True)
    archived = fields.Boolean(required=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    template_html = fields.String(metadata={"description": "one contract type; not in lists"})
    perimeter_ids = fields.List(fields.String(), required=True, metadata={"description": "empty = available to "
                                                                                         "everyone"})


class MilestoneResult(Schema):
    """A contract's milestone (milestones.milestone_view)."""
    id = fields.String(required=True)
    contract_id = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    due_date = fields.String(required=True, allow_none=True, metadata={"description": "YYYY-MM-DD"})
    done = fields.Boolean(required=True)
    done_at = fields.String(required=True, allow_none=True)
    portal_visible = fields.Boolean(required=True)
    position = Integer(required=True)


class ColumnResult(Schema):
    """A custom column of contracts (settings: _setting_view)."""
    id = fields.String(required=True)
    key = fields.String(required=True)
    label = fields.String(required=True)
    type = fields.String(required=True, metadata={"enum": list(logic.COLUMN_TYPES)})
    choices = fields.List(fields.String(), required=True)
    position = Integer(required=True)


class FlagResult(Schema):
    """A flag contracts are tagged with (settings: _setting_view)."""
    id = fields.String(required=True)
    key = fields.String(required=True)
    label = fields.String(required=True)
    color = fields.String(required=True, metadata={"description": "#rrggbb"})


class HistoryEntry(Schema):
    """A change of a contract (its history)."""
    at = fields.String(required=True)
    actor_id = fields.String(required=True)
    actor_name = fields.String(required=True, allow_none=True, metadata={
        "description": "the user's name (or email) now; null for the system, a portal contact, a former user"})
    action = fields.String(required=True)
    details = fields.Dict(required=True, allow_none=True, metadata={
        "description": "updated: fields (the names of the fields changed); status_changed: from_status, "
                       "to_status, reason; reason_code and reason_params when the system made the change (see "
                       "contract.status_changed.v1)"})


class AbandonResult(Schema):
    abandoned = Integer(required=True, metadata={"description": "contracts abandoned by this run"})


class CustomerHistoryEntry(Schema):
    at = fields.String(required=True)
    actor_id = fields.String(required=True)
    actor_name = fields.String(required=True)
    actor_kind = fields.String(required=True, metadata={"enum": ["staff", "client"]})
    action = fields.String(required=True, metadata={"enum": ["customer_updated", "contact_added", "contact_updated",
                                                             "contact_deleted", "self_service_contact",
                                                             "self_service_company", "erp_imported"]})
    details = fields.Dict(required=True, metadata={"description": "contact_id, contact_name, changes [{field, from, "
                                                                  "to}]; erp_imported: changes, contacts [{contact_id, "
                                                                  "contact_name, added | changes}]"})


class CustomerNames(Schema):
    names = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class CustomerHistoryPage(Schema):
    items = fields.List(fields.Nested(CustomerHistoryEntry), required=True)


class ClientProfile(Schema):
    contact = fields.Nested(ContactResult, required=True)
    company = fields.Dict(required=True, metadata={"description": "id, name, kind, email, phone, address"})
    changes = fields.List(fields.Nested(FieldChange), metadata={"description": "apply_client_*_update: what changed"})
