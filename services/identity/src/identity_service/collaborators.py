"""ERP collaborators: the one-way user sync from the company's ERP export (CSV or JSON, keyed by email).
A license admin previews an import, imports it (linking users by email, optionally inviting the new
active collaborators), reviews the sync report, links a user to a code by hand, and invites collaborators
by code from the activation wizard; both invite through ``invite_user`` (invitations.py), so each invitation
takes a seat and is checked as one from the users page. Paraph never writes to the ERP."""
from __future__ import annotations

from sqlalchemy import select

from paraph_platform.actor import CLIENT, LICENSE_ADMIN, MANAGERS, load_actor, require_role
from paraph_platform.db import utcnow
from paraph_platform.service import endpoint

from . import logic, schemas
from .base import IdentityServiceBase, member_view
from .exceptions import Conflict, Forbidden, InvalidInput, NotFound
from .models import ErpCollaborator, Membership, User

# why invite_collaborators skips a collaborator, by logic.LicenseAccounts.standing (the web app translates them; a
# linked one's are invite_user's own words: _not_to_create_reason)
INACTIVE_IN_ERP = "inactive in the ERP"
DEACTIVATED_IN_PARAPH = "deactivated in Paraph: reactivate the user to give them a seat again"
PORTAL_CLIENT_EMAIL = "the email of a client portal account of this company"


