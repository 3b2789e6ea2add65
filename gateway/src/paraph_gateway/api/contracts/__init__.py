"""The contracts service's public API: one blueprint (``contracts``, in common.py) whose routes are written
in one module per aggregate: customers and contacts, deals, contract types, documents (contracts, quotes,
orders, invoices), attachments and assets, milestones, tasks, equipment, settings (custom columns, flags, the company profile), and
the ERP import (customers and sales history).
Importing a module adds its routes to the blueprint; the app discovers this package like any api/ module."""
from __future__ import annotations

from .common import bp  # noqa: F401
from . import (attachments, company_profile, contract_types, customers, deals, documents, equipment,  # noqa: F401
               erp_import, milestones, settings, tasks)
