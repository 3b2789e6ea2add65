"""Finding things on the page the browser tests drive.

A click on a submit button or a link returns as soon as Chromium has dispatched it, sometimes before the
next page is there: looking an element up at once can race the navigation. ``by_id`` waits (up to
``WAIT_SECONDS``) for the element to be in the page, so a check of what the next page shows (an error next to
its field, a notice) does not fail only because the page had not arrived yet.

An element of the page being replaced can fail in more than one way: ChromeDriver says "stale element" once
the old document is gone, but "Node with given id does not belong to the document" (a plain
WebDriverException) while the new one is being attached. ``gone`` treats both as "that page is gone".
"""
import contextlib
from pathlib import Path

WAIT_SECONDS = 10
PHONE_WIDTH = 375  # px: UI.md's phone, as the phone screenshots (``screenshots`` below)
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-output" / "screenshots"  # gitignored (web/README.md)

# what ChromeDriver says, in a plain WebDriverException, about a node of a document being replaced
_NODE_OF_REPLACED_DOCUMENT = ("does not belong to the document", "No node with given id")


def by_id(browser, element_id: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(browser, WAIT_SECONDS).until(
        expected_conditions.presence_of_element_located((By.ID, element_id)))


def css(browser, selector):
    from selenium.webdriver.common.by import By
    return browser.find_elements(By.CSS_SELECTOR, selector)


_OUTLINED = ("rgba(255, 255, 255, 1)", "rgb(255, 255, 255)", "rgba(0, 0, 0, 0)", "transparent")


def filled_buttons(browser) -> list[str]:
    """The words of the page's filled buttons as a person sees them (outlined ones are white): UI.md's "one
    primary action per page" is a list of one."""
    return [b.text for b in css(browser, "main button, main [role=button]")
            if b.is_displayed() and b.value_of_css_property("background-color") not in _OUTLINED]


def more_actions(browser):
    """Open a document page's "More actions" disclosure (client portal, duplicate, convert) in its header."""
    from selenium.webdriver.support.ui import WebDriverWait
    if by_id(browser, "more-actions").get_attribute("open") is None:
        by_id(browser, "more-actions-button").click()
    # Pico fades the menu in: its items are read and clicked once it is shown
    WebDriverWait(browser, WAIT_SECONDS).until(lambda _: browser.execute_script(
        "return getComputedStyle(document.querySelector('#more-actions > ul')).opacity === '1';"))


def gone(error: Exception) -> bool:
    """Does this error from a WebDriver call mean the element's page was replaced meanwhile?"""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    if isinstance(error, (StaleElementReferenceException, NoSuchElementException)):
        return True
    return any(words in str(error) for words in _NODE_OF_REPLACED_DOCUMENT)


def stale(element) -> bool:
    """Has the page this element was on been replaced (after a click that loads another page)?"""
    from selenium.common.exceptions import WebDriverException
    try:
        element.is_enabled()
        return False
    except WebDriverException as error:
        if gone(error):
            return True
        raise


def fill(browser, values: dict):
    """Type into the fields by id, replacing what they hold."""
    for field_id, value in values.items():
        element = by_id(browser, field_id)
        element.clear()
        element.send_keys(value)


def portal_sign_in(browser, w, page_url: str, email: str, password: str):
    """Sign in to the client portal on ``page_url`` (a portal page: its sign-in form shows first)."""
    from selenium.webdriver.common.by import By
    browser.get(page_url)
    w.wait(lambda: browser.find_element(By.ID, "login").is_displayed(), message="the portal's sign-in")
    browser.find_element(By.ID, "login-email").send_keys(email)
    browser.find_element(By.ID, "login-password").send_keys(password)
    browser.find_element(By.ID, "login-submit").click()


def sign_with_the_emailed_code(browser, s, email: str, consent: bool = False, signed=None, sent="Code envoyé"):
    """On the public signing page (its fields filled): ask for the one-time code, type the one sent to ``email``
    (read through the system ``s``), tick the consent box if asked, sign, and wait until the page says it is
    signed (``signed()``: another sign of it, the in-person page's give-back screen, a page in English). ``sent``:
    the words saying the code is sent, in the page's language."""
    from signing_service import testing as esign
    browser.find_element("id", "send").click()
    s.wait_for(lambda: sent in browser.find_element("id", "msg").text, timeout=20, message="the code")
    browser.find_element("id", "otp").send_keys(esign.otp(s, email))
    if consent:
        browser.find_element("id", "consent").click()
    browser.find_element("id", "go").click()
    s.wait_for(signed or (lambda: "signé" in browser.find_element("id", "msg").text), timeout=30,
               message="the signature")


def text_of(browser, id_) -> str:
    """The element's text, or "" while the next page loads (for waits after a click)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    try:
        return "".join(element.text for element in browser.find_elements(By.ID, id_))
    except WebDriverException as error:
        if gone(error):
            return ""
        raise


def page_text(browser) -> str:
    """The whole page's text, or "" while the next page loads."""
    from selenium.common.exceptions import WebDriverException
    try:
        return css(browser, "body")[0].text
    except IndexError:
        return ""
    except WebDriverException as error:
        if gone(error):
            return ""
        raise


def wait_for_next_page(browser, page, seconds: float = 15):
    """Wait until the page whose root element is ``page`` was replaced by the next one."""
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(browser, seconds).until(lambda _: stale(page))


def ok(response, status=(200, 201)):
    """The JSON of an API answer that a test's setup expects to succeed (else the problem it got)."""
    assert response.status_code in ((status,) if isinstance(status, int) else status), response.get_json()
    return response.get_json()


def screens_down(browser, element) -> float:
    """How far down the page the element starts, in window heights (0: at the very top; under 1: seen without
    scrolling): how much a reader on a phone scrolls to reach it."""
    return browser.execute_script(
        "return (arguments[0].getBoundingClientRect().top + window.scrollY) / window.innerHeight;", element)


def off_centre(browser, element) -> float:
    """How far (px) the element's middle is from the middle of the window's width: 0 for a centred card."""
    return browser.execute_script(
        "var r = arguments[0].getBoundingClientRect();"
        "return Math.abs((r.left + r.right) / 2 - document.documentElement.clientWidth / 2);", element)


def in_view(browser, element) -> bool:
    """Does the element start inside the window as the page is scrolled now: seen without scrolling (the
    browser landed on it, by a URL's fragment)?"""
    return browser.execute_script(
        "var top = arguments[0].getBoundingClientRect().top; return top >= 0 && top < window.innerHeight;", element)


def scrolls_sideways(browser) -> bool:
    """Is the page wider than the window, so that a reader on a phone must scroll sideways to read it?"""
    return browser.execute_script("return document.documentElement.scrollWidth > window.innerWidth;")


def across_in_view(browser, element) -> bool:
    """Is the element shown whole across the window's width: not cut by its edge (nor by a frame that scrolls
    sideways, which would put it past the edge), so read without scrolling sideways?"""
    return element.is_displayed() and browser.execute_script(
        "var r = arguments[0].getBoundingClientRect();"
        "return r.width > 0 && r.left >= 0 && r.right <= document.documentElement.clientWidth;", element)


_LINES_OF = """
const element = arguments[0], wanted = arguments[1], at = element.textContent.indexOf(wanted);
if (at < 0) return 0;
const range = document.createRange(), nodes = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
let offset = 0, started = false;
while (nodes.nextNode()) {  // the text nodes holding its first and last characters
  const node = nodes.currentNode, length = node.textContent.length;
  if (!started && at < offset + length) { range.setStart(node, at - offset); started = true; }
  if (at + wanted.length <= offset + length) { range.setEnd(node, at + wanted.length - offset); break; }
  offset += length;
}
return new Set([].map.call(range.getClientRects(), r => Math.round(r.top))).size;
"""


def lines_of(browser, element, text: str) -> int:
    """How many lines the first ``text`` in the element is written on (0: not there): 1 for a document number kept
    whole, 2 for one a line break cut ("Q-" at a line's end, "2026-00001" at the next one's start)."""
    return browser.execute_script(_LINES_OF, element, text)


def shown_label(browser, cell) -> str | None:
    """The column's name a table's cell shows before its value (on a phone, where each row is a block: its
    ``data-label``, shown by app.css), or None when it shows none."""
    shown = browser.execute_script("return getComputedStyle(arguments[0], '::before').content;", cell)
    return cell.get_attribute("data-label") if shown not in ("none", "normal", "") else None


@contextlib.contextmanager
def on_a_phone(browser):
    """The window as a phone's (``PHONE_WIDTH`` wide) for the checks inside the block, then as it was."""
    size = browser.get_window_size()
    browser.set_window_size(PHONE_WIDTH, 812)
    try:
        yield browser
    finally:
        browser.set_window_size(size["width"], size["height"])


# the page's width and the elements that make it wider than the window, outside any element that scrolls or
# clips them (the culprits, for the failure message)
_OVERFLOW_JS = """
const vw = document.documentElement.clientWidth, out = [];
for (const el of document.querySelectorAll('body *')) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.right <= vw + 1) continue;
  let p = el.parentElement, inside = false;
  while (p && p !== document.body) { const o = getComputedStyle(p).overflowX; if (o !== 'visible') { inside = true; break; } p = p.parentElement; }
  if (inside) continue;
  out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ' right=' + Math.round(r.right));
}
return {scroll_width: document.documentElement.scrollWidth, width: vw, wide: out.slice(0, 8)};
"""


def screenshots(browser, name, *, wide_ok=False):
    """Saves ``<name>-desktop.png`` (1280 px) and ``<name>-phone.png`` (375 px) of the current page under
    ``SCREENSHOTS`` (the ``screenshot`` fixture of tests/e2e/web); at the phone's width, the page must not scroll
    sideways (a wide table scrolls in its own frame), unless ``wide_ok`` (a page of the test's own, not the
    product's)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = browser.get_window_size()
    try:
        for label, width in (("desktop", 1280), ("phone", PHONE_WIDTH)):
            browser.set_window_size(width, 900)
            # the window's own bars take some of its height: without them, the page's bottom was left out
            height, bars = browser.execute_script("return [document.documentElement.scrollHeight,"
                                                  " window.outerHeight - window.innerHeight]")
            browser.set_window_size(width, min(max(height + max(bars, 0), 600), 3000))
            browser.save_screenshot(str(SCREENSHOTS / f"{name}-{label}.png"))
            if label == "phone" and not wide_ok:  # UI.md: every page works at 375 px wide
                overflow = browser.execute_script(_OVERFLOW_JS)
                assert overflow["scroll_width"] <= overflow["width"], \
                    f"{name}: the page is wider than the phone's screen: {overflow}"
    finally:
        browser.set_window_size(size["width"], size["height"])
