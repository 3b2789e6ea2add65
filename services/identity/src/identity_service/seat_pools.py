"""Seat pools: the operator's subscriptions. A pool holds the paid seats and the expiry date its licenses
share, and the activation code a company activates its first license with (licenses.py). Operator only
(role system): create a pool, change its seats or expiry (never below the seats in use)."""
from __future__ import annotations

from sqlalchemy import select

from paraph_platform.actor import SYSTEM, load_actor, require_role
from paraph_platform.envelope import iso
from paraph_platform.service import endpoint

from . import logic, schemas
from .base import IdentityServiceBase
from .exceptions import Conflict, NotFound
from .models import License, SeatPool


def _pool_view(pool: SeatPool, activation_code: str | None = None) -> dict:
    """A pool as the operator sees it; its activation code only in the answer that creates it."""
    view = {"id": pool.id, "name": pool.name, "seats": pool.seats, "expires_at": iso(pool.expires_at)}
    if activation_code is not None:
        view["activation_code"] = activation_code
    return schemas.PoolView().dump(view)


class SeatPoolsEndpoints(IdentityServiceBase):
    @endpoint(write=True)
    def create_pool(self, actor, payload):
        actor = require_role(load_actor(actor), SYSTEM)
        data = schemas.CreatePoolSchema().load(payload)
        with self.db.session() as s:
            code = data.get("activation_code") or logic.new_activation_code()
            if s.execute(select(SeatPool.id).where(SeatPool.activation_code == code)).first():
                raise Conflict("This activation code already exists.")
            pool = SeatPool(name=data["name"], seats=data["seats"], expires_at=data["expires_at"],
                            activation_code=code)
            s.add(pool)
            s.flush()
            return _pool_view(pool, activation_code=code)

    @endpoint(write=True)
    def update_pool(self, actor, pool_id, payload):
        require_role(load_actor(actor), SYSTEM)
        data = schemas.UpdatePoolSchema().load(payload)
        with self.db.session() as s:
            pool = s.get(SeatPool, pool_id)
            if pool is None:
                raise NotFound("Seat pool not found.")
            if "seats" in data:
                usage = self._usage(s, pool)
                if data["seats"] < usage.used:
                    raise Conflict(f"Cannot lower the pool to {data['seats']} seats: "
                                   f"{usage.describe(self._pool_names(s, pool))}.")
            for key, value in data.items():
                setattr(pool, key, value)
            pool.version += 1
            for lic in s.execute(select(License).where(License.pool_id == pool.id)).scalars():
                lic.version += 1
                self._license_event(s, lic, pool)
            return _pool_view(pool)
