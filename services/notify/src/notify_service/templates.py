"""Notification templates: built-in defaults (fr, en), sandboxed rendering and validation (pure).

A template has four parts: ``subject``, ``text`` (plain-text email), ``html`` (HTML email; when a
license's version has none, it is derived from ``text``) and ``sms``. Parts are Jinja templates
rendered in a :class:`jinja2.sandbox.SandboxedEnvironment` with ``StrictUndefined``; HTML parts
are autoescaped. A license admin's version is validated when saved: it may only use the variables
documented for that template (unknown ones are a 422), must keep the link (or code) the message
exists for, and must render with sample values.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from .exceptions import InvalidInput

LOCALES = ("fr", "en")
DEFAULT_LOCALE = "fr"
PARTS = ("subject", "text", "html", "sms")
MAX_PART = {"subject": 500, "text": 50_000, "html": 200_000, "sms": 2_000}
MAX_OUTPUT = 1_000_000
MAX_SMS_OUTPUT = 1_000

# -- variables ------------------------------------------------------------------------------------

_NAME = ("recipient's name", "Marie Curie")
_LICENSE = ("company (license) name", "ACME Paris")
_LINK = ("the link the message is about", "https://paraph.example/d/abc123")
_NUMBER = ("document number", "D-2025-0042")
_TITLE = ("document title", "Maintenance annuelle")
_SENDER = ("name of the salesperson sending the document", "Paul Martin")
_MESSAGE = ("free text written by the sender", "Bonne lecture.")
_EXPIRES = ("expiry date and time (ISO 8601; format with |datetime or |date)", "2030-01-31T18:00:00Z")
_AT = ("date and time of the action (ISO 8601)", "2030-01-15T09:30:00Z")
_CONTACT = ("customer contact's name", "Jeanne Dupont")
_SIGN_ASKED = ("true when the quote can also be signed online", False)
_ROLE = ("signer or approver", "signer")
_ACTION = ("'sign' or 'approve'", "sign")

VARIABLES: dict[str, dict[str, tuple[str, object]]] = {
    "invitation": {"name": _NAME, "license_name": _LICENSE, "inviter": ("who sent the invitation", "boss@acme.test"),
                   "link": ("set-password link (single use)", "https://paraph.example/set-password?token=abc"),
                   "expires_at": _EXPIRES, "user_code": ("portal user code (clients)", "")},
    "client_invitation": {"name": _NAME, "license_name": _LICENSE,
                          "inviter": ("who gave the access", "paul.martin@acme.test"),
                          "user_code": ("the client's user code", "8005551216"),
                          "link": ("set-password link (single use)", "https://paraph.example/set-password?token=abc"),
                          "expires_at": _EXPIRES},
    "password_reset": {"name": _NAME, "link": ("reset link (single use)", "https://paraph.example/reset-password?token=abc"),
                       "expires_at": _EXPIRES, "license_name": _LICENSE},
    "quote_send": {"name": _NAME, "license_name": _LICENSE, "number": _NUMBER, "title": _TITLE,
                   "sender_name": _SENDER, "message": _MESSAGE, "link": ("online quote link", _LINK[1]),
                   "valid_until": ("end of validity (ISO 8601)", "2030-02-28"), "sign": _SIGN_ASKED},
    "quote_reminder": {"name": _NAME, "license_name": _LICENSE, "number": _NUMBER, "title": _TITLE,
                       "sender_name": _SENDER, "message": _MESSAGE, "link": ("online quote link", _LINK[1]),
                       "valid_until": ("end of validity (ISO 8601)", "2030-02-28"), "sign": _SIGN_ASKED,
                       "sent_at": ("when the quote was first sent (ISO 8601)", "2030-01-10T10:00:00Z")},
    "contract_shared": {"name": _NAME, "license_name": _LICENSE, "number": _NUMBER, "title": _TITLE,
                        "shared_by": ("who shared it", "Paul Martin"), "link": ("portal link", _LINK[1]),
                        "message": ("message from the person who shared it", "Voici le contrat signé."),
                        "role": ("requester or observer (portal clients)", "requester")},
    "signature_request": {"name": _NAME, "license_name": _LICENSE, "number": _NUMBER, "title": _TITLE,
                          "sender_name": _SENDER, "message": _MESSAGE, "link": ("signing link", _LINK[1]),
                          "expires_at": _EXPIRES, "role": _ROLE, "action": _ACTION},
    "signature_reminder": {"name": _NAME, "license_name": _LICENSE, "number": _NUMBER, "title": _TITLE,
                           "sender_name": _SENDER, "message": _MESSAGE, "link": ("signing link", _LINK[1]),
                           "expires_at": _EXPIRES, "role": _ROLE, "action": _ACTION},
    "signature_otp": {"name": _NAME, "license_name": _LICENSE, "code": ("one-time code", "482913"),
                      "minutes": ("validity in minutes", 10), "number": _NUMBER, "title": _TITLE},
    "signature_completed": {"name": _NAME, "license_name": _LICENSE, "number": _NUMBER, "title": _TITLE,
                            "signers": ("list of {name, email, signed_at}",
                                        [{"name": "Jeanne Dupont", "email": "jeanne@client.test",
                                          "signed_at": "2030-01-15T09:30:00Z"}]),
                            "completed_at": _AT, "at": _AT, "link": ("document link", _LINK[1])},
    "quote_viewed": {"name": _NAME, "license_name": _LICENSE, "number": _NUMBER, "title": _TITLE,
                     "contact_name": _CONTACT, "at": _AT, "link": ("link to the quote", _LINK[1])},
    "quote_downloaded": {"name": _NAME, "license_name": _LICENSE, "number": _NUMBER, "title": _TITLE,
                         "contact_name": _CONTACT, "at": _AT, "link": ("link to the quote", _LINK[1])},
    "quote_feedback": {"name": _NAME, "license_name": _LICENSE, "number": _NUMBER, "title": _TITLE,
                       "contact_name": _CONTACT, "contact_email": ("contact's email", "jeanne@client.test"),
                       "message": ("the contact's feedback", "Pouvez-vous revoir la remise ?"), "at": _AT,
                       "link": ("link to the quote", _LINK[1])},
    "customer_self_updated": {"name": _NAME, "license_name": _LICENSE,
                              "customer_name": ("the customer", "Durand Immobilier"),
                              "contact_name": ("the portal client who made the change", "Claire Durand"),
                              "target": ("contact (their own details) or company (the customer file)", "company"),
                              "changes": ("list of {field, from, to}",
                                          [{"field": "phone", "from": "03 20 00 00 00", "to": "03 20 11 22 33"}]),
                              "at": _AT, "link": ("the customer file's history", _LINK[1])},
    "webhook_disabled": {"name": _NAME, "license_name": _LICENSE,
                         "webhook_url": ("the endpoint URL", "https://erp.example/hooks/paraph"),
                         "webhook_id": ("the webhook id", "3f1c0c9e-0000-4000-8000-000000000000"),
                         "reason": ("why it was disabled", "every attempt failed for 2 days"),
                         "last_error": ("last error", "HTTP 500"), "disabled_at": _AT,
                         "link": ("where to re-enable it", "https://paraph.example/settings/webhooks")},
}
TEMPLATE_NAMES = tuple(VARIABLES)
# templates that exist to carry a link (or a code): an edited version must keep it
REQUIRED_VARIABLE = {
    "invitation": "link", "client_invitation": "link", "password_reset": "link", "quote_send": "link",
    "quote_reminder": "link", "signature_request": "link", "signature_reminder": "link", "signature_otp": "code",
}
LIST_VARIABLES = {"signers", "changes"}
# the emails a salesperson composes and sends from the send screen: they may preview them (their own wording)
SENT_BY_HAND = ("quote_send", "quote_reminder")
# secrets the message delivers (one-time codes): they reach the recipient in the body or SMS only, never a
# subject (subjects show in notification previews and lock screens) nor the stored delivery log
SECRET_VARIABLES = {"signature_otp": ("code",)}
SECRET_MASK = "••••••"


def masked(name: str, variables: dict) -> dict:
    """``variables`` with the template's secrets replaced by :data:`SECRET_MASK`."""
    secrets = SECRET_VARIABLES.get(name, ())
    return {k: (SECRET_MASK if k in secrets else v) for k, v in (variables or {}).items()}


