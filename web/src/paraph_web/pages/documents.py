"""``/quotes`` and ``/contracts``: the lists of quotes and of contracts, orders and invoices, with the
online views and downloads, filters in the URL (status, or a quote's statuses together, owner, customer, type, flag,
a custom column's value, search; a quote's order or invoice made or not), sortable
columns (sorted by the API), pagination, and ``/quotes.csv`` / ``/contracts.csv``: the current view as CSV,
every page of it, streamed while the API is read (``csv_export``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Callable

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import api, status_labels
from ..auth import current_user, signed_in
from ..i18n import ngettext, number, sheet_moment, sheet_number
from . import pickers
from .csv_export import PAGE_SIZE as CSV_PAGE_SIZE
from .csv_export import csv_download, custom_cell
from .forms import typed_number
from .paging import list_page

bp = Blueprint("documents", __name__)

PAGE_SIZE = 50
# URL filter → the API's query parameter
FILTERS = {"status": "status", "owner": "owner_id", "customer": "customer_id", "type": "contract_type_id",
           "flag": "flag", "q": "q", "kind": "kind", "column": "custom_column", "value": "custom_value",
           "converted": "converted"}
# statuses a quote list shows together (the API takes several, separated by commas): the home page's "Accepted — to
# convert" opens the list of those still without their order (converted=false)
QUOTE_STATUS_GROUPS = (("accepted,validated", _l("Accepted or validated")),)
# a quote list's "Order or invoice made" filter (the API's converted): the quotes the customer ordered, or not yet
CONVERTED_CHOICES = (("false", _l("Not yet")), ("true", _l("Yes")))
STATUSES = {  # the contracts service's lifecycle of each kind
    "quote": ("draft", "sent", "accepted", "validated", "refused", "abandoned"),
    "contract": ("draft", "sent", "signed", "validated", "refused", "abandoned"),
    "order": ("draft", "confirmed", "delivered", "cancelled"),
    "invoice": ("draft", "issued", "paid", "cancelled"),
}


@dataclass(frozen=True)
class DocumentKind:
    """How the pages name a kind of document: one ("Order"), a list's heading ("Orders"), a count ("3 orders")."""
    name: str
    plural: str
    count: Callable[[int], str]


# the kinds of documents (the API's ``kind``), in the order a sale makes them
DOCUMENT_KINDS = {
    "quote": DocumentKind(_l("Quote"), _l("Quotes"), lambda num: ngettext("%(num)s quote", "%(num)s quotes", num)),
    "contract": DocumentKind(_l("Contract"), _l("Contracts"),
                             lambda num: ngettext("%(num)s contract", "%(num)s contracts", num)),
    "order": DocumentKind(_l("Order"), _l("Orders"), lambda num: ngettext("%(num)s order", "%(num)s orders", num)),
    "invoice": DocumentKind(_l("Invoice"), _l("Invoices"),
                            lambda num: ngettext("%(num)s invoice", "%(num)s invoices", num)),
}
# what /contracts lists, by its kind filter (quotes have their own list)
KINDS = {kind: words.name for kind, words in DOCUMENT_KINDS.items() if kind != "quote"}


def nav_section(kind: str | None) -> str:
    """The main menu's entry of a document's kind (base.html): quotes and orders have their own (orders are
    /contracts?kind=order, the kind filter kept in the URL), contracts and invoices are the Contracts entry's."""
    return {"quote": "quotes", "order": "orders"}.get(kind, "contracts")


@bp.app_template_filter("kind_name")
def kind_name(kind: str) -> str:
    """A document's kind as the pages name one ("Order"), in the templates ``kind|kind_name``; a kind not known
    here, as the API says it."""
    words = DOCUMENT_KINDS.get(kind)
    return words.name if words else kind


def counted(kind: str, num: int) -> str:
    """``num`` documents of ``kind`` as a list counts them ("3 quotes", "1 order"); "documents" for another kind."""
    words = DOCUMENT_KINDS.get(kind)
    return words.count(num) if words else ngettext("%(num)s document", "%(num)s documents", num)


def _api_path(kind: str) -> str:
    return "/quotes" if kind == "quote" else "/contracts"


