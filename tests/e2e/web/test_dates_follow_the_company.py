"""A reader whose browser is American (en-US, headless Chromium's own language, and New York's time zone) reads the
staff pages of a British or French company in English with its dates day first, as the company's quotes, emails and
proofs write them, not in the browser's month-first order; a company of the United States reads them month first
(paraph_platform.dates.formats_locale: the page's language and the license's ``country``). Either way the times are
in the reader's own zone, named by their offset."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from .browsing import css, ok

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

READER_ZONE = "America/New_York"
DAY_FIRST = re.compile(r"(?P<day>\d{1,2}) (?P<month>[A-Z][a-z]{2}) (?P<year>\d{4}), (?P<clock>\d{2}:\d{2}:\d{2}) "
                       r"(?P<offset>UTC-\d+)")
MONTH_FIRST = re.compile(r"(?P<month>[A-Z][a-z]{2}) (?P<day>\d{1,2}), (?P<year>\d{4}), (?P<clock>\d{1,2}:\d{2}:\d{2})"
                         r"\s(?P<half>[AP]M) (?P<offset>UTC-\d+)")


def american_browser(browser):
    """What an American Chromium says (``--lang=en-US``): its language to every request, its locale to scripts, and
    New York's time zone, which app.js keeps in the ``tz`` cookie for the pages' times."""
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Accept-Language": "en-US,en;q=0.9"}})
    browser.execute_cdp_cmd("Emulation.setLocaleOverride", {"locale": "en-US"})
    browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": READER_ZONE})


def as_the_reader_reads_it(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(ZoneInfo(READER_ZONE))


@pytest.mark.parametrize("company, country, email, written", [
    ("Thames Tools Ltd", "GB", "emma@thames.test", DAY_FIRST),
    ("Atelier Lumière", "FR", "john@lumiere.test", DAY_FIRST),  # a French company, its admin reading English
    ("Hudson Tools Inc", "US", "amy@hudson.test", MONTH_FIRST),
])
def test_an_american_browser_reads_the_dates_as_the_company_writes_them(web_system, browser, sign_in, screenshot,
                                                                        company, country, email, written):
    s = web_system.s
    admin = s.new_license(company, email, country=country, locale="en")
    assert ok(s.get("/api/v1/license", token=admin["access_token"]))["settings"]["country"] == country
    customer = ok(s.post("/api/v1/customers", token=admin["access_token"], json={"name": "Brightwater Joinery"}),
                  status=201)
    # a line of its history
    ok(s.patch(f"/api/v1/customers/{customer['id']}", token=admin["access_token"], json={"code": "BW-1"}))
    american_browser(browser)
    assert browser.execute_script("return navigator.language") == "en-US"
    sign_in(browser, email, next_path=f"/customers/{customer['id']}?tab=history")
    assert browser.find_element("css selector", "html").get_attribute("lang") == "en"
    [created] = css(browser, "#customer-history time")
    shown = written.fullmatch(created.text)
    assert shown, f"{company}: {created.text!r}"
    # the moment itself, in the reader's zone (New York), whatever order it is written in
    moment = as_the_reader_reads_it(created.get_attribute("datetime"))
    assert (int(shown["day"]), shown["month"], int(shown["year"])) == (moment.day, moment.strftime("%b"), moment.year)
    clock = f"{moment:%H:%M:%S}" if written is DAY_FIRST else f"{moment:%-I:%M:%S}"
    assert shown["clock"] == clock and shown["offset"] == f"UTC{int(moment.utcoffset().total_seconds()) // 3600}"
    screenshot(browser, f"dates-{country.lower()}-company-american-browser")

    # a list's days too: the customers' list, its day of creation ("7 Dec 2026" / "Dec 7, 2026")
    browser.get(web_system.url + "/customers")
    [day] = css(browser, 'tr[data-customer="Brightwater Joinery"] time')
    moment = as_the_reader_reads_it(day.get_attribute("datetime"))
    assert day.text == (f"{moment.day} {moment:%b %Y}" if written is DAY_FIRST else f"{moment:%b} {moment.day}, "
                                                                                   f"{moment.year}"), day.text
    screenshot(browser, f"dates-{country.lower()}-company-customers-list")
