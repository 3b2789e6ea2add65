"""The French catalog says one thing with one word: "email" (never "e-mail"), and "société" for a customer's
company, as the customers' kind and the portal clients' filter and column say it ("entreprise" is the license's
own company: "Profil de l'entreprise")."""
from pathlib import Path

from babel.messages.pofile import read_po

PO = Path(__file__).parents[1] / "src" / "paraph_web" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
# a column's name in another product's export, quoted as it is written there
QUOTED = ("Sage 100\u00a0: Code, E-mail",)


def french_strings():
    with open(PO, "rb") as f:
        catalog = read_po(f)
    for message in catalog:
        if message.id:  # not the header
            strings = [message.string] if isinstance(message.string, str) else message.string
            yield message, [s for s in strings if s]


def test_french_writes_email_as_one_word():
    found = []
    for message, strings in french_strings():
        for string in strings:
            for quoted in QUOTED:
                string = string.replace(quoted, "")
            if "e-mail" in string.lower():
                found.append(string)
    assert found == []


def test_a_portal_clients_company_is_a_societe():
    found = [string for message, strings in french_strings()
             if any(path.endswith(("settings/portal.html", "settings_portal.py", "contracts/portal.html",
                                   "portal_sharing.py")) for path, _line in message.locations)
             for string in strings if "entreprise" in string.lower()]
    assert found == []