def _list_query(kind: str, chosen_column: dict) -> dict:
    """The API query of the page's URL: its filters and sort (``/contracts`` lists contracts unless
    ``kind`` asks for orders or invoices), the custom column's value as ``column_filter`` (``chosen_column``) reads
    it."""
    query = {param: request.args[name] for name, param in FILTERS.items() if request.args.get(name)}
    query.pop("custom_value", None)
    if chosen_column["query"] is not None:
        query["custom_value"] = chosen_column["query"]
    if query.get("owner_id") == "me":
        query["owner_id"] = (current_user() or {}).get("user_id") or ""
    if kind == "quote":
        query.pop("kind", None)
    else:
        query.setdefault("kind", "contract")
    if request.args.get("sort"):
        query["sort"] = request.args["sort"]
    return query


def owners_call(source: str = "owner_filter") -> list[tuple[str, dict]]:
    """The API call of the owners offered in a filter (``source`` "owner_filter") or a picker giving a document or
    a deal to someone ("owners"), as ``api.get_many`` takes it: managers see the license's staff; the others none
    (everyone can pick "me")."""
    if (current_user() or {}).get("role") not in ("license_admin", "front_user_manager"):
        return []
    return [pickers.first_page(source)]


def filter_pickers(customers_page: dict, owners_answers: list) -> dict:
    """The customer and owner filters' pickers (``pickers.owner_and_customer_filters``), from the answers of
    ``pickers.first_page("customers")`` and ``owners_call()``: the URL's choices shown even beyond the first page;
    "me" for everyone, the license's staff for managers (a deactivated one marked so)."""
    return {"customers": pickers.picker("customers", request.args.get("customer", ""), customers_page),
            "owners": pickers.picker("owner_filter", request.args.get("owner", ""),
                                     owners_answers[0] if owners_answers else {"items": []}, fixed=("me",))}


def fitted_value(column: dict, value: str) -> str | None:
    """``value`` as the filter of ``column``'s kind finds it (the API compares the stored text, whatever its case,
    and a number column's numbers): a yes/no column's ``true`` or ``false``, a date column's YYYY-MM-DD, one of a
    choice column's choices (as the column spells it, for its select to show it chosen), a text as typed, a number
    as the API reads it ("1 234,5" typed on a French page is 1234.5: ``typed_number``); None when the column holds
    no such value."""
    kind = column.get("type")
    if kind == "boolean":
        return value.lower() if value.lower() in ("true", "false") else None
    if kind == "choice":
        return next((choice for choice in column.get("choices") or [] if choice.lower() == value.lower()), None)
    if kind == "date":
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            return None
    if kind == "number":
        number = typed_number(value)
        try:
            return number if Decimal(number).is_finite() else None  # not "NaN", which Decimal reads
        except InvalidOperation:
            return None
    return value


def column_filter(columns: list[dict]) -> dict:
    """The URL's custom-column filter as the list's form shows it and the API is asked it: the ``column`` chosen (one
    of the license's, or None), the ``value`` its field holds, the ``query`` value the API is sent (None: the list is
    not filtered by the column), and what the page says of a value it cannot use: a ``notice`` above the list (a
    hand-edited or older address: the form offers no value before a column, and only the column's values after):
    one without its column filters nothing; one its column cannot hold finds nothing (and its field cannot show
    it); or, next to a number column's field, the ``error`` of what was typed there that is not a number (the list
    is not filtered by it, its field keeps it to be corrected)."""
    key, value = request.args.get("column", ""), request.args.get("value", "")
    column = next((c for c in columns if c["key"] == key), None)
    unused = {"column": column, "value": "", "query": None, "notice": None, "error": None}
    if not value:
        return unused
    if column is None:
        return {**unused, "query": value, "notice": _(
            "This address gives a value, “%(value)s”, without its column: the list is not filtered by it. Choose "
            "the column, then its value.", value=value)}
    fitted = fitted_value(column, value)
    if column["type"] == "number":  # shown as typed ("1 234,5"), sent as the API reads it
        return {**unused, "value": value, "query": fitted, "error": None if fitted is not None else _(
            "Type a number, such as %(example)s: the list is not filtered by this value.",
            example=number(Decimal("1234.5")))}
    if fitted is None:
        return {**unused, "query": value, "notice": _(
            "“%(value)s” is not a value of the column “%(column)s”: nothing matches it. Choose one of its values.",
            value=value, column=column["label"])}
    return {**unused, "value": fitted, "query": fitted}


