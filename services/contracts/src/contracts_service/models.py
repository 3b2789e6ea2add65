"""contracts tables: customers, contacts, contract types, contracts/quotes/orders/invoices and their
lines, attachments, milestones, tasks, history; customers' equipment base; license-level custom columns
and flags; the company profile (the PDFs' issuer); replicas of perimeter assignments (scope tables the
perimeter policy's SQL filter runs against) and of license settings."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON, Boolean, Date, ForeignKey, Index, Integer, LargeBinary, Numeric, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from paraph_platform.db import UTCDateTime, created_at_of_row, new_id, utcnow
from paraph_platform.models import platform_models


class Base(DeclarativeBase):
    pass


Outbox, Inbox, IdempotencyKey = platform_models(Base)


# -- column groups several tables share (mixins: each table still declares its own indexes) --------------

class Created:
    """Who created the row (a user id) and when."""
    created_by: Mapped[str] = mapped_column(String(36), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class LastChanged:
    """When the row last changed; a new row's is its created_at (the default reads it from the row)."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=created_at_of_row, nullable=False)


class Edited(Created, LastChanged):
    """Created, and last changed when. The bases' order is the columns' (declarative copies a mixin's columns
    in MRO order) and the order SQLAlchemy computes their defaults in: created_at must come before updated_at,
    or updated_at's default finds no created_at and takes a time of its own, a few microseconds earlier."""


class StoredFile:
    """An uploaded file kept in the database, with its checksum."""
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(120), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class LicenseSetting:
    """A license's named setting on contracts (a custom column, a flag): its key is unique in the license."""
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False)
    key: Mapped[str] = mapped_column(String(60), nullable=False)
    label: Mapped[str] = mapped_column(String(120), nullable=False)


class ChangeLog:
    """A change of something a license holds: who (actor_id) did what (action, details), when."""
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    actor_id: Mapped[str] = mapped_column(String(36), nullable=False)
    action: Mapped[str] = mapped_column(String(60), nullable=False)
    details: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)


class PerimeterScope:
    """A row of the replica of a subject's perimeters (one row a perimeter); perimeter_id "" marks a subject
    without perimeter (visible to everyone)."""
    perimeter_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class LicenseSettings(Base):
    """Replica of identity's license settings and name (license.updated.v1)."""
    __tablename__ = "license_settings"

    license_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # the license's name, the issuer its PDFs name until the company profile names another; None: a replica
    # written before it was kept (ContractsBase._settings asks identity once)
    name: Mapped[str | None] = mapped_column(String(200))
    abandon_delay_days: Mapped[int] = mapped_column(Integer, default=60, nullable=False)
    locale: Mapped[str] = mapped_column(String(8), default="fr", nullable=False)
    currency: Mapped[str] = mapped_column(String(3), default="EUR", nullable=False)
    portal_attachments_visible_by_default: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # the country the company is established in (ISO code; paraph_platform.company_country), None for a license
    # that has not said it
    country: Mapped[str | None] = mapped_column(String(2))
    version: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


class CompanyProfile(Base):
    """The license's company, the issuer its PDFs name: address, legal identifiers, contact details, logo.
    The logo is one of the license's assets (the PDF renderer fetches nothing else)."""
    __tablename__ = "company_profiles"

    license_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    address: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    siren: Mapped[str | None] = mapped_column(String(9))
    siret: Mapped[str | None] = mapped_column(String(14))
    vat_number: Mapped[str | None] = mapped_column(String(20))
    legal_form: Mapped[str | None] = mapped_column(String(60))
    share_capital: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    rcs_city: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(320))
    website: Mapped[str | None] = mapped_column(String(300))
    logo_asset_id: Mapped[str | None] = mapped_column(ForeignKey("assets.id", ondelete="SET NULL"))
    updated_by: Mapped[str] = mapped_column(String(36), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=created_at_of_row, nullable=False)


