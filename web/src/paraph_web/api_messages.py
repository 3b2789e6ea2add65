"""The API's field error messages, and the texts it describes things with, in the page's language. The
gateway and the services answer in English (marshmallow's standard messages, and Paraph's own);
``ApiError.field_errors`` passes each message through :func:`translate`, so every page shows them
translated, and templates pass a description through the ``api_text`` filter. A message not listed here
is shown as it came.

Each entry is a regular expression over the whole English message; its named groups become the
parameters of the translated message (so "Length must be between 1 and 100." needs one catalog entry).
A message shown as the API words it, translated, is written once: ``_verbatim("Empty file.")``.

A message said of several cases ("Length must be between 1 and 300." of an empty title as of one too long) is
said of the case that happened when the value sent for the field is known (``ApiError.field_errors`` gives it):
"Required." or "At most 300 characters."."""
from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l


def _verbatim(message: str) -> tuple[str, object]:
    """The entry of an API message matched exactly as written and translated from those same words (a
    gettext keyword of its own: the catalog commands of web/README.md extract its argument)."""
    return re.escape(message), _l(message)


_REQUIRED = _l("Required.")
_AT_MOST = _l("At most %(max)s characters.")

_MESSAGES = [
    # marshmallow's standard messages (fields and validators)
    (r"Missing data for required field\.", _REQUIRED),
    (r"Field may not be null\.", _REQUIRED),
    (r"required", _REQUIRED),
    _verbatim("Unknown field."),
    (r"Invalid input type\.", _l("Invalid value.")),
    _verbatim("Invalid value."),
    (r"Not a valid string\.", _l("Not a valid text.")),
    (r"Not a valid (integer|number|decimal)\.", _l("Not a valid number.")),
    (r"Not a valid boolean\.", _l("Not a valid yes/no value.")),
    _verbatim("Not a valid email address."),
    _verbatim("Not a valid URL."),
    _verbatim("Not a valid date."),
    (r"Not a valid (aware |naive )?datetime\.", _l("Not a valid date and time.")),
    _verbatim("Give a date between the years 1900 and 9999."),  # paraph_platform.dates
    _verbatim("Give a date-time between the years 1900 and 9999."),
    (r"Not a valid UUID\.", _l("Not a valid identifier.")),
    (r"Not a valid (list|mapping type)\.", _l("Invalid value.")),
    (r"String does not match expected pattern\.", _l("Invalid format.")),
    (r"Shorter than minimum length (?P<min>\d+)\.", _l("At least %(min)s characters.")),
    (r"Longer than maximum length (?P<max>\d+)\.", _AT_MOST),
    # at least one character: said of an empty field as of one too long, so both are named when the value sent
    # is not known (else translate says which: _LENGTH_FROM_ONE)
    (r"Length must be between 1 and (?P<max>\d+)\.", _l("Required, at most %(max)s characters.")),
    (r"Length must be between (?P<min>\d+) and (?P<max>\d+)\.", _l("Between %(min)s and %(max)s characters.")),
    (r"Length must be (?P<count>\d+)\.", _l("Exactly %(count)s characters.")),
    # an amount or a quantity: 0 or more, under a bound (1,000,000,000,000 for an amount) no one types, so not said
    (r"Must be greater than or equal to 0 and less than (or equal to )?\d{10,}(\.\d+)?\.", _l("A positive number or zero.")),
    (r"Must be greater than or equal to (?P<min>[-\d.]+) and less than or equal to (?P<max>[-\d.]+)\.",
     _l("Between %(min)s and %(max)s.")),
    (r"Must be greater than or equal to (?P<min>[-\d.]+) and less than (?P<max>[-\d.]+)\.",
     _l("At least %(min)s and less than %(max)s.")),
    (r"Must be greater than or equal to (?P<min>[-\d.]+)\.", _l("At least %(min)s.")),
    (r"Must be less than or equal to (?P<max>[-\d.]+)\.", _l("At most %(max)s.")),
    (r"Must be greater than (?P<min>[-\d.]+)\.", _l("More than %(min)s.")),
    (r"Must be less than (?P<max>[-\d.]+)\.", _l("Less than %(max)s.")),
    (r"Must be one of: (?P<choices>.+)\.", _l("Choose one of: %(choices)s.")),
    # Paraph's own frequent ones
    (r"At least (?P<min>\d+) characters\.", _l("At least %(min)s characters.")),
    (r"At most (?P<max>\d+) characters\.", _AT_MOST),
    _verbatim("This is not your current password."),
    # a company name another company of the subscription has (identity_service.licenses: activation, renaming)
    _verbatim("A company of this subscription already has this name."),
    (r"already used", _l("Already used.")),
    # an invitation of someone already in the license (identity_service.invitations)
    (r"already invited in this license", _l("Already invited to this license.")),
    (r"already active in this license", _l("Already a user of this license.")),
    (r"not a contact of this customer", _l("Not a contact of this customer.")),
    (r"not an active user of this license", _l("Not an active user of this license.")),
    # an id the body references that is not there for the caller, next to its field (contracts_service.base.not_found)
    _verbatim("No such customer."),
    _verbatim("No such contact."),
    _verbatim("No such deal."),
    _verbatim("No such contract type."),
    (r"the contact has no email address", _l("The contact has no email address.")),
    (r"the contact already has an access", _l("The contact already has an access.")),
    _verbatim("Empty file."),
    _verbatim("Missing file name."),
    (r"not a PDF", _l("Not a PDF file.")),
    # a quote the customer ordered is not sent for signature (signing_service.signature_requests)
    (r"This quote was turned into an order \((?P<number>[^)]+)\): it is not sent for signature any more\.",
     _l("This quote was turned into order %(number)s: it is no longer sent for signature.")),
    (r"This quote was turned into an invoice \((?P<number>[^)]+)\): it is not sent for signature any more\.",
     _l("This quote was turned into invoice %(number)s: it is no longer sent for signature.")),
    # the ERP user sync (identity_service.collaborators): invite_user's refusals (an import's "not invited" rows,
    # the review page's invitations), invite_collaborators' skip reasons (without the email: the notice names
    # the collaborator; "already invited in this license" is above), link_collaborator's refusals
    (r"(?P<email>\S+) is already invited in this license\.", _l("%(email)s is already invited to this license.")),
    (r"(?P<email>\S+) is already active in this license\.", _l("%(email)s is already a user of this license.")),
    (r"inactive in the ERP", _l("Marked inactive in the ERP.")),
    (r"deactivated in Paraph: reactivate the user to give them a seat again",
     _l("Deactivated in Paraph: reactivate them from their page to give them a seat again.")),
    (r"the email of a client portal account of this company",
     _l("Their email is that of a client portal account of this company: one email is one person.")),
    (r"(?P<email>\S+) is the email of a client portal account of this company\.",
     _l("%(email)s is the email of a client portal account of this company: one email is one person.")),
    (r"No seat left: (?P<used>\d+) of (?P<total>\d+) seats are in use \((?P<companies>.+)\)\. "
     r"Deactivate a user or add seats to the subscription\.",
     _l("No seat left: %(used)s of %(total)s seats are in use (%(companies)s). Deactivate a user or add seats to "
        "the subscription.")),
    (r"Unknown collaborator codes: (?P<codes>.+)", _l("Unknown collaborator codes: %(codes)s.")),
    _verbatim("Unknown collaborator code."),
    _verbatim("User not found in this license."),
    # any other thing the API no longer finds ("Contract not found.", "Task not found."): deleted meanwhile (a
    # colleague, another tab) or out of the reader's perimeters, which a 404 does not tell apart
    (r"[A-Z][A-Za-z ]* not found\.", _l("This item no longer exists, or is no longer visible to you.")),
    (r"An? \w+ cannot invite an? \w+\.", _l("Your role does not allow inviting people with this role.")),
    # a manager's refusals on a user's page (identity's users.py and invitations.py)
    _verbatim("You cannot change this user's role."),
    _verbatim("You cannot deactivate this user."),
    _verbatim("You cannot reactivate this user."),
    _verbatim("You cannot manage this user."),
    _verbatim("A license keeps at least one active license admin."),
    (r"This user is \w+; only pending invitations can be re-sent\.",
     _l("Only a pending invitation can be sent again: this one was already accepted or withdrawn.")),
    (r"This user is (invited|active)\.", _l("This user is not deactivated.")),
    # (identity's and the gateway's words: the day is written as the pages write dates, by _localized)
    (r"The subscription expired on (?P<date>[\d-]+)\.", _l("The subscription expired on %(date)s.")),
    # identity's refusals of a sign-in (the sign-in page says them above the form: forms.render_with_errors)
    _verbatim("Wrong email or password."),
    _verbatim("Your account has no active access."),
    (r"Too many failed sign-in attempts; try again in (?P<seconds>\d+) seconds or reset your password\.",
     _l("Too many failed sign-in attempts; try again in %(seconds)s seconds or reset your password.")),
    (r"The license (?P<name>.+) expired on (?P<date>[\d-]+)\.", _l("The license %(name)s expired on %(date)s.")),
    # the refusals of a whole export on the ERP sync page (identity_service.logic.parse_collaborators)
    _verbatim("The CSV export could not be read: a quote (\") is not closed, or a value is too long."),
    _verbatim("The CSV export needs a header with at least 'code' and 'email' columns."),
    # a bulk send's CSV (signing_service.bulk_sends.csv_rows), said next to its file input
    _verbatim("No email column in the header line."),
    # and its row errors shown with their details (the others by their reason: templates/settings/erp_sync.html)
    (r"collaborator code longer than (?P<max>\d+) characters",
     _l("Collaborator code longer than %(max)s characters")),
    (r"name longer than (?P<max>\d+) characters", _l("Name longer than %(max)s characters")),
    # an uploaded document sent for signature (signing_service.uploaded_documents.REFUSALS)
    _verbatim("This file is not a PDF: upload a PDF document."),
    _verbatim("This PDF cannot be read (it is damaged or not a real PDF)."),
    _verbatim("This PDF has no pages."),
    _verbatim("This PDF is encrypted or password-protected: upload it without protection."),
    _verbatim("This PDF contains JavaScript: documents with scripts cannot be signed."),
    _verbatim("This PDF contains embedded files or attachments: remove them and upload it again."),
    (r"DOCX is converted only when LibreOffice is installed; upload a PDF\.",
     _l("Word documents are converted only when LibreOffice is installed; upload a PDF.")),
    _verbatim("This Word document could not be converted to PDF; upload a PDF."),
    (r"The document is larger than (?P<mb>\d+) MB .*", _l("The document is larger than %(mb)s MB, the largest accepted.")),
    _verbatim("The converted document is too large to be signed."),
    (r"This PDF has (?P<pages>\d+) pages; at most (?P<max>\d+) can be sent for signature\.",
     _l("This PDF has %(pages)s pages; at most %(max)s can be sent for signature.")),
    (r"The document is not valid base64\.", _l("The file could not be read: send it again.")),
    # the portal sharing's observers (portal_service.logic.check_participants)
    (r"(?P<name>.+) belongs to the company (?P<company>.+), not (?P<requester_company>.+) like the requester: "
     r"observers must be listed in the same company\..*",
     _l("%(name)s belongs to the company “%(company)s”, not “%(requester_company)s” like the requester: observers "
        "must be listed in the same company.")),
    # ... a client limited to a branch, and one without a live access (an access revoked meanwhile)
    (r"(?P<name>.+)'s portal access is limited to the branch (?P<branch>.+); this share is for no branch\.",
     _l("%(name)s's access to the client portal is limited to the branch %(branch)s; this document is shared for no "
        "branch.")),
    (r"(?P<name>.+)'s portal access is limited to the branch (?P<branch>.+); this share is for (?P<share_branch>.+)\.",
     _l("%(name)s's access to the client portal is limited to the branch %(branch)s; this document is shared for the "
        "branch %(share_branch)s.")),
    (r"(?P<name>.+) has no portal access\. .*", _l("%(name)s has no access to the client portal.")),
    (r"(?P<name>.+) has a deactivated portal access\. .*", _l("%(name)s's access to the client portal is deactivated.")),
    (r"(?P<name>.+) is not a contact of (?P<customer>.+): requester and observers must be contacts of the contract's "
     r"customer\.", _l("%(name)s is not a contact of %(customer)s: requester and observers must be contacts of the "
                       "document's customer.")),
    # a phone number (paraph_platform.phones.phone_error): short, with examples of the country it was read in (the
    # customer's, else the company's, else France: what a number without its country code is read in), named in
    # the page's language
    (r"Not a valid phone number in (?P<country>[A-Z]{2}): e\.g\. (?P<national_example>.+) or "
     r"(?P<international_example>\+.+)\.",
     _l("Not a valid phone number (%(country)s): e.g. %(national_example)s or %(international_example)s.")),
    _verbatim("Use a 3-letter ISO currency code."),  # a customer's currency (contracts' CURRENCY)
    _verbatim("The warranty cannot end before the installation."),  # an equipment item (contracts' check_warranty)
    _verbatim("Unknown column."),  # a custom column value (contracts' check_custom_values)
    # a name taken in the license, said next to the name field (perimeter's and contracts' _check_name_free)
    _verbatim("Another perimeter already has this name."),
    _verbatim("Another contract type already has this name."),
    # a status move refused (contracts_service.logic.check_transition, paraph_platform.actor.require_role): the
    # contract page offered it, so the status changed meanwhile (someone else, a second click)
    (r"An? \w+ cannot go from \w+ to \w+\.",
     _l("This status change is no longer possible: the status has changed meanwhile.")),
    (r"[Tt]his action needs one of the roles: .+", _l("Your role does not allow this action.")),  # services', gateway's
    # a plain user's revocation of a portal access (portal_service.client_accesses.REVOKE_REFUSED)
    _verbatim("Only a license admin or a front user manager can revoke a client portal access."),
    # a plain user's deletion of a contact with a live portal access (contracts_service.customers.PORTAL_CLIENT_DELETION)
    _verbatim("This contact has a client portal access: ask a license admin or a front user manager to delete the "
              "contact, or to revoke the access first."),
    # an API key's allowed addresses and expiry (identity's CreateApiKeySchema)
    (r"not an IP address or CIDR network: (?P<values>.+)", _l("Not an IP address or network: %(values)s.")),
    (r"must be in the future", _l("Must be in the future.")),
    # a contract type's template that does not render (contracts_service.pdf.describe_template_error)
    (r"line (?P<line>\d+): '(?P<name>[^']+)' is undefined", _l("line %(line)s: “%(name)s” is undefined")),
    # ... a custom column's value no column has the key of, said with the keys there are (pdf._unknown_column)
    (r"line (?P<line>\d+): '(?P<name>[^']+)' is undefined: no custom column has the key '(?P<key>[^']+)' "
     r"\(the keys: (?P<keys>[^)]+)\)",
     _l("line %(line)s: “%(name)s” is undefined: no custom column has the key “%(key)s” (the keys: %(keys)s)")),
    (r"line (?P<line>\d+): '(?P<name>[^']+)' is undefined: no custom column has the key '(?P<key>[^']+)' "
     r"\(the license has no custom columns\)",
     _l("line %(line)s: “%(name)s” is undefined: no custom column has the key “%(key)s” (the license has no "
        "custom columns)")),
    # ... and any other of its errors (Jinja's words: the line is what the author needs)
    (r"line (?P<line>\d+): (?P<detail>.+)", _l("line %(line)s: %(detail)s")),
    # a license's email template refused (notify_service.templates.validate), said next to the part concerned (a
    # syntax error's own words are Jinja's: the line is what the admin needs)
    (r"unknown variables: (?P<names>.+) \(available: (?P<available>.+)\)",
     _l("Unknown variables: %(names)s. Available: %(available)s.")),
    (r"syntax error line (?P<line>\d+): (?P<detail>.+)", _l("Syntax error on line %(line)s: %(detail)s")),
    (r"must contain (?P<variable>\{\{ \w+ \}\})", _l("Must contain %(variable)s.")),
    (r"must not contain (?P<names>.+): a subject shows in previews and the delivery log",
     _l("Must not contain %(names)s: a subject shows in previews and in the delivery log.")),
    (r"unknown variable or attribute: (?P<detail>.+)", _l("Unknown variable or attribute: %(detail)s")),
    (r"not allowed in a template: (?P<detail>.+)", _l("Not allowed in a template: %(detail)s")),
    (r"cannot be rendered: (?P<detail>.+)", _l("Cannot be written out with sample data: %(detail)s")),
    (r"must be a single line", _l("Must be a single line.")),
    (r"at most (?P<max>\d+) characters", _AT_MOST),
    # a custom column's or flag's key (contracts' MERGE_FIELD_RE, a merge field's too), a choice column without its
    # choices, a key the license already has (contracts_service.settings)
    (r"lowercase letters, digits, _", _l("Only lowercase letters, digits and _, e.g. sale_price.")),
    (r"a choice column needs choices", _l("Give the choices, separated by commas.")),
    (r"A column '(?P<key>.+)' already exists\.", _l("Another column already has the key %(key)s.")),
    (r"A flag '(?P<key>.+)' already exists\.", _l("Another flag already has the key %(key)s.")),
    # an embed origin of the e-signature settings (signing_service.schemas.license_settings.normalize_origin)
    (r"an exact origin such as https://app\.example\.com \(no wildcard\)",
     _l("One exact address such as https://app.example.com (no wildcard).")),
    (r"an origin such as https://app\.example\.com\[:port\].*",
     _l("An address such as https://app.example.com[:port], without path or wildcard.")),
    (r"the scheme must be https or http", _l("The address must start with https:// or http://.")),
    (r"an origin only: .*", _l("The address only (https://host[:port]), without path, query or password.")),
    (r"not a valid host name", _l("Not a valid host name.")),
    # the company profile's identifiers (contracts_service.logic.company_id_errors) and logo
    _verbatim("A SIREN has 9 digits."),
    _verbatim("This SIREN's check digit is wrong."),
    _verbatim("A SIRET has 14 digits."),
    _verbatim("This SIRET's check digit is wrong."),
    _verbatim("The SIRET must start with the SIREN."),
    # outside France, the same fields hold the country's numbers (contracts_service.logic.foreign_company_id_errors)
    _verbatim("A company number has up to 9 letters and digits."),
    _verbatim("A registration number has up to 14 letters and digits."),
    # a customer's company number (contracts_service.logic.customer_number_error; in France the SIREN's and SIRET's)
    _verbatim("A French company number is a SIREN (9 digits) or a SIRET (14 digits)."),
    _verbatim("A company number has up to 20 letters and digits."),
    # the company's country (identity's license setting: activation, the documents' defaults)
    _verbatim("Not a country's ISO 3166-1 code in capitals (such as GB, FR, US)."),
    (r"A VAT number starts with its country code.*",
     _l("A VAT number starts with its country code (FR, BE...) followed by 2 to 13 letters or digits.")),
    _verbatim("A French VAT number is FR, a 2-character key and the 9-digit SIREN."),
    _verbatim("The SIREN in this VAT number is not valid."),
    _verbatim("This French VAT number's key does not match its SIREN."),
    _verbatim("The VAT number must contain the SIREN."),
    (r"The file is (?P<size>\d+) bytes; the limit is (?P<limit>\d+) bytes\.",
     _l("The file is %(size)s bytes; the limit is %(limit)s bytes.")),
    (r"The file exceeds (?P<limit>\d+) bytes\.", _l("The file exceeds %(limit)s bytes.")),
    (r"The content of (?P<name>.+) is not a valid (?P<type>\S+) file\.",
     _l("The content of %(name)s is not a valid %(type)s file.")),
    (r"Files of type (?P<type>\S+) are not accepted\.", _l("Files of type %(type)s are not accepted.")),
    # what each public event type means (notify_service.logic.PUBLIC_EVENT_TYPES), shown by the webhook form
    _verbatim("A user was invited to the license (or re-invited)."),
    _verbatim("An invited user accepted the invitation."),
    _verbatim("A user was deactivated (their seat is free)."),
    _verbatim("The license's name, seats, expiry or settings changed."),
    _verbatim("A perimeter was created."),
    _verbatim("A perimeter was renamed or described."),
    _verbatim("A perimeter was deleted."),
    _verbatim("The perimeters of a user, customer or contract type changed."),
    _verbatim("A customer was created."),
    _verbatim("A contract type (model) was created."),
    _verbatim("A contract type's name, template, merge fields or settings changed, or it was restored from the "
              "archive."),
    _verbatim("A contract type was archived (no new contract is made from it)."),
    _verbatim("A customer file was edited."),
    _verbatim("A portal client updated their own details or their company's."),
    _verbatim("A contact was added to a customer."),
    _verbatim("A customer's contact was edited."),
    _verbatim("A customer's contact was deleted (their portal access is revoked)."),
    _verbatim("A contract, quote, order or invoice was created."),
    _verbatim("A contract's details changed: title, lines and amounts, owner, contact, custom columns, flags..."),
    _verbatim("A contract or quote was sent (or a reminder was sent) to its contact."),
    _verbatim("A contract's status changed."),
    _verbatim("An unsigned contract was abandoned after the license's delay."),
    _verbatim("A quote was converted into an order or an invoice."),
    _verbatim("A file was attached to a contract."),
    _verbatim("A contract's attachment was shown or hidden on the customer portal, renamed or moved."),
    _verbatim("A contract's attachment was deleted."),
    _verbatim("A milestone was added to a contract."),
    _verbatim("A contract's milestone was edited, marked done or not, shown or hidden on the customer portal."),
    _verbatim("A contract's milestone was deleted."),
    _verbatim("A task was added to a contract."),
    _verbatim("A task was edited, reassigned, marked done or not."),
    _verbatim("A task was deleted."),
    _verbatim("A deal (sales opportunity) was created."),
    _verbatim("A deal's stage, amount, owner or details changed."),
    _verbatim("A deal without documents was deleted."),
    _verbatim("Signatures (and approvals) were requested on a contract."),
    _verbatim("An approver approved the document."),
    _verbatim("An approver refused the document."),
    _verbatim("Every participant acted; the document is being sealed."),
    _verbatim("A signature request was cancelled by its owner."),
    _verbatim("A signature request expired before completion."),
    _verbatim("A participant was replaced by someone else before acting."),
    _verbatim("A signer signed."),
    _verbatim("A signer declined to sign."),
    _verbatim("Every signer signed; the sealed document is available."),
    _verbatim("Every row of a bulk send was tried; its requests are created."),
    _verbatim("A contract was shared on the customer portal."),
    _verbatim("A contract is no longer shown on the customer portal."),
    _verbatim("A contact viewed a quote online."),
    _verbatim("A contact downloaded a quote's PDF."),
    _verbatim("A contact sent feedback on a quote."),
    _verbatim("A webhook endpoint was disabled after failing repeatedly."),
    # what a notification template's variables are (notify_service.template_catalog.VARIABLES), shown by the
    # email template editor. A date comes as notify's samples write it (2030-02-28, 2030-01-31T18:00:00Z): its
    # description says, instead of "ISO 8601", how |date and |datetime write it out (notify's templates.format_date)
    _verbatim("recipient's name"),
    _verbatim("company (license) name"),
    _verbatim("who sent the invitation"),
    _verbatim("set-password link (single use)"),
    (re.escape("expiry date and time (ISO 8601; format with |datetime or |date)"),
     _l("expiry date and time: add |datetime after the name to write it “31 January 2030 at 19:00 (Paris time)”, or |date "
        "for the day only")),
    _verbatim("portal user code (clients)"),
    _verbatim("who gave the access"),
    _verbatim("the client's user code"),
    _verbatim("reset link (single use)"),
    _verbatim("document number"),
    _verbatim("document title"),
    _verbatim("name of the salesperson sending the document"),
    _verbatim("free text written by the sender"),
    _verbatim("online quote link"),
    (re.escape("end of validity (ISO 8601)"),
     _l("end of validity: add |date after the name to write it “28 February 2030”")),
    _verbatim("true when the quote can also be signed online"),
    (re.escape("when the quote was first sent (ISO 8601)"),
     _l("when the quote was first sent: add |date after the name to write it “10 January 2030”")),
    _verbatim("who shared it"),
    _verbatim("portal link"),
    _verbatim("message from the person who shared it"),
    _verbatim("requester or observer (portal clients)"),
    _verbatim("for an observer: the requester's name (empty for the requester)"),
    _verbatim("what was shared: quote, contract, order or invoice"),
    _verbatim("signing link"),
    _verbatim("signer or approver"),
    _verbatim("'sign' or 'approve'"),
    _verbatim("one-time code"),
    _verbatim("validity in minutes"),
    _verbatim("list of {name, email, signed_at}"),
    (re.escape("date and time of the action (ISO 8601)"),
     _l("date and time of the action: add |datetime after the name to write it “15 January 2030 at 10:30 (Paris time)”")),
    _verbatim("document link"),
    _verbatim("who declined"),
    _verbatim("their email"),
    _verbatim("the reason they gave"),
    _verbatim("link to the document"),
    (re.escape("when it expired (ISO 8601)"),
     _l("when it expired: add |datetime after the name to write it “31 January 2030 at 19:00 (Paris time)”")),
    _verbatim("names of those who had not acted"),
    _verbatim("customer contact's name"),
    _verbatim("link to the quote"),
    _verbatim("contact's email"),
    _verbatim("the contact's feedback"),
    _verbatim("the customer"),
    _verbatim("the portal client who made the change"),
    _verbatim("contact (their own details) or company (the customer file)"),
    _verbatim("list of {field, from, to}"),
    _verbatim("the customer file's history"),
    _verbatim("the endpoint URL"),
    _verbatim("the webhook id"),
    _verbatim("why it was disabled"),
    _verbatim("last error"),
    _verbatim("where to re-enable it"),
    # a webhook endpoint's URL refused (notify_service.logic.validate_webhook_url: https only, unless the operator
    # allows local receivers), said next to the field of the webhook form
    _verbatim("A URL is required."),
    (r"The URL is longer than (?P<max>\d+) characters\.", _AT_MOST),
    _verbatim("The URL contains spaces or control characters."),
    _verbatim("The URL is not valid."),
    _verbatim("Only https:// URLs are accepted."),
    _verbatim("Only http:// and https:// URLs are accepted."),
    _verbatim("The URL has no host."),
    _verbatim("The URL's host is not a valid name or address."),
    _verbatim("Do not put credentials in the URL; authenticate requests with the signature."),
    _verbatim("The URL's port is not valid."),
    _verbatim("Local addresses are not accepted."),
    _verbatim("Private, loopback and link-local addresses are not accepted."),
    # why a webhook delivery failed, or a webhook was disabled (notify_service: logic.check_resolved, channels'
    # delivery, webhooks, webhook_subscriptions), shown in its delivery log; a technical detail stays as it came
    (r"the host name does not resolve", _l("the host name does not resolve (DNS)")),
    (r"timeout after (?P<seconds>\d+)s", _l("no answer within %(seconds)s s")),
    (r"connection error: (?P<detail>.+)", _l("connection failed (%(detail)s)")),
    (r"refused: the host resolves to a non-public address \((?P<addresses>.+)\)",
     _l("refused: the host name leads to a non-public address (%(addresses)s)")),
    (r"refused: not a valid URL", _l("refused: the URL is not valid")),
    (r"refused: not an http\(s\) URL", _l("refused: the URL does not start with http:// or https://")),
    (r"endpoint disabled", _l("the webhook is disabled")),
    (r"created disabled", _l("created disabled")),
    (r"disabled by (?P<who>.+)", _l("disabled by %(who)s")),
    (r"every attempt failed since (?P<since>\S+) \(the whole retry schedule\)",
     _l("every attempt failed since %(since)s (all the retries)")),
    (r"(?P<count>\d+) deliveries failed in a row", _l("%(count)s deliveries failed in a row")),
]
_COMPILED = [(re.compile(pattern), message) for pattern, message in _MESSAGES]


