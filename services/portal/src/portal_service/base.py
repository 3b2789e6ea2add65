"""What the portal's aggregates share: who is calling (staff, or a signed-in portal client scoped by their
access), the license's name and settings, the client accesses of contacts, emails requested from notify, the
quote activity log (views, downloads, feedback) and the signing service's request for a contract.
:class:`PortalBase` declares no dependency: nameko binds them per worker from the providers declared on
``PortalService`` (service.py); its annotations say what ``self.db``, ``self.contracts``, ... are.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from paraph_platform.actor import CLIENT, STAFF_ROLES, load_actor, require_role
from paraph_platform.company_country import known_code
from paraph_platform.db import Database, new_id, utcnow
from paraph_platform.envelope import iso
from paraph_platform.errors import DeadlineExceeded, PlatformError
from paraph_platform.outbox import Outbox as OutboxProvider
from paraph_platform.rpc import Rpc
from paraph_platform.service import RequestContext

from . import logic
from .dependencies import PortalSettings, Renderer
from .exceptions import Forbidden, NotFound, Unavailable
from .models import ClientAccess, QuoteActivity


log = logging.getLogger(__name__)

UNAVAILABLE = (Unavailable, DeadlineExceeded)


def access_view(a: ClientAccess) -> dict:
    return {"contact_id": a.contact_id, "customer_id": a.customer_id, "user_id": a.user_id, "email": a.email,
            "name": a.name, "user_code": a.user_code, "company": a.company, "branch": a.branch,
            "allowed_ip": a.allowed_ip, "locale": a.locale, "role": CLIENT, "status": a.status,
            "created_at": iso(a.created_at), "updated_at": iso(a.updated_at)}


class PortalBase:
    """Helpers every aggregate mixin inherits (``class SharesEndpoints(PortalBase)``)."""

    # bound per worker by the dependency providers declared on PortalService (service.py)
    db: Database
    outbox: OutboxProvider
    ctx: RequestContext
    settings: PortalSettings
    pages: Renderer
    contracts: Rpc
    identity: Rpc
    signing: Rpc
    signing_lookup: Rpc  # short timeout: page rendering never waits long for signing

    # -- who is calling ---------------------------------------------------------------------------------

    @staticmethod
    def _staff(raw) -> dict:
        return require_role(load_actor(raw), *STAFF_ROLES)

    def _client(self, raw) -> logic.ClientScope:
        actor = load_actor(raw)
        if actor["role"] != CLIENT:
            raise Forbidden("This part of the portal is for customer portal clients.")
        with self.db.session() as s:
            a = s.execute(select(ClientAccess).where(ClientAccess.license_id == actor["license_id"],
                                                     ClientAccess.user_id == actor["user_id"])
                          .order_by(ClientAccess.updated_at.desc())).scalars().first()
            if a is not None:
                if a.status == "deactivated":
                    raise Forbidden("Your portal access was withdrawn.")
                return logic.ClientScope(a.license_id, a.user_id, a.contact_id, a.customer_id, a.company, a.branch)
        return logic.ClientScope(actor["license_id"], actor["user_id"], actor.get("contact_id"),
                                 actor.get("customer_id"), raw.get("company"), raw.get("branch"))

    def _me(self, client) -> dict:
        with self.db.session() as s:
            a = s.execute(select(ClientAccess).where(ClientAccess.license_id == client.license_id,
                                                     ClientAccess.user_id == client.user_id)).scalars().first()
            return access_view(a) if a else {}

    # -- the license, client accesses, emails -----------------------------------------------------------

    def _seller(self, license_id) -> tuple[str, str | None]:
        """The company sending a document: its name (the license's, as on the signing page and in the emails) and
        the country it is established in (the order its English dates read in: paraph_platform.dates), from one
        reading of its settings; no name and no country (day first) when identity cannot say: a page or an email
        goes all the same."""
        try:
            license = self.identity.license_settings(license_id) or {}
        except PlatformError as exc:
            log.warning("license settings of %s unavailable: %s", license_id, exc)
            return "", None
        return license.get("name") or "", known_code((license.get("settings") or {}).get("country"))

    def _license_name(self, license_id: str) -> str:
        return self._seller(license_id)[0]

    def _license_settings(self, license_id: str) -> dict:
        try:
            return self.identity.license_settings(license_id)
        except UNAVAILABLE as exc:
            log.warning("license settings of %s unavailable: %s", license_id, exc)
            return {"name": "", "settings": {}}

    def _access(self, s, license_id, contact_id) -> ClientAccess | None:
        return s.execute(select(ClientAccess).where(ClientAccess.license_id == license_id,
                                                    ClientAccess.contact_id == contact_id)).scalar_one_or_none()

    def _accesses(self, s, license_id, contact_ids) -> dict:
        if not contact_ids:
            return {}
        return {a.contact_id: a for a in s.execute(select(ClientAccess).where(
            ClientAccess.license_id == license_id, ClientAccess.contact_id.in_(list(contact_ids)))).scalars()}

    def _notify(self, s, license_id, subject, *, to, to_name, locale, template, dedupe_key, vars, customer_id,
                user_id=None, attachments=None, reply_to=None, email_subject=None):
        data = {"channel": "email", "to": to, "to_name": to_name or "", "locale": logic.pick_locale(locale),
                "template": template, "user_id": user_id, "customer_id": customer_id, "dedupe_key": dedupe_key,
                "vars": vars}
        if attachments:
            data["attachments"] = attachments
        if reply_to:
            data["reply_to"] = reply_to
        if email_subject and email_subject.strip():
            data["subject"] = email_subject.strip()
        self.outbox.add(s, "notification.requested.v1", data, subject=subject, license_id=license_id)

    # -- quote activity, signature requests -------------------------------------------------------------

    def _activity(self, s, license_id, contract_id, detail: dict, contact: dict, kind: str, channel: str, meta: dict,
                  link_id: str | None = None, message: str | None = None, at: datetime | None = None) -> dict:
        """Keep one view/download/feedback/prefetch of a quote with date and time (``at``, when it happened before:
        told by another service, else now); a view or a download publishes quote.viewed.v1 / quote.downloaded.v1
        (with its channel). Returns the event data."""
        at = at or utcnow()
        activity = QuoteActivity(id=new_id(), license_id=license_id, contract_id=contract_id, link_id=link_id,
                                 contact_id=contact["contact_id"], kind=kind, channel=channel, at=at,
                                 ip=logic.clip(meta.get("ip"), 64),
                                 user_agent=logic.clip(meta.get("user_agent"), 500), message=message)
        s.add(activity)
        data = {"contract_id": contract_id, "number": detail["number"], "title": detail.get("title") or "",
                "owner_id": detail["owner_id"], "customer_id": detail.get("customer_id"),
                "contact_id": contact["contact_id"], "contact_name": contact["name"],
                "contact_email": contact["email"], "at": iso(at)}
        if kind in ("viewed", "downloaded"):
            data.update({"ip": activity.ip, "user_agent": activity.user_agent, "channel": channel})
            self.outbox.add(s, f"quote.{kind}.v1", data, subject=contract_id, license_id=license_id)
        return data

    @staticmethod
    def _from_signing(what: str, call, *args):
        """signing's answer to ``call(*args)``, or None when it gives none (down, late, refusing): the page shows
        without what it says (no sign button, the plain status)."""
        try:
            return call(*args)
        except PlatformError as exc:
            if not isinstance(exc, NotFound):
                log.info("%s unavailable: %s", what, exc)
            return None
        except Exception as exc:  # noqa: BLE001 - the page shows without it
            log.warning("%s failed: %s", what, exc)
            return None

    def _signature_request(self, license_id, contract_id):
        return self._from_signing(f"signature request of {contract_id}", self.signing_lookup.request_for_contract,
                                  license_id, contract_id)

    def _document_pdf(self, license_id, contract_id) -> dict:
        """The PDF a reader of a shared document or an online quote downloads as the document: once signed by
        everybody, its sealed copy (signing's), never the PDF sent for signature; before that, the contract's own
        (contracts')."""
        sealed = logic.sealed_request_id(self._signature_request(license_id, contract_id))
        if sealed:
            return self.signing.get_signed_pdf(license_id, sealed)
        return self.contracts.get_pdf(license_id, contract_id)

    def _signature_requests(self, license_id, contract_ids) -> dict:
        """{contract_id: its latest signature request} of several contracts (a list page's), in one call to signing
        under one deadline, instead of one call (and one wait) per contract; {} when signing does not answer. Past
        signing's bound, the first ``logic.SIGNATURE_LOOKUP_MAX`` only: the others read their plain status, as
        they all do when signing is down."""
        ids = list(dict.fromkeys(contract_ids))
        if not ids:
            return {}
        if len(ids) > logic.SIGNATURE_LOOKUP_MAX:
            log.info("signature requests of %d contracts asked: the first %d only", len(ids),
                     logic.SIGNATURE_LOOKUP_MAX)
            ids = ids[:logic.SIGNATURE_LOOKUP_MAX]
        found = self._from_signing(f"signature requests of {len(ids)} contracts",
                                   self.signing_lookup.requests_for_contracts, license_id, {"contract_ids": ids})
        return found if isinstance(found, dict) else {}
