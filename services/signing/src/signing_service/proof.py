"""The proof of signature: a PDF report (weasyprint) of the document, each participant's evidence and
the hash-chained audit trail. CPU work: callers run :func:`render_proof` through ``offhub.run``."""
from __future__ import annotations

import base64
from importlib import resources

from jinja2 import ChainableUndefined, Environment, select_autoescape

from paraph_platform import pdf_sandbox

LABELS = {
    "fr": {"title": "Preuve de signature électronique", "document": "Document", "number": "Numéro",
           "name": "Intitulé", "original_sha": "Empreinte SHA-256 du document présenté",
           "sealed_sha": "Empreinte SHA-256 du document scellé", "request": "Demande de signature",
           "status": "Statut", "created": "Créée le", "completed": "Terminée le", "owner": "Responsable",
           "seal": "Scellement PAdES", "seal_by": "Certificat de scellement", "tsa_time": "Horodatage (RFC 3161)",
           "participants": "Participants", "approver": "Approbateur", "signer": "Signataire",
           "identity": "Identité", "authentication": "Authentification", "consent": "Consentement",
           "time": "Date (UTC)", "ip": "Adresse IP", "ua": "Navigateur", "mode": "Mode",
           "device": "Appareil", "device_time": "Heure de l'appareil", "received": "Reçu par le serveur",
           "geo": "Géolocalisation", "typed": "Nom saisi", "drawn": "Signature manuscrite", "reason": "Motif",
           "audit": "Journal d'audit chaîné", "seq": "N°", "event": "Événement", "actor": "Acteur",
           "hash": "Empreinte de l'entrée", "prev": "Empreinte précédente", "chain_ok": "Chaîne vérifiée : intègre",
           "chain_ko": "Chaîne vérifiée : ALTÉRÉE", "document_shown": "Document présenté (SHA-256)",
           "action": "Action", "approve": "Approbation", "sign": "Signature", "decline": "Refus",
           "generated": "Rapport généré le", "otp_ok": "code à usage unique vérifié", "by": "par",
           "in_person": "en présence (signature hors ligne)", "portal": "session du portail",
           "link": "lien personnel", "offline": "hors ligne", "accepted": "accepté"},
    "en": {"title": "Proof of electronic signature", "document": "Document", "number": "Number",
           "name": "Title", "original_sha": "SHA-256 of the document shown",
           "sealed_sha": "SHA-256 of the sealed document", "request": "Signature request",
           "status": "Status", "created": "Created", "completed": "Completed", "owner": "Owner",
           "seal": "PAdES seal", "seal_by": "Sealing certificate", "tsa_time": "Timestamp (RFC 3161)",
           "participants": "Participants", "approver": "Approver", "signer": "Signer",
           "identity": "Identity", "authentication": "Authentication", "consent": "Consent",
           "time": "Time (UTC)", "ip": "IP address", "ua": "User agent", "mode": "Mode",
           "device": "Device", "device_time": "Device time", "received": "Received by the server",
           "geo": "Geolocation", "typed": "Typed name", "drawn": "Drawn signature", "reason": "Reason",
           "audit": "Hash-chained audit trail", "seq": "#", "event": "Event", "actor": "Actor",
           "hash": "Entry hash", "prev": "Previous hash", "chain_ok": "Chain verified: intact",
           "chain_ko": "Chain verified: BROKEN", "document_shown": "Document shown (SHA-256)",
           "action": "Action", "approve": "Approval", "sign": "Signature", "decline": "Declined",
           "generated": "Report generated", "otp_ok": "one-time code verified", "by": "by",
           "in_person": "in person (offline signing)", "portal": "portal session", "link": "personal link",
           "offline": "offline", "accepted": "accepted"},
}

_env = Environment(autoescape=select_autoescape(default=True, default_for_string=True), undefined=ChainableUndefined,
                   trim_blocks=True, lstrip_blocks=True)


def _template():
    return _env.from_string(resources.files("signing_service").joinpath("templates/proof.html").read_text())


def _css() -> str:
    return resources.files("signing_service").joinpath("templates/proof.css").read_text()


def build_html(context: dict) -> str:
    locale = context.get("locale") if context.get("locale") in LABELS else "fr"
    evidence = []
    for e in context["evidence"]:
        image = e.get("signature_image")
        evidence.append({**e, "image_uri": ("data:image/png;base64," + base64.b64encode(image).decode())
                         if image else None})
    return _template().render(**{**context, "evidence": evidence, "labels": LABELS[locale]})


def render_proof(context: dict) -> bytes:
    """Sandboxed like every HTML-to-PDF render: the only images are the data: URLs built above, and
    anything else (a URL slipped into the evidence) fails the render instead of being fetched."""
    return pdf_sandbox.render_pdf(build_html(context), [_css()])
