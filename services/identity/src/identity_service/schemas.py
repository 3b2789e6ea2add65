"""Marshmallow schemas for identity's RPC payloads and results."""
from __future__ import annotations

import ipaddress
from datetime import datetime, timezone

from marshmallow import Schema, fields, validate, validates_schema, ValidationError

from paraph_platform import company_country, time_zones
from paraph_platform.actor import ROLES
from paraph_platform.api_keys import SCOPES as API_KEY_SCOPES
from paraph_platform.dates import AwareDateTime
from paraph_platform.numbers import Integer
from paraph_platform.pagination import PageParams
from paraph_platform.phones import Phone

STAFF_ROLE_CHOICES = ("license_admin", "front_user_manager", "user")


class StrictSchema(Schema):
    class Meta:
        unknown = "raise"


class IPAddress(fields.IP):
    """A validated IP address kept as its canonical string (stored as text, compared with the client's)."""

    def _deserialize(self, value, attr, data, **kwargs):
        ip = super()._deserialize(value, attr, data, **kwargs)
        return None if ip is None else str(ip)


class CreatePoolSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    seats = Integer(required=True, validate=validate.Range(min=1, max=100000))
    expires_at = AwareDateTime(required=True, default_timezone=None)
    activation_code = fields.String(load_default=None, validate=validate.Length(min=6, max=64))


class UpdatePoolSchema(StrictSchema):
    seats = Integer(validate=validate.Range(min=1, max=100000))
    expires_at = AwareDateTime()
    name = fields.String(validate=validate.Length(min=1, max=200))


def _country(code: str) -> None:
    if company_country.known_code(code) != code:  # "gb", "UK", "France", "EU"
        raise ValidationError("Not a country's ISO 3166-1 code in capitals (such as GB, FR, US).")


# the country the company is established in (paraph_platform.company_country: why a license setting)
COUNTRY = ("the country the company is established in, an ISO 3166-1 alpha-2 code (GB, FR, US): the phone numbers "
           "its users type without their country code are read in it")


class ActivateLicenseSchema(StrictSchema):
    activation_code = fields.String(required=True, validate=validate.Length(min=6, max=64))
    company_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    admin_email = fields.String(required=True, validate=validate.Length(min=3, max=320))
    admin_name = fields.String(load_default="", validate=validate.Length(max=200))
    locale = fields.String(load_default="fr", validate=validate.OneOf(["fr", "en"]), metadata={
        "description": "the company's language (the activation page's): its admin's pages and emails, and, without "
                       "a country, the license's default_locale (its documents and the invitations of its users); fr "
                       "by default"})
    country = fields.String(load_default=None, allow_none=True, validate=_country, metadata={
        "description": COUNTRY + ". Given, the license starts with that country's time zone, currency and "
                                 "default_locale (GB: Europe/London, GBP, en; US: America/New_York, USD, en; FR: "
                                 "Europe/Paris, EUR, fr), each changeable with PATCH /license; omitted, Europe/Paris, "
                                 "EUR and the locale, and no country (numbers read in France)"})


def _time_zone(name: str) -> None:
    if not time_zones.known(name):  # not a zone name ("Paris", "../x", "Mars/Olympus")
        raise ValidationError("Not an IANA time zone (such as Europe/Paris).")


class LicenseSettingsSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    abandon_delay_days = Integer(validate=validate.Range(min=1, max=3650))
    default_locale = fields.String(validate=validate.OneOf(["fr", "en"]))
    # the zone the license's emails write their dates and times in (notify)
    time_zone = fields.String(validate=[validate.Length(min=1, max=64), _time_zone],
                              metadata={"description": "IANA time zone of the emails' dates and times "
                                                       "(Europe/Paris for a new license)"})
    currency = fields.String(validate=validate.Regexp(r"^[A-Z]{3}$"))
    country = fields.String(validate=_country, metadata={"description": COUNTRY})
    portal_attachments_visible_by_default = fields.Boolean()
    electronic_signature_enabled = fields.Boolean()


