"""Placed fields: placement math (coordinates, anchors, text tags, automatic signatures), the values a
signer gives, and the stamping of values onto the pages."""
import base64
import io

import pytest
from pypdf import PdfReader

from paraph_platform import pdf_sandbox
from signing_service import fields as F
from signing_service import testing as esign
from signing_service.exceptions import InvalidInput

A4 = {"width": 595.28, "height": 841.89, "left": 0.0, "bottom": 0.0}
HTML = """<html><head><style>@page { size: A4; margin: 20mm } body { font-family: "DejaVu Sans"; font-size: 10pt }
.tag { display: block; color: #fff; font-size: 1pt; line-height: 1pt }</style></head><body>
<p>Signature du client</p><p>Bon pour accord<span class="tag">{{ sig }}</span></p><p>{{ text }} PO</p>
<p style="break-before: page">Page two: Signature du client</p></body></html>"""


@pytest.fixture(scope="module")
def document():
    html = HTML.replace("{{ sig }}", "{{sig:1}}").replace("{{ text }}", "{{text:2:PO number}}")
    return pdf_sandbox.render_pdf(html, [])


def spec(**kw):
    return {"type": "signature", "signer": 1, "required": True, "label": None, "offset_x": 0.0, "offset_y": 0.0, **kw}


def test_box_must_lie_on_the_page():
    assert F.box_error(A4, 56, 700, 180, 50) is None
    assert "off the page" in F.box_error(A4, 500, 10, 180, 50)
    assert "off the page" in F.box_error(A4, 10, 800, 180, 50)


def test_automatic_boxes_stack_upwards_from_the_bottom_right():
    first, second = F.auto_box(A4, 0), F.auto_box(A4, 1)
    assert first == (595.28 - 36 - 180, 841.89 - 36 - 60, 180, 60)
    assert second[1] == first[1] - 60 - 8 and second[0] == first[0]


def test_anchor_and_tag_positions_within_a_run():
    runs = [{"text": "ab {{sig:2}} Signature du client", "x": 100.0, "top": 50.0, "size": 10.0}]
    tag, = F.find_tags(runs)
    assert tag == {"type": "signature", "signer": 2, "label": None, "x": 100 + 3 * 10 * F.CHAR_WIDTH, "top": 50.0}
    hit, = F.find_in_runs(runs, "Signature du client")
    assert hit["x"] == 100 + 13 * 10 * F.CHAR_WIDTH and hit["top"] == 50.0
    label, = F.find_tags([{"text": "{{text:1:PO number}}", "x": 0, "top": 0, "size": 1}])
    assert label["type"] == "text" and label["label"] == "PO number"


def test_coordinates_anchors_tags_and_automatic_signature(document):
    out = F.locate(document, [spec(type="text", page=1, x=56, y=700, width=150, height=16),
                              spec(type="initials", signer=2, anchor="Signature du client", offset_y=14)],
                   True, 3)
    assert out["errors"] == {} and len(out["pages"]) == 2
    assert out["pages"][0] == {"width": 595.28, "height": 841.89}
    by_source = {}
    for f in out["fields"]:
        by_source.setdefault(f["source"], []).append(f)
    assert [(f["page"], f["x"], f["y"]) for f in by_source["coordinates"]] == [(1, 56, 700)]
    anchors = by_source["anchor"]
    assert [f["page"] for f in anchors] == [1, 2]  # every occurrence
    # the anchor's top-left: the 20 mm page margin and the body's 6 pt, on the first line of text
    assert abs(anchors[0]["x"] - 62.69) < 1 and 62 < anchors[0]["y"] - 14 < 80
    assert anchors[1]["x"] == anchors[0]["x"] + len("Page two: ") * 10 * F.CHAR_WIDTH  # inside its run
    tags = by_source["tag"]
    assert [(f["type"], f["signer"], f["label"]) for f in tags] == [("signature", 1, None), ("text", 2, "PO number")]
    assert (tags[0]["width"], tags[0]["height"]) == F.DEFAULT_SIZES["signature"]
    # signers 2 and 3 have no signature: stacked on the last page
    auto = by_source["auto"]
    assert [(f["signer"], f["page"]) for f in auto] == [(2, 2), (3, 2)] and auto[1]["y"] < auto[0]["y"]


def test_bad_placements_name_the_field(document):
    out = F.locate(document, [spec(page=3, x=1, y=1), spec(signer=4, page=1, x=1, y=1),
                              spec(anchor="Nowhere to be found"), spec(page=1, x=500, y=10, width=180, height=50)],
                   False, 3)
    assert set(out["errors"]) == {"0", "1", "2", "3"}
    assert "page 3 is out of range" in out["errors"]["0"][0]
    assert "signer 4" in out["errors"]["1"][0] and "not found" in out["errors"]["2"][0]
    assert "off the page" in out["errors"]["3"][0]


