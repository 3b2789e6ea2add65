"""Notification templates: the built-in wording (data). Every template of the catalog in every locale,
as subject, plain text, HTML (one shared email layout, with a button for the link) and SMS, built once at
import from short specs by :func:`_build`. A license admin's own version replaces these (see
notification_templates.py); rendering and validation are in templates.py.
"""
from __future__ import annotations

from .template_catalog import TEMPLATE_NAMES

# -- defaults -------------------------------------------------------------------------------------

_BUTTON = ('<p style="margin:28px 0"><a href="{{ %(var)s }}" style="display:inline-block;background:#1f4fd1;'
           'color:#ffffff;text-decoration:none;padding:12px 22px;border-radius:5px;font-weight:bold">%(label)s</a></p>')
_FALLBACK = {"fr": "Si le bouton ne fonctionne pas, copiez ce lien dans votre navigateur :",
             "en": "If the button does not work, copy this link into your browser:"}
EMAIL_LAYOUT = ('<!doctype html>\n<html lang="%(lang)s"><head><meta charset="utf-8">'
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
            "html": EMAIL_LAYOUT % {"lang": locale, "body": body, "footer": _FOOTER[locale]}, "sms": sms}


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
    # a copy of the signed document (CC recipients) ----------------------------------------------
    d["signature_cc"]["fr"] = _build(
        "fr", "Copie : document signé {{ number }}{% if title %} – {{ title }}{% endif %}", "Bonjour {{ name }},",
        ["{{ sender_name or license_name }} vous adresse en copie le document {{ number }}"
         "{% if title %} « {{ title }} »{% endif %}, signé par toutes les parties"
         "{% if completed_at %} le {{ completed_at|datetime }}{% endif %}.",
         ("signers", "Signataires :{% for s in signers +%}\n- {{ s.name }}{% if s.email %} ({{ s.email }}){% endif %}"
                     "{% if s.signed_at %}, le {{ s.signed_at|datetime }}{% endif %}{% endfor +%}"),
         "Vous trouverez ci-joint le document signé."],
        _SIGN_SENDER["fr"], "Paraph : copie du document signé {{ number }} envoyée par e-mail.")
    d["signature_cc"]["en"] = _build(
        "en", "Copy: signed document {{ number }}{% if title %} – {{ title }}{% endif %}", "Hello {{ name }},",
        ["{{ sender_name or license_name }} sends you a copy of the document {{ number }}"
         "{% if title %} \"{{ title }}\"{% endif %}, signed by every party"
         "{% if completed_at %} on {{ completed_at|datetime }}{% endif %}.",
         ("signers", "Signers:{% for s in signers +%}\n- {{ s.name }}{% if s.email %} ({{ s.email }}){% endif %}"
                     "{% if s.signed_at %}, on {{ s.signed_at|datetime }}{% endif %}{% endfor +%}"),
         "The signed document is attached."],
        _SIGN_SENDER["en"], "Paraph: a copy of signed document {{ number }} was sent by email.")
    # a request ended unsigned: its sender is told ---------------------------------------------
    d["signature_declined"]["fr"] = _build(
        "fr", "Document refusé : {{ number }}{% if title %} – {{ title }}{% endif %}", "Bonjour {{ name }},",
        ["{{ declined_by }}{% if declined_by_email %} ({{ declined_by_email }}){% endif %} a refusé "
         "{% if role == 'approver' %}d'approuver{% else %}de signer{% endif %} le document {{ number }}"
         "{% if title %} « {{ title }} »{% endif %}{% if declined_at %} le {{ declined_at|datetime }}{% endif %}. "
         "La demande de signature est close.",
         ("reason", "Motif : {{ reason }}"),
         ("button", "Voir le document", "link")],
        _SIGN["fr"], "Paraph : {{ declined_by }} a refusé le document {{ number }}. Motif : {{ reason }}")
    d["signature_declined"]["en"] = _build(
        "en", "Document declined: {{ number }}{% if title %} – {{ title }}{% endif %}", "Hello {{ name }},",
        ["{{ declined_by }}{% if declined_by_email %} ({{ declined_by_email }}){% endif %} declined to "
         "{% if role == 'approver' %}approve{% else %}sign{% endif %} the document {{ number }}"
         "{% if title %} \"{{ title }}\"{% endif %}{% if declined_at %} on {{ declined_at|datetime }}{% endif %}. "
         "The signature request is closed.",
         ("reason", "Reason: {{ reason }}"),
         ("button", "See the document", "link")],
        _SIGN["en"], "Paraph: {{ declined_by }} declined document {{ number }}. Reason: {{ reason }}")
    d["signature_expired"]["fr"] = _build(
        "fr", "Demande de signature expirée : {{ number }}{% if title %} – {{ title }}{% endif %}",
        "Bonjour {{ name }},",
        ["La demande de signature du document {{ number }}{% if title %} « {{ title }} »{% endif %} a expiré"
         "{% if expires_at %} le {{ expires_at|datetime }}{% endif %} sans avoir été signée par tous.",
         ("waiting_for", "Sans réponse de : {{ waiting_for|join(', ') }}"),
         "Vous pouvez envoyer une nouvelle demande depuis le document.",
         ("button", "Voir le document", "link")],
        _SIGN["fr"], "Paraph : la demande de signature du document {{ number }} a expiré.")
    d["signature_expired"]["en"] = _build(
        "en", "Signature request expired: {{ number }}{% if title %} – {{ title }}{% endif %}", "Hello {{ name }},",
        ["The signature request of the document {{ number }}{% if title %} \"{{ title }}\"{% endif %} expired"
         "{% if expires_at %} on {{ expires_at|datetime }}{% endif %} before everybody signed.",
         ("waiting_for", "No answer from: {{ waiting_for|join(', ') }}"),
         "You can send a new request from the document.",
         ("button", "See the document", "link")],
        _SIGN["en"], "Paraph: the signature request of document {{ number }} expired.")
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
