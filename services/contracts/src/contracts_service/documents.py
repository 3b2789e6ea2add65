"""A contract's PDF: rendered from its contract type's template (or the default one) with the contract,
its customer, contact, lines, owner and issuer (the license's company profile), cached as a :class:`~.models.Document` per content
fingerprint, so the same content is rendered once. Rendering runs off the eventlet hub and sees only
this license's assets, read before it starts.

A contract type's PDF preview (its author's, before any document uses the template) goes the same way, on
sample data (:func:`.pdf.preview_context`), and is not stored.
"""
from __future__ import annotations

import base64
import hashlib

from sqlalchemy import select

from paraph_platform.actor import load_actor, system_actor
from paraph_platform import offhub, pdf_sandbox
from paraph_platform.db import utcnow
from paraph_platform.envelope import iso
from paraph_platform.service import endpoint

from . import pdf
from .base import ContractsBase, license_name
from .company_profile import load_profile, profile_view
from .contract_types import TYPE_AUTHORS
from .contracts import contract_lines
from .customers import contact_view
from .exceptions import Conflict
from .models import Contact, Contract, ContractType, Customer, Document
from .schemas.contract_types import TemplatePreviewSchema


# a contract type's preview, as the browser names it when it is saved (in the document's language)
PREVIEW_FILENAME = {"fr": "{name} (aperçu).pdf", "en": "{name} (preview).pdf"}