class RateLimitsSchema(StrictSchema):
    """A license's own rate limits, set by the operator (null: the gateway's default)."""
    rate_limit_per_window = Integer(allow_none=True, validate=validate.Range(min=1, max=1_000_000))
    api_key_rate_limit_per_window = Integer(allow_none=True, validate=validate.Range(min=1, max=1_000_000))


# A license's settings (GET /license, the license.updated.v1 event) hold what its admins set and the rate limits
# the operator gave it. Those limits are no secret from the license: each answer's RateLimit-Limit says them.
LICENSE_SETTINGS = (
    "the license's settings: "
    + ", ".join(name for name in LicenseSettingsSchema().fields if name != "name")
    + " (its admins': PATCH /license), and its own rate limits, set by the operator: "
    + ", ".join(RateLimitsSchema().fields)
    + " (requests per window for each user and for each API key of the license: what RateLimit-Limit says; "
      "absent or null: the defaults). Ignore the keys you do not know")


class InviteUserSchema(StrictSchema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=320))
    name = fields.String(load_default="", validate=validate.Length(max=200))
    role = fields.String(load_default="user", validate=validate.OneOf(STAFF_ROLE_CHOICES))
    erp_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    phone = Phone(load_default=None, allow_none=True)  # where the user's SMS notifications go
    locale = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(["fr", "en"]), metadata={
        "description": "the language of the invitation and of the new user's pages; default: the license's "
                       "default_locale"})


class GrantClientSchema(StrictSchema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=320))
    name = fields.String(load_default="", validate=validate.Length(max=200))
    user_code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    contact_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    customer_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    company = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    allowed_ip = IPAddress(load_default=None, allow_none=True)
    branch = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    locale = fields.String(load_default="fr", validate=validate.OneOf(["fr", "en"]))
    send_email = fields.Boolean(load_default=True)


class UpdateClientSchema(StrictSchema):
    company = fields.String(allow_none=True, validate=validate.Length(max=200))
    allowed_ip = IPAddress(allow_none=True)
    branch = fields.String(allow_none=True, validate=validate.Length(max=200))
    user_code = fields.String(validate=validate.Length(min=1, max=64))


class UpdateMemberSchema(StrictSchema):
    role = fields.String(validate=validate.OneOf(STAFF_ROLE_CHOICES))
    name = fields.String(validate=validate.Length(max=200))
    erp_code = fields.String(allow_none=True, validate=validate.Length(max=64))
    phone = Phone(allow_none=True)


class UpdateProfileSchema(StrictSchema):
    """What a person changes on their own account (``PATCH /me``)."""
    name = fields.String(validate=validate.Length(min=1, max=200))
    locale = fields.String(validate=validate.OneOf(["fr", "en"]))
    phone = Phone(allow_none=True, metadata={
        "description": "my mobile number, where my SMS notifications go (a number without its country code is "
                       "read in the license's country, France when it has none: give a number of another country "
                       "with its code, +44 7700 900456; kept as typed); empty or null: none"})


class ListUsersSchema(StrictSchema, PageParams):
    q = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    role = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(ROLES))
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(["invited", "active", "deactivated"]))
    staff = fields.Boolean(load_default=False, metadata={
        "description": "true: the team only (license admins, front user managers, users), without the customers' "
                       "portal clients"})


class ListColleaguesSchema(StrictSchema, PageParams):
    q = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    # a picker's whole list in one page for most licenses
    limit = Integer(load_default=200, validate=validate.Range(min=1, max=500),
                           metadata={"description": "rows per page (default 200, at most 500)"})


def _client_ip():
    """The caller's address, which the gateway sets (a client's IP restriction, the sign-in throttle)."""
    return fields.String(load_default=None, allow_none=True)


class LoginSchema(StrictSchema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=320))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    license_id = fields.String(load_default=None, allow_none=True)
    user_code = fields.String(load_default=None, allow_none=True,
                              metadata={"description": "portal clients may sign in with their user code"})
    client_ip = _client_ip()


