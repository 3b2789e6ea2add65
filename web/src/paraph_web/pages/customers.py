"""``/customers``: the customers the salesperson's perimeters let them see (search, kind and perimeter
filters, sort, pages — all in the URL), ``/customers/new`` and the customer file ``/customers/<id>``
with its tabs (``?tab=``, no JavaScript needed): info, contacts, deals, contracts & quotes, equipment base,
portal access, perimeters, history (who changed what, staff or the customer's portal clients themselves). A
contact's portal access has its own page (grant, then show and resend); a contact is deleted from the Contacts
tab (asked once, by name); an equipment item is edited, retired (or put back in service) and deleted (asked once,
by name) from the Equipment tab, its form opened under the list by its "Edit" link (``?edit=<id>``).

The customer's language and currency are those of the quotes and contracts made for it (the contracts
service gives a new document the customer's, or the license's default when the customer has none).

Perimeters are invisible to those who cannot manage them: the perimeter filter and tab are offered to
license admins and front user managers only (the API refuses the others' ``PUT`` anyway). A customer
outside the caller's perimeters is a 404 from the API, hence the 404 page."""
from __future__ import annotations

import re
import unicodedata

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from paraph_platform import countries
from paraph_platform.actor import ADMINS, MANAGERS

from .. import api
from ..api import ApiError
from ..auth import current_user, signed_in
from ..i18n import COMMON_CURRENCIES, DOCUMENT_LANGUAGES, country, posted_country, posted_currency, sheet_moment
from .csv_export import PAGE_SIZE as CSV_PAGE_SIZE
from .csv_export import csv_download
from .deals import STAGES as DEAL_STAGES
from .forms import confirmed_name, form_values, refusal_said, typed_number
from .paging import links, position
from .settings_license import document_defaults

bp = Blueprint("customers", __name__)

PAGE_SIZE = 50
KINDS = {"company": _l("Company"), "person": _l("Person")}
SORTS = ("name", "code", "created_at")  # the API's (-key descending)
TABS = {"info": _l("Info"), "contacts": _l("Contacts"), "deals": _l("Deals"), "contracts": _l("Contracts & quotes"),
        "equipment": _l("Equipment"), "portal": _l("Portal access"), "perimeters": _l("Perimeters"),
        "history": _l("History")}
CUSTOMER_FIELDS = ("kind", "name", "code", "email", "phone", "vat_number", "registration_number", "locale", "currency",
                   "notes")
# emptied, they are cleared (null): a customer without language or currency has the license's
CLEARABLE_FIELDS = ("email", "phone", "vat_number", "registration_number", "locale", "currency")
ADDRESS_FIELDS = ("line1", "line2", "postal_code", "city", "region", "country")
DEFAULT_COUNTRY = "FR"  # a new customer's, when the company profile names no country the list knows
CONTACT_FIELDS = ("first_name", "last_name", "title", "department", "type", "email", "phone", "mobile", "fax",
                  "branch")
PHONE_FIELDS = ("phone", "mobile", "fax")  # the API checks them (an SMS can go to them): see numbers_changed
EQUIPMENT_FIELDS = ("description", "product_code", "serial_number", "quantity", "installed_on", "warranty_until")
# an item's edit: emptied, these are cleared (null); the description and quantity are required, the notes a text
CLEARABLE_EQUIPMENT_FIELDS = ("product_code", "serial_number", "installed_on", "warranty_until")
FORM_ERRORS = (400, 409, 422)  # said next to the fields or above the form; other statuses: the error pages
NO_PERIMETER = "none"  # the perimeter filter's choice of the customers in no perimeter
VIEWERS_SHOWN = 50  # "who sees this customer": a perimeter of a whole sales force is summed up after these


def _is_manager() -> bool:
    """License admins and front user managers: they manage perimeters and deactivate portal accesses."""
    return (current_user() or {}).get("role") in MANAGERS


def field_errors(exc: ApiError) -> dict:
    """The API's errors named after the form's fields: ``address.city`` is the ``city`` field and the
    first contact of a new customer (``contacts.0.email``) the ``contact_email`` one."""
    return {re.sub(r"^contacts\.0\.", "contact_", key.removeprefix("address.")): message
            for key, message in exc.field_errors.items()}


def numbers_changed(body: dict, stored: dict) -> dict:
    """An edit's body without the phone numbers left as they are stored: a number saved before the API checked
    them does not stop the other fields from being saved; changed, it is checked."""
    return {key: value for key, value in body.items()
            if key not in PHONE_FIELDS or (value or "") != (stored.get(key) or "").strip()}


