"""notification.requested.v1: how a service asks notify to send an email or an SMS, declared once.

identity (invitations, password resets), signing (signing links, one-time codes, completion notices) and
portal (quote emails, shared contracts, a customer's feedback) publish it; notify loads every one of them
with this schema (``notify_service.notifications``). Each producer's ``contract.py`` declares its event as
a subclass that names the templates it asks for, the one thing that differs between them; notify's own
subclass checks the name against the templates it has.

Internal: it carries secret links and one-time codes, so it is never delivered to webhooks.
"""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

CHANNELS = ("email", "sms")
ATTACHMENT_KINDS = ("contract_pdf", "signed_pdf", "proof")


class Attachment(Schema):
    """A document notify attaches to the email, fetched from the service that keeps it."""
    class Meta:
        unknown = EXCLUDE
    kind = fields.String(required=True, validate=validate.OneOf(ATTACHMENT_KINDS))
    id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    filename = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class NotificationRequestedV1(Schema):
    """Internal: asks the notify service to send a message (carries secret links and codes; never webhooked)."""
    class Meta:
        unknown = EXCLUDE  # within v1 a producer may add fields: notify ignores the ones it does not know

    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    to = fields.String(required=True, validate=validate.Length(min=3, max=320),
                       metadata={"description": "an email address, or a phone number for an SMS"})
    to_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    locale = fields.String(required=True, allow_none=True, metadata={"description": "null: French"})
    template = fields.String(required=True)
    user_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64),
                            metadata={"description": "the recipient's user, when they have one"})
    dedupe_key = fields.String(required=True, validate=validate.Length(min=1, max=300),
                               metadata={"description": "a request published again with the same key is "
                                                        "sent once"})
    vars = fields.Dict(keys=fields.String(), required=True, metadata={"description": "the template's variables"})
    attachments = fields.List(fields.Nested(Attachment), load_default=list, validate=validate.Length(max=10))
    reply_to = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=320),
                             metadata={"description": "who answers reach: the salesperson of a quote email, the "
                                                      "contact of a feedback, a signing request's sender"})
    customer_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=36),
                                metadata={"description": "the customer the message is about: who may read it in "
                                                         "the delivery log"})
    subject = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500),
                            metadata={"description": "replaces the template's subject (plain text, not a template: "
                                                     "a salesperson's own wording of an email sent by hand)"})


def templates(*names: str) -> fields.String:
    """The ``template`` field of a producer's request: the templates it asks notify for."""
    return fields.String(required=True, validate=validate.OneOf(names))
