"""Placed fields of a signature request: where each signer signs, initials, ticks or types, and the
values they gave; flattened onto the pages before the PAdES seal.

Placement (at creation): explicit coordinates, anchors (every occurrence of a text in the document,
like DocuSign's anchor tabs) and text tags written in the PDF (``{{sig:1}}``, ``{{text:2:PO number}}``),
found with pypdf's text extraction and its positions. Coordinates are PDF points with the origin at the
TOP-LEFT of the page as displayed, turned by its /Rotate (like the signing page's viewer); pypdf's are
bottom-left and unrotated, converted here once (:func:`displayed_point`, :func:`overlay_placement`).
A signer left without a signature field gets one on the last page (bottom right, stacked), so the
sealed PDF always shows every signature.

Stamping (at completion): one overlay page per stamped page, rendered by weasyprint (DejaVu fonts, as
the proof and the contracts' documents), merged onto the document's page by pypdf.

:func:`locate` and :func:`stamp` are CPU work: the service calls them through ``offhub.run``; they
take and return plain data. :class:`FieldsEndpoints` is the service side (tables, checks, views).
"""
from __future__ import annotations

import base64
import html
import io
import logging
import math
import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select, update

from paraph_platform.dates import long_date

from . import logic
from .base import SigningBase
from .exceptions import InvalidInput
from .logic import iso
from .models import Participant, SignatureField

log = logging.getLogger(__name__)

TYPES = ("signature", "initials", "date_signed", "text", "checkbox", "name")
FILLED_BY_PARAPH = ("date_signed", "name")  # never asked to the signer
DEFAULT_SIZES = {"signature": (150.0, 50.0), "initials": (60.0, 30.0), "date_signed": (110.0, 14.0),
                 "name": (150.0, 14.0), "text": (150.0, 16.0), "checkbox": (12.0, 12.0)}
TAG_TYPES = {"sig": "signature", "init": "initials", "date": "date_signed", "name": "name", "check": "checkbox",
             "text": "text"}
TAG_RE = re.compile(r"\{\{(sig|init|date|name|check|text):(\d{1,2})(?::([^{}]{1,100}))?\}\}")
MAX_TEXT = 500
# a signature added for a signer without one: last page, bottom right, stacked upwards
AUTO_SIZE, AUTO_MARGIN, AUTO_GAP = (180.0, 60.0), 36.0, 8.0
# width of a character as a share of the font size, to place a tag or anchor found inside a longer run
CHAR_WIDTH = 0.5

CAPTION = {"fr": "Signé électroniquement par Paraph", "en": "Signed electronically by Paraph"}


# -- placement (pure) --------------------------------------------------------------------------------------

def page_sizes(reader) -> list[dict]:
    """Each page as a person sees it: width and height (points) of its media box once turned by its /Rotate
    (a landscape page stored portrait with /Rotate 90 is wider than high), with what maps those displayed
    coordinates back to the page's own (user space): the rotation (clockwise, 0/90/180/270), the media box's
    lower-left corner and its unrotated size."""
    out = []
    for page in reader.pages:
        box = page.mediabox
        rotation = int(page.rotation or 0) % 360
        rotation = rotation if rotation in (90, 180, 270) else 0  # a multiple of 90 (PDF 32000, 7.7.3.3)
        width, height = round(float(box.width), 2), round(float(box.height), 2)
        shown = (height, width) if rotation in (90, 270) else (width, height)
        out.append({"width": shown[0], "height": shown[1], "rotation": rotation, "left": float(box.left),
                    "bottom": float(box.bottom), "media_width": float(box.width), "media_height": float(box.height)})
    return out


def displayed_point(page_box: dict, x: float, y: float) -> tuple[float, float]:
    """A point of the page's user space (PDF points, bottom-left origin, unrotated) as a person sees it:
    from the displayed page's top-left corner."""
    width, height = page_box["media_width"], page_box["media_height"]
    # from the unrotated page's top-left corner, then turned clockwise with the page
    across, down = x - page_box["left"], height - (y - page_box["bottom"])
    return {0: (across, down), 90: (height - down, across), 180: (width - across, height - down),
            270: (down, width - across)}[page_box["rotation"]]


