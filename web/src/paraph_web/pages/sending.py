"""``/contracts/<id>/send``: "Envoyer par email" / "Relancer par email" of a quote (Initiative CRM): the
recipient (the quote's contact by default, or another contact of the customer), the email template (the
first sending to a contact who never had the quote, the reminder to one who did), the subject and the message
as the customer will read them (a preview of the license's saved template with the quote's own details), the
PDF attached or not, and the request for an electronic signature (on by default when the license enables it; a
reminder offers again what the contact's last email had). The email carries the "Consulter le devis" button to the
quote's online page; the contract's history then shows the sending.

Only quotes have an online page: a contract, an order or an invoice is sent for signature from its
signature center (:mod:`.signature_center`)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import api, api_messages
from ..api import ApiError
from ..auth import company_name, current_user, signed_in
from ..security import showing_an_email

bp = Blueprint("sending", __name__)

TEMPLATE_LABELS = {"quote_send": _l("Quote sending"), "quote_reminder": _l("Quote reminder")}
FORM_ERRORS = (400, 404, 409, 422)
LOCALES = ("fr", "en")


def quote_activity(contract: dict) -> dict | None:
    """The quote's activity (``GET /quotes/<id>/activity``: its emails, and its customer's views, downloads
    and feedback); None for other kinds, and when the portal cannot say (the page still shows)."""
    if contract.get("kind") != "quote":
        return None
    try:
        return api.get(f"/quotes/{contract['id']}/activity")
    except ApiError:
        return None


def activity_unknown(contract: dict, activity: dict | None) -> bool:
    """Whether the page must say that a quote's activity cannot be shown: the portal could not give it, and the
    quote may have some (sent, shared on the client portal, or seen). A draft never sent has none to show."""
    return (contract.get("kind") == "quote" and activity is None
            and bool(contract.get("sent_at") or contract.get("portal_shared") or contract.get("view_count")
                     or contract.get("download_count")))


def emails_sent(activity: dict | None) -> list[dict]:
    """The quote's emails, latest first (recipient, template, PDF attached, signature asked), for the
    history of the contract page."""
    return list(reversed((activity or {}).get("sends") or []))


CUSTOMER_EVENTS = ("viewed", "downloaded", "feedback")
# the contract history's entries of those (contracts records the portal's views and downloads too)
CUSTOMER_HISTORY_ACTIONS = ("portal_viewed", "portal_downloaded")


def customer_events(activity: dict | None) -> list[dict]:
    """What the customer's contacts did with the quote (views, downloads, feedback: who and when, on the
    quote page or the client portal), latest first; link scanners' prefetches are not the customer's. Each with the
    ``email`` the quote was sent to its contact at (None for one who got no email of it): a feedback's reply goes
    there."""
    emails = {send.get("contact_id"): send.get("to") for send in (activity or {}).get("sends") or []}
    return [{**e, "email": emails.get(e.get("contact_id"))}
            for e in reversed((activity or {}).get("events") or []) if e.get("kind") in CUSTOMER_EVENTS]


def feedback_since_last_email(activity: dict | None) -> dict | None:
    """The customer's latest feedback when no email of the quote left after it (the quote waits on the
    salesperson, not on the customer), else None. The times compare as written: the portal writes them all alike
    (UTC, "Z")."""
    last_email = max((send.get("at") or "" for send in (activity or {}).get("sends") or []), default="")
    feedback = [e for e in (activity or {}).get("events") or [] if e.get("kind") == "feedback"]
    latest = max(feedback, key=lambda e: e.get("at") or "", default=None)
    return latest if latest and (latest.get("at") or "") > last_email else None


def history_beside(activity: dict | None, history: list[dict]) -> list[dict]:
    """The contract's history, less the customer's views and downloads when the quote's customer activity (which
    names the contact who did them) is shown beside it: each said once. A contract's, or a quote's whose activity
    the portal cannot give now, keeps them."""
    if activity is None:
        return history
    return [h for h in history if h.get("action") not in CUSTOMER_HISTORY_ACTIONS]


def _context(contract_id: str, contact_id: str = "") -> dict:
    """What the send screen shows; ``info["template"]`` is the email ``contact_id`` (the quote's contact when
    none is chosen yet) gets unless the salesperson chooses: the portal decides first sending or reminder."""
    contract = api.get(f"/contracts/{contract_id}")
    customer = api.get(f"/customers/{contract['customer_id']}")
    contacts = [c for c in customer.get("contacts") or [] if c.get("email")]
    # a posted id that is none of them (a contact deleted meanwhile) is refused by the send, said on the form
    recipient = contact_id if any(c["id"] == contact_id for c in contacts) else None
    if not contact_id and not contract.get("contact_id") and contacts:
        recipient = contacts[0]["id"]  # a quote without a contact: the screen offers its customer's first
    info = api.get(f"/quotes/{contract_id}/send", contact_id=recipient)
    return {"contract": contract, "info": info, "contacts": contacts, "templates": info.get("templates")
            or list(TEMPLATE_LABELS), "template_labels": TEMPLATE_LABELS, "nav": "quotes"}


def _preview(ctx: dict, values: dict) -> dict | None:
    """The license's saved template rendered with this quote's details: what the customer will read. The
    personal link is made when the email leaves, so the preview names it instead."""
    contract = ctx["contract"]
    contact = next((c for c in ctx["contacts"] if c["id"] == values["contact_id"]), None)
    user = current_user() or {}
    variables = {"number": contract.get("number") or "", "title": contract.get("title") or "",
                 "name": (contact or {}).get("name") or (contact or {}).get("email") or "",
                 "sender_name": user.get("name") or user.get("email") or "", "message": values["message"],
                 "link": _("(the customer's personal link to the quote)"),
                 "valid_until": contract.get("valid_until") or "",
                 "sign": bool(values["request_signature"] and ctx["info"].get("request_signature_default")),
                 "sent_at": ""}
    # the company the email comes from, as it will sign it (the template's sample company otherwise: "ACME Paris")
    company = company_name()
    if company:
        variables["license_name"] = company
    # the email goes out in the quote's language, whatever the salesperson's screen shows
    locale = (contract.get("locale") or "fr")[:2]
    try:
        return api.post(f"/notification-templates/{values['template']}/preview"
                        f"?locale={locale if locale in LOCALES else 'fr'}",
                        {"vars": variables})
    except ApiError as exc:
        if exc.status < 500:
            raise
        return None  # notify is down: the email can still be sent (it waits in the outbox), without a preview


def _sends_to(ctx: dict, contact_id: str) -> int:
    """How many times the quote was sent to this contact (the send screen's ``sent_to``)."""
    return (ctx["info"].get("sent_to") or {}).get(contact_id, 0)


def _render(ctx: dict, values: dict, errors: dict | None = None, message: str | None = None, status: int = 200):
    preview = _preview(ctx, values)
    if preview is not None:
        showing_an_email()
        if not values.get("subject") or values["subject"] == values.get("subject_default"):
            values["subject"] = preview["subject"]  # the template's subject follows the template until edited
        values["subject_default"] = preview["subject"]
    # "Envoyer par email" the first time, "Relancer par email" the reminder
    action_label = _("Send a reminder by email") if values["template"] == "quote_reminder" else _("Send by email")
    sends_to_contact = _sends_to(ctx, values["contact_id"])
    return render_template("contracts/send.html", values=values, preview=preview, errors=errors or {},
                           message=message, action_label=action_label, sends_to_contact=sends_to_contact,
                           **ctx), status


@bp.get("/contracts/<contract_id>/send")
@signed_in
def form(contract_id: str):
    ctx = _context(contract_id)
    info = ctx["info"]
    # a quote without a contact: its customer's first (whose email _context asked the portal about)
    contact_id = info.get("default_contact_id") or (ctx["contacts"][0]["id"] if ctx["contacts"] else "")
    template = info["template"]
    # a reminder offers what the contact's last email had (a salesperson answering a question with it sent a
    # signature request and the PDF the first email had not); a first email, the PDF and the license's default
    last = info.get("last_send")
    values = {"contact_id": contact_id, "template": template, "template_default": template,
              "template_for": contact_id, "subject": "",
              "subject_default": "", "message": "", "attach_pdf": last["attach_pdf"] if last else True,
              "request_signature": last["request_signature"] if last else bool(info.get("request_signature_default"))}
    return _render(ctx, values)


@bp.post("/contracts/<contract_id>/send")
@signed_in
def send(contract_id: str):
    form = request.form
    contact_id = form.get("contact_id", "")
    ctx = _context(contract_id, contact_id)
    # the template the page had chosen, left as it was, is the one of the contact chosen now: another contact,
    # who never had the quote, gets the first sending ("Veuillez trouver notre devis"), not "Nous revenons vers vous".
    # For the contact the page worked it out for, it stays what the page showed: worked out again, the same form
    # posted twice (a double click) turned its first sending into a reminder, a second email
    if form.get("template_for") == contact_id and form.get("template_default") in ctx["templates"]:
        contacts_default = form["template_default"]
    else:
        contacts_default = ctx["info"]["template"]
    template = form.get("template", "")
    if template == form.get("template_default") or template not in ctx["templates"]:
        template = contacts_default
    values = {"contact_id": contact_id, "template": template, "template_default": contacts_default,
              "template_for": contact_id,
              "subject": form.get("subject", "").strip(), "subject_default": form.get("subject_default", ""),
              "message": form.get("message", "").strip(), "attach_pdf": form.get("attach_pdf") == "1",
              "request_signature": form.get("request_signature") == "1"}
    if form.get("action") == "preview":  # "Update the preview": the form again, nothing sent
        return _render(ctx, values)
    # an untouched subject is the template's own: left to notify (it renders it when the email leaves)
    subject = values["subject"] if values["subject"] != values["subject_default"] else None
    body = {"contact_id": values["contact_id"] or None, "template": values["template"],
            "subject": subject or None, "message": values["message"], "attach_pdf": values["attach_pdf"]}
    if ctx["info"].get("request_signature_default"):  # the box is offered only when e-signature is enabled
        body["request_signature"] = values["request_signature"]
    try:
        sent = api.post(f"/quotes/{contract_id}/send", body)
    except ApiError as exc:
        if exc.status not in FORM_ERRORS:
            raise
        errors = exc.field_errors
        return _render(ctx, values, errors, None if errors else api_messages.translate(exc.detail), status=422)
    done = (_("The reminder was sent to %(to)s.", to=sent["to"]) if sent.get("template") == "quote_reminder"
            else _("The quote was sent to %(to)s.", to=sent["to"]))
    signature = sent.get("signature") or {}
    if signature.get("requested"):
        done += " " + _("The customer can sign it electronically from the link.")
    elif values["request_signature"] and signature.get("available") is False:  # portal's words are English
        flash(_("The quote was sent without the electronic signature: the signature service is unavailable for "
                "now. Send it again with the signature in a few minutes."), "err")
    elif values["request_signature"] and signature.get("reason"):
        flash(_("The electronic signature could not be requested: %(reason)s",
                reason=api_messages.translate(signature["reason"])), "err")
    flash(done, "success")
    # the page's top: the notice saying who got it and the banner of what the quote now awaits (the email is
    # in the history too, at the page's bottom, where landing hid both)
    return redirect(url_for("contracts.show", contract_id=contract_id))
