"""Contract types: the document models (HTML template and merge fields) contracts and quotes are made from."""
from __future__ import annotations

from flask import request
from marshmallow import Schema, fields, validate

from ...routing import call, route
from ...service_results import service_result
from .common import ADMIN, MANAGERS, STAFF, PerimetersIn, bp

class MergeField(Schema):
    key = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,59}$"))
    label = fields.String(validate=validate.Length(max=120))
    type = fields.String(validate=validate.OneOf(["text", "number", "date", "boolean"]))
    required = fields.Boolean()


class ContractTypeIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(validate=validate.OneOf(["contract", "quote"]))
    description = fields.String(validate=validate.Length(max=5000))
    template_html = fields.String(validate=validate.Length(max=500_000),
                                  metadata={"description": "Jinja2 (sandboxed) HTML; variables: contract, customer, "
                                                           "contact, owner, issuer (the company profile), fields "
                                                           "(merge fields), custom, lines, optional_lines, totals, "
                                                           "labels"})
    merge_fields = fields.List(fields.Nested(MergeField), validate=validate.Length(max=200))
    locale = fields.String(allow_none=True, validate=validate.OneOf(["fr", "en"]))
    attachments_portal_visible = fields.Boolean(allow_none=True)
    abandon_delay_days = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=3650))


class TemplateVariablesQuery(Schema):
    locale = fields.String(load_default="en", validate=validate.OneOf(["fr", "en"]),
                           metadata={"description": "language of the descriptions"})


class ContractTypePatch(ContractTypeIn):
    class Meta:
        exclude = ("kind",)

    name = fields.String(validate=validate.Length(min=1, max=200))
    archived = fields.Boolean()


@route(bp, "/contract-types", ["GET"], response=service_result("contracts", "list_contract_types"), roles=STAFF,
       tags=["contract types"])
def list_contract_types(actor):
    """Contract types (models) visible to you.

    The whole list, not paginated: a license's document models are a settings list, bounded by design."""
    return call("contracts", "list_contract_types", actor, request.args.get("archived") == "true")


@route(bp, "/contract-types", ["POST"], body=ContractTypeIn,
       response=service_result("contracts", "create_contract_type"), roles=MANAGERS, status=201,
       tags=["contract types"])
def create_contract_type(actor, body):
    """Create a contract type with its HTML template and merge fields."""
    return call("contracts", "create_contract_type", actor, body)


@route(bp, "/contract-types/template-variables", ["GET"], query=TemplateVariablesQuery,
       response=service_result("contracts", "template_variables"), roles=STAFF, tags=["contract types"])
def template_variables(actor, query):
    """Every variable a contract type's template may use, with its type and an example (for template authors).

    Templates are sandboxed Jinja2: `{{ customer.name }}`, `{% for line in lines %}{{ line.amount }}{% endfor %}`.
    A template that uses anything else is refused when saved, with a 422 naming the line and the variable
    ("line 12: 'customer.nmae' is undefined")."""
    return call("contracts", "template_variables", actor, query["locale"])


@route(bp, "/contract-types/<type_id>", ["GET"], response=service_result("contracts", "get_contract_type"), roles=STAFF,
       tags=["contract types"])
def get_contract_type(actor, type_id):
    """A contract type with its template."""
    return call("contracts", "get_contract_type", actor, type_id)


@route(bp, "/contract-types/<type_id>", ["PATCH"], body=ContractTypePatch,
       response=service_result("contracts", "update_contract_type"), roles=MANAGERS, tags=["contract types"])
def update_contract_type(actor, type_id, body):
    """Edit a contract type (the template is checked before it is saved)."""
    return call("contracts", "update_contract_type", actor, type_id, body)


@route(bp, "/contract-types/<type_id>/perimeters", ["PUT"], body=PerimetersIn,
       response=service_result("contracts", "set_contract_type_perimeters"), roles=ADMIN, tags=["contract types"])
def set_contract_type_perimeters(actor, type_id, body):
    """Set the perimeters of a contract type (none = available to everyone)."""
    return call("contracts", "set_contract_type_perimeters", actor, type_id, body)
