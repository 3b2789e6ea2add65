from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from contracts_service import logic, pdf
from contracts_service.exceptions import Conflict, InvalidInput, PayloadTooLarge, UnsupportedMediaType


def test_totals_round_per_line_and_tax_per_rate():
    lines = [
        {"quantity": Decimal("3"), "unit_price": Decimal("0.335"), "discount_pct": 0, "tax_rate": Decimal("20")},
        {"quantity": Decimal("1"), "unit_price": Decimal("100"), "discount_pct": Decimal("12.5"), "tax_rate": 20},
        {"quantity": Decimal("2"), "unit_price": Decimal("50"), "tax_rate": Decimal("5.5"), "optional": True},
        {"quantity": Decimal("1"), "unit_price": Decimal("40"), "tax_rate": Decimal("5.5"), "optional": True,
         "selected": True},
    ]
    t = logic.compute_totals(lines)
    assert t.subtotal == Decimal("128.51")  # 1.01 + 87.50 + 40
    assert t.tax_total == Decimal("19.90")  # 20% of 88.51 = 17.70 ; 5.5% of 40 = 2.20
    assert t.total == Decimal("148.41") and t.optional_total == Decimal("100.00")
    assert [x["rate"] for x in t.taxes] == ["5.50", "20.00"]


def test_a_zero_amount_is_never_negative():
    """A quantity of -0 (or 0.000) times a negative price made "-0.00" on the quote and its PDF."""
    assert str(logic.line_net(Decimal("-0.0"), Decimal("100"), 0)) == "0.00"
    assert str(logic.line_net(Decimal("0.000"), Decimal("-15.50"), 0)) == "0.00"
    t = logic.compute_totals([{"quantity": Decimal("-0"), "unit_price": Decimal("10"), "tax_rate": 20}])
    assert (str(t.subtotal), str(t.tax_total), str(t.total)) == ("0.00", "0.00", "0.00")


def test_status_transitions():
    logic.check_transition("quote", "sent", "accepted")
    logic.check_transition("contract", "signed", "validated")
    with pytest.raises(Conflict):
        logic.check_transition("quote", "draft", "accepted")
    with pytest.raises(Conflict):
        logic.check_transition("contract", "validated", "draft")
    assert logic.format_number("quote", 2026, 42) == "Q-2026-00042"


def test_a_refused_move_says_an_invoice_and_its_status_in_members_of_its_own():
    """The problem's own `status` is the HTTP status: a detail named so vanished from the 409 (the gateway
    keeps the problem's), and "A invoice" read wrong."""
    with pytest.raises(Conflict) as refused:
        logic.check_transition("invoice", "paid", "draft")
    problem = refused.value.to_problem()
    assert problem["detail"].startswith("An invoice cannot go from paid to draft")
    assert (problem["status"], problem["contract_status"]) == (409, "paid") and "allowed" in problem


def test_next_statuses_by_hand_follow_the_lifecycle_and_the_role():
    assert logic.next_statuses("quote", "sent", manager=False) == ["abandoned", "accepted", "draft", "refused"]
    assert logic.next_statuses("order", "draft", manager=False) == ["cancelled", "confirmed"]
    assert logic.next_statuses("invoice", "issued", manager=False) == ["cancelled", "paid"]
    # validating is a manager's move
    assert logic.next_statuses("quote", "accepted", manager=False) == []
    assert logic.next_statuses("contract", "signed", manager=False) == ["refused"]
    assert logic.next_statuses("contract", "signed", manager=True) == ["refused", "validated"]
    assert logic.next_statuses("order", "delivered", manager=True) == []
    for kind, lifecycle in logic.TRANSITIONS.items():  # every move offered is one check_transition lets through
        for current in lifecycle:
            for target in logic.next_statuses(kind, current, manager=True):
                logic.check_transition(kind, current, target)


def test_upload_checks_size_type_and_magic_bytes():
    pdf_bytes = b"%PDF-1.7 ..."
    assert logic.check_upload("a.pdf", "application/pdf", pdf_bytes, 100) == "application/pdf"
    assert logic.check_upload("a.pdf", "application/octet-stream", pdf_bytes, 100) == "application/pdf"
    with pytest.raises(PayloadTooLarge):
        logic.check_upload("a.pdf", "application/pdf", pdf_bytes, 5)
    with pytest.raises(UnsupportedMediaType):
        logic.check_upload("a.pdf", "application/pdf", b"MZ....", 100)
    with pytest.raises(UnsupportedMediaType):
        logic.check_upload("a.exe", None, b"MZ", 100)
    with pytest.raises(UnsupportedMediaType):
        logic.check_upload("a.txt", "text/plain", b"\xff\xfe\x00bad", 100)
    with pytest.raises(InvalidInput):
        logic.check_upload("a.txt", "text/plain", b"", 100)
    assert logic.clean_filename("../../etc/passwd") == "passwd"
    assert logic.clean_filename("C:\\Users\\x\\devis.pdf") == "devis.pdf"