def variables_doc(name: str) -> dict:
    return {var: desc for var, (desc, _sample) in VARIABLES[name].items()}


def sample_vars(name: str) -> dict:
    return {var: sample for var, (_desc, sample) in VARIABLES[name].items()}


def blank_vars(name: str) -> dict:
    return {var: ([] if var in LIST_VARIABLES else "") for var in VARIABLES[name]}


# -- defaults -------------------------------------------------------------------------------------

_BUTTON = ('<p style="margin:28px 0"><a href="{{ %(var)s }}" style="display:inline-block;background:#1f4fd1;'
           'color:#ffffff;text-decoration:none;padding:12px 22px;border-radius:5px;font-weight:bold">%(label)s</a></p>')
_FALLBACK = {"fr": "Si le bouton ne fonctionne pas, copiez ce lien dans votre navigateur :",
             "en": "If the button does not work, copy this link into your browser:"}
_LAYOUT = ('<!doctype html>\n<html lang="%(lang)s"><head><meta charset="utf-8">'
           '<meta name="viewport" content="width=device-width, initial-scale=1"></head>\n'
           '<body style="margin:0;padding:0;background:#f3f4f6">\n'
           '<table role="presentation" width="100%%" cellpadding="0" cellspacing="0" style="background:#f3f4f6;padding:24px 0">'
           '<tr><td align="center">\n'
           '<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;'
           'border-radius:8px;padding:32px;font-family:Helvetica,Arial,sans-serif;font-size:15px;line-height:1.55;color:#1f2933">'
           '<tr><td>\n%(body)s\n</td></tr></table>\n'
           '<p style="font-family:Helvetica,Arial,sans-serif;font-size:12px;color:#7b8794">%(footer)s</p>\n'
           '</td></tr></table>\n</body></html>\n')
_FOOTER = {"fr": "{% if license_name %}{{ license_name }} · {% endif %}Envoyé par Paraph",
           "en": "{% if license_name %}{{ license_name }} · {% endif %}Sent by Paraph"}