def overlay_placement(page_box: dict):
    """The transformation putting an overlay drawn on the displayed page (its size, upright) onto the page's
    user space, so that it shows upright where it was drawn once the viewer turns the page by its /Rotate:
    turned counterclockwise by the page's clockwise rotation, its corner moved onto the media box's matching
    one (exact matrices: no floating-point sine)."""
    from pypdf import Transformation
    left, bottom, rotation = page_box["left"], page_box["bottom"], page_box["rotation"]
    width, height = page_box["media_width"], page_box["media_height"]
    turn, corner = {0: ((1, 0, 0, 1), (left, bottom)), 90: ((0, 1, -1, 0), (left + width, bottom)),
                    180: ((-1, 0, 0, -1), (left + width, bottom + height)),
                    270: ((0, -1, 1, 0), (left, bottom + height))}[rotation]
    return Transformation((*turn, *corner))


def box_error(page: dict, x: float, y: float, width: float, height: float) -> str | None:
    if width <= 0 or height <= 0:
        return "width and height must be positive"
    if x < 0 or y < 0 or x + width > page["width"] + 0.01 or y + height > page["height"] + 0.01:
        return (f"the box ({x:g}, {y:g}, {width:g} x {height:g}) is off the page "
                f"({page['width']:g} x {page['height']:g} points)")
    return None


def auto_box(page: dict, stacked: int) -> tuple[float, float, float, float]:
    """The ``stacked``-th (0-based) automatic signature box of a page: bottom right, going up."""
    width, height = min(AUTO_SIZE[0], page["width"] - 2 * AUTO_MARGIN), AUTO_SIZE[1]
    x = max(0.0, page["width"] - AUTO_MARGIN - width)
    y = max(0.0, page["height"] - AUTO_MARGIN - (stacked + 1) * height - stacked * AUTO_GAP)
    return x, y, width, height


def text_runs(page, page_box: dict) -> list[dict]:
    """The page's text runs: text, top-left position of its first character (top-left origin) and
    font size, in points."""
    runs = []

    def visit(text, cm, tm, _font, font_size):
        if not text or not text.strip():
            return
        # text space -> user space: tm then cm (PDF 32000, 9.4.2)
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = math.hypot(tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]) or 1.0
        size = (font_size or 0) * scale or 1.0
        across, baseline = displayed_point(page_box, x, y)
        runs.append({"text": text, "x": across, "top": baseline - size, "size": size})

    page.extract_text(visitor_text=visit)
    return runs


def find_in_runs(runs: list[dict], needle: str) -> list[dict]:
    """Each occurrence of ``needle`` in the runs: its top-left corner and font size (an occurrence
    split across runs is not found)."""
    hits = []
    for run in runs:
        start = run["text"].find(needle)
        while start >= 0:
            hits.append({"x": run["x"] + start * run["size"] * CHAR_WIDTH, "top": run["top"], "size": run["size"]})
            start = run["text"].find(needle, start + len(needle))
    return hits


def find_tags(runs: list[dict]) -> list[dict]:
    hits = []
    for run in runs:
        for m in TAG_RE.finditer(run["text"]):
            hits.append({"type": TAG_TYPES[m.group(1)], "signer": int(m.group(2)),
                         "label": (m.group(3) or "").strip() or None,
                         "x": run["x"] + m.start() * run["size"] * CHAR_WIDTH, "top": run["top"]})
    return hits


