"""A contract's PDF: rendered from its contract type's template (or the default one) with the contract,
its customer, contact, lines, owner and issuer (the license's company profile), cached as a :class:`~.models.Document` per content
fingerprint, so the same content is rendered once. Rendering runs off the eventlet hub and sees only
this license's assets, read before it starts.
"""
from __future__ import annotations

import base64
import hashlib

from sqlalchemy import select

from paraph_platform.actor import load_actor, system_actor
from paraph_platform import offhub, pdf_sandbox
from paraph_platform.envelope import iso
from paraph_platform.service import endpoint

from . import pdf
from .base import ContractsBase, license_name
from .company_profile import load_profile, profile_view
from .contracts import contract_lines
from .customers import contact_view
from .exceptions import Conflict
from .models import Contact, Contract, ContractType, Customer, Document


class DocumentsEndpoints(ContractsBase):
    """The contracts' PDFs (staff download, internal reads)."""

    def _document(self, s, c: Contract) -> Document:
        customer = s.get(Customer, c.customer_id)
        contact = s.get(Contact, c.contact_id) if c.contact_id else None
        ctype = s.get(ContractType, c.contract_type_id) if c.contract_type_id else None
        lines = [{k: getattr(x, k) for k in ("product_code", "description", "quantity", "unit", "unit_price",
                                             "discount_pct", "tax_rate", "optional", "selected")}
                 for x in contract_lines(s, c.id)]
        context = pdf.build_context(
            contract={"kind": c.kind, "number": c.number, "title": c.title, "status": c.status,
                      "created_at": c.created_at, "valid_until": c.valid_until, "currency": c.currency,
                      "locale": c.locale, "deal_ref": c.deal_ref, "notes": c.notes, "data": dict(c.data or {}),
                      "custom": dict(c.custom or {})},
            customer={"name": customer.name, "code": customer.code, "kind": customer.kind,
                      "email": customer.email, "phone": customer.phone, "address": dict(customer.address or {}),
                      "vat_number": customer.vat_number},
            contact=contact_view(contact) if contact else None, lines=lines,
            owner={"name": c.owner_name, "email": c.owner_email}, issuer=self._issuer(s, c.license_id),
            field_labels=pdf.merge_field_labels(ctype.merge_fields if ctype else None))
        template = ctype.template_html if ctype and ctype.template_html else None
        fp = pdf.fingerprint(template, context)
        doc = s.execute(select(Document).where(Document.contract_id == c.id,
                                               Document.fingerprint == fp)).scalar_one_or_none()
        if doc is not None:
            return doc
        try:
            html = pdf.render_html(template, context)
        except Exception as exc:  # noqa: BLE001 - a template error is the user's to fix
            problem = pdf.describe_template_error(exc, template or pdf.default_template())
            raise Conflict(f"The contract type's template cannot be rendered: {problem}") from None
        # the assets are read here: the render thread only sees them in memory (no DB, no I/O, no logging)
        assets = self._assets(s, c.license_id, pdf_sandbox.fetched_urls(html))
        try:
            content = offhub.run(pdf.render_pdf, html, assets)  # CPU work off the eventlet hub
        except pdf_sandbox.FetchRefused as exc:
            pdf.refuse_urls(exc.urls)
        doc = Document(contract_id=c.id, fingerprint=fp, sha256=hashlib.sha256(content).hexdigest(),
                       size=len(content), content=content)
        s.add(doc)
        s.flush()
        return doc

    def _issuer(self, s, license_id) -> dict:
        """The company profile the PDF names as its issuer (named as the license until it is saved with a
        name), with the license's currency for its share capital."""
        profile, logo = load_profile(s, license_id)
        settings = self._settings(s, license_id, named=True)  # one read (one call to identity if it has none)
        return {**profile_view(profile, logo, license_name(settings)),
                "currency": settings.currency if settings is not None else "EUR"}

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