def _present(body: dict) -> dict:
    """A form's filled fields: an empty optional field is left out rather than sent as ""."""
    return {key: value for key, value in body.items() if value}


# -- list ------------------------------------------------------------------------------------------

def list_filters() -> tuple[dict, str]:
    """The list's filters and sort from the URL (a perimeter only for those who manage perimeters)."""
    args = request.args
    filters = {"q": args.get("q", "").strip()[:200], "kind": args.get("kind") if args.get("kind") in KINDS else "",
               "perimeter_id": args.get("perimeter_id", "")[:64] if _is_manager() else ""}
    sort = args.get("sort", "") if args.get("sort", "").lstrip("-") in SORTS else ""
    return filters, sort


def list_query(filters: dict, sort: str) -> dict:
    """The API's query for the list's filters: the perimeter choice "none" (``?perimeter_id=none``, the customers
    in no perimeter, visible to every user, left to put in one) is the API's ``without_perimeter``."""
    query = _present({**filters, "sort": sort})
    if query.get("perimeter_id") == NO_PERIMETER:
        del query["perimeter_id"]
        query["without_perimeter"] = "true"
    return query


@bp.get("/customers")
@signed_in
def index():
    filters, sort = list_filters()
    page = api.get("/customers", limit=PAGE_SIZE, count="true", **position(), **list_query(filters, sort))
    next_url, previous_url = links(page)
    perimeters = api.get_all("/perimeters") if _is_manager() else []
    return render_template("customers/index.html", customers=page["items"], total=page["total"], filters=filters,
                           sort=sort, kinds=KINDS, perimeters=perimeters, no_perimeter=NO_PERIMETER,
                           next_url=next_url, previous_url=previous_url)


@bp.get("/customers.csv")
@signed_in
def index_csv():
    """The list as filtered on screen, every page of it."""
    filters, sort = list_filters()
    query = list_query(filters, sort)
    header = [_("Name"), _("Code"), _("Kind"), _("Email"), _("Phone"), _("VAT number"), _("Company number"),
              _("Street"), _("Postal code"), _("City"), _("Region"), _("Country"), _("Language"), _("Currency"),
              _("Created")]

    def row(c: dict) -> list:
        address = c.get("address") or {}
        locale = c.get("locale") or ""  # empty: the license's default (the customer's file names it)
        return [c["name"], c.get("code") or "", str(KINDS.get(c.get("kind"), c.get("kind") or "")),
                c.get("email") or "", c.get("phone") or "", c.get("vat_number") or "",
                c.get("registration_number") or "", address.get("line1", ""),
                address.get("postal_code", ""), address.get("city", ""), address.get("region", ""),
                country(address.get("country")), str(DOCUMENT_LANGUAGES.get(locale, locale)), c.get("currency") or "",
                sheet_moment(c.get("created_at"))]
    return csv_download("customers.csv", header, lambda cursor: api.get(
        "/customers", **query, limit=CSV_PAGE_SIZE, **({"cursor": cursor} if cursor else {})), row)


# -- create ----------------------------------------------------------------------------------------

def customer_form() -> dict:
    """The customer form's fields, the currency chosen in its list or typed ("cad" is CAD: i18n.posted_currency)."""
    form = form_values(*CUSTOMER_FIELDS)
    form["currency"] = posted_currency(request.form)
    return form


def customer_body() -> dict:
    """The customer form as the API's body: its fields, the address nested."""
    body = _present(customer_form())
    address = _present(form_values(*ADDRESS_FIELDS))
    if address:
        body["address"] = address
    return body


@bp.get("/customers/new")
@signed_in
def new():
    choices = _form_choices()
    return render_template("customers/new.html", errors={}, message=None, **choices,
                           values={"kind": "company", "country": default_country(choices["defaults"])})


def default_country(defaults: dict) -> str:
    """The country a new customer's form starts with: the company's own, the one its license says (``defaults``,
    its settings: paraph_platform.company_country), else, for a license that has not said it, its profile's address
    (which the PDFs print as the issuer's: ``GET /company-profile``, any user may read it), else France. A profile
    that cannot be read now only costs the suggestion, not the form."""
    if defaults.get("country"):
        return defaults["country"]
    try:
        profile_country = (api.get("/company-profile").get("address") or {}).get("country")
    except ApiError:
        profile_country = None
    return countries.country_code(profile_country) or DEFAULT_COUNTRY