class Customer(Edited, Base):
    __tablename__ = "customers"
    # the customer list's orders, ending with the id (keyset pagination); updated_since (an integration's sync)
    __table_args__ = (Index("ix_customer_license_name_id", "license_id", "name", "id"),
                      Index("ix_customer_license_created", "license_id", "created_at", "id"),
                      Index("ix_customer_license_updated_id", "license_id", "updated_at", "id"),
                      UniqueConstraint("license_id", "code", name="uq_customer_code"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # company | person
    code: Mapped[str] = mapped_column(String(64), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    vat_number: Mapped[str | None] = mapped_column(String(40))
    # its company number: a SIREN or SIRET in France, elsewhere its country's (schemas.customers.CompanyNumber)
    registration_number: Mapped[str | None] = mapped_column(String(20))
    locale: Mapped[str | None] = mapped_column(String(8))
    currency: Mapped[str | None] = mapped_column(String(3))
    notes: Mapped[str] = mapped_column(Text, default="", nullable=False)


class CustomerScope(PerimeterScope, Base):
    """Replica of the customer's perimeters."""
    __tablename__ = "customer_scopes"
    __table_args__ = (Index("ix_customer_scope_perimeter", "perimeter_id", "customer_id"),)

    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)


class ContractTypeScope(PerimeterScope, Base):
    """Replica of the contract type's perimeters."""
    __tablename__ = "contract_type_scopes"
    __table_args__ = (Index("ix_type_scope_perimeter", "perimeter_id", "contract_type_id"),)

    contract_type_id: Mapped[str] = mapped_column(ForeignKey("contract_types.id", ondelete="CASCADE"),
                                                  primary_key=True)


class ScopeVersion(Base):
    """Last applied version of a subject's perimeter assignments (stale events are ignored)."""
    __tablename__ = "scope_versions"

    subject_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (Index("ix_contact_customer", "customer_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), nullable=False)
    first_name: Mapped[str] = mapped_column(String(100), default="", nullable=False)
    last_name: Mapped[str] = mapped_column(String(100), nullable=False)
    title: Mapped[str | None] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(100))
    type: Mapped[str | None] = mapped_column(String(60))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    mobile: Mapped[str | None] = mapped_column(String(40))
    fax: Mapped[str | None] = mapped_column(String(40))
    branch: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=created_at_of_row, nullable=False)


class ContractType(Edited, Base):
    """A model ("type de contrat"): HTML template with merge fields, defaults, perimeters."""
    __tablename__ = "contract_types"
    __table_args__ = (UniqueConstraint("license_id", "name", name="uq_type_name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), default="contract", nullable=False)  # contract | quote
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    template_html: Mapped[str] = mapped_column(Text, default="", nullable=False)
    merge_fields: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    locale: Mapped[str | None] = mapped_column(String(8))
    attachments_portal_visible: Mapped[bool | None] = mapped_column(Boolean)
    abandon_delay_days: Mapped[int | None] = mapped_column(Integer)
    archived: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)


class Counter(Base):
    """Document numbering per license, kind and year."""
    __tablename__ = "counters"

    license_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


class Deal(Edited, Base):
    """A sales opportunity of a customer (Initiative CRM's "affaire"): it groups the quotes, orders and
    invoices made for it. Visible exactly when its customer is."""
    __tablename__ = "deals"
    __table_args__ = (Index("ix_deal_license_updated_id", "license_id", "updated_at", "id"),
                      Index("ix_deal_customer", "customer_id", "created_at"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    stage: Mapped[str] = mapped_column(String(16), nullable=False)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # expected amount (excl. tax)
    currency: Mapped[str] = mapped_column(String(3), default="EUR", nullable=False)
    expected_close_date: Mapped[date | None] = mapped_column(Date)
    owner_id: Mapped[str] = mapped_column(String(36), nullable=False)
    owner_name: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    notes: Mapped[str] = mapped_column(Text, default="", nullable=False)
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)


class Contract(Edited, Base):
    """A contract, quote, order or invoice (always linked to a customer)."""
    __tablename__ = "contracts"
    # the contract list's default order (newest first), a customer's contracts, "recently viewed online",
    # updated_since (an integration's sync): each ending with the id, the list's tie-break (keyset pagination)
    __table_args__ = (Index("ix_contract_license_created_id", "license_id", "created_at", "id"),
                      Index("ix_contract_license_updated_id", "license_id", "updated_at", "id"),
                      Index("ix_contract_customer_created_id", "customer_id", "created_at", "id"),
                      Index("ix_contract_license_viewed", "license_id", "last_viewed_at", "id"),
                      Index("ix_contract_abandon", "status", "created_at"),
                      # the ERP numbers its orders and invoices in separate series
                      UniqueConstraint("license_id", "kind", "number", name="uq_contract_kind_number"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    number: Mapped[str] = mapped_column(String(40), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), nullable=False)
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    contract_type_id: Mapped[str | None] = mapped_column(ForeignKey("contract_types.id"))
    owner_id: Mapped[str] = mapped_column(String(36), nullable=False)
    owner_name: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    owner_email: Mapped[str] = mapped_column(String(320), default="", nullable=False)
    currency: Mapped[str] = mapped_column(String(3), default="EUR", nullable=False)
    locale: Mapped[str] = mapped_column(String(8), default="fr", nullable=False)
    data: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    custom: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    notes: Mapped[str] = mapped_column(Text, default="", nullable=False)
    deal_ref: Mapped[str | None] = mapped_column(String(120))
    deal_id: Mapped[str | None] = mapped_column(ForeignKey("deals.id"), index=True)  # same customer
    valid_until: Mapped[date | None] = mapped_column(Date)
    subtotal: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=0, nullable=False)
    tax_total: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=0, nullable=False)
    total: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=0, nullable=False)
    # the quote it was converted from, or copied from (indexed: the quotes still to convert look it up)
    source_id: Mapped[str | None] = mapped_column(String(36), index=True)
    source: Mapped[str | None] = mapped_column(String(16))  # "erp": imported, numbered by the ERP; None: made here
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signers: Mapped[list] = mapped_column(JSON, default=list, nullable=False)  # who signed, when (from signing)
    signature_request_id: Mapped[str | None] = mapped_column(String(36))
    portal_shared: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    view_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    download_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    last_viewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)


class ContractFlag(Base):
    """A flag set on a contract (filterable in SQL)."""
    __tablename__ = "contract_flags"
    __table_args__ = (Index("ix_contract_flag_key", "key", "contract_id"),)

    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(60), primary_key=True)


