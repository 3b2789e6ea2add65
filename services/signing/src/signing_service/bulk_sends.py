"""Bulk send: one uploaded document (or one contract type) sent to many recipients, each getting a
request of their own.

Creating a job only checks and stores it (the document checked once, the rows parsed: a bad row becomes a
per-row error, the others still go) and answers at once. A timer works the jobs through: it claims one with
a lease (a replica that dies leaves it to another once the lease ended), then asks the service itself,
``bulk_send_concurrency`` rows at a time, to create each row's request (:meth:`send_bulk_row`). Each row's
call carries an idempotency key derived from the job and the row, so a row sent again after a crash gets
the request already created instead of a second one. Progress is written every few rows; a cancelled job
stops starting rows.
"""
from __future__ import annotations

import csv
import io
import logging
import os
import time
import unicodedata
import uuid
from datetime import timedelta

import eventlet
from eventlet.queue import LightQueue
from marshmallow import ValidationError, validate
from nameko.timer import timer
from sqlalchemy import select
from sqlalchemy.orm import defer

from paraph_platform.actor import MANAGERS, STAFF_ROLES, load_actor, require_role
from paraph_platform.config import env_float
from paraph_platform.db import utcnow
from paraph_platform.errors import DeadlineExceeded, PlatformError, Unavailable
from paraph_platform.idempotency import derive_key
from paraph_platform.pagination import Ordering, keyset_page, page_result
from paraph_platform import phones
from paraph_platform.service import endpoint

from .base import SigningBase
from .exceptions import Conflict, InvalidInput, NotFound
from .logic import iso
from .models import BulkSend
from .schemas import RequestIn
from .schemas.bulk_sends import MAX_BULK_ROWS, BulkSendIn, BulkSendListIn

log = logging.getLogger(__name__)

COMPLETED = "bulk_send.completed.v1"
PROGRESS_EVERY_ROWS = 10      # progress written (and the lease renewed) at least every this many rows
PROGRESS_EVERY_SECONDS = 2.0  # ... or this often
# a claim works a job this long at most, then hands it back (the next tick, here or on another replica, goes on):
# a service stopping waits for its timer's worker, so no more than this
SLICE_SECONDS = 20.0
ROW_ATTEMPTS = 3              # a row's call tried again (same key) when the service was busy or unreachable
ROW_COLUMNS = ("name", "email", "phone", "locale", "customer_id")
# a column named in French, as a French spreadsheet's header says it (the staff app's form shows these names)
FRENCH_COLUMNS = {"nom": "name", "courriel": "email", "e-mail": "email", "téléphone": "phone", "telephone": "phone",
                  "mobile": "phone"}
BULK_SENDS_ORDER = [Ordering(BulkSend.created_at, descending=True), Ordering(BulkSend.id, descending=True)]
_email = validate.Email()


def bulk_send_view(job: BulkSend) -> dict:
    results = job.results or {}
    return {
        "id": job.id, "status": job.status, "kind": job.kind, "title": (job.template or {}).get("title"),
        "contract_type_id": job.contract_type_id, "document_filename": job.document_filename,
        "total": job.total, "created": job.created, "failed": job.failed,
        "errors": sorted(job.errors or [], key=lambda e: e["row"]),
        "request_ids": [results[k] for k in sorted(results, key=int)],
        "requests": [{"row": r["row"], "email": r["email"], "request_id": results[str(r["row"])]}
                     for r in job.rows if str(r["row"]) in results],
        "created_by": job.created_by, "created_at": iso(job.created_at), "updated_at": iso(job.updated_at),
        "finished_at": iso(job.finished_at),
    }


def column_of(header: str) -> str:
    """The row's field a header names: its words in any case, in English or in French ("Nom", "Courriel",
    "Téléphone": FRENCH_COLUMNS), an accent typed as one character or as two (a Mac's file names)."""
    words = unicodedata.normalize("NFC", header).strip().lower()
    return FRENCH_COLUMNS.get(words, words)