def _build(locale: str, subject: str, greeting: str, blocks: list, signature: str, sms: str) -> dict:
    """One spec -> text and HTML sources. A block is a paragraph (str), ``(condition, paragraph)``,
    or ``("button", label, variable)``."""
    text_parts, html_parts = [greeting + "\n\n"], [f"<p>{greeting}</p>"]
    for block in blocks:
        if isinstance(block, tuple) and block[0] == "button":
            _, label, var = block
            sep = " : " if locale == "fr" else ": "
            text_parts.append(f"{label}{sep}{{{{ {var} }}}}\n\n")
            html_parts.append(_BUTTON % {"var": var, "label": label})
            html_parts.append(f'<p style="font-size:12px;color:#7b8794">{_FALLBACK[locale]}<br>'
                              f'<a href="{{{{ {var} }}}}" style="color:#1f4fd1;word-break:break-all">{{{{ {var} }}}}</a></p>')
        elif isinstance(block, tuple):
            condition, paragraph = block
            text_parts.append(f"{{% if {condition} %}}\n{paragraph}\n\n{{% endif %}}\n")
            html_parts.append(f"{{% if {condition} %}}<p>{_html_paragraph(paragraph)}</p>{{% endif %}}")
        else:
            text_parts.append(f"{block}\n\n")
            html_parts.append(f"<p>{_html_paragraph(block)}</p>")
    text_parts.append(signature + "\n")
    html_parts.append(f"<p>{_html_paragraph(signature)}</p>")
    body = "\n".join(html_parts)
    return {"subject": subject, "text": "".join(text_parts),
            "html": _LAYOUT % {"lang": locale, "body": body, "footer": _FOOTER[locale]}, "sms": sms}


def _html_paragraph(paragraph: str) -> str:
    # free text typed by people keeps its line breaks; everything else is already HTML-safe text
    return (paragraph.replace("{{ message }}", "{{ message|nl2br }}").replace("\n", "<br>\n"))


_SIGN = {"fr": "L'équipe Paraph", "en": "The Paraph team"}
_SIGN_SENDER = {"fr": "Cordialement,\n{{ sender_name or license_name }}", "en": "Best regards,\n{{ sender_name or license_name }}"}


