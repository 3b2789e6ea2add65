"""The stylesheet and the script helpers shared by the pages Paraph's customers see: the client portal and the
online quote (rendered by the portal service) and the public signing page (rendered by the gateway). They are
separate packages, both built on this one, so the look is written once here (``client_pages.css``) and each page
inlines it before its own rules; likewise how their scripts write a file's size or a date (``client_pages.js``).
Paraph's icon (``favicon.svg``, a white P on a blue square) is the browser tab's icon of these pages and of the
staff pages."""
from __future__ import annotations

from functools import cache
from html import escape
from importlib import resources
from urllib.parse import quote


@cache
def stylesheet() -> str:
    """``client_pages.css``: plain CSS, to put in a page's own (nonced) ``<style>`` unescaped."""
    return resources.files("paraph_platform").joinpath("client_pages.css").read_text("utf-8")


@cache
def script() -> str:
    """``client_pages.js``: plain JavaScript (a ``clientPages`` object), to put at the top of a page's own
    (nonced) ``<script>`` unescaped."""
    return resources.files("paraph_platform").joinpath("client_pages.js").read_text("utf-8")


@cache
def icon() -> str:
    """``favicon.svg``: Paraph's icon (SVG), as the staff web app serves it (``/favicon.ico``, ``/favicon.svg``)."""
    return resources.files("paraph_platform").joinpath("favicon.svg").read_text("utf-8").strip()


@cache
def icon_data_uri() -> str:
    """The icon as a ``data:`` URI, for a client page's ``<link rel="icon">``: its strict Content-Security-Policy
    allows ``img-src 'self' data:``, and the page needs no route of its own (else the browser asks for
    ``/favicon.ico`` and logs a 404)."""
    return "data:image/svg+xml," + quote(icon(), safe="=:/'")


# each language of the client pages named in itself: the link to the other one says where it goes ("English" on a
# French page, "Français" on an English one; "EN" alone read as the page's language as much as a switch)
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


def language_link(href: str, to: str) -> str:
    """The top bar's link to the page in the language ``to`` (one of LANGUAGE_NAMES), as HTML (escaped): its name in
    that language, marked as such (``lang``, for a screen reader to say it right; ``hreflang``, where it goes)."""
    code = to if to in LANGUAGE_NAMES else "fr"
    return (f'<a href="{escape(href)}" id="lang-switch" lang="{code}" hreflang="{code}">'
            f'{LANGUAGE_NAMES[code]}</a>')