def locate(document: bytes, specs: list[dict], text_tags: bool, signers: int) -> dict:
    """Place the requested fields (and the document's text tags) on the document's pages.

    Returns ``{"pages": [{width, height}], "fields": [...], "errors": {"<index>": [why]}}``; each field is
    ``{type, signer, page, x, y, width, height, required, label, source}``; fields are never placed when
    there are errors. CPU work (parses the PDF): run off the hub."""
    from pypdf import PdfReader
    reader = PdfReader(io.BytesIO(document))
    pages = page_sizes(reader)
    runs: dict[int, list] = {}

    def runs_of(n):
        if n not in runs:
            runs[n] = text_runs(reader.pages[n], pages[n])
        return runs[n]

    placed, errors = [], {}

    def place(index, spec, page_no, x, y):
        width, height = spec.get("width"), spec.get("height")
        if width is None or height is None:
            width, height = DEFAULT_SIZES[spec["type"]]
        x, y = round(x, 2), round(y, 2)
        error = box_error(pages[page_no - 1], x, y, width, height)
        if error:
            errors.setdefault(str(index), []).append(f"page {page_no}: {error}")
            return
        placed.append({"type": spec["type"], "signer": spec["signer"], "page": page_no, "x": x, "y": y,
                       "width": width, "height": height, "label": spec.get("label"), "source": spec["source"],
                       "required": False if spec["type"] in FILLED_BY_PARAPH else spec.get("required", True)})

    for index, spec in enumerate(specs):
        if not 1 <= spec["signer"] <= signers:
            errors[str(index)] = [f"signer {spec['signer']} is out of range (the request has {signers})"]
            continue
        if spec.get("anchor"):
            found = 0
            for n in range(len(pages)):
                for hit in find_in_runs(runs_of(n), spec["anchor"]):
                    found += 1
                    place(index, {**spec, "source": "anchor"}, n + 1, hit["x"] + spec.get("offset_x", 0),
                          hit["top"] + spec.get("offset_y", 0))
            if not found:
                errors[str(index)] = [f"anchor {spec['anchor']!r} was not found in the document"]
            continue
        if not 1 <= spec["page"] <= len(pages):
            errors[str(index)] = [f"page {spec['page']} is out of range (the document has {len(pages)})"]
            continue
        place(index, {**spec, "source": "coordinates"}, spec["page"], spec["x"], spec["y"])
    if text_tags:
        for n in range(len(pages)):
            for tag in find_tags(runs_of(n)):
                if not 1 <= tag["signer"] <= signers:
                    continue  # a tag for a signer this request does not have (generic templates)
                width, height = DEFAULT_SIZES[tag["type"]]
                page = pages[n]
                # a tag near an edge: the field slides back onto the page
                x = min(max(0.0, tag["x"]), page["width"] - width)
                y = min(max(0.0, tag["top"]), page["height"] - height)
                # a tagged checkbox is optional (ticking it is the signer's choice); other tags are required
                place(f"tag:{n + 1}", {**tag, "source": "tag", "required": tag["type"] != "checkbox"}, n + 1, x, y)
    if not errors:
        have = {f["signer"] for f in placed if f["type"] == "signature"}
        last = pages[-1]
        for stacked, signer in enumerate(s for s in range(1, signers + 1) if s not in have):
            x, y, width, height = auto_box(last, stacked)
            placed.append({"type": "signature", "signer": signer, "page": len(pages), "x": round(x, 2),
                           "y": round(y, 2), "width": width, "height": height, "label": None, "source": "auto",
                           "required": False})
    return {"pages": [{"width": p["width"], "height": p["height"]} for p in pages], "fields": placed,
            "errors": errors}


# -- values (pure) --------------------------------------------------------------------------------------------

def check_time_zone(name: str | None) -> None:
    """The zone a signer's device sends must be one the zone database knows (422 otherwise): dates are
    then written in it (logic.time_zone would silently take the default zone)."""
    if not name:
        return
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("Unknown time zone.", {"fields": {"time_zone": [f"{name!r} is not an IANA time zone"]}}) \
            from None


