"""The stylesheet and the script helpers shared by the pages Paraph's customers see: the client portal and the
online quote (rendered by the portal service) and the public signing page (rendered by the gateway). They are
separate packages, both built on this one, so the look is written once here (``client_pages.css``) and each page
inlines it before its own rules; likewise how their scripts write a file's size or a date (``client_pages.js``)."""
from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def stylesheet() -> str:
    """``client_pages.css``: plain CSS, to put in a page's own (nonced) ``<style>`` unescaped."""
    return resources.files("paraph_platform").joinpath("client_pages.css").read_text("utf-8")


@cache
def script() -> str:
    """``client_pages.js``: plain JavaScript (a ``clientPages`` object), to put at the top of a page's own
    (nonced) ``<script>`` unescaped."""
    return resources.files("paraph_platform").joinpath("client_pages.js").read_text("utf-8")
