"""Server-rendered pages: the public online quote page opened by its token (its view, its PDF download and
the feedback sent to the salesperson are kept in the quote activity log; link scanners' fetches are kept as
prefetches, not views), the portal's UI shells and the error page. A page answer is ``{"status", "html"}``
(rendered by the ``pages`` dependency), a redirect ``{"status": 303, "location"}``, or the PDF.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from paraph_platform import staff_pages
from paraph_platform.db import utcnow
from paraph_platform.envelope import iso
from paraph_platform.service import endpoint

from . import logic, schemas
from .base import UNAVAILABLE, PortalBase
from .exceptions import InvalidInput, NotFound
from .models import QuoteActivity, QuoteLink, QuoteToken


class PagesEndpoints(PortalBase):
    """The online quote page (public, opened by its token) and the portal's HTML pages."""

    def _link(self, token) -> tuple[QuoteLink | None, int | None]:
        if not logic.token_well_formed(token):
            return None, 404
        with self.db.session() as s:
            row = s.execute(select(QuoteToken, QuoteLink).join(QuoteLink, QuoteLink.id == QuoteToken.link_id)
                            .where(QuoteToken.token_hash == logic.hash_secret(token))).first()
        if row is None:
            return None, 404
        tok, link = row
        if link.revoked_at is not None or tok.revoked_at is not None or tok.expires_at <= utcnow():
            return link, 410
        return link, None

    def _record(self, link: QuoteLink, detail: dict, kind: str, meta: dict,
                message: str | None = None) -> dict | None:
        """One view/download/feedback on the online page (a link scanner's is a prefetch), kept with date
        and time, and its event (None: the page opened again moments later by the same browser, no new view)."""
        if kind in ("viewed", "downloaded") and logic.prefetch(meta.get("method"), meta.get("user_agent")):
            kind = "prefetch"  # the scanner gets the page; the salesperson is not told the customer looked
        if kind == "viewed" and self._just_viewed(link, meta):
            return None  # the same visitor switching language or reloading: still the view already kept
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
                                 vars={"name": owner["name"] or "", "license_name": owner["license_name"],
                                       "number": detail["number"], "title": detail.get("title") or "",
                                       "contact_name": link.contact_name, "contact_email": link.contact_email,
                                       "message": message, "at": data["at"],
                                       "link": staff_pages.contract_page(self.settings.public_url, link.contract_id)})
        return data

    def _just_viewed(self, link: QuoteLink, meta: dict) -> bool:
        """True when this link's page was viewed moments ago from the same browser (same address and user
        agent): the FR/EN switch and a reload open the page again without being a new view."""
        with self.db.session() as s:
            return s.execute(select(QuoteActivity.id).where(
                QuoteActivity.link_id == link.id, QuoteActivity.kind == "viewed",
                QuoteActivity.ip == logic.clip(meta.get("ip"), 64),
                QuoteActivity.user_agent == logic.clip(meta.get("user_agent"), 500),
                QuoteActivity.at > utcnow() - logic.SAME_VIEW_WITHIN).limit(1)).first() is not None

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

    def _own_feedback(self, link, locale: str, country) -> list[dict]:
        """What the link's contact sent from this page, oldest first (when and what): the page shows it back, so
        the customer sees what their contact person received (the form empties once it is sent)."""
        with self.db.session() as s:
            sent = s.execute(select(QuoteActivity.at, QuoteActivity.message)
                             .where(QuoteActivity.link_id == link.id, QuoteActivity.kind == "feedback")
                             .order_by(QuoteActivity.at, QuoteActivity.id)).all()
        return [{"at": logic.moment(at, locale, country), "at_iso": iso(at), "message": message or ""}
                for at, message in sent]

    def _render_quote(self, token, link, detail, meta, *, feedback_sent=False, error=None, status=200):
        locale = logic.pick_locale(meta.get("lang"), link.locale, detail.get("locale"))
        request = self._signature_request(link.license_id, link.contract_id)
        signer = logic.signer_for(request, link.contact_id, link.contact_email)
        seller_name, country = self._seller(link.license_id)
        context = logic.quote_context(detail, locale, signer, feedback_sent=feedback_sent, error=error,
                                      seller_name=seller_name, country=country,
                                      signed_document=logic.sealed_request_id(request) is not None,
                                      own_feedback=self._own_feedback(link, locale, country))
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
        """The quote's PDF from its online page, its sealed copy once signed by everybody (records the download:
        quote.downloaded.v1, unless a link scanner fetched it)."""
        meta = schemas.RequestMetaSchema().load(meta or {})
        link, detail, error = self._load_quote(token, meta)
        if error:
            return error
        try:
            pdf = self._document_pdf(link.license_id, link.contract_id)
        except UNAVAILABLE:
            return self._page_error(503, meta, link)
        self._record(link, detail, "downloaded", meta)
        return {"status": 200, "filename": pdf["filename"], "content_type": pdf["content_type"],
                "sha256": pdf.get("sha256"), "content_base64": pdf["content_base64"]}

    @endpoint(write=True)
    def quote_feedback(self, token, meta=None):
        """Remarks sent from the online page to the salesperson (quote.feedback_sent.v1 + email); once sent, the
        browser is sent on to the page saying so (post/redirect/get: a refresh does not send them again). A
        refusal (empty, too long, too many) is said on the page answering the post."""
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
                QuoteActivity.at > utcnow() - timedelta(hours=1))).scalar_one()
        if recent >= logic.FEEDBACK_PER_HOUR:
            return self._render_quote(token, link, detail, meta, error=logic.label(locale, "too_many"), status=429)
        self._record(link, detail, "feedback", meta, message=message)
        return {"status": 303, "location": f"/q/{token}/feedback?lang={locale}", "html": ""}

    @endpoint
    def quote_feedback_sent(self, token, meta=None):
        """Where the feedback form lands (GET /q/<token>/feedback): the online quote saying the remarks were sent
        (if this link sent some). Not a view: the contact is only told their remarks went."""
        meta = schemas.RequestMetaSchema().load(meta or {})
        link, detail, error = self._load_quote(token, meta)
        if error:
            return error
        with self.db.session() as s:
            sent = s.execute(select(QuoteActivity.id).where(
                QuoteActivity.link_id == link.id, QuoteActivity.kind == "feedback").limit(1)).first() is not None
        return self._render_quote(token, link, detail, meta, feedback_sent=sent)

    # -- portal UI shells (the data comes from /api/v1/portal with the client's token) -------------------------

    @endpoint
    def portal_page(self, page, meta=None):
        meta = schemas.RequestMetaSchema().load(meta or {})
        locale = logic.pick_locale(meta.get("lang"))
        if page not in ("home", "contract", "tasks", "profile", "forgot"):
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