def _defaults() -> dict:
    d: dict[str, dict[str, dict]] = {name: {} for name in TEMPLATE_NAMES}
    # invitation ------------------------------------------------------------------------------
    d["invitation"]["fr"] = _build(
        "fr", "Invitation à rejoindre {{ license_name }} sur Paraph", "Bonjour {{ name }},",
        ["{% if inviter %}{{ inviter }} vous invite{% else %}Vous êtes invité(e){% endif %} à rejoindre "
         "l'espace {{ license_name }} sur Paraph, la plateforme de devis, contrats et signature électronique.",
         "Pour activer votre compte, choisissez votre mot de passe :",
         ("button", "Définir mon mot de passe", "link"),
         "Ce lien est personnel, ne sert qu'une fois et expire le {{ expires_at|datetime }}.",
         "Si vous n'attendiez pas cette invitation, ignorez simplement ce message."],
        _SIGN["fr"],
        "Paraph : vous êtes invité(e) à rejoindre {{ license_name }}. Définissez votre mot de passe : {{ link }}")
    d["invitation"]["en"] = _build(
        "en", "You are invited to join {{ license_name }} on Paraph", "Hello {{ name }},",
        ["{% if inviter %}{{ inviter }} has invited you{% else %}You have been invited{% endif %} to join "
         "{{ license_name }} on Paraph, the platform for quotes, contracts and e-signatures.",
         "To activate your account, choose your password:",
         ("button", "Set my password", "link"),
         "This link is personal, works once and expires on {{ expires_at|datetime }}.",
         "If you were not expecting this invitation, you can safely ignore this email."],
        _SIGN["en"],
        "Paraph: you are invited to join {{ license_name }}. Set your password: {{ link }}")
    # client invitation ---------------------------------------------------------------------------
    d["client_invitation"]["fr"] = _build(
        "fr", "Votre accès au portail client de {{ license_name }}", "Bonjour {{ name }},",
        ["{{ license_name }} vous a ouvert un accès à son portail client : vous pourrez y consulter vos "
         "devis et contrats, les télécharger et les signer en ligne.",
         ("user_code", "Votre code utilisateur : {{ user_code }}"),
         "Pour finaliser votre accès, choisissez votre mot de passe :",
         ("button", "Définir mon mot de passe", "link"),
         "Ce lien est personnel, ne sert qu'une fois et expire le {{ expires_at|datetime }}."],
        "Cordialement,\n{{ license_name }}",
        "{{ license_name }} : votre accès au portail client est prêt. Définissez votre mot de passe : {{ link }}")
    d["client_invitation"]["en"] = _build(
        "en", "Your access to the {{ license_name }} customer portal", "Hello {{ name }},",
        ["{{ license_name }} has given you access to its customer portal, where you can view, download "
         "and sign your quotes and contracts online.",
         ("user_code", "Your user code: {{ user_code }}"),
         "To complete your access, choose your password:",
         ("button", "Set my password", "link"),
         "This link is personal, works once and expires on {{ expires_at|datetime }}."],
        "Best regards,\n{{ license_name }}",
        "{{ license_name }}: your customer portal access is ready. Set your password: {{ link }}")
    # password reset ----------------------------------------------------------------------------
    d["password_reset"]["fr"] = _build(
        "fr", "Réinitialisation de votre mot de passe Paraph", "Bonjour {{ name }},",
        ["Nous avons reçu une demande de réinitialisation du mot de passe de votre compte Paraph.",
         ("button", "Choisir un nouveau mot de passe", "link"),
         "Ce lien ne sert qu'une fois et expire le {{ expires_at|datetime }}.",
         "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé."],
        _SIGN["fr"], "Paraph : réinitialisez votre mot de passe : {{ link }}")
    d["password_reset"]["en"] = _build(
        "en", "Reset your Paraph password", "Hello {{ name }},",
        ["We received a request to reset the password of your Paraph account.",
         ("button", "Choose a new password", "link"),
         "This link works once and expires on {{ expires_at|datetime }}.",
         "If you did not ask for this, ignore this email: your password stays unchanged."],
        _SIGN["en"], "Paraph: reset your password: {{ link }}")
    # quote send / reminder ---------------------------------------------------------------------
    d["quote_send"]["fr"] = _build(
        "fr", "Devis {{ number }}{% if title %} – {{ title }}{% endif %}", "Bonjour {{ name }},",
        [("message", "{{ message }}"),
         "Veuillez trouver notre devis {{ number }}{% if title %} « {{ title }} »{% endif %}. Vous pouvez le "
         "consulter en ligne, le télécharger au format PDF et nous faire part de vos remarques.",
         ("button", "Accéder au document", "link"),
         ("sign", "Vous pouvez également le signer électroniquement depuis cette page."),
         ("valid_until", "Ce devis est valable jusqu'au {{ valid_until|date }}.")],
        _SIGN_SENDER["fr"],
        "{{ license_name }} : votre devis {{ number }} est disponible. Accéder au document : {{ link }}")
    d["quote_send"]["en"] = _build(
        "en", "Quote {{ number }}{% if title %} – {{ title }}{% endif %}", "Hello {{ name }},",
        [("message", "{{ message }}"),
         "Please find our quote {{ number }}{% if title %} \"{{ title }}\"{% endif %}. You can view it online, "
         "download it as a PDF and send us your comments.",
         ("button", "View the document", "link"),
         ("sign", "You can also sign it electronically from that page."),
         ("valid_until", "This quote is valid until {{ valid_until|date }}.")],
        _SIGN_SENDER["en"],
        "{{ license_name }}: your quote {{ number }} is available. View the document: {{ link }}")
    d["quote_reminder"]["fr"] = _build(
        "fr", "Relance : devis {{ number }}{% if title %} – {{ title }}{% endif %}", "Bonjour {{ name }},",
        ["Nous revenons vers vous au sujet de notre devis {{ number }}{% if title %} « {{ title }} »{% endif %}"
         "{% if sent_at %}, envoyé le {{ sent_at|date }}{% endif %}. Avez-vous pu en prendre connaissance ?",
         ("message", "{{ message }}"),
         "Il reste consultable en ligne à tout moment :",
         ("button", "Accéder au document", "link"),
         ("sign", "Vous pouvez le signer électroniquement depuis cette page."),
         ("valid_until", "Pour rappel, ce devis est valable jusqu'au {{ valid_until|date }}."),
         "Nous restons à votre disposition pour toute question."],
        _SIGN_SENDER["fr"],
        "{{ license_name }} : petit rappel, votre devis {{ number }} vous attend. Accéder au document : {{ link }}")
    d["quote_reminder"]["en"] = _build(
        "en", "Reminder: quote {{ number }}{% if title %} – {{ title }}{% endif %}", "Hello {{ name }},",
        ["We are following up on our quote {{ number }}{% if title %} \"{{ title }}\"{% endif %}"
         "{% if sent_at %}, sent on {{ sent_at|date }}{% endif %}. Have you had a chance to look at it?",
         ("message", "{{ message }}"),
         "It is still available online at any time:",
         ("button", "View the document", "link"),
         ("sign", "You can sign it electronically from that page."),
         ("valid_until", "As a reminder, this quote is valid until {{ valid_until|date }}."),
         "Do not hesitate to contact us with any question."],
        _SIGN_SENDER["en"],
        "{{ license_name }}: a friendly reminder, your quote {{ number }} is waiting. View the document: {{ link }}")
    # contract shared ---------------------------------------------------------------------------
    d["contract_shared"]["fr"] = _build(
        "fr", "Document partagé sur le portail client : {{ number }}{% if title %} – {{ title }}{% endif %}",
        "Bonjour {{ name }},",
        ["Le document {{ number }}{% if title %} « {{ title }} »{% endif %} a été partagé sur le portail client"
         "{% if shared_by %} par {{ shared_by }}{% endif %}. Il est désormais accessible depuis la page Contrats du portail.",
         ("message", "{{ message }}"),
         ("button", "Accéder au document", "link")],
        _SIGN["fr"], "Paraph : le document {{ number }} a été partagé sur le portail client. {{ link }}")
    d["contract_shared"]["en"] = _build(
        "en", "Document shared on the customer portal: {{ number }}{% if title %} – {{ title }}{% endif %}",
        "Hello {{ name }},",
        ["The document {{ number }}{% if title %} \"{{ title }}\"{% endif %} was shared on the customer portal"
         "{% if shared_by %} by {{ shared_by }}{% endif %}. It is now available on the portal's Contracts page.",
         ("message", "{{ message }}"),
         ("button", "View the document", "link")],
        _SIGN["en"], "Paraph: document {{ number }} was shared on the customer portal. {{ link }}")
    # signature request / reminder (approvers get "approve" wording: action == 'approve') ----------
    verb_fr = "{% if action == 'approve' %}approuver{% else %}signer{% endif %}"
    verb_en = "{% if action == 'approve' %}approve{% else %}sign{% endif %}"
    d["signature_request"]["fr"] = _build(
        "fr", f"Document à {verb_fr} : {{{{ number }}}}{{% if title %}} – {{{{ title }}}}{{% endif %}}",
        "Bonjour {{ name }},",
        [f"{{{{ sender_name or license_name }}}} vous invite à {verb_fr} "
         "{% if action != 'approve' %}électroniquement {% endif %}le document {{ number }}"
         "{% if title %} « {{ title }} »{% endif %}.",
         ("message", "{{ message }}"),
         ("button", f"Consulter et {verb_fr}", "link"),
         ("expires_at", "Ce lien personnel expire le {{ expires_at|datetime }}.")],
        _SIGN_SENDER["fr"],
        f"{{{{ sender_name or license_name }}}} vous invite à {verb_fr} le document {{{{ number }}}} : {{{{ link }}}}")
    d["signature_request"]["en"] = _build(
        "en", f"Document to {verb_en}: {{{{ number }}}}{{% if title %}} – {{{{ title }}}}{{% endif %}}",
        "Hello {{ name }},",
        [f"{{{{ sender_name or license_name }}}} invites you to {verb_en} the document {{{{ number }}}}"
         "{% if title %} \"{{ title }}\"{% endif %}{% if action != 'approve' %} electronically{% endif %}.",
         ("message", "{{ message }}"),
         ("button", f"Review and {verb_en}", "link"),
         ("expires_at", "This personal link expires on {{ expires_at|datetime }}.")],
        _SIGN_SENDER["en"],
        f"{{{{ sender_name or license_name }}}} invites you to {verb_en} document {{{{ number }}}}: {{{{ link }}}}")
    d["signature_reminder"]["fr"] = _build(
        "fr", f"Rappel : document à {verb_fr} {{{{ number }}}}{{% if title %}} – {{{{ title }}}}{{% endif %}}",
        "Bonjour {{ name }},",
        ["Le document {{ number }}{% if title %} « {{ title }} »{% endif %} attend toujours votre "
         "{% if action == 'approve' %}approbation{% else %}signature{% endif %}.",
         ("message", "{{ message }}"),
         ("button", f"Consulter et {verb_fr}", "link"),
         ("expires_at", "Attention, ce lien expire le {{ expires_at|datetime }}.")],
        _SIGN_SENDER["fr"],
        "Rappel : le document {{ number }} attend votre "
        "{% if action == 'approve' %}approbation{% else %}signature{% endif %} : {{ link }}")
    d["signature_reminder"]["en"] = _build(
        "en", f"Reminder: document to {verb_en} {{{{ number }}}}{{% if title %}} – {{{{ title }}}}{{% endif %}}",
        "Hello {{ name }},",
        ["The document {{ number }}{% if title %} \"{{ title }}\"{% endif %} is still waiting for your "
         "{% if action == 'approve' %}approval{% else %}signature{% endif %}.",
         ("message", "{{ message }}"),
         ("button", f"Review and {verb_en}", "link"),
         ("expires_at", "Please note that this link expires on {{ expires_at|datetime }}.")],
        _SIGN_SENDER["en"],
        "Reminder: document {{ number }} is waiting for your "
        "{% if action == 'approve' %}approval{% else %}signature{% endif %}: {{ link }}")
    # signature one-time code -------------------------------------------------------------------
    d["signature_otp"]["fr"] = _build(
        "fr", "Votre code de signature{% if number %} pour {{ number }}{% endif %}", "Bonjour {{ name }},",
        ["Voici votre code de confirmation pour signer le document{% if number %} {{ number }}{% endif %} :",
         "{{ code }}",
         "Il est valable {{ minutes or 10 }} minutes. Ne le communiquez à personne."],
        _SIGN["fr"],
        "Paraph : votre code de signature est {{ code }} (valable {{ minutes or 10 }} min). Ne le communiquez à personne.")
    d["signature_otp"]["en"] = _build(
        "en", "Your signing code{% if number %} for {{ number }}{% endif %}", "Hello {{ name }},",
        ["Here is your confirmation code to sign the document{% if number %} {{ number }}{% endif %}:",
         "{{ code }}",
         "It is valid for {{ minutes or 10 }} minutes. Do not share it with anyone."],
        _SIGN["en"],
        "Paraph: your signing code is {{ code }} (valid {{ minutes or 10 }} min). Do not share it.")
    # signature completed -----------------------------------------------------------------------
    d["signature_completed"]["fr"] = _build(
        "fr", "Document signé : {{ number }}{% if title %} – {{ title }}{% endif %}", "Bonjour {{ name }},",
        ["Bonne nouvelle : le document {{ number }}{% if title %} « {{ title }} »{% endif %} a été signé par "
         "toutes les parties{% if completed_at %} le {{ completed_at|datetime }}{% endif %}.",
         ("signers", "Signataires :{% for s in signers +%}\n- {{ s.name }}{% if s.email %} ({{ s.email }}){% endif %}"
                     "{% if s.signed_at %}, le {{ s.signed_at|datetime }}{% endif %}{% endfor +%}"),
         "Le document signé et son dossier de preuve sont disponibles :",
         ("button", "Accéder au document", "link")],
        _SIGN["fr"], "Paraph : le document {{ number }} a été signé par toutes les parties. {{ link }}")
    d["signature_completed"]["en"] = _build(
        "en", "Document signed: {{ number }}{% if title %} – {{ title }}{% endif %}", "Hello {{ name }},",
        ["Good news: the document {{ number }}{% if title %} \"{{ title }}\"{% endif %} has been signed by "
         "every party{% if completed_at %} on {{ completed_at|datetime }}{% endif %}.",
         ("signers", "Signers:{% for s in signers +%}\n- {{ s.name }}{% if s.email %} ({{ s.email }}){% endif %}"
                     "{% if s.signed_at %}, on {{ s.signed_at|datetime }}{% endif %}{% endfor +%}"),
         "The signed document and its evidence file are available:",
         ("button", "View the document", "link")],
        _SIGN["en"], "Paraph: document {{ number }} has been signed by every party. {{ link }}")
    # owner notifications -----------------------------------------------------------------------
    d["quote_viewed"]["fr"] = _build(
        "fr", "Devis {{ number }} consulté en ligne", "Bonjour {{ name }},",
        ["{% if contact_name %}{{ contact_name }} a consulté{% else %}Votre client a consulté{% endif %} "
         "le devis {{ number }}{% if title %} « {{ title }} »{% endif %} en ligne{% if at %} le {{ at|datetime }}{% endif %}.",
         ("button", "Voir le devis", "link")],
        _SIGN["fr"], "Paraph : le devis {{ number }} vient d'être consulté en ligne{% if contact_name %} par {{ contact_name }}{% endif %}.")
    d["quote_viewed"]["en"] = _build(
        "en", "Quote {{ number }} viewed online", "Hello {{ name }},",
        ["{% if contact_name %}{{ contact_name }}{% else %}Your customer{% endif %} viewed the quote {{ number }}"
         "{% if title %} \"{{ title }}\"{% endif %} online{% if at %} on {{ at|datetime }}{% endif %}.",
         ("button", "See the quote", "link")],
        _SIGN["en"], "Paraph: quote {{ number }} was just viewed online{% if contact_name %} by {{ contact_name }}{% endif %}.")
    d["quote_downloaded"]["fr"] = _build(
        "fr", "Devis {{ number }} téléchargé", "Bonjour {{ name }},",
        ["{% if contact_name %}{{ contact_name }} a téléchargé{% else %}Votre client a téléchargé{% endif %} "
         "le devis {{ number }}{% if title %} « {{ title }} »{% endif %} au format PDF{% if at %} le {{ at|datetime }}{% endif %}.",
         ("button", "Voir le devis", "link")],
        _SIGN["fr"], "Paraph : le devis {{ number }} vient d'être téléchargé{% if contact_name %} par {{ contact_name }}{% endif %}.")
    d["quote_downloaded"]["en"] = _build(
        "en", "Quote {{ number }} downloaded", "Hello {{ name }},",
        ["{% if contact_name %}{{ contact_name }}{% else %}Your customer{% endif %} downloaded the quote {{ number }}"
         "{% if title %} \"{{ title }}\"{% endif %} as a PDF{% if at %} on {{ at|datetime }}{% endif %}.",
         ("button", "See the quote", "link")],
        _SIGN["en"], "Paraph: quote {{ number }} was just downloaded{% if contact_name %} by {{ contact_name }}{% endif %}.")
    d["quote_feedback"]["fr"] = _build(
        "fr", "Retour client sur le devis {{ number }}", "Bonjour {{ name }},",
        ["{% if contact_name %}{{ contact_name }}{% else %}Votre client{% endif %}"
         "{% if contact_email %} ({{ contact_email }}){% endif %} vous a envoyé un retour sur le devis {{ number }}"
         "{% if title %} « {{ title }} »{% endif %} :",
         "{{ message }}",
         ("button", "Voir le devis", "link")],
        _SIGN["fr"], "Paraph : nouveau retour client sur le devis {{ number }}.")
    d["quote_feedback"]["en"] = _build(
        "en", "Customer feedback on quote {{ number }}", "Hello {{ name }},",
        ["{% if contact_name %}{{ contact_name }}{% else %}Your customer{% endif %}"
         "{% if contact_email %} ({{ contact_email }}){% endif %} sent feedback on the quote {{ number }}"
         "{% if title %} \"{{ title }}\"{% endif %}:",
         "{{ message }}",
         ("button", "See the quote", "link")],
        _SIGN["en"], "Paraph: new customer feedback on quote {{ number }}.")
    d["webhook_disabled"]["fr"] = _build(
        "fr", "Webhook désactivé : {{ webhook_url }}", "Bonjour {{ name }},",
        ["Le webhook {{ webhook_url }} de {{ license_name }} a été désactivé{% if disabled_at %} le "
         "{{ disabled_at|datetime }}{% endif %} : {{ reason }}.",
         ("last_error", "Dernière erreur : {{ last_error }}"),
         "Les événements ne lui sont plus envoyés. Une fois le point d'accès corrigé, réactivez le webhook puis "
         "rejouez les livraisons échouées depuis l'API (POST /webhooks/{{ webhook_id }}/replay).",
         ("button", "Gérer les webhooks", "link")],
        _SIGN["fr"], "Paraph : le webhook {{ webhook_url }} a été désactivé ({{ reason }}).")
    d["webhook_disabled"]["en"] = _build(
        "en", "Webhook disabled: {{ webhook_url }}", "Hello {{ name }},",
        ["The webhook {{ webhook_url }} of {{ license_name }} was disabled{% if disabled_at %} on "
         "{{ disabled_at|datetime }}{% endif %}: {{ reason }}.",
         ("last_error", "Last error: {{ last_error }}"),
         "Events are no longer sent to it. Once the endpoint is fixed, re-enable the webhook and replay the "
         "failed deliveries through the API (POST /webhooks/{{ webhook_id }}/replay).",
         ("button", "Manage webhooks", "link")],
        _SIGN["en"], "Paraph: webhook {{ webhook_url }} was disabled ({{ reason }}).")
    # a portal client updated their details or their company's (self-service) ---------------------
    changes = {loc: "{% for c in changes %}• {{ c.field }}" + sep + "{{ c['from'] or '—' }} → {{ c.to or '—' }}\n"
                    "{% endfor %}" for loc, sep in (("fr", " : "), ("en", ": "))}
    d["customer_self_updated"]["fr"] = _build(
        "fr", "{{ customer_name }} : {{ contact_name }} a mis à jour "
              "{% if target == 'company' %}les coordonnées de l'entreprise{% else %}ses coordonnées{% endif %}",
        "Bonjour {{ name }},",
        ["{{ contact_name }} a mis à jour sur le portail client "
         "{% if target == 'company' %}les coordonnées de {{ customer_name }}{% else %}ses coordonnées "
         "(client {{ customer_name }}){% endif %} :",
         changes["fr"],
         ("button", "Voir l'historique du client", "link")],
        _SIGN["fr"], "Paraph : {{ contact_name }} a mis à jour les coordonnées de {{ customer_name }}. {{ link }}")
    d["customer_self_updated"]["en"] = _build(
        "en", "{{ customer_name }}: {{ contact_name }} updated "
              "{% if target == 'company' %}the company's details{% else %}their details{% endif %}",
        "Hello {{ name }},",
        ["{{ contact_name }} updated on the customer portal "
         "{% if target == 'company' %}the details of {{ customer_name }}{% else %}their details "
         "(customer {{ customer_name }}){% endif %}:",
         changes["en"],
         ("button", "See the customer's history", "link")],
        _SIGN["en"], "Paraph: {{ contact_name }} updated the details of {{ customer_name }}. {{ link }}")
    return d


