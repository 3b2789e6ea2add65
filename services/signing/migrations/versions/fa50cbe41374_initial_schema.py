"""initial schema"""
import sqlalchemy as sa
from alembic import op
from paraph_platform import migration_ops
from paraph_platform.migration_columns import blob, boolean, integer, json, string, text, timestamp, uuid

# evidence and audit entries are append-only: on PostgreSQL a trigger refuses UPDATE, DELETE and
# TRUNCATE (written by hand; autogenerate does not see triggers)
APPEND_ONLY = ("audit_entries", "evidence")
APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION paraph_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""


revision = 'fa50cbe41374'
down_revision = None


def upgrade():
    migration_ops.create_platform_tables()
    op.create_table('dev_credentials',
    string('name', 64),
    blob('value'),
    timestamp('created_at'),
    sa.PrimaryKeyConstraint('name')
    )
    migration_ops.create_license_table('offline_sync_items',
    string('client_id', 128),
    string('fingerprint', 64),
    uuid('request_id', nullable=True),
    uuid('participant_id', nullable=True),
    string('device_id', 128, nullable=True),
    uuid('synced_by'),
    json('result'),
    timestamp('created_at'),
    sa.UniqueConstraint('license_id', 'client_id', name='uq_offline_client')
    )
    migration_ops.create_license_table('signature_requests',
    string('license_name', 200),
    uuid('contract_id'),
    string('contract_kind', 16),
    string('contract_number', 64),
    string('contract_title', 300),
    uuid('customer_id', nullable=True),
    uuid('owner_id'),
    string('owner_name', 200),
    string('owner_email', 320),
    uuid('created_by'),
    string('created_by_name', 200),
    string('status', 16),
    string('stage', 16),
    string('locale', 8),
    text('message'),
    timestamp('expires_at'),
    string('document_filename', 255),
    string('document_sha256', 64),
    integer('document_size'),
    blob('document'),
    blob('sealed_pdf', nullable=True),
    string('sealed_sha256', 64, nullable=True),
    json('seal_info'),
    blob('proof_pdf', nullable=True),
    string('proof_sha256', 64, nullable=True),
    text('end_reason', nullable=True),
    integer('seal_attempts'),
    text('last_seal_error', nullable=True),
    timestamp('created_at'),
    timestamp('updated_at'),
    timestamp('sealing_since', nullable=True),
    timestamp('completed_at', nullable=True),
    timestamp('ended_at', nullable=True),
    )
    op.create_index('ix_request_license_contract', 'signature_requests', ['license_id', 'contract_id', 'created_at'], unique=False)
    op.create_index('ix_request_status_expires', 'signature_requests', ['status', 'expires_at'], unique=False)
    op.create_index(op.f('ix_signature_requests_proof_sha256'), 'signature_requests', ['proof_sha256'], unique=False)
    op.create_index(op.f('ix_signature_requests_sealed_sha256'), 'signature_requests', ['sealed_sha256'], unique=False)
    op.create_index('uq_request_active_contract', 'signature_requests', ['contract_id'], unique=True, postgresql_where=sa.text("status in ('pending', 'sealing')"), sqlite_where=sa.text("status in ('pending', 'sealing')"))
    op.create_table('audit_entries',
    integer('id', autoincrement=True),
    uuid('request_id'),
    integer('seq'),
    string('type', 48),
    timestamp('at'),
    text('body'),
    string('prev_hash', 64),
    string('entry_hash', 64),
    sa.ForeignKeyConstraint(['request_id'], ['signature_requests.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entry_hash'),
    sa.UniqueConstraint('request_id', 'seq', name='uq_audit_seq')
    )
    op.create_table('participants',
    uuid('id'),
    uuid('request_id'),
    uuid('license_id'),
    string('role', 16),
    integer('order'),
    integer('position'),
    string('kind', 16),
    uuid('user_id', nullable=True),
    uuid('contact_id', nullable=True),
    string('name', 200),
    string('email', 320),
    string('phone', 40, nullable=True),
    string('otp_channel', 8),
    string('status', 16),
    string('token_hash', 64),
    timestamp('asked_at', nullable=True),
    integer('notified_count'),
    integer('reminders_sent'),
    timestamp('last_reminded_at', nullable=True),
    timestamp('viewed_at', nullable=True),
    timestamp('acted_at', nullable=True),
    text('decline_reason', nullable=True),
    timestamp('created_at'),
    sa.ForeignKeyConstraint(['request_id'], ['signature_requests.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_index('ix_participant_contact', 'participants', ['license_id', 'contact_id', 'status'], unique=False)
    op.create_index('ix_participant_request', 'participants', ['request_id', 'role', 'order'], unique=False)
    op.create_index('ix_participant_user', 'participants', ['license_id', 'user_id', 'status'], unique=False)
    op.create_table('evidence',
    uuid('id'),
    uuid('request_id'),
    uuid('participant_id'),
    string('action', 16),
    string('mode', 16),
    string('document_sha256', 64),
    json('identity'),
    json('authentication'),
    text('consent_text', nullable=True),
    string('consent_sha256', 64, nullable=True),
    boolean('consent_accepted'),
    timestamp('at'),
    timestamp('client_signed_at', nullable=True),
    string('ip', 64, nullable=True),
    string('user_agent', 512, nullable=True),
    string('device_id', 128, nullable=True),
    json('geolocation', nullable=True),
    string('typed_name', 200, nullable=True),
    blob('signature_image', nullable=True),
    string('signature_image_sha256', 64, nullable=True),
    text('reason', nullable=True),
    integer('audit_seq'),
    string('audit_hash', 64),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['signature_requests.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_evidence_request', 'evidence', ['request_id', 'at'], unique=False)
    op.create_table('otp_challenges',
    uuid('id'),
    uuid('participant_id'),
    string('code_hash', 64),
    string('channel', 8),
    string('destination_masked', 120),
    integer('attempts'),
    timestamp('created_at'),
    timestamp('expires_at'),
    timestamp('used_at', nullable=True),
    timestamp('locked_at', nullable=True),
    timestamp('superseded_at', nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_otp_participant', 'otp_challenges', ['participant_id', 'created_at'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_FUNCTION)
        for table in APPEND_ONLY:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION paraph_append_only()")
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION paraph_append_only()")
    elif op.get_bind().dialect.name == "sqlite":
        for table in APPEND_ONLY:
            for what in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{what.lower()} BEFORE {what} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only: {what} refused'); END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS paraph_append_only()")
    elif op.get_bind().dialect.name == "sqlite":
        for table in APPEND_ONLY:
            for what in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{what}")
    op.drop_index('ix_otp_participant', table_name='otp_challenges')
    op.drop_table('otp_challenges')
    op.drop_index('ix_evidence_request', table_name='evidence')
    op.drop_table('evidence')
    op.drop_index('ix_participant_user', table_name='participants')
    op.drop_index('ix_participant_request', table_name='participants')
    op.drop_index('ix_participant_contact', table_name='participants')
    op.drop_table('participants')
    op.drop_table('audit_entries')
    op.drop_index('uq_request_active_contract', table_name='signature_requests', postgresql_where=sa.text("status in ('pending', 'sealing')"), sqlite_where=sa.text("status in ('pending', 'sealing')"))
    op.drop_index(op.f('ix_signature_requests_sealed_sha256'), table_name='signature_requests')
    op.drop_index(op.f('ix_signature_requests_proof_sha256'), table_name='signature_requests')
    op.drop_index('ix_request_status_expires', table_name='signature_requests')
    op.drop_index('ix_request_license_contract', table_name='signature_requests')
    op.drop_table('signature_requests')
    op.drop_table('offline_sync_items')
    op.drop_table('dev_credentials')
    migration_ops.drop_platform_tables()
