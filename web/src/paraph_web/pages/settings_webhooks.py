"""``/settings/webhooks`` (the link of the "webhook disabled" email): the license's endpoints, adding one
(its signing secret shown once), a test delivery, the delivery log with replays, re-enabling, deleting."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import api
from ..api import ApiError
from ..api_messages import translate
from ..auth import admin_only
from . import paging
from .forms import refusal_said
from .settings import render_section

bp = Blueprint("settings_webhooks", __name__)
SECTION = "webhooks"
DELIVERY_STATUSES = ("pending", "sending", "succeeded", "failed")
# the services producing the events, as the areas an admin knows
AREAS = {"identity": _l("Users and license"), "perimeter": _l("Perimeters"), "contracts": _l("Customers and contracts"),
         "signing": _l("Signatures"), "portal": _l("Customer portal"), "notify": _l("Webhooks")}


def _event_groups() -> dict[str, list[dict]]:
    """The public event types by producing area (identity, contracts, signing...), for the checkboxes."""
    groups: dict[str, list[dict]] = {}
    for event in api.get("/webhooks/event-types")["event_types"]:
        # the API describes each type in English, for integrators; the page in its own language
        event = {**event, "description": translate(event["description"])}
        groups.setdefault(AREAS.get(event["source"], event["source"]), []).append(event)
    return groups


def _form(errors=None, message=None, status=200):
    return render_section("settings/webhook_new.html", SECTION, status, groups=_event_groups(),
                          errors=errors or {}, message=message, values=request.form)


@bp.get("/settings/webhooks")
@admin_only
def index():
    return render_section("settings/webhooks.html", SECTION, hooks=api.get("/webhooks"))


@bp.get("/settings/webhooks/new")
@admin_only
def new():
    return _form()


@bp.post("/settings/webhooks")
@admin_only
def create():
    body = {"url": request.form.get("url", "").strip(), "description": request.form.get("description", "").strip(),
            "event_types": request.form.getlist("event_types")}
    try:
        hook = api.post("/webhooks", body)
    except ApiError as exc:
        if exc.status != 422:
            raise
        errors = exc.field_errors
        if "event_types" in errors and not body["event_types"]:  # the API says "Length must be between 1 and 100"
            errors["event_types"] = _("Choose at least one event.")
        return _form(errors, None if errors else exc.detail, 422)
    # the secret is in this answer only: shown here once, never stored by the web app
    return render_section("settings/webhook.html", SECTION, hook=hook, secret=hook["secret"], deliveries=None,
                          statuses=DELIVERY_STATUSES, status_filter=None)


@bp.get("/settings/webhooks/<webhook_id>")
@admin_only
def show(webhook_id: str):
    status = request.args.get("status") or None
    if status not in (None, *DELIVERY_STATUSES):
        abort(404)
    hook = api.get(f"/webhooks/{webhook_id}")
    deliveries = api.get(f"/webhooks/{webhook_id}/deliveries", status=status, limit=50, **paging.position())
    next_url, previous_url = paging.links(deliveries)
    return render_section("settings/webhook.html", SECTION, hook=hook, secret=None, deliveries=deliveries,
                          statuses=DELIVERY_STATUSES, status_filter=status, next_url=next_url,
                          previous_url=previous_url)


def _action(webhook_id: str, do, done: str):
    """A button on the webhook's page: the API call, then the page again with what happened (a refusal
    such as "disabled" shown as a message rather than an error page)."""
    try:
        do()
        flash(done, "success")
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        flash(exc.detail, "err")
    return redirect(url_for("settings_webhooks.show", webhook_id=webhook_id))


@bp.post("/settings/webhooks/<webhook_id>/test")
@admin_only
def send_test(webhook_id: str):
    return _action(webhook_id, lambda: api.post(f"/webhooks/{webhook_id}/test"),
                   _("A test delivery is on its way; its result appears below."))


@bp.post("/settings/webhooks/<webhook_id>/enable")
@admin_only
def enable(webhook_id: str):
    return _action(webhook_id, lambda: api.patch(f"/webhooks/{webhook_id}", {"enabled": True}),
                   _("The webhook is active again."))


@bp.post("/settings/webhooks/<webhook_id>/disable")
@admin_only
def disable(webhook_id: str):
    return _action(webhook_id, lambda: api.patch(f"/webhooks/{webhook_id}", {"enabled": False}),
                   _("The webhook is disabled: no more deliveries until you enable it."))


@bp.post("/settings/webhooks/<webhook_id>/deliveries/<delivery_id>/replay")
@admin_only
def replay(webhook_id: str, delivery_id: str):
    return _action(webhook_id, lambda: api.post(f"/webhooks/{webhook_id}/deliveries/{delivery_id}/replay"),
                   _("The delivery is sent again (same event, same Webhook-Id)."))


@bp.post("/settings/webhooks/<webhook_id>/delete")
@admin_only
@refusal_said(back=lambda webhook_id: redirect(url_for("settings_webhooks.index")))
def delete(webhook_id: str):
    hook = api.get(f"/webhooks/{webhook_id}")
    api.delete(f"/webhooks/{webhook_id}")
    flash(_("The webhook %(url)s is deleted.", url=hook["url"]), "success")
    return redirect(url_for("settings_webhooks.index"))
