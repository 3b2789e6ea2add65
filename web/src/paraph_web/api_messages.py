"""The API's field error messages in the page's language. The gateway and the services answer in English
(marshmallow's standard messages, and Paraph's own); ``ApiError.field_errors`` passes each message through
:func:`translate`, so every page shows them translated. A message not listed here is shown as it came.

Each entry is a regular expression over the whole English message; its named groups become the
parameters of the translated message (so "Length must be between 1 and 100." needs one catalog entry)."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

_MESSAGES = [
    # marshmallow's standard messages (fields and validators)
    (r"Missing data for required field\.", _l("Required.")),
    (r"Field may not be null\.", _l("Required.")),
    (r"required", _l("Required.")),
    (r"Unknown field\.", _l("Unknown field.")),
    (r"Invalid input type\.", _l("Invalid value.")),
    (r"Invalid value\.", _l("Invalid value.")),
    (r"Not a valid string\.", _l("Not a valid text.")),
    (r"Not a valid (integer|number|decimal)\.", _l("Not a valid number.")),
    (r"Not a valid boolean\.", _l("Not a valid yes/no value.")),
    (r"Not a valid email address\.", _l("Not a valid email address.")),
    (r"Not a valid URL\.", _l("Not a valid URL.")),
    (r"Not a valid date\.", _l("Not a valid date.")),
    (r"Not a valid (aware |naive )?datetime\.", _l("Not a valid date and time.")),
    (r"Not a valid UUID\.", _l("Not a valid identifier.")),
    (r"Not a valid (list|mapping type)\.", _l("Invalid value.")),
    (r"String does not match expected pattern\.", _l("Invalid format.")),
    (r"Shorter than minimum length (?P<min>\d+)\.", _l("At least %(min)s characters.")),
    (r"Longer than maximum length (?P<max>\d+)\.", _l("At most %(max)s characters.")),
    (r"Length must be between (?P<min>\d+) and (?P<max>\d+)\.", _l("Between %(min)s and %(max)s characters.")),
    (r"Length must be (?P<count>\d+)\.", _l("Exactly %(count)s characters.")),
    (r"Must be greater than or equal to (?P<min>[-\d.]+) and less than or equal to (?P<max>[-\d.]+)\.",
     _l("Between %(min)s and %(max)s.")),
    (r"Must be greater than or equal to (?P<min>[-\d.]+)\.", _l("At least %(min)s.")),
    (r"Must be less than or equal to (?P<max>[-\d.]+)\.", _l("At most %(max)s.")),
    (r"Must be greater than (?P<min>[-\d.]+)\.", _l("More than %(min)s.")),
    (r"Must be less than (?P<max>[-\d.]+)\.", _l("Less than %(max)s.")),
    (r"Must be one of: (?P<choices>.+)\.", _l("Choose one of: %(choices)s.")),
    # Paraph's own frequent ones
    (r"At least (?P<min>\d+) characters\.", _l("At least %(min)s characters.")),
    (r"At most (?P<max>\d+) characters\.", _l("At most %(max)s characters.")),
    (r"This is not your current password\.", _l("This is not your current password.")),
    (r"already used", _l("Already used.")),
    (r"not a contact of this customer", _l("Not a contact of this customer.")),
    (r"not an active user of this license", _l("Not an active user of this license.")),
    (r"the contact has no email address", _l("The contact has no email address.")),
    (r"the contact already has an access", _l("The contact already has an access.")),
    (r"Empty file\.", _l("Empty file.")),
    (r"Missing file name\.", _l("Missing file name.")),
    (r"not a PDF", _l("Not a PDF file.")),
    # the portal sharing's observers (portal_service.logic.check_participants)
    (r"(?P<name>.+) belongs to the company (?P<company>.+), not (?P<requester_company>.+) like the requester: "
     r"observers must be listed in the same company\..*",
     _l("%(name)s belongs to the company “%(company)s”, not “%(requester_company)s” like the requester: observers "
        "must be listed in the same company.")),
    (r"Not a valid phone number.*", _l("Not a valid phone number.")),
]
_COMPILED = [(re.compile(pattern), message) for pattern, message in _MESSAGES]


def translate(message: str) -> str:
    """``message`` in the page's language when it is one of the known API messages, else unchanged."""
    for pattern, translated in _COMPILED:
        match = pattern.fullmatch(message.strip())
        if match:
            params = match.groupdict()
            return str(translated) % params if params else str(translated)
    return message
