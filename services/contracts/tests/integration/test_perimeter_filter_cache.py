"""The perimeter filter cached in the services that filter lists (paraph_platform.filter_cache), through the
gateway against real RabbitMQ, PostgreSQL and the embedded OPA engine:

* a second list by the same user compiles nothing (OPA's compile calls counted in the perimeter service);
* a change of the user's perimeters is seen on the very next list (PERIMETER_FILTER_CHECK=sync, the default),
  or once its event is handled (background);
* a missed event is corrected at once (sync) or after at most one request (background);
* a compile answer read before a change and arriving after its event is not cached;
* notify's delivery log goes through the same cache; PERIMETER_FILTER_CACHE=0 turns it off.
"""
import eventlet
import pytest
from sqlalchemy import create_engine, text

from paraph_platform.db import normalize_url
from paraph_platform.filter_cache import FilterCache, PerimeterFilter
from perimeter_service.dependencies import LocalOpa

pytestmark = pytest.mark.integration


class Compiles(list):
    """The users whose filter the perimeter service compiled with OPA, in order; while ``gate`` (an eventlet
    Event) is set, the compilation for the ``gated`` users waits until it is sent."""
    gate = None
    gated: set = set()


@pytest.fixture
def opa(monkeypatch):
    calls = Compiles()
    compile_ = LocalOpa.compile

    def counting(self, rule, input, dialect):
        user = input["actor"]["user_id"]
        calls.append(user)
        if calls.gate is not None and user in calls.gated:
            calls.gate.wait()
        return compile_(self, rule, input, dialect)

    monkeypatch.setattr(LocalOpa, "compile", counting)
    return calls


def perimeter_filter(system, service: str) -> PerimeterFilter:
    return next(d for d in system.containers[service].dependencies if isinstance(d, PerimeterFilter))


def world(s):
    admin = s.new_license("Cache SA", "admin@cache.test")
    A = admin["access_token"]
    north, south = (s.post("/api/v1/perimeters", json={"name": n}, token=A).get_json()["id"] for n in ("N", "S"))
    seller = s.add_user(admin, "seller@cache.test")
    uid = seller["user"]["user_id"]
    assert s.put(f"/api/v1/users/{uid}/perimeters", json={"perimeter_ids": [north]}, token=A).status_code == 200
    for name, perimeter_id in (("Nord SA", north), ("Sud SA", south)):
        c = s.post("/api/v1/customers", json={"name": name}, token=A).get_json()
        r = s.put(f"/api/v1/customers/{c['id']}/perimeters", json={"perimeter_ids": [perimeter_id]}, token=A)
        assert r.status_code == 200, r.get_json()
    return {"A": A, "T": seller["access_token"], "uid": uid, "north": north, "south": south, "admin": admin,
            "license_id": s.get("/api/v1/license", token=A).get_json()["id"]}


def names(s, token):
    r = s.get("/api/v1/customers", token=token)
    assert r.status_code == 200, r.get_json()
    return [c["name"] for c in r.get_json()["items"]]


def key(w, dialect="postgresql"):
    return FilterCache.key({"license_id": w["license_id"], "user_id": w["uid"], "role": "user"}, dialect)


def quiet(pf: PerimeterFilter, w):
    """No check of the user in flight (start_check would refuse)."""
    if pf.cache.start_check(w["license_id"], w["uid"]):
        pf.cache.end_check(w["license_id"], w["uid"])
        return True
    return False


def move_seller(s, w, perimeter_id):
    r = s.put(f"/api/v1/users/{w['uid']}/perimeters", json={"perimeter_ids": [perimeter_id]}, token=w["A"])
    assert r.status_code == 200, r.get_json()
    return r.get_json()["version"]


@pytest.fixture(params=["sync", "background"])
def mode(request, monkeypatch):
    """PERIMETER_FILTER_CHECK of the services started by the test."""
    monkeypatch.setenv("PERIMETER_FILTER_CHECK", request.param)
    return request.param


