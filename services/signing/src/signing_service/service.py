"""signing nameko service: approval and signature requests on contracts and quotes, one-time codes,
evidence, the hash-chained audit trail, PAdES sealing and proof of signature, verification of sealed
PDFs, offline (tablet) signing and its synchronisation, collaborators' tasks.

The entrypoints live in one module per aggregate, mixed into :class:`SigningService`:
signature_requests.py (create, read, list, cancel, remind), participants.py (one-time codes; approve,
sign or decline by link or from the portal's tasks), sealed_documents.py (sealing, proof, downloads,
audit chain, verification), offline_signatures.py (tablet package and sync), maintenance.py (expiry,
reminders, stuck seals), license_settings.py (embed origins, reminder cadence), embedded_signing.py
(one-use URLs opening a signing page in an integrator's frame, or on a staff member's device to sign in person) and fields.py (placed fields: placement,
signers' values, stamping before the seal), reassignment.py (handing a participant's turn to someone
else), signer_attachments.py (files signers are asked to upload),
uploaded_documents.py (requests on an uploaded PDF, without a contract), bulk_sends.py (one document
sent to many recipients, worked through by a timer) and flow.py (turn order, expiry date, CC copies; the reminder cadence is in reminders.py); base.py
holds what they share (unit of
work, row lock, visibility, audit chain, turn order). Pure rules are in logic.py, payload schemas in the
schemas package (schemas/__init__.py: the signature request's; a module per other aggregate), tables in
models.py.
"""
from __future__ import annotations

from paraph_platform.readiness import PlatformService
from paraph_platform.rpc import Rpc

from .bulk_sends import BulkSendsEndpoints
from .dependencies import KeyStore, Settings
from .embedded_signing import EmbeddedSigningEndpoints
from .fields import FieldsEndpoints
from .flow import FlowMixin
from .license_settings import LicenseSettingsEndpoints
from .maintenance import MaintenanceEndpoints
from .models import IdempotencyKey, Outbox
from .offline_signatures import OfflineSignaturesEndpoints
from .participants import ParticipantsEndpoints
from .reassignment import ReassignmentEndpoints
from .sealed_documents import SealedDocumentsEndpoints
from .signature_requests import SignatureRequestsEndpoints
from .signer_attachments import SignerAttachmentsEndpoints
from .uploaded_documents import UploadedDocumentsEndpoints


class SigningService(SignatureRequestsEndpoints, ParticipantsEndpoints, SealedDocumentsEndpoints,
                     OfflineSignaturesEndpoints, MaintenanceEndpoints, LicenseSettingsEndpoints,
                     EmbeddedSigningEndpoints, FieldsEndpoints, ReassignmentEndpoints, SignerAttachmentsEndpoints,
                     UploadedDocumentsEndpoints, BulkSendsEndpoints, FlowMixin, PlatformService,
                     idempotency_model=IdempotencyKey, outbox_model=Outbox):
    name = "signing"

    settings = Settings()
    keys = KeyStore()
    contracts = Rpc("contracts")
    identity = Rpc("identity")
    signing = Rpc("signing")  # itself: a bulk send's rows, each created by a call of its own (bulk_sends.py)


SERVICE = SigningService
