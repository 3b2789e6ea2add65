"""notify's public contract: events it publishes, RPC methods, and what it consumes
(see paraph_platform.contract)."""
from marshmallow import Schema, fields

from paraph_platform.contract import ListOf, Rpc
from paraph_platform.numbers import Integer
from paraph_platform.pagination import PageResult

from . import schemas


class WebhookEndpointDisabledV1(Schema):
    webhook_id = fields.String(required=True)
    url = fields.String(required=True)
    reason = fields.String(required=True)
    disabled_at = fields.String(required=True)
    failing_since = fields.String(required=True, allow_none=True)
    last_error = fields.String(required=True, allow_none=True)
    consecutive_failures = Integer(required=True)


EVENTS = {"webhook.endpoint_disabled.v1": WebhookEndpointDisabledV1}
INTERNAL_EVENTS: set = set()


class NotificationPage(PageResult):
    items = fields.List(fields.Nested(schemas.NotificationView), required=True)


class DeliveryPage(PageResult):
    items = fields.List(fields.Nested(schemas.DeliveryView), required=True)


RPC = {
    "list_templates": Rpc(result=ListOf(schemas.TemplateView), args=("actor",)),
    "get_template": Rpc(result=schemas.TemplateView, args=("actor", "name", "locale")),
    "put_template": Rpc(schemas.TemplateIn, schemas.TemplateView, args=("actor", "name", "locale")),
    "reset_template": Rpc(result=schemas.TemplateView, args=("actor", "name", "locale")),
    "preview_template": Rpc(schemas.PreviewIn, schemas.RenderedView, args=("actor", "name", "locale")),
    "list_notifications": Rpc(schemas.NotificationQuery, NotificationPage, args=("actor",)),
    "get_notification": Rpc(result=schemas.NotificationView, args=("actor", "notification_id")),
    "webhook_event_types": Rpc(result=schemas.EventTypesView, args=("actor",)),
    "create_webhook": Rpc(schemas.WebhookIn, schemas.WebhookWithSecretView, args=("actor",)),
    "list_webhooks": Rpc(result=ListOf(schemas.WebhookView), args=("actor",)),
    "get_webhook": Rpc(result=schemas.WebhookView, args=("actor", "webhook_id")),
    "update_webhook": Rpc(schemas.WebhookPatch, schemas.WebhookView, args=("actor", "webhook_id")),
    "delete_webhook": Rpc(args=("actor", "webhook_id")),
    "rotate_webhook_secret": Rpc(schemas.RotateIn, schemas.WebhookWithSecretView, args=("actor", "webhook_id")),
    "list_webhook_deliveries": Rpc(schemas.DeliveryQuery, DeliveryPage, args=("actor", "webhook_id")),
    "get_webhook_delivery": Rpc(result=schemas.DeliveryView, args=("actor", "webhook_id", "delivery_id")),
    "replay_webhook_delivery": Rpc(result=schemas.DeliveryView, args=("actor", "webhook_id", "delivery_id")),
    "send_test_webhook": Rpc(result=schemas.DeliveryView, args=("actor", "webhook_id")),
    "replay_webhook_deliveries": Rpc(schemas.ReplayIn, schemas.ReplayResult, args=("actor", "webhook_id")),
}

# fields read from each consumed event's `data` (to_name, user_id, attachments[{kind,id,filename}], reply_to
# and customer_id of notification.requested.v1 are optional and read when present). A notification request
# published by contracts (none today) is read from the contracts "#" queue with the same fields.
_REQUEST = ["channel", "to", "locale", "template", "dedupe_key", "vars"]
# owner events: also read when present (optional): title, contact_name, contact_email, shared_by, shared_by_name,
# customer_id (the delivery log's scope)
_OWNER = ["contract_id", "owner_id"]
CONSUMES_EVENTS = {
    ("identity", "notification.requested.v1"): _REQUEST,
    ("signing", "notification.requested.v1"): _REQUEST,
    ("portal", "notification.requested.v1"): _REQUEST,
    ("portal", "quote.viewed.v1"): _OWNER + ["number", "at"],
    ("portal", "quote.downloaded.v1"): _OWNER + ["number", "at"],
    ("portal", "quote.feedback_sent.v1"): _OWNER + ["number", "message"],
    ("portal", "contract.shared.v1"): _OWNER + ["number"],
    ("signing", "signature.completed.v1"): _OWNER + ["request_id", "signers", "completed_at"],
    ("contracts", "customer.self_updated.v1"): ["owner_id", "customer_id", "customer_name", "contact_name", "target",
                                                "changes"],
    ("notify", "webhook.endpoint_disabled.v1"): ["webhook_id", "url", "reason", "disabled_at", "last_error"],
    # the replica of the licenses' time zones their messages write times in (settings: time_zone, default_locale)
    ("identity", "license.updated.v1"): ["license_id", "settings", "version"],
    # the customer scope replica the delivery log is filtered on
    ("perimeter", "perimeter.assignments_changed.v1"): ["license_id", "subject_type", "subject_id", "perimeter_ids",
                                                        "version"],
}
# webhooks: every event of these producers is consumed as an opaque envelope (queue bound with "#");
# only the envelope's id, type and license_id are read
CONSUMES_ALL_EVENTS_OF = ("identity", "perimeter", "contracts", "signing", "portal", "notify")
CONSUMES_RPC = {
    # a map {user_id: member}; notify reads email, name, phone, locale, status and preferences of each member
    ("identity", "resolve_users"): [],
    ("identity", "license_settings"): ["name"],
    ("identity", "list_users"): ["items"],
    # attachments: a base64 string, or a dict with content_b64 (or content) and optional filename/content_type
    ("contracts", "get_pdf"): [],
    ("signing", "get_signed_pdf"): [],
    ("signing", "get_proof"): [],
    # the delivery log: the front user manager's list filter (cached per user by paraph_platform.filter_cache
    # and checked against its version), and a customer's perimeters read on demand
    ("perimeter", "compile_filter"): ["where", "version"],
    ("perimeter", "filter_version"): ["version"],
    ("perimeter", "get_assignments"): ["perimeter_ids", "version"],
}
