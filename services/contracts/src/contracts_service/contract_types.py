"""Contract types: what a license's contracts and quotes are made from (kind, merge fields, the HTML
template their PDF is rendered from, the abandon delay, the portal default for attachments), and the
template assets (images such as a logo, stored per license) that templates embed by id. A template is
checked when it is saved: it must render on sample data (an error names its line and the variable) and fetch
nothing but data: URLs and this license's assets. The variables a template may use are listed, for its
authors, by template_variables.py.
"""
from __future__ import annotations

import base64
import hashlib

from sqlalchemy import select

from paraph_platform.db import utcnow
from paraph_platform.actor import ADMINS, STAFF_ROLES, load_actor, require_role
from paraph_platform import pdf_sandbox
from paraph_platform.config import env_int
from paraph_platform.envelope import iso
from paraph_platform.service import endpoint

from . import logic, pdf, schemas, template_variables
from .base import ContractsBase
from .exceptions import Conflict
from .models import Asset, ContractType, ContractTypeScope
from .schemas.contract_types import ContractTypeInSchema, ContractTypePatchSchema, TemplateVariablesSchema


MAX_ASSET_BYTES = 1024 * 1024
# Who writes contract types, their templates and the images these embed: license admins, alone (a 403 for the
# others, who read and use the types their perimeters offer). The seeds give a front user manager the users and,
# on the customer file, the customers' perimeters (SELL&SIGN Enterprise); contract types ("document models") are
# what the admin's perimeters segment, like email templates and the company profile (admins' too). A type a
# manager created would be in no perimeter, so offered to every user of every perimeter, and they may not set its
# perimeters (perimeter.rego's may_assign): letting them write types would undo the segmentation.
TYPE_AUTHORS = ADMINS


def type_view(t: ContractType, perimeter_ids=None, full=True) -> dict:
    view = {"id": t.id, "name": t.name, "kind": t.kind, "description": t.description,
            "merge_fields": list(t.merge_fields or []), "locale": t.locale,
            "attachments_portal_visible": t.attachments_portal_visible,
            "abandon_delay_days": t.abandon_delay_days, "archived": t.archived,
            "created_at": iso(t.created_at), "updated_at": iso(t.updated_at)}
    if full:
        view["template_html"] = t.template_html
    if perimeter_ids is not None:
        view["perimeter_ids"] = perimeter_ids
    return view


def asset_view(a: Asset) -> dict:
    return {"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size, "sha256": a.sha256,
            "url": pdf_sandbox.asset_url(a.id), "created_by": a.created_by, "created_at": iso(a.created_at)}


