"""The stylesheet and the script helpers shared by the pages Paraph's customers see: the client portal and the
online quote (rendered by the portal service) and the public signing page (rendered by the gateway). They are
separate packages, both built on this one, so the look is written once here (``client_pages.css``) and each page
inlines it before its own rules; likewise how their scripts write a file's size or a date (``client_pages.js``).
Paraph's icon (``favicon.svg``, a white P on a blue square) is the browser tab's icon of these pages and of the
staff pages."""
from __future__ import annotations

from functools import cache
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
