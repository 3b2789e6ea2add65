"""Sandboxed HTML-to-PDF rendering: weasyprint may fetch nothing but ``data:`` URLs and the assets the caller
hands over (``paraph-asset:<name>`` URLs, resolved from an in-memory mapping).

Templates are written by tenants' users, so a default weasyprint render is a file read and SSRF primitive
(``<link rel=attachment href=file:///proc/self/environ>``, ``<img src=http://127.0.0.1:...>``, CSS ``url()``,
``@import``...). Two layers:

* at save time, :func:`fetched_urls` lists every URL a piece of HTML would make weasyprint fetch and
  :func:`forbidden_urls` says which of them are refused, so the author gets a 422 naming the URL;
* at render time, :func:`render_pdf` renders with :class:`SandboxedFetcher`, which never opens a URL that is
  not allowed, and fails the whole render (:class:`FetchRefused`) if anything was refused: weasyprint would
  otherwise log the failed fetch and carry on, which is not a refusal anyone sees.

:func:`render_pdf` is CPU work that callers run through :func:`paraph_platform.offhub.run`, whose worker
process ships weasyprint's and fontTools' log records to the service's handlers. Requires weasyprint (a
dependency of the services that render PDFs).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser

import tinycss2
from weasyprint import CSS, HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

ASSET_SCHEME = "paraph-asset"
ALLOWED_SCHEMES = ("data", ASSET_SCHEME)
# Relative URLs resolve against nothing on the filesystem; urljoin leaves them untouched under this
# scheme, so the fetcher sees (and refuses) them as written. A base is set so weasyprint does not log.
BASE_URL = f"{ASSET_SCHEME}:/"
_TEMPLATE_MARKERS = ("{{", "{%", "{#")
# URL parsers drop leading whitespace/control characters; anything else without a clean scheme is refused
_SCHEME = re.compile(r"^[\x00-\x20]*([a-zA-Z][a-zA-Z0-9.+-]*):")


@dataclass(frozen=True)
class Asset:
    """Bytes a render may embed, registered by the caller under a name (``paraph-asset:<name>``)."""
    content: bytes
    content_type: str


class FetchRefused(Exception):
    """A render tried to fetch URLs outside the sandbox; nothing was fetched and no PDF was produced."""

    def __init__(self, urls: Iterable[str]):
        self.urls = list(dict.fromkeys(urls))
        super().__init__("Refused to fetch: " + ", ".join(self.urls))

    def __reduce__(self):  # raised in an off-hub worker process, rebuilt from its URLs in the service
        return type(self), (self.urls,)


def asset_url(name: str) -> str:
    return f"{ASSET_SCHEME}:{name}"


def url_scheme(url: str) -> str:
    """The scheme of a URL, lowercased; "" for a relative URL."""
    match = _SCHEME.match(url)
    return match[1].lower() if match else ""


def asset_names(urls: Iterable[str]) -> set[str]:
    """The asset names referenced by ``paraph-asset:`` URLs."""
    return {url.split(":", 1)[1] for url in urls if url_scheme(url) == ASSET_SCHEME}


def forbidden_urls(urls: Iterable[str], assets: Iterable[str] = ()) -> list[str]:
    """The URLs a render would refuse: anything but ``data:``, fragments (``#id``, internal links) and
    ``paraph-asset:`` URLs naming one of ``assets``."""
    known = set(assets)
    refused = []
    for url in urls:
        scheme = url_scheme(url)
        if url.startswith("#") or scheme == "data":
            continue
        if scheme == ASSET_SCHEME and url.split(":", 1)[1] in known:
            continue
        refused.append(url)
    return list(dict.fromkeys(refused))


# -- listing the URLs of HTML and CSS ------------------------------------------------------------

# Attributes weasyprint (or a future version of it) may fetch; <a href> only with rel=attachment,
# since other links are written into the PDF, not fetched.
_URL_ATTRIBUTES = {"src", "href", "xlink:href", "data", "poster", "background", "srcset", "codebase", "longdesc"}


def _srcset_urls(value: str) -> list[str]:
    return [part.split()[0] for part in value.split(",") if part.split()]


def _css_tokens_urls(tokens) -> Iterable[str]:
    for token in tokens or ():
        kind = getattr(token, "type", None)
        if kind == "url":
            yield token.value
        elif kind == "function":
            if token.lower_name in ("url", "src"):
                strings = [t.value for t in token.arguments if t.type == "string"]
                yield from strings[:1]
            yield from _css_tokens_urls(token.arguments)
        elif kind in ("() block", "[] block", "{} block"):
            yield from _css_tokens_urls(token.content)


def css_urls(css: str, declarations: bool = False) -> list[str]:
    """Every URL a stylesheet (or a ``style=`` attribute's declarations) refers to: ``url()``, ``src()``,
    ``@import "..."``, ``@font-face`` sources, including inside nested blocks."""
    urls: list[str] = []
    if declarations:
        urls.extend(_css_tokens_urls(tinycss2.parse_component_value_list(css)))
        return urls
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule" and rule.lower_at_keyword == "namespace":
            continue  # a namespace name, never fetched
        if rule.type == "at-rule" and rule.lower_at_keyword == "import":
            urls.extend(t.value for t in rule.prelude if t.type == "string")
        urls.extend(_css_tokens_urls(getattr(rule, "prelude", None)))
        if getattr(rule, "content", None):
            urls.extend(css_urls(tinycss2.serialize(rule.content), declarations=True))
    return urls


class _UrlCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        rel = (values.get("rel") or "").lower().split()
        for name, value in attrs:
            if value is None:
                continue
            if name == "style":
                self.urls.extend(css_urls(value, declarations=True))
            elif name == "srcset":
                self.urls.extend(_srcset_urls(value))
            elif name in _URL_ATTRIBUTES:
                if name == "href" and tag in ("a", "area") and "attachment" not in rel:
                    continue
                self.urls.append(value.strip())
        self._in_style = tag == "style"

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.urls.extend(css_urls(data))


def fetched_urls(html: str) -> list[str]:
    """Every URL the HTML asks for: ``<img src>``, ``srcset``, ``<link href>`` (stylesheet, attachment...),
    ``<a rel=attachment href>``, ``<object data>``, ``<embed>``, ``<iframe>``, ``<video>``/``<audio>``/
    ``<source>``, SVG ``href``/``xlink:href``, ``<base href>``, ``style=`` and ``<style>`` ``url()``/``@import``.
    Values still holding template syntax (``{{ ... }}``) are left to the render-time check."""
    collector = _UrlCollector()
    collector.feed(html)
    collector.close()
    return list(dict.fromkeys(u for u in collector.urls if u and not any(m in u for m in _TEMPLATE_MARKERS)))


# -- rendering -----------------------------------------------------------------------------------

class SandboxedFetcher(URLFetcher):
    """Serves ``data:`` URLs and the registered assets; refuses (and records) everything else.

    ``fail_on_errors`` makes any refusal stop the render instead of being logged and skipped."""

    def __init__(self, assets: Mapping[str, Asset] | None = None):
        super().__init__(allowed_protocols=("data",), allow_redirects=False, fail_on_errors=True)
        self._assets = dict(assets or {})
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        scheme = url_scheme(url)
        if scheme == "data":  # decoded in memory by urllib's DataHandler
            try:
                return super().fetch(url, headers)
            except Exception:  # noqa: BLE001 - a malformed data: URL fails the render like a refused one
                self.refused.append(url)
                raise
        if scheme == ASSET_SCHEME:
            asset = self._assets.get(url.split(":", 1)[1])
            if asset is not None:
                return URLFetcherResponse(url, asset.content, {"Content-Type": asset.content_type})
        self.refused.append(url)
        raise FetchRefused([url])


def render_pdf(html: str, stylesheets: Iterable[str] = (), assets: Mapping[str, Asset] | None = None) -> bytes:
    """Render HTML (and trusted packaged CSS) to PDF inside the sandbox; run it through ``offhub.run``.

    Raises :class:`FetchRefused` naming every URL that was refused: no PDF is produced then."""
    fetcher = SandboxedFetcher(assets)
    try:
        pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf(
            stylesheets=[CSS(string=css, base_url=BASE_URL, url_fetcher=fetcher) for css in stylesheets])
    except FatalURLFetchingError as exc:  # a BaseException: refused URLs are reported as FetchRefused
        raise FetchRefused(fetcher.refused or [str(exc)]) from None
    if fetcher.refused:
        raise FetchRefused(fetcher.refused)
    return pdf
