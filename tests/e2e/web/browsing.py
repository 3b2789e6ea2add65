"""Finding things on the page the browser tests drive.

A click on a submit button or a link returns as soon as Chromium has dispatched it, sometimes before the
next page is there: looking an element up at once can race the navigation. ``by_id`` waits (up to
``WAIT_SECONDS``) for the element to be in the page, so a check of what the next page shows (an error next to
its field, a notice) does not fail only because the page had not arrived yet.
"""
WAIT_SECONDS = 10


def by_id(browser, element_id: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(browser, WAIT_SECONDS).until(
        expected_conditions.presence_of_element_located((By.ID, element_id)))


def ok(response, status=(200, 201)):
    """The JSON of an API answer that a test's setup expects to succeed (else the problem it got)."""
    assert response.status_code in ((status,) if isinstance(status, int) else status), response.get_json()
    return response.get_json()
