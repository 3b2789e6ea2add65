"""Online quotes, staff side: email a quote's online page to a contact of its customer ("quote_send" the
first time that contact gets it, then reminders; optional PDF attachment and electronic signature request), each
send giving the contact a fresh unguessable link token stored hashed; the quote's sends, views, downloads and
feedback; and revoking its links. The public page those links open is in :mod:`.pages`.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select, update

from paraph_platform.db import utcnow
from paraph_platform.envelope import iso
from paraph_platform.errors import PlatformError
from paraph_platform.events import subscribe
from paraph_platform.inbox import handled_once
from paraph_platform.service import endpoint

from . import logic, schemas
from .base import UNAVAILABLE, PortalBase
from .exceptions import Conflict, InvalidInput
from .models import ClientAccess, Inbox, QuoteActivity, QuoteLink, QuoteSend, QuoteToken


log = logging.getLogger(__name__)


class OnlineQuotesEndpoints(PortalBase):
    """Sending quotes' online pages and following what the customer did with them (staff)."""

    def _quote(self, actor, contract_id) -> dict:
        detail = self.contracts.get_contract(actor, contract_id)
        if detail["kind"] != "quote":
            raise Conflict(f"Only quotes have an online page; this is a {detail['kind']}.")
        return detail

    @endpoint
    def send_info(self, actor, contract_id, params=None):
        """What the "Envoyer par email" / "Relancer par email" screen needs: data (whether and to whom the quote
        was sent, the email the recipient it shows gets), from which the screen words its button itself."""
        actor = self._staff(actor)
        recipient = schemas.SendInfoParams().load(params or {})["contact_id"]
        detail = self._quote(actor, contract_id)
        recipient = recipient or detail.get("contact_id")
        settings = self._license_settings(actor["license_id"]).get("settings") or {}
        of_the_quote = (QuoteSend.license_id == actor["license_id"], QuoteSend.contract_id == contract_id)
        with self.db.session() as s:
            sent_to = dict(s.execute(select(QuoteSend.contact_id, func.count()).where(*of_the_quote)
                                     .group_by(QuoteSend.contact_id)).all())
            last = s.execute(select(QuoteSend).where(*of_the_quote, QuoteSend.contact_id == recipient)
                             .order_by(QuoteSend.sent_at.desc(), QuoteSend.id.desc()).limit(1)).scalar_one_or_none()
        sends = sum(sent_to.values())
        return {"contract_id": contract_id, "sent": sends > 0, "sends": sends, "sent_to": sent_to,
                "template": logic.quote_template(sent_to.get(recipient, 0)),
                "templates": list(schemas.QUOTE_TEMPLATES),
                "default_contact_id": detail.get("contact_id"), "customer_id": detail["customer_id"],
                "request_signature_default": bool(settings.get("electronic_signature_enabled", False)),
                "last_send": last and {"at": iso(last.sent_at), "attach_pdf": last.attach_pdf,
                                       "request_signature": last.request_signature}}

    @endpoint(write=True)
    def send_quote(self, actor, contract_id, payload):
        """Email a quote's online page to a contact of its customer: "quote_send" the first time this contact
        gets it, "quote_reminder" afterwards; optional PDF attachment and electronic signature request."""
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
            # what this contact was sent (a colleague of theirs having had the quote is no reminder to them)
            previous, first = s.execute(select(func.count(), func.min(QuoteSend.sent_at)).where(
                QuoteSend.license_id == actor["license_id"], QuoteSend.contract_id == contract_id,
                QuoteSend.contact_id == contact_id)).one()
        reminder = previous > 0
        template = data["template"] or logic.quote_template(previous)
        # contracts records the send (status "sent", history, contract.sent.v1) and checks it may be sent
        detail = self.contracts.mark_sent(actor, contract_id, {"contact_id": contact_id, "reminder": reminder})
        locale = logic.pick_locale(data["locale"], detail.get("locale"))
        signature = {"requested": False}
        if request_signature:
            signature = self._request_signature(raw, actor, detail, contact, data["message"], locale)
        secret = logic.new_secret()
        expires = utcnow() + timedelta(days=self.settings.link_ttl_days)
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
            link.locale, link.last_sent_at = locale, utcnow()
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
                         vars={"name": contact.get("name") or "",
                               "license_name": license.get("name") or "",
                               "number": detail["number"], "title": detail["title"], "sender_name": sender,
                               "message": data["message"], "link": url, "valid_until": detail.get("valid_until") or "",
                               "sent_at": iso(first) if first else "", "sign": bool(signature.get("requested"))})
            return {"contract_id": contract_id, "contact_id": contact_id, "to": contact["email"],
                    "template": template, "reminder": reminder, "link": url, "expires_at": iso(expires),
                    "attach_pdf": data["attach_pdf"], "signature": signature}

    def _request_signature(self, raw, actor, detail, contact, message, locale) -> dict:
        """Reuse the pending request of this contact, else create one; never fail the send."""
        existing = self._signature_request(actor["license_id"], detail["id"])
        mine = logic.signer_for(existing, contact["id"], contact.get("email"))
        if existing and mine and mine["open"]:
            return {"requested": True, "request_id": existing.get("id") or existing.get("request_id"),
                    "reused": True}
        try:
            created = self.signature_requests.create_request(raw, {
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

    @subscribe("signing", "signature.document_downloaded.v1")
    @handled_once(Inbox, "portal.on_signed_document_downloaded")
    def on_signed_document_downloaded(self, s, event):
        """A contact downloaded the signed quote from their own signing link: a download of the quote like its
        online page's and the portal's (activity, quote.downloaded.v1, channel signing_link), once per event
        however often it is delivered; a link scanner's is a prefetch. Not a quote: nothing."""
        data = event["data"]
        if data["kind"] != "quote":
            return
        detail = self.contracts.get_contract_internal(event["license_id"], data["contract_id"])
        meta = {"ip": data.get("ip"), "user_agent": data.get("user_agent")}
        kind = "prefetch" if logic.prefetch("GET", meta["user_agent"]) else "downloaded"
        contact = {"contact_id": data["contact_id"], "name": data["name"], "email": data["email"]}
        self._activity(s, event["license_id"], data["contract_id"], detail, contact, kind, "signing_link", meta,
                       at=datetime.fromisoformat(data["at"]))

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
                link.revoked_at, link.revoked_by = utcnow(), actor["user_id"]
                s.execute(update(QuoteToken).where(QuoteToken.link_id == link.id, QuoteToken.revoked_at.is_(None))
                          .values(revoked_at=utcnow()))
                n += 1
            return {"revoked": n}
