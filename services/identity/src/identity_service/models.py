"""identity tables: seat pools (subscriptions), licenses (environments), users, memberships,
invitation tokens, refresh tokens, imported ERP collaborators, and integrators' service accounts with
their API keys."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from paraph_platform.db import UTCDateTime, new_id, utcnow
from paraph_platform.models import platform_models


class Base(DeclarativeBase):
    pass


Outbox, Inbox, IdempotencyKey = platform_models(Base)


class SeatPool(Base):
    """A subscription: an activation code granting N seats until a date, shared by its licenses."""
    __tablename__ = "seat_pools"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    activation_code: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    seats: Mapped[int] = mapped_column(Integer, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)


class License(Base):
    """An independent environment (one company); its seats come from a pool."""
    __tablename__ = "licenses"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    pool_id: Mapped[str] = mapped_column(ForeignKey("seat_pools.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    settings: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)


class User(Base):
    """A person, keyed by email (lower-cased); may belong to several licenses."""
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # the country ``phone`` was read in when it was checked (the license's it was typed in: a person of several
    # companies has one number), so that it is read there when an SMS leaves; None: France (numbers from before)
    phone_country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    locale: Mapped[str] = mapped_column(String(8), default="fr", nullable=False)
    password_hash: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_license_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # no longer read or written (sign-in failures are counted in login_failures, per account and per address);
    # kept while the previous version may still run during a rolling update, to be dropped by a later migration
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Membership(Base):
    """A user's place in a license: role, status, and (for clients) portal restrictions."""
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "license_id", name="uq_membership_user_license"),
                      Index("ix_membership_license_status", "license_id", "status"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), nullable=False)
    license_id: Mapped[str] = mapped_column(ForeignKey("licenses.id"), nullable=False)
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # invited | active | deactivated
    erp_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # portal ("Client") access
    user_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    contact_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    customer_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    company: Mapped[str | None] = mapped_column(String(200), nullable=True)
    allowed_ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    branch: Mapped[str | None] = mapped_column(String(200), nullable=True)
    preferences: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    invited_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # carried by access tokens as `ver`; bumped when every session of this membership must end
    access_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1", nullable=False)


class Token(Base):
    """Single-use secrets (set-password invitations, password resets) and refresh tokens, stored hashed."""
    __tablename__ = "tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    purpose: Mapped[str] = mapped_column(String(16), nullable=False)  # invitation | reset | refresh
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    license_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class TokenKey(Base):
    """An Ed25519 key pair signing access tokens. The newest unretired key signs; a retired key's
    public part stays published until every token it signed has expired."""
    __tablename__ = "token_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_jwk: Mapped[dict] = mapped_column(JSON, nullable=False)
    # PKCS#8 PEM; NULL when the private key comes from JWT_PRIVATE_KEY (never copied into the database)
    private_pem: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class LoginFailure(Base):
    """One failed sign-in, counted in a sliding window per client address and per account
    (``key`` = ``ip:<address>`` or ``account:<sha256 of the email>``, known or not)."""
    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key", "failed_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(String(100), nullable=False)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class ErpCollaborator(Base):
    """A collaborator imported from the ERP (one-way: ERP -> Paraph), keyed by email per license."""
    __tablename__ = "erp_collaborators"
    __table_args__ = (UniqueConstraint("license_id", "email", name="uq_collab_license_email"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(ForeignKey("licenses.id"), nullable=False, index=True)
    code: Mapped[str] = mapped_column(String(64), nullable=False)
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    name: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    user_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class ServiceAccount(Base):
    """A non-human caller of a license (an integration): acts with a staff role through its API keys,
    takes no seat and is no member (not in the users list). Disabling it stops every key of it."""
    __tablename__ = "service_accounts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(ForeignKey("licenses.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(String(2000), default="", nullable=False)
    role: Mapped[str] = mapped_column(String(32), default="user", nullable=False)  # a staff role
    created_by: Mapped[str] = mapped_column(String(36), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ApiKey(Base):
    """A service account's secret key, stored as the SHA-256 of the whole key (shown once, at creation):
    ``<area>:read|write`` scopes, an optional allow-list of addresses/networks, an optional expiry."""
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_account_id: Mapped[str] = mapped_column(ForeignKey("service_accounts.id"), nullable=False, index=True)
    license_id: Mapped[str] = mapped_column(ForeignKey("licenses.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)  # the key's start, shown in lists
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    scopes: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    allowed_ips: Mapped[list] = mapped_column(JSON, default=list, nullable=False)  # IPs/CIDRs; empty = any
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by: Mapped[str] = mapped_column(String(36), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
