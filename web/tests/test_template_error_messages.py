"""A contract type's template refused for a custom column no column of the license has: the contracts service's
words (naming the key and the keys there are) shown in the page's language by the template editor."""
from __future__ import annotations

import pytest

from paraph_web import create_app
from paraph_web.api_messages import translate


def _refusal(columns: list[dict]) -> str:
    """The field error the contracts service gives a template naming ``custom.regoin``, as the editor receives it."""
    pdf = pytest.importorskip("contracts_service.pdf")
    with pytest.raises(pdf.InvalidInput) as caught:
        pdf.check_template("<h1>x</h1>\n{{ custom.regoin }}", [], columns)
    [message] = caught.value.details["fields"]["template_html"]
    return message


@pytest.mark.parametrize("language, columns, said", [
    ("fr", [{"key": "region", "label": "Région", "type": "text"}, {"key": "budget", "label": "Budget", "type": "number"}],
     "ligne 2\u00a0: «\u00a0custom.regoin\u00a0» n'est pas défini\u00a0: aucune colonne personnalisée n'a la clé "
     "«\u00a0regoin\u00a0» (clés existantes\u00a0: budget, region)"),
    ("fr", [], "ligne 2\u00a0: «\u00a0custom.regoin\u00a0» n'est pas défini\u00a0: aucune colonne personnalisée n'a "
               "la clé «\u00a0regoin\u00a0» (il n'y en a aucune pour l'instant)"),
    ("en", [{"key": "region", "label": "Région", "type": "text"}],
     "line 2: “custom.regoin” is undefined: no custom column has the key “regoin” (the keys: region)"),
    ("en", [], "line 2: “custom.regoin” is undefined: no custom column has the key “regoin” (the license has no "
               "custom columns)"),
])
def test_an_unknown_custom_column_is_said_in_the_page_language(language, columns, said):
    app = create_app({"GATEWAY_URL": "http://127.0.0.1:9", "WEB_SESSION_KEY": "k"})
    with app.test_request_context(headers={"Accept-Language": language}):
        assert translate(_refusal(columns)) == said
