"""Schemas of a bulk send: one document (or one contract type) sent to many recipients."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from paraph_platform.numbers import Integer
from paraph_platform.pagination import PageParams, PageResult

from . import ID, DocumentIn, RequestIn, _In

MAX_BULK_ROWS = 1000  # recipients of one bulk send (documented in the API; more is a 422)
MAX_BULK_CSV_CHARS = 2 * 1024 * 1024


class RecipientIn(_In):
    """A bulk send's row; its problems (a bad email, no name) do not refuse the job: the row is reported as
    failed (bulk_sends.row_problem)."""
    name = fields.String(metadata={"description": "the signer's name"})
    email = fields.String(metadata={"description": "where the signing link goes"})
    phone = fields.String(allow_none=True, metadata={"description": "a bad one is reported as the row's error"})
    locale = fields.String(allow_none=True, metadata={"description": "fr or en (default: the job's)"})
    customer_id = fields.String(validate=ID, metadata={"description": "with a contract type: whose contract"})


class BulkSendIn(RequestIn):
    """One document (or one contract type) sent to many recipients, each getting a request of their own:
    the options of a request, the recipients as a JSON list or as CSV text (header: name, email, optional
    phone, locale and, with a contract type, customer_id; `,` or `;` separated)."""
    class Meta:
        exclude = ("contract_id", "signers", "send_invitations", "documents")

    title = fields.String(required=True, validate=validate.Length(min=1, max=300),
                          metadata={"description": "the document's title, or each contract's"})
    document = fields.Nested(DocumentIn, load_default=None, allow_none=True,
                             metadata={"description": "the PDF sent to every recipient"})
    contract_type_id = fields.String(load_default=None, allow_none=True, validate=ID,
                                     metadata={"description": "instead of a document: each row's customer_id gets a "
                                                              "contract of this type, sent to the row's recipient "
                                                              "for signature"})
    recipients = fields.List(fields.Nested(RecipientIn), load_default=None, allow_none=True,
                             validate=validate.Length(max=MAX_BULK_ROWS),
                             metadata={"description": f"at most {MAX_BULK_ROWS} rows"})
    csv = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_BULK_CSV_CHARS),
                        metadata={"description": f"instead of recipients: CSV text, a header line naming the columns "
                                                 f"name, email (phone, locale, customer_id optional), `,` or `;` "
                                                 f"separated; at most {MAX_BULK_ROWS} rows"})

    @validates_schema
    def _one_source(self, data, **_):
        if (data.get("document") is None) == (data.get("contract_type_id") is None):
            raise ValidationError("give a document or a contract_type_id (one of them)", "document")
        if (data.get("recipients") is None) == (data.get("csv") is None):
            raise ValidationError("give recipients or csv (one of them)", "recipients")


class BulkRowOut(Schema):
    request_id = fields.String(required=True)


class BulkSendError(Schema):
    row = Integer(required=True, metadata={"description": "1-based (the CSV's header not counted)"})
    email = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True, metadata={
        "enum": ["missing_name", "name_too_long", "missing_email", "bad_email", "bad_phone", "bad_locale",
                 "missing_customer", "refused"],
        "description": "refused: the row was valid but its request was not created (message says why)"})
    message = fields.String(required=True)


class BulkSendCreated(Schema):
    row = Integer(required=True)
    email = fields.String(required=True)
    request_id = fields.String(required=True)


class BulkSendOut(Schema):
    id = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["queued", "running", "completed", "cancelled"]})
    kind = fields.String(required=True, metadata={"enum": ["document", "contract_type"]})
    title = fields.String(required=True, allow_none=True)
    contract_type_id = fields.String(required=True, allow_none=True)
    document_filename = fields.String(required=True, allow_none=True)
    total = Integer(required=True, metadata={"description": "rows"})
    created = Integer(required=True, metadata={"description": "requests created so far"})
    failed = Integer(required=True, metadata={"description": "rows refused so far"})
    errors = fields.List(fields.Nested(BulkSendError), required=True)
    request_ids = fields.List(fields.String(), required=True, metadata={"description": "in the rows' order"})
    requests = fields.List(fields.Nested(BulkSendCreated), required=True,
                           metadata={"description": "the requests created, with their rows and recipients"})
    created_by = fields.String(required=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    finished_at = fields.String(required=True, allow_none=True)


class BulkSendListIn(_In, PageParams):
    """A page of bulk sends, newest first (``cursor`` for the next one)."""


class BulkSendList(PageResult):
    items = fields.List(fields.Nested(BulkSendOut), required=True, metadata={"description": "newest first"})