def csv_rows(text: str) -> list[dict]:
    """The rows of a CSV with a header line (`,` or `;` separated, a UTF-8 BOM tolerated), as dicts of
    the known columns (named in English or in French: column_of); 422 without an email column."""
    text = text.lstrip("\ufeff")
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        columns = [column_of(c) for c in next(reader, [])]
        if "email" not in columns:
            raise InvalidInput("The CSV has no email column: its first line must name the columns (name, email, "
                               "phone; or nom, courriel, téléphone).",
                               {"fields": {"csv": ["No email column in the header line."]}})
        rows = []
        for values in reader:
            if not any(v.strip() for v in values):
                continue  # blank lines are not rows
            rows.append({c: (values[i].strip() if i < len(values) else "") for i, c in enumerate(columns)
                         if c in ROW_COLUMNS})
    except csv.Error as exc:  # a field longer than the csv module's limit, a quote left open at the end...
        raise InvalidInput(f"The CSV cannot be read (line {reader.line_num}): {exc}.",
                           {"fields": {"csv": [str(exc)]}}) from None
    return rows


def row_problem(row: dict, needs_customer: bool) -> tuple[str, str] | None:
    """Why a recipient cannot be sent a request, (reason, message), or None: it can."""
    name, email = (row.get("name") or "").strip(), (row.get("email") or "").strip()
    if not name:
        return "missing_name", "The name is missing."
    if len(name) > 200:
        return "name_too_long", "The name is longer than 200 characters."
    if not email:
        return "missing_email", "The email is missing."
    try:
        _email(email)
    except ValidationError:
        return "bad_email", f"{email} is not a valid email address."
    # the rule notify sends SMS by, a number without its country code read in the block's country (the company's:
    # _outsiders_phones)
    if row.get("phone") and phones.written(row["phone"]) is None:
            return "bad_phone", f"{row['phone']} is not a phone number an SMS can be sent to."
    if row.get("locale") and row["locale"] not in ("fr", "en"):
        return "bad_locale", "The locale must be fr or en."
    if needs_customer and not row.get("customer_id"):
        return "missing_customer", "The customer_id is missing (a contract type is sent to customers)."
    return None


def parse_rows(data: dict) -> tuple[list[dict], list[dict]]:
    """The rows to send (numbered from 1, recipient fields only) and the errors of the rows refused."""
    raw = csv_rows(data["csv"]) if data.get("csv") is not None else data["recipients"]
    if not raw:
        raise InvalidInput("There is no recipient to send to.", {"fields": {"recipients": ["No row."]}})
    if len(raw) > MAX_BULK_ROWS:
        raise InvalidInput(f"{len(raw)} recipients: a bulk send goes to at most {MAX_BULK_ROWS}.",
                           {"fields": {"recipients": [f"At most {MAX_BULK_ROWS} rows."]}})
    rows, errors = [], []
    for number, item in enumerate(raw, start=1):
        item = item if isinstance(item, dict) else {}
        row = {c: str(item[c]).strip() for c in ROW_COLUMNS if item.get(c) not in (None, "")}
        problem = row_problem(row, data.get("contract_type_id") is not None)
        if problem:
            errors.append({"row": number, "email": row.get("email"), "reason": problem[0], "message": problem[1]})
        else:
            rows.append({"row": number, **row, "email": row["email"].lower()})
    return rows, errors


def row_key(job_id: str, row: int) -> str:
    """The idempotency key of a job's row: a retry (after a crash, by another replica) sends it again."""
    return derive_key(f"bulk_send:{job_id}", "row", row)


