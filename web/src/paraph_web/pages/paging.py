"""A list page's walk through the API's pages by cursor (the API's ``next_cursor``), in the page's URL.

``?cursor=`` is the API's opaque cursor of the page on screen; ``?back=`` the cursors of the pages before it
(``-`` the first page), so "Previous" walks back without offsets, and page 2,000 costs what page 1 costs.
An old bookmark whose ``cursor`` is a number (the offsets these pages used before) still opens at that
offset (the API takes offsets up to its maximum)."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import request
from flask_babel import gettext as _

from .. import api
from ..api import ApiError
from .forms import whole_number

FIRST = "-"  # the first page in the trail (it has no cursor)
# pages "Previous" can walk back (beyond, it leads to the first page): a cursor can hold a long sort value
# (a title), and the URL must stay well under the servers' 4 KiB request line
TRAIL = 5


def position(args=None) -> dict:
    """The API's paging parameters for the page the URL shows: ``cursor``, or ``offset`` for an old URL."""
    args = request.args if args is None else args
    cursor = args.get("cursor", "")
    offset = whole_number(cursor)  # not "²", which str.isdigit takes for a digit
    if isinstance(offset, int) and offset >= 0:
        return {"offset": str(offset)}
    return {"cursor": cursor} if cursor else {}


def links(page: dict, args=None) -> tuple[str | None, str | None]:
    """(the URL of the next page or None on the last, the URL of the previous page or None on the first)."""
    args = dict(request.args if args is None else args)
    cursor = args.get("cursor", "")
    trail = [c for c in args.get("back", "").split(".") if c]
    next_url = previous_url = None
    if page.get("next_cursor"):
        next_url = "?" + urlencode({**args, "cursor": page["next_cursor"],
                                    "back": ".".join((trail + [cursor or FIRST])[-TRAIL:])})
    if cursor:
        earlier = trail[-1] if trail else FIRST
        previous = {key: value for key, value in args.items() if key not in ("cursor", "back")}
        if earlier != FIRST:
            previous["cursor"] = earlier
        if trail[:-1]:
            previous["back"] = ".".join(trail[:-1])
        previous_url = "?" + urlencode(previous)
    return next_url, previous_url


def list_page(path: str, query: dict, *, limit: int, unfiltered: dict | None = None):
    """(the page the URL asks for, with ``count=true``; its next and previous URLs; whether the URL's filters
    applied). A hand-edited URL the API refuses (an unknown sort, an id or a cursor that is not one) gives the
    first page of the list with only ``unfiltered``'s parameters, and ``page["error"]`` says so."""
    try:
        page = api.get(path, **query, **position(), limit=limit, count="true")
        return (page, *links(page), True)
    except ApiError as exc:
        if exc.status not in (400, 422):
            raise
    page = api.get(path, limit=limit, count="true", **(unfiltered or {}))
    page["error"] = _("This address holds a filter, a sort or a page that is not valid (any more): here is the "
                      "list from its first page.")
    return (page, *links(page, {}), False)
