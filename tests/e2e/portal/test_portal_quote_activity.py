"""Quote activity (Initiative CRM / LEXZUR): every view and download of a quote is recorded with date and
time and counted in the quote list, whether the contact opens the emailed online page or the quote shared
with them on the customer portal (a reload within a few seconds counts once there); link scanners and
previewers (mail security gateways, chat unfurlers, HEAD requests) get the page but are not views."""
import pytest

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 "
                         "Safari/537.36"}
SCANNERS = [
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot/1.0",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "Mozilla/4.0 (compatible; ms-office; MSOffice 16)",
    "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/41.0.2272.118 "
    "Safari/537.36 SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "python-requests/2.32.3",
    "curl/8.5.0",
    "Barracuda Sentinel (EE)",
    "Proofpoint URL Defense",
    "",
]


def _token(link: str) -> str:
    return link.rsplit("/q/", 1)[1]


def _activity(w):
    r = w.s.get(f"/api/v1/quotes/{w.quote['id']}/activity", token=w.sales_token)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _events(w, type_):
    return [e["data"] for e in w.outbox("portal", type_) if e["data"]["contract_id"] == w.quote["id"]]


def _history(w):
    r = w.s.get(f"/api/v1/contracts/{w.quote['id']}/history", token=w.sales_token)
    assert r.status_code == 200, r.get_json()
    return [h for h in r.get_json() if h["action"] in ("portal_viewed", "portal_downloaded")]


def test_portal_clients_views_and_downloads_of_a_shared_quote_are_recorded_and_counted(world):
    s, w = world.s, world
    w.grant("alice", "8005551216")
    w.grant("bob", "8005551217")
    alice, bob = w.client("alice")["access_token"], w.client("bob")["access_token"]
    w.share(w.quote["id"], "alice", ["bob"])
    w.share(w.contract["id"], "alice")
    path = f"/api/v1/portal/contracts/{w.quote['id']}"

    # Alice opens the quote in the portal, reloads it twice, downloads its PDF twice: one view, one download
    for _ in range(3):
        r = s.get(path, token=alice, headers=BROWSER, environ_base={"REMOTE_ADDR": "192.0.2.30"})
        assert r.status_code == 200 and r.get_json()["number"] == w.quote["number"], r.get_json()
    for _ in range(2):
        r = s.get(f"{path}/pdf", token=alice, headers=BROWSER)
        assert r.status_code == 200 and r.data.startswith(b"%PDF")
    viewed, downloaded = _events(w, "quote.viewed.v1"), _events(w, "quote.downloaded.v1")
    assert len(viewed) == 1 and len(downloaded) == 1
    event = viewed[0]
    assert event["channel"] == "portal" and event["contact_id"] == w.alice["id"]
    assert event["contact_name"] == "Alice Martin" and event["contact_email"] == "alice@acme.test"
    assert event["owner_id"] == w.sales["user"]["user_id"] and event["number"] == w.quote["number"]
    assert event["ip"] == "192.0.2.30" and event["user_agent"] == BROWSER["User-Agent"] and event["at"].endswith("Z")
    assert downloaded[0]["channel"] == "portal" and downloaded[0]["contact_id"] == w.alice["id"]

    # Bob (an observer) is another client: his view counts
    assert s.get(path, token=bob, headers=BROWSER).status_code == 200
    # a HEAD request is no view (kept as a prefetch)
    assert s.client.head(path, headers={"Authorization": f"Bearer {alice}", **BROWSER}).status_code == 200
    # a shared contract that is not a quote has no quote activity
    assert s.get(f"/api/v1/portal/contracts/{w.contract['id']}", token=alice, headers=BROWSER).status_code == 200
    assert s.get(f"/api/v1/portal/contracts/{w.contract['id']}/pdf", token=alice).status_code == 200
    assert w.rows("portal", "select count(*) from quote_activity where contract_id = :c", c=w.contract["id"]) \
        == [(0,)]

    # past the burst window Alice's next view counts again
    w.execute("portal", "update quote_activity set at = at - interval '31 seconds' where channel = 'portal'")
    assert s.get(path, token=alice, headers=BROWSER).status_code == 200
    assert [(e["contact_id"], e["channel"]) for e in _events(w, "quote.viewed.v1")] == [
        (w.alice["id"], "portal"), (w.bob["id"], "portal"), (w.alice["id"], "portal")]

    # the emailed online page is recorded too, and a portal view just before does not swallow it
    token = _token(w.send_quote(request_signature=False)["link"])
    assert s.get(f"/q/{token}", headers=BROWSER).status_code == 200
    assert _events(w, "quote.viewed.v1")[-1]["channel"] == "quote_page"

    activity = _activity(w)
    assert activity["views"] == 4 and activity["downloads"] == 1 and activity["prefetches"] == 1
    assert [(e["kind"], e["channel"], e["contact_name"]) for e in activity["events"]] == [
        ("viewed", "portal", "Alice Martin"), ("downloaded", "portal", "Alice Martin"),
        ("viewed", "portal", "Bob Durand"), ("prefetch", "portal", "Alice Martin"),
        ("viewed", "portal", "Alice Martin"), ("viewed", "quote_page", "Alice Martin")]
    assert all(e["at"] for e in activity["events"])
    # contracts counts them in the quote list and keeps them in the quote's history, with the channel
    s.wait_for(lambda: w.quote_counts() == (4, 1), message="view/download counts in the quote list")
    history = _history(w)
    assert sorted((h["action"], h["details"].get("channel")) for h in history) == [
        ("portal_downloaded", "portal"), ("portal_viewed", "portal"), ("portal_viewed", "portal"),
        ("portal_viewed", "portal"), ("portal_viewed", "quote_page")]