def test_tags_can_be_ignored_and_tags_for_absent_signers_are(document):
    assert [f["source"] for f in F.locate(document, [], False, 1)["fields"]] == ["auto"]
    # the text tag is for signer 2: a one-signer request ignores it
    assert [f["source"] for f in F.locate(document, [], True, 1)["fields"]] == ["tag"]


def test_values_checked_and_required_fields_listed():
    mine = [{"id": "s", "type": "signature", "required": True}, {"id": "t", "type": "text", "required": True},
            {"id": "c", "type": "checkbox", "required": True}, {"id": "o", "type": "text", "required": False},
            {"id": "i", "type": "initials", "required": True}, {"id": "d", "type": "date_signed", "required": False}]
    # a signature is never missing: without a drawing or a typed name, the signer's name is written
    values, errors = F.check_values(mine, {"o": " x "})
    assert values == {"o": "x"} and errors == {k: ["required"] for k in ("t", "c", "i")}
    values, errors = F.check_values(mine, {"t": "PO-1", "c": True, "i": {"typed": "JD"}, "zz": 1, "d": "x"})
    assert values == {"t": "PO-1", "c": True, "i": {"typed": "JD"}}
    assert errors == {"zz": ["not one of your fields"], "d": ["filled by Paraph"]}
    _, errors = F.check_values(mine, {"t": "x" * 501, "c": "yes", "i": {"typed": ""}})
    assert set(errors) == {"t", "c", "i"}


def test_dates_in_the_signers_zone_and_the_requests_language():
    assert F.when_text("2026-12-02T23:30:00+00:00", "Europe/Paris", "fr") == "3 décembre 2026 à 00:30:00 (UTC+1)"
    # no zone from the device: the default zone, as the proof of signature; a date field writes the proof's day
    assert F.when_text("2026-12-02T23:30:00+00:00", None, "en", with_time=False) == "3 December 2026"
    assert F.when_text("2026-12-02T22:30:00+00:00", "America/New_York", "en", with_time=False) == "2 December 2026"
    assert F.when_text("2026-11-30T23:30:00+00:00", "Europe/Paris", "fr", with_time=False) == "1er décembre 2026"
    with pytest.raises(InvalidInput):
        F.check_time_zone("Mars/Olympus")


def test_a_us_companys_stamped_dates_read_month_first():
    """The date a signer's field stamps, as the proof writes it: month first for a company of the United States."""
    assert F.when_text("2026-12-02T23:30:00+00:00", "America/New_York", "en", with_time=False, country="US") == \
        "December 2, 2026"
    assert F.when_text("2026-12-02T23:30:00+00:00", "America/New_York", "en", country="US") == \
        "December 2, 2026 at 6:30:00 PM (UTC-5)"
    assert F.when_text("2026-12-02T23:30:00+00:00", "Europe/London", "en", with_time=False, country="GB") == \
        "2 December 2026"
    date_field = {"type": "date_signed", "signed_at": "2026-12-02T23:30:00+00:00", "time_zone": "Europe/Paris",
                  "x": 56, "y": 740, "width": 110, "height": 14, "page": 1, "value": None, "image": None,
                  "signer_name": "Paul"}
    assert "December 3, 2026" in F.field_html(date_field, "en", "US")
    assert "3 December 2026" in F.field_html(date_field, "en", "GB")


def test_stamp_is_an_incremental_update_showing_the_values(document):
    png = base64.b64decode(esign.signature_png().split(",", 1)[1])
    items = [{"type": "signature", "page": 2, "x": 300, "y": 700, "width": 180, "height": 60,
              "signer_name": "Jeanne Dupont", "signed_at": "2026-12-02T14:00:00+00:00", "time_zone": "Europe/Paris",
              "image": png, "value": {"typed_name": None}},
             {"type": "text", "page": 1, "x": 56, "y": 700, "width": 150, "height": 16, "signer_name": "Paul",
              "signed_at": None, "time_zone": None, "image": None, "value": "PO-4242"},
             {"type": "date_signed", "page": 1, "x": 56, "y": 740, "width": 110, "height": 14,
              "signer_name": "Paul", "signed_at": "2026-12-02T23:30:00+00:00", "time_zone": "Europe/Paris",
              "image": None, "value": None}]
    out = F.stamp(document, items, "en")
    assert out.startswith(document)
    pages = PdfReader(io.BytesIO(out)).pages
    assert "PO-4242" in pages[0].extract_text() and "Jeanne Dupont" not in pages[0].extract_text()
    # the date field: the signer's day, as the proof writes it (never ISO)
    assert "3 December 2026" in pages[0].extract_text() and "2026-12-03" not in pages[0].extract_text()
    text = pages[1].extract_text()
    assert "Jeanne Dupont" in text and "Signed electronically by Paraph" in text and "(UTC+1)" in text


