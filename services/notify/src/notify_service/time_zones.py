"""The time zone a license's emails write their dates and times in ("le 15 janvier 2030 à 10:30 (heure de
Paris)"): its settings' ``time_zone`` in identity, of which notify keeps a replica (``license_time_zones``, fed
by ``license.updated.v1``). A license that chose none writes them in Paris time when its documents are French
(Paraph's customers are French companies), else in UTC; a license notify has not heard of yet, in Paris time.
The replica keeps the settings' ``country`` too: a company of the United States reads its English dates month
first (paraph_platform.dates), as its staff pages write them.
"""
from __future__ import annotations

from sqlalchemy import select

from paraph_platform.company_country import known_code
from paraph_platform.time_zones import of_settings  # the zone of a license's settings, as its settings page shows it

from . import templates
from .models import LicenseTimeZone


def write(session, dialect: str, license_id: str, settings: dict, version: int) -> bool:
    """Keep the license's zone unless a newer version of its settings was already applied (events may arrive
    late or twice)."""
    q = select(LicenseTimeZone).where(LicenseTimeZone.license_id == license_id)
    if dialect == "postgresql":
        q = q.with_for_update()
    row = session.execute(q).scalar_one_or_none()
    if row is None:
        row = LicenseTimeZone(license_id=license_id, version=version)
        session.add(row)
    elif row.version > version:
        return False
    row.time_zone, row.country, row.version = of_settings(settings), known_code(settings.get("country")), version
    session.flush()
    return True


def of_license(session, license_id: str | None) -> str:
    row = session.get(LicenseTimeZone, license_id) if license_id else None
    return row.time_zone if row is not None else templates.DEFAULT_TIME_ZONE


def country_of_license(session, license_id: str | None) -> str | None:
    """The country the license's company is established in, None when notify does not know it."""
    row = session.get(LicenseTimeZone, license_id) if license_id else None
    return row.country if row is not None else None
