"""Notification templates: the catalog (data). Which templates exist, in which locales, the parts a
template has, the variables each template documents (with a sample value, used by previews and to check
a license's version), the variable an edited version must keep, the emails a salesperson sends by hand, the
emails a company's customers receive (from the company), and the secrets a message shows in its body only. The
built-in wording is in template_defaults.toml; rendering and validation in templates.py.
"""
from __future__ import annotations

from dataclasses import dataclass

LOCALES = ("fr", "en")
DEFAULT_LOCALE = "fr"
PARTS = ("subject", "text", "html", "sms")

# -- variables ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    """The sample of a variable a person types (a title, a message): a preview shows it in the template's
    language, as its readers would write it."""
    fr: str
    en: str


_NAME = ("recipient's name", "Marie Curie")
_LICENSE = ("company (license) name", "ACME Paris")
_LINK = ("the link the message is about", "https://paraph.example/d/abc123")
_NUMBER = ("document number", "D-2025-0042")
_TITLE = ("document title", Written("Maintenance annuelle", "Annual maintenance"))
_SENDER = ("name of the salesperson sending the document", "Paul Martin")
_MESSAGE = ("free text written by the sender", Written("Bonne lecture.", "Enjoy the read."))
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
    # the same link for a customer's contact whose only accesses are client portals: her company's portal
    "client_password_reset": {"name": _NAME, "license_name": _LICENSE,
                              "link": ("reset link (single use)", "https://paraph.example/reset-password?token=abc"),
                              "expires_at": _EXPIRES},
    "quote_send": {"name": _NAME, "license_name": _LICENSE, "number": _NUMBER, "title": _TITLE,
                   "sender_name": _SENDER, "message": _MESSAGE, "link": ("online quote link", _LINK[1]),
                   "valid_until": ("end of validity (ISO 8601)", "2030-02-28"), "sign": _SIGN_ASKED},
    "quote_reminder": {"name": _NAME, "license_name": _LICENSE, "number": _NUMBER, "title": _TITLE,
                       "sender_name": _SENDER, "message": _MESSAGE, "link": ("online quote link", _LINK[1]),
                       "valid_until": ("end of validity (ISO 8601)", "2030-02-28"), "sign": _SIGN_ASKED,
                       "sent_at": ("when the quote was first sent (ISO 8601)", "2030-01-10T10:00:00Z")},
    "contract_shared": {"name": _NAME, "license_name": _LICENSE, "number": _NUMBER, "title": _TITLE,
                        "shared_by": ("who shared it", "Paul Martin"), "link": ("portal link", _LINK[1]),
                        "message": ("message from the person who shared it",
                                    Written("Voici le contrat signé.", "Here is the signed contract.")),
                        "role": ("requester or observer (portal clients)", "requester"),
                        "requester": ("for an observer: the requester's name (empty for the requester)", ""),
                        "kind": ("what was shared: quote, contract, order or invoice", "contract")},
    # the same news told to the document's owner (a salesperson) when someone else shared it: signed by Paraph's team
    "contract_shared_owner": {"name": _NAME, "license_name": _LICENSE, "number": _NUMBER, "title": _TITLE,
                              "shared_by": ("who shared it", "Paul Martin"),
                              "link": ("link to the document", _LINK[1])},
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
    # the same news told to the document's owner (a salesperson): its own wording, signed by Paraph's team
    "signature_completed_owner": {"name": _NAME, "license_name": _LICENSE, "number": _NUMBER, "title": _TITLE,
                                  "signers": ("list of {name, email, signed_at}",
                                              [{"name": "Jeanne Dupont", "email": "jeanne@client.test",
                                                "signed_at": "2030-01-15T09:30:00Z"}]),
                                  "completed_at": _AT, "at": _AT, "link": ("document link", _LINK[1])},
    "signature_cc": {"name": _NAME, "license_name": _LICENSE, "number": _NUMBER, "title": _TITLE,
                     "sender_name": _SENDER,
                     "signers": ("list of {name, email, signed_at}",
                                 [{"name": "Jeanne Dupont", "email": "jeanne@client.test",
                                   "signed_at": "2030-01-15T09:30:00Z"}]),
                     "completed_at": _AT},
    "signature_declined": {"name": _NAME, "license_name": _LICENSE, "number": _NUMBER, "title": _TITLE,
                           "declined_by": ("who declined", "Jeanne Dupont"),
                           "declined_by_email": ("their email", "jeanne@client.test"), "role": _ROLE,
                           "reason": ("the reason they gave", Written("Le montant ne correspond pas à notre accord.",
                                                                      "The amount is not the one we agreed on.")),
                           "declined_at": _AT, "link": ("link to the document", _LINK[1])},
    "signature_expired": {"name": _NAME, "license_name": _LICENSE, "number": _NUMBER, "title": _TITLE,
                          "expires_at": ("when it expired (ISO 8601)", "2030-01-31T18:00:00Z"),
                          "waiting_for": ("names of those who had not acted", ["Jeanne Dupont"]),
                          "link": ("link to the document", _LINK[1])},
    "quote_viewed": {"name": _NAME, "license_name": _LICENSE, "number": _NUMBER, "title": _TITLE,
                     "contact_name": _CONTACT, "at": _AT, "link": ("link to the quote", _LINK[1])},
    "quote_downloaded": {"name": _NAME, "license_name": _LICENSE, "number": _NUMBER, "title": _TITLE,
                         "contact_name": _CONTACT, "at": _AT, "link": ("link to the quote", _LINK[1])},
    "quote_feedback": {"name": _NAME, "license_name": _LICENSE, "number": _NUMBER, "title": _TITLE,
                       "contact_name": _CONTACT, "contact_email": ("contact's email", "jeanne@client.test"),
                       "message": ("the contact's feedback",
                                   Written("Pouvez-vous revoir la remise ?", "Could you look at the discount again?")),
                       "at": _AT,
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
    "invitation": "link", "client_invitation": "link", "password_reset": "link", "client_password_reset": "link",
    "quote_send": "link", "quote_reminder": "link", "signature_request": "link", "signature_reminder": "link",
    "signature_otp": "code",
}
LIST_VARIABLES = {"signers", "changes", "waiting_for"}
# the emails a salesperson composes and sends from the send screen: they may preview them (their own wording)
SENT_BY_HAND = ("quote_send", "quote_reminder")
# the emails other services ask notify to send to a company's customers (portal clients, a quote's contacts,
# signers): they come from the company, its name the From's display name (the address stays the platform's
# sender); a customer of ACME Paris does not know Paraph. The staff's emails, and the password reset of a Paraph
# account (password_reset: a person on a company's staff, as well as a client somewhere or not), come from Paraph
CUSTOMER_TEMPLATES = ("client_invitation", "client_password_reset", "quote_send", "quote_reminder", "contract_shared",
                      "signature_request", "signature_reminder", "signature_otp", "signature_completed",
                      "signature_cc")
# secrets the message delivers (one-time codes): they reach the recipient in the body or SMS only, never a
# subject (subjects show in notification previews and lock screens) nor the stored delivery log
SECRET_VARIABLES = {"signature_otp": ("code",)}
SECRET_MASK = "••••••"