def test_custom_values():
    cols = {"n": {"type": "number"}, "d": {"type": "date"}, "b": {"type": "boolean"},
            "c": {"type": "choice", "choices": ["x", "y"]}, "t": {"type": "text"}}
    assert logic.check_custom_values(cols, {"n": 2.5, "d": "2027-01-02", "b": True, "c": "x", "t": "hi"}) == {
        "n": "2.5", "d": "2027-01-02", "b": True, "c": "x", "t": "hi"}
    with pytest.raises(InvalidInput) as e:
        logic.check_custom_values(cols, {"n": "abc", "d": "tomorrow", "b": "yes", "c": "z", "t": 3, "zz": 1})
    # marshmallow's words for the same mistakes (the web app translates them): "douze" read "Must be
    # [<class 'decimal.ConversionSyntax'>]."
    assert e.value.details["fields"]["custom"] == {
        "n": ["Not a valid number."], "d": ["Not a valid date."], "b": ["Not a valid boolean."],
        "c": ["Must be one of: x, y."], "t": ["Not a valid string."], "zz": ["Unknown column."]}
    for not_a_number in ("NaN", "Infinity", True):
        with pytest.raises(InvalidInput):
            logic.check_custom_values(cols, {"n": not_a_number})


def test_money_and_dates_are_localised():
    assert logic.format_money("1471.65", "EUR", "fr").replace("\u202f", " ").replace("\xa0", " ") == "1 471,65 €"
    assert logic.format_money("1471.65", "USD", "en") == "US$1,471.65"
    assert logic.format_date(datetime(2026, 11, 23, tzinfo=timezone.utc), "fr") == "23 novembre 2026"
    # the first of a month, as French writes it (paraph_platform.dates), on the quote PDF's dates
    assert logic.format_date(date(2026, 12, 1), "fr") == "1er décembre 2026"
    assert logic.format_date(date(2026, 12, 1), "en") == "1 December 2026"
    # a company of the United States reads the month first (the license's country), a British one the day first
    assert logic.format_date(date(2026, 12, 1), "en", "US") == "December 1, 2026"
    assert logic.format_date(date(2026, 12, 1), "en", "GB") == "1 December 2026"
    assert logic.format_date(date(2026, 12, 1), "fr", "US") == "1er décembre 2026"
    assert logic.effective_delay(None, None) == 60 and logic.effective_delay(15, 30) == 15


def test_templates_are_sandboxed_and_checked():
    pdf.check_template("<p>{{ customer.name }} {{ totals.total }}</p>", [])
    with pytest.raises(InvalidInput):
        pdf.check_template("{{ ''.__class__.__mro__[1].__subclasses__() }}", [])
    with pytest.raises(InvalidInput):
        pdf.check_template("{% for %}", [])


@pytest.mark.parametrize("source, said", [
    ("<p>\n{{ 1/0 }}</p>", "line 2: division by zero"),
    ("{{ customer.name + 1 }}", "line 1: "),
    ("{% include 'x' %}", "line 1: "),
    ("{{ customer.name() }}", "line 1: "),
    ("{{ '%s %s'|format(1) }}", "line 1: "),
    ("{{ 'x' * 1000000000 }}", "a product of more than 1,000,000 characters or items"),
    ("{{ 9 ** 99999999 }}", "a power above 1000"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
     "loops over more than 1,000,000 numbers in all"),
    ("{% for i in range(100000) %}{{ 'x' * 1000000 }}{% endfor %}", "a document of more than 20,000,000 characters"),
])
def test_a_template_failing_when_run_is_refused_with_its_line_not_a_server_error(source, said):
    """A template that compiles but fails on the sample data (1/0, "a" + 1, a name called, an include) was a
    500 when saved (only Jinja's own errors were caught); one making a huge text or looping without end froze
    the contracts service. Each is a 422 naming what to fix, at once."""
    import time
    started = time.monotonic()
    with pytest.raises(InvalidInput) as refused:
        pdf.check_template(source, [])
    assert said in refused.value.details["fields"]["template_html"][0]
    assert time.monotonic() - started < 5