_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _localized(value: str) -> str:
    """A number or a day of the message as the page's language writes it ("1 000 000", "0,01", "31 janv. 2027":
    the pages' ``day`` filter), anything else as it is."""
    if _DAY.fullmatch(value):
        from .i18n import day  # i18n imports this module for its api_text filter
        return day(value)
    return format_decimal(Decimal(value)) if _NUMBER.fullmatch(value) else value


# a text of at least one character and at most max: said of an empty value as of a too long one
_LENGTH_FROM_ONE = re.compile(r"Length must be between 1 and (?P<max>\d+)\.")
NOT_SENT = object()  # the value of a field the page did not send, or whose value it does not know


def _of_value(message: str, sent) -> str | None:
    """``message`` as said of the text ``sent`` when it is said of several cases: "Required." of an empty (or
    blank) text, "At most N characters." of a too long one; None when the message or the value does not tell."""
    match = _LENGTH_FROM_ONE.fullmatch(message)
    if match is None or not isinstance(sent, str):
        return None
    if not sent.strip():
        return str(_REQUIRED)
    if len(sent) > int(match["max"]):
        return str(_AT_MOST) % {"max": _localized(match["max"])}
    return None


# identity's "(ACME uses 7 seats, Beta uses 3 seats)" after "No seat left" (an identity of before said "(ACME: 7,
# Beta: 3)"): the seats each company uses, a sentence of the page's language ("ACME utilise 7 licences")
_SEATS_OF_COMPANY = re.compile(r"(?P<company>.+?)(?:: | uses )(?P<count>\d+)(?: seats?)?(?:, |$)")