def check_values(fields: list[dict], values: dict) -> tuple[dict, dict]:
    """The values a signer gives for their fields (``fields``: id, type, required): ``(values, errors)``.
    Signature fields take the act's drawn image or typed name, else the signer's name is written in a
    handwriting style (the act itself is the consent and the one-time code, as before fields existed, so an
    integration that signs without drawing keeps working); dates and names are Paraph's."""
    mine = {f["id"]: f for f in fields}
    out, errors = {}, {}
    for fid, value in values.items():
        f = mine.get(fid)
        if f is None:
            errors[fid] = ["not one of your fields"]
        elif f["type"] in FILLED_BY_PARAPH or f["type"] == "signature":
            errors[fid] = ["filled by Paraph" if f["type"] in FILLED_BY_PARAPH else
                           "a signature takes signature_image or typed_name"]
        elif f["type"] == "text":
            if value is not None and not isinstance(value, str):
                errors[fid] = ["a string"]
            elif value and len(value) > MAX_TEXT:
                errors[fid] = [f"at most {MAX_TEXT} characters"]
            elif value and value.strip():
                out[fid] = value.strip()
        elif f["type"] == "checkbox":
            if not isinstance(value, bool):
                errors[fid] = ["true or false"]
            else:
                out[fid] = value
        elif f["type"] == "initials":
            if value in (None, {}):
                continue
            if not isinstance(value, dict) or set(value) - {"typed", "image"} or len(value) != 1:
                errors[fid] = ['{"typed": "JD"} or {"image": "data:image/png;base64,..."}']
            elif "typed" in value:
                if not isinstance(value["typed"], str) or not 0 < len(value["typed"].strip()) <= 10:
                    errors[fid] = ["typed initials: 1 to 10 characters"]
                else:
                    out[fid] = {"typed": value["typed"].strip()}
            else:
                out[fid] = {"image": value["image"]}
    for fid, f in mine.items():
        if fid in errors or not f["required"] or f["type"] in FILLED_BY_PARAPH or f["type"] == "signature":
            continue
        if fid not in out or (f["type"] == "checkbox" and out[fid] is not True):
            errors[fid] = ["required"]
    return out, errors


def when_text(at: str | None, zone_name: str | None, locale: str, *, with_time: bool = True,
              country: str | None = None) -> str:
    """When a signer signed, as the proof of signature writes it (their zone, else the default one), or
    only the day for a date field: the proof's day too ("3 décembre 2026", "3 December 2026"), so the date on
    the page and the one on the proof read alike (an ISO "2026-12-03" read as no language writes a date)."""
    if not at:
        return ""
    if with_time:
        return logic.format_time(at, locale, zone_name, country)
    return long_date(datetime.fromisoformat(at).astimezone(logic.time_zone(zone_name)), locale, country)


# -- stamping (pure, CPU work) ---------------------------------------------------------------------------------

_CSS = """
body { margin: 0; font-family: "DejaVu Sans", sans-serif; color: #10244a; }
.sheet { position: relative; overflow: hidden; break-after: page; }
.field { position: absolute; overflow: hidden; box-sizing: border-box; }
.sig .mark { display: flex; align-items: center; justify-content: center; overflow: hidden; }
.sig .mark img, .initials img { width: 100%; height: 100%; object-fit: contain; }
.hand { font-family: "DejaVu Serif", serif; font-style: italic; white-space: nowrap; color: #0b2a6f; }
.caption { line-height: 1.15; color: #333; border-top: 0.4pt solid #7b8794; white-space: nowrap; }
.text { white-space: nowrap; line-height: 1.1; }
.initials { display: flex; align-items: center; justify-content: center; }
.tick { text-align: center; font-weight: bold; line-height: 1; }
"""


def _pt(v: float) -> str:
    return f"{v:.2f}pt"


def _fit(text: str, width: float, height: float, share: float = 0.8) -> float:
    """A font size showing ``text`` on one line within the box."""
    return max(3.0, min(height * share, width / max(1, len(text)) / 0.55))


def _img(data: bytes) -> str:
    return f'<img src="data:image/png;base64,{base64.b64encode(data).decode()}">'


