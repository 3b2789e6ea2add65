"""``/``: today's work: my quotes and contracts awaiting signature (with how often the customer
opened them online)."""
from __future__ import annotations

from flask import Blueprint, render_template

from .. import api
from ..auth import signed_in

bp = Blueprint("home", __name__)


@bp.get("/")
@signed_in
def index():
    quotes = api.get("/quotes", status="sent", limit=20)["items"]
    contracts = api.get("/contracts", status="sent", kind="contract", limit=20)["items"]
    return render_template("home.html", quotes=quotes, contracts=contracts)
