"""notify tables: license templates, the notification delivery log (the send state machine), the licenses'
time zones, webhook subscriptions and webhook deliveries."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from paraph_platform.db import UTCDateTime, created_at_of_row, new_id, utcnow
from paraph_platform.models import platform_models


class Base(DeclarativeBase):
    pass


Outbox, Inbox, IdempotencyKey = platform_models(Base)


class NotificationTemplate(Base):
    """A license's own version of a template in one locale (the built-in default applies otherwise)."""
    __tablename__ = "notification_templates"
    __table_args__ = (UniqueConstraint("license_id", "name", "locale", name="uq_template_license_name_locale"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    locale: Mapped[str] = mapped_column(String(8), nullable=False)
    subject: Mapped[str] = mapped_column(Text, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    html: Mapped[str | None] = mapped_column(Text, nullable=True)
    sms: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=created_at_of_row, nullable=False)


class Notification(Base):
    """One message to one recipient over one channel, and its delivery state machine.

    status: queued -> sending -> sent | failed (or back to queued with next_attempt_at on a
    retryable error). While ``sending``, ``claim_token``/``lease_until`` say who owns the attempt
    and until when; ``phase`` is ``claimed`` until the point of no return (SMTP end of DATA, SMS
    API call) and ``committing`` after it. A row found in ``sending`` past its lease belonged to a
    sender that died: ``claimed`` means nothing left the building (safe to send again),
    ``committing`` means the message may have been delivered (it is sent again with the same
    Message-ID / provider reference, and counted in ``in_doubt_resends``).
    """
    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("delivery_key", name="uq_notification_delivery_key"),
        Index("ix_notification_due", "status", "next_attempt_at"),
        # the log's keyset (created_at, id), newest first: an index seek for any page (pagination cursors)
        Index("ix_notification_license_created_id", "license_id", "created_at", "id"),
        Index("ix_notification_created", "created_at"),
        Index("ix_notification_license_customer", "license_id", "customer_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    channel: Mapped[str] = mapped_column(String(8), nullable=False)          # email | sms
    template: Mapped[str] = mapped_column(String(64), nullable=False)
    locale: Mapped[str] = mapped_column(String(8), nullable=False)
    recipient: Mapped[str] = mapped_column(String(320), nullable=False)
    recipient_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    user_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # the customer the message is about (None: about no customer, e.g. a staff invitation): who may read
    # the row in the delivery log follows that customer's perimeters (CustomerScope)
    customer_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="queued")
    phase: Mapped[str | None] = mapped_column(String(16), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    in_doubt_resends: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claim_token: Mapped[str | None] = mapped_column(String(36), nullable=True)
    message_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    provider_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    subject: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    warnings: Mapped[list | None] = mapped_column(JSON, nullable=True)
    # rendering inputs; cleared (vars may carry single-use links) once the row is final
    vars: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    attachments: Mapped[list | None] = mapped_column(JSON, nullable=True)
    event_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    event_type: Mapped[str | None] = mapped_column(String(128), nullable=True)
    source: Mapped[str | None] = mapped_column(String(64), nullable=True)
    dedupe_key: Mapped[str] = mapped_column(String(300), nullable=False)
    delivery_key: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=created_at_of_row, nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class LicenseTimeZone(Base):
    """Replica of the time zone of each license (from identity's license.updated.v1, see licenses.py): its
    emails write their dates and times in it; and of its country, the order they write them in (time_zones.py)."""
    __tablename__ = "license_time_zones"

    license_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    time_zone: Mapped[str] = mapped_column(String(64), nullable=False)
    # the country the company is established in (an ISO code, paraph_platform.company_country), None for a license
    # that has not said it (or settings notify replicated before it kept it): English dates day first
    country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)


class CustomerScope(Base):
    """Replica of a customer's perimeters (from perimeter.assignments_changed.v1), the table the perimeter
    policy's compiled list filter runs against; perimeter_id "" marks a customer without perimeter."""
    __tablename__ = "customer_scopes"
    __table_args__ = (Index("ix_customer_scope_perimeter", "perimeter_id", "customer_id"),)

    customer_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    perimeter_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class CustomerScopeVersion(Base):
    """Last applied version of a customer's assignments (stale events are ignored; 0: a customer the
    perimeter service had no assignments for yet, replaced by any event)."""
    __tablename__ = "customer_scope_versions"

    customer_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)


class WebhookSubscription(Base):
    __tablename__ = "webhook_subscriptions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    url: Mapped[str] = mapped_column(String(2000), nullable=False)
    description: Mapped[str] = mapped_column(String(500), default="", nullable=False)
    event_types: Mapped[list] = mapped_column(JSON, nullable=False)
    secret: Mapped[str] = mapped_column(String(200), nullable=False)
    previous_secret: Mapped[str | None] = mapped_column(String(200), nullable=True)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    failed_deliveries_in_a_row: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=created_at_of_row, nullable=False)
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)


class WebhookDelivery(Base):
    """One event to one subscription (a replay is a new row with ``replay_of`` and the same event id).

    status: pending -> sending -> succeeded | failed (or back to pending with next_attempt_at).
    """
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_webhook_delivery_dedupe"),
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        Index("ix_webhook_delivery_sub_created_id", "subscription_id", "created_at", "id"),  # the log's keyset
        Index("ix_webhook_delivery_created", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    subscription_id: Mapped[str] = mapped_column(ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"),
                                                 nullable=False)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False)
    event_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    event_type: Mapped[str] = mapped_column(String(128), nullable=False)
    payload: Mapped[dict] = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claim_token: Mapped[str | None] = mapped_column(String(36), nullable=True)
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    response_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempt_log: Mapped[list | None] = mapped_column(JSON, nullable=True)
    replay_of: Mapped[str | None] = mapped_column(String(36), nullable=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
