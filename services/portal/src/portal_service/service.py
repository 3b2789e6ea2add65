"""portal nameko service: client (portal) access of customers' contacts, contracts shared on the
customer portal, what signed-in clients see, online quote pages (sent by email, viewed, downloaded,
commented) and the signature tasks of portal users.

Who sees what: staff methods check the contract or contact through contracts' perimeter-filtered
RPCs (404 outside the caller's perimeter); client methods are scoped in SQL by the client's
license, customer, company and branch (see :mod:`.logic`); online quote pages are opened by an
unguessable token stored hashed.

One module per aggregate, each a mixin of its entrypoints with their queries, rules and views:
:mod:`.client_accesses` (staff give and manage a contact's portal access), :mod:`.shares` (contracts
shared on the portal, and what signed-in clients see of them), :mod:`.profiles` (a client's own details),
:mod:`.signature_tasks` (approvals and signatures waiting in signing), :mod:`.online_quotes` (emailing a
quote's online page, its activity) and :mod:`.pages` (the public quote page, the portal's HTML shells).
:mod:`.base` holds what they share, :mod:`.logic` the pure rules. The dependency providers are declared
here only (``db``, ``outbox`` and ``ctx`` by PlatformService, from the tables named): nameko binds them per
worker.
"""
from __future__ import annotations

from paraph_platform.readiness import PlatformService
from paraph_platform.rpc import Rpc

from .client_accesses import ClientAccessesEndpoints
from .dependencies import Pages, Settings
from .models import IdempotencyKey, Outbox
from .online_quotes import OnlineQuotesEndpoints
from .pages import PagesEndpoints
from .profiles import ProfilesEndpoints
from .shares import SharesEndpoints
from .signature_tasks import SignatureTasksEndpoints


class PortalService(ClientAccessesEndpoints, SharesEndpoints, ProfilesEndpoints, SignatureTasksEndpoints,
                    OnlineQuotesEndpoints, PagesEndpoints, PlatformService,
                    idempotency_model=IdempotencyKey, outbox_model=Outbox):
    name = "portal"

    settings = Settings()
    pages = Pages()
    contracts = Rpc("contracts")
    identity = Rpc("identity")
    signing = Rpc("signing")
    # asking for a signature has signing fetch the quote's PDF from contracts and place its fields: the first time
    # after a start, both services also start their off-hub workers (weasyprint, pyHanko), over 10 s on a busy
    # machine (the first quote sent with a signature failed); the gateway gives send_quote 30 s
    signature_requests = Rpc("signing", timeout=25.0)
    signing_lookup = Rpc("signing", timeout=3.0)  # page rendering never waits long for signing


SERVICE = PortalService