def test_second_list_compiles_nothing_and_a_change_is_seen_on_the_next_list(system, opa, mode):
    s = system("identity", "perimeter", "contracts")
    w = world(s)
    pf = perimeter_filter(s, "contracts")
    assert names(s, w["T"]) == ["Nord SA"]
    compiled = opa.count(w["uid"])
    assert compiled == 1 and pf.cache.get(key(w)) is not None
    checks = pf.checks
    assert names(s, w["T"]) == ["Nord SA"]
    assert names(s, w["T"]) == ["Nord SA"]
    assert opa.count(w["uid"]) == compiled  # served from the cache
    s.wait_for(lambda: pf.checks > checks and quiet(pf, w), message="version check")
    assert pf.cache.get(key(w)) is not None  # the check found it current

    version = move_seller(s, w, w["south"])
    if mode == "background":  # the change is seen once its event is handled (sync: at once)
        s.wait_for(lambda: pf.cache.get(key(w)) is None, message="assignments_changed.v1 handled by contracts")
    assert names(s, w["T"]) == ["Sud SA"]
    assert opa.count(w["uid"]) == compiled + 1
    s.wait_for(lambda: pf.cache.get(key(w)) is not None and pf.cache.get(key(w)).version == version,
               message="the new filter cached")  # (sync: once the event no longer evicts the old one)


def test_a_missed_event_is_corrected_after_at_most_one_request(system, opa, mode):
    s = system("identity", "perimeter", "contracts")
    w = world(s)
    pf = perimeter_filter(s, "contracts")
    assert names(s, w["T"]) == ["Nord SA"]
    s.wait_for(lambda: quiet(pf, w), message="no check in flight")
    # the seller moves to the south without any event (as if its broadcast had been lost)
    engine = create_engine(normalize_url(s.db_url("perimeter")))
    with engine.begin() as conn:
        conn.execute(text("UPDATE assignments SET perimeter_id = :south WHERE subject_type = 'user' "
                          "AND subject_id = :uid"), {"south": w["south"], "uid": w["uid"]})
        conn.execute(text("UPDATE subjects SET version = version + 1 WHERE subject_type = 'user' "
                          "AND subject_id = :uid"), {"uid": w["uid"]})
    engine.dispose()
    first = names(s, w["T"])
    if mode == "sync":
        assert first == ["Sud SA"]  # checked before use: never stale
    else:
        assert first in (["Nord SA"], ["Sud SA"])  # at most this one request sees the old filter
        s.wait_for(lambda: quiet(pf, w), message="the check that request started")
    assert names(s, w["T"]) == ["Sud SA"]
    assert opa.count(w["uid"]) == 2


def test_a_compile_answer_older_than_a_handled_event_is_not_cached(system, opa, mode):
    s = system("identity", "perimeter", "contracts")
    w = world(s)
    pf = perimeter_filter(s, "contracts")
    opa.gate, opa.gated = eventlet.event.Event(), {w["uid"]}
    listing = eventlet.spawn(names, s, w["T"])  # its compile_filter reads the north version, then waits
    s.wait_for(lambda: opa.count(w["uid"]) == 1, message="compile under way")
    version = move_seller(s, w, w["south"])
    s.wait_for(lambda: pf.cache._known.get((w["license_id"], w["uid"])) == version,
               message="the event of the change handled by contracts")
    opa.gate.send(True)
    opa.gate = None
    assert listing.wait() == ["Nord SA"]  # asked before the change: answered with the filter it read
    assert pf.cache.get(key(w)) is None  # ... but not kept
    assert names(s, w["T"]) == ["Sud SA"]
    assert pf.cache.get(key(w)).version == version


def test_the_cache_can_be_turned_off(system, opa, monkeypatch):
    monkeypatch.setenv("PERIMETER_FILTER_CACHE", "0")
    s = system("identity", "perimeter", "contracts")
    w = world(s)
    pf = perimeter_filter(s, "contracts")
    for _ in range(3):
        assert names(s, w["T"]) == ["Nord SA"]
    assert opa.count(w["uid"]) == 3 and len(pf.cache) == 0 and pf.checks == 0


def test_the_notification_log_uses_the_same_cache(system, opa):
    s = system("identity", "perimeter", "contracts", "notify")
    w = world(s)
    manager = s.add_user(w["admin"], "manager@cache.test", role="front_user_manager")
    M, uid = manager["access_token"], manager["user"]["user_id"]
    pf = perimeter_filter(s, "notify")
    for _ in range(3):
        r = s.get("/api/v1/notifications", token=M)
        assert r.status_code == 200, r.get_json()
    assert opa.count(uid) == 1
    manager_key = FilterCache.key({"license_id": w["license_id"], "user_id": uid, "role": "front_user_manager"},
                                  "postgresql")
    assert pf.cache.get(manager_key) is not None
    r = s.put(f"/api/v1/users/{uid}/perimeters", json={"perimeter_ids": [w["north"]]}, token=w["A"])
    assert r.status_code == 200, r.get_json()
    s.wait_for(lambda: pf.cache.get(manager_key) is None, message="assignments_changed.v1 handled by notify")
    assert s.get("/api/v1/notifications", token=M).status_code == 200
    assert opa.count(uid) == 2