class BulkSendsEndpoints(SigningBase):
    """Create, read, list and cancel bulk sends; the timer that works them through."""

    # -- the API -------------------------------------------------------------------------------------------

    @endpoint(write=True)
    def create_bulk_send(self, actor, payload):
        """Store a bulk send (queued) and answer at once; the timer sends its rows."""
        raw_actor = actor if isinstance(actor, dict) else {}
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = BulkSendIn().load(payload)
        if data["contract_type_id"] is not None:
            # 404 at once (unknown, another license's, outside the caller's perimeter) rather than every row
            # refused later by create_contract
            self.contracts.get_contract_type(raw_actor, data["contract_type_id"])
        with self._outsiders_phones(actor):
            rows, errors = parse_rows(data)
        filename = document = None
        if data["document"] is not None:
            content = self._decoded_upload(data["document"])
            filename = os.path.basename(data["document"]["filename"].replace("\\", "/")).strip() or "document.pdf"
            filename, document, _pages = self._uploaded_pdf(filename, content)  # 422 at once for a bad file
        # what every row's request is made of: the payload's options, as sent (re-read for each row)
        template = {k: v for k, v in payload.items() if k not in ("document", "recipients", "csv",
                                                                  "contract_type_id")}
        now = utcnow()
        with self.db.session() as s:
            job = BulkSend(license_id=actor["license_id"], created_by=actor["user_id"],
                           actor=dict(raw_actor),  # as the gateway passed it (an API key's service account too)
                           status="queued" if rows else "completed", kind="document" if document else "contract_type",
                           contract_type_id=data["contract_type_id"], template=template,
                           document_filename=filename, document=document, rows=rows,
                           total=len(rows) + len(errors), created=0, failed=len(errors), errors=errors, results={},
                           created_at=now, updated_at=now, finished_at=None if rows else now)
            s.add(job)
            s.flush()
            if not rows:
                self._announce_finished(s, job)
            return bulk_send_view(job)

    def _bulk_send(self, s, actor: dict, job_id: str, lock: bool = False, document: bool = False) -> BulkSend:
        """A job of the actor's license that they may see (their own; a manager's: every one); its document
        (up to MAX_DOCUMENT_BYTES) read only when asked for."""
        q = select(BulkSend).where(BulkSend.id == job_id, BulkSend.license_id == actor["license_id"])
        if not document:
            q = q.options(defer(BulkSend.document))
        job = s.execute(q.with_for_update() if lock and self.db.dialect == "postgresql" else q).scalar_one_or_none()
        if job is None or (actor["role"] not in MANAGERS and job.created_by != actor["user_id"]):
            raise NotFound("Bulk send not found.")
        return job

    @endpoint
    def get_bulk_send(self, actor, bulk_send_id):
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            return bulk_send_view(self._bulk_send(s, actor, bulk_send_id))

    @endpoint
    def list_bulk_sends(self, actor, payload=None):
        """The license's bulk sends (a user's own), newest first."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        data = BulkSendListIn().load(payload or {})
        q = select(BulkSend).where(BulkSend.license_id == actor["license_id"])
        if actor["role"] not in MANAGERS:
            q = q.where(BulkSend.created_by == actor["user_id"])
        with self.db.session() as s:
            page = keyset_page(s, q.options(defer(BulkSend.document)), BULK_SENDS_ORDER, limit=data["limit"],
                               cursor=data["cursor"], offset=data["offset"], count=data["count"],
                               order_name="bulk_sends")
            return page_result(page, [bulk_send_view(job) for job, in page["rows"]])

    @endpoint(write=True)
    def cancel_bulk_send(self, actor, bulk_send_id):
        """Stop a job: the rows not started yet are not sent (the requests already created stay)."""
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            job = self._bulk_send(s, actor, bulk_send_id, lock=True)
            if job.status == "completed":
                raise Conflict("This bulk send is already completed.", {"bulk_send_status": job.status})
            if job.status != "cancelled":
                job.status, job.finished_at = "cancelled", utcnow()
                job.updated_at = job.finished_at
            return bulk_send_view(job)

    # -- one row (called by the timer, through the broker, under the row's key) -----------------------------

    @endpoint(write=True)
    def send_bulk_row(self, actor, bulk_send_id, row):
        """Internal: create the request of a job's row; {request_id}."""
        raw_actor = actor if isinstance(actor, dict) else {}
        actor = require_role(load_actor(actor), *STAFF_ROLES)
        with self.db.session() as s:
            job = self._bulk_send(s, actor, bulk_send_id, document=True)
        recipient = next((r for r in job.rows if r["row"] == row), None)
        if recipient is None:
            raise NotFound("No such row in this bulk send.")
        signer = {k: recipient[k] for k in ("name", "email", "phone") if recipient.get(k)}
        options = {k: v for k, v in job.template.items() if k != "title"}
        if recipient.get("locale"):
            options["locale"] = recipient["locale"]
        with self._outsiders_phones(actor):  # the row's number read as it was when the job was created
            return self._request_of_row(actor, raw_actor, job, recipient, signer, options)

    def _request_of_row(self, actor: dict, raw_actor: dict, job: BulkSend, recipient: dict, signer: dict,
                        options: dict) -> dict:
        """The request of a job's row (send_bulk_row)."""
        if job.kind == "contract_type":  # the row's customer gets a contract of the type, sent to the recipient
            contract = self.contracts.create_contract(raw_actor, {
                "contract_type_id": job.contract_type_id, "customer_id": recipient["customer_id"],
                "title": job.template["title"]})
            data = RequestIn().load({**options, "contract_id": contract["id"], "signers": [signer]})
            return {"request_id": self._request_on_contract(actor, data)["id"]}
        data = RequestIn().load({**options, "contract_id": job.id, "signers": [signer]})
        source = self._document_source(actor, job.document_filename, job.template["title"])
        created = self._open_request(actor, data, source, job.document_filename, job.document)
        return {"request_id": created["id"]}

    # -- the timer -------------------------------------------------------------------------------------------

    @timer(interval=env_float("BULK_SEND_SCAN_INTERVAL", 1.0))
    def bulk_send_scan(self):
        try:
            claimed = self._claim_bulk_send()
            if claimed:
                self._work_bulk_send(*claimed)
        except Exception:  # noqa: BLE001 - the lease ends and a next tick (or replica) takes the job over
            log.exception("bulk send scan failed")

    def _claim_bulk_send(self) -> tuple[str, str] | None:
        """(job id, claim token) of the oldest job waiting, or running past its lease (its replica died)."""
        now = utcnow()
        due = ((BulkSend.status == "queued")
               | ((BulkSend.status == "running") & (BulkSend.lease_until < now)))
        with self.db.session() as s:
            q = select(BulkSend).options(defer(BulkSend.document)).where(due).order_by(BulkSend.created_at).limit(1)
            if self.db.dialect == "postgresql":
                q = q.with_for_update(skip_locked=True)
            job = s.execute(q).scalar_one_or_none()
            if job is None:
                return None
            token = str(uuid.uuid4())
            job.status, job.claim_token = "running", token
            job.lease_until = now + timedelta(seconds=self.settings.bulk_send_lease)
            job.updated_at = now
            return job.id, token

    def _work_bulk_send(self, job_id: str, token: str):
        with self.db.session() as s:
            job = s.get(BulkSend, job_id, options=[defer(BulkSend.document)])
            done = {int(k) for k in job.results} | {e["row"] for e in job.errors}
            todo = [r["row"] for r in job.rows if r["row"] not in done]
            actor = dict(job.actor)
        outcomes = LightQueue()
        pool = eventlet.GreenPool(self.settings.bulk_send_concurrency)
        unsaved: list = []
        started = saved_at = time.monotonic()
        going, sliced = True, False

        def send(row: int):
            outcomes.put((row, *self._send_row(job_id, actor, row)))

        def drain():
            while not outcomes.empty():
                unsaved.append(outcomes.get_nowait())

        for row in todo:
            if time.monotonic() - started >= SLICE_SECONDS:
                sliced = True
                break
            pool.spawn_n(send, row)  # waits while bulk_send_concurrency rows are under way
            drain()
            if len(unsaved) >= PROGRESS_EVERY_ROWS or time.monotonic() - saved_at >= PROGRESS_EVERY_SECONDS:
                going = self._save_progress(job_id, token, unsaved)
                unsaved, saved_at = [], time.monotonic()
            else:  # a cancel stops the rows not started yet, not only at the next progress write
                going = self._still_ours(job_id, token)
            if not going:
                break
        pool.waitall()
        drain()
        self._save_progress(job_id, token, unsaved, finished=going and not sliced, release=sliced)

    def _still_ours(self, job_id: str, token: str) -> bool:
        with self.db.session() as s:
            return s.execute(select(BulkSend.id).where(BulkSend.id == job_id, BulkSend.status == "running",
                                                       BulkSend.claim_token == token)).first() is not None

    def _send_row(self, job_id: str, actor: dict, row: int) -> tuple[str | None, str | None]:
        """(request id, None) or (None, why the row failed)."""
        for attempt in range(1, ROW_ATTEMPTS + 1):
            try:
                out = self.signing.under_key(row_key(job_id, row)).send_bulk_row(actor, job_id, row)
                return out["request_id"], None
            except (Unavailable, DeadlineExceeded) as exc:
                if attempt == ROW_ATTEMPTS:
                    return None, f"Not sent: {exc.message}"
                eventlet.sleep(attempt)  # the same key: a call that did go through is answered again
            except PlatformError as exc:
                if exc.status >= 500:
                    log.error("bulk send %s row %s failed: %s", job_id, row, exc)
                return None, exc.message
            except Exception as exc:  # noqa: BLE001 - one row's bug must not stop the others
                log.exception("bulk send %s row %s failed", job_id, row)
                return None, f"Not sent: {type(exc).__name__}"
        return None, "Not sent."

    def _save_progress(self, job_id: str, token: str, outcomes: list, finished: bool = False,
                       release: bool = False) -> bool:
        """Record rows done and renew the lease; False when the job is no longer ours to go on with
        (cancelled, or taken over after our lease ended). ``finished``: every row was tried; ``release``: the
        slice is over, the job is claimable again at once."""
        now = utcnow()
        with self.db.session() as s:
            q = select(BulkSend).options(defer(BulkSend.document)).where(BulkSend.id == job_id)
            job = s.execute(q.with_for_update() if self.db.dialect == "postgresql" else q).scalar_one()
            if job.claim_token != token:
                return False
            results, errors = dict(job.results or {}), list(job.errors or [])
            emails = {r["row"]: r.get("email") for r in job.rows}
            for row, request_id, problem in outcomes:
                if request_id:
                    results[str(row)] = request_id
                else:
                    errors.append({"row": row, "email": emails.get(row), "reason": "refused", "message": problem})
            job.results, job.errors = results, errors
            job.created, job.failed = len(results), len(errors)
            job.updated_at = now
            if job.status != "running":  # cancelled meanwhile: what was created is recorded, nothing more starts
                job.claim_token, job.lease_until = None, None
                return False
            job.lease_until = now + timedelta(seconds=self.settings.bulk_send_lease)
            if release:
                job.claim_token, job.lease_until = None, now
            if finished:
                job.status, job.finished_at, job.claim_token, job.lease_until = "completed", now, None, None
                self._announce_finished(s, job)
            return True

    def _announce_finished(self, s, job: BulkSend):
        self.outbox.add(s, COMPLETED, {
            "bulk_send_id": job.id, "created_by": job.created_by, "kind": job.kind, "total": job.total,
            "created": job.created, "failed": job.failed, "finished_at": iso(job.finished_at)},
            subject=job.id, license_id=job.license_id)
