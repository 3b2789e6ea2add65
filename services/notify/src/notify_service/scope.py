"""Who may read which rows of the delivery log: the perimeters of the customer each message is about.

notify keeps a replica of every customer's perimeters (``customer_scopes``, fed by
``perimeter.assignments_changed.v1``) and filters the log in SQL with the perimeter policy's compiled
list filter over that replica, the way contracts filters customers. License admins read the whole log.
A front user manager reads the messages about customers in their perimeter, and of the messages about no
customer only the staff invitations (managing users is their job); the others (webhook alerts, and rows
written before messages named their customer) are the license admins' business.
"""
from __future__ import annotations

from sqlalchemy import and_, delete, false, or_, select, text
from sqlalchemy.orm import aliased

from paraph_platform.actor import LICENSE_ADMIN, SYSTEM

from .models import CustomerScope, CustomerScopeVersion, Notification

FULL_LOG_ROLES = (LICENSE_ADMIN, SYSTEM)
# messages about no customer that a front user manager may read
STAFF_TEMPLATES = ("invitation",)


def write_customer_scope(session, dialect: str, license_id: str, customer_id: str, perimeter_ids: list,
                         version: int) -> bool:
    """Replace a customer's scope rows unless this or a newer version was already applied (events may arrive
    late or twice, and a read on demand may come first)."""
    q = select(CustomerScopeVersion).where(CustomerScopeVersion.customer_id == customer_id)
    if dialect == "postgresql":
        q = q.with_for_update()
    applied = session.execute(q).scalar_one_or_none()
    if applied is None:
        session.add(CustomerScopeVersion(customer_id=customer_id, license_id=license_id, version=version))
    elif applied.license_id != license_id or applied.version >= version:
        return False  # stale, or another license's id: never let it change this customer's scope
    else:
        applied.version = version
    session.execute(delete(CustomerScope).where(CustomerScope.customer_id == customer_id))
    for perimeter_id in (perimeter_ids or [""]):
        session.add(CustomerScope(customer_id=customer_id, perimeter_id=perimeter_id))
    session.flush()
    return True


def has_customer_scope(session, customer_id: str) -> bool:
    return session.get(CustomerScopeVersion, customer_id) is not None


def readable_by(actor: dict, where: str | None):
    """The delivery-log rows ``actor`` may read, as a SQL condition; ``where`` is the perimeter policy's
    compiled filter for the actor (unused for the roles that read the whole log)."""
    N = Notification
    in_license = N.license_id == actor["license_id"]
    if actor["role"] in FULL_LOG_ROLES:
        return in_license
    if where is None:
        return false()
    about_staff = and_(N.customer_id.is_(None), N.template.in_(STAFF_TEMPLATES))
    if where == "":
        return and_(in_license, or_(N.customer_id.is_not(None), about_staff))
    scope = aliased(CustomerScope, name="scope")
    return and_(in_license, or_(N.customer_id.in_(select(scope.customer_id).where(text(where))), about_staff))