DEFAULTS = _defaults()


def default_parts(name: str, locale: str) -> dict:
    return dict(DEFAULTS[name][locale if locale in LOCALES else DEFAULT_LOCALE])


def check_name(name: str) -> str:
    from .exceptions import NotFound
    if name not in VARIABLES:
        raise NotFound(f"Unknown template {name!r}.", {"templates": list(TEMPLATE_NAMES)})
    return name


def check_locale(locale) -> str:
    if locale not in LOCALES:
        raise InvalidInput(f"Unknown locale {locale!r}; use one of {', '.join(LOCALES)}.",
                           {"fields": {"locale": [f"one of {', '.join(LOCALES)}"]}})
    return locale


# -- sandboxed environments -----------------------------------------------------------------------

class _Sandbox(SandboxedEnvironment):
    """No globals (no range/lipsum/cycler), and no huge strings or powers from * and **."""
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator, left, right):
        if operator == "**":
            if isinstance(right, (int, float)) and abs(right) > 64:
                raise SecurityError("exponent too large")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > 10_000:
                    raise SecurityError("repetition too large")
        return super().call_binop(context, operator, left, right)


def _parse_dt(value):
    if isinstance(value, datetime):
        return value
    if not value:
        return None
    try:
        text = str(value).strip().replace("Z", "+00:00")
        dt = datetime.fromisoformat(text)
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
        return dt
    except ValueError:
        return None


