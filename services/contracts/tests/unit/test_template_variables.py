"""Template authors' reference: every variable a template is given is documented (and only those), and a
template error names the line and the variable."""
from datetime import date

import pytest

from contracts_service import logic, pdf, template_variables
from contracts_service.exceptions import InvalidInput
from tests.typography import breakable_spaces_in

OPEN = {"fields", "field_labels", "field_texts", "custom", "labels", "contract.data", "contract.custom"}  # keyed by the license's own names


def paths(value, prefix=""):
    """Every variable name of a context, written as template_variables writes them."""
    if prefix in OPEN:
        return {prefix}
    out = {prefix} if prefix else set()
    if isinstance(value, dict) and (prefix.split(".")[-1] not in ("address", "logo") or not prefix):
        for key, inner in value.items():
            out |= paths(inner, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        for item in value:
            out |= paths(item, f"{prefix}[]")
    return out


def full_context():
    contact = {"id": "ct1", "customer_id": "cu1", "first_name": "Claire", "last_name": "Martin",
               "name": "Claire Martin", "title": None, "department": None, "type": None, "email": None,
               "phone": None, "mobile": None, "fax": None, "branch": None, "created_at": "2026-11-02T09:00:00Z"}
    context = pdf.sample_context([{"key": "site", "label": "Site"}])
    return {**context, "contact": contact,
            "issuer": {**context["issuer"], "logo": {"url": "paraph-asset:a1"}, "updated_at": None}}


def test_every_variable_given_to_a_template_is_documented_and_nothing_else():
    given = {p.replace("optional_lines[]", "lines[]") for p in paths(full_context())}
    documented = {n.replace(".<key>", "") for n in template_variables.documented_names()}

    def containers(names):  # customer (of customer.name), lines[] (of lines[].amount)...
        return {n for n in names if any(other.startswith((n + ".", n + "[]")) for other in names)}
    assert given - documented - containers(given) == set(), "variables given to templates but not documented"
    assert documented - given == set(), "documented variables templates are not given"


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_a_preview_gives_a_template_what_a_document_gives_it_with_sample_values(locale):
    """A contract type's PDF preview: every documented variable, as a real document has them (a contact too), the
    type's merge fields and the license's custom columns with sample values, lines at two VAT rates and an option
    left out, in the document's language."""
    issuer = {**full_context()["issuer"], "currency": "EUR"}
    context = pdf.preview_context(
        kind="quote", title="Mandat", locale=locale, currency="EUR", issuer=issuer, today=date(2026, 3, 2),
        merge_fields=[{"key": "site", "label": "Site"}, {"key": "duree", "label": "Durée", "type": "number"}],
        columns=[{"key": "region", "label": "Région", "type": "choice", "choices": ["Nord", "Sud"]},
                 {"key": "signe", "label": "Signé", "type": "boolean", "choices": []}],
        owner={"name": "Alice Admin", "email": "alice@vendeur.test"})
    # issuer_view leaves updated_at out of real documents too (full_context adds it after)
    assert paths(context) == paths(full_context()) - {"issuer.updated_at"}
    assert context["fields"] == {"site": "Site", "duree": 12} and context["custom"] == {"region": "Nord", "signe": True}
    assert context["contract"]["number"] == "Q-2026-00001" and context["contract"]["title"] == "Mandat"
    assert context["contract"]["valid_until"] == {"fr": "1er avril 2026", "en": "1 April 2026"}[locale]
    assert [t["rate"] for t in context["totals"]["taxes"]] == [{"fr": "5.50", "en": "5.00"}[locale], "20.00"]
    assert len(context["lines"]) == 3 and len(context["optional_lines"]) == 1 and context["has_discount"]
    assert context["contact"]["name"] == "Claire Martin"
    assert breakable_spaces_in(pdf.PREVIEW_SAMPLES["fr"]) == {}
    html = pdf.render_html(None, context)  # Paraph's own template
    assert context["customer"]["name"] in html and "Claire Martin" in html and "Alice Admin" in html


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_catalog_has_a_type_an_example_and_a_description_in_each_language(locale):
    catalog = template_variables.catalog(locale)
    assert all(v["type"] and v["description"] for v in catalog)
    names = [v["name"] for v in catalog]
    assert len(names) == len(set(names))
    customer = next(v for v in catalog if v["name"] == "customer.name")
    assert customer["description"] == {"fr": "Nom du client", "en": "Customer name"}[locale]


@pytest.mark.parametrize("source,problem", [
    ("<p>\n{{ customer.name }}\n\n\n\n\n\n\n\n\n\n{{ customer.nmae }}</p>", "line 12: 'customer.nmae' is undefined"),
    ("{{ oops }}", "line 1: 'oops' is undefined"),
    ("a\n{{ customer['nmae'] }}", "line 2: 'customer.nmae' is undefined"),
    ("{% for line in lines %}\n{{ line.amnt }}{% endfor %}", "line 2: 'line.amnt' is undefined"),
    ("{{ fields.site }} {{ fields.nope }}", "line 1: 'fields.nope' is undefined"),
    ("a\n{{ contact.name }}", "line 2: 'contact.name' is undefined ('contact' is empty here: test it with "
                              "{% if contact %})"),
    ("a\nb\n{{ oops( }}", "line 3: unexpected '}', expected ')'"),
])
def test_a_template_error_names_the_line_and_the_variable(source, problem):
    with pytest.raises(InvalidInput) as caught:
        pdf.check_template(source, [{"key": "site", "label": "Site"}])
    assert caught.value.args[0] == f"The template cannot be rendered: {problem}"


def test_a_template_using_documented_variables_passes():
    source = ("{{ customer.name }} {{ fields.site }} {% if contact %}{{ contact.name }}{% endif %}"
              "{% for line in lines %}{{ line.quantity_unit }} {{ line.amount }}{% endfor %}"
              "{% for t in totals.taxes %}{{ t.rate_fmt }} {{ t.tax_fmt }}{% endfor %} {{ totals.total }}"
              "{{ issuer.name }} {{ labels[contract.kind] }}")
    assert pdf.check_template(source, [{"key": "site", "label": "Site"}]) == []


def test_required_merge_fields_one_rule_one_message():
    fields = [{"key": "site", "required": True}, {"key": "access"}, {"key": "ok", "type": "boolean",
                                                                     "required": True}]
    assert logic.missing_merge_fields(fields, {"site": "  ", "ok": False}) == ["site"]
    with pytest.raises(InvalidInput) as caught:
        logic.require_merge_fields(fields, {"access": "x", "ok": True})
    assert caught.value.args[0] == "Fill in the required fields before sending."
    logic.require_merge_fields(fields, {"site": "Lille", "ok": False})


def test_french_descriptions_hold_their_punctuation_with_a_no_break_space():
    assert breakable_spaces_in({v["name"]: v["description"] for v in template_variables.catalog("fr")}) == {}


def test_the_default_template_names_a_merge_field_by_its_label():
    """The customer reads "Site de livraison", not the key the API and the template know the field by."""
    sample = pdf.sample_context([{"key": "site", "label": "Site de livraison"}, {"key": "access"}])
    context = pdf.build_context(contract={**sample["contract"], "created_at": None, "valid_until": None,
                                          "data": {"site": "Lille", "access": "Badge"}},
                                customer=sample["customer"], contact=None, lines=[], owner=None,
                                merge_fields=[{"key": "site", "label": "Site de livraison"}, {"key": "access"}])
    html = pdf.render_html(None, context)
    assert "<th>Site de livraison</th><td>Lille</td>" in html
    assert "<th>access</th><td>Badge</td>" in html  # no label: its key


@pytest.mark.parametrize("locale, country, expected", [
    ("fr", None, ["31 janvier 2026", "Oui", "Non", "2,5", "12", "Fournil"]),
    ("en", "GB", ["31 January 2026", "Yes", "No", "2.5", "12", "Fournil"]),
    ("en", "US", ["January 31, 2026", "Yes", "No", "2.5", "12", "Fournil"]),
])
def test_the_default_template_writes_merge_fields_as_the_document_writes_its_own_values(locale, country, expected):
    """A template's preview printed "2026-01-31" and "True": a date reads as the document's dates, yes/no and
    numbers in its language; ``fields`` keeps the stored values for a template's conditions."""
    merge_fields = [{"key": "delivery", "label": "Livraison", "type": "date"},
                    {"key": "fitted", "label": "Pose", "type": "boolean"},
                    {"key": "stairs", "label": "Escalier", "type": "boolean"},
                    {"key": "height", "label": "Hauteur", "type": "number"},
                    {"key": "floors", "label": "Étages", "type": "number"},
                    {"key": "site", "label": "Site", "type": "text"}]
    values = {"delivery": "2026-01-31", "fitted": True, "stairs": False, "height": "2.50", "floors": 12,
              "site": "Fournil"}
    sample = pdf.sample_context(merge_fields, locale)
    context = pdf.build_context(contract={**sample["contract"], "created_at": None, "valid_until": None,
                                          "data": values}, customer=sample["customer"], contact=None, lines=[],
                                owner=None, issuer={"company_country": country}, merge_fields=merge_fields)
    assert list(context["field_texts"].values()) == expected and context["fields"] == values
    html = pdf.render_html(None, context)
    for field, text in zip(merge_fields, expected):
        assert f"<th>{field['label']}</th><td>{text}</td>" in html
    # a value no longer of its field's type (the type changed since) prints as it was stored
    assert pdf.merge_field_texts(merge_fields, {"delivery": "bientôt", "height": "n/a"}, locale,
                                 pdf.LABELS[locale]) == {"delivery": "bientôt", "height": "n/a"}


COLUMNS = [{"key": "region", "label": "Région", "type": "choice", "choices": ["Nord", "Sud"]},
           {"key": "budget", "label": "Budget", "type": "number", "choices": []},
           {"key": "livraison", "label": "Livraison", "type": "date", "choices": []},
           {"key": "signe", "label": "Signé", "type": "boolean", "choices": []},
           {"key": "chantier", "label": "Chantier", "type": "text", "choices": []}]


def test_a_template_is_checked_with_every_custom_column_of_the_license_by_its_kind():
    """``{{ custom.region }}`` passes the save check when region is a column of the license: each column has a
    sample value of its kind (a choice's first one, a number to compute with, a date, yes, a text's label)."""
    source = ("{{ custom.region }} {{ custom.budget * 2 }} {{ custom.livraison }} {% if custom.signe %}oui{% endif %}"
              " {{ custom['chantier'] }} {{ contract.custom.region }}")
    assert pdf.check_template(source, [], COLUMNS) == []
    assert pdf.sample_context([], columns=COLUMNS)["custom"] == {
        "region": "Nord", "budget": 12, "livraison": "2026-01-31", "signe": True, "chantier": "Chantier"}
    assert pdf.render_html(source, pdf.sample_context([], columns=COLUMNS)).count("Nord") == 2


@pytest.mark.parametrize("source, columns, problem", [
    ("a\n{{ custom.regoin }}", COLUMNS, "line 2: 'custom.regoin' is undefined: no custom column has the key 'regoin' "
                                        "(the keys: budget, chantier, livraison, region, signe)"),
    ("{{ custom['regoin'] }}", COLUMNS[:1], "line 1: 'custom.regoin' is undefined: no custom column has the key "
                                            "'regoin' (the keys: region)"),
    ("{{ contract.custom.region }}", [], "line 1: 'contract.custom.region' is undefined: no custom column has the key "
                                        "'region' (the license has no custom columns)"),
])
def test_a_key_that_is_no_custom_column_is_refused_naming_it_and_the_keys_there_are(source, columns, problem):
    with pytest.raises(InvalidInput) as caught:
        pdf.check_template(source, [], columns)
    assert caught.value.args[0] == f"The template cannot be rendered: {problem}"
    assert caught.value.details == {"fields": {"template_html": [problem]}}


def test_a_document_gives_its_template_every_column_of_the_license_those_not_set_empty():
    """A contract carries only the columns set on it: its template is given every column of the license, the
    others empty (printed as nothing, not "None"), so that a template the save check let through renders."""
    custom = pdf.document_custom(["region", "budget", "signe"], {"region": "Sud", "signe": None, "ancienne": "x"})
    assert custom == {"region": "Sud", "budget": "", "signe": "", "ancienne": "x"}
    context = pdf.build_context(contract={**pdf.sample_context([])["contract"], "created_at": None, "valid_until": None,
                                          "custom": custom}, customer={"name": "Client"}, contact=None, lines=[],
                                owner=None)
    assert pdf.render_html("<p>[{{ custom.region }}|{{ custom.budget }}|{{ custom.signe }}]</p>", context) \
        .endswith("<p>[Sud||]</p></body></html>")
