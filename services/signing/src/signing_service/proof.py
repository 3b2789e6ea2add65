"""The proof of signature: a PDF report (weasyprint) of the document, each participant's evidence and
the hash-chained audit trail, written entirely in the request's language (labels, statuses, audit events,
dates). Times are shown in the signer's time zone when their device gave one, else in the default zone,
always with their UTC offset. CPU work: callers run :func:`render_proof` through ``offhub.run``."""
from __future__ import annotations

import base64
from importlib import resources

from jinja2 import ChainableUndefined, Environment, select_autoescape

from paraph_platform import pdf_sandbox

from .logic import format_time

LABELS = {
    "fr": {"title": "Preuve de signature électronique", "document": "Document", "number": "Numéro",
           "name": "Intitulé", "original_sha": "Empreinte SHA-256 du document présenté",
           "sealed_sha": "Empreinte SHA-256 du document scellé", "request": "Demande de signature",
           "status": "Statut", "created": "Créée le", "completed": "Terminée le", "owner": "Responsable",
           "seal": "Scellement PAdES", "seal_by": "Certificat de scellement", "tsa_time": "Horodatage (RFC 3161)",
           "participants": "Participants", "approver": "Approbateur", "signer": "Signataire",
           "identity": "Identité", "authentication": "Authentification", "consent": "Consentement",
           "time": "Date et heure", "ip": "Adresse IP", "ua": "Navigateur", "mode": "Mode",
           "device": "Appareil", "device_time": "Heure de l'appareil", "received": "Reçu par le serveur",
           "geo": "Géolocalisation", "typed": "Nom saisi", "drawn": "Signature manuscrite", "reason": "Motif",
           "audit": "Journal d'audit chaîné", "seq": "N°", "event": "Événement", "actor": "Acteur",
           "hash": "Empreinte de l'entrée", "prev": "Empreinte précédente", "chain_ok": "Chaîne vérifiée : intègre",
           "chain_ko": "Chaîne vérifiée : ALTÉRÉE", "document_shown": "Document présenté (SHA-256)",
           "action": "Action", "approve": "Approbation", "sign": "Signature", "decline": "Refus",
           "generated": "Rapport généré le", "otp_ok": "code à usage unique vérifié", "by": "par",
           "in_person": "en présence (signature hors ligne)", "portal": "session du portail",
           "link": "lien personnel", "offline": "hors ligne", "accepted": "accepté",
           "user": "collaborateur", "contact": "contact client", "external": "personne externe",
           "system": "système", "email": "e-mail", "sms": "SMS", "attachments": "Documents joints par les signataires",
           "attachment": "Document demandé", "file": "Fichier", "size": "Taille (octets)",
           "uploaded_at": "Déposé le", "envelope": "Documents de l'enveloppe",
           "envelope_note": "Ces documents ont été réunis, dans cet ordre, en un seul document : celui présenté, "
                            "signé et scellé.",
           "pages": "Pages", "doc_sha": "Empreinte SHA-256"},
    "en": {"title": "Proof of electronic signature", "document": "Document", "number": "Number",
           "name": "Title", "original_sha": "SHA-256 of the document shown",
           "sealed_sha": "SHA-256 of the sealed document", "request": "Signature request",
           "status": "Status", "created": "Created", "completed": "Completed", "owner": "Owner",
           "seal": "PAdES seal", "seal_by": "Sealing certificate", "tsa_time": "Timestamp (RFC 3161)",
           "participants": "Participants", "approver": "Approver", "signer": "Signer",
           "identity": "Identity", "authentication": "Authentication", "consent": "Consent",
           "time": "Date and time", "ip": "IP address", "ua": "User agent", "mode": "Mode",
           "device": "Device", "device_time": "Device time", "received": "Received by the server",
           "geo": "Geolocation", "typed": "Typed name", "drawn": "Drawn signature", "reason": "Reason",
           "audit": "Hash-chained audit trail", "seq": "#", "event": "Event", "actor": "Actor",
           "hash": "Entry hash", "prev": "Previous hash", "chain_ok": "Chain verified: intact",
           "chain_ko": "Chain verified: BROKEN", "document_shown": "Document shown (SHA-256)",
           "action": "Action", "approve": "Approval", "sign": "Signature", "decline": "Declined",
           "generated": "Report generated", "otp_ok": "one-time code verified", "by": "by",
           "in_person": "in person (offline signing)", "portal": "portal session", "link": "personal link",
           "offline": "offline", "accepted": "accepted",
           "user": "staff member", "contact": "customer contact", "external": "external person",
           "system": "system", "email": "email", "sms": "SMS", "attachments": "Files attached by the signers",
           "attachment": "File requested", "file": "File", "size": "Size (bytes)", "uploaded_at": "Uploaded",
           "envelope": "Documents of the envelope",
           "envelope_note": "These documents were combined, in this order, into one document: the one shown, "
                            "signed and sealed.",
           "pages": "Pages", "doc_sha": "SHA-256"},
}

STATUSES = {
    "fr": {"pending": "En cours", "sealing": "Scellement en cours", "completed": "Terminée",
           "declined": "Refusée", "cancelled": "Annulée", "expired": "Expirée"},
    "en": {"pending": "In progress", "sealing": "Being sealed", "completed": "Completed",
           "declined": "Declined", "cancelled": "Cancelled", "expired": "Expired"},
}

