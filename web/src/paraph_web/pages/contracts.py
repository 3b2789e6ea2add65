"""``/contracts/<id>``: the contract page the emails link to ("document signé", "devis consulté"): its
header (number, customer, status, totals; its follow-up details, changed at any status: owner, deal, flags,
custom columns, pages/contract_details.py), the signature banner (signers, date, the signed PDF and the
proof), a sent quote's customer activity (which contact viewed or downloaded it online and when, their
feedback in full), the lines with their totals by tax rate, the documents, the milestones, the history
(online views and downloads, emails, status changes) and the PDF preview; actions: duplicate, convert a
quote into an order or an invoice, change the status by hand (the moves the API allows the user now). The
files are streamed from the API through this app (same origin, the session's token never reaches the
browser)."""
from __future__ import annotations

from flask import Blueprint, Response, flash, g, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _

from .. import api
from ..api import ApiError
from ..api_messages import translate
from ..auth import signed_in
from . import contract_details, documents, quote_actions, sending
from .forms import refusal_said
from .signature_center import SIGNABLE_KINDS, SIGNABLE_STATUSES

bp = Blueprint("contracts", __name__)

SIGNED_STATUSES = ("signed", "accepted", "validated")
QUOTE_SENDABLE = ("draft", "sent")  # a quote sent by email (pages/sending.py), then reminded
CONVERT_TARGETS = ("order", "invoice")
# a quote the API refuses to convert into an order or an invoice (contracts_service/contracts.py: convert)
NOT_CONVERTIBLE = ("draft", "refused", "abandoned")
SIGNATURE_MOVES = {"quote": "accepted", "contract": "signed"}  # what a completed e-signature request does by itself
# the forward moves that are the sale's next step at their status, a header's button, not one of the exceptions
# folded under "Change the status manually": a manager's validation of an accepted quote or a signed contract (the
# API offers it to managers only), an order's confirmation then delivery, an invoice's issue then payment (at most
# one is allowed at a time: each kind's lifecycle)
NEXT_STEP_MOVES = ("validated", "confirmed", "delivered", "issued", "paid")
FILE_CHUNK = 64 * 1024


@bp.get("/contracts/<contract_id>")
@signed_in
def show(contract_id: str):
    return render_page(contract_id)


def render_page(contract_id: str, errors: dict | None = None, values: dict | None = None,
                messages: dict | None = None, status: int = 200):
    """The page; after a refused form of its work sections (pages/quote_actions.py) or of its details
    (pages/contract_details.py), with that form's ``errors``, ``values`` and ``messages`` (each keyed by the form's
    name: task, document, equipment, details, or attachment-<id> for a document's "Edit" form)."""
    contract = api.get(f"/contracts/{contract_id}")
    history = api.get(f"/contracts/{contract_id}/history")
    converted = any(entry.get("action") == "converted" for entry in history)
    order_offered = order_is_next(contract, converted)
    activity = sending.quote_activity(contract)  # a quote's emails and its customer's activity
    g.frame_src_self = True  # the PDF preview below is a frame of this app's own /pdf route
    return render_template("contracts/show.html", contract=contract,
                           history=list(reversed(sending.history_beside(activity, history))),
                           signed=contract.get("status") in SIGNED_STATUSES,
                           nav=documents.nav_section(contract.get("kind")),
                           work=quote_actions.context(contract), work_errors=errors or {},
                           work_values=values or {}, work_messages=messages or {},
                           emails=sending.emails_sent(activity), customer_events=sending.customer_events(activity),
                           unanswered_feedback=sending.feedback_since_last_email(activity),
                           activity_unknown=sending.activity_unknown(contract, activity),
                           details=contract_details.context(contract, (values or {}).get(contract_details.FORM)),
                           moves=status_moves(contract), next_move=next_step_move(contract),
                           order_offered=order_offered,
                           primary=primary_action(contract, order_offered, converted),
                           sendable=sendable_by_email(contract, converted),
                           signature_offered=signature_offered(contract, converted),
                           convertible=convertible(contract)), status


def sendable_by_email(contract: dict, converted: bool = False) -> bool:
    """A quote sent by email (pages/sending.py), then reminded, until the customer answers; not once an order or an
    invoice was made from it (``converted``): the customer ordered, a reminder would ask again."""
    return contract.get("kind") == "quote" and contract.get("status") in QUOTE_SENDABLE and not converted