class CollaboratorsEndpoints(IdentityServiceBase):
    def _accounts(self, s, license_id) -> tuple[logic.LicenseAccounts, dict[str, Membership]]:
        """The license's accounts as the sync matches collaborators with them (logic.LicenseAccounts), and its staff
        memberships by user id (the import gives the linked ones their collaborator code)."""
        staff, deactivated, clients, memberships = {}, {}, {}, {}
        for u, m in s.execute(select(User, Membership).join(Membership, Membership.user_id == User.id)
                              .where(Membership.license_id == license_id)).all():
            if m.role == CLIENT:
                if m.status != "deactivated":  # a withdrawn portal access holds the email no more (invite_user)
                    clients[u.email] = u.id
                continue
            memberships[u.id] = m
            if m.status == "deactivated":
                deactivated[u.email] = u.id
            else:
                staff[u.email] = {"user_id": u.id, "email": u.email, "name": u.name, "erp_code": m.erp_code,
                                  "status": m.status}
        links = dict(s.execute(select(ErpCollaborator.email, ErpCollaborator.user_id).where(
            ErpCollaborator.license_id == license_id, ErpCollaborator.user_id.is_not(None))).tuples().all())
        return logic.LicenseAccounts(staff, deactivated, clients, links), memberships

    @endpoint
    def preview_collaborators(self, actor, payload):
        """What importing this export would do (linked by email, portal clients, to create, to check by hand),
        writing nothing, with the seats its invitations would take and those free in the subscription's pool."""
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        data = schemas.PreviewCollaboratorsSchema().load(payload)
        rows, errors = logic.parse_collaborators(data["content"], data["format"])
        with self.db.session() as s:
            _, pool = self._license(s, actor["license_id"])
            accounts, _ = self._accounts(s, actor["license_id"])
            return logic.preview_collaborators(rows, errors, accounts, self._usage(s, pool))

    def _invite_new_collaborators(self, actor, rows, accounts: logic.LicenseAccounts, role):
        """Invite the collaborators of one import chunk the preview has to create; a portal client's email, and
        a refusal (no seat left...), become that row's error instead of failing the whole chunk."""
        invited, errors = [], []
        for row in rows:
            standing, _ = accounts.standing(row.email, row.active)
            if standing == logic.PORTAL_CLIENT:
                errors.append({"row": row.row, "code": row.code, "reason": "not_invited",
                               "error": f"{row.email} is {PORTAL_CLIENT_EMAIL}."})
            if standing != logic.TO_CREATE:
                continue
            try:
                invited.append(self.invite_user.__wrapped__(self, actor, {
                    "email": row.email, "name": row.name, "role": role, "erp_code": row.code}))
            except (Conflict, InvalidInput, Forbidden) as exc:
                errors.append({"row": row.row, "code": row.code, "reason": "not_invited", "error": exc.message})
        return invited, errors

    @endpoint(write=True)
    def import_collaborators(self, actor, payload):
        """Import ERP collaborators keyed by email; link existing users; list what needs review;
        with ``invite_new``, invite the collaborators of this export who have no account yet."""
        raw_actor = actor
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        data = schemas.ImportCollaboratorsSchema().load(payload)
        all_rows, all_errors = logic.parse_collaborators(data["content"], data["format"])
        total = len(all_rows) + len(all_errors)
        first = data["first_row"]
        last = total if data["row_count"] is None else first + data["row_count"] - 1
        rows = [row for row in all_rows if first <= row.row <= last]
        errors = [error for error in all_errors if first <= error["row"] <= last]
        license_id = actor["license_id"]
        created = updated = linked = 0
        with self.db.session() as s:
            self._license(s, license_id)
            existing = {c.email: c for c in s.execute(select(ErpCollaborator).where(
                ErpCollaborator.license_id == license_id)).scalars()}
            codes = {c.code: c.email for c in existing.values()}
            accounts, memberships = self._accounts(s, license_id)
            row_of_email = {row.email: row.row for row in all_rows}
            for row in rows:
                owner = codes.get(row.code)
                if owner and owner != row.email and not row_of_email.get(owner, row.row) < row.row:
                    # the code moved to another email in the ERP: the old row gives it up (unless the export gave
                    # that email its new code above, in this step or an earlier one)
                    existing[owner].code = f"{row.code}~{existing[owner].id[:8]}"
                c = existing.get(row.email)
                if c is None:
                    c = ErpCollaborator(license_id=license_id, email=row.email, code=row.code)
                    s.add(c)
                    existing[row.email] = c
                    created += 1
                elif (c.code, c.name, c.active) != (row.code, row.name, row.active):
                    updated += 1
                c.code, c.name, c.active, c.imported_at = row.code, row.name, row.active, utcnow()
                codes[row.code] = row.email
                standing, user_id = accounts.standing(row.email, row.active)
                if standing in logic.HAS_USER:  # a deactivated user too: linked, never invited again
                    m = memberships[user_id]
                    if c.user_id != user_id or m.erp_code != row.code:
                        linked += 1
                    c.user_id = user_id
                    m.erp_code = row.code
            deactivated_missing = 0
            if data["deactivate_missing"]:
                in_export = {row.email for row in all_rows}  # the whole export's, whichever rows this step imports
                for email, c in existing.items():
                    if email not in in_export and c.active:
                        c.active = False
                        deactivated_missing += 1
        invited = []
        if data["invite_new"]:
            invited, invite_errors = self._invite_new_collaborators(raw_actor, rows, accounts, data["role"])
            errors = sorted(errors + invite_errors, key=lambda e: e["row"])
        with self.db.session() as s:  # after the invitations: one just invited is matched, no longer without user
            report = self._sync_report(s, license_id)
        return {"total": total, "created": created, "updated": updated, "linked": linked, "errors": errors,
                "missing_marked_inactive": deactivated_missing, "invited": invited, **report}

    def _sync_report(self, s, license_id):
        """The stored collaborators as ``logic.LicenseAccounts.standing`` has them, the preview's and the import's
        rule: matched to a user (a deactivated one too, ``user_status`` says so: never to invite again), the
        email of a portal client, without a user (to invite when active); and the staff no collaborator links."""
        collabs = s.execute(select(ErpCollaborator).where(ErpCollaborator.license_id == license_id)
                            .order_by(ErpCollaborator.code)).scalars().all()
        accounts, _ = self._accounts(s, license_id)
        matched, portal_clients, without_user = [], [], []
        for c in collabs:
            standing, user_id = accounts.standing(c.email, c.active)
            collaborator = {"code": c.code, "email": c.email, "name": c.name, "active": c.active}
            if standing in logic.HAS_USER:
                matched.append({**collaborator, "user_id": user_id, "user_status": accounts.user_status(user_id)})
            elif standing == logic.PORTAL_CLIENT:
                portal_clients.append({**collaborator, "user_id": user_id})
            else:
                without_user.append(collaborator)
        return {
            "matched": matched,
            "collaborators_without_user": without_user,
            "portal_clients": portal_clients,
            "users_without_collaborator": accounts.staff_unknown_to({c.email for c in collabs},
                                                                    {c["user_id"] for c in matched}),
        }

    @endpoint
    def sync_report(self, actor):
        actor = require_role(load_actor(actor), *MANAGERS)
        with self.db.session() as s:
            return self._sync_report(s, actor["license_id"])

    @endpoint(write=True)
    def link_collaborator(self, actor, payload):
        """Manual review: attach a user to a collaborator code whose email differs."""
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        data = schemas.LinkCollaboratorSchema().load(payload)
        with self.db.session() as s:
            c = s.execute(select(ErpCollaborator).where(ErpCollaborator.license_id == actor["license_id"],
                                                        ErpCollaborator.code == data["code"])).scalar_one_or_none()
            if c is None:
                raise NotFound("Unknown collaborator code.")
            user, m = self._membership(s, actor["license_id"], data["user_id"])
            c.user_id = user.id
            m.erp_code = c.code
            return member_view(user, m)

    @endpoint
    def invite_collaborators(self, actor, payload):
        """Activation wizard, sync review: invite ERP collaborators (by code) who have no account yet, those the
        sync report lists without a user. One who cannot be invited (inactive in the ERP, already invited or active,
        deactivated in Paraph, a portal client's email) is skipped with the reason; a seat shortage stops the
        invitations there (409)."""
        actor_l = require_role(load_actor(actor), LICENSE_ADMIN)
        data = schemas.InviteCollaboratorsSchema().load(payload)
        with self.db.session() as s:
            collabs = {c.code: c for c in s.execute(select(ErpCollaborator).where(
                ErpCollaborator.license_id == actor_l["license_id"],
                ErpCollaborator.code.in_(data["codes"]))).scalars()}
            accounts, _ = self._accounts(s, actor_l["license_id"])
        unknown = [c for c in data["codes"] if c not in collabs]
        if unknown:
            raise NotFound(f"Unknown collaborator codes: {', '.join(unknown)}", {"codes": unknown})
        invited, skipped = [], []
        for code in data["codes"]:
            c = collabs[code]
            # the entry names the collaborator: its reason does not repeat the email
            skip = {"code": code, "email": c.email, "name": c.name}
            standing, user_id = accounts.standing(c.email, c.active)
            if standing != logic.TO_CREATE:  # the same rule as the import's invite_new: no seat taken for them
                skipped.append({**skip, "reason": _not_to_create_reason(standing, accounts, user_id)})
                continue
            try:  # an invitation from the users page meanwhile is invite_user's refusal
                invited.append(self.invite_user.__wrapped__(self, actor, {
                    "email": c.email, "name": c.name, "role": data["role"], "erp_code": c.code}))
            except Conflict as exc:
                if "seat" in exc.message.lower():
                    raise
                skipped.append({**skip, "reason": _email_field_reason(exc)})
        return {"invited": invited, "skipped": skipped}


def _not_to_create_reason(standing: str, accounts: logic.LicenseAccounts, user_id: str | None) -> str:
    """Why a collaborator the review ticked is not invited, by their standing: a linked one in invite_user's words
    ("already active in this license")."""
    if standing == logic.LINKED:
        return f"already {accounts.user_status(user_id)} in this license"
    return {logic.DEACTIVATED: DEACTIVATED_IN_PARAPH, logic.PORTAL_CLIENT: PORTAL_CLIENT_EMAIL}.get(
        standing, INACTIVE_IN_ERP)


def _email_field_reason(refusal: Conflict) -> str:
    """invite_user's refusal as its email field words it ("already invited in this license"), else as a whole."""
    fields = refusal.details.get("fields", {}) if isinstance(refusal.details, dict) else {}
    return (fields.get("email") or [refusal.message])[0]
