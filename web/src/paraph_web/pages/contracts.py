"""``/contracts/<id>``: the contract page the emails link to ("document signé", "devis consulté"):
its header (number, customer, status, totals) and the signature banner. Other sections come later."""
from __future__ import annotations

from flask import Blueprint, render_template

from .. import api
from ..auth import signed_in

bp = Blueprint("contracts", __name__)

SIGNED_STATUSES = ("signed", "accepted", "validated")


@bp.get("/contracts/<contract_id>")
@signed_in
def show(contract_id: str):
    contract = api.get(f"/contracts/{contract_id}")
    return render_template("contracts/show.html", contract=contract,
                           signed=contract.get("status") in SIGNED_STATUSES,
                           nav="quotes" if contract.get("kind") == "quote" else "contracts")
