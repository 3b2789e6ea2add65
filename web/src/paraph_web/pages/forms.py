"""Helpers shared by pages: read a posted form, render a form page again with the API's field errors, post a form
carrying a document (its refusals said next to the inputs), say an action's refusal on the page the user goes
back to, offer a form's chosen item even when the page's list does not have it."""
from __future__ import annotations

import base64
import functools
import re
from decimal import Decimal, InvalidOperation

from flask import flash, redirect, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from .. import api
from ..api import ApiError
from ..i18n import page_language
from ..api_messages import translate


# "1,250" or "12,500.00": commas between groups of three digits, as an English speaker writes thousands (a first
# group of 0 is not one: "0,125" is a decimal comma)
ENGLISH_THOUSANDS = re.compile(r"-?[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]*)?")


def typed_number(value: str) -> str:
    """A number as typed in French or English ("1 234,50", "1,234.50") as the API reads it ("1234.50"). On an
    English page commas between groups of three digits separate thousands ("1,250" is 1250: read as a decimal
    comma, a price became 1.25); any other comma is a decimal one, on a French page always ("1,250" is 1.25)."""
    text = re.sub(r"[\s\u00a0\u202f]", "", value)
    if ENGLISH_THOUSANDS.fullmatch(text) and page_language() == "en":
        return text.replace(",", "")
    return text.replace(",", ".")


def errors_on_page(errors: dict, list_name: str, positions: list[int]) -> dict:
    """The API's errors of the rows it was sent (``<list_name>.<k>.<field>``: the k-th row sent) renamed after the
    rows' positions on the page (blank rows are not sent: ``positions[k]`` is the k-th sent row's); the other
    errors as they are."""
    out = {}
    for key, message in errors.items():
        parts = key.split(".")
        if len(parts) > 2 and parts[0] == list_name and parts[1].isdigit() and int(parts[1]) < len(positions):
            key = ".".join([list_name, str(positions[int(parts[1])]), *parts[2:]])
        out[key] = message
    return out


WHOLE_NUMBER = re.compile(r"-?[0-9]{1,9}")


def whole_number(raw) -> int | str:
    """A whole number typed in a form (``-3``, ``12``) as an int; anything else (``²`` or ``٣``, which
    ``str.isdigit`` takes for digits, ``1e3``, thousands of digits that ``int`` refuses) as typed, stripped, for
    the API to refuse it with a 422 that the form shows next to its field: never a 500."""
    text = str(raw if raw is not None else "").strip()
    return int(text) if WHOLE_NUMBER.fullmatch(text) else text


CENT = Decimal("0.01")


def as_typed(value, money: bool = False, grouped: bool = False) -> str:
    """A saved number (the API's decimal string) as the user would type it, for a form's input to show it:
    "1.000" is 1, "5.50" is 5,5 in French; ``typed_number`` reads it back. An amount of ``money`` keeps its
    cents: "5.50" is 5,50 (and "12000.00" still 12000). ``grouped``: in French, its thousands apart as the
    page writes them ("10 000,50", narrow no-break spaces ``typed_number`` drops); in English as typed."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(str(value)).normalize()
    except InvalidOperation:
        return str(value)
    if money and number.as_tuple().exponent == -1:
        number = number.quantize(CENT)
    text = f"{number:f}"  # 9000.00 -> 9000 (normalize alone would give 9E+3)
    if not (get_locale() and get_locale().language == "fr"):
        return text
    parts = re.fullmatch(r"(-?)(\d+)(\.\d+)?", text) if grouped else None  # not "NaN"
    if parts:
        sign, whole, cents = parts.groups()
        text = sign + re.sub(r"\B(?=(\d{3})+$)", "\u202f", whole) + (cents or "")
    return text.replace(".", ",")


def with_chosen(items: list[dict], chosen_id: str | None, path: str) -> dict | None:
    """The chosen item among a choice's ``items``; when they do not have it (beyond their first page, archived)
    it is read at ``path`` and offered first, so that the form shows it and keeps it. None when none is chosen
    or it is gone (404)."""
    if not chosen_id:
        return None
    chosen = next((item for item in items if item["id"] == chosen_id), None)
    if chosen is None:
        try:
            chosen = api.get(path)
        except ApiError as exc:
            if exc.status != 404:
                raise
            return None
        items.insert(0, chosen)
    return chosen


ROWS_ASKED = re.compile(r"[0-9]{1,2}")


def rows_shown(values, prefix: str, count: int, suffixes: tuple[str, ...]) -> int:
    """How many of a form's ``count`` rows of people (inputs ``<prefix>-<row>-<suffix>``) the page shows, the others
    hidden until "Add" shows them: one, or more when the URL asks for them (``?<prefix>=3``: that button's link,
    without JavaScript), or up to the last row filled in (a form drawn again keeps what was typed); ``count`` at
    most. Anything else in the URL is ignored."""
    asked = request.args.get(prefix, "")
    filled = [row + 1 for row in range(count)
              if any(str(values.get(f"{prefix}-{row}-{suffix}") or "").strip() for suffix in suffixes)]
    return min(count, max(1, int(asked) if ROWS_ASKED.fullmatch(asked) else 1, *filled))


def form_values(*names: str) -> dict:
    return {name: request.form.get(name, "").strip() for name in names}


def render_with_errors(template: str, exc: ApiError, status: int = 422, **context):
    """The form again with each API error next to its field (``errors``) and the problem's detail on top (in the
    page's language when it is a known API message: the API answers in English)."""
    errors = exc.field_errors
    return render_template(template, errors=errors, message=None if errors else translate(exc.detail),
                           values=request.form, **context), status


