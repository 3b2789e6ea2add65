"""What a contract type's template may use: every variable :func:`pdf.build_context` gives it, with its type,
an example and what it is, in French and English. Served to template authors (GET
/api/v1/contract-types/template-variables, the web app's template editor); a unit test checks that every
variable the context holds is listed here and every listed one exists, so the two cannot drift apart. The
catalog itself is data, in template_variables.toml.

Names are written as in the template: ``customer.name``; ``lines[].amount`` is ``line.amount`` inside
``{% for line in lines %}``; ``fields.<key>`` stands for each merge field of the contract type.
"""
from __future__ import annotations

import tomllib
from importlib import resources

# in the order template authors see them (what each key holds: the header of template_variables.toml)
_VARIABLES: list[dict] = tomllib.loads(
    resources.files(__package__).joinpath("template_variables.toml").read_text("utf-8"))["variables"]


def catalog(locale: str = "en") -> list[dict]:
    """Every template variable: name, type, nullable, example and description in ``locale`` (fr or en)."""
    french = locale == "fr"
    return [{"name": v["name"], "type": v["type"], "nullable": v["nullable"], "example": v["example"],
             "description": v["fr"] if french else v["en"]}
            for v in _VARIABLES]


def documented_names() -> set[str]:
    return {v["name"] for v in _VARIABLES}