class SessionSchema(StrictSchema):
    """A session, named by its refresh token (single use)."""
    refresh_token = fields.String(required=True, validate=validate.Length(min=10, max=200))


class RefreshSchema(SessionSchema):
    client_ip = _client_ip()


class SwitchLicenseSchema(StrictSchema):
    license_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    client_ip = _client_ip()


class PasswordResetRequestSchema(StrictSchema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=320))
    client_ip = _client_ip()  # the links asked for are throttled per address too


class AcceptInvitationSchema(StrictSchema):
    token = fields.String(required=True, validate=validate.Length(min=10, max=200))
    password = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1024),
                             metadata={"description": "required unless the person already has a password"})
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    client_ip = _client_ip()


class LinkInfoSchema(StrictSchema):
    token = fields.String(required=True, validate=validate.Length(min=10, max=200))
    purpose = fields.String(required=True, validate=validate.OneOf(["invitation", "reset"]))


class LinkInfoView(Schema):
    purpose = fields.String(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True, allow_none=True)
    company = fields.String(required=True, allow_none=True, metadata={"description": "the license (invitations)"})
    role = fields.String(required=True, allow_none=True,
                         metadata={"description": "the user's role in that license (\"client\": a customer's contact)"})
    locale = fields.String(required=True, metadata={"description": "the language of the link's email (the user's): a "
                                                                   "customer's contact reads the page it opens in it"})
    user_code = fields.String(required=True, allow_none=True, metadata={
        "description": "a customer's contact's user code (role \"client\"), which her portal's sign-in asks for; "
                       "none for staff"})
    has_password = fields.Boolean(required=True)
    expires_at = fields.String(required=True)


class ResetPasswordSchema(StrictSchema):
    token = fields.String(required=True, validate=validate.Length(min=10, max=200))
    password = fields.String(required=True)


