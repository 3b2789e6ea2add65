"""A bulk send's CSV rows are checked before any request is made: a row notify could not text a one-time code to
is reported as that row's problem, with the rule notify sends SMS by. The header line names the columns in English
or in French."""
from paraph_platform.phones import read_in
from signing_service.bulk_sends import row_problem


def test_a_rows_phone_is_one_an_sms_can_go_to():
    row = {"name": "Léa Martin", "email": "lea@client.test"}
    assert row_problem({**row, "phone": "+33 6 12 34 56 78"}, needs_customer=False) is None
    assert row_problem({**row, "phone": ""}, needs_customer=False) is None  # none: codes go by email
    for unreadable in ("06 12", "standard", "------", "07700 900456"):  # the last: a UK number, read in France
        assert row_problem({**row, "phone": unreadable}, needs_customer=False)[0] == "bad_phone"
    with read_in("GB"):  # a UK company's (create_bulk_send reads the rows in the company's country)
        assert row_problem({**row, "phone": "07700 900456"}, needs_customer=False) is None


def test_a_csv_names_its_columns_in_english_or_in_french():
    from signing_service.bulk_sends import csv_rows
    english = csv_rows("name,email,phone\nLéa Martin,lea@client.test,+33 6 12 34 56 78\n")
    french = csv_rows("Nom;Courriel;Téléphone\nLéa Martin;lea@client.test;+33 6 12 34 56 78\n")
    assert english == french == [{"name": "Léa Martin", "email": "lea@client.test", "phone": "+33 6 12 34 56 78"}]
    # "telephone" without its accents, an "é" as e + accent (a Mac's), "E-mail" as spreadsheets write it
    decomposed = "Te\u0301le\u0301phone"
    for header in (f"nom;email;{decomposed}", "NOM;E-mail;telephone", "nom,e-mail,mobile"):
        separator = ";" if ";" in header else ","
        [row] = csv_rows(f"{header}\nLéa Martin{separator}lea@client.test{separator}0612345678\n")
        assert row == {"name": "Léa Martin", "email": "lea@client.test", "phone": "0612345678"}, header