@bp.post("/customers/new")
@signed_in
def create():
    body = customer_body()
    contact = _present(form_values("contact_first_name", "contact_last_name", "contact_email", "contact_phone"))
    if contact:
        body["contacts"] = [{key.removeprefix("contact_"): value for key, value in contact.items()}]
    try:
        customer = api.post("/customers", body)
    except ApiError as exc:
        if exc.status not in FORM_ERRORS:
            raise
        errors = field_errors(exc)
        return render_template("customers/new.html", errors=errors, values=request.form,
                               message=None if errors else exc.detail, **_form_choices()), 422
    flash(_("The customer %(name)s is created.", name=customer["name"]), "success")
    return redirect(url_for("customers.show", customer_id=customer["id"]))


def _form_choices(defaults: bool = True) -> dict:
    """What the customer form offers: kinds, languages and currencies; with ``defaults``, the license's language
    and currency (``GET /license``), which a customer without its own has, named by the form's empty choices."""
    return {"kinds": KINDS, "languages": DOCUMENT_LANGUAGES, "currencies": COMMON_CURRENCIES,
            "defaults": document_defaults() if defaults else {}}


# -- the customer file -----------------------------------------------------------------------------

def _tabs() -> dict:
    return {key: label for key, label in TABS.items() if key != "perimeters" or _is_manager()}


def _tab_page(name: str, page: dict) -> dict:
    next_url, previous_url = links(page)
    return {name: page["items"], "next_url": next_url, "previous_url": previous_url}


def tab_data(customer: dict, tab: str) -> dict:
    """What the tab shows, asked of the API only for the tab on screen."""
    customer_id = customer["id"]
    # the long tabs: pages of the API's largest size, walked by cursor
    paged = {"limit": api.LARGEST_PAGE, **position()}
    if tab == "contracts":
        return _tab_page("contracts", api.get("/contracts", customer_id=customer_id, **paged))
    if tab == "deals":
        return {**_tab_page("deals", api.get("/deals", customer_id=customer_id, **paged)), "stages": DEAL_STAGES}
    if tab == "equipment":
        # ?edit=<id>: that item's form open under the list (its "Edit" link)
        return {**_tab_page("equipment", api.get(f"/customers/{customer_id}/equipment", **paged)),
                "editing": request.args.get("edit")}
    if tab == "contacts" and request.method == "GET":
        # ?edit=<id>: that contact's form open, filled with the contact (the "add an email" links of the portal
        # access); a refused form is rendered again with what was posted instead
        contact = next((c for c in customer.get("contacts", []) if c["id"] == request.args.get("edit")), None)
        return {"editing": contact["id"], "values": contact} if contact else {}
    if tab == "portal":
        return {"accesses": {a["contact_id"]: a for a in api.get(f"/customers/{customer_id}/portal-accesses")}}
    if tab == "history":  # staff edits and the clients' own changes on the portal (self-service)
        return {"history": api.get(f"/customers/{customer_id}/history")["items"]}
    if tab == "perimeters":
        return {"perimeters": perimeter_choices(), "viewers": customer_viewers(customer),
                "my_perimeter_ids": my_perimeter_ids()}
    return {}


def my_perimeter_ids() -> list[str] | None:
    """The perimeters of the user on the page, who sees a customer in none or in one of them (perimeter.rego);
    None for a license admin, who sees every customer: nothing their change could hide from them."""
    user = current_user() or {}
    if user.get("role") in ADMINS:
        return None
    return api.get(f"/users/{user['user_id']}/perimeters")["perimeter_ids"]


def perimeter_choices() -> list[dict]:
    """The license's perimeters as a checklist offers them (a customer's, a contract type's perimeters)."""
    return [{"id": p["id"], "label": p["name"], "detail": p.get("description") or ""}
            for p in api.get_all("/perimeters")]


def customer_viewers(customer: dict) -> dict | None:
    """Who sees the customer (the tab's managers ask it: the API gives them a perimeter's users): the staff of
    its perimeters, each with the perimeters they see it through, by name, the first ``VIEWERS_SHOWN`` then how
    many more; None when it is in no perimeter (every user sees it). License admins see every customer: the
    page says so once rather than listing them."""
    perimeter_ids = customer.get("perimeter_ids") or []
    if not perimeter_ids:
        return None
    through: dict[str, list[str]] = {}
    for perimeter in api.get_many(*((f"/perimeters/{pid}", {}) for pid in perimeter_ids)):
        for user_id in perimeter["members"].get("users", []):
            through.setdefault(user_id, []).append(perimeter["name"])
    staff = [{**u, "perimeters": sorted(through[u["user_id"]])}
             for u in api.get_all("/users", limit=api.LARGEST_PAGE)
             if u["user_id"] in through and u["role"] != "client" and u["status"] != "deactivated"]
    staff.sort(key=lambda u: (u.get("name") or u["email"]).lower())
    return {"users": staff[:VIEWERS_SHOWN], "more": max(len(staff) - VIEWERS_SHOWN, 0)}


