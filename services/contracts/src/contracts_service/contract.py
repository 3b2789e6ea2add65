"""contracts' public contract (see paraph_platform.contract)."""
from marshmallow import Schema, fields

from paraph_platform.contract import ListOf, MapOf, Rpc
from paraph_platform.pagination import PageResult

from . import logic, schemas


class CustomerEventV1(Schema):
    """What every customer event says of the customer, as it is now."""
    customer_id = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    code = fields.String(required=True)


class CustomerCreatedV1(CustomerEventV1):
    created_by = fields.String(required=True)
    perimeter_ids = fields.List(fields.String(), required=True)


class ContractTypeCreatedV1(Schema):
    contract_type_id = fields.String(required=True)
    name = fields.String(required=True)
    created_by = fields.String(required=True)


class CustomerUpdatedV1(CustomerEventV1):
    changed = fields.List(fields.String(), required=True)


class ContractCreatedV1(Schema):
    contract_id = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": ["contract", "quote", "order", "invoice"]})
    number = fields.String(required=True)
    title = fields.String(required=True)
    customer_id = fields.String(required=True)
    contract_type_id = fields.String(required=True, allow_none=True)
    owner_id = fields.String(required=True)
    status = fields.String(required=True)


class ContractEventV1(Schema):
    """What the events about an existing contract say of it (contract.created.v1 says more)."""
    contract_id = fields.String(required=True)
    kind = fields.String(required=True)
    number = fields.String(required=True)
    customer_id = fields.String(required=True)
    owner_id = fields.String(required=True)


class ContractSentV1(ContractEventV1):
    contact_id = fields.String(required=True, allow_none=True)
    reminder = fields.Boolean(required=True)


class ContractStatusChangedV1(ContractEventV1):
    from_status = fields.String(required=True)
    to_status = fields.String(required=True)
    reason = fields.String(required=True, allow_none=True, metadata={
        "description": "why, in English: a person's own words, or the wording of reason_code"})
    reason_code = fields.String(load_default=None, allow_none=True, metadata={
        "enum": [*logic.STATUS_REASONS, None], "description": "set when the system made the change"})


class ContractAbandonedV1(ContractEventV1):
    delay_days = fields.Integer(required=True, allow_none=True)
    created_at = fields.String(required=True)


class QuoteConvertedV1(Schema):
    quote_id = fields.String(required=True)
    quote_number = fields.String(required=True)
    target_kind = fields.String(required=True, metadata={"enum": ["order", "invoice"]})
    target_id = fields.String(required=True)
    target_number = fields.String(required=True)
    customer_id = fields.String(required=True)
    owner_id = fields.String(required=True)


class FieldChange(Schema):
    field = fields.String(required=True, metadata={"description": "e.g. phone, address.city"})
    from_ = fields.Raw(required=True, allow_none=True, data_key="from")
    to = fields.Raw(required=True, allow_none=True)


class CustomerSelfUpdatedV1(Schema):
    """A portal client changed their own contact details or their company's (self-service)."""
    customer_id = fields.String(required=True)
    customer_name = fields.String(required=True)
    owner_id = fields.String(required=True, metadata={"description": "the customer's owner (the user who created "
                                                                     "it), notified per their preferences"})
    contact_id = fields.String(required=True, metadata={"description": "the portal client's contact"})
    contact_name = fields.String(required=True)
    target = fields.String(required=True, metadata={"enum": ["contact", "company"]})
    changes = fields.List(fields.Nested(FieldChange), required=True)
    by_user_id = fields.String(required=True, metadata={"description": "the portal client's user id"})
    at = fields.String(required=True)


class DealCreatedV1(Schema):
    deal_id = fields.String(required=True)
    title = fields.String(required=True)
    stage = fields.String(required=True, metadata={"enum": list(schemas.DEAL_STAGES)})
    customer_id = fields.String(required=True)
    owner_id = fields.String(required=True)
    amount = fields.String(required=True, allow_none=True, metadata={"description": "expected, excl. tax"})
    currency = fields.String(required=True)
    expected_close_date = fields.String(required=True, allow_none=True)


class DealUpdatedV1(DealCreatedV1):
    """The deal as it is now, and which fields the change touched."""
    changed = fields.List(fields.String(), required=True)


