"""PDF rendering: the contract type's HTML template (sandboxed Jinja2, merge fields) through weasyprint.

Rendering is CPU work: callers run :func:`render_pdf` through ``paraph_platform.offhub.run`` so the
AMQP heartbeat keeps beating. Output is cached by a fingerprint of the template and the data it shows.
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
import threading
from datetime import date, timedelta
from importlib import resources

from jinja2 import StrictUndefined, TemplateError, UndefinedError, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment, safe_range

from paraph_platform import addresses, company_country, countries, pdf_sandbox
from paraph_platform.totals import vat_lines

from . import logic
from .exceptions import InvalidInput

LABELS = {
    "fr": {"quote": "Devis", "contract": "Contrat", "order": "Commande", "invoice": "Facture",
           "number": "N°", "date": "Date", "customer": "Client", "contact": "Contact", "valid_until": "Valable jusqu'au",
           "description": "Désignation", "quantity": "Qté", "unit_price": "Prix unitaire HT", "discount": "Remise",
           "tax_rate": "TVA", "amount": "Montant HT", "subtotal": "Total HT", "tax": "TVA", "total": "Total TTC",
           "tax_on": "sur", "tax_total": "Total TVA",
           "optional": "Options (non incluses)", "owner": "Votre interlocuteur", "signature": "Bon pour accord",
           "page": "Page", "share_capital": "{legal_form} au capital de {amount}", "capital_only": "Capital de {amount}",
           "vat_number": "N° TVA intracommunautaire", "phone": "Tél.",
           # a company outside France and its SIRENE territories: its own country's identifiers, and a VAT number
           # outside the EU's intra-community scheme (the UK's since 2021)
           "company_number": "N° d'entreprise", "registration_number": "N° d'immatriculation",
           "registered_in": "Immatriculation\u00a0: {place}", "vat_number_outside_eu": "N° de TVA",
           "yes": "Oui", "no": "Non",  # a yes/no merge field's value
           "colon": "\u00a0: "},  # between a label and its value
    "en": {"quote": "Quote", "contract": "Contract", "order": "Order", "invoice": "Invoice",
           "number": "No.", "date": "Date", "customer": "Customer", "contact": "Contact", "valid_until": "Valid until",
           "description": "Description", "quantity": "Qty", "unit_price": "Unit price (excl. tax)",
           "discount": "Discount", "tax_rate": "Tax", "amount": "Amount (excl. tax)",
           "subtotal": "Subtotal (excl. tax)", "tax": "Tax", "total": "Total (incl. tax)", "tax_on": "on",
           "tax_total": "Total tax",
           "optional": "Optional items (not included)", "owner": "Your contact", "signature": "Approved",
           "page": "Page", "share_capital": "{legal_form} with a share capital of {amount}",
           "capital_only": "Share capital {amount}", "vat_number": "EU VAT No.", "phone": "Tel.",
           "company_number": "Company No.", "registration_number": "Registration No.",
           "registered_in": "Registered in {place}", "vat_number_outside_eu": "VAT No.", "yes": "Yes", "no": "No",
           "colon": ": "},
}

class _DocumentSandbox(SandboxedEnvironment):
    """Jinja's sandbox (no attribute of Python's internals, range() capped at MAX_RANGE each), bounded in what
    one render may make: a template is written by a license admin, and ``{{ 'x' * 1000000000 }}``, a power of
    a power, or loops of range() nested froze the contracts service at 5 GB. Beyond the bounds, a SecurityError
    (a TemplateError): the template is refused when saved, with its line."""
    intercepted_binops = frozenset(["*", "**"])
    MAX_ITEMS = 1_000_000  # characters or items one product may make
    MAX_EXPONENT = 1_000
    MAX_RANGE_ITEMS = 1_000_000  # every range() of one render, together
    MAX_OUTPUT_CHARS = 20_000_000

    def __init__(self, **options):
        super().__init__(**options)
        self._range_left = threading.local()
        self.globals["range"] = self._bounded_range

    def call_binop(self, context, operator, left, right):
        if operator == "*":
            for made, times in ((left, right), (right, left)):
                if isinstance(made, (str, list, tuple)) and isinstance(times, int) \
                        and len(made) * times > self.MAX_ITEMS:
                    raise SecurityError(f"a product of more than {self.MAX_ITEMS:,} characters or items")
        elif operator == "**" and isinstance(right, (int, float)) and abs(right) > self.MAX_EXPONENT:
            raise SecurityError(f"a power above {self.MAX_EXPONENT}")
        return super().call_binop(context, operator, left, right)

    def _bounded_range(self, *args):
        numbers = safe_range(*args)
        left = getattr(self._range_left, "value", self.MAX_RANGE_ITEMS) - len(numbers)
        if left < 0:
            raise SecurityError(f"loops over more than {self.MAX_RANGE_ITEMS:,} numbers in all")
        self._range_left.value = left
        return numbers

    @functools.lru_cache(maxsize=64)  # noqa: B019 - one environment for the process's life
    def _compiled(self, source: str):
        """``source`` compiled once: compiling a document template takes longer than rendering it, on the hub
        each time a PDF is made (the license's templates are few, Paraph's own is one)."""
        return self.from_string(source)

    def render(self, source: str, context: dict) -> str:
        """The template on ``context``, within the bounds (the range() budget is per render and per thread)."""
        self._range_left.value = self.MAX_RANGE_ITEMS
        made, size = [], 0
        for chunk in self._compiled(source).generate(**context):
            size += len(chunk)
            if size > self.MAX_OUTPUT_CHARS:
                raise SecurityError(f"a document of more than {self.MAX_OUTPUT_CHARS:,} characters")
            made.append(chunk)
        return "".join(made)


_env = _DocumentSandbox(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


@functools.cache  # a file of the installed package: it changes only with a new version, which restarts the service
def default_template() -> str:
    return resources.files("contracts_service").joinpath("templates/document.html").read_text()


@functools.cache
def _stylesheet() -> str:
    return resources.files("contracts_service").joinpath("templates/document.css").read_text()


SAMPLE_LINE = {"product_code": "P1", "description": "Sample", "quantity": "1", "unit": "h", "unit_price": "100.00",
               "discount_pct": "0", "tax_rate": "20", "optional": False, "selected": False}


# a merge field's sample value by its type, for a template to compute with it as with a real one ("{{ duree * 12 }}");
# a text field's is its label
SAMPLE_VALUES = {"number": 12, "date": "2026-01-31", "boolean": True}


def sample_values(named: list | None) -> dict:
    """Sample values of merge fields or custom columns (key, label, type; a column's choices), by key: a
    choice's first choice, else :data:`SAMPLE_VALUES` by type, else the label."""
    return {f["key"]: (f.get("choices") or [None])[0] or SAMPLE_VALUES.get(f.get("type"), f.get("label") or f["key"])
            for f in named or ()}


def document_custom(columns, values: dict | None) -> dict:
    """A document's custom values as its template is given them: every column of the license (``columns``, their
    keys), as :func:`sample_context` gives them when the template is saved, so that ``{{ custom.region }}`` renders
    on every document; a column not set on this contract (or emptied) is "", which prints nothing (None printed
    "None"). A value of a column deleted since is kept, for a template that still names it."""
    set_here = {key: "" if value is None else value for key, value in (values or {}).items()}
    return {**dict.fromkeys(columns, ""), **set_here}


def sample_context(merge_fields: list, locale: str = "fr", columns: list | None = None) -> dict:
    """A context with every variable a template may use, to validate templates when saved: the merge fields and
    the license's custom ``columns`` (key, type, choices, label) with sample values."""
    return build_context(
        merge_fields=merge_fields,
        contract={"kind": "quote", "number": "Q-2026-00001", "title": "Sample", "status": "draft",
                  "created_at": None, "valid_until": None, "currency": "EUR", "locale": locale, "deal_ref": None,
                  "notes": "", "data": sample_values(merge_fields), "custom": sample_values(columns)},
        customer={"name": "Client", "code": "C1", "kind": "company", "email": None, "phone": None, "address": {},
                  "vat_number": None, "registration_number": None},
        # no contact (a template must test {% if contact %}); a line and an option, so that loops are checked too
        contact=None, lines=[SAMPLE_LINE, {**SAMPLE_LINE, "optional": True, "selected": False}],
        owner={"name": "Owner", "email": "owner@example.com"},
        issuer={"name": "Company", "address": {"line1": "1 rue de la Paix", "postal_code": "75002", "city": "Paris",
                                               "country": "France"},
                "siren": "732829320", "siret": "73282932000074", "vat_number": "FR44732829320", "legal_form": "SAS",
                "share_capital": "10000.00", "rcs_city": "Paris", "phone": "+33 1 23 45 67 89",
                "email": "contact@example.com", "website": "https://example.com", "logo": None, "currency": "EUR"})


# what a contract type's PDF preview shows of a document that does not exist, in the document's language: a
# customer and its contact, lines at two VAT rates (one with a discount) and an option left out, notes; the rest
# is the license's own (its company profile, currency, custom columns) and the type's (kind, name, merge fields)
PREVIEW_SAMPLES = {
    "fr": {
        "customer": {"name": "Boulangerie Martin SARL", "code": "CLI-00042", "kind": "company",
                     "email": "contact@boulangerie-martin.example", "phone": "+33 4 78 00 00 00",
                     "address": {"line1": "12 rue des Lilas", "line2": "", "postal_code": "69003", "city": "Lyon",
                                 "country": "FR"}, "vat_number": "FR32123456789", "registration_number": "443061841"},
        "contact": {"first_name": "Claire", "last_name": "Martin", "title": "Gérante", "department": "Direction",
                    "email": "claire.martin@boulangerie-martin.example", "phone": "+33 4 78 00 00 01",
                    "mobile": "+33 6 12 34 56 78"},
        "lines": [("INST-01", "Installation et mise en service", "1", "forfait", "1200.00", "0", "20"),
                  ("MAINT-12", "Maintenance (12 mois)", "12", "mois", "85.00", "10", "20"),
                  ("DOC-01", "Manuel d'utilisation imprimé", "2", "", "25.00", "0", "5.5")],
        "option": ("FORM-01", "Formation sur site", "1", "jour", "650.00", "0", "20"),
        "notes": "Exemple de notes\u00a0: livraison sous 3 semaines.", "deal_ref": "AFF-2026-0042",
    },
    "en": {
        "customer": {"name": "Martin Bakery Ltd", "code": "CUS-00042", "kind": "company",
                     "email": "hello@martin-bakery.example", "phone": "+44 20 7946 0000",
                     "address": {"line1": "12 Baker Street", "line2": "", "postal_code": "NW1 6XE", "city": "London",
                                 "country": "GB"}, "vat_number": "GB123456789", "registration_number": "01234567"},
        "contact": {"first_name": "Claire", "last_name": "Martin", "title": "Manager", "department": "Management",
                    "email": "claire.martin@martin-bakery.example", "phone": "+44 20 7946 0001",
                    "mobile": "+44 7700 900123"},
        "lines": [("INST-01", "Installation and commissioning", "1", "package", "1200.00", "0", "20"),
                  ("MAINT-12", "Maintenance (12 months)", "12", "month", "85.00", "10", "20"),
                  ("DOC-01", "Printed user manual", "2", "", "25.00", "0", "5")],
        "option": ("TRAIN-01", "On-site training", "1", "day", "650.00", "0", "20"),
        "notes": "Sample notes: delivery within 3 weeks.", "deal_ref": "DEAL-2026-0042",
    },
}
_LINE_KEYS = ("product_code", "description", "quantity", "unit", "unit_price", "discount_pct", "tax_rate")
PREVIEW_VALIDITY_DAYS = 30  # a sample quote's "valid until", from today
SAMPLE_ID = "00000000-0000-0000-0000-000000000000"  # the sample contact's and customer's id: no real row's


def preview_context(*, kind: str, title: str, locale: str, currency: str, merge_fields: list, columns: list,
                    owner: dict, issuer: dict, today: date) -> dict:
    """What a contract type's PDF preview renders its template with: the sample document of ``locale``
    (:data:`PREVIEW_SAMPLES`) of the type's ``kind``, named ``title``, dated ``today``; the type's merge fields
    and the license's custom ``columns`` with sample values (:func:`sample_values`), the license's ``issuer``
    (its company profile) and ``owner`` (who previews)."""
    sample = PREVIEW_SAMPLES.get(locale, PREVIEW_SAMPLES["fr"])
    lines = [{**dict(zip(_LINE_KEYS, line)), "optional": False, "selected": False} for line in sample["lines"]]
    lines.append({**dict(zip(_LINE_KEYS, sample["option"])), "optional": True, "selected": False})
    contact = {"id": SAMPLE_ID, "customer_id": SAMPLE_ID, "type": None, "fax": None, "branch": None,
               "created_at": today.isoformat(), **sample["contact"]}
    contact["name"] = f"{contact['first_name']} {contact['last_name']}"
    return build_context(
        merge_fields=merge_fields,
        contract={"kind": kind, "number": logic.format_number(kind, today.year, 1), "title": title,
                  "status": "draft", "created_at": today,
                  "valid_until": today + timedelta(days=PREVIEW_VALIDITY_DAYS) if kind == "quote" else None,
                  "currency": currency, "locale": locale, "deal_ref": sample["deal_ref"], "notes": sample["notes"],
                  "data": sample_values(merge_fields), "custom": sample_values(columns)},
        customer=sample["customer"], contact=contact, lines=lines, owner=owner, issuer=issuer)


def _grouped(digits: str | None, sizes: tuple) -> str:
    """732829320 -> 732 829 320 (SIREN), 73282932000074 -> 732 829 320 00074 (SIRET)."""
    if not digits:
        return ""
    parts, start = [], 0
    for size in sizes:
        parts.append(digits[start:start + size])
        start += size
    return " ".join(p for p in parts if p)


def address_view(address: dict | None, locale: str) -> dict:
    """An address as a document prints it: its country by name in the document's language ("Allemagne" of DE, as
    the forms store it: paraph_platform.countries), a name typed as such kept as it is; ``country_code`` the code,
    when the country is one the list knows (None otherwise), for a template that wants it."""
    address = dict(address or {})
    if address.get("country"):
        address["country_code"] = countries.country_code(address["country"])
        address["country"] = countries.country_name(address["country"], locale)
    return address


def issuer_country(issuer: dict | None) -> str | None:
    """The country the issuer is established in, as stored: its address's, else its license's (``company_country``:
    paraph_platform.company_country); None for neither. A customer's address without a country is written in its
    order (paraph_platform.addresses)."""
    issuer = issuer or {}
    return (issuer.get("address") or {}).get("country") or issuer.get("company_country") or None


def issuer_view(issuer: dict | None, labels: dict, locale: str) -> dict:
    """The issuer as the template shows it: its raw profile plus ``address_lines`` (in its country's order:
    paraph_platform.addresses), ``contact_lines``, ``logo_url`` and ``legal`` (the legal mentions of the footer,
    France's SIREN and SIRET for a French company, a company number elsewhere)."""
    issuer = issuer or {}
    address = address_view(issuer.get("address"), locale)
    country = issuer_country(issuer)
    legal = []
    capital = issuer.get("share_capital")
    if capital not in (None, ""):
        amount = logic.format_money(capital, issuer.get("currency") or "EUR", locale)
        legal.append(labels["share_capital"].format(legal_form=issuer["legal_form"], amount=amount)
                     if issuer.get("legal_form") else labels["capital_only"].format(amount=amount))
    elif issuer.get("legal_form"):
        legal.append(issuer["legal_form"])
    legal += _identifiers(issuer, labels, country)
    return {
        **{k: v for k, v in issuer.items() if k not in ("currency", "updated_at", "company_country")},
        "name": issuer.get("name") or "", "address": address,
        "logo_url": (issuer.get("logo") or {}).get("url"),
        "address_lines": addresses.address_lines(issuer.get("address"), locale, country),
        "contact_lines": [x for x in (f"{labels['phone']} {issuer['phone']}" if issuer.get("phone") else "",
                                      issuer.get("email"), issuer.get("website")) if x],
        "legal": legal,
    }


def _identifiers(issuer: dict, labels: dict, country) -> list[str]:
    """The issuer's registration and VAT numbers as its country names them: "RCS Lyon", "SIREN 732 829 320",
    "SIRET ..." in France (the profile's fields are named after France's); elsewhere "Registered in England and
    Wales", "Company No. 01234567" (the siren field), "Registration No. ..." (the siret field), and a VAT number
    outside the EU not called intra-community."""
    shown = []
    french = company_country.registers_siren(country)
    if issuer.get("rcs_city"):
        place = issuer["rcs_city"]
        shown.append(f"RCS {place}" if french else labels["registered_in"].format(place=place))
    if issuer.get("siren"):
        shown.append(_siren_or_siret(issuer["siren"]) if french else f"{labels['company_number']} {issuer['siren']}")
    if issuer.get("siret"):
        shown.append(_siren_or_siret(issuer["siret"]) if french
                     else f"{labels['registration_number']} {issuer['siret']}")
    if issuer.get("vat_number"):
        label = labels["vat_number" if company_country.eu_vat(country) else "vat_number_outside_eu"]
        shown.append(f"{label} {issuer['vat_number']}")
    return shown


def _siren_or_siret(number: str) -> str:
    """A French company's number named by its length: "SIREN 732 829 320" (9 digits), "SIRET 732 829 320 00074"."""
    return f"SIREN {_grouped(number, (3, 3, 3))}" if len(number) == 9 else f"SIRET {_grouped(number, (3, 3, 3, 5))}"


def customer_number_line(customer: dict, labels: dict, issuer: dict | None) -> str:
    """The customer's company number as its block shows it, "" for none: its SIREN or SIRET for a French customer
    (its address's country, else its issuer's: as the forms checked it), else "Company No. SC123456"."""
    number = customer.get("registration_number")
    if not number:
        return ""
    country = (customer.get("address") or {}).get("country")
    if company_country.registers_siren(country, issuer_country(issuer)) and len(number) in (9, 14):
        return _siren_or_siret(number)
    return f"{labels['company_number']} {number}"


def merge_field_labels(merge_fields: list | None) -> dict:
    """A contract type's merge fields' labels by key ("Référence du chantier" of reference_chantier): what a
    document names a field with, its key being the template's and the API's name of it."""
    return {f["key"]: f.get("label") or f["key"] for f in merge_fields or ()}


def merge_field_texts(merge_fields: list | None, values: dict, locale: str, labels: dict, country=None) -> dict:
    """The merge fields' ``values`` as the document prints them, by key: a date written out as the document's other
    dates ("31 janvier 2026", not the stored 2026-01-31), yes/no in its language (not "True"), a number as its
    language writes it ("2,5"); text as it is, nothing for no value. A value that is not of its field's type (the
    type changed since) prints as it is."""
    types = {f["key"]: f.get("type") for f in merge_fields or ()}
    texts = {}
    for key, value in values.items():
        kind = types.get(key)
        try:
            if value is None or value == "":
                texts[key] = ""
            elif kind == "boolean" and isinstance(value, bool):
                texts[key] = labels["yes"] if value else labels["no"]
            elif kind == "date":
                texts[key] = logic.format_date(date.fromisoformat(str(value)[:10]), locale, country)
            elif kind == "number" and not isinstance(value, bool):
                texts[key] = logic.format_quantity(value, locale)
            else:
                texts[key] = str(value)
        except (ValueError, ArithmeticError):  # not a date or a number after all
            texts[key] = str(value)
    return texts


def build_context(*, contract: dict, customer: dict, contact: dict | None, lines: list, owner: dict | None,
                  issuer: dict | None = None, merge_fields: list | None = None) -> dict:
    """What a document's template is given (template_variables.toml documents each name); ``merge_fields``: its
    contract type's (key, label, type), which name and write the values of ``contract["data"]``."""
    locale = contract.get("locale") or "fr"
    currency = contract.get("currency") or "EUR"
    totals = logic.compute_totals(lines)
    labels = LABELS.get(locale, LABELS["fr"])
    company = (issuer or {}).get("company_country")
    values = contract.get("data") or {}

    def fmt(amount):
        return logic.format_money(amount, currency, locale)

    shown = []
    optional = []
    for line in lines:
        net = logic.line_net(line["quantity"], line["unit_price"], line.get("discount_pct") or 0)
        quantity = logic.format_quantity(line["quantity"], locale)
        # quantities and rates localised like the amounts (2,5 h; 20 % in French, 20% in English)
        view = {**{k: str(v) if v is not None else "" for k, v in line.items()},
                "quantity": quantity, "quantity_unit": f"{quantity} {line['unit']}" if line.get("unit") else quantity,
                "amount": fmt(net), "unit_price_fmt": fmt(line["unit_price"]),
                "discount": logic.format_discount(line.get("discount_pct"), locale),
                "tax": logic.format_rate(line.get("tax_rate"), locale)}
        (optional if line.get("optional") and not line.get("selected") else shown).append(view)
    return {
        "labels": labels,
        "issuer": issuer_view(issuer, labels, locale),
        # the dates in the order the company's own country reads its language (the license's, as its staff pages)
        "contract": {**contract, "created_at": logic.format_date(contract.get("created_at"), locale, company),
                     "valid_until": logic.format_date(contract.get("valid_until"), locale, company)},
        "fields": values,
        "field_labels": merge_field_labels(merge_fields),
        "field_texts": merge_field_texts(merge_fields, values, locale, labels, company),
        "custom": contract.get("custom") or {},
        # the customer's address in its country's order, else its issuer's (paraph_platform.addresses)
        "customer": {**customer, "address": address_view(customer.get("address"), locale),
                     "address_lines": addresses.address_lines(customer.get("address"), locale, issuer_country(issuer)),
                     "registration_line": customer_number_line(customer, labels, issuer)},
        "contact": contact,
        "owner": owner or {"name": "", "email": ""},
        "lines": shown, "optional_lines": optional,
        "totals": {"subtotal": fmt(totals.subtotal), "tax": fmt(totals.tax_total), "total": fmt(totals.total),
                   "optional": fmt(totals.optional_total),
                   "taxes": [{**t, "tax_fmt": fmt(t["tax"]), "base_fmt": fmt(t["base"]),
                              "rate_fmt": logic.format_rate(t["rate"], locale)} for t in totals.taxes],
                   # the VAT lines as the staff pages and the client's quote page show them too
                   "vat_lines": [{"rate_fmt": logic.format_rate(v["rate"], locale) if v["rate"] else "",
                                  "base_fmt": fmt(v["base"]) if v["base"] else "", "tax_fmt": fmt(v["tax"])}
                                 for v in vat_lines(totals.taxes, totals.tax_total)]},
        "has_lines": bool(lines),
        # the lines table has a discount column only when a line has a discount, an option's too (its rows are in
        # the same table), as the staff and client pages
        "has_discount": any(view["discount"] for view in shown + optional),
    }


_NO_ATTRIBUTE = re.compile(r"^'(?P<owner>.*)' has no attribute '(?P<name>.*)'$")
# a custom column's value as a template names it: custom.region, custom['region'], contract.custom.region
_CUSTOM_VALUE = re.compile(r"^(?:contract\.)?custom\.(?P<key>[^.]+)$")


def _template_line(exc: Exception) -> int | None:
    """The template line an error was raised at: a syntax error knows it, a render error's traceback has the
    template's own frames (Jinja rewrites them to the template's lines)."""
    line, tb = getattr(exc, "lineno", None), exc.__traceback__
    while line is None and tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _expression(node) -> str | None:
    """``customer.address.city`` for the attribute/item chain ``node``, None for anything else."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        parent = _expression(node.node)
        return parent and f"{parent}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        parent = _expression(node.node)
        return parent and f"{parent}.{node.arg.value}"
    return None


def describe_template_error(exc: Exception, source: str, column_keys=None) -> str:
    """What a template author needs to fix it: "line 12: 'customer.nmae' is undefined" (Jinja itself only says
    "'dict object' has no attribute 'nmae'", with no line); of ``custom.<key>``, when the license's custom
    ``column_keys`` are given (every one is in the context), that no column has that key, and the keys there are."""
    line = _template_line(exc)
    message = getattr(exc, "message", None) or str(exc)
    missing = _NO_ATTRIBUTE.match(message) if isinstance(exc, UndefinedError) else None
    if missing:
        try:
            chains = [_expression(n) for n in _env.parse(source).find_all((nodes.Getattr, nodes.Getitem))
                      if (line is None or n.lineno == line)
                      and (getattr(n, "attr", None) or getattr(getattr(n, "arg", None), "value", None))
                      == missing["name"]]
        except TemplateError:
            chains = []
        name = next((c for c in chains if c), missing["name"])
        message = f"'{name}' is undefined"
        if missing["owner"] == "None":
            parent = name.rsplit(".", 1)[0]
            message += f" ('{parent}' is empty here: test it with {{% if {parent} %}})"
        elif column_keys is not None and (custom := _CUSTOM_VALUE.match(name)):
            message += ": " + _unknown_column(custom["key"], column_keys)
    return f"line {line}: {message}" if line else message


def _unknown_column(key: str, column_keys) -> str:
    """Why ``custom.<key>`` is undefined: no custom column of the license has that key (the web app translates
    these words: api_messages)."""
    keys = sorted(column_keys)
    known = f"the keys: {', '.join(keys)}" if keys else "the license has no custom columns"
    return f"no custom column has the key '{key}' ({known})"


def check_template(source: str, merge_fields: list, columns=()) -> list[str]:
    """Compile and render the template on sample data, the license's custom ``columns`` included (a broken
    template is refused with a 422 naming the line and the variable); return every URL it would make the renderer
    fetch, to check once the license's assets are known."""
    try:
        sample = _env.render(source, sample_context(merge_fields, columns=columns))
    except Exception as exc:  # noqa: BLE001 - a syntax error, an undefined name, 1/0, "a" + 1: the author's to fix
        raise template_refused(exc, source, [c["key"] for c in columns]) from None
    # The source shows URLs in branches the sample data does not take; the sample shows computed URLs,
    # of which only absolute ones are meaningful (a relative one is a merge field's sample value, and is
    # refused at render time if the real value is not allowed).
    computed = [url for url in pdf_sandbox.fetched_urls(sample) if pdf_sandbox.url_scheme(url)]
    return list(dict.fromkeys(pdf_sandbox.fetched_urls(source) + computed))


