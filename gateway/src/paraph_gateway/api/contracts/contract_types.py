"""Contract types: the document models (HTML template and merge fields) contracts and quotes are made from."""
from __future__ import annotations

from marshmallow import Schema, fields

from paraph_platform.actor import ADMINS, STAFF_ROLES

from ...downloads import InlineQuery, file_response
from ...routing import call, forward, route
from ...service_results import service_params, service_result
from .common import bp


class ArchivedQuery(Schema):
    """The list of contract types, with the archived ones or not (contracts.list_contract_types takes the choice
    as an argument, not a payload)."""
    archived = fields.Boolean(load_default=False, metadata={"description": "`true`: the archived types too"})


@route(bp, "/contract-types", ["GET"], query=ArchivedQuery, response=service_result("contracts", "list_contract_types"),
       roles=STAFF_ROLES, tags=["contract types"])
def list_contract_types(actor, query):
    """Contract types (models) visible to you.

    The whole list, not paginated: a license's document models are a settings list, bounded by design."""
    return call("contracts", "list_contract_types", actor, query["archived"])


# writing a type (and its template's images, assets in attachments.py) is a license admin's alone: why, in
# contracts_service/contract_types.py (TYPE_AUTHORS); front user managers read and use the types of their perimeters
forward(bp, "POST", "/contract-types", "contracts.create_contract_type", roles=ADMINS, status=201,
        tags=["contract types"], doc="Create a contract type with its HTML template and merge fields.")


@route(bp, "/contract-types/template-variables", ["GET"], query=service_params("contracts", "template_variables"),
       response=service_result("contracts", "template_variables"), roles=STAFF_ROLES, tags=["contract types"])
def template_variables(actor, query):
    """Every variable a contract type's template may use, with its type and an example (for template authors).

    Templates are sandboxed Jinja2: `{{ customer.name }}`, `{% for line in lines %}{{ line.amount }}{% endfor %}`;
    every custom column of the license is `{{ custom.<key> }}` (empty on a document without a value for it).
    A template that uses anything else is refused when saved, with a 422 naming the line and the variable
    ("line 12: 'customer.nmae' is undefined"; of a key no custom column has, the keys there are)."""
    return call("contracts", "template_variables", actor, query)


forward(bp, "GET", "/contract-types/<type_id>", "contracts.get_contract_type", roles=STAFF_ROLES, tags=["contract types"],
        doc="A contract type with its template.")

forward(bp, "PATCH", "/contract-types/<type_id>", "contracts.update_contract_type", roles=ADMINS,
        tags=["contract types"], doc="Edit a contract type (the template is checked before it is saved).")

@route(bp, "/contract-types/<type_id>/preview.pdf", ["POST"], body=service_params("contracts", "preview_contract_type_pdf"),
       query=InlineQuery, roles=ADMINS, tags=["contract types"], responses={200: "application/pdf: the sample document"})
def preview_contract_type_pdf(actor, type_id, body, query):
    """The contract type's PDF on sample data, to see a template before any document uses it.

    The template sent in `template_html` (as typed in an editor: nothing is saved), or the saved one when it is
    left out (empty: Paraph's default template), rendered as the type's documents are (same sandbox: data: URLs
    and the license's own assets only) with the license's company profile, a sample customer, contact and lines
    at two VAT rates, the type's merge fields and the license's custom columns with sample values, and you as its
    salesperson (`owner`: your name and email, as the documents you make name you). A template
    that saving would refuse is refused with the same 422 (`errors.template_html`: its line and variable, or
    the URL it may not fetch)."""
    return file_response(call("contracts", "preview_contract_type_pdf", actor, type_id, body, timeout=60),
                         inline=query["inline"])


forward(bp, "PUT", "/contract-types/<type_id>/perimeters", "contracts.set_contract_type_perimeters", roles=ADMINS,
        tags=["contract types"], doc="Set the perimeters of a contract type (none = available to everyone).")
