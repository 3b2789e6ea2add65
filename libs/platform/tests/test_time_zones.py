"""The time zones a license may pick for its emails: real IANA zones, Paris first, each named once."""
from zoneinfo import ZoneInfo

from paraph_platform import time_zones


def test_the_offered_zones_are_real_paris_first_and_named_in_both_languages():
    keys = [zone.key for zones in time_zones.OFFERED.values() for zone in zones]
    assert keys[0] == time_zones.DEFAULT == "Europe/Paris" and len(keys) == len(set(keys))
    assert {"America/Martinique", "Indian/Reunion", "Pacific/Noumea", "America/Montreal", "UTC"} <= set(keys)
    for key in keys:
        assert ZoneInfo(key).key == key  # the zone database knows it (identity's setting accepts it)
    assert (time_zones.place("Indian/Reunion", "fr"), time_zones.place("Indian/Reunion", "en")) == \
        ("La Réunion", "Réunion")
    assert time_zones.place("America/Argentina/Buenos_Aires", "fr") == "Buenos Aires"  # not offered: its key's