def _render_list(kind: str):
    # a custom column's value is sent as its kind reads it (a number typed in the page's language): the columns are
    # asked first when the address filters by one, else with the other choices
    columns = api.get("/settings/columns") if request.args.get("column") else None
    chosen_column = column_filter(columns or [])  # without a column in the address, the same of every column list
    query = _list_query(kind, chosen_column)
    path = _api_path(kind)
    page, next_url, previous_url, filtered = list_page(
        path, query, limit=PAGE_SIZE, unfiltered={"kind": None if kind == "quote" else "contract"})
    if not filtered:
        query = {}
    # the filters' choices, asked at once: the page waits for the slowest call, not for their sum
    calls = [("/settings/flags", {}), pickers.first_page("customers"), ("/contract-types", {}), *owners_call()]
    answers = api.get_many(*calls, *([("/settings/columns", {})] if columns is None else []))
    if columns is None:
        columns = answers.pop()
    flags, customers, contract_types, *users = answers
    listed = query.get("kind") or kind  # the one kind the page lists
    total = page.get("total")
    return render_template(
        "documents/list.html", kind=kind, listed=listed, page=page, items=page["items"],
        # the page is named after what it lists: "Commandes" of /contracts?kind=order (the menu's Orders)
        heading=DOCUMENT_KINDS[listed].plural if listed in DOCUMENT_KINDS else DOCUMENT_KINDS[kind].plural,
        count=None if total is None else counted(listed, total),
        filters=request.args, next_url=next_url, previous_url=previous_url,
        statuses=STATUSES[listed], status_groups=QUOTE_STATUS_GROUPS if kind == "quote" else (),
        converted_choices=CONVERTED_CHOICES if kind == "quote" else (), kinds=KINDS, columns=columns, flags=flags, column_filter=chosen_column,
        **filter_pickers(customers, users),
        contract_types=[t for t in contract_types
                        if t.get("kind", "quote") == ("quote" if kind == "quote" else "contract")],
        nav=nav_section(listed))


@bp.get("/quotes")
@signed_in
def quotes():
    return _render_list("quote")


@bp.get("/contracts")
@signed_in
def contracts():
    return _render_list("contract")


def _csv_response(kind: str, filename: str):
    """The CSV of the filtered list, in the list's order, every page of it (``csv_export``)."""
    columns, flags = api.get_many(("/settings/columns", {}), ("/settings/flags", {}))
    flag_labels = {flag["key"]: flag["label"] for flag in flags}  # a flag deleted since: its key (macros flag_list)
    query, path = _list_query(kind, column_filter(columns)), _api_path(kind)
    header = [_("Number"), _("Title"), _("Customer"), _("Status"), _("Owner"), _("Subtotal (excl. tax)"), _("Taxes"),
              _("Total (incl. tax)"), _("Currency"), _("Online views"), _("Downloads"), _("Created"), _("Sent"), _("Signed"),
              _("Flags"), *[c["label"] for c in columns]]

    def page_at(cursor: str | None) -> dict:
        return api.get(path, **query, limit=CSV_PAGE_SIZE, **({"cursor": cursor} if cursor else {}))

    def row(c: dict) -> list:
        # the words the list shows: its status badge's, its flags' labels
        return [c["number"], c["title"], c.get("customer_name") or "", status_labels.label(c["status"], c.get("kind")),
                c.get("owner_name") or "", *map(sheet_number, (c["subtotal"], c["tax_total"], c["total"])),
                c.get("currency") or "", c.get("view_count") or 0, c.get("download_count") or 0,
                *map(sheet_moment, (c.get("created_at"), c.get("sent_at"), c.get("signed_at"))),
                ", ".join(flag_labels.get(key, key) for key in c.get("flags") or []),
                *[custom_cell(col, (c.get("custom") or {}).get(col["key"])) for col in columns]]

    return csv_download(filename, header, page_at, row)


@bp.get("/quotes.csv")
@signed_in
def quotes_csv():
    return _csv_response("quote", "quotes.csv")


@bp.get("/contracts.csv")
@signed_in
def contracts_csv():
    return _csv_response("contract", "contracts.csv")
