"""``/``: today's work, under its one action "+ Quote": my accepted quotes no order nor invoice was made from yet
("Accepted — to convert": the sale's next step, its order), my tasks due (today or overdue), my quotes the customers
viewed online lately, my quotes and contracts awaiting signature (with how often the customer opened them online).
Mine: I own them (a manager sees the team's in the quote and contract lists). A manager (license admin, front user manager) also
sees what awaits their validation: the accepted quotes and signed contracts they may see, not validated yet; a quote
awaiting validation is validated first, so a manager's own accepted quote is listed there, not among those to convert
(theirs to convert are the validated ones). A license admin setting up the company sees its "Getting started"
checklist first (pages/getting_started.py)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import Blueprint, make_response, render_template

from paraph_platform.actor import MANAGERS

from .. import api
from ..auth import current_user, signed_in
from . import getting_started

bp = Blueprint("home", __name__)
RECENT_VIEWS = timedelta(days=7)  # "recently viewed online"
TO_VALIDATE_SHOWN = 20  # of each kind; the rest in the quote and contract lists, filtered by status
# what a manager validates (the contracts service's MANAGER_STATUSES): (list, its filters; the web list's URL filters)
TO_VALIDATE = (("/quotes", {"status": "accepted"}, ("documents.quotes", {"status": "accepted"})),
               ("/contracts", {"status": "signed", "kind": "contract"}, ("documents.contracts", {"status": "signed"})))
TO_CONVERT_SHOWN = 20  # of each status; the rest in the quote list (mine, accepted)
# an accepted quote, or one a manager validated since, still to be turned into its order (the list API's filter)
TO_CONVERT_STATUSES = ("accepted", "validated")
# a manager's: their accepted quotes await their validation first (in TO_VALIDATE), then their order
MANAGER_TO_CONVERT_STATUSES = ("validated",)


@bp.get("/")
@signed_in
def index():
    user = current_user()
    mine = user.get("user_id")
    now = datetime.now(timezone.utc)
    today = now.date().isoformat()
    manager = user.get("role") in MANAGERS
    to_convert_statuses = MANAGER_TO_CONVERT_STATUSES if manager else TO_CONVERT_STATUSES
    quotes, contracts, tasks, viewed, *pages = api.get_many(
        # a sent quote an order or invoice was made from is not awaiting the customer any more: they ordered
        ("/quotes", {"status": "sent", "owner_id": mine, "converted": "false", "limit": 20}),
        ("/contracts", {"status": "sent", "kind": "contract", "owner_id": mine, "limit": 20}),
        ("/tasks", {"assignee": "me", "due_before": today, "limit": 20}),
        ("/quotes", {"viewed_since": (now - RECENT_VIEWS).isoformat(), "owner_id": mine, "limit": 10}),
        *(("/quotes", {"status": status, "owner_id": mine, "converted": "false", "limit": TO_CONVERT_SHOWN})
          for status in to_convert_statuses),
        *(((path, {**filters, "limit": TO_VALIDATE_SHOWN}) for path, filters, _ in TO_VALIDATE) if manager else ()))
    to_convert, to_validate = pages[:len(to_convert_statuses)], pages[len(to_convert_statuses):]
    steps = getting_started.current_steps(mine) if getting_started.wanted() else []
    set_up = bool(steps) and all(step["done"] for step in steps)
    response = make_response(render_template(
        "home.html", quotes=quotes["items"], contracts=contracts["items"], tasks=tasks["items"],
        viewed=viewed["items"], today=today, manager=manager,
        to_convert=latest_signed_first(to_convert),
        more_to_convert=any(page.get("next_cursor") for page in to_convert),
        # the quote list showing what the section shows, every one of them
        all_to_convert={"status": ",".join(to_convert_statuses), "converted": "false", "owner": "me"},
        to_validate=latest_signed_first(to_validate) if manager else [],
        more_to_validate=[link for (_, _, link), page in zip(TO_VALIDATE, to_validate) if page.get("next_cursor")],
        getting_started=[] if set_up else steps))
    # every step done: hidden from now on, without asking the API again (getting_started's docstring says why)
    return getting_started.remember_hidden(response) if set_up else response


def latest_signed_first(pages: list[dict]) -> list[dict]:
    """The documents of ``pages`` (accepted quotes, signed contracts) in one list, the latest signed first."""
    items = [item for page in pages for item in page["items"]]
    return sorted(items, key=lambda item: item.get("signed_at") or item.get("created_at") or "", reverse=True)
