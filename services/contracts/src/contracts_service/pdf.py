"""PDF rendering: the contract type's HTML template (sandboxed Jinja2, merge fields) through weasyprint.

Rendering is CPU work: callers run :func:`render_pdf` through ``paraph_platform.offhub.run`` so the
AMQP heartbeat keeps beating. Output is cached by a fingerprint of the template and the data it shows.
"""
from __future__ import annotations

import hashlib
import json
from importlib import resources

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from paraph_platform import pdf_sandbox

from . import logic
from .exceptions import InvalidInput

LABELS = {
    "fr": {"quote": "Devis", "contract": "Contrat", "order": "Commande", "invoice": "Facture",
           "number": "N°", "date": "Date", "customer": "Client", "contact": "Contact", "valid_until": "Valable jusqu'au",
           "description": "Désignation", "quantity": "Qté", "unit_price": "Prix unitaire", "discount": "Remise",
           "tax_rate": "TVA", "amount": "Montant HT", "subtotal": "Total HT", "tax": "TVA", "total": "Total TTC",
           "optional": "Options (non incluses)", "owner": "Votre interlocuteur", "signature": "Bon pour accord",
           "page": "Page"},
    "en": {"quote": "Quote", "contract": "Contract", "order": "Order", "invoice": "Invoice",
           "number": "No.", "date": "Date", "customer": "Customer", "contact": "Contact", "valid_until": "Valid until",
           "description": "Description", "quantity": "Qty", "unit_price": "Unit price", "discount": "Discount",
           "tax_rate": "VAT", "amount": "Net amount", "subtotal": "Subtotal", "tax": "VAT", "total": "Total",
           "optional": "Optional items (not included)", "owner": "Your contact", "signature": "Approved",
           "page": "Page"},
}

_env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def default_template() -> str:
    return resources.files("contracts_service").joinpath("templates/document.html").read_text()


def _stylesheet() -> str:
    return resources.files("contracts_service").joinpath("templates/document.css").read_text()


def sample_context(merge_fields: list, locale: str = "fr") -> dict:
    """A context with every variable a template may use, to validate templates when saved."""
    return build_context(
        contract={"kind": "quote", "number": "Q-2026-00001", "title": "Sample", "status": "draft",
                  "created_at": None, "valid_until": None, "currency": "EUR", "locale": locale, "deal_ref": None,
                  "notes": "", "data": {f["key"]: f.get("label", f["key"]) for f in merge_fields}, "custom": {}},
        customer={"name": "Client", "code": "C1", "kind": "company", "email": None, "phone": None, "address": {},
                  "vat_number": None},
        contact=None, lines=[], owner={"name": "Owner", "email": "owner@example.com"})


def build_context(*, contract: dict, customer: dict, contact: dict | None, lines: list, owner: dict | None) -> dict:
    locale = contract.get("locale") or "fr"
    currency = contract.get("currency") or "EUR"
    totals = logic.compute_totals(lines)

    def fmt(amount):
        return logic.format_money(amount, currency, locale)

    shown = []
    optional = []
    for line in lines:
        net = logic.line_net(line["quantity"], line["unit_price"], line.get("discount_pct") or 0)
        view = {**{k: str(v) if v is not None else "" for k, v in line.items()},
                "amount": fmt(net), "unit_price_fmt": fmt(line["unit_price"]),
                "discount": f"{line.get('discount_pct') or 0} %", "tax": f"{line.get('tax_rate') or 0} %"}
        (optional if line.get("optional") and not line.get("selected") else shown).append(view)
    return {
        "labels": LABELS.get(locale, LABELS["fr"]),
        "contract": {**contract, "created_at": logic.format_date(contract.get("created_at"), locale),
                     "valid_until": logic.format_date(contract.get("valid_until"), locale)},
        "fields": contract.get("data") or {},
        "custom": contract.get("custom") or {},
        "customer": customer, "contact": contact, "owner": owner or {"name": "", "email": ""},
        "lines": shown, "optional_lines": optional,
        "totals": {"subtotal": fmt(totals.subtotal), "tax": fmt(totals.tax_total), "total": fmt(totals.total),
                   "optional": fmt(totals.optional_total),
                   "taxes": [{**t, "tax_fmt": fmt(t["tax"]), "base_fmt": fmt(t["base"])} for t in totals.taxes]},
        "has_lines": bool(lines),
    }


def check_template(source: str, merge_fields: list) -> list[str]:
    """Compile and render the template on sample data (a broken template is refused with a 422); return
    every URL it would make the renderer fetch, to check once the license's assets are known."""
    try:
        sample = _env.from_string(source).render(**sample_context(merge_fields))
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        raise InvalidInput(f"The template cannot be rendered{where}: {exc}",
                           {"fields": {"template_html": [str(exc)]}}) from None
    # The source shows URLs in branches the sample data does not take; the sample shows computed URLs,
    # of which only absolute ones are meaningful (a relative one is a merge field's sample value, and is
    # refused at render time if the real value is not allowed).
    computed = [url for url in pdf_sandbox.fetched_urls(sample) if pdf_sandbox.url_scheme(url)]
    return list(dict.fromkeys(pdf_sandbox.fetched_urls(source) + computed))


def refuse_urls(urls: list[str]) -> None:
    """A 422 naming the URLs a template may not fetch (only data: URLs and the license's assets)."""
    if urls:
        raise InvalidInput(
            f"The template refers to {urls[0]!r}: a template may only use data: URLs and uploaded assets "
            f"({pdf_sandbox.ASSET_SCHEME}:<asset id>).",
            {"fields": {"template_html": [f"URL not allowed: {url}" for url in urls]}})


def render_html(template_source: str | None, context: dict) -> str:
    body = _env.from_string(template_source or default_template()).render(**context)
    if "<html" not in body.lower():
        body = f"<!doctype html><html><head><meta charset='utf-8'></head><body>{body}</body></html>"
    return body


def fingerprint(template_source: str | None, context: dict) -> str:
    raw = json.dumps([template_source or "default", context], sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def render_pdf(html: str, assets: dict[str, pdf_sandbox.Asset]) -> bytes:
    """CPU work for ``offhub.run``: fetches nothing but data: URLs and ``assets`` (loaded beforehand);
    raises :class:`pdf_sandbox.FetchRefused` if the HTML asked for anything else."""
    return pdf_sandbox.render_pdf(html, [_stylesheet()], assets)
