"""perimeter nameko entrypoints: perimeters, assignments, policy decisions and SQL filters.

Every subject (user, customer, contract type) belongs to one license: it is registered when its owning
service creates it (identity's user and service account events, contracts' customer and contract type
events), and a perimeter call naming a subject that is not registered in the caller's license is a 404
that changes nothing. A subject created before registration existed, or whose event is still on its way,
is asked to its owning service (identity.known_users_internal, contracts.known_subjects_internal) and
registered if it vouches.
"""
from __future__ import annotations

import logging

from sqlalchemy import delete, exists, false, func, or_, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from paraph_platform.actor import FRONT_USER_MANAGER, LICENSE_ADMIN, STAFF_ROLES, SYSTEM, load_actor, require_role
from paraph_platform.db import utcnow
from paraph_platform.envelope import iso
from paraph_platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from paraph_platform.events import subscribe_to
from paraph_platform.inbox import first_time
from paraph_platform.pagination import Ordering, keyset_page, page_result
from paraph_platform.rpc import Rpc
from paraph_platform.readiness import PlatformService
from paraph_platform.service import endpoint

from . import schemas
from .dependencies import DIALECTS, Policy
from .models import SUBJECT_TYPES, Assignment, IdempotencyKey, Inbox, Outbox, Perimeter, Subject

log = logging.getLogger(__name__)

MEMBER_KINDS = {"users": "user", "customers": "customer", "contract_types": "contract_type"}
# who may read every user of the license (as identity's list_users allows); others see only themselves
USER_READERS = (LICENSE_ADMIN, FRONT_USER_MANAGER, SYSTEM)
# the perimeters list's order (names are unique per license: index uq_perimeter_name), then the id (the keyset)
PERIMETERS_ORDER = [Ordering(Perimeter.name), Ordering(Perimeter.id)]
BATCH = 500  # ids per IN list / multi-row insert / vouching call (SQLite's bound-parameter limit)


def batches(ids, size: int = BATCH):
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def perimeter_view(p: Perimeter, counts: dict | None = None) -> dict:
    view = {"id": p.id, "name": p.name, "description": p.description, "created_at": iso(p.created_at),
            "updated_at": iso(p.updated_at)}
    if counts is not None:
        view["counts"] = {t: counts.get((p.id, t), 0) for t in SUBJECT_TYPES}
    return view