def render_file(customer_id: str, tab: str, errors=None, values=None, message=None, status=200, **extra):
    tabs = _tabs()
    if tab not in tabs:
        tab = "info"
    customer = api.get(f"/customers/{customer_id}")
    if values is None:  # the info form shows the file as it is
        values = {**customer, **(customer.get("address") or {})}
    # the license's language and currency are asked only where the page shows them: the info tab's form, the
    # header of a customer without its own
    defaults = tab == "info" or not (customer.get("locale") and customer.get("currency"))
    context = {"customer": customer, "tab": tab, "tabs": tabs, **_form_choices(defaults), "errors": errors or {},
               "values": values, "message": message, **tab_data(customer, tab),
               **extra}
    return render_template("customers/show.html", **context), status


def back_to(customer_id: str, tab: str, anchor: str | None = None):
    return redirect(url_for("customers.show", customer_id=customer_id, tab=tab, _anchor=anchor))


def form_failed(exc: ApiError, customer_id: str, tab: str, **extra):
    """The tab again with the API's field errors next to the fields of the form that was posted."""
    if exc.status not in FORM_ERRORS:
        raise exc
    errors = field_errors(exc)
    return render_file(customer_id, tab, errors=errors, values=request.form, message=None if errors else exc.detail,
                       status=422, **extra)


@bp.get("/customers/<customer_id>")
@signed_in
def show(customer_id: str):
    return render_file(customer_id, request.args.get("tab", "info"))


def submit(customer_id: str, tab: str, call, done: str, anchor=None, **on_error):
    """A tab's form sent to the API (``call()``): back to the tab saying ``done``, at ``anchor`` (the id of what
    was saved, or a function giving it from the API's answer: a contact just created; ``done`` is said in it), or
    the tab again with the API's errors next to the fields (``on_error``: which form was posted; the browser lands
    on that form by the fragment of its ``action``, as the page is rendered again rather than redirected)."""
    try:
        answer = call()
    except ApiError as exc:
        return form_failed(exc, customer_id, tab, **on_error)
    landing = anchor(answer) if callable(anchor) else anchor
    # landing on what was saved, maybe far below the page's notices: ``done`` is said there (macros.html said_here)
    flash(done, f"success {landing}" if landing else "success")
    return back_to(customer_id, tab, landing)


@bp.post("/customers/<customer_id>")
@signed_in
def update(customer_id: str):
    form = customer_form()
    # an emptied optional field is cleared (null), an emptied address line too (the API merges the address into
    # the stored one: a line left out would stay); the name is required, a code kept
    body = {"kind": form["kind"] or "company", "name": form["name"], **_present({"code": form["code"]}),
            **{key: form[key] or None for key in CLEARABLE_FIELDS}, "notes": form["notes"],
            "address": {key: request.form[key].strip() or None for key in ADDRESS_FIELDS if key in request.form}}
    stored = api.get(f"/customers/{customer_id}")
    if "country" in request.form:  # a country typed before the list, shown as the one it names, stays as typed
        body["address"]["country"] = posted_country(request.form["country"],
                                                    (stored.get("address") or {}).get("country")) or None
    body = numbers_changed(body, stored)
    return submit(customer_id, "info", lambda: api.patch(f"/customers/{customer_id}", body),
                  _("The customer's information is saved."))


@bp.post("/customers/<customer_id>/contacts")
@signed_in
def add_contact(customer_id: str):
    body = _present(form_values(*CONTACT_FIELDS))
    return submit(customer_id, "contacts", lambda: api.post(f"/customers/{customer_id}/contacts", body),
                  _("The contact is added."), lambda contact: f"contact-{contact['id']}", editing="new")


@bp.post("/customers/<customer_id>/contacts/<contact_id>")
@signed_in
def update_contact(customer_id: str, contact_id: str):
    body = form_values(*CONTACT_FIELDS)  # emptied optional fields are cleared (null), the last name is required
    body = {key: value or (None if key != "last_name" else value) for key, value in body.items()}
    body = numbers_changed(body, api.get(f"/contacts/{contact_id}"))
    return submit(customer_id, "contacts", lambda: api.patch(f"/contacts/{contact_id}", body),
                  _("The contact is saved."), f"contact-{contact_id}", editing=contact_id)