def field_html(f: dict, locale: str, country: str | None = None) -> str:
    """One stamped field: ``f`` has the box, the type and the value to draw (see :meth:`FieldsEndpoints._stamp_items`)."""
    box = f"left:{_pt(f['x'])};top:{_pt(f['y'])};width:{_pt(f['width'])};height:{_pt(f['height'])}"
    esc = html.escape
    kind, value = f["type"], f.get("value")
    if kind == "signature":
        lines = [f["signer_name"], when_text(f.get("signed_at"), f.get("time_zone"), locale, country=country),
                 CAPTION[locale]]
        caption_size = max(3.5, min(7.0, f["height"] * 0.11, min(_fit(x, f["width"], 99, 1) for x in lines if x)))
        mark_h = max(4.0, f["height"] - 3 * caption_size * 1.15 - 1)
        if f.get("image"):
            mark = _img(f["image"])
        else:
            typed = value.get("typed_name") or f["signer_name"]
            mark = f'<span class="hand" style="font-size:{_pt(_fit(typed, f["width"], mark_h))}">{esc(typed)}</span>'
        caption = "<br>".join(esc(x) for x in lines if x)
        return (f'<div class="field sig" style="{box}"><div class="mark" style="height:{_pt(mark_h)}">{mark}</div>'
                f'<div class="caption" style="font-size:{_pt(caption_size)}">{caption}</div></div>')
    if kind == "initials":
        if f.get("image"):
            return f'<div class="field initials" style="{box}">{_img(f["image"])}</div>'
        typed = (value or {}).get("typed", "")
        size = _fit(typed, f["width"], f["height"])
        return (f'<div class="field initials" style="{box}"><span class="hand" style="font-size:{_pt(size)}">'
                f'{esc(typed)}</span></div>')
    if kind == "checkbox":
        if value is not True:
            return ""
        return f'<div class="field tick" style="{box};font-size:{_pt(f["height"])}">&#10003;</div>'
    if kind == "date_signed":
        text = when_text(f.get("signed_at"), f.get("time_zone"), locale, with_time=False, country=country)
    elif kind == "name":
        text = f["signer_name"]
    else:
        text = value or ""
    if not text:
        return ""
    return (f'<div class="field text" style="{box};font-size:{_pt(_fit(text, f["width"], f["height"]))}">'
            f'{esc(text)}</div>')


def overlay_html(pages: dict[int, dict], by_page: dict[int, list], locale: str, country: str | None = None) -> str:
    """One sheet per stamped page (each its own @page size), fields absolutely placed in points."""
    css, sheets = [], []
    for n in sorted(by_page):
        size = pages[n]
        css.append(f"@page p{n} {{ size: {_pt(size['width'])} {_pt(size['height'])}; margin: 0 }}")
        body = "".join(field_html(f, locale, country) for f in by_page[n])
        sheets.append(f'<div class="sheet" style="page:p{n};width:{_pt(size["width"])};'
                      f'height:{_pt(size["height"])}">{body}</div>')
    return f"<html><head><style>{''.join(css)}</style></head><body>{''.join(sheets)}</body></html>"


def stamp(document: bytes, items: list[dict], locale: str, country: str | None = None) -> bytes:
    """Flatten the fields' values onto the document's pages (before the PAdES seal). CPU work: run
    off the hub."""
    from pypdf import PdfReader, PdfWriter

    from paraph_platform import pdf_sandbox
    if not items:
        return document
    locale = locale if locale in CAPTION else "fr"
    reader = PdfReader(io.BytesIO(document))
    pages = {n + 1: p for n, p in enumerate(page_sizes(reader))}
    by_page: dict[int, list] = {}
    for f in items:
        by_page.setdefault(f["page"], []).append(f)
    overlay = PdfReader(io.BytesIO(pdf_sandbox.render_pdf(overlay_html(pages, by_page, locale, country), [_CSS])))
    # an incremental update: the document everybody saw stays, byte for byte, the start of the sealed file
    writer = PdfWriter(io.BytesIO(document), incremental=True)
    for sheet, n in enumerate(sorted(by_page)):
        # the overlay is drawn upright on the page as displayed (fields are in displayed coordinates)
        writer.pages[n - 1].merge_transformed_page(overlay.pages[sheet], overlay_placement(pages[n]))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# -- the service side ---------------------------------------------------------------------------------------------

def field_view(f: SignatureField) -> dict:
    return {"id": f.id, "type": f.type, "participant_id": f.participant_id, "page": f.page, "x": f.x, "y": f.y,
            "width": f.width, "height": f.height, "required": f.required, "label": f.label,
            "filled": f.filled_at is not None, "asked": f.type not in FILLED_BY_PARAPH}