def template_refused(exc: Exception, source: str, column_keys=None) -> InvalidInput:
    """The 422 of a template that does not render, said of the template_html field with its line and variable."""
    problem = describe_template_error(exc, source, column_keys)
    return InvalidInput(f"The template cannot be rendered: {problem}", {"fields": {"template_html": [problem]}})


def refuse_urls(urls: list[str]) -> None:
    """A 422 naming the URLs a template may not fetch (only data: URLs and the license's assets)."""
    if urls:
        raise InvalidInput(
            f"The template refers to {urls[0]!r}: a template may only use data: URLs and uploaded assets "
            f"({pdf_sandbox.ASSET_SCHEME}:<asset id>).",
            {"fields": {"template_html": [f"URL not allowed: {url}" for url in urls]}})


def render_html(template_source: str | None, context: dict) -> str:
    body = _env.render(template_source or default_template(), context)
    if "<html" not in body.lower():
        body = f"<!doctype html><html><head><meta charset='utf-8'></head><body>{body}</body></html>"
    return body


def fingerprint(template_source: str | None, context: dict) -> str:
    """What a document's PDF is made of, the key of its cached copy: the template's text (Paraph's own for a type
    without one, so that a new version of it renders documents anew, not only those whose data changed), the
    stylesheet and the data."""
    raw = json.dumps([template_source or default_template(), _stylesheet(), context], sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def render_pdf(html: str, assets: dict[str, pdf_sandbox.Asset]) -> bytes:
    """CPU work for ``offhub.run``: fetches nothing but data: URLs and ``assets`` (loaded beforehand);
    raises :class:`pdf_sandbox.FetchRefused` if the HTML asked for anything else."""
    return pdf_sandbox.render_pdf(html, [_stylesheet()], assets)
