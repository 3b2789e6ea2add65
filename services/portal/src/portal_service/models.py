"""portal tables: client (portal) accesses of customers' contacts, contract shares and their
participants, online quote links with their hashed page tokens, quote sends and the quote activity
(views, downloads, feedback) kept with date and time."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from paraph_platform.db import UTCDateTime, created_at_of_row, new_id, utcnow
from paraph_platform.models import platform_models


class Base(DeclarativeBase):
    pass


Outbox, Inbox, IdempotencyKey = platform_models(Base)


class ClientAccess(Base):
    """A contact's portal access (role Client), mirrored from identity: the portal needs it to check
    requesters and observers and to scope what a signed-in client sees (company, branch)."""
    __tablename__ = "client_accesses"
    __table_args__ = (UniqueConstraint("license_id", "contact_id", name="uq_access_contact"),
                      Index("ix_access_user", "license_id", "user_id"),
                      Index("ix_access_customer", "license_id", "customer_id"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False)
    contact_id: Mapped[str] = mapped_column(String(36), nullable=False)
    customer_id: Mapped[str] = mapped_column(String(36), nullable=False)
    user_id: Mapped[str] = mapped_column(String(36), nullable=False)
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    name: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    user_code: Mapped[str] = mapped_column(String(64), nullable=False)
    company: Mapped[str | None] = mapped_column(String(200))
    branch: Mapped[str | None] = mapped_column(String(200))
    allowed_ip: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8), default="fr", nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # invited | active | deactivated
    granted_by: Mapped[str] = mapped_column(String(36), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=created_at_of_row, nullable=False)
    # set when contracts' contact.deleted revoked it: shares keep naming the contact, saying they were deleted
    contact_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# the clients list's keyset (lower(company), name, id): an index seek for any page (pagination cursors)
Index("ix_access_license_company_name", ClientAccess.license_id, func.lower(func.coalesce(ClientAccess.company, "")),
      ClientAccess.name, ClientAccess.id)


class Share(Base):
    """A contract shown on the customer portal ("Afficher dans le portail client"): one row per
    contract, revoked on unshare and re-activated when shared again. ``company`` and ``branch`` scope
    which clients see it; number/title/status are a snapshot for the clients' list."""
    __tablename__ = "shares"
    __table_args__ = (UniqueConstraint("license_id", "contract_id", name="uq_share_contract"),
                      Index("ix_share_customer", "license_id", "customer_id", "revoked_at"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False)
    contract_id: Mapped[str] = mapped_column(String(36), nullable=False)
    customer_id: Mapped[str] = mapped_column(String(36), nullable=False)
    customer_name: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    company: Mapped[str | None] = mapped_column(String(200))
    branch: Mapped[str | None] = mapped_column(String(200))
    requester_contact_id: Mapped[str] = mapped_column(String(36), nullable=False)
    show_attachments: Mapped[bool | None] = mapped_column(Boolean)
    message: Mapped[str] = mapped_column(Text, default="", nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    number: Mapped[str] = mapped_column(String(40), nullable=False)
    title: Mapped[str] = mapped_column(String(300), default="", nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    owner_id: Mapped[str] = mapped_column(String(36), nullable=False)
    shared_by: Mapped[str] = mapped_column(String(36), nullable=False)
    shared_by_name: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=created_at_of_row, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)


class ShareParticipant(Base):
    """The requester and the observers of a share (portal clients of the same company)."""
    __tablename__ = "share_participants"
    __table_args__ = (Index("ix_participant_contact", "contact_id"),)

    share_id: Mapped[str] = mapped_column(ForeignKey("shares.id", ondelete="CASCADE"), primary_key=True)
    contact_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)  # requester | observer
    user_id: Mapped[str] = mapped_column(String(36), nullable=False)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class QuoteLink(Base):
    """The online page of a quote for one contact. Its page tokens are random and stored hashed
    (each email carries a fresh one; they all open the same page until revoked or expired)."""
    __tablename__ = "quote_links"
    __table_args__ = (UniqueConstraint("license_id", "contract_id", "contact_id", name="uq_link_contact"),
                      Index("ix_link_contract", "license_id", "contract_id"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False)
    contract_id: Mapped[str] = mapped_column(String(36), nullable=False)
    contact_id: Mapped[str] = mapped_column(String(36), nullable=False)
    contact_name: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    contact_email: Mapped[str] = mapped_column(String(320), default="", nullable=False)
    locale: Mapped[str] = mapped_column(String(8), default="fr", nullable=False)
    signature_request_id: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(36), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(36))


class QuoteToken(Base):
    """SHA-256 of a page token (the secret itself is only ever in the email)."""
    __tablename__ = "quote_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    link_id: Mapped[str] = mapped_column(ForeignKey("quote_links.id", ondelete="CASCADE"), nullable=False,
                                         index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a later email does not revive it


class QuoteSend(Base):
    """One "Envoyer par email" / "Relancer par email" of a quote."""
    __tablename__ = "quote_sends"
    __table_args__ = (Index("ix_send_contract", "license_id", "contract_id", "sent_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False)
    contract_id: Mapped[str] = mapped_column(String(36), nullable=False)
    link_id: Mapped[str] = mapped_column(ForeignKey("quote_links.id", ondelete="CASCADE"), nullable=False)
    contact_id: Mapped[str] = mapped_column(String(36), nullable=False)
    to: Mapped[str] = mapped_column(String(320), nullable=False)
    template: Mapped[str] = mapped_column(String(40), nullable=False)
    reminder: Mapped[bool] = mapped_column(Boolean, nullable=False)
    attach_pdf: Mapped[bool] = mapped_column(Boolean, nullable=False)
    request_signature: Mapped[bool] = mapped_column(Boolean, nullable=False)
    signature_request_id: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text, default="", nullable=False)
    sent_by: Mapped[str] = mapped_column(String(36), nullable=False)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class QuoteActivity(Base):
    """Every view and download of a quote, on its online page or by a signed-in portal client (and its signed
    copy's downloads from a contact's signing link), and every feedback, with date and time; link scanners and previewers opening the online page are kept
    as ``prefetch`` (not views)."""
    __tablename__ = "quote_activity"
    __table_args__ = (Index("ix_activity_contract", "license_id", "contract_id", "at"),
                      Index("ix_activity_link", "link_id", "kind", "at"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False)
    contract_id: Mapped[str] = mapped_column(String(36), nullable=False)
    # the online page's link; none for a portal client (signed in, no link)
    link_id: Mapped[str | None] = mapped_column(ForeignKey("quote_links.id", ondelete="CASCADE"))
    contact_id: Mapped[str] = mapped_column(String(36), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # viewed | downloaded | feedback | prefetch
    channel: Mapped[str] = mapped_column(String(16), default="quote_page", server_default="quote_page",
                                         nullable=False)  # quote_page | portal | signing_link
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(500))
    message: Mapped[str | None] = mapped_column(Text)