class FieldsEndpoints(SigningBase):
    """Placing a request's fields, taking a signer's values, stamping them before the seal."""

    def _place_fields(self, document: bytes, specs: list[dict], text_tags: bool, signers: int) -> dict:
        """Where the request's fields go (422 naming each bad field); run before the request is stored."""
        from paraph_platform import offhub
        try:
            result = offhub.run(locate, document, specs, text_tags, signers)
        except offhub.OffHubFailure:
            raise  # the worker died: the call fails and is retried, never stored without its fields
        except Exception:  # noqa: BLE001 - pypdf on a PDF it cannot read: no fields can be placed
            log.warning("fields cannot be placed on a document pypdf cannot read", exc_info=True)
            if specs:
                raise InvalidInput("Fields cannot be placed on this document (its text cannot be read).",
                                   {"fields": {"fields": ["the PDF could not be read"]}}) from None
            return {"pages": [], "fields": []}
        if result["errors"]:
            raise InvalidInput("Some fields cannot be placed on the document.", {"fields": {"fields": result["errors"]}})
        return result

    @staticmethod
    def _store_fields(s, r, placed: list[dict], signers: list[Participant]):
        for n, f in enumerate(placed):
            s.add(SignatureField(request_id=r.id, participant_id=signers[f["signer"] - 1].id, position=n,
                                 type=f["type"], page=f["page"], x=f["x"], y=f["y"], width=f["width"],
                                 height=f["height"], required=f["required"], label=f["label"], source=f["source"]))

    @staticmethod
    def _fields(s, request_id: str, participant_id: str | None = None) -> list[SignatureField]:
        return SigningBase._participant_items(s, SignatureField, request_id, participant_id)

    @staticmethod
    def _hand_over_fields(s, from_participant_id: str, to_participant_id: str):
        """A reassigned signer's fields become their replacement's."""
        s.execute(update(SignatureField).where(SignatureField.participant_id == from_participant_id)
                  .values(participant_id=to_participant_id))

    def _fill_fields(self, s, p: Participant, data: dict, image: bytes | None, now: datetime, *,
                     in_person: bool = False):
        """Check and keep a signer's values (422 listing missing or bad ones; nothing kept then). Signed
        in person (offline sync), only what Paraph fills is: the tablet asks for no field values."""
        mine = self._fields(s, p.request_id, p.id)
        tz = data.get("time_zone")
        check_time_zone(tz)
        values, errors = ({}, {}) if in_person else check_values(
            [{"id": f.id, "type": f.type, "required": f.required} for f in mine], data.get("fields") or {})
        images = {}
        for fid, v in values.items():
            if isinstance(v, dict) and "image" in v:
                try:
                    images[fid] = logic.decode_signature_image(v["image"])
                    logic.check_png(images[fid])
                except InvalidInput:
                    errors[fid] = ["a PNG image (base64 or data: URL)"]
        if errors:
            raise InvalidInput("Some fields are missing or invalid.", {"fields": {"fields": errors}})
        for f in mine:
            if f.type == "signature":
                f.value, f.value_image = {"typed_name": data.get("typed_name") or None, "time_zone": tz}, image
            elif f.type in FILLED_BY_PARAPH:
                f.value = {"time_zone": tz}
            elif f.id in images:
                f.value, f.value_image = {"time_zone": tz}, images[f.id]
            elif f.id in values:
                f.value = {"value": values[f.id], "time_zone": tz}
            else:
                continue
            f.filled_at = now

    def _stamp_items(self, s, r) -> list[dict]:
        """What :func:`stamp` draws: each filled field with its value, signer and time of signature."""
        people = {p.id: p for p in s.execute(select(Participant).where(Participant.request_id == r.id)).scalars()}
        items = []
        for f in self._fields(s, r.id):
            if f.filled_at is None:
                continue
            p = people[f.participant_id]
            value = dict(f.value or {})
            items.append({"type": f.type, "page": f.page, "x": f.x, "y": f.y, "width": f.width, "height": f.height,
                          "signer_name": p.name, "signed_at": iso(p.acted_at or f.filled_at),
                          "time_zone": value.get("time_zone"), "image": f.value_image,
                          "value": value if f.type == "signature" else value.get("value")})
        return items

    @staticmethod
    def _stamped(document: bytes, items: list[dict], locale: str, country: str | None = None) -> bytes:
        """The document with the filled fields (:meth:`_stamp_items`) flattened onto it: what the seal covers."""
        from paraph_platform import offhub
        return offhub.run(stamp, document, items, locale, country) if items else document
