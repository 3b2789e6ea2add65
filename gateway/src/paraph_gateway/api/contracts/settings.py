"""Back office settings of the contracts: custom columns and flags."""
from __future__ import annotations

from paraph_platform.actor import ADMINS, STAFF_ROLES

from ...routing import forward
from .common import bp


forward(bp, "GET", "/settings/columns", "contracts.list_columns", roles=STAFF_ROLES, tags=["settings"],
        doc="""Editable custom columns of contracts.

    The whole list, not paginated: a license's custom columns are a settings list, bounded by design.""")

forward(bp, "POST", "/settings/columns", "contracts.create_column", roles=ADMINS, status=201, tags=["settings"],
        doc="Add a custom column (text, number, date, boolean or choice).")

forward(bp, "PATCH", "/settings/columns/<column_id>", "contracts.update_column", roles=ADMINS, tags=["settings"],
        doc="Rename or reorder a custom column.")

forward(bp, "DELETE", "/settings/columns/<column_id>", "contracts.delete_column", roles=ADMINS, tags=["settings"],
        status=204, doc="Delete a custom column.")

forward(bp, "GET", "/settings/flags", "contracts.list_flags", roles=STAFF_ROLES, tags=["settings"],
        doc="""Flags usable on contracts.

    The whole list, not paginated: a license's flags are a settings list, bounded by design.""")

forward(bp, "POST", "/settings/flags", "contracts.create_flag", roles=ADMINS, status=201, tags=["settings"],
        doc="Create a flag.")

forward(bp, "PATCH", "/settings/flags/<flag_id>", "contracts.update_flag", roles=ADMINS, tags=["settings"],
        doc="Edit a flag.")

forward(bp, "DELETE", "/settings/flags/<flag_id>", "contracts.delete_flag", roles=ADMINS, tags=["settings"],
        doc="Delete a flag (removed from the contracts carrying it: contract.updated.v1 for each).")