class DealDeletedV1(Schema):
    deal_id = fields.String(required=True)
    title = fields.String(required=True)
    customer_id = fields.String(required=True)
    deleted_by = fields.String(required=True)


EVENTS = {
    "customer.created.v1": CustomerCreatedV1,
    "customer.updated.v1": CustomerUpdatedV1,
    "customer.self_updated.v1": CustomerSelfUpdatedV1,
    "contract_type.created.v1": ContractTypeCreatedV1,
    "contract.created.v1": ContractCreatedV1,
    "contract.sent.v1": ContractSentV1,
    "contract.status_changed.v1": ContractStatusChangedV1,
    "contract.abandoned.v1": ContractAbandonedV1,
    "quote.converted.v1": QuoteConvertedV1,
    "deal.created.v1": DealCreatedV1,
    "deal.updated.v1": DealUpdatedV1,
    "deal.deleted.v1": DealDeletedV1,
}
INTERNAL_EVENTS: set = set()


class PdfResult(Schema):
    contract_id = fields.String(required=True)
    number = fields.String(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    sha256 = fields.String(required=True)
    size = fields.Integer(required=True)
    rendered_at = fields.String(required=True)
    content_base64 = fields.String(required=True)


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
    view_count = fields.Integer(required=True)
    download_count = fields.Integer(required=True)
    last_viewed_at = fields.String(required=True, allow_none=True, metadata={"description": "last online view"})
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    sent_at = fields.String(required=True, allow_none=True)
    signed_at = fields.String(required=True, allow_none=True)
    version = fields.Integer(required=True)
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
    size = fields.Integer(required=True)
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


class CustomerResult(Schema):
    id = fields.String(required=True)
    kind = fields.String(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True, allow_none=True)
    phone = fields.String(required=True, allow_none=True)
    address = fields.Dict(required=True)
    vat_number = fields.String(required=True, allow_none=True)
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
    visible_attachments = fields.Integer(required=True)
    visible_milestones = fields.Integer(required=True)


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
    status = fields.String(required=True, metadata={"enum": schemas.EQUIPMENT_STATUSES})
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
    already_recorded = fields.Integer(required=True,
                                      metadata={"description": "lines asked for that were recorded before"})


class ImportRowError(Schema):
    row = fields.Integer(required=True, metadata={"description": "the row's position in the call, from 1"})
    code = fields.String(allow_none=True, metadata={"description": "import_customers: the row's customer code"})
    number = fields.String(allow_none=True, metadata={"description": "import_sales: the row's document number"})
    errors = fields.Dict(required=True, metadata={"description": "{field: [messages]}; _row: the row as a whole"})


class ImportSummary(Schema):
    """What an ERP import call did, row by row (a refused row does not stop the others)."""
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    errors = fields.List(fields.Nested(ImportRowError), required=True)


class AssetResult(Schema):
    """An image uploaded for templates (asset_view)."""
    id = fields.String(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
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


class CompanyLogo(Schema):
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    filename = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "paraph-asset:<id>: templates may embed it"})


class CompanyProfileResult(Schema):
    """The license's company profile (company_profile.profile_view); name "" when none was saved."""
    name = fields.String(required=True, metadata={"description": '"" until the profile is saved'})
    address = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                          metadata={"description": "line1, line2, postal_code, city, country"})
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
    count = fields.Integer(required=True)
    total = fields.String(required=True, metadata={"description": "sum of their totals incl. tax"})


class DealResult(Schema):
    """A deal (deals.view); get, create and update add its documents."""
    id = fields.String(required=True)
    title = fields.String(required=True)
    stage = fields.String(required=True, metadata={"enum": list(schemas.DEAL_STAGES)})
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
    version = fields.Integer(required=True)
    documents = fields.Dict(keys=fields.String(), values=fields.Nested(DealDocuments),
                            metadata={"description": "quote, contract, order, invoice: count and total"})


class DealPage(PageResult):
    items = fields.List(fields.Nested(DealResult), required=True)


class Deleted(Schema):
    deleted = fields.Boolean(required=True)


class KnownIds(Schema):
    ids = fields.List(fields.String(), required=True)


class FlagDeleted(Deleted):
    removed_from_contracts = fields.Integer(required=True, metadata={"description": "contracts that had the flag"})


