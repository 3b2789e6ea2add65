"""Shares: contracts shown on the customer portal. Staff share a contract with a requester and observers
(portal clients of its customer, same company, optional branch) or stop sharing it; a signed-in client lists
and opens the shares visible to them (:meth:`SharesEndpoints._visible`, the SQL form of
``logic.share_visible``), with the contract's PDF and its portal-visible attachments, and their views and
downloads of a shared quote go to the quote activity log (channel "portal"). contracts' status events keep
the shares' status snapshot current.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, delete, false, func, or_, select

from paraph_platform.db import utcnow
from paraph_platform.envelope import iso
from paraph_platform.events import subscribe
from paraph_platform.inbox import handled_once
from paraph_platform.service import endpoint

from . import logic, schemas
from .base import PortalBase, access_view
from .exceptions import NotFound
from .models import Inbox, QuoteActivity, Share, ShareParticipant


def _person(contact_id, accesses: dict, contacts: dict | None = None) -> dict:
    """A requester or observer, by name. With ``contacts`` (staff: the participants' contacts as contracts has
    them: a deleted one is missing at once), also whether their contact was deleted since (their access says it
    once portal had contracts' contact.deleted, ``on_contact_deleted``) and whether the contract still shows to
    them: their portal access's status (deactivated: revoked by staff, or with their deleted contact). A client
    is not told a contact was deleted: that is the staff's business."""
    a = accesses.get(contact_id)
    c = (contacts or {}).get(contact_id) or {}
    person = {"contact_id": contact_id, "name": (a.name if a else None) or c.get("name") or "",
              "email": (a.email if a else None) or c.get("email")}
    if contacts is not None:
        person["contact_deleted"] = bool(a and a.contact_deleted_at) or contact_id not in contacts
        person["access_status"] = a.status if a else None
    return person


class SharesEndpoints(PortalBase):
    """Sharing a contract on the portal (staff), and what a signed-in client sees of it."""

    def _share(self, s, license_id, contract_id) -> Share | None:
        return s.execute(select(Share).where(Share.license_id == license_id,
                                             Share.contract_id == contract_id)).scalar_one_or_none()

    def _active_share(self, s, license_id, contract_id) -> Share:
        share = self._share(s, license_id, contract_id)
        if share is None or share.revoked_at is not None:
            raise NotFound("This contract is not shared on the customer portal.")
        return share

    def _participants(self, s, share_ids) -> dict:
        out = {i: [] for i in share_ids}
        if share_ids:
            for p in s.execute(select(ShareParticipant).where(ShareParticipant.share_id.in_(list(share_ids)))
                               .order_by(ShareParticipant.role.desc(), ShareParticipant.contact_id)).scalars():
                out[p.share_id].append(p)
        return out

    def _share_view(self, s, share: Share, participants=None, accesses=None, contacts=None) -> dict:
        """The share; with ``contacts``, as staff see it (see ``_person``)."""
        participants = participants if participants is not None else self._participants(s, [share.id])[share.id]
        if accesses is None:
            accesses = self._accesses(s, share.license_id, [p.contact_id for p in participants])
        return {
            "id": share.id, "contract_id": share.contract_id, "number": share.number, "title": share.title,
            "kind": share.kind, "status": share.status, "customer_id": share.customer_id,
            "customer_name": share.customer_name, "company": share.company, "branch": share.branch,
            "active": share.revoked_at is None,
            "requester": _person(share.requester_contact_id, accesses, contacts),
            "observers": [_person(p.contact_id, accesses, contacts) for p in participants if p.role == "observer"],
            "show_attachments": share.show_attachments, "message": share.message,
            "shared_by": share.shared_by, "shared_by_name": share.shared_by_name, "shared_at": iso(share.shared_at),
            "updated_at": iso(share.updated_at), "revoked_at": iso(share.revoked_at),
        }

    def _participant_contacts(self, share: Share) -> dict:
        """The contacts of a share's requester and observers as contracts has them (a deleted one is missing):
        read outside any transaction of ours, as every call to another service."""
        with self.db.session() as s:
            ids = [share.requester_contact_id] + [p.contact_id for p in self._participants(s, [share.id])[share.id]]
        return self.contracts.get_contacts_internal(share.license_id, list(dict.fromkeys(ids)))

    # -- staff ------------------------------------------------------------------------------------------

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
                share.shared_at, share.revoked_at, share.revoked_by = utcnow(), None, None
            share.customer_id, share.customer_name = contract["customer_id"], contract.get("customer_name") or ""
            share.company, share.branch, share.requester_contact_id = company, branch, requester
            share.show_attachments, share.message = data["show_attachments"], data["message"]
            share.kind, share.number, share.title = contract["kind"], contract["number"], contract["title"]
            share.status, share.owner_id = contract["status"], contract["owner_id"]
            share.shared_by, share.shared_by_name, share.updated_at = actor["user_id"], shared_by_name, utcnow()
            share.version = (share.version or 0) + 1
            s.flush()
            existing = {p.contact_id: p for p in self._participants(s, [share.id])[share.id]}
            for cid, p in existing.items():
                if cid not in ids:
                    s.delete(p)
            link = logic.portal_contract_url(self.settings.public_url, contract_id)
            # an observer's email says whose request they are copied on
            asker = accesses[requester]["name"] or accesses[requester]["email"]
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
                                 vars={"name": a["name"] or "", "license_name": license_name,
                                       "kind": contract["kind"], "number": contract["number"],
                                       "title": contract["title"],
                                       "shared_by": shared_by_name, "link": link, "message": data["message"],
                                       "role": role, "requester": asker if role == "observer" else ""})
                    p.notified_at = utcnow()
            self.outbox.add(s, "contract.shared.v1", {
                "contract_id": contract_id, "number": contract["number"], "title": contract["title"],
                "kind": contract["kind"], "owner_id": contract["owner_id"], "customer_id": contract["customer_id"],
                "requester_contact_id": requester, "observer_contact_ids": observers, "branch": branch,
                "company": company, "shared_by": actor["user_id"], "shared_by_name": shared_by_name},
                subject=contract_id, license_id=actor["license_id"])
            s.flush()
            view = self._share_view(s, share, contacts=contacts)
            view["created"] = created
            return view

    @endpoint(write=True)
    def unshare_contract(self, actor, contract_id):
        """Stop showing a contract on the customer portal."""
        actor = self._staff(actor)
        contract = self.contracts.get_contract(actor, contract_id)
        with self.db.session() as s:
            share = self._active_share(s, actor["license_id"], contract_id)
        contacts = self._participant_contacts(share)  # before writing: a retry after a failed read finds it shared
        with self.db.session() as s:
            share = self._active_share(s, actor["license_id"], contract_id)
            share.revoked_at, share.revoked_by, share.updated_at = utcnow(), actor["user_id"], utcnow()
            self.outbox.add(s, "contract.unshared.v1", {
                "contract_id": contract_id, "number": contract["number"], "owner_id": contract["owner_id"],
                "unshared_by": actor["user_id"]}, subject=contract_id, license_id=actor["license_id"])
            return self._share_view(s, share, contacts=contacts)

    @endpoint
    def contract_portal(self, actor, contract_id):
        """Staff view: is the contract shared, with whom, and what the portal shows of it."""
        actor = self._staff(actor)
        detail = self.contracts.get_contract(actor, contract_id)
        with self.db.session() as s:
            share = self._share(s, actor["license_id"], contract_id)
        contacts = self._participant_contacts(share) if share is not None else None
        with self.db.session() as s:
            view = self._share_view(s, share, contacts=contacts) if share is not None else None
        return {"contract_id": contract_id, "number": detail["number"],
                "shared": bool(view and view["active"]),
                "portal_shared": bool((detail.get("portal") or {}).get("shared")),
                "share": view, **logic.portal_summary(detail)}

    @subscribe("contracts", "contract.status_changed.v1")
    @handled_once(Inbox, "portal.on_status_changed")
    def on_status_changed(self, s, event):
        """Keep the clients' list up to date (status snapshot of shared contracts)."""
        share = self._share(s, event["license_id"], event["data"]["contract_id"])
        if share is not None:
            share.status = event["data"]["to_status"]

    # -- what a signed-in client sees -------------------------------------------------------------------

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
        # only a contract awaiting an answer may be awaiting someone else's signature: signing is asked about
        # those, all at once (newest shared first, as listed)
        awaiting = [i["contract_id"] for i in items if i["status"] == "sent"]
        email = self._me(client).get("email") if awaiting else None
        requests = self._signature_requests(client.license_id, awaiting)
        for item in items:
            item["reader_status"] = logic.reader_status(item["status"], requests.get(item["contract_id"]),
                                                        client.contact_id, email)
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
        view["signature"] = logic.participant_for(request, client.contact_id, me.get("email"))
        view["reader_status"] = logic.reader_status(view["status"], request, client.contact_id, me.get("email"))
        view["signed_document"] = logic.sealed_request_id(request) is not None
        self._record_client(client, share, detail, "viewed", meta)
        return view

    @endpoint
    def client_pdf(self, actor, contract_id, meta=None):
        """A shared contract's PDF: once signed by everybody, its sealed copy (the document signed, for every
        reader of the share, not only its signers), else the contract's own (a quote's download is recorded:
        quote.downloaded.v1, channel portal)."""
        meta = schemas.ClientMetaSchema().load(meta or {})
        client = self._client(actor)
        with self.db.session() as s:
            share = self._client_share(s, client, contract_id)
        pdf = self._document_pdf(client.license_id, contract_id)
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
                    QuoteActivity.at > utcnow() - timedelta(seconds=logic.VIEW_BURST_SECONDS)).limit(1)).first():
                return
            a = self._access(s, client.license_id, client.contact_id)
            contact = {"contact_id": client.contact_id, "name": a.name if a else "", "email": a.email if a else ""}
            self._activity(s, client.license_id, share.contract_id, detail, contact, kind, "portal", meta)