_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")
_MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
              "novembre", "décembre")


def format_date(value, locale: str) -> str:
    dt = _parse_dt(value)
    if dt is None:
        return "" if value is None else str(value)
    if "T" not in str(value) and not isinstance(value, datetime):
        d = dt.date()
    else:
        d = dt.astimezone(timezone.utc).date()
    if locale == "fr":
        return f"{d.day} {_MONTHS_FR[d.month - 1]} {d.year}"
    return f"{_MONTHS_EN[d.month - 1]} {d.day}, {d.year}"


def format_datetime(value, locale: str) -> str:
    dt = _parse_dt(value)
    if dt is None:
        return "" if value is None else str(value)
    dt = dt.astimezone(timezone.utc)
    if locale == "fr":
        return f"{format_date(dt, 'fr')} à {dt:%H:%M} (UTC)"
    return f"{format_date(dt, 'en')} at {dt:%H:%M} (UTC)"


def _nl2br(value):
    return Markup("<br>\n").join(escape(str(value if value is not None else "")).split("\n"))


@lru_cache(maxsize=None)
def environment(locale: str, html: bool) -> SandboxedEnvironment:
    env = _Sandbox(autoescape=html, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                   keep_trailing_newline=False)
    env.globals.clear()
    env.filters["date"] = lambda v: format_date(v, locale)
    env.filters["datetime"] = lambda v: format_datetime(v, locale)
    env.filters["nl2br"] = _nl2br if html else (lambda v: "" if v is None else str(v))
    return env