def test_a_template_computes_with_its_merge_fields_sample_values_of_their_type():
    """A number field's sample is a number: '{{ contract.data.duree * 12 + 1 }}' was refused when saved (its
    sample was its label, a text)."""
    pdf.check_template("<p>{{ contract.data.duree * 12 + 1 }} mois{% if contract.data.renouvelable %}, "
                       "renouvelable{% endif %}</p>", [{"key": "duree", "label": "Durée", "type": "number"},
                                                      {"key": "renouvelable", "type": "boolean"}])



def test_templates_list_the_urls_they_would_fetch():
    """Both the source's URLs (branches the sample data skips) and the sample render's absolute ones
    (computed URLs); merge-field values are left to the render-time sandbox."""
    source = ('{% if fields.x == "y" %}<img src="file:///etc/hostname">{% endif %}'
              '<img src="{{ fields.x }}"><style>p { background: url({{ "fi" ~ "le:///etc/passwd" }}) }</style>')
    assert pdf.check_template(source, [{"key": "x", "label": "X"}]) == [
        "file:///etc/hostname", "file:///etc/passwd"]
    with pytest.raises(InvalidInput) as refused:
        pdf.refuse_urls(["file:///etc/hostname"])
    assert "file:///etc/hostname" in refused.value.details["fields"]["template_html"][0]


def test_a_cached_pdf_is_keyed_on_the_text_of_its_template_and_stylesheet(monkeypatch):
    """A document without a template of its own is rendered anew when Paraph's default template or stylesheet
    changes (a new version), not served from a cache made with the old one."""
    context, own = {"contract": {"number": "D-1"}}, "<p>{{ contract.number }}</p>"
    default_before, own_before = pdf.fingerprint(None, context), pdf.fingerprint(own, context)
    assert default_before == pdf.fingerprint(pdf.default_template(), context) != own_before
    monkeypatch.setattr(pdf, "default_template", lambda: "<p>the next version</p>")
    assert pdf.fingerprint(None, context) != default_before
    monkeypatch.setattr(pdf, "_stylesheet", lambda: "p { color: red }")
    assert pdf.fingerprint(own, context) != own_before


def test_field_changes_name_what_changed_from_what():
    from contracts_service.logic import field_changes
    current = {"phone": "03 20 00 00 00", "email": None, "address": {"line1": "12 rue des Lilas", "city": "Lille"}}
    assert field_changes(current, {"phone": "03 20 00 00 00", "email": "", "address": {"city": "Lille"}}) == []
    assert field_changes(current, {"phone": "+33 3 20 11 22 33", "address": {"line1": "", "postal_code": "59000"}}) == [
        {"field": "phone", "from": "03 20 00 00 00", "to": "+33 3 20 11 22 33"},
        {"field": "address.line1", "from": "12 rue des Lilas", "to": None},
        {"field": "address.postal_code", "from": None, "to": "59000"}]


def test_merge_patch_keeps_what_it_does_not_name():
    from contracts_service.logic import merge_patch
    stored = {"line1": "12 rue des Lilas", "line2": "Bât. B", "city": "Lyon"}
    assert merge_patch(stored, {"city": "Lyon 3e", "line2": None, "region": None}) == {
        "line1": "12 rue des Lilas", "city": "Lyon 3e"}
    assert stored["line2"] == "Bât. B"  # the stored value is not changed in place
    assert merge_patch(None, {"a": {"b": 1, "c": None}}) == {"a": {"b": 1}}
    assert merge_patch({"a": {"b": 1, "c": 2}}, {"a": {"c": None}}) == {"a": {"b": 1}}
    assert merge_patch({"a": 1}, None) is None and merge_patch({"a": 1}, ["x"]) == ["x"]


def test_a_pdf_prints_names_in_every_script_not_empty_boxes():
    """A customer named in Chinese printed as empty boxes (weasyprint: ".notdef glyph rendered"): DejaVu has no
    CJK. The system fonts (deps/apt.txt, the pdf image) add a fallback that has them."""
    import io
    from pyhanko.pdf_utils.reader import PdfFileReader
    html = "<!doctype html><html><body><p>Client : 漢字株式会社 · 김철수 · Привет · Ωμέγα</p></body></html>"
    page = PdfFileReader(io.BytesIO(pdf.render_pdf(html, {}))).root["/Pages"]["/Kids"][0]
    fonts = page["/Resources"]["/Font"]
    assert any("Droid-Sans-Fallback" in str(fonts[name]["/BaseFont"]) for name in fonts)