class PerimeterAssignments(Schema):
    """The perimeters of a customer or contract type, as the perimeter service recorded them (its
    set_assignments result, answered as is)."""
    subject_type = fields.String(required=True, metadata={"enum": ["customer", "contract_type"]})
    subject_id = fields.String(required=True)
    perimeter_ids = fields.List(fields.String(), required=True, metadata={"description": "empty = visible to everyone"})
    version = fields.Integer(required=True)


class ContractTypeResult(Schema):
    """A contract type (contract_types.type_view)."""
    id = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": ["contract", "quote"]})
    description = fields.String(required=True, allow_none=True)
    merge_fields = fields.List(fields.Dict(), required=True, metadata={"description": "key, label, type, required"})
    locale = fields.String(required=True, allow_none=True)
    attachments_portal_visible = fields.Boolean(required=True, allow_none=True)
    abandon_delay_days = fields.Integer(required=True, allow_none=True)
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
    position = fields.Integer(required=True)


class ColumnResult(Schema):
    """A custom column of contracts (settings: _setting_view)."""
    id = fields.String(required=True)
    key = fields.String(required=True)
    label = fields.String(required=True)
    type = fields.String(required=True, metadata={"enum": list(schemas.COLUMN_TYPES)})
    choices = fields.List(fields.String(), required=True)
    position = fields.Integer(required=True)


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
    action = fields.String(required=True)
    details = fields.Dict(required=True, allow_none=True, metadata={
        "description": "status_changed: from_status, to_status, reason; reason_code and reason_params when the "
                       "system made the change (see contract.status_changed.v1)"})


class AbandonResult(Schema):
    abandoned = fields.Integer(required=True, metadata={"description": "contracts abandoned by this run"})


class CustomerHistoryEntry(Schema):
    at = fields.String(required=True)
    actor_id = fields.String(required=True)
    actor_name = fields.String(required=True)
    actor_kind = fields.String(required=True, metadata={"enum": ["staff", "client"]})
    action = fields.String(required=True, metadata={"enum": ["customer_updated", "contact_added", "contact_updated",
                                                             "self_service_contact", "self_service_company",
                                                             "erp_imported"]})
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


