"""License-level settings: the custom columns contracts carry values for and the flags they are tagged
with (license admins define them, staff read them), and the replica of the license settings the
identity service publishes (default currency, locale, abandon delay, portal default for attachments, the company's
country, and the license's name: the PDFs' issuer until the company profile names another).
"""
from __future__ import annotations

from sqlalchemy import delete, select

from paraph_platform.actor import LICENSE_ADMIN, STAFF_ROLES, load_actor, require_role
from paraph_platform.events import subscribe
from paraph_platform.inbox import handled_once
from paraph_platform.service import endpoint

from .base import ContractsBase
from .exceptions import Conflict, NotFound
from .models import Contract, ContractFlag, CustomColumn, Flag, Inbox
from .schemas.settings import ColumnInSchema, ColumnPatchSchema, FlagInSchema, FlagPatchSchema


class SettingsEndpoints(ContractsBase):
    """Custom columns, flags and the license settings replica."""

    # license-level settings rows (columns, flags) share one CRUD shape
    SETTINGS = {
        "column": (CustomColumn, ("key", "label", "type", "choices", "position"),
                   (CustomColumn.position, CustomColumn.key)),
        "flag": (Flag, ("key", "label", "color"), (Flag.key,)),
    }

    def _setting_view(self, kind, row) -> dict:
        fields_ = self.SETTINGS[kind][1]
        return {"id": row.id, **{f: list(getattr(row, f) or []) if f == "choices" else getattr(row, f)
                                 for f in fields_}}

    def _setting(self, s, kind, actor, row_id):
        row = s.get(self.SETTINGS[kind][0], row_id)
        if row is None or row.license_id != actor["license_id"]:
            raise NotFound(f"{kind.capitalize()} not found.")
        return row

    def _list_settings(self, kind, actor):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        model, _, order = self.SETTINGS[kind]
        with self.db.session() as s:
            return [self._setting_view(kind, row) for row in s.execute(
                select(model).where(model.license_id == actor["license_id"]).order_by(*order)).scalars()]

    def _create_setting(self, kind, actor, data):
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        model = self.SETTINGS[kind][0]
        with self.db.session() as s:
            if s.execute(select(model.id).where(model.license_id == actor["license_id"],
                                                model.key == data["key"])).first():
                raise Conflict(f"A {kind} {data['key']!r} already exists.")
            row = model(license_id=actor["license_id"], **data)
            s.add(row)
            s.flush()
            return self._setting_view(kind, row)

    def _update_setting(self, kind, actor, row_id, data):
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        with self.db.session() as s:
            row = self._setting(s, kind, actor, row_id)
            for key, value in data.items():
                setattr(row, key, value)
            return self._setting_view(kind, row)

    @endpoint
    def list_columns(self, actor):
        return self._list_settings("column", actor)

    @endpoint(write=True)
    def create_column(self, actor, payload):
        return self._create_setting("column", actor, ColumnInSchema().load(payload))

    @endpoint(write=True)
    def update_column(self, actor, column_id, payload):
        return self._update_setting("column", actor, column_id, ColumnPatchSchema().load(payload))

    @endpoint(write=True)
    def delete_column(self, actor, column_id):
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        with self.db.session() as s:
            s.delete(self._setting(s, "column", actor, column_id))
        return {"deleted": True}

    @endpoint
    def list_flags(self, actor):
        return self._list_settings("flag", actor)

    @endpoint(write=True)
    def create_flag(self, actor, payload):
        return self._create_setting("flag", actor, FlagInSchema().load(payload))

    @endpoint(write=True)
    def update_flag(self, actor, flag_id, payload):
        return self._update_setting("flag", actor, flag_id, FlagPatchSchema().load(payload))

    @endpoint(write=True)
    def delete_flag(self, actor, flag_id):
        """Delete a flag; it is removed from the contracts carrying it, each a change of that contract's flags
        as when a user takes the flag off: contract.updated.v1 (``changed`` ["flags"]), its history, its version.

        One event per contract rather than one flag.deleted.v1 listing them: an integrator mirroring contracts
        follows contract.updated.v1, whose ``changed`` already names ``flags``, and stays right without a new
        event type to handle (flags have no events of their own); each body stays one contract's size however
        many contracts carry the flag; and it is what a perimeter's deletion does (one
        perimeter.assignments_changed.v1 per subject). Deleting a flag is a rare admin action; its events are
        relayed in batches like an ERP import's. A retry finds the flag gone (404): nothing more is published."""
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        with self.db.session() as s:
            f = self._setting(s, "flag", actor, flag_id)
            # locked in one order, as update_contract locks a contract before its flags: no deadlock with it
            carrying = select(Contract).where(Contract.license_id == f.license_id, Contract.id.in_(
                select(ContractFlag.contract_id).where(ContractFlag.key == f.key))).order_by(Contract.id)
            if self.db.dialect == "postgresql":
                carrying = carrying.with_for_update()
            contracts = s.execute(carrying).scalars().all()
            removed = s.execute(delete(ContractFlag).where(
                ContractFlag.key == f.key,
                ContractFlag.contract_id.in_(select(Contract.id).where(Contract.license_id == f.license_id))
            )).rowcount
            for c in contracts:
                self._touch(c)
                self._history(s, c, actor["user_id"], "updated", fields=["flags"])
                self._contract_updated_event(s, c, ["flags"], actor["user_id"])
            s.delete(f)
            return {"deleted": True, "removed_from_contracts": removed}

    @subscribe("identity", "license.updated.v1")
    @handled_once(Inbox, "contracts.on_license_updated")
    def on_license_updated(self, s, event):
        data = event["data"]
        self._apply_settings(s, data["license_id"], data.get("settings") or {}, int(data.get("version", 0)),
                             data.get("name"))
