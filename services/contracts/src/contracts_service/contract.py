"""contracts' public contract (see paraph_platform.contract): the events it publishes (one schema each, the
single source of their payloads), its RPC methods with their parameters (``schemas``) and results
(:mod:`.results`), and what it consumes of the other services."""
from marshmallow import Schema, fields

from paraph_platform.contract import ListOf, MapOf, Rpc
from paraph_platform.numbers import Integer

from . import logic, results, schemas
from .results import FieldChange
# schemas: the shared ones and contract_statuses'; the other aggregates' by the module named like the aggregate
from .schemas import (
    attachments, company_profile, contract_types, contracts, customers, deals, equipment, erp_import, milestones,
    portal, settings, tasks,
)


class CustomerEventV1(Schema):
    """What every customer event says of the customer, as it is now."""
    customer_id = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    code = fields.String(required=True)


class CustomerCreatedV1(CustomerEventV1):
    created_by = fields.String(required=True)
    perimeter_ids = fields.List(fields.String(), required=True)


class ChangeV1(Schema):
    """What an event of a change adds to what it says of the object as it is now."""
    changed = fields.List(fields.String(), required=True, metadata={"description": "the fields the change touched"})
    updated_by = fields.String(required=True, metadata={"description": "the user's id (an import's: its account)"})


class ContractTypeEventV1(Schema):
    contract_type_id = fields.String(required=True)
    name = fields.String(required=True)


class ContractTypeCreatedV1(ContractTypeEventV1):
    created_by = fields.String(required=True)


class ContractTypeUpdatedV1(ChangeV1, ContractTypeEventV1):
    """A contract type's name, template, merge fields or settings changed, or it was restored from the archive
    (``changed`` then names ``archived``); archiving it is contract_type.archived.v1."""
    kind = fields.String(required=True, metadata={"enum": ["contract", "quote"]})
    archived = fields.Boolean(required=True)


class ContractTypeArchivedV1(ContractTypeEventV1):
    """A contract type was archived: no new contract is made from it (those made from it are kept)."""
    archived_by = fields.String(required=True)


class CustomerUpdatedV1(ChangeV1, CustomerEventV1):
    """A staff user or an ERP import changed the customer file (only when something changed; ``changed`` names
    ``address`` for any of its lines; a portal client's own change is customer.self_updated.v1)."""


class ContactEventV1(Schema):
    """What the events about a customer's contact say of it, as it is now."""
    customer_id = fields.String(required=True)
    contact_id = fields.String(required=True)
    first_name = fields.String(required=True, metadata={"description": "empty when not known"})
    last_name = fields.String(required=True)
    email = fields.String(required=True, allow_none=True)


class ContactCreatedV1(ContactEventV1):
    """A contact was added to a customer (by a staff user, with a new customer or by an ERP import)."""
    created_by = fields.String(required=True)


class ContactUpdatedV1(ChangeV1, ContactEventV1):
    """A staff user or an ERP import changed a contact (only when something changed; a portal client's own change
    is customer.self_updated.v1)."""


class ContractEventV1(Schema):
    """What the events about an existing contract say of it (contract.created.v1 says more)."""
    contract_id = fields.String(required=True)
    kind = fields.String(required=True)
    number = fields.String(required=True)
    customer_id = fields.String(required=True)
    owner_id = fields.String(required=True)


class ContractCreatedV1(ContractEventV1):
    # kind, with its values (a field declared again keeps its place)
    kind = fields.String(required=True, metadata={"enum": list(logic.KINDS)})
    title = fields.String(required=True)
    contract_type_id = fields.String(required=True, allow_none=True)
    status = fields.String(required=True)


class ContractUpdatedV1(ChangeV1, ContractEventV1):
    """A contract's, quote's, order's or invoice's own details changed (title, lines and so amounts, owner,
    contact, deal, custom columns, flags...; only when something changed; ``changed`` names ``lines`` for any
    line). A flag deleted from the settings publishes one for each contract that carried it (``changed``
    ["flags"]). Status changes are contract.status_changed.v1."""
    title = fields.String(required=True)
    currency = fields.String(required=True)
    total = fields.String(required=True, metadata={"description": "incl. tax"})


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
    delay_days = Integer(required=True, allow_none=True)
    created_at = fields.String(required=True)


