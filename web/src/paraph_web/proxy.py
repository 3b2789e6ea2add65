"""One public address for everything where no ingress routes paths (``./paraph up``, compose): the web
app serves the staff pages and forwards the gateway's own paths (the API, the client pages, health) to
the gateway, streaming both ways. In Kubernetes the Ingress does this routing and the proxy is off.

The forwarded request carries the browser's address appended to ``X-Forwarded-For``; the gateway
behind it trusts exactly one hop (``TRUSTED_PROXY_HOPS=1``), so an address the browser forged in its
own header is ignored.
"""
from __future__ import annotations

import requests

# what the gateway serves at the public root today; everything else is a web page (the web app answers
# its own /healthz; /readyz is the gateway's: ready means the API can serve)
GATEWAY_PREFIXES = ("/api/", "/q/", "/sign/", "/portal", "/readyz")
# hop-by-hop headers (RFC 9110 §7.6.1): never forwarded; bodies are passed through undecoded
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
               "transfer-encoding", "upgrade"}
_NOT_FORWARDED = _HOP_BY_HOP | {"host", "content-length", "x-forwarded-for", "x-forwarded-proto"}


def forwarded_path(path: str) -> bool:
    return any(path == p.rstrip("/") or path.startswith(p) for p in GATEWAY_PREFIXES)


class GatewayProxy:
    """WSGI middleware: gateway paths go to ``gateway_url``, the rest to the web app."""

    def __init__(self, app, gateway_url: str, timeout: float = 120.0):
        self.app = app
        self.gateway_url = gateway_url.rstrip("/")
        self.timeout = timeout
        self.http = requests.Session()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not forwarded_path(path):
            return self.app(environ, start_response)
        headers = {key[5:].replace("_", "-").title(): value for key, value in environ.items()
                   if key.startswith("HTTP_") and key[5:].replace("_", "-").lower() not in _NOT_FORWARDED}
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        forwarded = [h for h in (environ.get("HTTP_X_FORWARDED_FOR"), environ.get("REMOTE_ADDR")) if h]
        headers["X-Forwarded-For"] = ", ".join(forwarded)
        headers["X-Forwarded-Proto"] = environ.get("wsgi.url_scheme", "http")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else None
        query = environ.get("QUERY_STRING")
        url = self.gateway_url + path + (f"?{query}" if query else "")
        try:
            resp = self.http.request(environ["REQUEST_METHOD"], url, headers=headers, data=body, stream=True,
                                     allow_redirects=False, timeout=self.timeout)
        except requests.RequestException:
            start_response("502 Bad Gateway", [("Content-Type", "application/problem+json")])
            return [b'{"title": "Bad gateway", "status": 502, "code": "unavailable", '
                    b'"detail": "The API is not reachable."}']
        out = [(k, v) for k, v in resp.raw.headers.items() if k.lower() not in _HOP_BY_HOP]
        start_response(f"{resp.status_code} {resp.reason}", out)
        return resp.raw.stream(64 * 1024, decode_content=False)