# the audit trail's entry types (AuditEntry.type); one missing here is shown as its name, humanised
EVENTS = {
    "fr": {"request_created": "Demande créée", "approval_requested": "Approbation demandée",
           "signature_requested": "Signature demandée", "document_viewed": "Document consulté",
           "otp_sent": "Code à usage unique envoyé", "otp_failed": "Code à usage unique erroné",
           "otp_locked": "Code à usage unique bloqué", "approved": "Approuvé", "signed": "Signé",
           "declined": "Refusé", "all_signed": "Tous les signataires ont signé",
           "document_sealed": "Document scellé", "completed": "Demande terminée",
           "expired": "Demande expirée", "cancelled": "Demande annulée", "reminder_sent": "Relance envoyée",
           "offline_package_issued": "Dossier de signature hors ligne délivré",
           "participant_reassigned": "Participant remplacé", "copies_sent": "Copies envoyées",
           "embed_url_issued": "Lien de signature intégrée créé", "embed_opened": "Signature intégrée ouverte",
           "attachment_uploaded": "Document joint"},
    "en": {"request_created": "Request created", "approval_requested": "Approval requested",
           "signature_requested": "Signature requested", "document_viewed": "Document viewed",
           "otp_sent": "One-time code sent", "otp_failed": "Wrong one-time code",
           "otp_locked": "One-time code locked", "approved": "Approved", "signed": "Signed",
           "declined": "Declined", "all_signed": "Every signer signed", "document_sealed": "Document sealed",
           "completed": "Request completed", "expired": "Request expired", "cancelled": "Request cancelled",
           "reminder_sent": "Reminder sent", "offline_package_issued": "Offline signing package issued",
           "participant_reassigned": "Participant reassigned", "copies_sent": "Copies sent",
           "embed_url_issued": "Embedded signing link issued", "embed_opened": "Embedded signing opened",
           "attachment_uploaded": "File attached"},
}

# the details of an audit entry shown under its event, in this order
DETAILS = {
    "fr": {"name": "Nom", "email": "E-mail", "channel": "Canal", "destination": "Destinataire", "mode": "Mode",
           "from": "Remplacé", "to": "Par", "origin": "Site", "reason": "Motif",
           "sealed_sha256": "Empreinte du document scellé"},
    "en": {"name": "Name", "email": "Email", "channel": "Channel", "destination": "Sent to", "mode": "Mode",
           "from": "Replaced", "to": "By", "origin": "Site", "reason": "Reason",
           "sealed_sha256": "SHA-256 of the sealed document"},
}

_env = Environment(autoescape=select_autoescape(default=True, default_for_string=True), undefined=ChainableUndefined,
                   trim_blocks=True, lstrip_blocks=True)


def _template():
    return _env.from_string(resources.files("signing_service").joinpath("templates/proof.html").read_text())


def _css() -> str:
    return resources.files("signing_service").joinpath("templates/proof.css").read_text()


def _event_label(locale: str, type: str) -> str:
    return EVENTS[locale].get(type) or type.replace("_", " ").capitalize()


def _details(locale: str, data: dict) -> str:
    """The audit entry's data worth reading, "Canal : SMS, Destinataire : +33 6 ** ** ** 78"."""
    labels, names = LABELS[locale], DETAILS[locale]
    colon = " : " if locale == "fr" else ": "
    shown = []
    for key, name in names.items():
        value = data.get(key)
        if isinstance(value, dict):  # a person (a reassignment's from / to)
            value = " ".join(x for x in (value.get("name"), f"<{value['email']}>" if value.get("email") else "") if x)
        if value:
            shown.append(f"{name}{colon}{labels.get(value, value) if key in ('channel', 'mode') else value}")
    return ", ".join(shown)[:300]


def build_html(context: dict) -> str:
    locale = context.get("locale") if context.get("locale") in LABELS else "fr"
    default_zone = context.get("time_zone")
    zones = {e.get("participant_id"): e.get("time_zone") for e in context["evidence"] if e.get("time_zone")}

    def when(value, zone=None):
        return format_time(value, locale, zone or default_zone)

    evidence = []
    for e in context["evidence"]:
        image, zone, auth = e.get("signature_image"), e.get("time_zone"), e["authentication"]
        evidence.append({**e, "image_uri": ("data:image/png;base64," + base64.b64encode(image).decode())
                         if image else None,
                         "at": when(e["at"], zone), "client_signed_at": when(e.get("client_signed_at"), zone),
                         "authentication": {**auth, "verified_at": when(auth.get("verified_at"), zone)}})
    audit = []
    for a in context["audit"]:
        actor = a.get("actor") or {}
        audit.append({**a, "at": when(a["at"], zones.get(actor.get("id"))), "event": _event_label(locale, a["type"]),
                      "actor": actor.get("name") or actor.get("email") or LABELS[locale].get(actor.get("type"), "")
                      or actor.get("type", ""),
                      "summary": _details(locale, a.get("data") or {})})
    attachments = [{**a, "uploaded_at": when(a["uploaded_at"])} for a in context.get("attachments") or []]
    request, sealed = context["request"], context["sealed"]
    return _template().render(**{
        **context, "evidence": evidence, "audit": audit, "attachments": attachments, "labels": LABELS[locale],
        "request": {**request, "status": STATUSES[locale].get(request["status"], request["status"]),
                    "created_at": when(request["created_at"]), "completed_at": when(request.get("completed_at"))},
        "sealed": {**sealed, "timestamp": when(sealed.get("timestamp"))},
        "generated_at": when(context["generated_at"])})


def render_proof(context: dict) -> bytes:
    """Sandboxed like every HTML-to-PDF render: the only images are the data: URLs built above, and
    anything else (a URL slipped into the evidence) fails the render instead of being fetched."""
    return pdf_sandbox.render_pdf(build_html(context), [_css()])