# -- rotated pages: coordinates are the page as displayed ------------------------------------------------------

SCALE = 2  # pixels per point when rendering a page
A4_SIZE = (595.28, 841.89)


def _blank_pdf(width: float, height: float, rotation: int = 0) -> bytes:
    from pypdf import PdfWriter
    writer = PdfWriter()
    page = writer.add_blank_page(width, height)
    if rotation:
        page.rotate(rotation)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _render(pdf: bytes):
    """The first page as displayed (pdfium applies /Rotate), greyscale, SCALE pixels per point."""
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(pdf)
    try:
        return doc[0].render(scale=SCALE).to_pil().convert("L")
    finally:
        doc.close()


def _ink(image, box: dict | None = None, margin: float = 0) -> int:
    """Dark pixels within the box (points, grown by the margin; the whole image without one)."""
    if box is not None:
        image = image.crop((int((box["x"] - margin) * SCALE), int((box["y"] - margin) * SCALE),
                            int((box["x"] + box["width"] + margin) * SCALE),
                            int((box["y"] + box["height"] + margin) * SCALE)))
    return sum(1 for value in image.getdata() if value < 200)


@pytest.mark.parametrize("rotation", [90, 270])
def test_a_field_on_a_rotated_page_is_stamped_upright_where_it_is_seen(rotation):
    # an A4 page stored portrait and turned by /Rotate: a person sees (and places fields on) a landscape page
    rotated = _blank_pdf(*A4_SIZE, rotation=rotation)
    landscape = _blank_pdf(*reversed(A4_SIZE))
    box = {"x": 600.0, "y": 60.0, "width": 180.0, "height": 60.0}  # beyond a portrait page's width
    placed = F.locate(rotated, [spec(page=1, **box)], False, 1)
    assert placed["errors"] == {} and placed["pages"] == [{"width": 841.89, "height": 595.28}]
    assert {k: placed["fields"][0][k] for k in box} == box
    assert "off the page" in F.locate(rotated, [spec(page=1, x=600, y=560, width=180, height=60)], False, 1)[
        "errors"]["0"][0]

    item = {"type": "signature", "page": 1, **box, "signer_name": "Jeanne Dupont", "signed_at": "2026-12-02T14:00:00Z",
            "time_zone": "Europe/Paris", "image": None, "value": {"typed_name": None}}
    stamped = F.stamp(rotated, [item], "en")
    assert stamped.startswith(rotated)
    image = _render(stamped)
    assert image.size == (round(841.89 * SCALE), round(595.28 * SCALE))
    inside = _ink(image, box)
    # ink in the box, none elsewhere (2 points around it for anti-aliasing)
    assert inside > 200 and _ink(image) == _ink(image, box, margin=2)
    # upright: the very picture of the same field stamped on a page stored landscape
    from PIL import ImageChops
    reference = _render(F.stamp(landscape, [item], "en"))
    assert _ink(ImageChops.difference(image, reference).point(lambda v: 0 if v > 64 else 255)) < inside / 50



@pytest.mark.parametrize("rotation", [90, 270])
def test_a_text_tag_on_a_rotated_page_is_found_where_it_is_seen(rotation):
    from pypdf import PdfWriter
    landscape = pdf_sandbox.render_pdf(
        "<html><head><style>@page { size: A4 landscape; margin: 20mm } body { font-family: 'DejaVu Sans' }"
        "</style></head><body><p>Intro</p><p style='margin-left: 300pt'>Signed: {{sig:1}}</p></body></html>", [])
    # the same picture, stored portrait and turned by /Rotate (as scanners and some generators write landscape)
    writer = PdfWriter()
    page = writer.add_blank_page(*A4_SIZE)
    page.rotate(rotation)
    page.merge_transformed_page(PdfReader(io.BytesIO(landscape)).pages[0], F.overlay_placement(
        {"left": 0.0, "bottom": 0.0, "rotation": rotation, "media_width": A4_SIZE[0], "media_height": A4_SIZE[1]}))
    out = io.BytesIO()
    writer.write(out)
    expected, found = F.locate(landscape, [], True, 1), F.locate(out.getvalue(), [], True, 1)
    assert found["pages"] == expected["pages"] == [{"width": 841.89, "height": 595.28}]
    [tag] = found["fields"]
    assert tag["source"] == "tag" and tag["x"] > 300 and tag == expected["fields"][0]
