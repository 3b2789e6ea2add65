"""The perimeter scopes: this service's replica of which perimeters each customer and contract type is
in (``customer_scopes`` / ``contract_type_scopes``, the tables the perimeter filter's SQL reads),
kept up to date from the perimeter service's events, and the perimeter service's check of which
subjects exist here.
"""
from __future__ import annotations

from sqlalchemy import select

from paraph_platform.events import subscribe
from paraph_platform.filter_cache import perimeter_filter_invalidation
from paraph_platform.inbox import first_time
from paraph_platform.service import endpoint

from .base import ContractsBase
from .exceptions import InvalidInput
from .models import ContractType, ContractTypeScope, Customer, CustomerScope, Inbox


class ScopesEndpoints(ContractsBase):
    """The perimeter scope replica and the perimeter filter cache's invalidation."""

    @subscribe("perimeter", "perimeter.assignments_changed.v1")
    def on_assignments_changed(self, event):
        data = event["data"]
        kinds = {"customer": (CustomerScope, "customer_id", Customer),
                 "contract_type": (ContractTypeScope, "contract_type_id", ContractType)}
        if data.get("subject_type") not in kinds:
            return
        model, key, owner = kinds[data["subject_type"]]
        with self.db.session() as s:
            if not first_time(s, Inbox, event["id"], "contracts.on_assignments_changed"):
                return
            if s.get(owner, data["subject_id"]) is None:
                return  # not (yet) ours: the creator writes the scope with the customer itself
            self._write_scope(s, model, key, data["subject_id"], data["perimeter_ids"], data["version"],
                              data["subject_type"])

    @perimeter_filter_invalidation
    def forget_perimeter_filter(self, event):
        """Every process (not one replica): a user's cached list filter is stale once their perimeters change."""
        self.perimeter_filter.forget(event)

    @endpoint
    def known_subjects_internal(self, license_id, subject_type, ids):
        """Internal (perimeter): those of the ids that are customers or contract types of the license,
        so that the perimeter service registers objects created before it registered them."""
        model = {"customer": Customer, "contract_type": ContractType}.get(subject_type)
        if model is None:
            raise InvalidInput("subject_type must be customer or contract_type")
        if not isinstance(ids, list) or len(ids) > 1000:
            raise InvalidInput("ids must be a list of at most 1000 ids")
        with self.db.session() as s:
            return {"ids": sorted(i for (i,) in s.execute(select(model.id).where(
                model.license_id == license_id, model.id.in_(ids))))}
