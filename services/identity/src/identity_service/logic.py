"""Pure identity rules (no I/O): emails, seats, secrets, passwords, tokens, ERP matching."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from paraph_platform.actor import CLIENT, FRONT_USER_MANAGER, LICENSE_ADMIN, USER
from paraph_platform.config import env_int

from .exceptions import InvalidInput
from .models import ErpCollaborator

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SEAT_HOLDING_STATUSES = ("invited", "active")
# argon2id, OWASP-recommended memory cost; tests may lower it through env. Read here too, not only by
# configure_hasher: passwords are hashed in off-hub worker processes, which inherit the environment but
# never see configure_hasher's call (the setting was ignored there)
_hasher = PasswordHasher(time_cost=env_int("ARGON2_TIME_COST", 3), memory_cost=env_int("ARGON2_MEMORY_KIB", 65536),
                         parallelism=1)

INVITATION_TTL = timedelta(days=7)
RESET_TTL = timedelta(hours=1)
REFRESH_TTL = timedelta(days=30)
ACCESS_TTL = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10


def configure_hasher(time_cost: int, memory_cost: int):
    global _hasher
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=1)


def normalize_email(email: str) -> str:
    """Emails are the user key: trimmed and compared case-insensitively."""
    value = (email or "").strip().lower()
    if not EMAIL_RE.match(value) or len(value) > 320:
        raise InvalidInput("Not a valid email address.", {"fields": {"email": ["Not a valid email address."]}})
    return value


def can_manage(actor_role: str, target_role: str) -> bool:
    """License admins manage everyone; front user managers manage users and clients."""
    if actor_role == LICENSE_ADMIN:
        return True
    if actor_role == FRONT_USER_MANAGER:
        return target_role in (USER, CLIENT)
    return False


def holds_seat(role: str, status: str) -> bool:
    """Staff memberships that are invited or active occupy a paid seat; portal clients do not."""
    return role != CLIENT and status in SEAT_HOLDING_STATUSES


@dataclass
class SeatUsage:
    total: int
    used_by_license: dict = field(default_factory=dict)

    @property
    def used(self) -> int:
        return sum(self.used_by_license.values())

    @property
    def free(self) -> int:
        return max(0, self.total - self.used)

    def describe(self, names: dict) -> str:
        """The seats in use, with what each company of the pool uses in words ("Lyon uses 3 seats"): "Lyon: 3" read
        as a form's field, and the web app words it in the reader's language from this sentence."""
        parts = ", ".join(f"{name} uses {v} seat{'' if v == 1 else 's'}" for name, v in sorted(
            (names.get(k, k), v) for k, v in self.used_by_license.items()))
        return f"{self.used} of {self.total} seats are in use ({parts})" if parts else f"0 of {self.total} seats in use"


def validate_password(password: str, field: str = "password") -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("The password is too short.",
                           {"fields": {field: [f"At least {MIN_PASSWORD_LENGTH} characters."]}})
    if len(password) > 1024:
        raise InvalidInput("The password is too long.", {"fields": {field: ["At most 1024 characters."]}})
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # spend comparable time so unknown accounts are not distinguishable by timing
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_DUMMY_HASH = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("not-a-password")


def new_secret() -> str:
    """A URL-safe random secret (256 bits)."""
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_activation_code() -> str:
    raw = secrets.token_hex(8).upper()
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def access_claims(*, user, membership, license_id: str, now: datetime | None = None,
                  ttl: timedelta = ACCESS_TTL) -> tuple[dict, datetime]:
    """The claims of an access token. ``ver`` is the membership's access version: the gateway refuses
    the token as soon as identity's current version differs (deactivation, sign-out everywhere). The
    role and the portal restrictions are informative: the gateway applies the current ones."""
    now = now or datetime.now(timezone.utc)
    exp = now + ttl
    claims = {
        "iss": "paraph-identity", "typ": "access", "sub": user.id, "lic": license_id,
        "role": membership.role, "ver": membership.access_version, "email": user.email, "name": user.name,
        "iat": int(now.timestamp()), "exp": int(exp.timestamp()), "jti": str(uuid.uuid4()),
    }
    if membership.role == CLIENT:
        claims.update({"cid": membership.contact_id, "cust": membership.customer_id,
                       "ip": membership.allowed_ip, "br": membership.branch, "co": membership.company})
    return claims, exp


@dataclass(frozen=True)
class LoginThrottle:
    """Failed sign-ins allowed in a sliding ``window``, per account (known or not, so that the answer
    never tells them apart) and per client address (one address trying many accounts)."""
    window: timedelta
    max_per_account: int
    max_per_address: int
    # what else is counted the same way, apart from the sign-ins: "link:" counts the emailed links asked for
    # with "forgot password" (a reset, or a fresh invitation), known account or not
    prefix: str = ""

    @staticmethod
    def account_key(email: str) -> str:
        return "account:" + hash_secret(email)

    def limits(self, email: str, client_ip: str | None) -> dict[str, int]:
        """Throttle key -> the number of failures that closes it."""
        keys = {self.prefix + self.account_key(email): self.max_per_account}
        if client_ip:
            keys[self.prefix + "ip:" + client_ip] = self.max_per_address
        return keys

    def retry_after(self, failures: list[datetime], limit: int, now: datetime) -> int | None:
        """Seconds until the window holds fewer than ``limit`` of ``failures`` (sorted, newest first);
        None when it already does."""
        recent = [at for at in failures if at > now - self.window]
        if len(recent) < limit:
            return None
        reopens_at = recent[limit - 1] + self.window
        return max(1, int((reopens_at - now).total_seconds() + 0.999))


def set_password_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/set-password?token={token}"


# -- ERP collaborators (one-way sync, keyed by email) -------------------------------------------

@dataclass
class Collaborator:
    code: str
    email: str
    name: str = ""
    active: bool = True
    row: int = field(default=0, compare=False)  # its row in the export (1 = first data row), for messages


_HEADER_ALIASES = {
    "code": {"code", "collaborator_code", "co_no", "code_collaborateur", "matricule"},
    "email": {"email", "e-mail", "mail", "co_email", "adresse_email", "courriel"},
    "name": {"name", "nom", "full_name", "co_nom"},
    "first_name": {"first_name", "prenom", "prénom", "co_prenom"},
    "active": {"active", "actif", "status", "statut"},
}


def _canonical(header: str) -> str | None:
    h = (header or "").strip().lower()
    for key, aliases in _HEADER_ALIASES.items():
        if h in aliases:
            return key
    return None


def _truthy(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() not in ("0", "false", "no", "non", "inactive", "inactif", "sommeil")


# the refusals of a whole CSV export (422), worded for the person who uploads it (the web app translates them;
# a file that is not text at all, the gateway refuses: no string may hold NUL characters)
CSV_UNREADABLE = "The CSV export could not be read: a quote (\") is not closed, or a value is too long."
CSV_MISSING_COLUMNS = "The CSV export needs a header with at least 'code' and 'email' columns."
JSON_TOO_DEEP = "The JSON export could not be read: it is nested too deep."
# what a collaborator's row may hold (longer, the database refused the whole import chunk)
MAX_CODE_LENGTH = ErpCollaborator.__table__.c.code.type.length
MAX_NAME_LENGTH = ErpCollaborator.__table__.c.name.type.length


def parse_collaborators(content: str, fmt: str) -> tuple[list[Collaborator], list[dict]]:
    """Parse an ERP export (CSV with ; or , separators, or JSON list). Returns (rows, errors)."""
    records: list[dict] = []
    if fmt == "json":
        try:
            data = json.loads(content)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"The JSON export could not be read: {exc.msg} (line {exc.lineno}).") from None
        except RecursionError:  # arrays or objects nested thousands deep: no ERP writes that (it was a 500)
            raise InvalidInput(JSON_TOO_DEEP) from None
        if isinstance(data, dict):
            data = data.get("collaborators", data.get("items"))
        if not isinstance(data, list):
            raise InvalidInput("The JSON export must be a list of collaborators.")
        for item in data:
            if not isinstance(item, dict):
                records.append({})
                continue
            records.append({_canonical(k) or k: v for k, v in item.items()})
    elif fmt == "csv":
        sample = content[:4096]
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=delimiter)
        try:
            rows = list(reader)
        except csv.Error:  # a quote never closed makes the rest of the file one field, past csv's field limit
            raise InvalidInput(CSV_UNREADABLE) from None
        if not rows:
            return [], []
        header = [_canonical(h) for h in rows[0]]
        if "email" not in header or "code" not in header:
            raise InvalidInput(CSV_MISSING_COLUMNS)
        for raw in rows[1:]:
            if not any(cell.strip() for cell in raw):
                continue
            records.append({h: raw[i].strip() if i < len(raw) else "" for i, h in enumerate(header) if h})
    else:
        raise InvalidInput("Unknown format; use 'csv' or 'json'.", {"fields": {"format": ["csv or json"]}})

    result: list[Collaborator] = []
    errors: list[dict] = []
    seen: dict[str, int] = {}
    for index, rec in enumerate(records, start=1):
        # a JSON export's code is text or a whole number, its email text: a list or an object is not written
        # out as one (str() made ['a@b.test'] an email and a Python dict a code)
        if not _is_code(rec.get("code")):
            errors.append({"row": index, "reason": "missing_code", "error": "collaborator code is not text"})
            continue
        code = str(rec.get("code") or "").strip()
        if not isinstance(rec.get("email") or "", str):
            errors.append({"row": index, "code": code, "reason": "invalid_email", "error": "email is not text"})
            continue
        email_raw = (rec.get("email") or "").strip()
        name = " ".join(str(p).strip() for p in (rec.get("first_name"), rec.get("name")) if p)
        if not code:
            errors.append({"row": index, "reason": "missing_code", "error": "missing collaborator code"})
            continue
        if len(code) > MAX_CODE_LENGTH:
            errors.append({"row": index, "code": code, "reason": "code_too_long",
                           "error": f"collaborator code longer than {MAX_CODE_LENGTH} characters"})
            continue
        if len(name) > MAX_NAME_LENGTH:
            errors.append({"row": index, "code": code, "reason": "name_too_long",
                           "error": f"name longer than {MAX_NAME_LENGTH} characters"})
            continue
        try:
            email = normalize_email(email_raw)
        except InvalidInput:
            errors.append({"row": index, "code": code, "reason": "invalid_email",
                           "error": f"invalid or missing email {email_raw!r}"})
            continue
        if email in seen:
            errors.append({"row": index, "code": code, "reason": "duplicate_email", "same_email_as_row": seen[email],
                           "error": f"email {email} already used by row {seen[email]}"})
            continue
        seen[email] = index
        result.append(Collaborator(code=code, email=email, name=name,
                                   active=_truthy(rec.get("active", True)), row=index))
    return result, errors


def _is_code(value) -> bool:
    """A collaborator code as an export writes one: text, a whole number (Sage's numeric codes), or nothing."""
    return value is None or isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


# What the ERP sync makes of a collaborator, by the account their email (or a link made by hand) has in the license.
# One rule for the preview, the import's links and invitations, the sync report and the review's invitations: each
# said a deactivated user or a portal client differently (the report offered to invite them again).
LINKED = "linked"                # a staff user, active or invited: linked, given the collaborator code
DEACTIVATED = "deactivated"      # a staff user deactivated in Paraph: linked too, never invited again (the admin
                                 # reactivates them from the users page if they want them back)
PORTAL_CLIENT = "portal_client"  # the email of a current client portal account of the company: one email is one
                                 # person in a license, who cannot be a user too; never invited (invite_user refuses)
TO_CREATE = "to_create"          # active in the ERP, without an account: invited on request, each taking a seat
INACTIVE = "inactive"            # inactive in the ERP, without an account: left alone
HAS_USER = (LINKED, DEACTIVATED)


@dataclass
class LicenseAccounts:
    """A license's accounts the ERP sync matches collaborators with, by email: its staff users active or invited
    (``{user_id, email, name, erp_code, status}``), the user ids of its deactivated staff and of its current portal
    clients (active or invited), and the users its stored collaborators are linked to (``links``: by the import,
    an invitation, or by hand to a user whose email differs)."""
    staff: dict[str, dict] = field(default_factory=dict)
    deactivated: dict[str, str] = field(default_factory=dict)
    clients: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        self._staff_ids = {m["user_id"]: m for m in self.staff.values()}
        self._deactivated_ids = set(self.deactivated.values())

    def standing(self, email: str, active: bool) -> tuple[str, str | None]:
        """What the sync makes of the collaborator with this email (LINKED, DEACTIVATED, PORTAL_CLIENT, TO_CREATE
        or INACTIVE) and the user it is linked to (None without one). An account that uses the license first:
        a staff user by email or by link, then a deactivated one, then a portal client."""
        linked = self.links.get(email)
        if email in self.staff:
            return LINKED, self.staff[email]["user_id"]
        if linked in self._staff_ids:
            return LINKED, linked
        if email in self.deactivated:
            return DEACTIVATED, self.deactivated[email]
        if linked in self._deactivated_ids:
            return DEACTIVATED, linked
        if email in self.clients:
            return PORTAL_CLIENT, self.clients[email]
        return (TO_CREATE if active else INACTIVE), None

    def user_status(self, user_id: str) -> str:
        """A linked user's membership status: active, invited or deactivated."""
        return self._staff_ids[user_id]["status"] if user_id in self._staff_ids else "deactivated"

    def staff_unknown_to(self, emails: set[str], linked_users: set[str]) -> list[dict]:
        """The staff users (active or invited) whose email is none of ``emails`` and who are none of
        ``linked_users``: users unknown to the ERP, to check by hand. By email."""
        return [{key: m[key] for key in ("user_id", "email", "name", "erp_code")}
                for email, m in sorted(self.staff.items()) if email not in emails and m["user_id"] not in linked_users]


def preview_collaborators(rows: list[Collaborator], errors: list[dict], accounts: LicenseAccounts,
                          seats: SeatUsage) -> dict:
    """What importing ``rows`` would do, without doing it (seed: Sage 100 -> SSM, keyed by email).

    Each row as ``accounts.standing`` has it: linked to its user (a deactivated user too, as the import does: the
    sync never invites them again; ``user_status`` says which), the email of a portal client (not invited: the run
    refuses them), to be created (invited), or, inactive without a user, left alone; a staff user whom no row links
    is to be checked by hand (Paraph never writes to the ERP). Each one to create takes a seat of the subscription's
    pool when a run with invite_new invites them (``seats``: the pool's now): the preview says how many, and how
    many are free, so that an integration knows before the run whether the invitations fit (those beyond the free
    seats, the last rows, are refused by the run, row by row).
    """
    linked, to_create, portal_clients = [], [], []
    for r in rows:
        standing, user_id = accounts.standing(r.email, r.active)
        row = {"row": r.row, "code": r.code, "email": r.email, "name": r.name}
        if standing in HAS_USER:
            linked.append({**row, "user_id": user_id, "user_status": accounts.user_status(user_id)})
        elif standing == PORTAL_CLIENT:
            portal_clients.append({**row, "user_id": user_id})
        elif standing == TO_CREATE:
            to_create.append(row)
    return {
        "total": len(rows) + len(errors),
        "linked": linked,
        "to_create": to_create,
        "portal_clients": portal_clients,
        "to_check": accounts.staff_unknown_to({r.email for r in rows}, {r["user_id"] for r in linked}),
        "errors": errors,
        "seats_needed": len(to_create), "seats_free": seats.free, "seats_total": seats.total,
        "seats_used": seats.used,
    }
