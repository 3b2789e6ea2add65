"""The one-way import of the ERP's customers and sales history (orders and invoices with their lines).

Each route takes up to 500 rows a call (``paraph-contracts-import`` sends a file in batches) and answers
what it did row by row: a refused row is reported with its position and the reason per field, and does
not stop the others. Rows are upserts keyed by the ERP (the customer code; the document's kind and
number), so sending the same rows again changes nothing. API keys need ``customers:write`` for the
customers and ``contracts:write`` for the sales history (the routes' tags, see api_keys.AREAS)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...routing import call, route
from ...service_results import service_result
from .common import STAFF, bp

ROWS_MAX = 500


class CustomerRowsIn(Schema):
    rows = fields.List(fields.Dict(), required=True, validate=validate.Length(max=ROWS_MAX), metadata={
        "description": "customers: {code (the ERP's key, required), name (required for a new customer), kind, "
                       "email, phone, address {line1, line2, postal_code, city, region, country}, vat_number, "
                       "locale, currency, notes, contacts: [{last_name (required), first_name, email, phone, "
                       "mobile, fax, title, department, type, branch}]}"})


class SalesRowsIn(Schema):
    rows = fields.List(fields.Dict(), required=True, validate=validate.Length(max=ROWS_MAX), metadata={
        "description": "orders and invoices: {kind (order | invoice), number (the ERP's, unique per kind), "
                       "customer_code, date (YYYY-MM-DD), title, currency, status (default: confirmed order, "
                       "issued invoice), lines: [{description, quantity, unit_price, product_code, unit, "
                       "tax_rate, discount_pct, serial_number}]}"})


@route(bp, "/erp/customers/import", ["POST"], body=CustomerRowsIn,
       response=service_result("contracts", "import_customers"), roles=STAFF, tags=["customers"])
def import_customers(actor, body):
    """Import customers from the ERP, keyed by their code, with their contacts.

    A new code creates the customer (with the caller's perimeters), a known one gets the fields given;
    contacts are matched by email, else by first and last name, and created or updated, never deleted."""
    return call("contracts", "import_customers", actor, body, timeout=120)


@route(bp, "/erp/sales/import", ["POST"], body=SalesRowsIn, response=service_result("contracts", "import_sales"),
       roles=STAFF, tags=["contracts"])
def import_sales(actor, body):
    """Import the ERP's sales history: orders and invoices with their lines, keyed by kind and number.

    Each goes to the customer of its ERP code and keeps the ERP's number; the lines of a confirmed or delivered
    order, an issued or paid invoice are recorded in the customer's equipment base (once)."""
    return call("contracts", "import_sales", actor, body, timeout=120)
