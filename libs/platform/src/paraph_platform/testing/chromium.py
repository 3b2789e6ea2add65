"""The ``browser`` fixture: a real headless Chromium driven by selenium (``CHROMIUM_BINARY``, ``CHROMEDRIVER``)."""
from __future__ import annotations

import os

import pytest


CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")


@pytest.fixture
def browser():
    """A real headless Chromium (selenium + chromedriver) with its own profile and download folder
    (``browser.downloads``); skipped where Chromium is not installed."""
    import shutil
    import tempfile
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip("chromium and chromedriver are not installed")
    profile = tempfile.mkdtemp(prefix="paraph-chrome-")
    downloads = tempfile.mkdtemp(prefix="paraph-dl-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}", "--window-size=1280,1600"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": downloads,
                                              "download.prompt_for_download": False,
                                              "safebrowsing.enabled": False})
    # the console's errors (a Content-Security-Policy violation, a failed script) for browser.get_log("browser")
    options.set_capability("goog:loggingPrefs", {"browser": "SEVERE"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(downloads, ignore_errors=True)
