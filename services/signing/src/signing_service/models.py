"""signing tables: signature requests and their participants, one-time codes, evidence of each act,
the hash-chained audit trail, offline sync results and the development signing credentials.

``evidence`` and ``audit_entries`` are append-only: on PostgreSQL a trigger (see the migration)
refuses any UPDATE, DELETE or TRUNCATE, so even the service itself cannot rewrite history.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON, Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from paraph_platform.db import UTCDateTime, created_at_of_row, new_id, utcnow
from paraph_platform.models import platform_models

# request statuses: pending (approvals / signatures under way), sealing (every signer signed, the PDF
# is being sealed), completed, declined, cancelled, expired
ACTIVE_STATUSES = ("pending", "sealing")


class Base(DeclarativeBase):
    pass


Outbox, Inbox, IdempotencyKey = platform_models(Base)


class SignatureRequest(Base):
    __tablename__ = "signature_requests"
    __table_args__ = (
        Index("ix_request_license_contract", "license_id", "contract_id", "created_at"),
        Index("ix_request_status_expires", "status", "expires_at"),
        # the requests list's keyset (created_at, id), newest first: an index seek for any page
        Index("ix_request_license_created_id", "license_id", "created_at", "id"),
        # at most one request under way per contract
        Index("uq_request_active_contract", "contract_id", unique=True,
              postgresql_where=text("status in ('pending', 'sealing')"),
              sqlite_where=text("status in ('pending', 'sealing')")),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False)
    license_name: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    # the company's country when the request was made, as its name: the order the signing page's English dates
    # read in (paraph_platform.dates); NULL when it had not said it, or for requests made before it was kept
    license_country: Mapped[str | None] = mapped_column(String(2))
    # NULL for a document uploaded by its sender (contract_kind "document", contract_number its file's name)
    contract_id: Mapped[str | None] = mapped_column(String(36))
    contract_kind: Mapped[str] = mapped_column(String(16), nullable=False)  # contract | quote | document
    contract_number: Mapped[str] = mapped_column(String(64), nullable=False)
    contract_title: Mapped[str] = mapped_column(String(300), default="", nullable=False)
    customer_id: Mapped[str | None] = mapped_column(String(36))
    owner_id: Mapped[str] = mapped_column(String(36), nullable=False)
    owner_name: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    owner_email: Mapped[str] = mapped_column(String(320), default="", nullable=False)
    created_by: Mapped[str] = mapped_column(String(36), nullable=False)
    created_by_name: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    status: Mapped[str] = mapped_column(String(16), default="pending", nullable=False)
    stage: Mapped[str] = mapped_column(String(16), default="approval", nullable=False)  # approval|signing|done
    locale: Mapped[str] = mapped_column(String(8), default="fr", nullable=False)
    message: Mapped[str] = mapped_column(Text, default="", nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # who sent it (told when it is declined or expires), the turn order asked for, the reminder cadence
    # fixed when it was sent (the request's own, else the license's; NULL: the service's setting) and
    # the people sent a copy once it is signed ([{name, email}])
    created_by_email: Mapped[str] = mapped_column(String(320), default="", server_default="", nullable=False)

    # Who the people asked read the request is from (its emails' "De la part de" and Reply-To, the signing page):
    # the person who sent it, or the document's owner when an integration sent it for them (a service account,
    # which has no email: the customer is not told "CRM vous invite à signer").
    @property
    def sender_name(self) -> str:
        return (self.created_by_name if self.created_by_email else "") or self.owner_name or self.created_by_name

    @property
    def sender_email(self) -> str:
        return self.created_by_email or self.owner_email
    signing_order: Mapped[str] = mapped_column(String(16), default="sequential", server_default="sequential",
                                               nullable=False)  # sequential | parallel
    reminder_every_days: Mapped[int | None] = mapped_column(Integer)
    reminder_max: Mapped[int | None] = mapped_column(Integer)
    cc: Mapped[list] = mapped_column(JSON, default=list, server_default="[]", nullable=False)
    # the exact document shown to and signed by everybody
    document_filename: Mapped[str] = mapped_column(String(255), nullable=False)
    document_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    document_size: Mapped[int] = mapped_column(Integer, nullable=False)
    document: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    # its pages' sizes in points ([{width, height}], for the signing page's fields; NULL before fields existed)
    page_sizes: Mapped[list | None] = mapped_column(JSON)
    # an envelope's documents, combined in this order into ``document`` ([{filename, sha256, size, first_page,
    # pages}], envelopes.py); NULL: a request on a single document
    documents: Mapped[list | None] = mapped_column(JSON)
    # results
    sealed_pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    sealed_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    seal_info: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    proof_pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    proof_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    end_reason: Mapped[str | None] = mapped_column(Text)
    seal_attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    last_seal_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=created_at_of_row, nullable=False)
    sealing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Participant(Base):
    """An approver or a signer of a request: an internal collaborator (user_id), a customer contact
    (contact_id) or an explicit person. ``token_hash`` is the SHA-256 of the signing link's token."""
    __tablename__ = "participants"
    __table_args__ = (
        Index("ix_participant_request", "request_id", "role", "order"),
        Index("ix_participant_user", "license_id", "user_id", "status"),
        Index("ix_participant_contact", "license_id", "contact_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(ForeignKey("signature_requests.id"), nullable=False)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)  # approver | signer
    order: Mapped[int] = mapped_column(Integer, nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # user | contact | external
    user_id: Mapped[str | None] = mapped_column(String(36))
    contact_id: Mapped[str | None] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    phone: Mapped[str | None] = mapped_column(String(40))
    otp_channel: Mapped[str] = mapped_column(String(8), default="email", nullable=False)
    # waiting (not their turn) | pending (asked) | approved | signed | declined | reassigned (replaced_by)
    status: Mapped[str] = mapped_column(String(16), default="waiting", nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notified_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    viewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    # reassigned before acting: the participant who took over (this row's link no longer works)
    replaced_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class _ParticipantItem:
    """What a signature field and a signer attachment start with: the participant of the request it is
    asked of, and its place in their list. These columns come first in the table (sort_order: a mixin's
    would come last), as the migrations created them."""
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id, sort_order=-1)
    request_id: Mapped[str] = mapped_column(ForeignKey("signature_requests.id"), nullable=False, sort_order=-1)
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), nullable=False, sort_order=-1)
    position: Mapped[int] = mapped_column(Integer, nullable=False, sort_order=-1)


class SignatureField(_ParticipantItem, Base):
    """A placed field of a request (see fields.py): a signer's box on a page, in points from the page's
    top-left corner, and once they signed the value they gave (an image in ``value_image``)."""
    __tablename__ = "signature_fields"
    __table_args__ = (Index("ix_signature_field_request", "request_id", "participant_id", "position"),)

    # signature | initials | date_signed | text | checkbox | name
    type: Mapped[str] = mapped_column(String(16), nullable=False)
    page: Mapped[int] = mapped_column(Integer, nullable=False)
    x: Mapped[float] = mapped_column(Float, nullable=False)
    y: Mapped[float] = mapped_column(Float, nullable=False)
    width: Mapped[float] = mapped_column(Float, nullable=False)
    height: Mapped[float] = mapped_column(Float, nullable=False)
    required: Mapped[bool] = mapped_column(Boolean, nullable=False)
    label: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(16), nullable=False)  # coordinates | anchor | tag | auto
    value: Mapped[dict | None] = mapped_column(JSON)
    value_image: Mapped[bytes | None] = mapped_column(LargeBinary)
    filled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignerAttachment(_ParticipantItem, Base):
    """A file a signer is asked to upload with their signature (an ID, a proof of address), and once they
    uploaded it the file itself (filename..uploaded_at NULL until then); a new upload replaces it until
    they sign."""
    __tablename__ = "signer_attachments"
    __table_args__ = (Index("ix_signer_attachment_request", "request_id", "participant_id", "position"),)

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    required: Mapped[bool] = mapped_column(Boolean, nullable=False)
    filename: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OtpChallenge(Base):
    """A one-time code: only its HMAC is kept; 5 wrong attempts lock it; used once."""
    __tablename__ = "otp_challenges"
    __table_args__ = (Index("ix_otp_participant", "participant_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), nullable=False)
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    channel: Mapped[str] = mapped_column(String(8), nullable=False)
    destination_masked: Mapped[str] = mapped_column(String(120), nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Evidence(Base):
    """What was shown, to whom, how they were authenticated, what they accepted, when and from where.
    Append-only (trigger on PostgreSQL)."""
    __tablename__ = "evidence"
    __table_args__ = (Index("ix_evidence_request", "request_id", "at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(ForeignKey("signature_requests.id"), nullable=False)
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), nullable=False)
    action: Mapped[str] = mapped_column(String(16), nullable=False)  # approve | sign | decline
    mode: Mapped[str] = mapped_column(String(16), nullable=False)  # link | portal | offline | in_person_device
    document_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    identity: Mapped[dict] = mapped_column(JSON, nullable=False)
    authentication: Mapped[dict] = mapped_column(JSON, nullable=False)
    consent_text: Mapped[str | None] = mapped_column(Text)
    consent_sha256: Mapped[str | None] = mapped_column(String(64))
    consent_accepted: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)  # server UTC time of receipt
    client_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # device clock (offline)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(512))
    device_id: Mapped[str | None] = mapped_column(String(128))
    geolocation: Mapped[dict | None] = mapped_column(JSON)
    typed_name: Mapped[str | None] = mapped_column(String(200))
    signature_image: Mapped[bytes | None] = mapped_column(LargeBinary)
    signature_image_sha256: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    audit_seq: Mapped[int] = mapped_column(Integer, nullable=False)
    audit_hash: Mapped[str] = mapped_column(String(64), nullable=False)


class AuditEntry(Base):
    """Hash-chained, append-only trail of a request: entry_hash = sha256(prev_hash || body) where body
    is the canonical JSON of {request_id, seq, at, type, actor, data}."""
    __tablename__ = "audit_entries"
    __table_args__ = (UniqueConstraint("request_id", "seq", name="uq_audit_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("signature_requests.id"), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    type: Mapped[str] = mapped_column(String(48), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    entry_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)


class OfflineSyncItem(Base):
    """The outcome of one offline item, by the device's client id: a replay returns it unchanged."""
    __tablename__ = "offline_sync_items"
    __table_args__ = (UniqueConstraint("license_id", "client_id", name="uq_offline_client"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False)
    client_id: Mapped[str] = mapped_column(String(128), nullable=False)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    request_id: Mapped[str | None] = mapped_column(String(36))
    participant_id: Mapped[str | None] = mapped_column(String(36))
    device_id: Mapped[str | None] = mapped_column(String(128))
    synced_by: Mapped[str] = mapped_column(String(36), nullable=False)
    result: Mapped[dict] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class DevCredential(Base):
    """Signing material generated once when none is configured and kept here only: the development CA,
    sealing certificate and local TSA (so that ``./paraph up`` seals documents with no setup), and the
    secret of the signing links and one-time codes (``link.secret``, when SIGNING_LINK_SECRET is unset)."""
    __tablename__ = "dev_credentials"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class LicenseSettings(Base):
    """A license's signing preferences; a license without a row gets the service's defaults."""
    __tablename__ = "license_settings"

    license_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # remind whoever's turn it is every N days (None: the service's SIGNATURE_REMINDER_AFTER)
    reminder_every_days: Mapped[int | None] = mapped_column(Integer)
    reminder_max: Mapped[int | None] = mapped_column(Integer)
    # origins (scheme://host[:port]) allowed to frame this license's signing page; none: framing refused
    embed_origins: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=created_at_of_row, nullable=False)


class EmbedToken(Base):
    """A short-lived link that opens one participant's signing page once: ``kind`` "embed", framed by an
    integrator's page on ``origin`` (one of the license's embed origins); "in_person", opened at the top of
    the browser of the member of staff who made it (``created_by``, ``created_by_name``: no origin), who hands
    the device to the participant and is sent back to ``return_url`` (a path of the staff app) afterwards.
    Only the token's SHA-256 is kept."""
    __tablename__ = "embed_tokens"
    __table_args__ = (Index("ix_embed_token_participant", "participant_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False)
    request_id: Mapped[str] = mapped_column(ForeignKey("signature_requests.id"), nullable=False)
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="embed", server_default="embed")
    origin: Mapped[str | None] = mapped_column(String(300))
    return_url: Mapped[str | None] = mapped_column(String(2000))
    created_by: Mapped[str] = mapped_column(String(36), nullable=False)
    created_by_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BulkSend(Base):
    """One document (or contract type) sent to many recipients, each getting a request of their own. Stored
    at once and worked through by a timer (bulk_sends.py): ``claim_token``/``lease_until`` say which replica
    holds it; a job found ``running`` past its lease belonged to a replica that died and is taken over.
    ``rows`` are the recipients still to send (1-based ``row``); ``results`` maps a row to its request id,
    ``errors`` lists the rows refused ({row, email, message})."""
    __tablename__ = "bulk_sends"
    __table_args__ = (
        Index("ix_bulk_send_license_created", "license_id", "created_at"),
        Index("ix_bulk_send_status_lease", "status", "lease_until"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False)
    created_by: Mapped[str] = mapped_column(String(36), nullable=False)
    # the sender as the gateway passed them: every request is created on their behalf
    actor: Mapped[dict] = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # queued | running | completed | cancelled
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # document | contract_type
    contract_type_id: Mapped[str | None] = mapped_column(String(64))
    # the options of every request (title, message, signing order, fields, reminders, expiry, CC, locale)
    template: Mapped[dict] = mapped_column(JSON, nullable=False)
    document_filename: Mapped[str | None] = mapped_column(String(255))
    document: Mapped[bytes | None] = mapped_column(LargeBinary)
    rows: Mapped[list] = mapped_column(JSON, nullable=False)
    total: Mapped[int] = mapped_column(Integer, nullable=False)
    created: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    failed: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    errors: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    results: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    claim_token: Mapped[str | None] = mapped_column(String(36))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=created_at_of_row, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