def signature_offered(contract: dict, converted: bool = False) -> bool:
    """"Approval & signature" in the header: a quote or contract that may still be sent for signature (a draft or a
    sent one: the signature center's SIGNABLE_STATUSES; not a quote converted already), or whose request is under
    way (followed, reminded, cancelled there). An accepted, signed, validated, refused or abandoned one is not sent for signature:
    its signature, when electronic, is in the banner (the signed PDF, the proof)."""
    if contract.get("kind") not in SIGNABLE_KINDS:
        return False
    return bool(contract.get("signature_pending")) or (contract.get("status") in SIGNABLE_STATUSES and not converted)


def convertible(contract: dict) -> bool:
    """A quote the API converts into an order or an invoice: not a draft (never sent), nor a refused or abandoned
    one (duplicate it to sell again)."""
    return contract.get("kind") == "quote" and contract.get("status") not in NOT_CONVERTIBLE


def next_step_move(contract: dict) -> dict | None:
    """The status move the header offers as the sale's next step (``NEXT_STEP_MOVES``) if the API allows the user
    one now: its status and its words."""
    allowed = contract.get("allowed_statuses") or ()
    status = next((status for status in NEXT_STEP_MOVES if status in allowed), None)
    return {"status": status, "label": move_words(contract)[status][0]} if status else None


def order_is_next(contract: dict, converted: bool) -> bool:
    """An accepted (or validated) quote no order nor invoice was made from yet (``converted``: a "converted" in its
    history; the API's ``converted`` list filter reads the same fact): making its order is the salesperson's next
    step."""
    return contract.get("kind") == "quote" and contract.get("status") in SIGNED_STATUSES and not converted


def primary_action(contract: dict, order_offered: bool = False, converted: bool = False) -> str:
    """The id of the header's one filled button: the sale's next step at the document's status (a manager's
    validation of an accepted quote or a signed contract, an order's confirmation then delivery, an invoice's issue
    then payment; the order of an accepted quote (``order_offered``); send a draft quote, remind about a sent one;
    have a draft contract approved and signed), then its signed copy; else its PDF."""
    kind, status = contract.get("kind"), contract.get("status")
    move = next_step_move(contract)
    if move:
        return f"status-{move['status']}"
    if order_offered:
        return "convert-order"
    if sendable_by_email(contract, converted):
        return "send-by-email"
    if kind == "contract" and status == "draft":
        return "signature-center"
    if status in SIGNED_STATUSES and contract.get("signature_request_id"):
        return "download-signed-pdf"
    return "download-pdf"


def status_moves(contract: dict) -> list[dict]:
    """The status changes the user may make now (the API's ``allowed_statuses``: the document's lifecycle and
    the user's role), as buttons in the user's words, the forward moves first; the destructive ones carry the
    question they ask once, naming the document. Sending has its own pages (by email, for signature): not
    offered here, nor the sale's next step (the header's button, ``next_step_move``)."""
    allowed = set(contract.get("allowed_statuses") or ()) - set(NEXT_STEP_MOVES)
    # while an e-signature is under way, accepted or signed by hand would say so before the signers have signed
    # (its completion does it, and the API refuses it): shown, not offered, with the reason
    waits_for_signature = SIGNATURE_MOVES.get(contract.get("kind")) if contract.get("signature_pending") else None
    return [{"status": status, "label": label, "question": question, "confirm": confirm,
             "waits_for_signature": status == waits_for_signature}
            for status, (label, question, confirm) in move_words(contract).items()
            if status in allowed or status == waits_for_signature]


