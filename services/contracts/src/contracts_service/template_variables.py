"""What a contract type's template may use: every variable :func:`pdf.build_context` gives it, with its type,
an example and what it is, in French and English. Served to template authors (GET
/api/v1/contract-types/template-variables, the web app's template editor); a unit test checks that every
variable the context holds is listed here and every listed one exists, so the two cannot drift apart.

Names are written as in the template: ``customer.name``; ``lines[].amount`` is ``line.amount`` inside
``{% for line in lines %}``; ``fields.<key>`` stands for each merge field of the contract type.
"""
from __future__ import annotations

TEXT, NUMBER, BOOLEAN, DATE, MONEY, RATE, OBJECT, LIST = (
    "text", "number", "boolean", "date", "money", "rate", "object", "list")

# (name, type, may be empty/null, example, French, English)
_VARIABLES = [
    # the document
    ("contract.kind", TEXT, False, "quote", "Nature du document : contract, quote, order ou invoice",
     "Kind of document: contract, quote, order or invoice"),
    ("contract.number", TEXT, False, "Q-2026-00042", "Numéro du document", "Document number"),
    ("contract.title", TEXT, False, "Maintenance 2027", "Intitulé", "Title"),
    ("contract.status", TEXT, False, "draft", "Statut (draft, sent, accepted...)", "Status (draft, sent, accepted...)"),
    ("contract.created_at", DATE, False, "1 décembre 2026", "Date de création, écrite dans la langue du document",
     "Creation date, written in the document's language"),
    ("contract.valid_until", DATE, True, "31 décembre 2026", "Date de fin de validité (vide si aucune)",
     "Valid until (empty when none)"),
    ("contract.currency", TEXT, False, "EUR", "Devise (code ISO 4217)", "Currency (ISO 4217 code)"),
    ("contract.locale", TEXT, False, "fr", "Langue du document : fr ou en", "Language of the document: fr or en"),
    ("contract.deal_ref", TEXT, True, "AFF-2026-118", "Référence de l'affaire", "Deal reference"),
    ("contract.notes", TEXT, True, "Livraison sous 15 jours.", "Notes du document", "Notes of the document"),
    ("contract.data", OBJECT, False, "{'site': 'Lille'}", "Les champs de fusion saisis (comme fields)",
     "The merge fields' values (same as fields)"),
    ("contract.custom", OBJECT, False, "{'region': 'Nord'}", "Les colonnes personnalisées (comme custom)",
     "The custom columns' values (same as custom)"),
    ("fields.<key>", TEXT, True, "Fournil, 3 rue du Pain, Lille",
     "Valeur d'un champ de fusion du type de contrat (ex. fields.site)",
     "Value of one of the contract type's merge fields (e.g. fields.site)"),
    ("custom.<key>", TEXT, True, "Nord", "Valeur d'une colonne personnalisée de la licence (ex. custom.region)",
     "Value of one of the license's custom columns (e.g. custom.region)"),
    # the customer and the contact
    ("customer.name", TEXT, False, "Boulangerie Martin", "Nom du client", "Customer name"),
    ("customer.code", TEXT, False, "CU-000123", "Code client", "Customer code"),
    ("customer.kind", TEXT, False, "company", "company (société) ou person (particulier)",
     "company or person"),
    ("customer.email", TEXT, True, "contact@boulangerie.test", "E-mail du client", "Customer email"),
    ("customer.phone", TEXT, True, "+33 3 20 00 00 00", "Téléphone du client", "Customer phone"),
    ("customer.address", OBJECT, False, "{'line1': '3 rue du Pain', ...}",
     "Adresse : line1, line2, postal_code, city, country (chacune peut manquer : customer.address.get('city'))",
     "Address: line1, line2, postal_code, city, country (each may be missing: customer.address.get('city'))"),
    ("customer.vat_number", TEXT, True, "FR44732829320", "N° de TVA du client", "Customer VAT number"),
    ("contact", OBJECT, True, "", "Le contact du document, ou rien : à tester avec {% if contact %}",
     "The document's contact, or none: test it with {% if contact %}"),
    ("contact.name", TEXT, False, "Claire Martin", "Prénom et nom du contact", "Contact's full name"),
    ("contact.first_name", TEXT, False, "Claire", "Prénom du contact", "Contact's first name"),
    ("contact.last_name", TEXT, False, "Martin", "Nom du contact", "Contact's last name"),
    ("contact.title", TEXT, True, "Gérante", "Fonction du contact", "Contact's job title"),
    ("contact.department", TEXT, True, "Direction", "Service du contact", "Contact's department"),
    ("contact.type", TEXT, True, "main", "Type de contact", "Contact type"),
    ("contact.email", TEXT, True, "claire@boulangerie.test", "E-mail du contact", "Contact's email"),
    ("contact.phone", TEXT, True, "+33 3 20 00 00 01", "Téléphone du contact", "Contact's phone"),
    ("contact.mobile", TEXT, True, "+33 6 12 34 56 78", "Mobile du contact", "Contact's mobile"),
    ("contact.fax", TEXT, True, "", "Fax du contact", "Contact's fax"),
    ("contact.branch", TEXT, True, "Lille", "Agence du contact", "Contact's branch"),
    ("contact.id", TEXT, False, "3f6c…", "Identifiant du contact", "Contact id"),
    ("contact.customer_id", TEXT, False, "9a1b…", "Identifiant du client du contact", "Contact's customer id"),
    ("contact.created_at", TEXT, False, "2026-11-02T09:00:00Z", "Date de création du contact (ISO 8601)",
     "When the contact was created (ISO 8601)"),
    # the salesperson
    ("owner.name", TEXT, False, "Sam Sales", "Nom du commercial responsable", "Owner (salesperson) name"),
    ("owner.email", TEXT, False, "sam@vendeur.test", "E-mail du commercial", "Owner's email"),
    # the issuer: the license's company profile (Settings > Company profile)
    ("issuer.name", TEXT, True, "Vendeur SA", "Raison sociale de l'émetteur", "Issuer's company name"),
    ("issuer.address", OBJECT, False, "{'line1': '1 rue de la Paix', ...}",
     "Adresse de l'émetteur : line1, line2, postal_code, city, country",
     "Issuer's address: line1, line2, postal_code, city, country"),
    ("issuer.address_lines", LIST, False, "['1 rue de la Paix', '75002 Paris', 'France']",
     "Adresse prête à afficher, une ligne par élément (code postal et ville sur une ligne)",
     "Address ready to print, one line per item (postal code and city on one line)"),
    ("issuer.contact_lines", LIST, False, "['Tél. +33 1 23 45 67 89', 'contact@vendeur.test']",
     "Téléphone, e-mail, site web, prêts à afficher", "Phone, email, website, ready to print"),
    ("issuer.legal", LIST, False, "['SAS au capital de 10 000,00 €', 'RCS Paris', 'SIREN 732 829 320']",
     "Mentions légales prêtes à afficher", "Legal mentions ready to print"),
    ("issuer.logo_url", TEXT, True, "paraph-asset:…", "Le logo, pour <img src=\"{{ issuer.logo_url }}\">",
     "The logo, for <img src=\"{{ issuer.logo_url }}\">"),
    ("issuer.logo", OBJECT, True, "", "Le fichier du logo (url, content_type, size...)",
     "The logo file (url, content_type, size...)"),
    ("issuer.siren", TEXT, True, "732829320", "SIREN", "SIREN (French company number)"),
    ("issuer.siret", TEXT, True, "73282932000074", "SIRET", "SIRET (French establishment number)"),
    ("issuer.vat_number", TEXT, True, "FR44732829320", "N° de TVA intracommunautaire", "EU VAT number"),
    ("issuer.legal_form", TEXT, True, "SAS", "Forme juridique", "Legal form"),
    ("issuer.share_capital", TEXT, True, "10000.00", "Capital social (nombre)", "Share capital (a number)"),
    ("issuer.rcs_city", TEXT, True, "Paris", "Ville du RCS", "RCS registry city"),
    ("issuer.phone", TEXT, True, "+33 1 23 45 67 89", "Téléphone de l'émetteur", "Issuer's phone"),
    ("issuer.email", TEXT, True, "contact@vendeur.test", "E-mail de l'émetteur", "Issuer's email"),
    ("issuer.website", TEXT, True, "https://vendeur.test", "Site web de l'émetteur", "Issuer's website"),
    ("issuer.updated_at", TEXT, True, "2026-11-02T09:00:00Z", "Dernière modification du profil (ISO 8601)",
     "When the profile was last changed (ISO 8601)"),
    # the lines and totals
    ("has_lines", BOOLEAN, False, "true", "Le document a des lignes", "The document has lines"),
    ("lines", LIST, False, "", "Les lignes incluses : {% for line in lines %}", "The included lines: {% for line in lines %}"),
    ("optional_lines", LIST, False, "", "Les options non retenues (mêmes variables que lines)",
     "Optional lines not selected (same variables as lines)"),
    ("lines[].product_code", TEXT, True, "FOUR", "Code produit", "Product code"),
    ("lines[].description", TEXT, False, "Four à sole", "Désignation", "Description"),
    ("lines[].quantity", NUMBER, False, "2,5", "Quantité, écrite dans la langue du document",
     "Quantity, written in the document's language"),
    ("lines[].unit", TEXT, True, "h", "Unité", "Unit"),
    ("lines[].quantity_unit", TEXT, False, "2,5 h", "Quantité suivie de l'unité", "Quantity followed by its unit"),
    ("lines[].unit_price", NUMBER, False, "9000.00", "Prix unitaire HT (nombre)", "Unit price excl. tax (a number)"),
    ("lines[].unit_price_fmt", MONEY, False, "9 000,00 €", "Prix unitaire HT avec la devise",
     "Unit price excl. tax with its currency"),
    ("lines[].discount_pct", NUMBER, False, "10.00", "Remise en % (nombre)", "Discount in % (a number)"),
    ("lines[].discount", RATE, False, "10 %", "Remise, écrite dans la langue du document",
     "Discount, written in the document's language"),
    ("lines[].tax_rate", NUMBER, False, "20.00", "Taux de TVA en % (nombre)", "VAT rate in % (a number)"),
    ("lines[].tax", RATE, False, "20 %", "Taux de TVA, écrit dans la langue du document",
     "VAT rate, written in the document's language"),
    ("lines[].amount", MONEY, False, "8 100,00 €", "Montant HT de la ligne", "Net amount of the line"),
    ("lines[].optional", TEXT, False, "False", "La ligne est une option (True/False)", "The line is optional (True/False)"),
    ("lines[].selected", TEXT, False, "False", "L'option est retenue (True/False)", "The option is selected (True/False)"),
    ("totals.subtotal", MONEY, False, "9 100,00 €", "Total HT", "Subtotal excl. tax"),
    ("totals.tax", MONEY, False, "1 805,50 €", "Total des taxes", "Total tax"),
    ("totals.total", MONEY, False, "10 905,50 €", "Total TTC", "Total incl. tax"),
    ("totals.optional", MONEY, False, "500,00 €", "Total des options non retenues", "Total of the optional lines"),
    ("totals.taxes", LIST, False, "", "TVA par taux : {% for t in totals.taxes %}", "Tax by rate: {% for t in totals.taxes %}"),
    ("totals.taxes[].rate", NUMBER, False, "20.00", "Taux (nombre)", "Rate (a number)"),
    ("totals.taxes[].rate_fmt", RATE, False, "20 %", "Taux, écrit dans la langue du document",
     "Rate, written in the document's language"),
    ("totals.taxes[].base", NUMBER, False, "9000.00", "Base HT (nombre)", "Taxable base (a number)"),
    ("totals.taxes[].base_fmt", MONEY, False, "9 000,00 €", "Base HT avec la devise", "Taxable base with its currency"),
    ("totals.taxes[].tax", NUMBER, False, "1800.00", "Montant de TVA (nombre)", "Tax amount (a number)"),
    ("totals.taxes[].tax_fmt", MONEY, False, "1 800,00 €", "Montant de TVA avec la devise", "Tax amount with its currency"),
    # fixed wording
    ("labels.<key>", TEXT, False, "Devis",
     "Libellés dans la langue du document : labels.quote, labels.total, labels[contract.kind]...",
     "Wording in the document's language: labels.quote, labels.total, labels[contract.kind]..."),
]

def catalog(locale: str = "en") -> list[dict]:
    """Every template variable: name, type, nullable, example and description in ``locale`` (fr or en)."""
    french = locale == "fr"
    return [{"name": name, "type": type_, "nullable": nullable, "example": example,
             "description": fr if french else en}
            for name, type_, nullable, example, fr, en in _VARIABLES]


def documented_names() -> set[str]:
    return {v[0] for v in _VARIABLES}
