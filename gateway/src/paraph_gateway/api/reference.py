"""``GET /api/v1/docs``: the API reference for integrators, Redoc (vendored in ``static/vendor``, MIT)
rendering the served ``/api/v1/openapi.json``. No CDN and no inline script: the page runs under a strict
Content-Security-Policy (Redoc's styles are injected at run time, hence ``style-src 'unsafe-inline'``;
its search index runs in a worker it builds from a ``blob:`` URL). The one thing the policy blocks is Redoc's
"powered by" logo, which it would load from its CDN: the page reaches no other server."""
from __future__ import annotations

from importlib import resources

from flask import Blueprint, Response, render_template, send_file, url_for

bp = Blueprint("reference", __name__)

REDOC = "redoc.standalone.js"  # redoc 2.5.4, from the npm package's bundles/
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'none'")


@bp.get("/docs")
def reference():
    html = render_template("api_reference.html", spec_url=url_for("openapi"),
                           script_url=url_for("reference.redoc"))
    resp = Response(html, mimetype="text/html")
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp


@bp.get(f"/docs/{REDOC}")
def redoc():
    # a file on disk: send_file answers If-None-Match / If-Modified-Since with a 304
    return send_file(resources.files("paraph_gateway") / "static" / "vendor" / REDOC, mimetype="text/javascript",
                     max_age=86400, conditional=True)
