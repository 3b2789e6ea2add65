"""The French catalog says one thing with one word: "email" (never "e-mail"), and "société" for a customer's
company, as the customers' kind and the portal clients' filter and column say it ("entreprise" is the license's
own company: "Profil de l'entreprise")."""
import re
from pathlib import Path

from babel.messages.pofile import read_po

from web.tests.test_web import extracted_messages

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


# What a salesperson or a customer's contact reads says "your company" ("votre entreprise"), not "licence", the
# word of the subscription that license admins manage. Pages of the admin area, and these strings addressed
# to managers on shared pages, may say it.
MANAGER_AREA = ("templates/admin/", "templates/settings/", "pages/admin.py", "pages/settings")
SETTINGS_MENU = "templates/settings/index.html"  # a plain user who opens it reads whom to ask
SHARED_PAGES_TO_MANAGERS = {
    "License admin",  # a role's name, on the users' pages and (one's own, said to a license admin only) /account
    "License admins see every customer.",  # the customer file's perimeters tab, for managers
    "The pages open again once it is renewed: ask your license administrator.",  # said to license admins
    # the activation page: the new company's admin activating the subscription
    "This subscription has no seat left for another company. Free a seat in one of its companies, or ask your "
    "provider for more seats.",
}
# the API's refusals that a salesperson meets (api_messages.py also words the admin area's)
API_MESSAGES_TO_SALESPEOPLE = {
    "User not found in this license.", "Not an active user of this license.",
    "Only a license admin or a front user manager can revoke a client portal access.",
    "This contact has a client portal access: ask a license admin or a front user manager to delete the contact, "
    "or to revoke the access first.",
}


def test_salespeople_and_clients_do_not_read_licence():
    french = {message.id if isinstance(message.id, str) else message.id[0]: strings
              for message, strings in french_strings()}
    said = set()
    for filename, _line, message, _comments, _context in extracted_messages(PO.parents[3]):
        message = message if isinstance(message, str) else message[0]
        if filename == "api_messages.py":
            if message in API_MESSAGES_TO_SALESPEOPLE:
                said.add(message)
        elif (filename == SETTINGS_MENU or not filename.startswith(MANAGER_AREA)) \
                and message not in SHARED_PAGES_TO_MANAGERS:
            said.add(message)
    assert said >= API_MESSAGES_TO_SALESPEOPLE
    assert [(message, french[message]) for message in sorted(said)
            if any("licence" in string.lower() for string in french.get(message, []))] == []


def test_a_flag_is_an_etiquette_and_an_item_an_equipement():
    """Salespeople put "étiquettes" on their documents (as the settings describe them), not "drapeaux"; an item of
    a customer's equipment base ("parc matériel") is "un équipement": "un matériel" is not said."""
    found = [string for _message, strings in french_strings() for string in strings
             if re.search(r"drapeau|\b(un|le|ce) matériel\b|matériels", string, re.IGNORECASE)]
    assert found == []