class PerimeterService(PlatformService, idempotency_model=IdempotencyKey, outbox_model=Outbox):
    name = "perimeter"

    policy = Policy()
    identity = Rpc("identity")
    contracts = Rpc("contracts")

    # -- helpers ------------------------------------------------------------------------------

    def _actor_input(self, s, actor: dict) -> dict:
        perimeters = []
        if actor["role"] != SYSTEM:
            perimeters = [pid for (pid,) in s.execute(select(Assignment.perimeter_id).where(
                Assignment.subject_type == "user", Assignment.subject_id == actor["user_id"],
                Assignment.license_id == actor["license_id"]))]
        return {"role": actor["role"], "user_id": actor["user_id"], "perimeters": sorted(perimeters)}

    def _require(self, rule: str, input: dict, message: str):
        if self.policy.decide(rule, input) is not True:
            raise Forbidden(message)

    def _require_manager(self, s, actor: dict):
        self._require("may_manage", {"actor": self._actor_input(s, actor)}, "Only license admins manage perimeters.")

    def _check_name_free(self, s, license_id: str, name: str):
        """Perimeter names are unique in a license (index uq_perimeter_name): a taken one is a 409, said of the name
        field (a form shows it there)."""
        if s.execute(select(Perimeter.id).where(Perimeter.license_id == license_id, Perimeter.name == name)).first():
            raise Conflict(f"A perimeter named {name!r} already exists.",
                           {"fields": {"name": ["Another perimeter already has this name."]}})

    def _perimeter_event(self, s, event_type: str, p: Perimeter):
        """perimeter.created.v1 or perimeter.updated.v1: the perimeter as it is now."""
        self.outbox.add(s, event_type, {"perimeter_id": p.id, "name": p.name, "description": p.description},
                        subject=p.id, license_id=p.license_id)

    def _get(self, s, license_id: str, perimeter_id: str) -> Perimeter:
        p = s.get(Perimeter, perimeter_id)
        if p is None or p.license_id != license_id:
            raise NotFound("Perimeter not found.")
        return p

    def _check_ids(self, s, license_id: str, perimeter_ids: list[str]) -> list[str]:
        wanted = sorted(set(perimeter_ids))
        if not wanted:
            return []
        found = {pid for (pid,) in s.execute(select(Perimeter.id).where(
            Perimeter.license_id == license_id, Perimeter.id.in_(wanted)))}
        missing = [pid for pid in wanted if pid not in found]
        if missing:
            raise InvalidInput("Unknown perimeters.", {"fields": {"perimeter_ids": [f"unknown: {', '.join(missing)}"]}})
        return wanted

    def _current(self, s, license_id: str, subject_type: str, subject_id: str) -> list[str]:
        return sorted(pid for (pid,) in s.execute(select(Assignment.perimeter_id).where(
            Assignment.license_id == license_id, Assignment.subject_type == subject_type,
            Assignment.subject_id == subject_id)))

    # -- subjects: registration and vouching ----------------------------------------------------

    def _register(self, s, license_id: str, subject_type: str, subject_ids) -> None:
        """Record subjects of a license; idempotent, and two concurrent registrations of one subject
        (its creation event and a vouching call) both succeed."""
        insert = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}[self.db.dialect]
        for chunk in batches(sorted(set(subject_ids))):
            s.execute(insert(Subject).values([
                {"license_id": license_id, "subject_type": subject_type, "subject_id": sid, "version": 0,
                 "updated_at": utcnow()} for sid in chunk]).on_conflict_do_nothing())

    @staticmethod
    def _held_elsewhere(s, license_id: str, subject_type: str, subject_id: str) -> bool:
        """A customer or contract type id is one object of one license (a person may be in several)."""
        return subject_type != "user" and s.execute(select(Subject.license_id).where(
            Subject.subject_type == subject_type, Subject.subject_id == subject_id,
            Subject.license_id != license_id)).first() is not None

    def _vouched(self, license_id: str, subject_type: str, subject_ids: list[str]) -> set[str]:
        """Those of the ids that the owning service knows in this license."""
        known = set()
        for chunk in batches(subject_ids):
            if subject_type == "user":  # its users and its service accounts
                known |= set(self.identity.known_users_internal(license_id, chunk)["ids"])
            else:
                known |= set(self.contracts.known_subjects_internal(license_id, subject_type, chunk)["ids"])
        return known & set(subject_ids)

    def _unknown_subjects(self, s, license_id: str, wanted: dict) -> dict:
        """{subject type: ids that are not subjects of the license}, empty when all are. Ids not registered
        yet are asked to their owning service (before any write, so no transaction waits on it holding
        a lock) and registered when it vouches for them."""
        vouched, unknown = {}, {}
        for subject_type, ids in wanted.items():
            missing = set(ids)
            for chunk in batches(sorted(missing)):
                missing -= {sid for (sid,) in s.execute(select(Subject.subject_id).where(
                    Subject.license_id == license_id, Subject.subject_type == subject_type,
                    Subject.subject_id.in_(chunk)))}
            if missing:
                vouched[subject_type] = self._vouched(license_id, subject_type, sorted(missing))
                if missing - vouched[subject_type]:
                    unknown[subject_type] = sorted(missing - vouched[subject_type])
        if not unknown:
            for subject_type, ids in vouched.items():
                self._register(s, license_id, subject_type, ids)
        return unknown

    def _known_subject(self, s, license_id: str, subject_type: str, subject_id: str) -> Subject:
        """A subject of the license; the same 404 for an unknown id and another license's subject."""
        if self._unknown_subjects(s, license_id, {subject_type: [subject_id]}):
            raise NotFound("Unknown subject.")
        return s.get(Subject, (license_id, subject_type, subject_id))

    def _claimed_subject(self, s, license_id: str, subject_type: str, subject_id: str) -> Subject:
        """A subject named by its owning service in a synchronous call (contracts' create_customer and
        set perimeters, after checking the object is in the caller's license, before its creation event
        is relayed): a customer or contract type is registered in the actor's license unless another
        license holds that id; a user must already be a member of the license."""
        if subject_type == "user":
            return self._known_subject(s, license_id, subject_type, subject_id)
        if self._held_elsewhere(s, license_id, subject_type, subject_id):
            raise NotFound("Unknown subject.")
        self._register(s, license_id, subject_type, [subject_id])
        return s.get(Subject, (license_id, subject_type, subject_id))

    def _replace(self, s, license_id: str, subject_type: str, subject_id: str, perimeter_ids: list[str],
                 force_event: bool = False) -> dict:
        """Replace a registered subject's perimeters (callers check the subject is of the license)."""
        # locked (PostgreSQL; SQLite writes one at a time anyway): two concurrent changes must not both write
        # version N+1, since the services caching a user's list filter trust "same version, same perimeters"
        subject = s.get(Subject, (license_id, subject_type, subject_id), with_for_update=True,
                        populate_existing=True)
        current = self._current(s, license_id, subject_type, subject_id)
        if current != perimeter_ids or force_event or subject.version == 0:
            s.execute(delete(Assignment).where(Assignment.license_id == license_id,
                                               Assignment.subject_type == subject_type,
                                               Assignment.subject_id == subject_id))
            for pid in perimeter_ids:
                s.add(Assignment(subject_type=subject_type, subject_id=subject_id, perimeter_id=pid,
                                 license_id=license_id))
            subject.version += 1
            subject.updated_at = utcnow()
            s.flush()
            self.outbox.add(s, "perimeter.assignments_changed.v1", {
                "license_id": license_id, "subject_type": subject_type, "subject_id": subject_id,
                "perimeter_ids": perimeter_ids, "version": subject.version}, subject=subject_id,
                license_id=license_id)
        return {"subject_type": subject_type, "subject_id": subject_id, "perimeter_ids": perimeter_ids,
                "version": subject.version}

    @staticmethod
    def _subject_type(value):
        if value not in SUBJECT_TYPES:
            raise InvalidInput(f"subject type must be one of {', '.join(SUBJECT_TYPES)}")
        return value

    # -- perimeters ------------------------------------------------------------------------------

    @endpoint
    def list_perimeters(self, actor, params=None):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        p = schemas.PerimeterListSchema().load(params or {})
        with self.db.session() as s:
            page = keyset_page(s, select(Perimeter).where(Perimeter.license_id == actor["license_id"]),
                               PERIMETERS_ORDER, limit=p["limit"], cursor=p["cursor"], offset=p["offset"],
                               count=p["count"], order_name="perimeters")
            rows = [row for row, in page["rows"]]
            # the members of this page's perimeters only (not every assignment of the license)
            counts = {(pid, t): n for pid, t, n in s.execute(
                select(Assignment.perimeter_id, Assignment.subject_type, func.count())
                .where(Assignment.license_id == actor["license_id"],
                       Assignment.perimeter_id.in_([row.id for row in rows]))
                .group_by(Assignment.perimeter_id, Assignment.subject_type))} if rows else {}
            return page_result(page, [perimeter_view(row, counts) for row in rows])

    def _visible_members(self, s, actor: dict, p: Perimeter):
        """The perimeter's members the actor may see, filtered in SQL: customers and contract types by
        the policy's list filter (over their own perimeters, as contracts lists them), users as identity
        shows them (managers see every user, a plain user only themself)."""
        q = select(Assignment.subject_type, Assignment.subject_id).where(
            Assignment.license_id == p.license_id, Assignment.perimeter_id == p.id)
        where = self.policy.compile("filter", {"actor": self._actor_input(s, actor)}, self.db.dialect)
        if where == "":
            return q
        scope = aliased(Assignment, name="scope")
        objects = false() if where is None else exists(select(scope.perimeter_id).where(
            scope.license_id == Assignment.license_id, scope.subject_type == Assignment.subject_type,
            scope.subject_id == Assignment.subject_id, text(where)))
        users = Assignment.subject_type == "user"
        if actor["role"] not in USER_READERS:
            users = users & (Assignment.subject_id == actor["user_id"])
        return q.where(or_(users, (Assignment.subject_type != "user") & objects))

    @endpoint
    def get_perimeter(self, actor, perimeter_id):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            p = self._get(s, actor["license_id"], perimeter_id)
            members = {t: [] for t in SUBJECT_TYPES}
            for t, sid in s.execute(self._visible_members(s, actor, p).order_by(Assignment.subject_id)):
                members[t].append(sid)
            view = perimeter_view(p)
            view["members"] = {"users": members["user"], "customers": members["customer"],
                               "contract_types": members["contract_type"]}
            return view

    @endpoint(write=True)
    def create_perimeter(self, actor, payload):
        actor = load_actor(actor)
        data = schemas.PerimeterInSchema().load(payload)
        with self.db.session() as s:
            self._require_manager(s, actor)
            self._check_name_free(s, actor["license_id"], data["name"])
            p = Perimeter(license_id=actor["license_id"], **data)
            s.add(p)
            s.flush()
            self._perimeter_event(s, "perimeter.created.v1", p)
            return perimeter_view(p, {})

    @endpoint(write=True)
    def update_perimeter(self, actor, perimeter_id, payload):
        actor = load_actor(actor)
        data = schemas.PerimeterPatchSchema().load(payload)
        with self.db.session() as s:
            self._require_manager(s, actor)
            p = self._get(s, actor["license_id"], perimeter_id)
            if "name" in data and data["name"] != p.name:
                self._check_name_free(s, p.license_id, data["name"])
            for key, value in data.items():
                setattr(p, key, value)
            p.updated_at = utcnow()
            self._perimeter_event(s, "perimeter.updated.v1", p)
            return perimeter_view(p)

    @endpoint(write=True)
    def delete_perimeter(self, actor, perimeter_id, force=False):
        """Deleting a perimeter still holding customers or contract types would make those
        visible to everyone once it was their last one: refused unless forced."""
        actor = load_actor(actor)
        with self.db.session() as s:
            self._require_manager(s, actor)
            p = self._get(s, actor["license_id"], perimeter_id)
            holders = s.execute(select(Assignment.subject_type, Assignment.subject_id).where(
                Assignment.license_id == p.license_id, Assignment.perimeter_id == p.id)).all()
            exposed = [(t, sid) for t, sid in holders if t != "user"
                       and self._current(s, p.license_id, t, sid) == [p.id]]
            if exposed and not force:
                raise Conflict(f"{len(exposed)} customers or contract types have only this perimeter and would "
                               "become visible to everyone; reassign them or delete with force=true.",
                               {"exposed": [{"subject_type": t, "subject_id": sid} for t, sid in exposed[:100]]})
            for t, sid in holders:
                remaining = [pid for pid in self._current(s, p.license_id, t, sid) if pid != p.id]
                self._replace(s, p.license_id, t, sid, remaining, force_event=True)
            s.delete(p)
            self.outbox.add(s, "perimeter.deleted.v1", {"perimeter_id": p.id, "name": p.name},
                            subject=p.id, license_id=p.license_id)
            return {"deleted": True, "id": p.id, "reassigned": len(holders)}

    @endpoint(write=True)
    def set_members(self, actor, perimeter_id, payload):
        """Perimeter-centric editing: the users, customers and contract types of one perimeter.
        Every id must be a subject of the caller's license, else 404 and nothing changes."""
        actor = load_actor(actor)
        data = schemas.MembersSchema().load(payload)
        with self.db.session() as s:
            actor_in = self._actor_input(s, actor)
            for key in data:
                self._require("may_assign", {"actor": actor_in, "subject_type": MEMBER_KINDS[key]},
                              f"You cannot change the {key.replace('_', ' ')} of a perimeter.")
            p = self._get(s, actor["license_id"], perimeter_id)
            wanted = {MEMBER_KINDS[key]: set(ids) for key, ids in data.items()}
            unknown = self._unknown_subjects(s, p.license_id, wanted)
            if unknown:
                raise NotFound("Unknown users, customers or contract types in this license.",
                               {"unknown": {key: unknown[kind][:100] for key, kind in MEMBER_KINDS.items()
                                            if kind in unknown}})
            for subject_type, ids in wanted.items():
                present = {sid for (sid,) in s.execute(select(Assignment.subject_id).where(
                    Assignment.license_id == p.license_id, Assignment.perimeter_id == p.id,
                    Assignment.subject_type == subject_type))}
                for sid in sorted(ids ^ present):
                    current = set(self._current(s, p.license_id, subject_type, sid))
                    current = current | {p.id} if sid in ids else current - {p.id}
                    self._replace(s, p.license_id, subject_type, sid, sorted(current))
        return self.get_perimeter.__wrapped__(self, actor, perimeter_id)

    # -- assignments -----------------------------------------------------------------------------

    @endpoint
    def get_assignments(self, actor, subject_type, subject_id):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        self._subject_type(subject_type)
        with self.db.session() as s:
            subject = self._known_subject(s, actor["license_id"], subject_type, subject_id)
            ids = self._current(s, actor["license_id"], subject_type, subject_id)
            names = dict(s.execute(select(Perimeter.id, Perimeter.name).where(Perimeter.id.in_(ids))).all()) if ids else {}
            return {"subject_type": subject_type, "subject_id": subject_id, "perimeter_ids": ids,
                    "perimeters": [{"id": i, "name": names.get(i)} for i in ids],
                    "version": subject.version}

    @endpoint(write=True)
    def set_assignments(self, actor, subject_type, subject_id, payload):
        actor = load_actor(actor)
        self._subject_type(subject_type)
        data = schemas.AssignSchema().load(payload)
        with self.db.session() as s:
            self._require("may_assign", {"actor": self._actor_input(s, actor), "subject_type": subject_type},
                          "Only front user managers and license admins change a customer's perimeters; "
                          "only license admins change users' and contract types' perimeters.")
            ids = self._check_ids(s, actor["license_id"], data["perimeter_ids"])
            self._claimed_subject(s, actor["license_id"], subject_type, subject_id)
            return self._replace(s, actor["license_id"], subject_type, subject_id, ids)

    @endpoint(write=True)
    def inherit(self, actor, subject_type, subject_id):
        """A new customer (or contract type) inherits every perimeter of the user creating it.
        Idempotent: a subject that already has assignments keeps them."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        self._subject_type(subject_type)
        with self.db.session() as s:
            subject = self._claimed_subject(s, actor["license_id"], subject_type, subject_id)
            if subject.version > 0:
                return {"subject_type": subject_type, "subject_id": subject_id, "version": subject.version,
                        "perimeter_ids": self._current(s, actor["license_id"], subject_type, subject_id)}
            ids = self._actor_input(s, actor)["perimeters"]
            return self._replace(s, actor["license_id"], subject_type, subject_id, ids)

    @endpoint
    def perimeters_of(self, license_id, subject_type, subject_ids):
        """Internal, batched: {subject_id: [perimeter ids]} (subjects without any map to [])."""
        self._subject_type(subject_type)
        if not isinstance(subject_ids, list) or len(subject_ids) > 10000:
            raise InvalidInput("subject_ids must be a list of at most 10000 ids")
        with self.db.session() as s:
            out = {sid: [] for sid in subject_ids}
            for sid, pid in s.execute(select(Assignment.subject_id, Assignment.perimeter_id).where(
                    Assignment.license_id == license_id, Assignment.subject_type == subject_type,
                    Assignment.subject_id.in_(subject_ids))):
                out[sid].append(pid)
            return {k: sorted(v) for k, v in out.items()}

    @endpoint
    def export_assignments(self, license_id, subject_type, after=None, limit=5000):
        """Internal: page through all assignments of a kind (for replicas rebuilding their scope table)."""
        self._subject_type(subject_type)
        limit = max(1, min(int(limit), 20000))
        with self.db.session() as s:
            q = select(Subject).where(Subject.license_id == license_id, Subject.subject_type == subject_type,
                                      Subject.version > 0)  # registered but never assigned: nothing to export
            if after:
                q = q.where(Subject.subject_id > after)
            subjects = s.execute(q.order_by(Subject.subject_id).limit(limit)).scalars().all()
            ids = [x.subject_id for x in subjects]
            perims = {sid: [] for sid in ids}
            if ids:
                for sid, pid in s.execute(select(Assignment.subject_id, Assignment.perimeter_id).where(
                        Assignment.license_id == license_id, Assignment.subject_type == subject_type,
                        Assignment.subject_id.in_(ids))):
                    perims[sid].append(pid)
            return {"items": [{"subject_id": x.subject_id, "perimeter_ids": sorted(perims[x.subject_id]),
                               "version": x.version} for x in subjects],
                    "next": ids[-1] if len(ids) == limit else None}

    # -- subjects registered from their owning services' events -----------------------------------

    def _register_created(self, event, subject_type: str, id_field: str):
        """Another service's event announcing a new subject (its id in ``data[id_field]``): the subject is
        registered in the event's license."""
        subject_id, license_id = event["data"][id_field], event["license_id"]
        if not license_id:
            log.warning("%s with no license_id: %s not registered", event["type"], subject_id)
            return
        with self.db.session() as s:
            if not first_time(s, Inbox, event["id"], f"perimeter.register:{event['type']}"):
                return
            if self._held_elsewhere(s, license_id, subject_type, subject_id):
                log.warning("%s %s of license %s is already registered in another license: ignored",
                            subject_type, subject_id, license_id)
                return
            self._register(s, license_id, subject_type, [subject_id])

    # Joining a license (activation, invitation, ERP collaborator, reactivation, portal access) sends an
    # invitation: the person becomes a subject of that license. A portal client granted access without an
    # email is vouched for by identity when first named.
    # each: the handler, the event, then the subject type and the field of the event's data holding its id
    on_user_invited = subscribe_to("_register_created", "identity", "user.invited.v1", "user", "user_id")
    on_user_activated = subscribe_to("_register_created", "identity", "user.activated.v1", "user", "user_id")
    # an integration's service account acts as a user of its license: its perimeters limit what its API keys see
    on_service_account_created = subscribe_to("_register_created", "identity", "service_account.created.v1",
                                              "user", "service_account_id")
    on_customer_created = subscribe_to("_register_created", "contracts", "customer.created.v1",
                                       "customer", "customer_id")
    on_contract_type_created = subscribe_to("_register_created", "contracts", "contract_type.created.v1",
                                            "contract_type", "contract_type_id")

    # -- decisions -------------------------------------------------------------------------------

    @endpoint
    def decide(self, actor, perimeter_ids):
        """Is an object holding these perimeters visible to the actor?"""
        actor = load_actor(actor)
        if not isinstance(perimeter_ids, list):
            raise InvalidInput("perimeter_ids must be a list")
        with self.db.session() as s:
            return self.policy.decide("visible", {"actor": self._actor_input(s, actor),
                                                  "resource": {"perimeters": perimeter_ids}}) is True

    @staticmethod
    def _user_version(s, actor: dict) -> int:
        """The version of the actor's own assignments (0 while never assigned): it changes, with a
        ``perimeter.assignments_changed.v1`` event, whenever their compiled filter may change."""
        subject = s.get(Subject, (actor["license_id"], "user", actor["user_id"]))
        return subject.version if subject is not None else 0

    @endpoint
    def compile_filter(self, actor, dialect="postgresql"):
        """The policy's list filter for this actor, compiled to a SQL condition over a ``scope``
        table alias with a ``perimeter_id`` column ("" marks subjects without perimeter).
        ``where`` is "" when everything is visible and None when nothing is; ``version`` is the
        version of the actor's assignments it was compiled from (callers cache it: see
        paraph_platform.filter_cache)."""
        actor = load_actor(actor)
        if dialect not in DIALECTS:
            raise InvalidInput(f"dialect must be one of {', '.join(DIALECTS)}")
        with self.db.session() as s:
            # the version is read before the assignments: under READ COMMITTED a change committed in
            # between can only make the label older than the filter (re-checked, never served stale),
            # never newer (a stale filter labelled current)
            version = self._user_version(s, actor)
            actor_in = self._actor_input(s, actor)
        return {"where": self.policy.compile("filter", {"actor": actor_in}, dialect),
                "perimeters": actor_in["perimeters"], "version": version}

    @endpoint
    def filter_version(self, actor):
        """The version of the actor's assignments, without compiling anything (one primary-key read):
        a service holding a cached compile_filter result checks it is still current."""
        actor = load_actor(actor)
        with self.db.session() as s:
            return {"version": self._user_version(s, actor)}


SERVICE = PerimeterService
