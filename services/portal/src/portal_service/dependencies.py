"""portal dependencies: settings from the environment and the page renderer (Jinja2, autoescaped)."""
from __future__ import annotations

import json
from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from nameko.extensions import DependencyProvider

from paraph_platform import addresses, client_pages, countries
from paraph_platform.config import env_int, public_url

from . import logic


@dataclass(frozen=True)
class PortalSettings:
    public_url: str
    link_ttl_days: int


class Settings(DependencyProvider):
    def setup(self):
        config = self.container.config
        self.settings = PortalSettings(
            public_url=(config.get("PUBLIC_URL") or public_url()).rstrip("/"),
            link_ttl_days=int(config.get("QUOTE_LINK_TTL_DAYS") or env_int("QUOTE_LINK_TTL_DAYS", 90, "portal")),
        )

    def get_dependency(self, worker_ctx):
        return self.settings


def make_environment() -> Environment:
    env = Environment(loader=PackageLoader("portal_service", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["tojson_attr"] = lambda value: json.dumps(value, ensure_ascii=False)
    env.globals["client_pages_css"] = Markup(client_pages.stylesheet())  # the look shared with the signing page
    env.globals["client_pages_js"] = Markup(client_pages.script())  # and how its script writes sizes and dates
    env.globals["client_pages_icon"] = client_pages.icon_data_uri()  # the tab's icon (else a /favicon.ico 404)
    env.globals["language_link"] = lambda href, to: Markup(client_pages.language_link(href, to))  # "English"
    env.globals["countries"] = countries.countries  # (code, name) in a language: the profile's country list
    # whether a country's addresses write the city before the postcode: the order the profile asks for them in
    env.globals["city_first"] = addresses.city_first
    return env


class Renderer:
    """Renders the portal's server-side pages; every variable is HTML-escaped."""

    def __init__(self, env: Environment | None = None):
        self.env = env or make_environment()

    def render(self, template: str, locale: str, nonce: str = "", **context) -> str:
        locale = locale if locale in logic.LOCALES else logic.DEFAULT_LOCALE
        return self.env.get_template(template).render(t=logic.LABELS[locale], locale=locale, nonce=nonce,
                                                      **context)

    def error(self, status: int, locale: str, nonce: str = "", message: str | None = None) -> str:
        key = {404: "not_found", 410: "gone"}.get(status, "unavailable")
        t = logic.LABELS.get(locale, logic.LABELS[logic.DEFAULT_LOCALE])
        return self.render("error.html", locale, nonce, status=status, heading=t[f"{key}_title"],
                           message=message or t[key])


class Pages(DependencyProvider):
    def setup(self):
        self.renderer = Renderer()

    def get_dependency(self, worker_ctx):
        return self.renderer

