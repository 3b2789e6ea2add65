"""The public signing page ``/sign/<token>`` (mounted at the root): the document (embedded PDF), the
consent text, the one-time code, and approve / sign / decline buttons. Plain server-rendered HTML
with a little vanilla JavaScript calling the JSON endpoints under ``/api/v1/sign/<token>/...``
(see :mod:`.signing`). The link's token is the credential: no login."""
from __future__ import annotations

import secrets

from flask import Blueprint, Response, render_template

from paraph_platform.errors import PlatformError

from ..routing import call

URL_PREFIX = ""

bp = Blueprint("signing_pages", __name__)

TEXT = {
    "fr": {"title": "Signature électronique", "doc": "Document", "fingerprint": "Empreinte SHA-256",
           "download": "Télécharger le PDF", "from": "De la part de", "expires": "Lien valable jusqu'au",
           "consent_title": "Consentement", "consent_sign": "J'ai lu le document et j'accepte de le signer",
           "consent_approve": "J'ai lu le document et je l'approuve", "typed": "Votre nom (signature saisie)",
           "draw": "Signez dans le cadre (facultatif)", "clear_pad": "Effacer", "send_code": "Recevoir mon code",
           "by_email": "par e-mail", "by_sms": "par SMS", "code": "Code à 6 chiffres", "sign": "Signer",
           "approve": "Approuver", "decline": "Refuser", "reason": "Motif du refus", "confirm_decline": "Confirmer le refus",
           "signed": "Document signé. Merci !", "approved": "Document approuvé. Merci !",
           "declined": "Vous avez refusé ce document.", "request_declined": "Ce document a été refusé : la demande est close.", "waiting": "Ce n'est pas encore votre tour : vous recevrez un e-mail.",
           "completed": "Tout le monde a signé : le document scellé est disponible.",
           "signed_pdf": "Télécharger le document signé", "cancelled": "Cette demande de signature a été annulée.",
           "expired": "Cette demande de signature a expiré.", "invalid": "Ce lien de signature n'est pas valide.",
           "unavailable": "Service momentanément indisponible, réessayez dans quelques instants.",
           "code_sent": "Code envoyé à", "already": "Vous avez déjà traité ce document.", "message": "Message",
           "no_pdf": "Votre navigateur n'affiche pas le PDF :", "sealing": "Toutes les signatures sont recueillies ; scellement en cours."},
    "en": {"title": "Electronic signature", "doc": "Document", "fingerprint": "SHA-256 fingerprint",
           "download": "Download the PDF", "from": "From", "expires": "Link valid until",
           "consent_title": "Consent", "consent_sign": "I have read the document and I agree to sign it",
           "consent_approve": "I have read the document and I approve it", "typed": "Your name (typed signature)",
           "draw": "Sign in the box (optional)", "clear_pad": "Clear", "send_code": "Send me my code",
           "by_email": "by email", "by_sms": "by SMS", "code": "6-digit code", "sign": "Sign",
           "approve": "Approve", "decline": "Decline", "reason": "Why do you decline?", "confirm_decline": "Confirm",
           "signed": "Document signed. Thank you!", "approved": "Document approved. Thank you!",
           "declined": "You declined this document.", "request_declined": "This document was declined: the request is closed.", "waiting": "It is not your turn yet: you will get an email.",
           "completed": "Everybody signed: the sealed document is available.",
           "signed_pdf": "Download the signed document", "cancelled": "This signature request was cancelled.",
           "expired": "This signature request has expired.", "invalid": "This signing link is not valid.",
           "unavailable": "Service temporarily unavailable, please try again in a moment.",
           "code_sent": "Code sent to", "already": "You already handled this document.", "message": "Message",
           "no_pdf": "Your browser does not display the PDF:", "sealing": "Every signature is collected; sealing the document."},
}


def _secure(resp: Response, nonce: str) -> Response:
    resp.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; img-src 'self' data:; "
        "frame-src 'self'; object-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'")
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Referrer-Policy"] = "no-referrer"
    resp.headers["X-Frame-Options"] = "DENY"
    resp.headers["X-Robots-Tag"] = "noindex, nofollow"
    return resp


@bp.get("/sign/<token>")
def sign_page(token):
    nonce = secrets.token_urlsafe(16)
    try:
        info = call("signing", "public_info", token)
        status = 200
    except PlatformError as exc:
        info, status = None, (404 if exc.status in (404, 422) else exc.status if exc.status in (410,) else 503)
    locale = (info or {}).get("request", {}).get("locale") or "fr"
    t = TEXT.get(locale, TEXT["fr"])
    html = render_template("sign.html", info=info, t=t, token=token, nonce=nonce, locale=locale,
                           error=None if info else (t["invalid"] if status == 404 else t["unavailable"]))
    return _secure(Response(html, status=status, mimetype="text/html"), nonce)