def _seats_by_company(value: str) -> str:
    from .i18n import ngettext  # i18n imports this module for its api_text filter
    return ", ".join(ngettext("%(company)s uses %(num)s seat", "%(company)s uses %(num)s seats", int(m["count"]),
                              company=m["company"])
                     for m in _SEATS_OF_COMPANY.finditer(value)) or value


def _country(code: str) -> str:
    from .i18n import country  # i18n imports this module for its api_text filter
    return country(code)


def _moment(value: str) -> str:
    """A time the API wrote in ISO 8601 ("2026-12-07T18:00:10Z") as the pages write one ("7 déc. 2026, 19:00 UTC+1")."""
    from .i18n import moment  # i18n imports this module for its api_text filter
    return moment(value)


def _phone_number(number: str) -> str:
    """An example phone number on one line ("+1 506-234-5678" broke after "+1" under a field on a phone): no-break
    spaces and hyphens."""
    return number.replace(" ", "\u00a0").replace("-", "\u2011")


# a parameter written its own way (a phone number as the API wrote it, on one line: "81234567" is no amount); the
# others by _localized
_PARAMETERS = {"companies": _seats_by_company, "country": _country, "national_example": _phone_number,
               "international_example": _phone_number, "since": _moment}


def translate(message: str, sent=NOT_SENT) -> str:
    """``message`` in the page's language when it is one of the known API messages, else unchanged; ``sent``: the
    value the page sent for the field the message is about, when known (see the module's docstring)."""
    said = _of_value(message.strip(), sent)
    if said is not None:
        return said
    for pattern, translated in _COMPILED:
        match = pattern.fullmatch(message.strip())
        if match:
            params = {name: _PARAMETERS.get(name, _localized)(value) for name, value in match.groupdict().items()}
            return str(translated) % params if params else str(translated)
    return message