@bp.post("/customers/<customer_id>/contacts/<contact_id>/delete")
@signed_in
@refusal_said(back=lambda customer_id, contact_id: back_to(customer_id, "contacts"))
def delete_contact(customer_id: str, contact_id: str):
    """Asked once on the Contacts tab; the documents made for the contact keep no contact (the API's rule)."""
    contact = next((c for c in api.get(f"/customers/{customer_id}")["contacts"] if c["id"] == contact_id), None)
    if contact is None:  # deleted meanwhile (another tab, a colleague)
        flash(_("This contact is already deleted."), "err")
        return back_to(customer_id, "contacts")
    api.delete(f"/contacts/{contact_id}")
    flash(_("The contact %(name)s is deleted.", name=contact["name"]), "success")
    return back_to(customer_id, "contacts")


@bp.post("/customers/<customer_id>/equipment")
@signed_in
def add_equipment(customer_id: str):
    body = _present(form_values(*EQUIPMENT_FIELDS))
    return submit(customer_id, "equipment", lambda: api.post(f"/customers/{customer_id}/equipment", body),
                  _("The equipment is added."))


@bp.post("/customers/<customer_id>/equipment/<equipment_id>")
@signed_in
def update_equipment(customer_id: str, equipment_id: str):
    """An item's form (opened by its "Edit" link); refused, it comes back open with the API's errors."""
    form = form_values(*EQUIPMENT_FIELDS, "notes")
    body = {**form, "quantity": typed_number(form["quantity"]),
            **{key: form[key] or None for key in CLEARABLE_EQUIPMENT_FIELDS}}
    return submit(customer_id, "equipment", lambda: api.patch(f"/equipment/{equipment_id}", body),
                  _("The item %(name)s is saved.", name=form["description"]), f"equipment-{equipment_id}",
                  editing=equipment_id)


def back_to_equipment(customer_id: str, equipment_id: str | None = None, **_ignored):
    return back_to(customer_id, "equipment", equipment_id and f"equipment-{equipment_id}")


@bp.post("/customers/<customer_id>/equipment/<equipment_id>/<any(retire, reinstate):action>")
@signed_in
@refusal_said(back=back_to_equipment)
def set_equipment_status(customer_id: str, equipment_id: str, action: str):
    """Retire an item (it stays in the base, marked retired, no longer under warranty), or put it back in
    service."""
    item = api.patch(f"/equipment/{equipment_id}", {"status": "retired" if action == "retire" else "in_service"})
    flash(_("The item %(name)s is retired.", name=item["description"]) if action == "retire"
          else _("The item %(name)s is back in service.", name=item["description"]), "success")
    return back_to_equipment(customer_id, equipment_id)


@bp.post("/customers/<customer_id>/equipment/<equipment_id>/delete")
@signed_in
@refusal_said(back=back_to_equipment)
def delete_equipment(customer_id: str, equipment_id: str):
    """Asked once, naming the item (an item entered by mistake; retiring keeps its history)."""
    api.delete(f"/equipment/{equipment_id}")
    flash(_("The item %(name)s is deleted from the equipment base.", name=confirmed_name()), "success")
    return back_to_equipment(customer_id)


@bp.post("/customers/<customer_id>/perimeters")
@signed_in
def set_perimeters(customer_id: str):
    if not _is_manager():
        abort(404)  # the tab does not exist for them
    name = api.get(f"/customers/{customer_id}")["name"]
    api.put(f"/customers/{customer_id}/perimeters", {"perimeter_ids": request.form.getlist("perimeter_ids")})
    try:
        api.get(f"/customers/{customer_id}")
    except ApiError as exc:
        if exc.status != 404:
            raise
        # a front user manager who took the customer out of their own perimeters no longer sees it: the list,
        # saying why, rather than "saved" over a page not found
        flash(_("The perimeters of %(name)s are saved. It is no longer in any of your perimeters: you no longer "
                "see it.", name=name), "success")
        return redirect(url_for("customers.index"))
    flash(_("The customer's perimeters are saved."), "success")
    return back_to(customer_id, "perimeters")


# -- a contact's portal access ---------------------------------------------------------------------