def move_words(contract: dict) -> dict:
    """status -> (its button's words, the question asked once before a destructive move, its confirming button's
    words); no question: done at once."""
    number, invoice = contract.get("number"), contract.get("kind") == "invoice"
    return {
        "validated": (_("Validate"), None, None),
        "accepted": (_("Mark as accepted"), None, None),
        "signed": (_("Mark as signed"), None, None),
        "confirmed": (_("Confirm the order"), None, None),
        "delivered": (_("Mark as delivered"), None, None),
        "issued": (_("Issue the invoice"), None, None),
        "paid": (_("Mark as paid"), None, None),
        "draft": (_("Back to draft"), None, None),
        "refused": (_("Mark as refused"), _("Mark %(number)s as refused?", number=number),
                    _("Yes, mark as refused")),
        "abandoned": (_("Mark as abandoned"), _("Mark %(number)s as abandoned?", number=number),
                      _("Yes, mark as abandoned")),
        "cancelled": (_("Cancel the invoice"), _("Cancel the invoice %(number)s?", number=number),
                      _("Yes, cancel the invoice")) if invoice else
                     (_("Cancel the order"), _("Cancel the order %(number)s?", number=number),
                      _("Yes, cancel the order")),
    }


@bp.post("/contracts/<contract_id>/status/<status>")
@signed_in
@refusal_said(back=lambda contract_id, **_: redirect(url_for("contracts.show", contract_id=contract_id)))
def change_status(contract_id: str, status: str):
    """A status move (a button of ``status_moves``); refused (not allowed now, someone else moved it first, not
    the user's to make), the reason is said on the page."""
    api.post(f"/contracts/{contract_id}/status", {"status": status})
    flash(_("The status is changed."), "success")
    return redirect(url_for("contracts.show", contract_id=contract_id))


def _stream(path: str, json: dict | None = None, **params) -> Response:
    """A file of the API passed on as it arrives, with its type and name (``json``: POSTed for it)."""
    upstream = api.download(path, json, **params)
    resp = Response(stream_with_context(upstream.iter_content(FILE_CHUNK)),
                    mimetype=upstream.headers.get("Content-Type", "application/octet-stream"))
    resp.call_on_close(upstream.close)
    for header in ("Content-Disposition", "Content-Length", "ETag"):
        if header in upstream.headers:
            resp.headers[header] = upstream.headers[header]
    return resp


@bp.get("/contracts/<contract_id>/pdf")
@signed_in
def pdf(contract_id: str):
    inline = request.args.get("inline") == "1"
    if inline:
        g.framable_by_self = True  # the preview frame of the contract page
    return _stream(f"/contracts/{contract_id}/pdf", **({"inline": "1"} if inline else {}))


@bp.get("/contracts/<contract_id>/attachments/<attachment_id>")
@signed_in
def attachment(contract_id: str, attachment_id: str):
    return _stream(f"/attachments/{attachment_id}")


@bp.get("/contracts/<contract_id>/<any(signed, proof):document>.pdf")
@signed_in
def signature_document(contract_id: str, document: str):
    """The signed PDF or the proof of signature of the contract's completed signature request."""
    contract = api.get(f"/contracts/{contract_id}")
    if not contract.get("signature_request_id"):
        raise ApiError(404, {"title": "Not Found", "detail": _("This document has no electronic signature.")})
    return _stream(f"/signature-requests/{contract['signature_request_id']}/{document}.pdf")


def _create_from(contract_id: str, path: str, done: str, body: dict | None = None):
    """Duplicate or convert, then open the new document, saying what it is (``done``, with its ``number``: the
    copy looks like the original); a refusal (a quote not accepted yet...) is said on the contract's page."""
    try:
        created = api.post(path, body)
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        flash(translate(exc.detail), "err")
        return redirect(url_for("contracts.show", contract_id=contract_id))
    flash(done % {"number": created.get("number") or ""}, "success")
    return redirect(url_for("contracts.show", contract_id=created["id"]))


@bp.post("/contracts/<contract_id>/duplicate")
@signed_in
def duplicate(contract_id: str):
    return _create_from(contract_id, f"/contracts/{contract_id}/duplicate",
                        _("This is the copy, %(number)s, a draft: change it, then send it."))


@bp.post("/contracts/<contract_id>/convert")
@signed_in
def convert(contract_id: str):
    target = request.form.get("target", "")
    if target not in CONVERT_TARGETS:
        raise ApiError(400, {"title": "Bad Request", "detail": _("Convert into an order or an invoice.")})
    done = (_("Order %(number)s is created from the quote.") if target == "order"
            else _("Invoice %(number)s is created from the quote."))
    return _create_from(contract_id, f"/contracts/{contract_id}/convert", done, {"target": target})
