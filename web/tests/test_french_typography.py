"""The French catalog keeps French typography: no line of a page starts with the ':' or '?' of the line before
("Mot de passe oublié ?"), nor ends with a '«' (tests/typography.py)."""
from pathlib import Path

from babel.messages.pofile import read_po

from tests.typography import breakable_spaces

PO = Path(__file__).parents[1] / "src" / "paraph_web" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"


def test_every_french_string_holds_its_punctuation_with_a_no_break_space():
    with open(PO, "rb") as f:
        catalog = read_po(f)
    found = {}
    for message in catalog:
        if message.id:  # not the header
            strings = [message.string] if isinstance(message.string, str) else message.string
            places = [place for string in strings for place in breakable_spaces(string or "")]
            if places:
                found[message.id if isinstance(message.id, str) else message.id[0]] = places
    assert found == {}, "write a no-break space (U+00A0) there in messages.po, then compile it (web/README.md)"