def _code_part(text: str | None) -> str:
    """A name as a user code writes it: capitals and digits, accents dropped (LEFÈVRE -> LEFEVRE)."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]+", "", plain.upper())[:20]


def suggested_user_code(customer: dict, contact: dict, taken=frozenset()) -> str:
    """The user code offered: the customer's code and the contact's name, e.g. C0042-DURAND; one the customer's
    other portal clients already use (``taken``: two of one family, Anna and Marc FIORE) is not offered, since
    the API would refuse it: the first name is added (C0042-FIORE-MARC), then a number."""
    base = "-".join(part for part in (customer.get("code") or "", _code_part(contact.get("last_name"))) if part)
    first = _code_part(contact.get("first_name"))
    candidates = [base, *([f"{base}-{first}"] if first else []), *(f"{base}-{n}" for n in range(2, 100))]
    return next((code[:64] for code in candidates if code[:64] not in taken), base[:64])


def _portal_access(contact_id: str) -> dict | None:
    try:
        return api.get(f"/contacts/{contact_id}/portal-access")
    except ApiError as exc:
        if exc.status != 404:
            raise
        return None  # no access yet (the contact itself was found by the page's customer)


def render_access(customer_id: str, contact_id: str, errors=None, values=None, message=None, status=200):
    customer = api.get(f"/customers/{customer_id}")
    contact = next((c for c in customer.get("contacts", []) if c["id"] == contact_id), None)
    if contact is None:
        abort(404)
    access = _portal_access(contact_id)
    if values is None and access is None:
        taken = {a["user_code"] for a in api.get(f"/customers/{customer_id}/portal-accesses")}
        values = {"user_code": suggested_user_code(customer, contact, taken), "email": contact.get("email") or "",
                  "branch": contact.get("branch") or ""}
    elif values is None:
        values = access
    return render_template("customers/portal_access.html", customer=customer, contact=contact, access=access,
                           can_deactivate=_is_manager(), errors=errors or {}, values=values,
                           message=message), status


@bp.get("/customers/<customer_id>/contacts/<contact_id>/portal-access")
@signed_in
def portal_access(customer_id: str, contact_id: str):
    return render_access(customer_id, contact_id)


@bp.post("/customers/<customer_id>/contacts/<contact_id>/portal-access")
@signed_in
def save_portal_access(customer_id: str, contact_id: str):
    """Grant the access and send the invitation email, or change the restrictions of an existing one."""
    form = form_values("user_code", "email", "allowed_ip", "branch")
    restrictions = {"allowed_ip": form["allowed_ip"] or None, "branch": form["branch"] or None}
    try:
        if request.form.get("existing"):
            api.patch(f"/contacts/{contact_id}/portal-access", {"user_code": form["user_code"], **restrictions})
            flash(_("The portal access is saved."), "success")
        else:
            access = api.post(f"/contacts/{contact_id}/portal-access", {
                "user_code": form["user_code"], "email": form["email"] or None, "send_email": True, **restrictions})
            flash(_("The portal access is created: %(email)s received an email to choose a password.",
                    email=access["email"]), "success")
    except ApiError as exc:
        if exc.status not in FORM_ERRORS:
            raise
        errors = exc.field_errors
        return render_access(customer_id, contact_id, errors=errors, values=request.form,
                             message=None if errors else exc.detail, status=422)
    return redirect(url_for("customers.portal_access", customer_id=customer_id, contact_id=contact_id))


@bp.post("/customers/<customer_id>/contacts/<contact_id>/portal-access/deactivate")
@signed_in
@refusal_said(back=lambda customer_id, contact_id: redirect(url_for("customers.portal_access", customer_id=customer_id,
                                                                     contact_id=contact_id)))
def deactivate_portal_access(customer_id: str, contact_id: str):
    """License admins and front user managers (the API refuses the others): the client's sessions end."""
    access = api.delete(f"/contacts/{contact_id}/portal-access")
    flash(_("The portal access of %(email)s is deactivated.", email=access["email"]), "success")
    return redirect(url_for("customers.portal_access", customer_id=customer_id, contact_id=contact_id))


@bp.post("/customers/<customer_id>/contacts/<contact_id>/portal-access/resend")
@signed_in
def resend_portal_invitation(customer_id: str, contact_id: str):
    access = api.post(f"/contacts/{contact_id}/portal-access/resend-invitation", {})
    flash(_("The invitation is sent again to %(email)s.", email=access["email"]), "success")
    return redirect(url_for("customers.portal_access", customer_id=customer_id, contact_id=contact_id))
