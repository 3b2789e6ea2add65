"""The stylesheet shared by the pages Paraph's customers see: the client portal and the online quote (rendered
by the portal service) and the public signing page (rendered by the gateway). They are separate packages, both
built on this one, so the look is written once here (``client_pages.css``) and each page inlines it before its
own rules."""
from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def stylesheet() -> str:
    """``client_pages.css``: plain CSS, to put in a page's own (nonced) ``<style>`` unescaped."""
    return resources.files("paraph_platform").joinpath("client_pages.css").read_text("utf-8")