class SignatureTracking(Base):
    """Signature requests the signing service opened on a contract, and whether they are over
    (events may arrive in any order: a request closed before its 'requested' event stays closed)."""
    __tablename__ = "signature_tracking"
    __table_args__ = (Index("ix_signature_tracking_contract", "contract_id", "closed"),)

    request_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    contract_id: Mapped[str] = mapped_column(String(36), nullable=False)
    closed: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)


class Line(Base):
    __tablename__ = "lines"
    __table_args__ = (Index("ix_line_contract", "contract_id", "position"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    product_code: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, nullable=False)
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3), nullable=False)
    unit: Mapped[str | None] = mapped_column(String(20))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    discount_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=0, nullable=False)
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=0, nullable=False)
    optional: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    selected: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)


class Attachment(StoredFile, Created, Base):
    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachment_contract", "contract_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), nullable=False)
    folder: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    portal_visible: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)


class Asset(StoredFile, Created, Base):
    """An image a license uploads for its templates (its logo...), embedded by id (``paraph-asset:<id>``):
    the PDF renderer fetches nothing else. Immutable: a new image is a new asset."""
    __tablename__ = "assets"
    __table_args__ = (Index("ix_asset_license", "license_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False)


class Milestone(Base):
    __tablename__ = "milestones"
    __table_args__ = (Index("ix_milestone_contract", "contract_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    due_date: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    portal_visible: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


class Task(Created, Base):
    __tablename__ = "tasks"
    __table_args__ = (Index("ix_task_contract", "contract_id"),
                      # the open tasks list: soonest due first (undated last), then created, then id
                      Index("ix_task_license_open_due", "license_id", "done", "due_date", "created_at", "id"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    due_date: Mapped[date | None] = mapped_column(Date)
    assignee_id: Mapped[str | None] = mapped_column(String(36))
    done: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)


class Equipment(Edited, Base):
    """A customer's equipment base (Initiative CRM "parc matériel"): what is installed at the customer,
    entered by hand or recorded from the lines of an order or invoice (one item per line at most)."""
    __tablename__ = "equipment"
    __table_args__ = (Index("ix_equipment_customer", "customer_id", "status"),
                      UniqueConstraint("source_line_id", name="uq_equipment_source_line"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), nullable=False)
    product_code: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, nullable=False)
    serial_number: Mapped[str | None] = mapped_column(String(100))
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3), default=1, nullable=False)
    installed_on: Mapped[date | None] = mapped_column(Date)
    warranty_until: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="in_service", nullable=False)  # | retired
    notes: Mapped[str] = mapped_column(Text, default="", nullable=False)
    source_contract_id: Mapped[str | None] = mapped_column(String(36))
    source_number: Mapped[str | None] = mapped_column(String(40))
    source_line_id: Mapped[str | None] = mapped_column(String(36))


class History(ChangeLog, Base):
    """Every change of a contract (who, when, what)."""
    __tablename__ = "history"
    __table_args__ = (Index("ix_history_contract", "contract_id", "at"),)

    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), nullable=False)


class CustomColumn(LicenseSetting, Base):
    """A license's editable column on contracts (back office), with its type."""
    __tablename__ = "custom_columns"
    __table_args__ = (UniqueConstraint("license_id", "key", name="uq_column_key"),)

    type: Mapped[str] = mapped_column(String(16), nullable=False)  # text | number | date | boolean | choice
    choices: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


class Flag(LicenseSetting, Base):
    """A license's flag (coloured marker) usable on contracts."""
    __tablename__ = "flags"
    __table_args__ = (UniqueConstraint("license_id", "key", name="uq_flag_key"),)

    color: Mapped[str] = mapped_column(String(7), default="#2f80ed", nullable=False)


class Document(Base):
    """Rendered PDFs, cached by the fingerprint of what they show."""
    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("contract_id", "fingerprint", name="uq_document_fingerprint"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), nullable=False)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    rendered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class CustomerHistory(ChangeLog, Base):
    """Every change of a customer file and its contacts (who, when, what changed from what), by staff or
    by the customer's own portal clients (self-service): the customer file's History tab."""
    __tablename__ = "customer_history"
    __table_args__ = (Index("ix_customer_history_customer", "customer_id", "at"),)

    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), nullable=False)
    actor_name: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    actor_kind: Mapped[str] = mapped_column(String(16), nullable=False)  # staff | client