# -- rendering ------------------------------------------------------------------------------------

class RenderError(Exception):
    """A template could not be rendered (the message cannot be sent as it is)."""


def text_to_html(text: str, locale: str) -> str:
    """An HTML part for a license template that only has a text part: escaped, links clickable."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    out = []
    for p in paragraphs:
        escaped = str(escape(p))
        escaped = re.sub(r"(https?://[^\s<>&\"']+(?:&amp;[^\s<>&\"']+)*)",
                         r'<a href="\1" style="color:#1f4fd1;word-break:break-all">\1</a>', escaped)
        out.append("<p>" + escaped.replace("\n", "<br>\n") + "</p>")
    return _LAYOUT % {"lang": locale, "body": "\n".join(out), "footer": ""}


@lru_cache(maxsize=1024)
def _compiled(locale: str, html: bool, source: str):
    return environment(locale, html).from_string(source)


def _render_part(source: str, values: dict, locale: str, html: bool) -> str:
    try:
        return _compiled(locale, html, source).render(values)
    except UndefinedError as exc:
        raise RenderError(f"unknown variable: {exc.message}") from None
    except SecurityError as exc:
        raise RenderError(f"not allowed in a template: {exc}") from None
    except TemplateError as exc:
        raise RenderError(str(exc)) from None
    except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError, IndexError, RecursionError) as exc:
        raise RenderError(f"{type(exc).__name__}: {exc}") from None


def render(name: str, locale: str, parts: dict, variables: dict) -> dict:
    """Render every part; missing documented variables are blank. Raises :class:`RenderError`."""
    locale = locale if locale in LOCALES else DEFAULT_LOCALE
    values = {**blank_vars(name), **{k: v for k, v in (variables or {}).items() if isinstance(k, str)}}
    # a secret is never in a subject, even in a license's version saved before validation refused it
    subject = " ".join(_render_part(parts["subject"], masked(name, values), locale, False).split())
    text = _render_part(parts["text"], values, locale, False)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    html_source = parts.get("html")
    html = _render_part(html_source, values, locale, True) if html_source else text_to_html(text, locale)
    sms_source = parts.get("sms") or DEFAULTS[name][locale]["sms"]
    sms = " ".join(_render_part(sms_source, values, locale, False).split())
    if len(text) > MAX_OUTPUT or len(html) > MAX_OUTPUT:
        raise RenderError("the rendered message is too large")
    if len(sms) > MAX_SMS_OUTPUT:
        sms = sms[: MAX_SMS_OUTPUT - 1] + "…"
    return {"subject": subject[:998], "text": text, "html": html, "sms": sms}


# -- validation of a license's version ------------------------------------------------------------

def validate(name: str, locale: str, parts: dict) -> dict:
    """Check a template a license admin wants to save; raise InvalidInput (422) with per-part errors.
    Returns the cleaned parts (``html``/``sms`` may be None: derived from text / the default)."""
    check_name(name)
    check_locale(locale)
    allowed = set(VARIABLES[name])
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str | None] = {}
    for part in PARTS:
        source = parts.get(part)
        if source is None or (part in ("html", "sms") and not str(source).strip()):
            if part in ("subject", "text"):
                errors.setdefault(part, []).append("required")
            cleaned[part] = None
            continue
        if not isinstance(source, str):
            errors.setdefault(part, []).append("must be a string")
            continue
        if len(source) > MAX_PART[part]:
            errors.setdefault(part, []).append(f"at most {MAX_PART[part]} characters")
            continue
        env = environment(locale, part == "html")
        try:
            ast = env.parse(source)
            used = meta.find_undeclared_variables(ast)  # compiles: unknown filters/tests fail here
        except TemplateSyntaxError as exc:
            errors.setdefault(part, []).append(f"syntax error line {exc.lineno}: {exc.message}")
            continue
        unknown = sorted(used - allowed)
        if unknown:
            errors.setdefault(part, []).append(
                f"unknown variables: {', '.join(unknown)} (available: {', '.join(sorted(allowed))})")
            continue
        secrets = sorted(used & set(SECRET_VARIABLES.get(name, ())))
        if part == "subject" and secrets:
            errors.setdefault(part, []).append(
                f"must not contain {', '.join(secrets)}: a subject shows in previews and the delivery log")
            continue
        required = REQUIRED_VARIABLE.get(name)
        if required and part != "subject" and required not in used:
            errors.setdefault(part, []).append(f"must contain {{{{ {required} }}}}")
            continue
        try:
            env.from_string(source).render({**blank_vars(name), **sample_vars(name)})
            env.from_string(source).render(blank_vars(name))
        except UndefinedError as exc:
            errors.setdefault(part, []).append(f"unknown variable or attribute: {exc.message}")
            continue
        except SecurityError as exc:
            errors.setdefault(part, []).append(f"not allowed in a template: {exc}")
            continue
        except Exception as exc:  # noqa: BLE001 - any rendering failure is the template's fault
            errors.setdefault(part, []).append(f"cannot be rendered: {type(exc).__name__}: {exc}")
            continue
        if part == "subject" and "\n" in source.strip():
            errors.setdefault(part, []).append("must be a single line")
            continue
        cleaned[part] = source
    if errors:
        raise InvalidInput("The template is not valid.", {"fields": errors})
    return cleaned
