"""The settings lists walk the API's pages by cursor: the users page (with its total, asked with count=true)
and the notifications log show 50 rows, "Next" opens the following rows and "Previous" comes back."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from paraph_platform.db import new_id

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


def rows_of(browser, selector: str) -> list[str]:
    from selenium.webdriver.common.by import By
    return [e.get_attribute("data-user") or e.text for e in browser.find_elements(By.CSS_SELECTOR, selector)]


def follow(browser, rel: str):
    from selenium.webdriver.common.by import By
    href = browser.find_element(By.CSS_SELECTOR, f"nav.pagination a[rel={rel}]").get_attribute("href")
    browser.get(href)


def test_users_and_notifications_pages_walk_by_cursor(web_system, staff, browser, sign_in):
    from identity_service.models import Membership, User
    from notify_service.models import Notification
    from selenium.webdriver.common.by import By
    s, w = web_system.s, web_system
    license_id = s.get("/api/v1/license", token=staff.admin["access_token"]).get_json()["id"]
    users = [User(id=new_id(), email=f"member{i:02d}@acme.test", name=f"Member {i:02d}") for i in range(60)]
    s.seed("identity", users)
    s.seed("identity", [Membership(user_id=u.id, license_id=license_id, role="user", status="active") for u in users])
    t0 = datetime(2026, 6, 1, tzinfo=timezone.utc)
    s.seed("notify", [Notification(
        license_id=license_id, channel="email", template="quote_send", locale="fr", recipient=f"n{i:02d}@x.test",
        status="sent", dedupe_key=f"web-{i}", delivery_key=f"web-{i}", subject=f"Quote {i:02d}",
        created_at=t0 + timedelta(minutes=i), updated_at=t0) for i in range(70)])

    sign_in(browser, staff.email["admin"], next_path="/settings/users")
    assert "(62)" in browser.find_element(By.ID, "users-heading").text  # 60 + the admin and the salesperson
    first = rows_of(browser, "#users tbody tr")
    assert len(first) == 50 and not browser.find_elements(By.CSS_SELECTOR, "nav.pagination a[rel=prev]")
    follow(browser, "next")
    second = rows_of(browser, "#users tbody tr")
    assert len(second) == 12 and not set(first) & set(second)
    assert sorted(first + second) == first + second  # by email, across the pages
    assert not browser.find_elements(By.CSS_SELECTOR, "nav.pagination a[rel=next]")
    follow(browser, "prev")
    assert rows_of(browser, "#users tbody tr") == first

    browser.get(w.url + "/settings/notifications?status=sent")
    page1 = rows_of(browser, "#notifications tbody tr")
    follow(browser, "next")
    page2 = rows_of(browser, "#notifications tbody tr")
    assert len(page1) == 50 and page2 and not set(page1) & set(page2)
    assert any("Quote 69" in row for row in page1) and any("Quote 00" in row for row in page2)  # newest first
