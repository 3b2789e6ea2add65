"""CloudEvents-style envelope shared by every event on the bus.

``type`` is a fact named ``<aggregate>.<past_participle>.v<major>``; ``id`` is
stable for the life of the event (outbox row id), so consumers and webhook
receivers deduplicate on it.
"""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone

from marshmallow import Schema, ValidationError, fields, validate

EVENT_TYPE_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.v[0-9]+$")
SPEC_VERSION = "1.0"


class EnvelopeSchema(Schema):
    specversion = fields.String(load_default=SPEC_VERSION, dump_default=SPEC_VERSION)
    id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    source = fields.String(required=True, validate=validate.Length(min=1, max=64))
    type = fields.String(required=True, validate=validate.Regexp(EVENT_TYPE_RE))
    time = fields.String(required=True)
    subject = fields.String(required=True, allow_none=True)
    license_id = fields.String(required=True, allow_none=True)
    datacontenttype = fields.String(load_default="application/json", dump_default="application/json")
    data = fields.Dict(required=True)


_schema = EnvelopeSchema()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime | None) -> datetime | None:
    """``value`` with UTC as its zone when it has none (what a naive date-time means everywhere in Paraph: SQLite
    drops the offset, and a row built in this unit of work may not have been read back yet); unchanged otherwise."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    return as_utc(dt).astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def make_event(source: str, type: str, data: dict, *, subject: str | None = None,
               license_id: str | None = None, id: str | None = None,
               time: datetime | None = None) -> dict:
    if not EVENT_TYPE_RE.match(type):
        raise ValueError(f"event type {type!r} is not <aggregate>.<past_participle>.v<major>")
    return {
        "specversion": SPEC_VERSION,
        "id": id or str(uuid.uuid4()),
        "source": source,
        "type": type,
        "time": iso(time or utcnow()),
        "subject": subject,
        "license_id": license_id,
        "datacontenttype": "application/json",
        "data": data,
    }


def validate_envelope(payload) -> dict:
    """Return the loaded envelope or raise marshmallow.ValidationError."""
    if not isinstance(payload, dict):
        raise ValidationError({"_schema": ["event payload must be an object"]})
    return _schema.load(payload)
