"""``/``: today's work: my tasks due (today or overdue), my quotes the customers viewed online lately, my
quotes and contracts awaiting signature (with how often the customer opened them online). Mine: I own them
(a manager sees the team's in the quote and contract lists)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import Blueprint, render_template

from .. import api
from ..auth import current_user, signed_in

bp = Blueprint("home", __name__)
RECENT_VIEWS = timedelta(days=7)  # "recently viewed online"


@bp.get("/")
@signed_in
def index():
    mine = current_user().get("user_id")
    quotes = api.get("/quotes", status="sent", owner_id=mine, limit=20)["items"]
    contracts = api.get("/contracts", status="sent", kind="contract", owner_id=mine, limit=20)["items"]
    now = datetime.now(timezone.utc)
    today = now.date().isoformat()
    tasks = api.get("/tasks", assignee="me", due_before=today, limit=20)["items"]
    viewed = api.get("/quotes", viewed_since=(now - RECENT_VIEWS).isoformat(), owner_id=mine, limit=10)["items"]
    return render_template("home.html", quotes=quotes, contracts=contracts, tasks=tasks, viewed=viewed, today=today)
