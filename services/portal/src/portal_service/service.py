"""portal nameko entrypoints: client (portal) access of customers' contacts, contracts shared on the
customer portal, what signed-in clients see, online quote pages (sent by email, viewed, downloaded,
commented) and the signature tasks of portal users.

Who sees what: staff methods check the contract or contact through contracts' perimeter-filtered
RPCs (404 outside the caller's perimeter); client methods are scoped in SQL by the client's
license, customer, company and branch (see :mod:`.logic`); online quote pages are opened by an
unguessable token stored hashed.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, delete, false, func, or_, select, update

from paraph_platform.actor import CLIENT, STAFF_ROLES, load_actor, require_role
from paraph_platform.db import Database, new_id
from paraph_platform.envelope import iso
from paraph_platform.errors import DeadlineExceeded, PlatformError
from paraph_platform.events import subscribe
from paraph_platform.inbox import first_time
from paraph_platform.outbox import Outbox as OutboxProvider
from paraph_platform.rpc import Rpc
from paraph_platform.readiness import PlatformService
from paraph_platform.service import RequestContext, endpoint

from . import logic, schemas
from .dependencies import Pages, Settings
from .exceptions import Conflict, Forbidden, InvalidInput, NotFound, Unavailable
from .models import (
    ClientAccess, IdempotencyKey, Inbox, Outbox, QuoteActivity, QuoteLink, QuoteSend, QuoteToken, Share,
    ShareParticipant,
)

log = logging.getLogger(__name__)

UNAVAILABLE = (Unavailable, DeadlineExceeded)


def _now():
    return datetime.now(timezone.utc)


def access_view(a: ClientAccess) -> dict:
    return {"contact_id": a.contact_id, "customer_id": a.customer_id, "user_id": a.user_id, "email": a.email,
            "name": a.name, "user_code": a.user_code, "company": a.company, "branch": a.branch,
            "allowed_ip": a.allowed_ip, "locale": a.locale, "role": CLIENT, "status": a.status,
            "created_at": iso(a.created_at), "updated_at": iso(a.updated_at)}


def _person(contact_id, accesses: dict, contacts: dict | None = None) -> dict:
    a = accesses.get(contact_id)
    c = (contacts or {}).get(contact_id) or {}
    return {"contact_id": contact_id, "name": (a.name if a else None) or c.get("name") or "",
            "email": (a.email if a else None) or c.get("email")}


class PortalService(PlatformService):
    name = "portal"

    db = Database(idempotency_model=IdempotencyKey)
    outbox = OutboxProvider(Outbox)
    ctx = RequestContext()
    settings = Settings()
    pages = Pages()
    contracts = Rpc("contracts")
    identity = Rpc("identity")
    signing = Rpc("signing")
    signing_lookup = Rpc("signing", timeout=3.0)  # page rendering never waits long for signing

    # -- helpers ---------------------------------------------------------------------------------

    @staticmethod
    def _staff(raw) -> dict:
        return require_role(load_actor(raw), *STAFF_ROLES)

    def _license_name(self, license_id: str) -> str:
        try:
            return self.identity.license_settings(license_id).get("name") or ""
        except PlatformError as exc:
            log.warning("license name of %s unavailable: %s", license_id, exc)
            return ""

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

    # -- client (portal) access of a customer's contact ----------------------------------------------

    @endpoint(write=True)
    def grant_access(self, actor, contact_id, payload):
        """Give a contact of a customer portal access (role Client): user code, email (the contact's
        by default), company (the customer's name by default), optional IP and branch restrictions.
        identity creates the membership and emails a set-password invitation."""
        actor = self._staff(actor)
        data = schemas.GrantAccessSchema().load(payload or {})
        contact = self.contracts.get_contact(actor, contact_id)  # 404 outside the caller's perimeter
        email = (data["email"] or contact.get("email") or "").strip().lower()
        if not email:
            raise InvalidInput("This contact has no email address: give the email the client signs in with.",
                               {"fields": {"email": ["Missing data for required field."]}})
        company = logic.clean_label(data["company"]) or contact.get("customer_name")
        branch = logic.clean_label(data["branch"])
        with self.db.session() as s:
            mine = self._access(s, actor["license_id"], contact_id)
            if mine is not None and mine.status != "deactivated" and mine.email != email:
                raise Conflict(f"This contact already has a portal access with {mine.email}; change it or "
                               "deactivate it first.", {"fields": {"email": ["the contact already has an access"]}})
            other = s.execute(select(ClientAccess).where(
                ClientAccess.license_id == actor["license_id"], ClientAccess.email == email,
                ClientAccess.contact_id != contact_id, ClientAccess.status != "deactivated")).scalars().first()
            if other is not None:
                raise Conflict(f"{email} already gives portal access to another contact "
                               f"({other.name or other.contact_id}).",
                               {"fields": {"email": ["used by another contact's access"]}})
        member = self.identity.grant_client_access(actor, {
            "email": email, "name": contact.get("name") or "", "user_code": data["user_code"],
            "contact_id": contact_id, "customer_id": contact["customer_id"], "company": company,
            "allowed_ip": str(data["allowed_ip"]) if data["allowed_ip"] is not None else None, "branch": branch,
            "locale": data["locale"] or "fr", "send_email": data["send_email"]})
        with self.db.session() as s:
            a = self._access(s, actor["license_id"], contact_id)
            if a is None:
                a = ClientAccess(license_id=actor["license_id"], contact_id=contact_id)
                s.add(a)
            a.customer_id, a.user_id, a.email = contact["customer_id"], member["user_id"], member["email"]
            a.name = member.get("name") or contact.get("name") or ""
            a.user_code, a.company, a.branch = member["user_code"], member["company"], member["branch"]
            a.allowed_ip, a.locale, a.status = member["allowed_ip"], member.get("locale") or "fr", member["status"]
            a.granted_by, a.updated_at = actor["user_id"], _now()
            s.flush()
            return access_view(a)

    def _known_access(self, s, actor, contact_id) -> ClientAccess:
        self.contracts.get_contact(actor, contact_id)  # perimeter check
        a = self._access(s, actor["license_id"], contact_id)
        if a is None:
            raise NotFound("This contact has no portal access.")
        return a

    @endpoint
    def get_access(self, actor, contact_id):
        actor = self._staff(actor)
        with self.db.session() as s:
            a = self._known_access(s, actor, contact_id)
            try:  # refresh the mirrored status (activation happens in identity)
                member = self.identity.resolve_users(actor["license_id"], [a.user_id]).get(a.user_id)
            except UNAVAILABLE:
                member = None
            if member and member.get("role") == CLIENT and member.get("status") != a.status:
                a.status = member["status"]
            return access_view(a)

    @endpoint(write=True)
    def update_access(self, actor, contact_id, payload):
        """Change a client's company, IP restriction, branch restriction or user code."""
        actor = self._staff(actor)
        data = schemas.UpdateAccessSchema().load(payload or {})
        if not data:
            raise InvalidInput("Nothing to change.")
        if "allowed_ip" in data and data["allowed_ip"] is not None:
            data["allowed_ip"] = str(data["allowed_ip"])
        for key in ("company", "branch"):
            if key in data:
                data[key] = logic.clean_label(data[key])
        with self.db.session() as s:
            a = self._known_access(s, actor, contact_id)
            member = self.identity.update_client_access(actor, a.user_id, data)
            for key in ("user_code", "company", "branch", "allowed_ip"):
                setattr(a, key, member.get(key))
            a.updated_at = _now()
            return access_view(a)

    @endpoint(write=True)
    def revoke_access(self, actor, contact_id):
        """Deactivate a client's portal access (their sessions end; shares stop showing to them)."""
        actor = self._staff(actor)
        with self.db.session() as s:
            a = self._known_access(s, actor, contact_id)
            if a.status != "deactivated":
                self.identity.deactivate_user(actor, a.user_id)
                a.status, a.updated_at = "deactivated", _now()
            return access_view(a)

    @endpoint(write=True)
    def resend_access_invitation(self, actor, contact_id):
        actor = self._staff(actor)
        with self.db.session() as s:
            a = self._known_access(s, actor, contact_id)
            if a.status != "invited":
                raise Conflict(f"This access is {a.status}; only pending invitations can be re-sent.")
            self.identity.resend_invitation(actor, a.user_id)
            return access_view(a)

    @endpoint
    def list_accesses(self, actor, customer_id):
        """Portal clients of a customer (the "Manage clients" settings)."""
        actor = self._staff(actor)
        self.contracts.get_customer(actor, customer_id)  # perimeter check
        with self.db.session() as s:
            rows = s.execute(select(ClientAccess).where(ClientAccess.license_id == actor["license_id"],
                                                        ClientAccess.customer_id == customer_id)
                             .order_by(ClientAccess.company, ClientAccess.name)).scalars().all()
            return [access_view(a) for a in rows]

    @endpoint
    def list_clients(self, actor, params=None):
        """The license's portal clients with their customer (Settings > Customer portal > Manage clients),
        filtered in SQL; a user who is not a license admin sees those of the customers of their perimeters."""
        actor = self._staff(actor)
        p = schemas.ClientListSchema().load(params or {})
        conds = [ClientAccess.license_id == actor["license_id"]]
        if p["q"]:
            like = f"%{p['q'].lower()}%"
            conds.append(or_(*(func.lower(col).like(like) for col in (ClientAccess.name, ClientAccess.email,
                                                                       ClientAccess.user_code, ClientAccess.company))))
        if p["status"]:
            conds.append(ClientAccess.status == p["status"])
        if p["company"]:
            conds.append(func.lower(ClientAccess.company) == logic.norm(p["company"]))
        if p["customer_id"]:
            conds.append(ClientAccess.customer_id == p["customer_id"])
        with self.db.session() as s:
            customer_ids = [i for (i,) in s.execute(select(ClientAccess.customer_id).where(*conds).distinct())]
        # the perimeter filter is contracts' (SQL over its scope replica): it answers which of these customers
        # the caller sees, with their names
        names = self.contracts.visible_customers(actor, customer_ids)["names"] if customer_ids else {}
        conds.append(ClientAccess.customer_id.in_(list(names)))
        with self.db.session() as s:
            total = s.execute(select(func.count()).select_from(ClientAccess).where(*conds)).scalar_one()
            rows = s.execute(select(ClientAccess).where(*conds)
                             .order_by(func.lower(ClientAccess.company), ClientAccess.name, ClientAccess.id)
                             .limit(p["limit"]).offset(p["offset"])).scalars().all()
            items = [{**access_view(a), "customer_name": names.get(a.customer_id, "")} for a in rows]
        return {"items": items, "total": total, "limit": p["limit"], "offset": p["offset"]}

    @subscribe("identity", "user.activated.v1")
    def on_user_activated(self, event):
        self._mirror_status(event, "active", "portal.on_user_activated")

    @subscribe("identity", "user.deactivated.v1")
    def on_user_deactivated(self, event):
        self._mirror_status(event, "deactivated", "portal.on_user_deactivated")

    def _mirror_status(self, event, status, consumer):
        data = event["data"]
        if data.get("role") != CLIENT:
            return
        with self.db.session() as s:
            if not first_time(s, Inbox, event["id"], consumer):
                return
            for a in s.execute(select(ClientAccess).where(ClientAccess.license_id == data["license_id"],
                                                          ClientAccess.user_id == data["user_id"])).scalars():
                if status == "active" and a.status == "deactivated":
                    continue  # an old activation arriving after a deactivation
                a.status, a.updated_at = status, _now()

    # -- shares (staff) ---------------------------------------------------------------------------------

    def _share(self, s, license_id, contract_id) -> Share | None:
        return s.execute(select(Share).where(Share.license_id == license_id,
                                             Share.contract_id == contract_id)).scalar_one_or_none()

    def _participants(self, s, share_ids) -> dict:
        out = {i: [] for i in share_ids}
        if share_ids:
            for p in s.execute(select(ShareParticipant).where(ShareParticipant.share_id.in_(list(share_ids)))
                               .order_by(ShareParticipant.role.desc(), ShareParticipant.contact_id)).scalars():
                out[p.share_id].append(p)
        return out

    def _share_view(self, s, share: Share, participants=None, accesses=None) -> dict:
        participants = participants if participants is not None else self._participants(s, [share.id])[share.id]
        if accesses is None:
            accesses = self._accesses(s, share.license_id, [p.contact_id for p in participants])
        return {
            "id": share.id, "contract_id": share.contract_id, "number": share.number, "title": share.title,
            "kind": share.kind, "status": share.status, "customer_id": share.customer_id,
            "customer_name": share.customer_name, "company": share.company, "branch": share.branch,
            "active": share.revoked_at is None,
            "requester": _person(share.requester_contact_id, accesses),
            "observers": [_person(p.contact_id, accesses) for p in participants if p.role == "observer"],
            "show_attachments": share.show_attachments, "message": share.message,
            "shared_by": share.shared_by, "shared_by_name": share.shared_by_name, "shared_at": iso(share.shared_at),
            "updated_at": iso(share.updated_at), "revoked_at": iso(share.revoked_at),
        }

    @endpoint(write=True)
    def share_contract(self, actor, contract_id, payload):
        """Show a contract on the customer portal to a requester and observers (portal clients of the
        contract's customer, same company); they are emailed a link to the portal contract page."""
        raw = actor
        actor = self._staff(actor)
        data = schemas.ShareSchema().load(payload or {})
        contract = self.contracts.get_contract(actor, contract_id)  # 404 outside the perimeter
        observers = list(dict.fromkeys(o for o in data["observer_contact_ids"] if o != data["requester_contact_id"]))
        ids = [data["requester_contact_id"]] + observers
        contacts = self.contracts.get_contacts_internal(actor["license_id"], ids)
        with self.db.session() as s:
            accesses = {k: access_view(v) for k, v in self._accesses(s, actor["license_id"], ids).items()}
        requester = data["requester_contact_id"]
        branch = logic.share_branch(data["branch"], contacts.get(requester) or {}, accesses.get(requester) or {})
        company = logic.check_participants(contract["customer_id"], contract.get("customer_name") or "",
                                           requester, observers, contacts, accesses, branch)
        if data["show_attachments"] is not None:
            self.contracts.set_portal_visibility(actor, contract_id, {"attachments": data["show_attachments"]})
        license_name = self._license_name(actor["license_id"])
        shared_by_name = raw.get("name") or actor.get("email") or ""
        with self.db.session() as s:
            share = self._share(s, actor["license_id"], contract_id)
            created = share is None or share.revoked_at is not None
            if share is None:
                share = Share(license_id=actor["license_id"], contract_id=contract_id, version=0)
                s.add(share)
            elif share.revoked_at is not None:
                s.execute(delete(ShareParticipant).where(ShareParticipant.share_id == share.id))
                share.shared_at, share.revoked_at, share.revoked_by = _now(), None, None
            share.customer_id, share.customer_name = contract["customer_id"], contract.get("customer_name") or ""
            share.company, share.branch, share.requester_contact_id = company, branch, requester
            share.show_attachments, share.message = data["show_attachments"], data["message"]
            share.kind, share.number, share.title = contract["kind"], contract["number"], contract["title"]
            share.status, share.owner_id = contract["status"], contract["owner_id"]
            share.shared_by, share.shared_by_name, share.updated_at = actor["user_id"], shared_by_name, _now()
            share.version = (share.version or 0) + 1
            s.flush()
            existing = {p.contact_id: p for p in self._participants(s, [share.id])[share.id]}
            for cid, p in existing.items():
                if cid not in ids:
                    s.delete(p)
            link = logic.portal_contract_url(self.settings.public_url, contract_id)
            for cid in ids:
                role = "requester" if cid == requester else "observer"
                p = existing.get(cid)
                if p is None:
                    p = ShareParticipant(share_id=share.id, contact_id=cid, role=role,
                                         user_id=accesses[cid]["user_id"])
                    s.add(p)
                p.role = role
                if p.notified_at is None:
                    a = accesses[cid]
                    self._notify(s, actor["license_id"], contract_id, to=a["email"], to_name=a["name"],
                                 locale=a["locale"], template="contract_shared", user_id=a["user_id"],
                                 customer_id=contract["customer_id"],
                                 dedupe_key=f"contract_shared:{share.id}:{share.version}:{cid}",
                                 vars={"name": a["name"] or a["email"], "license_name": license_name,
                                       "number": contract["number"], "title": contract["title"],
                                       "shared_by": shared_by_name, "link": link, "message": data["message"],
                                       "role": role})
                    p.notified_at = _now()
            self.outbox.add(s, "contract.shared.v1", {
                "contract_id": contract_id, "number": contract["number"], "title": contract["title"],
                "kind": contract["kind"], "owner_id": contract["owner_id"], "customer_id": contract["customer_id"],
                "requester_contact_id": requester, "observer_contact_ids": observers, "branch": branch,
                "company": company, "shared_by": actor["user_id"], "shared_by_name": shared_by_name},
                subject=contract_id, license_id=actor["license_id"])
            s.flush()
            view = self._share_view(s, share)
            view["created"] = created
            return view

    @endpoint(write=True)
    def unshare_contract(self, actor, contract_id):
        """Stop showing a contract on the customer portal."""
        actor = self._staff(actor)
        contract = self.contracts.get_contract(actor, contract_id)
        with self.db.session() as s:
            share = self._share(s, actor["license_id"], contract_id)
            if share is None or share.revoked_at is not None:
                raise NotFound("This contract is not shared on the customer portal.")
            share.revoked_at, share.revoked_by, share.updated_at = _now(), actor["user_id"], _now()
            self.outbox.add(s, "contract.unshared.v1", {
                "contract_id": contract_id, "number": contract["number"], "owner_id": contract["owner_id"],
                "unshared_by": actor["user_id"]}, subject=contract_id, license_id=actor["license_id"])
            return self._share_view(s, share)

    @endpoint
    def contract_portal(self, actor, contract_id):
        """Staff view: is the contract shared, with whom, and what the portal shows of it."""
        actor = self._staff(actor)
        detail = self.contracts.get_contract(actor, contract_id)
        with self.db.session() as s:
            share = self._share(s, actor["license_id"], contract_id)
            view = self._share_view(s, share) if share is not None else None
        return {"contract_id": contract_id, "number": detail["number"],
                "shared": bool(view and view["active"]),
                "portal_shared": bool((detail.get("portal") or {}).get("shared")),
                "share": view, **logic.portal_summary(detail)}

    @subscribe("contracts", "contract.status_changed.v1")
    def on_status_changed(self, event):
        """Keep the clients' list up to date (status snapshot of shared contracts)."""
        data = event["data"]
        with self.db.session() as s:
            if not first_time(s, Inbox, event["id"], "portal.on_status_changed"):
                return
            share = self._share(s, event["license_id"], data["contract_id"])
            if share is not None:
                share.status = data["to_status"]

    # -- what a signed-in client sees ------------------------------------------------------------------------

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

    @staticmethod
    def _visible(client: logic.ClientScope):
        """The visibility rule of logic.share_visible, as a SQL condition on Share."""
        if not client.customer_id:
            return false()
        mine = Share.id.in_(select(ShareParticipant.share_id).where(ShareParticipant.contact_id == client.contact_id)) \
            if client.contact_id else None
        company = func.lower(Share.company) == logic.norm(client.company) if client.company else None
        who = [c for c in (mine, company) if c is not None]
        conds = [Share.license_id == client.license_id, Share.customer_id == client.customer_id,
                 Share.revoked_at.is_(None), or_(*who) if who else false()]
        if logic.norm(client.branch) is not None:
            conds.append(func.lower(Share.branch) == logic.norm(client.branch))
        return and_(*conds)

    def _client_share(self, s, client, contract_id) -> Share:
        share = s.execute(select(Share).where(Share.contract_id == contract_id, self._visible(client))
                          ).scalar_one_or_none()
        if share is None:
            raise NotFound("Contract not found.")
        return share

    @endpoint
    def client_contracts(self, actor):
        """Contracts shared with the signed-in client or their company (branch rule applies)."""
        client = self._client(actor)
        with self.db.session() as s:
            shares = s.execute(select(Share).where(self._visible(client))
                               .order_by(Share.shared_at.desc(), Share.id)).scalars().all()
            parts = self._participants(s, [x.id for x in shares])
            accesses = self._accesses(s, client.license_id, {p.contact_id for ps in parts.values() for p in ps})
            items = []
            for share in shares:
                view = self._share_view(s, share, parts[share.id], accesses)
                me = next((p.role for p in parts[share.id] if p.contact_id == client.contact_id), None)
                items.append({"contract_id": share.contract_id, "kind": share.kind, "number": share.number,
                              "title": share.title, "status": share.status, "shared_at": view["shared_at"],
                              "company": share.company, "branch": share.branch, "requester": view["requester"],
                              "observers": view["observers"], "my_role": me, "portal_visible": True})
            return {"items": items, "total": len(items)}

    @endpoint
    def client_contract(self, actor, contract_id, meta=None):
        """A shared contract with only its portal-visible attachments and milestones (a quote's view is
        recorded: quote.viewed.v1, channel portal)."""
        meta = schemas.ClientMetaSchema().load(meta or {})
        client = self._client(actor)
        with self.db.session() as s:
            share = self._client_share(s, client, contract_id)
            share_view = self._share_view(s, share)
        detail = self.contracts.get_contract_internal(client.license_id, contract_id)
        view = logic.client_contract_view(detail)
        me = self._me(client)
        view["total_formatted"] = logic.money(detail.get("total"), detail.get("currency") or "EUR",
                                              logic.pick_locale(me.get("locale"), detail.get("locale")))
        view.update({"contract_id": contract_id, "portal_visible": True, "shared_at": share_view["shared_at"],
                     "requester": share_view["requester"], "observers": share_view["observers"],
                     "message": share.message, "branch": share.branch, "company": share.company})
        request = self._signature_request(client.license_id, contract_id)
        view["signature"] = logic.signer_for(request, client.contact_id, me.get("email"))
        self._record_client(client, share, detail, "viewed", meta)
        return view

    def _me(self, client) -> dict:
        with self.db.session() as s:
            a = s.execute(select(ClientAccess).where(ClientAccess.license_id == client.license_id,
                                                     ClientAccess.user_id == client.user_id)).scalars().first()
            return access_view(a) if a else {}

    @endpoint
    def client_pdf(self, actor, contract_id, meta=None):
        """A shared contract's PDF (a quote's download is recorded: quote.downloaded.v1, channel portal)."""
        meta = schemas.ClientMetaSchema().load(meta or {})
        client = self._client(actor)
        with self.db.session() as s:
            share = self._client_share(s, client, contract_id)
        pdf = self.contracts.get_pdf(client.license_id, contract_id)
        if share.kind == "quote":
            detail = self.contracts.get_contract_internal(client.license_id, contract_id)
            self._record_client(client, share, detail, "downloaded", meta)
        return pdf

    @endpoint
    def client_attachment(self, actor, attachment_id):
        """An attachment of a shared contract, if it is (still) visible on the portal."""
        client = self._client(actor)
        a = self.contracts.get_attachment_internal(client.license_id, attachment_id)
        if not a.get("portal_visible"):
            raise NotFound("Attachment not found.")
        with self.db.session() as s:
            try:
                self._client_share(s, client, a["contract_id"])
            except NotFound:
                raise NotFound("Attachment not found.") from None
        return a

    @endpoint
    def client_me(self, actor):
        client = self._client(actor)
        me = self._me(client)
        return {"user_id": client.user_id, "contact_id": client.contact_id, "customer_id": client.customer_id,
                "company": client.company, "branch": client.branch, "name": me.get("name"),
                "email": me.get("email"), "locale": me.get("locale") or "fr"}

    # -- self-service: a client keeps their own details and their company's up to date ---------------------

    def _client_record(self, client: logic.ClientScope):
        if not (client.customer_id and client.contact_id):
            raise Forbidden("Your portal access is not linked to a contact of a customer.")
        return client.license_id, client.customer_id, client.contact_id

    @endpoint
    def client_profile(self, actor):
        """The client's contact details and their company's, as they may edit them."""
        return self.contracts.client_profile_internal(*self._client_record(self._client(actor)))

    @endpoint(write=True)
    def client_update_contact(self, actor, payload):
        """The client changes their own contact details (contracts validates them, keeps the change in the
        customer's history and tells the customer's owner)."""
        client = self._client(actor)
        return self.contracts.apply_client_contact_update(*self._client_record(client), self._by(client), payload)

    @endpoint(write=True)
    def client_update_company(self, actor, payload):
        """The client changes their company's address, phone or email (same path as their own details)."""
        client = self._client(actor)
        return self.contracts.apply_client_company_update(*self._client_record(client), self._by(client), payload)

    def _by(self, client: logic.ClientScope) -> dict:
        """Who made a self-service change, as the customer's history names them."""
        me = self._me(client)
        return {"user_id": client.user_id, "name": me.get("name") or me.get("email") or ""}

    # -- signature tasks (clients and collaborators) ---------------------------------------------------------

    @endpoint
    def tasks(self, actor):
        """The signed-in user's approvals and signatures waiting in the signing service."""
        if load_actor(actor)["role"] == CLIENT:
            self._client(actor)  # a withdrawn portal access is refused at once
        try:
            result = self.signing.tasks_for(actor)
        except UNAVAILABLE as exc:
            log.warning("signing unavailable for tasks: %s", exc)
            return {"items": [], "signing_available": False}
        items = result.get("items", []) if isinstance(result, dict) else list(result or [])
        for item in items:
            if isinstance(item, dict):
                item["sign_path"] = next((p for p in (logic.sign_path(item.get(k)) for k in logic.PATH_KEYS) if p),
                                         None)
        return {"items": items, "signing_available": True}

    @endpoint(write=True)
    def act(self, actor, participant_id, payload):
        """Approve, sign or decline a task (the signing service checks it is the caller's)."""
        if load_actor(actor)["role"] == CLIENT:
            self._client(actor)
        schemas.ActSchema().load(payload or {})
        return self.signing.act(actor, participant_id, payload)

    def _signature_request(self, license_id, contract_id):
        try:
            return self.signing_lookup.request_for_contract(license_id, contract_id)
        except PlatformError as exc:
            if not isinstance(exc, NotFound):
                log.info("signature request of %s unavailable: %s", contract_id, exc)
            return None
        except Exception as exc:  # noqa: BLE001 - the page shows without the sign button
            log.warning("signature request of %s failed: %s", contract_id, exc)
            return None

    # -- online quotes: sending (staff) ------------------------------------------------------------------

    def _quote(self, actor, contract_id) -> dict:
        detail = self.contracts.get_contract(actor, contract_id)
        if detail["kind"] != "quote":
            raise Conflict(f"Only quotes have an online page; this is a {detail['kind']}.")
        return detail

    @endpoint
    def send_info(self, actor, contract_id):
        """What the "Envoyer par email" / "Relancer par email" screen needs."""
        actor = self._staff(actor)
        detail = self._quote(actor, contract_id)
        settings = self._license_settings(actor["license_id"]).get("settings") or {}
        with self.db.session() as s:
            sends = s.execute(select(func.count()).select_from(QuoteSend).where(
                QuoteSend.license_id == actor["license_id"], QuoteSend.contract_id == contract_id)).scalar_one()
        locale = logic.pick_locale(detail.get("locale"))
        return {"contract_id": contract_id, "sent": sends > 0, "sends": sends,
                "template": logic.quote_template(sends), "templates": list(schemas.QUOTE_TEMPLATES),
                "button": logic.send_button(sends, locale),
                "default_contact_id": detail.get("contact_id"), "customer_id": detail["customer_id"],
                "request_signature_default": bool(settings.get("electronic_signature_enabled", False))}

    @endpoint(write=True)
    def send_quote(self, actor, contract_id, payload):
        """Email a quote's online page to a contact of its customer: "quote_send" the first time,
        "quote_reminder" afterwards; optional PDF attachment and electronic signature request."""
        raw = actor
        actor = self._staff(actor)
        data = schemas.SendQuoteSchema().load(payload or {})
        detail = self._quote(actor, contract_id)
        contact_id = data["contact_id"] or detail.get("contact_id")
        if not contact_id:
            raise InvalidInput("Choose the contact to send the quote to (the quote has no contact).",
                               {"fields": {"contact_id": ["Missing data for required field."]}})
        contact = self.contracts.get_contact(actor, contact_id)
        if contact["customer_id"] != detail["customer_id"]:
            raise InvalidInput("The recipient must be a contact of the quote's customer.",
                               {"fields": {"contact_id": ["not a contact of this customer"]}})
        if not contact.get("email"):
            raise InvalidInput(f"{contact.get('name') or 'This contact'} has no email address.",
                               {"fields": {"contact_id": ["the contact has no email address"]}})
        license = self._license_settings(actor["license_id"])
        esign = bool((license.get("settings") or {}).get("electronic_signature_enabled", False))
        request_signature = esign if data["request_signature"] is None else data["request_signature"]
        if request_signature and not esign:
            raise InvalidInput("Electronic signature is not enabled for this license (Configuration).",
                               {"fields": {"request_signature": ["electronic signature is disabled"]}})
        with self.db.session() as s:
            previous = s.execute(select(func.count()).select_from(QuoteSend).where(
                QuoteSend.license_id == actor["license_id"], QuoteSend.contract_id == contract_id)).scalar_one()
            first = s.execute(select(func.min(QuoteSend.sent_at)).where(
                QuoteSend.license_id == actor["license_id"], QuoteSend.contract_id == contract_id)).scalar_one()
        reminder = previous > 0
        template = data["template"] or logic.quote_template(previous)
        # contracts records the send (status "sent", history, contract.sent.v1) and checks it may be sent
        detail = self.contracts.mark_sent(actor, contract_id, {"contact_id": contact_id, "reminder": reminder})
        locale = logic.pick_locale(data["locale"], detail.get("locale"))
        signature = {"requested": False}
        if request_signature:
            signature = self._request_signature(raw, actor, detail, contact, data["message"], locale)
        secret = logic.new_secret()
        expires = _now() + timedelta(days=self.settings.link_ttl_days)
        url = logic.quote_url(self.settings.public_url, secret)
        with self.db.session() as s:
            link = s.execute(select(QuoteLink).where(
                QuoteLink.license_id == actor["license_id"], QuoteLink.contract_id == contract_id,
                QuoteLink.contact_id == contact_id)).scalar_one_or_none()
            if link is None:
                link = QuoteLink(license_id=actor["license_id"], contract_id=contract_id, contact_id=contact_id,
                                 created_by=actor["user_id"])
                s.add(link)
            link.contact_name, link.contact_email = contact.get("name") or "", contact["email"]
            link.locale, link.last_sent_at = locale, _now()
            link.revoked_at = link.revoked_by = None
            if signature.get("request_id"):
                link.signature_request_id = signature["request_id"]
            s.flush()
            s.add(QuoteToken(token_hash=logic.hash_secret(secret), link_id=link.id, expires_at=expires))
            send = QuoteSend(license_id=actor["license_id"], contract_id=contract_id, link_id=link.id,
                             contact_id=contact_id, to=contact["email"], template=template, reminder=reminder,
                             attach_pdf=data["attach_pdf"], request_signature=bool(signature.get("requested")),
                             signature_request_id=signature.get("request_id"), message=data["message"],
                             sent_by=actor["user_id"])
            s.add(send)
            s.flush()
            sender = raw.get("name") or detail.get("owner_name") or actor.get("email") or ""
            attachments = [{"kind": "contract_pdf", "id": contract_id, "filename": f"{detail['number']}.pdf"}] \
                if data["attach_pdf"] else None
            self._notify(s, actor["license_id"], contract_id, to=contact["email"], to_name=contact.get("name"),
                         locale=locale, template=template, dedupe_key=f"{template}:{send.id}",
                         customer_id=detail.get("customer_id"), email_subject=data["subject"],
                         attachments=attachments, reply_to=detail.get("owner_email") or actor.get("email"),
                         vars={"name": contact.get("name") or contact["email"],
                               "license_name": license.get("name") or "",
                               "number": detail["number"], "title": detail["title"], "sender_name": sender,
                               "message": data["message"], "link": url, "valid_until": detail.get("valid_until") or "",
                               "sent_at": iso(first) if first else "", "sign": bool(signature.get("requested"))})
            return {"contract_id": contract_id, "contact_id": contact_id, "to": contact["email"],
                    "template": template, "reminder": reminder, "link": url, "expires_at": iso(expires),
                    "attach_pdf": data["attach_pdf"], "signature": signature,
                    "next_button": logic.send_button(previous + 1, locale)}

    def _request_signature(self, raw, actor, detail, contact, message, locale) -> dict:
        """Reuse the pending request of this contact, else create one; never fail the send."""
        existing = self._signature_request(actor["license_id"], detail["id"])
        mine = logic.signer_for(existing, contact["id"], contact.get("email"))
        if existing and mine and mine["open"]:
            return {"requested": True, "request_id": existing.get("id") or existing.get("request_id"),
                    "reused": True}
        try:
            created = self.signing.create_request(raw, {
                "contract_id": detail["id"], "signers": [{"contact_id": contact["id"]}], "message": message or "",
                "locale": locale, "send_invitations": False})  # the quote email carries the way to sign
        except UNAVAILABLE as exc:
            log.warning("signing unavailable, quote %s sent without signature request: %s", detail["id"], exc)
            return {"requested": False, "available": False, "reason": "the signing service is unavailable"}
        except PlatformError as exc:
            log.warning("signature request for %s refused: %s", detail["id"], exc)
            return {"requested": False, "available": True, "reason": exc.message}
        return {"requested": True, "request_id": (created or {}).get("id") or (created or {}).get("request_id"),
                "reused": False}

    @endpoint
    def quote_activity(self, actor, contract_id):
        """Sends, views, downloads and feedback of a quote (online page and customer portal), with date
        and time; link scanners' prefetches of the online page are listed, not counted as views."""
        actor = self._staff(actor)
        detail = self._quote(actor, contract_id)
        with self.db.session() as s:
            rows = s.execute(select(QuoteActivity, func.coalesce(QuoteLink.contact_name, ClientAccess.name))
                             .outerjoin(QuoteLink, QuoteLink.id == QuoteActivity.link_id)
                             .outerjoin(ClientAccess, and_(ClientAccess.license_id == QuoteActivity.license_id,
                                                           ClientAccess.contact_id == QuoteActivity.contact_id))
                             .where(QuoteActivity.license_id == actor["license_id"],
                                    QuoteActivity.contract_id == contract_id)
                             .order_by(QuoteActivity.at, QuoteActivity.id)).all()
            sends = s.execute(select(QuoteSend).where(QuoteSend.license_id == actor["license_id"],
                                                      QuoteSend.contract_id == contract_id)
                              .order_by(QuoteSend.sent_at)).scalars().all()
            links = s.execute(select(QuoteLink).where(QuoteLink.license_id == actor["license_id"],
                                                      QuoteLink.contract_id == contract_id)).scalars().all()
            events = [{"kind": a.kind, "channel": a.channel, "at": iso(a.at), "contact_id": a.contact_id,
                       "contact_name": name or "", "ip": a.ip, "user_agent": a.user_agent, "message": a.message}
                      for a, name in rows]
            return {
                "contract_id": contract_id, "number": detail["number"],
                "view_count": detail.get("view_count", 0), "download_count": detail.get("download_count", 0),
                "views": sum(1 for e in events if e["kind"] == "viewed"),
                "downloads": sum(1 for e in events if e["kind"] == "downloaded"),
                "feedback": sum(1 for e in events if e["kind"] == "feedback"),
                "prefetches": sum(1 for e in events if e["kind"] == "prefetch"),
                "events": events,
                "sends": [{"at": iso(x.sent_at), "contact_id": x.contact_id, "to": x.to, "template": x.template,
                           "reminder": x.reminder, "attach_pdf": x.attach_pdf,
                           "request_signature": x.request_signature, "sent_by": x.sent_by} for x in sends],
                "links": [{"contact_id": x.contact_id, "contact_name": x.contact_name, "locale": x.locale,
                           "last_sent_at": iso(x.last_sent_at), "active": x.revoked_at is None,
                           "revoked_at": iso(x.revoked_at)} for x in links],
            }

    @endpoint(write=True)
    def revoke_quote_links(self, actor, contract_id):
        """Deactivate the quote's online page links (they show "link expired" from now on)."""
        actor = self._staff(actor)
        self._quote(actor, contract_id)
        with self.db.session() as s:
            n = 0
            for link in s.execute(select(QuoteLink).where(QuoteLink.license_id == actor["license_id"],
                                                          QuoteLink.contract_id == contract_id,
                                                          QuoteLink.revoked_at.is_(None))).scalars():
                link.revoked_at, link.revoked_by = _now(), actor["user_id"]
                s.execute(update(QuoteToken).where(QuoteToken.link_id == link.id, QuoteToken.revoked_at.is_(None))
                          .values(revoked_at=_now()))
                n += 1
            return {"revoked": n}

    # -- online quote page (public, opened by its token) ----------------------------------------------------

    def _link(self, token) -> tuple[QuoteLink | None, int | None]:
        if not logic.token_well_formed(token):
            return None, 404
        with self.db.session() as s:
            row = s.execute(select(QuoteToken, QuoteLink).join(QuoteLink, QuoteLink.id == QuoteToken.link_id)
                            .where(QuoteToken.token_hash == logic.hash_secret(token))).first()
        if row is None:
            return None, 404
        tok, link = row
        if link.revoked_at is not None or tok.revoked_at is not None or tok.expires_at <= _now():
            return link, 410
        return link, None

    def _activity(self, s, license_id, contract_id, detail: dict, contact: dict, kind: str, channel: str, meta: dict,
                  link_id: str | None = None, message: str | None = None) -> dict:
        """Keep one view/download/feedback/prefetch of a quote with date and time; a view or a download
        publishes quote.viewed.v1 / quote.downloaded.v1 (with its channel). Returns the event data."""
        at = _now()
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

    def _record(self, link: QuoteLink, detail: dict, kind: str, meta: dict, message: str | None = None) -> dict:
        """One view/download/feedback on the online page (a link scanner's is a prefetch), kept with date
        and time, and its event."""
        if kind in ("viewed", "downloaded") and logic.prefetch(meta.get("method"), meta.get("user_agent")):
            kind = "prefetch"  # the scanner gets the page; the salesperson is not told the customer looked
        owner = self._owner(link.license_id, detail) if kind == "feedback" else None
        contact = {"contact_id": link.contact_id, "name": link.contact_name, "email": link.contact_email}
        with self.db.session() as s:
            data = self._activity(s, link.license_id, link.contract_id, detail, contact, kind, "quote_page", meta,
                                  link_id=link.id, message=message)
            if kind == "feedback":
                event = self.outbox.add(s, "quote.feedback_sent.v1", {**data, "message": message},
                                        subject=link.contract_id, license_id=link.license_id)
                if owner.get("email"):
                    # same dedupe key as notify's own owner notification for this event: one email only
                    self._notify(s, link.license_id, link.contract_id, to=owner["email"], to_name=owner["name"],
                                 locale=owner["locale"], template="quote_feedback", user_id=detail["owner_id"],
                                 customer_id=detail.get("customer_id"),
                                 dedupe_key=f"{event['id']}:quote_feedback:email", reply_to=link.contact_email,
                                 vars={"name": owner["name"] or owner["email"], "license_name": owner["license_name"],
                                       "number": detail["number"], "title": detail.get("title") or "",
                                       "contact_name": link.contact_name, "contact_email": link.contact_email,
                                       "message": message, "at": data["at"],
                                       "link": f"{self.settings.public_url}/contracts/{link.contract_id}"})
        return data

    def _record_client(self, client: logic.ClientScope, share: Share, detail: dict, kind: str, meta: dict):
        """A signed-in portal client viewing a shared quote or downloading its PDF: the same activity and
        events as the online page, channel "portal". The same client opening it again within
        VIEW_BURST_SECONDS (page reloads) counts once."""
        if share.kind != "quote" or not client.contact_id:
            return
        if logic.prefetch(meta.get("method"), meta.get("user_agent")):
            kind = "prefetch"
        with self.db.session() as s:
            # one client request at a time per shared quote: reloads racing each other count once too
            s.execute(select(Share.id).where(Share.id == share.id).with_for_update())
            if kind != "prefetch" and s.execute(select(QuoteActivity.id).where(
                    QuoteActivity.license_id == client.license_id, QuoteActivity.contract_id == share.contract_id,
                    QuoteActivity.contact_id == client.contact_id, QuoteActivity.kind == kind,
                    QuoteActivity.channel == "portal",
                    QuoteActivity.at > _now() - timedelta(seconds=logic.VIEW_BURST_SECONDS)).limit(1)).first():
                return
            a = self._access(s, client.license_id, client.contact_id)
            contact = {"contact_id": client.contact_id, "name": a.name if a else "", "email": a.email if a else ""}
            self._activity(s, client.license_id, share.contract_id, detail, contact, kind, "portal", meta)

    def _owner(self, license_id, detail) -> dict:
        owner = {"email": detail.get("owner_email") or "", "name": detail.get("owner_name") or "",
                 "locale": detail.get("locale") or "fr", "license_name": ""}
        try:
            user = self.identity.resolve_users(license_id, [detail["owner_id"]]).get(detail["owner_id"])
            if user:
                owner.update({"email": user.get("email") or owner["email"], "name": user.get("name") or owner["name"],
                              "locale": user.get("locale") or owner["locale"]})
        except UNAVAILABLE:
            pass
        owner["license_name"] = self._license_name(license_id)
        return owner

    def _page_error(self, status, meta, link=None) -> dict:
        locale = logic.pick_locale(meta.get("lang"), link.locale if link else None)
        return {"status": status, "html": self.pages.error(status, locale, meta.get("nonce") or "")}

    def _load_quote(self, token, meta):
        """(link, detail, None) or (None, None, error page)."""
        link, status = self._link(token)
        if status:
            return None, None, self._page_error(status, meta, link)
        try:
            detail = self.contracts.get_contract_internal(link.license_id, link.contract_id)
        except NotFound:
            return None, None, self._page_error(410, meta, link)
        except UNAVAILABLE:
            return None, None, self._page_error(503, meta, link)
        return link, detail, None

    def _render_quote(self, token, link, detail, meta, *, feedback_sent=False, error=None, status=200):
        locale = logic.pick_locale(meta.get("lang"), link.locale, detail.get("locale"))
        request = self._signature_request(link.license_id, link.contract_id)
        signer = logic.signer_for(request, link.contact_id, link.contact_email)
        context = logic.quote_context(detail, locale, signer, feedback_sent=feedback_sent, error=error)
        context["contact_name"] = link.contact_name or context["contact_name"]
        html = self.pages.render("quote.html", locale, meta.get("nonce") or "", q=context, base=f"/q/{token}",
                                 other_locale="en" if locale == "fr" else "fr")
        return {"status": status, "html": html}

    @endpoint
    def quote_page(self, token, meta=None):
        """The online quote page (records the view: quote.viewed.v1; link scanners and HEAD requests get
        the page and are kept as prefetches, not views)."""
        meta = schemas.RequestMetaSchema().load(meta or {})
        link, detail, error = self._load_quote(token, meta)
        if error:
            return error
        self._record(link, detail, "viewed", meta)
        return self._render_quote(token, link, detail, meta)

    @endpoint
    def quote_pdf(self, token, meta=None):
        """The quote's PDF from its online page (records the download: quote.downloaded.v1, unless a link
        scanner fetched it)."""
        meta = schemas.RequestMetaSchema().load(meta or {})
        link, detail, error = self._load_quote(token, meta)
        if error:
            return error
        try:
            pdf = self.contracts.get_pdf(link.license_id, link.contract_id)
        except UNAVAILABLE:
            return self._page_error(503, meta, link)
        self._record(link, detail, "downloaded", meta)
        return {"status": 200, "filename": pdf["filename"], "content_type": pdf["content_type"],
                "sha256": pdf.get("sha256"), "content_base64": pdf["content_base64"]}

    @endpoint(write=True)
    def quote_feedback(self, token, meta=None):
        """Remarks sent from the online page to the salesperson (quote.feedback_sent.v1 + email)."""
        meta = schemas.RequestMetaSchema().load(meta or {})
        link, detail, error = self._load_quote(token, meta)
        if error:
            return error
        locale = logic.pick_locale(meta.get("lang"), link.locale, detail.get("locale"))
        try:
            message = logic.check_feedback(meta.get("message"))
        except InvalidInput as exc:
            return self._render_quote(token, link, detail, meta, error=exc.message, status=422)
        with self.db.session() as s:
            recent = s.execute(select(func.count()).select_from(QuoteActivity).where(
                QuoteActivity.link_id == link.id, QuoteActivity.kind == "feedback",
                QuoteActivity.at > _now() - timedelta(hours=1))).scalar_one()
        if recent >= logic.FEEDBACK_PER_HOUR:
            return self._render_quote(token, link, detail, meta, error=logic.label(locale, "too_many"), status=429)
        self._record(link, detail, "feedback", meta, message=message)
        return self._render_quote(token, link, detail, meta, feedback_sent=True)

    # -- portal UI shells (the data comes from /api/v1/portal with the client's token) -------------------------

    @endpoint
    def portal_page(self, page, meta=None):
        meta = schemas.RequestMetaSchema().load(meta or {})
        locale = logic.pick_locale(meta.get("lang"))
        if page not in ("home", "contract", "tasks", "profile"):
            return self._page_error(404, meta)
        contract_id = meta.get("contract_id") or ""
        if page == "contract" and not (0 < len(contract_id) <= 64 and contract_id.replace("-", "").isalnum()):
            return self._page_error(404, meta)
        html = self.pages.render("portal.html", locale, meta.get("nonce") or "", page=page, contract_id=contract_id,
                                 labels=logic.LABELS[locale], other_locale="en" if locale == "fr" else "fr")
        return {"status": 200, "html": html}

    @endpoint
    def error_page(self, status, meta=None):
        meta = schemas.RequestMetaSchema().load(meta or {})
        return self._page_error(int(status) if status in (404, 410, 503) else 503, meta)


SERVICE = PortalService