RPC = {
    "create_customer": Rpc(schemas.CustomerInSchema, CustomerResult, args=("actor",)),
    "update_customer": Rpc(schemas.CustomerPatchSchema, CustomerResult, args=("actor", "customer_id")),
    "change_status": Rpc(schemas.StatusSchema, ContractDetail, args=("actor", "contract_id")),
    "convert": Rpc(schemas.ConvertSchema, ContractDetail, args=("actor", "contract_id")),
    "duplicate": Rpc(result=ContractDetail, args=("actor", "contract_id")),
    "create_contract": Rpc(schemas.ContractInSchema, ContractDetail, args=("actor",)),
    "update_contract": Rpc(schemas.ContractPatchSchema, ContractDetail, args=("actor", "contract_id")),
    "list_contracts": Rpc(schemas.ListSchema, ContractPage, args=("actor",)),
    "list_tasks": Rpc(schemas.TaskListSchema, TaskPage, args=("actor",)),
    "list_customers": Rpc(schemas.CustomerListSchema, CustomerPage, args=("actor",)),
    "create_deal": Rpc(schemas.DealInSchema, DealResult, args=("actor",)),
    "get_deal": Rpc(result=DealResult, args=("actor", "deal_id")),
    "list_deals": Rpc(schemas.DealListSchema, DealPage, args=("actor",)),
    "update_deal": Rpc(schemas.DealPatchSchema, DealResult, args=("actor", "deal_id")),
    "delete_deal": Rpc(result=Deleted, args=("actor", "deal_id"),
                       description="only a deal without documents (else 409)"),
    "mark_sent": Rpc(schemas.SendSchema, ContractDetail, args=("actor", "contract_id")),
    "download_pdf": Rpc(result=PdfResult, args=("actor", "contract_id")),
    "get_pdf": Rpc(result=PdfResult, args=("license_id", "contract_id")),
    "get_contract": Rpc(result=ContractDetail, args=("actor", "contract_id")),
    "compute_totals": Rpc(schemas.TotalsInSchema, TotalsResult, args=("actor",),
                          description="the totals of lines, nothing saved"),
    "get_contract_internal": Rpc(result=ContractDetail, args=("license_id", "contract_id")),
    "get_attachment_internal": Rpc(result=AttachmentContent, args=("license_id", "attachment_id")),
    "get_contacts_internal": Rpc(result=MapOf(ContactResult, key="id"),
                                 description="{contact_id: contact + customer_name}",
                                 args=("license_id", "contact_ids")),
    "known_subjects_internal": Rpc(result=KnownIds, args=("license_id", "subject_type", "ids"),
                                   description="those of the ids that are customers/contract types of the license"),
    "get_contact": Rpc(result=ContactResult, args=("actor", "contact_id")),
    "get_customer": Rpc(result=CustomerResult, args=("actor", "customer_id")),
    "set_portal_visibility": Rpc(schemas.PortalVisibilitySchema, PortalVisibilityResult, args=("actor", "contract_id")),
    "customer_history": Rpc(result=CustomerHistoryPage, args=("actor", "customer_id")),
    "client_profile_internal": Rpc(result=ClientProfile, args=("license_id", "customer_id", "contact_id"),
                                   description="a portal client's own contact and company (portal self-service)"),
    "apply_client_contact_update": Rpc(schemas.ClientContactUpdateSchema, ClientProfile,
                                       args=("license_id", "customer_id", "contact_id", "by"),
                                       description="A portal client's change of their own contact details, kept in "
                                                   "the customer's history (customer.self_updated.v1); the answer "
                                                   "lists the changes. `by`: the client's user_id and name."),
    "apply_client_company_update": Rpc(schemas.ClientCompanyUpdateSchema, ClientProfile,
                                       args=("license_id", "customer_id", "contact_id", "by"),
                                       description="A portal client's change of their company's address, phone or "
                                                   "email, kept in the customer's history "
                                                   "(customer.self_updated.v1); the answer lists the changes."),
    "visible_customers": Rpc(result=CustomerNames, args=("actor", "customer_ids"),
                             description="{names: {id: name}} of those of the ids the caller's perimeters let "
                                         "them see"),
    "add_attachment": Rpc(schemas.AttachmentInSchema, AttachmentResult, args=("actor", "contract_id")),
    "update_attachment": Rpc(schemas.AttachmentPatchSchema, AttachmentResult, args=("actor", "attachment_id")),
    "run_abandon": Rpc(schemas.AbandonRunSchema, AbandonResult, args=("actor",)),
    "history": Rpc(result=ListOf(HistoryEntry), args=("actor", "contract_id")),
    "add_contact": Rpc(schemas.ContactInSchema, ContactView, args=("actor", "customer_id")),
    "update_contact": Rpc(schemas.ContactPatchSchema, ContactView, args=("actor", "contact_id")),
    "set_customer_perimeters": Rpc(schemas.PerimetersSchema, PerimeterAssignments, args=("actor", "customer_id")),
    "list_contract_types": Rpc(result=ListOf(ContractTypeResult), args=("actor", "include_archived"),
                               description="without their template_html"),
    "create_contract_type": Rpc(schemas.ContractTypeInSchema, ContractTypeResult, args=("actor",)),
    "get_contract_type": Rpc(result=ContractTypeResult, args=("actor", "type_id")),
    "update_contract_type": Rpc(schemas.ContractTypePatchSchema, ContractTypeResult, args=("actor", "type_id")),
    "set_contract_type_perimeters": Rpc(schemas.PerimetersSchema, PerimeterAssignments, args=("actor", "type_id")),
    "add_milestone": Rpc(schemas.MilestoneInSchema, MilestoneResult, args=("actor", "contract_id")),
    "update_milestone": Rpc(schemas.MilestonePatchSchema, MilestoneResult, args=("actor", "milestone_id")),
    "add_task": Rpc(schemas.TaskInSchema, TaskResult, args=("actor", "contract_id")),
    "update_task": Rpc(schemas.TaskPatchSchema, TaskResult, args=("actor", "task_id")),
    "list_columns": Rpc(result=ListOf(ColumnResult), args=("actor",)),
    "create_column": Rpc(schemas.ColumnInSchema, ColumnResult, args=("actor",)),
    "update_column": Rpc(schemas.ColumnPatchSchema, ColumnResult, args=("actor", "column_id")),
    "list_flags": Rpc(result=ListOf(FlagResult), args=("actor",)),
    "create_flag": Rpc(schemas.FlagInSchema, FlagResult, args=("actor",)),
    "update_flag": Rpc(schemas.FlagPatchSchema, FlagResult, args=("actor", "flag_id")),
    "delete_flag": Rpc(result=FlagDeleted, args=("actor", "flag_id"),
                       description="the flag is removed from the contracts carrying it"),
    "list_equipment": Rpc(schemas.EquipmentQuerySchema, EquipmentBase, args=("actor", "customer_id")),
    "contract_equipment": Rpc(schemas.EquipmentQuerySchema, EquipmentBase, args=("actor", "contract_id")),
    "add_equipment": Rpc(schemas.EquipmentInSchema, EquipmentResult, args=("actor", "customer_id")),
    "update_equipment": Rpc(schemas.EquipmentPatchSchema, EquipmentResult, args=("actor", "equipment_id")),
    "delete_equipment": Rpc(result=Deleted, args=("actor", "equipment_id")),
    "record_equipment": Rpc(schemas.EquipmentFromContractSchema, EquipmentRecorded, args=("actor", "contract_id")),
    "import_customers": Rpc(schemas.ErpImportSchema, ImportSummary, args=("actor",),
                            description="rows: ErpCustomerSchema (upsert by code)"),
    "import_sales": Rpc(schemas.ErpImportSchema, ImportSummary, args=("actor",),
                        description="rows: ErpDocumentSchema (upsert orders and invoices by kind and number)"),
    "upload_asset": Rpc(schemas.AssetInSchema, AssetResult, args=("actor",),
                        description="a PNG or JPEG image (MAX_ASSET_BYTES) for templates: paraph-asset:<id>"),
    "list_assets": Rpc(result=ListOf(AssetResult), args=("actor",)),
    "get_asset": Rpc(result=AssetContent, args=("actor", "asset_id")),
    "delete_asset": Rpc(result=Deleted, args=("actor", "asset_id")),
    "template_variables": Rpc(schemas.TemplateVariablesSchema, TemplateVariables, args=("actor",),
                              description="the variables a contract type's template may use"),
    "get_company_profile": Rpc(result=CompanyProfileResult, args=("actor",)),
    "update_company_profile": Rpc(schemas.CompanyProfileSchema, CompanyProfileResult, args=("actor",),
                                  description="the whole profile (what is not given is cleared, the logo kept); "
                                              "SIREN, SIRET, a French VAT number checked: 422 naming the field"),
    "set_company_logo": Rpc(schemas.AssetInSchema, CompanyProfileResult, args=("actor",),
                            description="a PNG or JPEG image (MAX_ASSET_BYTES), replacing the previous logo"),
    "get_company_logo": Rpc(result=AssetContent, args=("actor",)),
    "delete_company_logo": Rpc(result=Deleted, args=("actor",)),
}

