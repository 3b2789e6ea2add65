"""What the modules of the contracts API share: their blueprint and the roles."""
from __future__ import annotations

from flask import Blueprint

# one blueprint for the whole package: every endpoint is contracts.<view>, its OpenAPI operationId contracts_<view>
bp = Blueprint("contracts", __name__)

