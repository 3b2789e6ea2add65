"""contracts nameko service: customers, contacts, contract types, deals, contracts and quotes,
attachments, milestones, tasks, equipment, custom columns and flags, PDFs, automatic abandon.

Visibility follows the perimeter policy: every list and every object access is filtered in SQL by
the condition the perimeter service compiles from its Rego policy for the caller (over the
``customer_scopes`` / ``contract_type_scopes`` replicas); an object outside the caller's
perimeter is a 404.

One module per aggregate, each a mixin of its entrypoints with their queries, rules and views:
:mod:`.customers` (customers, contacts, their history, the clients' self-service), :mod:`.contract_types`
(contract types and their template assets), :mod:`.deals`, :mod:`.contracts` (contracts and quotes: content,
lines, totals, flags, copies, history), :mod:`.contract_statuses` (status changes, sending, automatic
abandon), :mod:`.signatures` (the signing service's events), :mod:`.documents` (PDFs), :mod:`.attachments`,
:mod:`.milestones`, :mod:`.tasks`, :mod:`.portal` (what the customer portal shows, its activity),
:mod:`.equipment` (the customers' equipment base), :mod:`.erp_import` (the ERP's customers and sales history,
imported one way), :mod:`.settings` (custom columns, flags, license
settings), :mod:`.company_profile` (the issuer the PDFs name) and :mod:`.scopes` (the perimeter scope replica). :mod:`.base` holds what they share,
:mod:`.logic` the pure rules, :mod:`.pdf` the rendering. The dependency providers are declared here only
(``db``, ``outbox`` and ``ctx`` by PlatformService, from the tables named): nameko binds them per worker.
"""
from __future__ import annotations

from paraph_platform.filter_cache import PerimeterFilter
from paraph_platform.readiness import PlatformService
from paraph_platform.rpc import Rpc

from .attachments import AttachmentsEndpoints
from .company_profile import CompanyProfileEndpoints
from .contract_statuses import ContractStatusesEndpoints
from .contract_types import ContractTypesEndpoints
from .contracts import ContractsEndpoints
from .customers import CustomersEndpoints
from .deals import DealsEndpoints
from .documents import DocumentsEndpoints
from .equipment import EquipmentEndpoints
from .erp_import import ErpImportEndpoints
from .milestones import MilestonesEndpoints
from .models import IdempotencyKey, Outbox
from .portal import PortalEndpoints
from .scopes import ScopesEndpoints
from .settings import SettingsEndpoints
from .signatures import SignaturesEndpoints
from .tasks import TasksEndpoints


class ContractsService(ErpImportEndpoints, CustomersEndpoints, ContractTypesEndpoints, DealsEndpoints,
                       ContractsEndpoints, ContractStatusesEndpoints, SignaturesEndpoints, DocumentsEndpoints,
                       AttachmentsEndpoints, MilestonesEndpoints, TasksEndpoints, PortalEndpoints, EquipmentEndpoints,
                       SettingsEndpoints, CompanyProfileEndpoints, ScopesEndpoints, PlatformService,
                       idempotency_model=IdempotencyKey, outbox_model=Outbox):
    name = "contracts"

    perimeter = Rpc("perimeter")
    identity = Rpc("identity")
    portal = Rpc("portal", timeout=5.0)  # asked before a plain user deletes a contact: a short wait at most
    perimeter_filter = PerimeterFilter()


SERVICE = ContractsService
