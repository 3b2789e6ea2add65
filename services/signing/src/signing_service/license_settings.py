"""A license's signing settings: the origins allowed to frame the signing page (embedded signing) and the
reminder cadence (every N days, at most M reminders). A license without a row gets the service's defaults
(SIGNATURE_REMINDER_AFTER_HOURS, SIGNATURE_REMINDER_MAX) and no embedding."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from paraph_platform.actor import LICENSE_ADMIN, STAFF_ROLES, load_actor, require_role
from paraph_platform.db import utcnow
from paraph_platform.service import endpoint

from .base import SigningBase
from .exceptions import Conflict
from .logic import iso
from .models import LicenseSettings
from .schemas.license_settings import SettingsIn


def settings_of(s, license_id: str) -> LicenseSettings | None:
    """The license's row (None: every default applies)."""
    return s.get(LicenseSettings, license_id)


def embed_origins(s, license_id: str) -> list[str]:
    """The origins allowed to frame this license's signing pages ([]: none)."""
    row = settings_of(s, license_id)
    return list(row.embed_origins or []) if row is not None else []


class LicenseSettingsEndpoints(SigningBase):
    """get_settings (staff) and update_settings (license admins)."""

    def _settings_view(self, row: LicenseSettings | None) -> dict:
        return {"embed_origins": list(row.embed_origins or []) if row else [],
                "reminder_every_days": row.reminder_every_days if row else None,
                "reminder_max": row.reminder_max if row else None,
                "defaults": {"reminder_every_days": round(self.settings.reminder_after / 86400, 2),
                             "reminder_max": self.settings.reminder_max},
                "updated_at": iso(row.updated_at) if row else None}

    @endpoint
    def get_settings(self, actor):
        """The license's signing settings (null reminder fields: the service's defaults, in ``defaults``)."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            return self._settings_view(settings_of(s, actor["license_id"]))

    @endpoint(write=True)
    def update_settings(self, actor, payload=None):
        """Change the fields sent (license admins)."""
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        data = SettingsIn().load(payload or {})
        if "embed_origins" in data:
            data["embed_origins"] = list(dict.fromkeys(data["embed_origins"]))  # same origin twice: once
        try:
            with self.db.session() as s:
                row = s.get(LicenseSettings, actor["license_id"], with_for_update=self.db.dialect == "postgresql")
                if row is None:
                    row = LicenseSettings(license_id=actor["license_id"], embed_origins=[])
                    s.add(row)
                for name, value in data.items():
                    setattr(row, name, value)
                row.updated_at = utcnow()
                s.flush()
                return self._settings_view(row)
        except IntegrityError:  # two first saves of the license raced on its row
            raise Conflict("The settings were changed at the same time; try again.") from None
