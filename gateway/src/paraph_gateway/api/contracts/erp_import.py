"""The one-way import of the ERP's customers and sales history (orders and invoices with their lines).

Each route takes up to 500 rows a call (``paraph-contracts-import`` sends a file in batches) and answers
what it did row by row: a refused row is reported with its position and the reason per field, and does
not stop the others. Rows are upserts keyed by the ERP (the customer code; the document's kind and
number), so sending the same rows again changes nothing. API keys need ``customers:write`` for the
customers and ``contracts:write`` for the sales history (the routes' tags, see api_keys.AREAS)."""
from __future__ import annotations

from paraph_platform.actor import STAFF_ROLES

from ...routing import forward
from .common import bp

ROWS_MAX = 500


forward(bp, "POST", "/erp/customers/import", "contracts.import_customers", roles=STAFF_ROLES, tags=["customers"], timeout=120,
        doc="""Import customers from the ERP, keyed by their code, with their contacts.

    A new code creates the customer (with the caller's perimeters), a known one gets the fields given;
    contacts are matched by email, else by first and last name, and created or updated, never deleted.""")

forward(bp, "POST", "/erp/sales/import", "contracts.import_sales", roles=STAFF_ROLES, tags=["contracts"], timeout=120,
        doc="""Import the ERP's sales history: orders and invoices with their lines, keyed by kind and number.

    Each goes to the customer of its ERP code and keeps the ERP's number; the lines of a confirmed or delivered
    order, an issued or paid invoice are recorded in the customer's equipment base (once).""")