class ContractTypesEndpoints(ContractsBase):
    """Contract types and the template assets they embed."""

    @staticmethod
    def _check_name_free(s, license_id: str, name: str):
        """Contract type names are unique in a license (uq_type_name): a taken one is a 409, said of the name field
        (a form shows it there)."""
        if s.execute(select(ContractType.id).where(ContractType.license_id == license_id,
                                                   ContractType.name == name)).first():
            raise Conflict(f"A contract type named {name!r} already exists.",
                           {"fields": {"name": ["Another contract type already has this name."]}})

    @endpoint(write=True)
    def create_contract_type(self, actor, payload):
        actor, data = self._caller_and_payload(actor, ContractTypeInSchema, payload, roles=TYPE_AUTHORS)
        with self.db.session() as s:
            if data["template_html"]:
                self._check_template(s, actor["license_id"], data["template_html"], data["merge_fields"])
            self._check_name_free(s, actor["license_id"], data["name"])
            t = ContractType(license_id=actor["license_id"], created_by=actor["user_id"], **data)
            s.add(t)
            s.flush()
            self._write_scope(s, ContractTypeScope, "contract_type_id", t.id, [], 0, "contract_type")
            self.outbox.add(s, "contract_type.created.v1", {
                "contract_type_id": t.id, "name": t.name, "created_by": t.created_by},
                subject=t.id, license_id=t.license_id)
            return type_view(t, [])

    @endpoint
    def list_contract_types(self, actor, include_archived=False):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            q = select(ContractType).where(self._type_filter(actor))
            if not include_archived:
                q = q.where(ContractType.archived.is_(False))
            rows = s.execute(q.order_by(ContractType.name)).scalars().all()
            scopes = self._scope_ids(s, ContractTypeScope, "contract_type_id", [t.id for t in rows])
            return [type_view(t, scopes[t.id], full=False) for t in rows]

    @endpoint
    def get_contract_type(self, actor, type_id):
        actor = load_actor(actor)
        with self.db.session() as s:
            t = self._contract_type(s, actor, type_id)
            return type_view(t, self._scope_ids(s, ContractTypeScope, "contract_type_id", [t.id])[t.id])

    @endpoint(write=True)
    def update_contract_type(self, actor, type_id, payload):
        """Change a contract type, or archive it (contract_type.archived.v1) or restore it; what changes something
        is published as contract_type.updated.v1, the same values again publish nothing."""
        actor, data = self._caller_and_payload(actor, ContractTypePatchSchema, payload,
                                               roles=TYPE_AUTHORS)
        with self.db.session() as s:
            t = self._contract_type(s, actor, type_id)
            if "template_html" in data or "merge_fields" in data:
                source = data.get("template_html", t.template_html)
                if source:
                    self._check_template(s, t.license_id, source, data.get("merge_fields", t.merge_fields))
            if "name" in data and data["name"] != t.name:
                self._check_name_free(s, t.license_id, data["name"])
            before = type_view(t)
            for key, value in data.items():
                setattr(t, key, value)
            after = type_view(t)
            changed = {key for key in data if after[key] != before[key]}
            if changed:
                t.updated_at = utcnow()
                self._contract_type_events(s, t, changed, actor["user_id"])
            return type_view(t, self._scope_ids(s, ContractTypeScope, "contract_type_id", [t.id])[t.id])

    def _contract_type_events(self, s, t: ContractType, changed: set[str], actor_id: str):
        """contract_type.updated.v1 naming what changed, and contract_type.archived.v1 when it was archived (a
        restored one is an update of ``archived``)."""
        archived = "archived" in changed and t.archived
        details = changed - {"archived"} if archived else changed
        if details:
            self.outbox.add(s, "contract_type.updated.v1", {
                "contract_type_id": t.id, "name": t.name, "kind": t.kind, "archived": t.archived,
                "changed": sorted(details), "updated_by": actor_id}, subject=t.id, license_id=t.license_id)
        if archived:
            self.outbox.add(s, "contract_type.archived.v1", {
                "contract_type_id": t.id, "name": t.name, "archived_by": actor_id},
                subject=t.id, license_id=t.license_id)

    @endpoint(write=True)
    def set_contract_type_perimeters(self, actor, type_id, payload):
        return self._set_perimeters(actor, "contract_type", type_id, payload)

    @endpoint
    def template_variables(self, actor, params=None):
        """For template authors: every variable a template may use, its type, an example, what it is; and Paraph's
        default template, to start from."""
        _, p = self._caller_and_payload(actor, TemplateVariablesSchema, params or {})
        return {"variables": template_variables.catalog(p["locale"]), "default_template": pdf.default_template()}

    # -- assets: images a license's templates embed by id --------------------------------------------

    @endpoint(write=True)
    def upload_asset(self, actor, payload):
        """Store a PNG/JPEG image (its logo...) that templates show with <img src="paraph-asset:<id>">."""
        actor, data = self._caller_and_payload(actor, schemas.AssetInSchema, payload, roles=TYPE_AUTHORS)
        filename, content_type, content = logic.decoded_upload(
            data, env_int("MAX_ASSET_BYTES", MAX_ASSET_BYTES), logic.IMAGE_TYPES)
        with self.db.session() as s:
            a = Asset(license_id=actor["license_id"], filename=filename, content_type=content_type,
                      size=len(content), sha256=hashlib.sha256(content).hexdigest(), content=content,
                      created_by=actor["user_id"])
            s.add(a)
            s.flush()
            return asset_view(a)

    def _asset(self, s, actor, asset_id) -> Asset:
        return self._license_row(s, Asset, asset_id, actor["license_id"])

    @endpoint
    def list_assets(self, actor):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            return [asset_view(a) for a in s.execute(select(Asset).where(Asset.license_id == actor["license_id"])
                                                     .order_by(Asset.created_at, Asset.id)).scalars()]

    @endpoint
    def get_asset(self, actor, asset_id):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            a = self._asset(s, actor, asset_id)
            return {**asset_view(a), "content_base64": base64.b64encode(a.content).decode()}

    @endpoint(write=True)
    def delete_asset(self, actor, asset_id):
        """Templates still naming a deleted asset fail to render (422) until they are changed."""
        return self._delete(actor, self._asset, asset_id, roles=TYPE_AUTHORS)
