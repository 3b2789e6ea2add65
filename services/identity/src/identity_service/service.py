"""The identity service: who may use Paraph, in which license, with which rights. It sells seats (seat
pools), opens companies' environments (licenses), manages their users and portal clients, sends the
emailed links that set a password, signs people in and tells the gateway whether a token still holds.

Its nameko entrypoints live in one module per aggregate, each a mixin of ``IdentityService``:
seat_pools.py (operator subscriptions), licenses.py (activation, settings), users.py (memberships,
roles, portal client access, my profile), invitations.py (invitations, password reset and change),
sessions.py (sign-in, refresh, sign-out, token keys, access state for the gateway), collaborators.py
(the one-way ERP user sync) and service_accounts.py (integrations' accounts and API keys, resolved by
the gateway). base.py holds what they share (seat counting, membership lookups, one-time
secrets, session tokens); logic.py the pure rules; schemas.py the payloads. The dependency providers are
declared here only (``db``, ``outbox`` and ``ctx`` by PlatformService, from the tables named): nameko binds
them per worker on this class."""
from __future__ import annotations

from paraph_platform.readiness import PlatformService
from paraph_platform.rpc import Rpc

from .collaborators import CollaboratorsEndpoints
from .dependencies import Settings
from .invitations import InvitationsEndpoints
from .licenses import LicensesEndpoints
from .models import IdempotencyKey, Outbox
from .seat_pools import SeatPoolsEndpoints
from .service_accounts import ServiceAccountsEndpoints
from .sessions import SessionsEndpoints
from .users import UsersEndpoints


class IdentityService(SessionsEndpoints, SeatPoolsEndpoints, LicensesEndpoints, UsersEndpoints,
                      InvitationsEndpoints, CollaboratorsEndpoints, ServiceAccountsEndpoints, PlatformService,
                      idempotency_model=IdempotencyKey, outbox_model=Outbox):
    name = "identity"

    settings = Settings()
    perimeter = Rpc("perimeter")


SERVICE = IdentityService