class AttachmentEventV1(Schema):
    """What the events about a contract's attachment (a file) say of it; GET /attachments/{attachment_id}
    downloads it."""
    attachment_id = fields.String(required=True)
    contract_id = fields.String(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = Integer(required=True, metadata={"description": "in bytes"})
    portal_visible = fields.Boolean(required=True, metadata={"description": "shown on the customer portal"})


class AttachmentAddedV1(AttachmentEventV1):
    """A file was attached to a contract."""
    added_by = fields.String(required=True, metadata={"description": "the user's id"})


class AttachmentDeletedV1(AttachmentEventV1):
    """A contract's attachment was deleted (the customer portal no longer shows it); the fields say what it was."""
    deleted_by = fields.String(required=True, metadata={"description": "the user's id"})


class AttachmentUpdatedV1(ChangeV1, AttachmentEventV1):
    """A contract's attachment was shown or hidden on the customer portal (alone, or with the contract's others
    at once: one event each), renamed or moved to another folder; only when something changed (``changed``
    names portal_visible, filename or folder)."""


class MilestoneEventV1(Schema):
    """What the events about a contract's milestone (a dated step of its execution, shown on the customer portal
    when portal_visible) say of it, as it is now."""
    milestone_id = fields.String(required=True)
    contract_id = fields.String(required=True)
    title = fields.String(required=True)
    due_date = fields.String(required=True, allow_none=True, metadata={"description": "YYYY-MM-DD"})
    done = fields.Boolean(required=True)
    portal_visible = fields.Boolean(required=True, metadata={"description": "shown on the customer portal"})


class MilestoneCreatedV1(MilestoneEventV1):
    """A milestone was added to a contract."""
    created_by = fields.String(required=True, metadata={"description": "the user's id"})


class MilestoneUpdatedV1(ChangeV1, MilestoneEventV1):
    """A milestone was edited, marked done or not, shown or hidden on the customer portal (alone, or with the
    contract's others at once: one event each); only when something changed (``changed`` names title,
    description, due_date, done or portal_visible)."""


class MilestoneDeletedV1(MilestoneEventV1):
    """A contract's milestone was deleted; the fields say what it was."""
    deleted_by = fields.String(required=True, metadata={"description": "the user's id"})


class TaskEventV1(Schema):
    """What the events about a task on a contract (a follow-up for a staff user) say of it, as it is now."""
    task_id = fields.String(required=True)
    contract_id = fields.String(required=True)
    title = fields.String(required=True)
    due_date = fields.String(required=True, allow_none=True, metadata={"description": "YYYY-MM-DD"})
    assignee_id = fields.String(required=True, allow_none=True, metadata={"description": "the user's id"})
    done = fields.Boolean(required=True)


class TaskCreatedV1(TaskEventV1):
    """A task was added to a contract."""
    created_by = fields.String(required=True, metadata={"description": "the user's id"})


class TaskUpdatedV1(ChangeV1, TaskEventV1):
    """A task was edited, reassigned, marked done or not; only when something changed (``changed`` names title,
    due_date, assignee_id or done)."""


class TaskDeletedV1(TaskEventV1):
    """A task was deleted (done or not); the fields say what it was."""
    deleted_by = fields.String(required=True, metadata={"description": "the user's id"})


class QuoteConvertedV1(Schema):
    quote_id = fields.String(required=True)
    quote_number = fields.String(required=True)
    target_kind = fields.String(required=True, metadata={"enum": ["order", "invoice"]})
    target_id = fields.String(required=True)
    target_number = fields.String(required=True)
    customer_id = fields.String(required=True)
    owner_id = fields.String(required=True)


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


class ContactDeletedV1(Schema):
    """A customer's contact was deleted by a staff user (their client portal access, if any, is revoked)."""
    license_id = fields.String(required=True)
    customer_id = fields.String(required=True)
    contact_id = fields.String(required=True)
    deleted_by = fields.String(required=True, metadata={"description": "the staff user's id"})
    deleted_at = fields.String(required=True)


class DealCreatedV1(Schema):
    deal_id = fields.String(required=True)
    title = fields.String(required=True)
    stage = fields.String(required=True, metadata={"enum": list(deals.DEAL_STAGES)})
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
    "contact.created.v1": ContactCreatedV1,
    "contact.updated.v1": ContactUpdatedV1,
    "contact.deleted.v1": ContactDeletedV1,
    "contract_type.created.v1": ContractTypeCreatedV1,
    "contract_type.updated.v1": ContractTypeUpdatedV1,
    "contract_type.archived.v1": ContractTypeArchivedV1,
    "contract.created.v1": ContractCreatedV1,
    "contract.updated.v1": ContractUpdatedV1,
    "contract.sent.v1": ContractSentV1,
    "contract.status_changed.v1": ContractStatusChangedV1,
    "contract.abandoned.v1": ContractAbandonedV1,
    "quote.converted.v1": QuoteConvertedV1,
    "attachment.added.v1": AttachmentAddedV1,
    "attachment.updated.v1": AttachmentUpdatedV1,
    "attachment.deleted.v1": AttachmentDeletedV1,
    "milestone.created.v1": MilestoneCreatedV1,
    "milestone.updated.v1": MilestoneUpdatedV1,
    "milestone.deleted.v1": MilestoneDeletedV1,
    "task.created.v1": TaskCreatedV1,
    "task.updated.v1": TaskUpdatedV1,
    "task.deleted.v1": TaskDeletedV1,
    "deal.created.v1": DealCreatedV1,
    "deal.updated.v1": DealUpdatedV1,
    "deal.deleted.v1": DealDeletedV1,
}
INTERNAL_EVENTS: set = set()