CONSUMES_EVENTS = {
    ("perimeter", "perimeter.assignments_changed.v1"): ["license_id", "subject_type", "subject_id",
                                                        "perimeter_ids", "version"],
    ("identity", "license.updated.v1"): ["license_id", "settings", "version"],
    ("signing", "signature.requested.v1"): ["contract_id", "request_id"],
    ("signing", "signature.completed.v1"): ["contract_id", "request_id", "signers"],
    ("signing", "signer.declined.v1"): ["contract_id", "name", "email", "reason"],
    ("signing", "signature.cancelled.v1"): ["request_id", "contract_id"],
    ("signing", "signature.expired.v1"): ["request_id", "contract_id"],
    ("portal", "quote.viewed.v1"): ["contract_id", "contact_id"],
    ("portal", "quote.downloaded.v1"): ["contract_id", "contact_id"],
    ("portal", "contract.shared.v1"): ["contract_id", "shared_by"],
    ("portal", "contract.unshared.v1"): ["contract_id", "unshared_by"],
}
CONSUMES_RPC = {
    # list filters, cached per (user, role, dialect) by paraph_platform.filter_cache and checked against the version
    ("perimeter", "compile_filter"): ["where", "version"],
    ("perimeter", "filter_version"): ["version"],
    ("perimeter", "inherit"): ["perimeter_ids", "version"],
    ("perimeter", "set_assignments"): ["perimeter_ids", "version"],
    ("identity", "license_settings"): ["settings", "version"],
    ("identity", "resolve_users"): ["role", "status", "name", "email"],
}
