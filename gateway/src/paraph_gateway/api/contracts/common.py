"""What the modules of the contracts API share: their blueprint, the roles, the id rule, and the conversion of
a loaded query to the contracts service's RPC."""
from __future__ import annotations

from flask import Blueprint
from marshmallow import validate

# one blueprint for the whole package: every endpoint is contracts.<view>, its OpenAPI operationId contracts_<view>
bp = Blueprint("contracts", __name__)

STAFF = ("license_admin", "front_user_manager", "user")
MANAGERS = ("license_admin", "front_user_manager")
ADMIN = ("license_admin",)
ID = validate.Length(min=1, max=64)


def _json(query: dict) -> dict:
    """A loaded query's dates as JSON for the RPC (bodies are passed on as they came: service_params)."""
    return {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in query.items()}