def uploaded_document(upload, content: bytes) -> dict:
    """A PDF posted by a multipart form, as the API takes it in JSON (``document``: its name and base64 content)."""
    return {"filename": upload.filename or "document.pdf", "content_base64": base64.b64encode(content).decode()}


def filled_in(*names: str) -> dict:
    """The posted fields among ``names`` that are filled in, stripped: an optional field left empty is not sent."""
    return {name: request.form[name].strip() for name in names if request.form.get(name, "").strip()}


def field_said(field: str, error: str) -> str:
    """A field's error said above a form ("Signataire 2, tour : entre 1 et 100."): after the colon its first letter
    in lowercase, as French and English write, unless its first word is an acronym ("PDF")."""
    first_word = error.split(" ", 1)[0]
    if first_word[1:] == first_word[1:].lower():
        error = error[:1].lower() + error[1:]
    return _("%(field)s: %(error)s", field=field, error=error)


def beside_or_above(field_errors: dict[str, str], input_for) -> tuple[dict[str, str], list[str]]:
    """The API's field errors split into those said next to an input of the form (by the input's name, which
    ``input_for(field)`` gives) and sentences for above the form (a field the form has no input for)."""
    beside, above = {}, []
    for field, text in field_errors.items():
        name = input_for(field)
        if name:
            beside[name] = text
        else:
            above.append(field_said(field, text))
    return beside, above


def post_upload(path: str, body: dict, form_errors, render, input_for, done: str, next_url):
    """POSTs a form carrying a document (``body``) to the API's ``path``. Sent: ``done`` is said and the user goes
    to ``next_url(created)``. Refused with a status of ``form_errors`` or 413 (any other is raised): the form
    again, drawn by ``render(values, errors, message, status)``, a 413 (the whole request too large) said next to
    the file input, otherwise the problem's field errors next to their inputs (``input_for``: see
    ``beside_or_above``) or above the form, or its detail when it names no field."""
    try:
        created = api.post(path, body)
    except ApiError as exc:
        if exc.status not in (*form_errors, 413):
            raise
        if exc.status == 413:
            return render(values=request.form, errors={"document": _("The file is too large.")}, status=422)
        beside, above = beside_or_above(exc.field_errors, input_for)
        return render(values=request.form, errors=beside, message=" ".join(above) or (None if beside else exc.detail),
                      status=422)
    flash(done, "success")
    return redirect(next_url(created))


# what the API answers when an action cannot be done as asked: not allowed, gone, changed meanwhile, invalid
REFUSALS = (403, 404, 409, 422)


def refusal_said(back):
    """Decorates an action button's POST view (``back`` takes the view's arguments and gives the redirect): when
    the API refuses the action (a second click, someone else acted first), the user goes back with the reason
    said on the page (in the page's language when it is a known API message) instead of landing on an error
    page."""
    def decorate(view):
        @functools.wraps(view)
        def action(**kwargs):
            try:
                return view(**kwargs)
            except ApiError as exc:
                if exc.status not in REFUSALS:
                    raise
                flash(translate(exc.detail), "err")
                return back(**kwargs)
        return action
    return decorate


def confirmed_name() -> str:
    """The name of the object a form asked once about (``ui.confirm``'s ``name``, posted with it): the message once
    done names the object, as the question did."""
    return request.form.get("name", "").strip()
