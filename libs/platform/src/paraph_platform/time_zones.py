"""The time zones a license's emails may write their times in (identity's license setting ``time_zone``, an IANA
name), named as people say them: the license settings page offers these (the web app), and an email writes its
times "à 08:40 (heure de La Réunion)" with the same name (notify). Any other IANA zone set through the API is
named after the last part of its key ("Asia/Tokyo": "Tokyo").
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT = "Europe/Paris"  # a new license's (Paraph's customers are French companies)


class Zone(NamedTuple):
    key: str  # the IANA name
    fr: str  # the place, as French writes it after "heure de" ("heure de la Martinique")
    en: str  # the place, as English writes it before "time" ("Martinique time")


# per group, in the order the settings page offers them: Paris first, then the places a French company's
# customers are in — Europe, the French overseas territories, North America — and UTC
OFFERED: dict[str, tuple[Zone, ...]] = {
    "europe": (
        Zone("Europe/Paris", "Paris", "Paris"),
        Zone("Europe/Brussels", "Bruxelles", "Brussels"),
        Zone("Europe/Luxembourg", "Luxembourg", "Luxembourg"),
        Zone("Europe/Monaco", "Monaco", "Monaco"),
        Zone("Europe/Zurich", "Zurich", "Zurich"),
        Zone("Europe/Amsterdam", "Amsterdam", "Amsterdam"),
        Zone("Europe/Berlin", "Berlin", "Berlin"),
        Zone("Europe/Madrid", "Madrid", "Madrid"),
        Zone("Europe/Rome", "Rome", "Rome"),
        Zone("Europe/Vienna", "Vienne", "Vienna"),
        Zone("Europe/Prague", "Prague", "Prague"),
        Zone("Europe/Warsaw", "Varsovie", "Warsaw"),
        Zone("Europe/Copenhagen", "Copenhague", "Copenhagen"),
        Zone("Europe/Stockholm", "Stockholm", "Stockholm"),
        Zone("Europe/Oslo", "Oslo", "Oslo"),
        Zone("Europe/London", "Londres", "London"),
        Zone("Europe/Dublin", "Dublin", "Dublin"),
        Zone("Europe/Lisbon", "Lisbonne", "Lisbon"),
        Zone("Europe/Helsinki", "Helsinki", "Helsinki"),
        Zone("Europe/Athens", "Athènes", "Athens"),
        Zone("Europe/Bucharest", "Bucarest", "Bucharest"),
    ),
    "overseas": (
        Zone("America/Martinique", "la Martinique", "Martinique"),
        Zone("America/Guadeloupe", "la Guadeloupe", "Guadeloupe"),
        Zone("America/St_Barthelemy", "Saint-Barthélemy", "Saint Barthélemy"),
        Zone("America/Marigot", "Saint-Martin", "Saint Martin"),
        Zone("America/Cayenne", "la Guyane", "French Guiana"),
        Zone("America/Miquelon", "Saint-Pierre-et-Miquelon", "Saint Pierre and Miquelon"),
        Zone("Indian/Reunion", "La Réunion", "Réunion"),
        Zone("Indian/Mayotte", "Mayotte", "Mayotte"),
        Zone("Pacific/Noumea", "la Nouvelle-Calédonie", "New Caledonia"),
        Zone("Pacific/Tahiti", "Tahiti", "Tahiti"),
        Zone("Pacific/Wallis", "Wallis-et-Futuna", "Wallis and Futuna"),
    ),
    "north_america": (
        Zone("America/Montreal", "Montréal", "Montreal"),
        Zone("America/Toronto", "Toronto", "Toronto"),
        Zone("America/Moncton", "Moncton", "Moncton"),
        Zone("America/Halifax", "Halifax", "Halifax"),
        Zone("America/St_Johns", "Terre-Neuve", "Newfoundland"),
        Zone("America/Winnipeg", "Winnipeg", "Winnipeg"),
        Zone("America/Edmonton", "Edmonton", "Edmonton"),
        Zone("America/Vancouver", "Vancouver", "Vancouver"),
        Zone("America/New_York", "New York", "New York"),
        Zone("America/Chicago", "Chicago", "Chicago"),
        Zone("America/Denver", "Denver", "Denver"),
        Zone("America/Phoenix", "Phoenix", "Phoenix"),
        Zone("America/Los_Angeles", "Los Angeles", "Los Angeles"),
        Zone("America/Anchorage", "Anchorage", "Anchorage"),
        Zone("Pacific/Honolulu", "Honolulu", "Honolulu"),
        Zone("America/Mexico_City", "Mexico", "Mexico City"),
    ),
    "other": (
        Zone("UTC", "UTC", "UTC"),
    ),
}
_BY_KEY = {zone.key: zone for zones in OFFERED.values() for zone in zones}


def place(key: str, locale: str) -> str:
    """The place a zone is named after, in ``locale`` ("fr" or else English): "La Réunion" / "Réunion"; a zone not
    offered, the last part of its key ("America/Argentina/Buenos_Aires": "Buenos Aires")."""
    zone = _BY_KEY.get(key)
    if zone is not None:
        return zone.fr if locale == "fr" else zone.en
    return key.rsplit("/", 1)[-1].replace("_", " ")


def of_settings(settings: dict) -> str:
    """The zone a license's settings (identity's ``license_settings``) write times in: its ``time_zone``; for a
    license from before the setting, Paris time when its documents are French, else UTC."""
    chosen = settings.get("time_zone")
    if isinstance(chosen, str) and known(chosen):
        return chosen
    return DEFAULT if (settings.get("default_locale") or "fr") == "fr" else "UTC"


def known(key: str) -> bool:
    """Whether the zone database knows ``key`` (what identity accepts as a license's ``time_zone``)."""
    try:
        ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):  # not a zone name ("Paris", "../x", "Mars/Olympus")
        return False
    return True


@lru_cache(maxsize=64)
def zone(name: str | None) -> ZoneInfo:
    """The named IANA zone; Paris time for none or a name the zone database does not know."""
    return ZoneInfo(name if name and known(name) else DEFAULT)
