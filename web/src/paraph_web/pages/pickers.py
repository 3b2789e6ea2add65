"""Pickers of a long list (a customer, a user) searchable across the whole list, server-side.

A page shows a picker's first page (``PICKER_PAGE_SIZE`` items, the API's largest page by default) in a plain
``<select>``, with the chosen value(s) even when beyond that page (their names asked of the API). When the
list is longer than that page, the picker (templates ``pickers.html``) adds a search box: typing asks
``GET /pickers/<source>?q=`` (htmx), which answers the matches of the API's own search (``?q=`` of
``/customers``, ``/users``) as the select's options, the chosen value kept; the form still posts the chosen id.
Without JavaScript the search box stays hidden and the select offers what it offered before. A multi-select (a
perimeter's users and customers) is a checklist the same way: its search offers the matches as boxes to tick.

Pages ask the first page together with their other GETs: ``api.get_many(first_page("customers"), …)`` then
``picker("customers", chosen, page=answer)``."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import quote

from flask import Blueprint, abort, current_app, render_template, request

from .. import api
from ..api import ApiError
from ..auth import signed_in

bp = Blueprint("pickers", __name__)

DEFAULT_PAGE_SIZE = api.LARGEST_PAGE  # the API's largest page
SEARCH_MAX_LENGTH = 200  # the API's longest ``q``
# a picker's field name and control id, as the endpoint gets them back in its URL (written by the macro)
FIELD_NAME = re.compile(r"[A-Za-z][\w.-]{0,63}")
RESERVED_NAMES = {"q", "name", "id", "fixed", "checklist", "compact"}  # the endpoint's own parameters


def _user_option(user: dict) -> dict:
    """A user as a choice; one deactivated says so where choices show it: its badge in a checklist, "(deactivated)"
    after its name in a select (pickers.html)."""
    return {"id": user["user_id"], "label": user.get("name") or user["email"],
            "detail": user["email"] if user.get("name") else "",
            "status": "deactivated" if user.get("status") == "deactivated" else None}


@dataclass(frozen=True)
class Source:
    """A list a picker chooses in: its API path (``path/<id>`` gives one item), the fixed query of its pages,
    an item as an option ``{id, label, detail, status}``, which items are offered, and which of those only while
    chosen (shown so that they can be unchosen, never to be chosen anew)."""
    path: str
    option: Callable[[dict], dict]
    params: dict = field(default_factory=dict)
    offered: Callable[[dict], bool] = lambda _item: True
    only_if_chosen: Callable[[dict], bool] = lambda _item: False


SOURCES = {
    "customers": Source("/customers", lambda c: {"id": c["id"], "label": c["name"], "detail": c.get("code") or ""},
                        params={"sort": "name"}),
    # the users are asked by managers only: the API refuses the others (403). Whom a document or a deal may be given
    # to: the license's active staff, as the API wants its owner (anyone else: 422); a current owner deactivated
    # since is not offered to anyone anew, but shown while chosen (asked by its id: marked deactivated), so that
    # saving the other details keeps it
    "owners": Source("/users", _user_option, params={"staff": "true", "status": "active"}),
    # whose documents or deals a list shows: the license's staff, deactivated ones too (marked): what they owned stays
    # findable
    "owner_filter": Source("/users", _user_option, params={"staff": "true"}),
    # the users a perimeter may restrict: not the license admins, who see everything whatever their perimeters.
    # A deactivated user is not offered to add: they see nothing until reactivated, and a name among the others
    # would read as someone working there. One already a member stays listed, ticked and marked "deactivated"
    # (_user_option): the membership outlives the deactivation (a reactivated user finds their perimeters again),
    # so the admin sees it and may remove it; hidden, the page's save kept it unseen.
    "perimeter_users": Source("/users", _user_option, offered=lambda u: u.get("role") not in ("client", "license_admin"),
                              only_if_chosen=lambda u: u.get("status") == "deactivated"),
}


def page_size() -> int:
    """How many items a picker shows before it is searched (an app setting: tests lower it)."""
    return int(current_app.config.get("PICKER_PAGE_SIZE") or DEFAULT_PAGE_SIZE)


def first_page(source: str, q: str = "") -> tuple[str, dict]:
    """The API call of a picker's first page, or of its first matches of ``q``, as ``api.get_many`` takes it."""
    src = SOURCES[source]
    return src.path, {**src.params, "limit": page_size(), **({"q": q} if q else {})}


def _named(src: Source, item_id: str) -> dict | None:
    """The option of one chosen item beyond the page, or None when it is not (or no longer) visible."""
    try:
        item = api.get(f"{src.path}/{quote(item_id, safe='')}")
    except ApiError as exc:
        if exc.status >= 500:
            raise
        return None
    return src.option(item) if src.offered(item) else None


def picker(source: str, chosen=(), page: dict | None = None, known=(), fixed=(), unlisted=()) -> dict:
    """What a picker shows: ``options`` (the chosen ones beyond the page first, then the page's), ``chosen`` (the
    ids), ``searchable`` (the list is longer than the page). ``page``: the answer of ``first_page(source)``
    when the page asked it with its other calls; ``known``: items the page already read (a chosen customer
    with its contacts), not asked again; ``unlisted``: chosen items as the page knows them, shown so when the list
    does not name them (a document's owner that is the service account of an ERP import; a user is asked, for
    their status); ``fixed``: chosen values that are not items of the list ("me")."""
    src = SOURCES[source]
    if page is None:
        path, params = first_page(source)
        page = api.get(path, **params)
    chosen = [chosen] if isinstance(chosen, str) else list(chosen)
    chosen = [item_id for item_id in chosen if item_id]
    options = [option for option, item in ((src.option(item), item) for item in page["items"])
               if src.offered(item) and (option["id"] in chosen or not src.only_if_chosen(item))]
    shown = {option["id"] for option in options}
    already_read = {option["id"]: option for option in map(src.option, known)}
    as_known_here = {option["id"]: option for option in map(src.option, unlisted)}
    beyond = [already_read.get(item_id) or _named(src, item_id) or as_known_here.get(item_id) for item_id in chosen
              if item_id not in shown and item_id not in fixed]
    return {"source": source, "options": [o for o in beyond if o] + options, "chosen": chosen,
            "searchable": bool(page.get("next_cursor")), "matches": len(options), "more": bool(page.get("next_cursor"))}


@bp.get("/pickers/<source>")
@signed_in
def options(source: str):
    """A searchable picker's options for what is typed (htmx): the matches, the chosen value kept first when
    it is not one of them (the form keeps posting it until another is chosen), and the status said to screen
    readers (``compact``: to them only); for a checklist (``checklist=1``), the matches as boxes to tick. The
    macro's URL names the field (``name``: its chosen value is in the query too), its control (``id``) and the
    values that are not items of the list (``fixed``: "me")."""
    if source not in SOURCES:
        abort(404)
    name, control_id = request.args.get("name", ""), request.args.get("id", "")
    if not (FIELD_NAME.fullmatch(name) and FIELD_NAME.fullmatch(control_id)) or name in RESERVED_NAMES:
        abort(400)
    q = request.args.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    fixed = set(request.args.getlist("fixed"))
    path, params = first_page(source, q)
    checklist = request.args.get("checklist") == "1"  # a checklist's matches: boxes to tick, none ticked
    found = picker(source, [] if checklist else request.args.getlist(name), page=api.get(path, **params), fixed=fixed)
    return render_template("pickers/_options.html", picker=found, control_id=control_id, q=q, name=name,
                           checklist=checklist, compact=request.args.get("compact") == "1")