RPC = {
    "create_customer": Rpc(customers.CustomerInSchema, results.CustomerResult, args=("actor",)),
    "update_customer": Rpc(customers.CustomerPatchSchema, results.CustomerResult, args=("actor", "customer_id")),
    "change_status": Rpc(schemas.StatusSchema, results.ContractDetail, args=("actor", "contract_id")),
    "convert": Rpc(contracts.ConvertSchema, results.ContractDetail, args=("actor", "contract_id")),
    "duplicate": Rpc(result=results.ContractDetail, args=("actor", "contract_id")),
    "create_contract": Rpc(contracts.ContractInSchema, results.ContractDetail, args=("actor",)),
    "update_contract": Rpc(contracts.ContractPatchSchema, results.ContractDetail, args=("actor", "contract_id")),
    "list_contracts": Rpc(contracts.ListSchema, results.ContractPage, args=("actor",)),
    "list_tasks": Rpc(tasks.TaskListSchema, results.TaskPage, args=("actor",)),
    "list_customers": Rpc(customers.CustomerListSchema, results.CustomerPage, args=("actor",)),
    "create_deal": Rpc(deals.DealInSchema, results.DealResult, args=("actor",)),
    "get_deal": Rpc(result=results.DealResult, args=("actor", "deal_id")),
    "list_deals": Rpc(deals.DealListSchema, results.DealPage, args=("actor",)),
    "update_deal": Rpc(deals.DealPatchSchema, results.DealResult, args=("actor", "deal_id")),
    "delete_deal": Rpc(result=results.Deleted, args=("actor", "deal_id"),
                       description="only a deal without documents (else 409)"),
    "mark_sent": Rpc(schemas.SendSchema, results.ContractDetail, args=("actor", "contract_id")),
    "download_pdf": Rpc(result=results.PdfResult, args=("actor", "contract_id")),
    "get_pdf": Rpc(result=results.PdfResult, args=("license_id", "contract_id")),
    "get_contract": Rpc(result=results.ContractDetail, args=("actor", "contract_id")),
    "compute_totals": Rpc(contracts.TotalsInSchema, results.TotalsResult, args=("actor",),
                          description="the totals of lines, nothing saved"),
    "get_contract_internal": Rpc(result=results.ContractDetail, args=("license_id", "contract_id")),
    "get_attachment_internal": Rpc(result=results.AttachmentContent, args=("license_id", "attachment_id")),
    "get_contacts_internal": Rpc(result=MapOf(results.InternalContactResult, key="id"),
                                 description="{contact_id: contact + customer_name + sms_phone}",
                                 args=("license_id", "contact_ids")),
    "phone_country_internal": Rpc(result=results.PhoneCountry, args=("license_id", "customer_id"),
                                  description="the country a phone number written without its country code is read "
                                              "in: the customer's (customer_id null: the license's own people's and "
                                              "outsiders'), else the company's, else France"),
    "known_subjects_internal": Rpc(result=results.KnownIds, args=("license_id", "subject_type", "ids"),
                                   description="those of the ids that are customers/contract types of the license"),
    "get_contact": Rpc(result=results.ContactResult, args=("actor", "contact_id")),
    "get_customer": Rpc(result=results.CustomerResult, args=("actor", "customer_id")),
    "set_portal_visibility": Rpc(portal.PortalVisibilitySchema, results.PortalVisibilityResult, args=("actor", "contract_id")),
    "customer_history": Rpc(result=results.CustomerHistoryPage, args=("actor", "customer_id")),
    "client_profile_internal": Rpc(result=results.ClientProfile, args=("license_id", "customer_id", "contact_id"),
                                   description="a portal client's own contact and company (portal self-service)"),
    "apply_client_contact_update": Rpc(customers.ClientContactUpdateSchema, results.ClientProfile,
                                       args=("license_id", "customer_id", "contact_id", "by"),
                                       description="A portal client's change of their own contact details, kept in "
                                                   "the customer's history (customer.self_updated.v1); the answer "
                                                   "lists the changes. `by`: the client's user_id and name."),
    "apply_client_company_update": Rpc(customers.ClientCompanyUpdateSchema, results.ClientProfile,
                                       args=("license_id", "customer_id", "contact_id", "by"),
                                       description="A portal client's change of their company's address, phone or "
                                                   "email, kept in the customer's history "
                                                   "(customer.self_updated.v1); the answer lists the changes."),
    "visible_customers": Rpc(result=results.CustomerNames, args=("actor", "customer_ids"),
                             description="{names: {id: name}} of those of the ids the caller's perimeters let "
                                         "them see"),
    "add_attachment": Rpc(attachments.AttachmentInSchema, results.AttachmentResult, args=("actor", "contract_id")),
    "update_attachment": Rpc(attachments.AttachmentPatchSchema, results.AttachmentResult,
                             args=("actor", "attachment_id")),
    "run_abandon": Rpc(schemas.AbandonRunSchema, results.AbandonResult, args=("actor",)),
    "history": Rpc(result=ListOf(results.HistoryEntry), args=("actor", "contract_id")),
    "add_contact": Rpc(customers.ContactInSchema, results.ContactView, args=("actor", "customer_id")),
    "update_contact": Rpc(customers.ContactPatchSchema, results.ContactView, args=("actor", "contact_id")),
    "set_customer_perimeters": Rpc(schemas.PerimetersSchema, results.PerimeterAssignments, args=("actor", "customer_id")),
    "list_contract_types": Rpc(result=ListOf(results.ContractTypeResult), args=("actor", "include_archived"),
                               description="without their template_html"),
    "create_contract_type": Rpc(contract_types.ContractTypeInSchema, results.ContractTypeResult, args=("actor",)),
    "get_contract_type": Rpc(result=results.ContractTypeResult, args=("actor", "type_id")),
    "update_contract_type": Rpc(contract_types.ContractTypePatchSchema, results.ContractTypeResult,
                                args=("actor", "type_id")),
    "set_contract_type_perimeters": Rpc(schemas.PerimetersSchema, results.PerimeterAssignments, args=("actor", "type_id")),
    "preview_contract_type_pdf": Rpc(contract_types.TemplatePreviewSchema, results.TemplatePreviewPdf,
                                     args=("actor", "type_id"),
                                     description="the type's template (the saved one, or the one sent) rendered to PDF "
                                                 "on sample data; a template saving would refuse: the same 422"),
    "add_milestone": Rpc(milestones.MilestoneInSchema, results.MilestoneResult, args=("actor", "contract_id")),
    "update_milestone": Rpc(milestones.MilestonePatchSchema, results.MilestoneResult, args=("actor", "milestone_id")),
    "add_task": Rpc(tasks.TaskInSchema, results.TaskResult, args=("actor", "contract_id")),
    "update_task": Rpc(tasks.TaskPatchSchema, results.TaskResult, args=("actor", "task_id")),
    "delete_task": Rpc(result=results.Deleted, args=("actor", "task_id")),
    "list_columns": Rpc(result=ListOf(results.ColumnResult), args=("actor",)),
    "create_column": Rpc(settings.ColumnInSchema, results.ColumnResult, args=("actor",)),
    "update_column": Rpc(settings.ColumnPatchSchema, results.ColumnResult, args=("actor", "column_id")),
    "list_flags": Rpc(result=ListOf(results.FlagResult), args=("actor",)),
    "create_flag": Rpc(settings.FlagInSchema, results.FlagResult, args=("actor",)),
    "update_flag": Rpc(settings.FlagPatchSchema, results.FlagResult, args=("actor", "flag_id")),
    "delete_flag": Rpc(result=results.FlagDeleted, args=("actor", "flag_id"),
                       description="the flag is removed from the contracts carrying it (contract.updated.v1 for "
                                   "each)"),
    "list_equipment": Rpc(equipment.EquipmentQuerySchema, results.EquipmentBase, args=("actor", "customer_id")),
    "contract_equipment": Rpc(equipment.EquipmentQuerySchema, results.EquipmentBase, args=("actor", "contract_id")),
    "add_equipment": Rpc(equipment.EquipmentInSchema, results.EquipmentResult, args=("actor", "customer_id")),
    "update_equipment": Rpc(equipment.EquipmentPatchSchema, results.EquipmentResult, args=("actor", "equipment_id")),
    "delete_equipment": Rpc(result=results.Deleted, args=("actor", "equipment_id")),
    "record_equipment": Rpc(equipment.EquipmentFromContractSchema, results.EquipmentRecorded,
                            args=("actor", "contract_id")),
    "import_customers": Rpc(erp_import.ErpImportSchema, results.ImportSummary, args=("actor",),
                            description="rows: ErpCustomerSchema (upsert by code)"),
    "import_sales": Rpc(erp_import.ErpImportSchema, results.ImportSummary, args=("actor",),
                        description="rows: ErpDocumentSchema (upsert orders and invoices by kind and number)"),
    "upload_asset": Rpc(schemas.AssetInSchema, results.AssetResult, args=("actor",),
                        description="a PNG or JPEG image (MAX_ASSET_BYTES) for templates: paraph-asset:<id>"),
    "list_assets": Rpc(result=ListOf(results.AssetResult), args=("actor",)),
    "get_asset": Rpc(result=results.AssetContent, args=("actor", "asset_id")),
    "delete_asset": Rpc(result=results.Deleted, args=("actor", "asset_id")),
    "template_variables": Rpc(contract_types.TemplateVariablesSchema, results.TemplateVariables, args=("actor",),
                              description="the variables a contract type's template may use"),
    "get_company_profile": Rpc(result=results.CompanyProfileResult, args=("actor",)),
    "update_company_profile": Rpc(company_profile.CompanyProfileSchema, results.CompanyProfileResult, args=("actor",),
                                  description="the whole profile (what is not given is cleared, the logo kept); "
                                              "SIREN, SIRET, a French VAT number checked: 422 naming the field"),
    "set_company_logo": Rpc(schemas.AssetInSchema, results.CompanyProfileResult, args=("actor",),
                            description="a PNG or JPEG image (MAX_ASSET_BYTES), replacing the previous logo"),
    "get_company_logo": Rpc(result=results.AssetContent, args=("actor",)),
    "delete_company_logo": Rpc(result=results.Deleted, args=("actor",)),
}

CONSUMES_EVENTS = {
    ("perimeter", "perimeter.assignments_changed.v1"): ["license_id", "subject_type", "subject_id",
                                                        "perimeter_ids", "version"],
    ("identity", "license.updated.v1"): ["license_id", "name", "settings", "version"],
    ("signing", "signature.requested.v1"): ["contract_id", "request_id", "requested_by"],
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
    ("identity", "license_settings"): ["name", "settings", "version"],
    ("identity", "resolve_users"): ["role", "status", "name", "email"],
    ("portal", "access_status_internal"): ["status"],  # a plain user's deletion of a contact
}
