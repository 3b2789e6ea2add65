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

# why invite_collaborators skips a collaborator the ERP marks inactive (the web app translates it)
INACTIVE_IN_ERP = "inactive in the ERP"


class CollaboratorsEndpoints(IdentityServiceBase):
    def _staff_by_email(self, s, license_id) -> tuple[dict[str, dict], dict[str, str]]:
        """The license's staff users by email, and the user ids of its deactivated ones by email (the import links
        them but never invites them again; they are no one to check by hand)."""
        staff, deactivated = {}, {}
        for u, m in s.execute(select(User, Membership).join(Membership, Membership.user_id == User.id)
                              .where(Membership.license_id == license_id, Membership.role != CLIENT)).all():
            if m.status == "deactivated":
                deactivated[u.email] = u.id
            else:
                staff[u.email] = {"user_id": u.id, "email": u.email, "name": u.name, "erp_code": m.erp_code}
        return staff, deactivated

    @endpoint
    def preview_collaborators(self, actor, payload):
        """What importing this export would do (linked by email, to create, to check by hand), writing nothing,
        with the seats its invitations would take and those free in the subscription's pool."""
        actor = require_role(load_actor(actor), LICENSE_ADMIN)
        data = schemas.PreviewCollaboratorsSchema().load(payload)
        rows, errors = logic.parse_collaborators(data["content"], data["format"])
        with self.db.session() as s:
            _, pool = self._license(s, actor["license_id"])
            staff, deactivated = self._staff_by_email(s, actor["license_id"])
            return logic.preview_collaborators(rows, errors, staff, self._usage(s, pool), deactivated)

    def _invite_new_collaborators(self, actor, rows, known_emails, role):
        """Invite the active collaborators of one import chunk who have no account yet; a refusal (no seat
        left, email of a client user...) becomes that row's error instead of failing the whole chunk."""
        invited, errors = [], []
        for row in rows:
            if not row.active or row.email in known_emails:
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
            users = {u.email: (u, m) for u, m in s.execute(
                select(User, Membership).join(Membership, Membership.user_id == User.id).where(
                    Membership.license_id == license_id, Membership.role != CLIENT)).all()}
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
                match = users.get(row.email)
                if match is not None:
                    u, m = match
                    if c.user_id != u.id or m.erp_code != row.code:
                        linked += 1
                    c.user_id = u.id
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
            invited, invite_errors = self._invite_new_collaborators(raw_actor, rows, users, data["role"])
            errors = sorted(errors + invite_errors, key=lambda e: e["row"])
        with self.db.session() as s:  # after the invitations: one just invited is matched, no longer without user
            report = self._sync_report(s, license_id)
        return {"total": total, "created": created, "updated": updated, "linked": linked, "errors": errors,
                "missing_marked_inactive": deactivated_missing, "invited": invited, **report}

    def _sync_report(self, s, license_id):
        collabs = s.execute(select(ErpCollaborator).where(ErpCollaborator.license_id == license_id)
                            .order_by(ErpCollaborator.code)).scalars().all()
        members = s.execute(select(User, Membership).join(Membership, Membership.user_id == User.id).where(
            Membership.license_id == license_id, Membership.role != CLIENT,
            Membership.status != "deactivated")).all()
        member_emails = {u.email for u, _ in members}
        member_ids = {u.id for u, _ in members}

        def has_account(c):
            # by email, or linked by hand to a user whose email differs (link_collaborator)
            return c.email in member_emails or c.user_id in member_ids
        linked_users = {c.user_id for c in collabs if c.user_id}
        collab_emails = {c.email for c in collabs}
        return {
            "matched": [{"code": c.code, "email": c.email, "user_id": c.user_id, "active": c.active}
                        for c in collabs if has_account(c)],
            "collaborators_without_user": [{"code": c.code, "email": c.email, "name": c.name, "active": c.active}
                                           for c in collabs if not has_account(c)],
            "users_without_collaborator": [{"user_id": u.id, "email": u.email, "name": u.name, "erp_code": m.erp_code}
                                           for u, m in members
                                           if u.email not in collab_emails and u.id not in linked_users],
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
        """Activation wizard: invite ERP collaborators (by code) who have no account yet. One who cannot be
        invited (inactive in the ERP, already invited or active) is skipped with the reason; a seat shortage
        stops the invitations there (409)."""
        actor_l = require_role(load_actor(actor), LICENSE_ADMIN)
        data = schemas.InviteCollaboratorsSchema().load(payload)
        with self.db.session() as s:
            collabs = {c.code: c for c in s.execute(select(ErpCollaborator).where(
                ErpCollaborator.license_id == actor_l["license_id"],
                ErpCollaborator.code.in_(data["codes"]))).scalars()}
        unknown = [c for c in data["codes"] if c not in collabs]
        if unknown:
            raise NotFound(f"Unknown collaborator codes: {', '.join(unknown)}", {"codes": unknown})
        invited, skipped = [], []
        for code in data["codes"]:
            c = collabs[code]
            # the entry names the collaborator: its reason does not repeat the email
            skip = {"code": code, "email": c.email, "name": c.name}
            if not c.active:  # one who left the company takes no seat (as import_collaborators' invite_new)
                skipped.append({**skip, "reason": INACTIVE_IN_ERP})
                continue
            try:
                invited.append(self.invite_user.__wrapped__(self, actor, {
                    "email": c.email, "name": c.name, "role": data["role"], "erp_code": c.code}))
            except Conflict as exc:
                if "seat" in exc.message.lower():
                    raise
                skipped.append({**skip, "reason": _email_field_reason(exc)})
        return {"invited": invited, "skipped": skipped}


def _email_field_reason(refusal: Conflict) -> str:
    """invite_user's refusal as its email field words it ("already invited in this license"), else as a whole."""
    fields = refusal.details.get("fields", {}) if isinstance(refusal.details, dict) else {}
    return (fields.get("email") or [refusal.message])[0]