class ChangePasswordSchema(StrictSchema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    client_ip = _client_ip()


class PreviewCollaboratorsSchema(StrictSchema):
    format = fields.String(required=True, validate=validate.OneOf(["csv", "json"]), metadata={
        "description": "how `content` is written"})
    content = fields.String(required=True, validate=validate.Length(min=1, max=20_000_000), metadata={
        "description": "the ERP's whole export, as text. csv: a header line, `;` or `,` separators, with the columns "
                       "`code` and `email` (also `e-mail`, `mail`, `courriel`; `code_collaborateur`, `co_no`, "
                       "`matricule`), optionally `name` (`nom`), `first_name` (`prenom`) and `active` (`actif`, "
                       "`statut`: 0, false, no, non, inactive, inactif, sommeil mean inactive; empty or anything "
                       "else, active). json: a list of objects with the same keys (or `{\"collaborators\": [...]}`), "
                       "`code` text or a whole number, `active` a boolean. Emails are compared case-insensitively"})


class ImportCollaboratorsSchema(PreviewCollaboratorsSchema):
    deactivate_missing = fields.Boolean(load_default=False, metadata={
        "description": "mark the collaborators this export leaves out as inactive in the ERP (their users keep "
                       "their seat: the sync report's `matched` says `active: false`; deactivate them by hand)"})
    invite_new = fields.Boolean(load_default=False, metadata={
        "description": "also invite this export's active collaborators who have no account yet"})
    role = fields.String(load_default="user", validate=validate.OneOf(STAFF_ROLE_CHOICES))
    first_row = Integer(load_default=1, validate=validate.Range(min=1), metadata={
        "description": "run the export in steps: import its data rows from this one (1: the first)..."})
    row_count = Integer(load_default=None, validate=validate.Range(min=1), metadata={
        "description": "...and this many of them (none: to the end). Each step sends the whole export, so that a "
                       "row repeating an earlier row's email is refused as in one run, and row numbers are the "
                       "export's"})


class InviteCollaboratorsSchema(StrictSchema):
    codes = fields.List(fields.String(validate=validate.Length(min=1, max=64)), required=True,
                        validate=validate.Length(min=1, max=1000))
    role = fields.String(load_default="user", validate=validate.OneOf(STAFF_ROLE_CHOICES))


class LinkCollaboratorSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    user_id = fields.String(required=True, validate=validate.Length(min=1, max=36))


class PreferencesSchema(Schema):
    class Meta:
        unknown = "raise"
    quote_viewed = fields.Dict(keys=fields.String(validate=validate.OneOf(["email", "sms"])),
                               values=fields.Boolean())
    quote_downloaded = fields.Dict(keys=fields.String(validate=validate.OneOf(["email", "sms"])),
                                   values=fields.Boolean())
    contract_shared = fields.Dict(keys=fields.String(validate=validate.OneOf(["email", "sms"])),
                                  values=fields.Boolean())
    signed = fields.Dict(keys=fields.String(validate=validate.OneOf(["email", "sms"])),
                         values=fields.Boolean())
    customer_self_updated = fields.Dict(keys=fields.String(validate=validate.OneOf(["email", "sms"])),
                                        values=fields.Boolean(),
                                        metadata={"description": "a portal client changed their or their company's "
                                                                 "details (customers you own)"})

    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError("at least one preference is required")




class CreateServiceAccountSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    role = fields.String(load_default="user", validate=validate.OneOf(STAFF_ROLE_CHOICES))


class UpdateServiceAccountSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    description = fields.String(validate=validate.Length(max=2000))
    role = fields.String(validate=validate.OneOf(STAFF_ROLE_CHOICES))


class CreateApiKeySchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    scopes = fields.List(fields.String(validate=validate.OneOf(API_KEY_SCOPES)), required=True,
                         validate=validate.Length(min=1, max=len(API_KEY_SCOPES)))
    allowed_ips = fields.List(fields.String(validate=validate.Length(min=1, max=64)), load_default=list,
                              validate=validate.Length(max=100),
                              metadata={"description": "addresses or CIDR networks (IPv4/IPv6); empty = any"})
    expires_at = AwareDateTime(load_default=None, allow_none=True)

    # run even when a field is refused, and say both: the form shows every error at once, not one per submit
    @validates_schema(skip_on_field_errors=False)
    def _networks_and_future(self, data, **kwargs):
        errors = {}
        wrong = []
        for value in data.get("allowed_ips") or []:
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError:
                wrong.append(value)
        if wrong:
            errors["allowed_ips"] = [f"not an IP address or CIDR network: {', '.join(wrong)}"]
        if data.get("expires_at") and data["expires_at"] <= datetime.now(timezone.utc):
            errors["expires_at"] = ["must be in the future"]
        if errors:
            raise ValidationError(errors)


# -- results ---------------------------------------------------------------------------------

class LicenseView(Schema):
    id = fields.String()
    name = fields.String()
    pool_id = fields.String()
    settings = fields.Dict(metadata={"description": LICENSE_SETTINGS})
    expires_at = fields.String()
    seats_total = Integer()
    seats_used = Integer(metadata={"description": "seats used across every license of the subscription"})
    seats_used_here = Integer()
    active_users = Integer()


class PoolView(Schema):
    """A subscription (seat pool); the activation code is shown once, when it is created."""
    id = fields.String(required=True)
    name = fields.String(required=True)
    seats = Integer(required=True)
    expires_at = fields.String(required=True)
    activation_code = fields.String(metadata={"description": "creation only"})


class LicenseRef(Schema):
    """A license the user may switch to."""
    license_id = fields.String()
    name = fields.String()
    role = fields.String()


class TokenPairView(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_at = fields.String()
    refresh_token = fields.String()
    license_id = fields.String()
    role = fields.String()
    user = fields.Dict(metadata={"description": "user_id, email, name"})
    licenses = fields.List(fields.Nested(LicenseRef))