def test_link_scanners_and_previews_are_not_views(world):
    s, w = world.s, world
    token = _token(w.send_quote(request_signature=False)["link"])
    # a HEAD request (link check) gets the page's status, no view
    r = s.client.head(f"/q/{token}", headers=BROWSER)
    assert r.status_code == 200 and r.mimetype == "text/html"
    # mail security gateways, chat unfurlers, crawlers, scripts, no User-Agent: they get the page and the PDF
    for agent in SCANNERS:
        r = s.get(f"/q/{token}", headers={"User-Agent": agent})
        assert r.status_code == 200 and w.quote["number"] in r.get_data(as_text=True), agent
    r = s.get(f"/q/{token}/pdf", headers={"User-Agent": SCANNERS[0]})
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    assert s.client.head(f"/q/{token}/pdf", headers=BROWSER).status_code == 200
    assert _events(w, "quote.viewed.v1") == [] and _events(w, "quote.downloaded.v1") == []
    activity = _activity(w)
    assert activity["views"] == 0 and activity["downloads"] == 0
    assert activity["prefetches"] == len(SCANNERS) + 3
    assert {e["kind"] for e in activity["events"]} == {"prefetch"}
    assert {e["channel"] for e in activity["events"]} == {"quote_page"}
    assert sorted({e["user_agent"] for e in activity["events"]}) == sorted(set(SCANNERS + [BROWSER["User-Agent"]]))

    # then the customer opens it in a browser: one view, one download (the online page counts every one)
    assert s.get(f"/q/{token}", headers=BROWSER, environ_base={"REMOTE_ADDR": "192.0.2.40"}).status_code == 200
    assert s.get(f"/q/{token}/pdf", headers=BROWSER).status_code == 200
    viewed, downloaded = _events(w, "quote.viewed.v1"), _events(w, "quote.downloaded.v1")
    assert len(viewed) == 1 and len(downloaded) == 1
    assert viewed[0]["channel"] == "quote_page" and viewed[0]["ip"] == "192.0.2.40"
    assert downloaded[0]["channel"] == "quote_page"
    activity = _activity(w)
    assert activity["views"] == 1 and activity["downloads"] == 1
    s.wait_for(lambda: w.quote_counts() == (1, 1), message="view/download counts in the quote list")
    assert len(_history(w)) == 2
    # an unknown link is still a plain 404 for a scanner, and records nothing
    assert s.client.head("/q/" + "A" * 43, headers=BROWSER).status_code == 404
    assert _activity(w)["prefetches"] == len(SCANNERS) + 3