class DocumentsEndpoints(ContractsBase):
    """The contracts' PDFs (staff download, internal reads)."""

    def _document(self, s, c: Contract) -> Document:
        customer = s.get(Customer, c.customer_id)
        contact = s.get(Contact, c.contact_id) if c.contact_id else None
        ctype = s.get(ContractType, c.contract_type_id) if c.contract_type_id else None
        lines = [{k: getattr(x, k) for k in ("product_code", "description", "quantity", "unit", "unit_price",
                                             "discount_pct", "tax_rate", "optional", "selected")}
                 for x in contract_lines(s, c.id)]
        columns = self._columns(s, c.license_id)
        context = pdf.build_context(
            contract={"kind": c.kind, "number": c.number, "title": c.title, "status": c.status,
                      "created_at": c.created_at, "valid_until": c.valid_until, "currency": c.currency,
                      "locale": c.locale, "deal_ref": c.deal_ref, "notes": c.notes, "data": dict(c.data or {}),
                      "custom": pdf.document_custom(columns, c.custom)},
            customer={"name": customer.name, "code": customer.code, "kind": customer.kind,
                      "email": customer.email, "phone": customer.phone, "address": dict(customer.address or {}),
                      "vat_number": customer.vat_number, "registration_number": customer.registration_number},
            contact=contact_view(contact) if contact else None, lines=lines,
            owner={"name": c.owner_name, "email": c.owner_email}, issuer=self._issuer(s, c.license_id),
            merge_fields=ctype.merge_fields if ctype else None)
        template = ctype.template_html if ctype and ctype.template_html else None
        fp = pdf.fingerprint(template, context)
        doc = s.execute(select(Document).where(Document.contract_id == c.id,
                                               Document.fingerprint == fp)).scalar_one_or_none()
        if doc is not None:
            return doc
        try:
            html = pdf.render_html(template, context)
        except Exception as exc:  # noqa: BLE001 - a template error is the user's to fix
            problem = pdf.describe_template_error(exc, template or pdf.default_template(), columns)
            raise Conflict(f"The contract type's template cannot be rendered: {problem}") from None
        content = self._sandboxed_pdf(s, c.license_id, html)
        doc = Document(contract_id=c.id, fingerprint=fp, sha256=hashlib.sha256(content).hexdigest(),
                       size=len(content), content=content)
        s.add(doc)
        s.flush()
        return doc

    def _sandboxed_pdf(self, s, license_id, html: str) -> bytes:
        """The HTML rendered to PDF off the eventlet hub, fetching nothing but data: URLs and this license's
        assets; a 422 naming the URLs it asked for otherwise (no PDF)."""
        # the assets are read here: the render process only sees them in memory (no DB, no I/O)
        assets = self._assets(s, license_id, pdf_sandbox.fetched_urls(html))
        try:
            return offhub.run(pdf.render_pdf, html, assets)  # CPU work off the eventlet hub
        except pdf_sandbox.FetchRefused as exc:
            pdf.refuse_urls(exc.urls)
            raise

    def _issuer(self, s, license_id) -> dict:
        """The company profile the PDF names as its issuer (named as the license until it is saved with a
        name), with the license's currency for its share capital and its country (pdf.issuer_country)."""
        profile, logo = load_profile(s, license_id)
        settings = self._settings(s, license_id, named=True)  # one read (one call to identity if it has none)
        return {**profile_view(profile, logo, license_name(settings)),
                "currency": settings.currency if settings is not None else "EUR",
                "company_country": settings.country if settings is not None else None}

    def _pdf_result(self, c: Contract, doc: Document) -> dict:
        return {"contract_id": c.id, "number": c.number, "filename": f"{c.number}.pdf",
                "content_type": "application/pdf", "sha256": doc.sha256, "size": doc.size,
                "rendered_at": iso(doc.rendered_at), "content_base64": base64.b64encode(doc.content).decode()}

    @endpoint
    def download_pdf(self, actor, contract_id):
        """The contract's PDF, rendered from its type's template (cached while nothing changes)."""
        actor = load_actor(actor)
        with self.db.session() as s:
            c = self._contract(s, actor, contract_id)
            return self._pdf_result(c, self._document(s, c))

    @endpoint
    def get_pdf(self, license_id, contract_id):
        """Internal (signing, portal, notify): the current PDF of a contract."""
        return self.download_pdf.__wrapped__(self, system_actor(license_id), contract_id)

    @endpoint
    def preview_contract_type_pdf(self, actor, type_id, payload=None):
        """A contract type's template rendered to PDF as a document of the type would be, on sample data: the
        template sent (as typed in its editor, not saved) or the saved one, refused as saving it would be (the
        same 422), then rendered with the license's company profile, a sample customer, contact and lines, the
        type's merge fields and the license's custom columns, signed by who asks for it (the salesperson of the
        documents they make: they check the layout as it names them), through the documents' sandbox. Nothing is
        stored."""
        actor, data = self._caller_and_payload(actor, TemplatePreviewSchema, payload or {}, roles=TYPE_AUTHORS)
        with self.db.session() as s:
            t = self._contract_type(s, actor, type_id)
            source = data.get("template_html", t.template_html) or None  # empty: Paraph's template
            columns = self._column_list(s, t.license_id)
            if source:
                self._check_template(s, t.license_id, source, t.merge_fields, columns)
            settings = self._settings(s, t.license_id, named=True)  # as _issuer reads it: one read
            locale = t.locale or (settings.locale if settings is not None else None) or "fr"
            _, owner_name, owner_email = self._owner(actor, None)  # as a document they make names them
            context = pdf.preview_context(
                kind=t.kind, title=t.name, locale=locale,
                currency=settings.currency if settings is not None else "EUR", merge_fields=list(t.merge_fields or []),
                columns=columns, owner={"name": owner_name, "email": owner_email},
                issuer=self._issuer(s, t.license_id), today=utcnow().date())
            try:
                html = pdf.render_html(source, context)
            except Exception as exc:  # noqa: BLE001 - a branch the sample data of the check did not take
                raise pdf.template_refused(exc, source or pdf.default_template(), [c["key"] for c in columns]) from None
            content = self._sandboxed_pdf(s, t.license_id, html)
            filename = PREVIEW_FILENAME.get(locale, PREVIEW_FILENAME["fr"]).format(name=t.name)
            return {"contract_type_id": t.id, "filename": filename, "content_type": "application/pdf",
                    "sha256": hashlib.sha256(content).hexdigest(), "size": len(content),
                    "content_base64": base64.b64encode(content).decode()}
