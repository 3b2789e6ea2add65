"""Bulk send: one uploaded document (or one contract type) sent to many recipients, each getting a
signature request of their own. The job is stored and answered at once (202); the signing service sends
its rows in the background, a few at a time, and the job's page shows the progress and the rows refused."""
from __future__ import annotations

import base64

from flask import Blueprint, jsonify, request, url_for

from paraph_platform.actor import STAFF_ROLES

from ..routing import FormBody, call, forward, route
from ..service_results import service_params, service_result
from .signing import UPLOAD_TIMEOUT, form_payload

bp = Blueprint("signing_bulk", __name__)

BULK_SEND = service_params("signing", "create_bulk_send")


def bulk_send_from_form() -> dict:
    """A multipart upload as the JSON body's object: the file part `document` (base64), the recipients as a
    file part (or field) `csv`, the other fields as :func:`.signing.form_payload` reads them."""
    payload = form_payload(BULK_SEND, ())
    document = request.files.get("document")
    if document is not None and document.filename:
        payload["document"] = {"filename": document.filename,
                               "content_base64": base64.b64encode(document.read()).decode()}
    rows = request.files.get("csv")
    if rows is not None and rows.filename:
        payload["csv"] = rows.read().decode("utf-8-sig", "replace")
    return payload


BULK_SEND_FORM = FormBody(parse=bulk_send_from_form, schema={
    "schema": {"type": "object", "properties": {
        "document": {"type": "string", "format": "binary", "description": "the PDF sent to every recipient"},
        "csv": {"type": "string", "format": "binary", "description": "the recipients (name, email, phone)"},
        "request": {"type": "string", "contentMediaType": "application/json",
                    "description": "the JSON body's object without `document` and `csv` (title, message...)"},
        "title": {"type": "string", "description": "plain fields override `request`'s"},
        "message": {"type": "string"},
    }},
    "encoding": {"request": {"contentType": "application/json"}},
})


@route(bp, "/signature-requests/bulk", ["POST"], body=BULK_SEND,
       response=service_result("signing", "create_bulk_send"), roles=STAFF_ROLES, status=202,
       tags=["e-signature"], form=BULK_SEND_FORM)
def create_bulk_send(actor, body):
    """Send one document (or a contract type) to up to 1,000 recipients, each getting a request of their own:
    the job is stored and answered at once (202, its URL in Location); the requests are created in the
    background, a few at a time. A bad document, a CSV without an email column or more than 1,000 rows is a 422
    at once; a row with a bad email or no name is reported in the job's errors and the other rows still go.
    Send the same Idempotency-Key again to get the same job."""
    job = call("signing", "create_bulk_send", actor, body, timeout=UPLOAD_TIMEOUT)
    resp = jsonify(job)
    resp.status_code = 202
    if job.get("id"):  # the job's URL (always there: a job has an id; a stand-in service's answer may not)
        resp.headers["Location"] = url_for(".get_bulk_send", bulk_send_id=job["id"])
    return resp


forward(bp, "GET", "/signature-requests/bulk", "signing.list_bulk_sends",
        query=service_params("signing", "list_bulk_sends"), roles=STAFF_ROLES, tags=["e-signature"],
        doc="The license's bulk sends, newest first (a user sees their own; managers every one).")

forward(bp, "GET", "/signature-requests/bulk/<bulk_send_id>", "signing.get_bulk_send", roles=STAFF_ROLES,
        tags=["e-signature"],
        doc="A bulk send and its progress: requests created, rows refused (row, email, why), request ids.")

forward(bp, "POST", "/signature-requests/bulk/<bulk_send_id>/cancel", "signing.cancel_bulk_send", roles=STAFF_ROLES,
        tags=["e-signature"],
        doc="""Stop a bulk send: the rows not started yet are not sent (the requests already created stay; cancel
    them one by one if needed). 409 once completed.""")
