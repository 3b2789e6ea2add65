"""The HTML-to-PDF sandbox: only data: URLs and registered assets are ever fetched; anything else fails
the render (never fetched, never embedded), and templates' URLs can be listed before they are saved."""
import base64
import io

import pytest
from pypdf import PdfReader

from paraph_platform import pdf_sandbox as sb

# a 1x1 PNG
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def _images(pdf: bytes) -> list:
    return [image for page in PdfReader(io.BytesIO(pdf)).pages for image in page.images]


ATTACKS = [
    '<img src="{url}">',
    '<link rel="attachment" href="{url}">',
    '<a rel="attachment" href="{url}">x</a>',
    '<link rel="stylesheet" href="{url}">',
    '<object data="{url}"></object>',
    '<style>body {{ background: url("{url}") }}</style><p>x</p>',
    '<style>@import "{url}";</style><p>x</p>',
    '<style>@font-face {{ font-family: X; src: url({url}) }} p {{ font-family: X }}</style><p>x</p>',
    '<p style="background-image: url({url})">x</p>',
    '<svg width="10" height="10"><image href="{url}" width="10" height="10"/></svg>',
    '<img src="data:image/svg+xml;base64,{svg}">',
]


@pytest.mark.parametrize("markup", ATTACKS)
@pytest.mark.parametrize("url", ["file:///etc/hostname", "https://example.com/x.png", "ftp://127.0.0.1/x",
                                 "relative.png"])
def test_every_way_to_fetch_a_url_is_refused_at_render(markup, url):
    svg = base64.b64encode(f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
                           f'width="5" height="5"><image xlink:href="{url}" width="5" height="5"/></svg>'
                           .encode()).decode()
    html = markup.format(url=url, svg=svg)
    with pytest.raises(sb.FetchRefused) as refused:
        sb.render_pdf(html)
    assert refused.value.urls == [url]
    if "{svg}" not in markup:
        assert url in sb.forbidden_urls(sb.fetched_urls(html))


def test_a_local_server_and_its_redirect_are_never_contacted(http_trap):
    for markup in ('<img src="{}/a.png">', '<link rel="attachment" href="{}/env">', '<style>@import "{}/x.css";</style>'):
        with pytest.raises(sb.FetchRefused):
            sb.render_pdf(markup.format(http_trap.url))
    assert http_trap.hits == []


def test_base_href_cannot_point_relative_urls_at_the_filesystem():
    html = '<base href="file:///etc/"><img src="hostname">'
    assert sb.forbidden_urls(sb.fetched_urls(html)) == ["file:///etc/", "hostname"]
    with pytest.raises(sb.FetchRefused) as refused:
        sb.render_pdf(html)
    assert refused.value.urls == ["file:///etc/hostname"]


def test_data_urls_and_registered_assets_render():
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    pdf = sb.render_pdf(f'<img src="{data_url}"><img src="{sb.asset_url("logo")}">', ["p { color: red }"],
                        {"logo": sb.Asset(PNG, "image/png")})
    assert len(_images(pdf)) == 2


def test_an_unregistered_asset_is_refused():
    with pytest.raises(sb.FetchRefused) as refused:
        sb.render_pdf(f'<img src="{sb.asset_url("someone-elses")}">', assets={"logo": sb.Asset(PNG, "image/png")})
    assert refused.value.urls == ["paraph-asset:someone-elses"]


def test_listing_finds_urls_in_every_place_and_skips_links_and_template_syntax():
    html = """<html><head><base href="file:///b/"><link rel=icon href="http://h/i">
    <style>@import url(https://h/s.css); @media print { p { background: u\\72 l(file:///escaped) } }
    @namespace svg url(http://www.w3.org/2000/svg);</style></head>
    <body background="file:///bg"><img srcset="http://h/1.png 1x, http://h/2.png 2x"><embed src="file:///e">
    <iframe src="file:///i"></iframe><video poster="file:///p"><source src="file:///v"></video>
    <svg><use xlink:href="file:///u#x"/></svg><a href="https://example.com">site</a><a href="#top">top</a>
    <img src="{{ fields.logo }}"><img src="#frag"></body></html>"""
    urls = sb.fetched_urls(html)
    assert urls == ["file:///b/", "http://h/i", "https://h/s.css", "file:///escaped", "file:///bg", "http://h/1.png",
                    "http://h/2.png", "file:///e", "file:///i", "file:///p", "file:///v", "file:///u#x", "#frag"]
    assert sb.forbidden_urls(urls) == urls[:-1]
    assert sb.forbidden_urls(["data:text/plain,x", "paraph-asset:a", " paraph-asset:b"], {"a", "b"}) == []
    assert sb.asset_names(["paraph-asset:a", "data:x", "http://paraph-asset:b"]) == {"a"}
