"""Bulk send: one uploaded document (or one contract type) sent to many recipients, each getting a
signature request of their own. The job is stored and answered at once (202); the signing service sends
its rows in the background, a few at a time, and the job's page shows the progress and the rows refused."""
from __future__ import annotations

import base64

from flask import Blueprint, jsonify, request, url_for
from marshmallow import Schema, fields, validate

from paraph_platform.errors import InvalidInput

from ..routing import FormBody, call, forward, route
from ..service_results import service_result
from .signing import ID, STAFF, UPLOAD_TIMEOUT, DocumentIn, RequestIn, _json_part

bp = Blueprint("signing_bulk", __name__)

MAX_ROWS = 1000  # the signing service's limit (schemas.MAX_BULK_ROWS)
MAX_CSV_CHARS = 2 * 1024 * 1024


class RecipientIn(Schema):
    """A row; its problems (a bad email, no name) do not refuse the job: the row is reported as failed."""
    name = fields.String(metadata={"description": "the signer's name"})
    email = fields.String(metadata={"description": "where the signing link goes"})
    phone = fields.String(allow_none=True, metadata={"description": "a bad one is reported as the row's error"})
    locale = fields.String(allow_none=True, metadata={"description": "fr or en (default: the job's)"})
    customer_id = fields.String(validate=ID, metadata={"description": "with a contract type: whose contract"})


class BulkSendIn(RequestIn):
    """A request's options (message, fields, reminders, expiry, CC...) for every recipient, the document or
    the contract type, and the recipients as a JSON list or as CSV text."""
    class Meta:
        exclude = ("signers", "documents")

    title = fields.String(required=True, validate=validate.Length(min=1, max=300),
                          metadata={"description": "the document's title, or each contract's"})
    document = fields.Nested(DocumentIn, metadata={"description": "the PDF sent to every recipient"})
    contract_type_id = fields.String(validate=ID, metadata={
        "description": "instead of a document: each row's customer_id gets a contract of this type, sent to the "
                       "row's recipient for signature"})
    recipients = fields.List(fields.Nested(RecipientIn), validate=validate.Length(max=MAX_ROWS),
                             metadata={"description": f"at most {MAX_ROWS} rows"})
    csv = fields.String(validate=validate.Length(max=MAX_CSV_CHARS), metadata={
        "description": f"instead of recipients: CSV text, a header line naming the columns name, email (phone, "
                       f"locale, customer_id optional), `,` or `;` separated; at most {MAX_ROWS} rows"})
    # one of document / contract_type_id and one of recipients / csv: the signing service checks it (422)


class BulkListQuery(Schema):
    limit = fields.Integer(validate=validate.Range(min=1, max=100), metadata={"description": "default 50"})


def bulk_send_from_form() -> dict:
    """A multipart upload as the JSON body's object: the file part `document` (base64), the recipients as a
    file part (or field) `csv`, the other fields from the JSON part `request` or plain fields."""
    text = request.files["request"].read().decode("utf-8", "replace") if "request" in request.files \
        else request.form.get("request")
    payload = _json_part("request", text) if text is not None else {}
    if not isinstance(payload, dict):
        raise InvalidInput("The form field `request` must be a JSON object.",
                           {"fields": {"request": ["Not a JSON object."]}})
    declared = BulkSendIn().fields
    for name, value in request.form.items():
        if name != "request" and value != "":
            structured = isinstance(declared.get(name), (fields.List, fields.Nested, fields.Dict))
            payload[name] = _json_part(name, value) if structured else value
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


@route(bp, "/signature-requests/bulk", ["POST"], body=BulkSendIn,
       response=service_result("signing", "create_bulk_send"), roles=STAFF, status=202,
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


forward(bp, "GET", "/signature-requests/bulk", "signing.list_bulk_sends", query=BulkListQuery, roles=STAFF,
        tags=["e-signature"], doc="The license's bulk sends, newest first (a user sees their own; managers every one).")

forward(bp, "GET", "/signature-requests/bulk/<bulk_send_id>", "signing.get_bulk_send", roles=STAFF,
        tags=["e-signature"],
        doc="A bulk send and its progress: requests created, rows refused (row, email, why), request ids.")

forward(bp, "POST", "/signature-requests/bulk/<bulk_send_id>/cancel", "signing.cancel_bulk_send", roles=STAFF,
        tags=["e-signature"],
        doc="""Stop a bulk send: the rows not started yet are not sent (the requests already created stay; cancel
    them one by one if needed). 409 once completed.""")
