"""The word of each status, in the page's language: what the badges and status filters show (macros.html
``status_label``, ``badge``, ``STATUS_LABELS``) and what the CSV exports write, so a spreadsheet says "Envoyé"
as the list did, not the API's "sent". One table for both: a new status is named here once."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

# A delivery that succeeded (a webhook's, a notification's: settings_license.NOTIFICATION_STATUSES) is "Sent", as
# an email is.
LABELS = {
    "draft": _l("Draft"), "sent": _l("Sent"), "viewed": _l("Viewed"), "signed": _l("Signed"),
    "accepted": _l("Accepted"), "validated": _l("Validated"), "refused": _l("Refused"), "abandoned": _l("Abandoned"),
    "active": _l("Active"), "invited": _l("Invited"), "deactivated": _l("Deactivated"),
    "confirmed": _l("Confirmed"), "delivered": _l("Delivered"), "cancelled": _l("Cancelled"), "issued": _l("Issued"),
    "paid": _l("Paid"), "disabled": _l("Disabled"), "pending": _l("Pending"), "sending": _l("Sending"),
    "succeeded": _l("Sent"), "failed": _l("Failed"), "queued": _l("Queued"), "customized": _l("Customized"),
    "default": _l("Default"), "overdue": _l("Overdue"), "due": _l("Due today")}
# A document's status agrees with its kind: French writes an order's and an invoice's (la commande, la facture) in
# the feminine (Confirmée, Annulée), a quote's and a contract's as LABELS does.
DOCUMENT_LABELS = {
    "order": {"confirmed": lazy_pgettext("order", "Confirmed"), "delivered": lazy_pgettext("order", "Delivered"),
              "cancelled": lazy_pgettext("order", "Cancelled")},
    "invoice": {"cancelled": lazy_pgettext("invoice", "Cancelled")}}


def label(status: str | None, kind: str | None = None) -> str:
    """The word of ``status``; ``kind``: the kind of the document whose status it is (none for users,
    deliveries…). A status this table does not know yet: its code, rather than nothing."""
    return str(DOCUMENT_LABELS.get(kind, {}).get(status) or LABELS.get(status, status or ""))
