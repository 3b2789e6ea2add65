"""``/quotes`` and ``/contracts``: the lists of quotes and of contracts, orders and invoices, with the
online views and downloads, filters in the URL (status, owner, customer, type, flag, a custom column's
value, search), sortable
columns (sorted by the API), pagination, and ``/quotes.csv`` / ``/contracts.csv``: the current view as CSV,
every page of it, streamed while the API is read (``csv_export``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import api
from ..auth import current_user, signed_in
from ..i18n import ngettext
from . import pickers
from .csv_export import PAGE_SIZE as CSV_PAGE_SIZE
from .csv_export import csv_download
from .paging import list_page

bp = Blueprint("documents", __name__)

PAGE_SIZE = 50
# URL filter → the API's query parameter
FILTERS = {"status": "status", "owner": "owner_id", "customer": "customer_id", "type": "contract_type_id",
           "flag": "flag", "q": "q", "kind": "kind", "column": "custom_column", "value": "custom_value"}
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


def counted(kind: str, num: int) -> str:
    """``num`` documents of ``kind`` as a list counts them ("3 quotes", "1 order"); "documents" for another kind."""
    words = DOCUMENT_KINDS.get(kind)
    return words.count(num) if words else ngettext("%(num)s document", "%(num)s documents", num)


def _api_path(kind: str) -> str:
    return "/quotes" if kind == "quote" else "/contracts"


def _list_query(kind: str) -> dict:
    """The API query of the page's URL: its filters and sort (``/contracts`` lists contracts unless
    ``kind`` asks for orders or invoices)."""
    query = {param: request.args[name] for name, param in FILTERS.items() if request.args.get(name)}
    if query.get("owner_id") == "me":
        query["owner_id"] = (current_user() or {}).get("user_id") or ""
    if kind == "quote":
        query.pop("kind", None)
    else:
        query.setdefault("kind", "contract")
    if request.args.get("sort"):
        query["sort"] = request.args["sort"]
    return query


def owners_call() -> list[tuple[str, dict]]:
    """The API call of the owners offered in a filter or picker, as ``api.get_many`` takes it: managers see the
    license's users; the others none (everyone can pick "me")."""
    if (current_user() or {}).get("role") not in ("license_admin", "front_user_manager"):
        return []
    return [pickers.first_page("users")]


def filter_pickers(customers_page: dict, owners_answers: list) -> dict:
    """The customer and owner filters' pickers (``pickers.owner_and_customer_filters``), from the answers of
    ``pickers.first_page("customers")`` and ``owners_call()``: the URL's choices shown even beyond the first page;
    "me" for everyone, the license's users for managers."""
    return {"customers": pickers.picker("customers", request.args.get("customer", ""), customers_page),
            "owners": pickers.picker("users", request.args.get("owner", ""),
                                     owners_answers[0] if owners_answers else {"items": []}, fixed=("me",))}


def fitted_value(column: dict, value: str) -> str | None:
    """``value`` as the filter of ``column``'s kind finds it (the API compares the stored text, whatever its case):
    a yes/no column's ``true`` or ``false``, a date column's YYYY-MM-DD, one of a choice column's choices (as the
    column spells it, for its select to show it chosen), a text or a number as typed; None when the column holds
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
    return value


def column_filter(columns: list[dict]) -> dict:
    """The URL's custom-column filter as the list's form shows it: the ``column`` chosen (one of the license's, or
    None), the ``value`` its field holds, and the ``notice`` a value the page cannot use gets (a hand-edited or
    older address: the form offers no value before a column, and only the column's values after): one without its
    column filters nothing; one its column cannot hold finds nothing (and its field cannot show it)."""
    key, value = request.args.get("column", ""), request.args.get("value", "")
    column = next((c for c in columns if c["key"] == key), None)
    if not value:
        return {"column": column, "value": "", "notice": None}
    if column is None:
        return {"column": None, "value": "", "notice": _(
            "This address gives a value, “%(value)s”, without its column: the list is not filtered by it. Choose "
            "the column, then its value.", value=value)}
    fitted = fitted_value(column, value)
    if fitted is None:
        return {"column": column, "value": "", "notice": _(
            "“%(value)s” is not a value of the column “%(column)s”: nothing matches it. Choose one of its values.",
            value=value, column=column["label"])}
    return {"column": column, "value": fitted, "notice": None}


def _render_list(kind: str):
    query = _list_query(kind)
    path = _api_path(kind)
    page, next_url, previous_url, filtered = list_page(
        path, query, limit=PAGE_SIZE, unfiltered={"kind": None if kind == "quote" else "contract"})
    if not filtered:
        query = {}
    # the filters' choices, asked at once: the page waits for the slowest call, not for their sum
    columns, flags, customers, contract_types, *users = api.get_many(
        ("/settings/columns", {}), ("/settings/flags", {}), pickers.first_page("customers"),
        ("/contract-types", {}), *owners_call())
    listed = query.get("kind") or kind  # the one kind the page lists
    total = page.get("total")
    return render_template(
        "documents/list.html", kind=kind, listed=listed, page=page, items=page["items"],
        # the page is named after what it lists: "Commandes" of /contracts?kind=order (the menu's Orders)
        heading=DOCUMENT_KINDS[listed].plural if listed in DOCUMENT_KINDS else DOCUMENT_KINDS[kind].plural,
        count=None if total is None else counted(listed, total),
        filters=request.args, next_url=next_url, previous_url=previous_url,
        statuses=STATUSES[listed], kinds=KINDS, columns=columns, flags=flags, column_filter=column_filter(columns),
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
    query, path = _list_query(kind), _api_path(kind)
    columns = api.get("/settings/columns")
    header = [_("Number"), _("Title"), _("Customer"), _("Status"), _("Owner"), _("Subtotal (excl. tax)"), _("Taxes"),
              _("Total (incl. tax)"), _("Currency"), _("Online views"), _("Downloads"), _("Created"), _("Sent"), _("Signed"),
              _("Flags"), *[c["label"] for c in columns]]

    def page_at(cursor: str | None) -> dict:
        return api.get(path, **query, limit=CSV_PAGE_SIZE, **({"cursor": cursor} if cursor else {}))

    def row(c: dict) -> list:
        return [c["number"], c["title"], c.get("customer_name") or "", c["status"], c.get("owner_name") or "",
                c["subtotal"], c["tax_total"], c["total"], c.get("currency") or "", c.get("view_count") or 0,
                c.get("download_count") or 0, c.get("created_at") or "", c.get("sent_at") or "",
                c.get("signed_at") or "", " ".join(c.get("flags") or []),
                *[(c.get("custom") or {}).get(col["key"], "") for col in columns]]

    return csv_download(filename, header, page_at, row)


@bp.get("/quotes.csv")
@signed_in
def quotes_csv():
    return _csv_response("quote", "quotes.csv")


@bp.get("/contracts.csv")
@signed_in
def contracts_csv():
    return _csv_response("contract", "contracts.csv")
