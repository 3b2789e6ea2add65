"""The company profile of a license: the issuer its quotes and contracts name (name, address, legal
identifiers, contact details, logo). License admins write it, staff read it; the PDFs show it in their
header (name, logo, address) and footer (legal mentions). The logo is stored as one of the license's
template assets (sniffed PNG or JPEG, size-limited), so the sandboxed renderer embeds it like any asset.

Until an admin saves the profile with a name, the company's name is the license's (kept from identity's
license.updated.v1, so a renamed license is named anew, and no PDF asks identity for it).
"""
from __future__ import annotations

import base64
import hashlib

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from paraph_platform.actor import LICENSE_ADMIN, STAFF_ROLES, load_actor, require_role
from paraph_platform.config import env_int
from paraph_platform.db import utcnow
from paraph_platform import pdf_sandbox, phones
from paraph_platform.envelope import iso
from paraph_platform.service import endpoint

from . import logic, schemas
from .base import ContractsBase
from .contract_types import MAX_ASSET_BYTES, asset_view
from .exceptions import NotFound
from .models import Asset, CompanyProfile
from .schemas.company_profile import CompanyProfileSchema

ADDRESS_KEYS = ("line1", "line2", "postal_code", "city", "region", "country")
PROFILE_FIELDS = ("name", "siren", "siret", "vat_number", "legal_form", "share_capital", "rcs_city", "phone",
                  "email", "website")


def profile_view(p: CompanyProfile | None, logo: Asset | None = None, license_name: str = "") -> dict:
    """The profile as the API shows it; a license without one gets an empty profile named as the license."""
    view = {key: getattr(p, key) if p else None for key in PROFILE_FIELDS}
    view["name"] = view["name"] or license_name
    view["share_capital"] = str(p.share_capital) if p and p.share_capital is not None else None
    view["address"] = {key: ((p.address or {}).get(key) if p else None) or "" for key in ADDRESS_KEYS}
    view["logo"] = ({"content_type": logo.content_type, "size": logo.size, "sha256": logo.sha256,
                     "filename": logo.filename, "url": pdf_sandbox.asset_url(logo.id)} if logo else None)
    view["updated_at"] = iso(p.updated_at) if p else None
    return view


def load_profile(s, license_id) -> tuple[CompanyProfile | None, Asset | None]:
    """The license's profile (None if never saved) and its logo (None if none)."""
    p = s.get(CompanyProfile, license_id)
    logo = s.get(Asset, p.logo_asset_id) if p and p.logo_asset_id else None
    return p, logo if logo is not None and logo.license_id == license_id else None


class CompanyProfileEndpoints(ContractsBase):
    """The license's company profile and its logo."""

    def _view(self, s, license_id, p: CompanyProfile | None, logo: Asset | None) -> dict:
        return profile_view(p, logo, self._license_name(s, license_id))

    def _profile_for_update(self, s, actor, *, create: bool = True) -> tuple[CompanyProfile | None, Asset | None]:
        """The license's profile (created empty if it was never saved, unless ``create`` is false) and its
        logo, locked until the commit: two first saves, or two logo changes (each deleting the previous
        logo), then run one after the other instead of failing on a duplicate key or a deleted asset."""
        if create:
            insert = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}[self.db.dialect]
            s.execute(insert(CompanyProfile).values(license_id=actor["license_id"], name="", address={},
                                                    updated_by=actor["user_id"], updated_at=utcnow())
                      .on_conflict_do_nothing())
        q = select(CompanyProfile).where(CompanyProfile.license_id == actor["license_id"])
        if self.db.dialect == "postgresql":
            q = q.with_for_update()
        s.execute(q).scalar_one_or_none()
        return load_profile(s, actor["license_id"])  # the row just read (the session's identity map)

    @endpoint
    def get_company_profile(self, actor):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            return self._view(s, actor["license_id"], *load_profile(s, actor["license_id"]))

    @endpoint(write=True)
    def update_company_profile(self, actor, payload):
        """Replace the profile (what is not given is cleared; the logo is kept: it has its own calls)."""
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        address = payload.get("address") if isinstance(payload, dict) else None
        sent_country = address.get("country") if isinstance(address, dict) else None
        with self.db.session() as s:
            established_in = self._company_country(s, actor["license_id"])
        # the company's numbers are read in the country of the address it sends, else its own (paraph_platform.phones);
        # its identifiers are a SIREN and a SIRET in France, its country's company number elsewhere (the schema)
        with phones.read_in(lambda: phones.reading_country(sent_country, established_in)):
            data = CompanyProfileSchema(countries=(sent_country, established_in)).load(payload)
        with self.db.session() as s:
            p, _logo = self._profile_for_update(s, actor)
            for key, value in data.items():
                setattr(p, key, value)
            p.address = {key: (data["address"].get(key) or "").strip() for key in ADDRESS_KEYS}
            p.updated_by, p.updated_at = actor["user_id"], utcnow()
            s.flush()
            return self._view(s, actor["license_id"], *load_profile(s, actor["license_id"]))

    @endpoint(write=True)
    def set_company_logo(self, actor, payload):
        """Upload the logo (PNG or JPEG, MAX_ASSET_BYTES); it replaces the previous one."""
        actor, data = self._caller_and_payload(actor, schemas.AssetInSchema, payload,
                                               roles=(LICENSE_ADMIN,))
        filename, content_type, content = logic.decoded_upload(
            data, env_int("MAX_ASSET_BYTES", MAX_ASSET_BYTES), logic.IMAGE_TYPES)
        with self.db.session() as s:
            p, previous = self._profile_for_update(s, actor)
            logo = Asset(license_id=actor["license_id"], filename=filename, content_type=content_type,
                         size=len(content), sha256=hashlib.sha256(content).hexdigest(), content=content,
                         created_by=actor["user_id"])
            s.add(logo)
            s.flush()
            p.logo_asset_id, p.updated_by, p.updated_at = logo.id, actor["user_id"], utcnow()
            if previous is not None:
                s.delete(previous)
            s.flush()
            return self._view(s, actor["license_id"], p, logo)

    def _logo(self, s, actor) -> tuple[CompanyProfile, Asset]:
        p, logo = load_profile(s, actor["license_id"])
        if logo is None:
            raise NotFound("The company profile has no logo.")
        return p, logo

    @endpoint
    def get_company_logo(self, actor):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            logo = self._logo(s, actor)[1]
            return {**asset_view(logo), "content_base64": base64.b64encode(logo.content).decode()}

    @endpoint(write=True)
    def delete_company_logo(self, actor):
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        with self.db.session() as s:
            p, logo = self._profile_for_update(s, actor, create=False)
            if logo is None:
                raise NotFound("The company profile has no logo.")
            p.logo_asset_id, p.updated_by, p.updated_at = None, actor["user_id"], utcnow()
            s.flush()
            s.delete(logo)
        return {"deleted": True}
