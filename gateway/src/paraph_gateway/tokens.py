"""Access tokens: verified with identity's public keys (EdDSA), and checked against the current rights.

* Signature: only ``EdDSA`` with a key of identity's JWKS (``identity.jwks``), looked up by the token's
  ``kid``; the JWKS is fetched on first use and again on an unknown ``kid`` (at most every
  ``JWKS_REFETCH_SECONDS``), so a key rotation needs no gateway restart. No token key is configured here:
  the gateway cannot mint tokens. ``HS256``, ``none`` or any other algorithm is refused.
* Freshness: a token says who the caller is; what they may do is the membership's *current* access state
  (``identity.access_state``: active, access version, role, portal restrictions, subscription end),
  cached per gateway worker. Each worker listens to identity's ``user.access_changed.v1`` and
  ``license.updated.v1`` events on its own exclusive queue and drops the entries they name; while that
  listener is not connected the cache is bypassed, so a missed event can never keep a stale entry. A
  worker also drops entries itself right after proxying a change (``forget_after_call``).
"""
from __future__ import annotations

import logging
import socket
import threading
import time
import uuid
from datetime import datetime, timezone

import jwt
from paraph_platform.actor import SYSTEM
from paraph_platform.errors import Forbidden, Unauthorized

from .rpc import identity_lookup, per_worker, worker_key

log = logging.getLogger(__name__)

ALGORITHM = "EdDSA"
JWKS_REFETCH_SECONDS = 5.0
ACCESS_EVENTS = ("user.access_changed.v1", "license.updated.v1")
MAX_CACHED_STATES = 100_000
MAX_VERIFIED_TOKENS = 10_000
LEEWAY_SECONDS = 5
RECONNECT_SECONDS = 1.0
ENDED = "This session has ended; sign in again."


class Jwks:
    """identity's public keys by ``kid`` (plus ``TOKEN_JWKS`` from the app config, for tests)."""

    def __init__(self, static: dict | None):
        self._static = self._parse(static or {"keys": []})
        self._fetched: dict = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    @staticmethod
    def _parse(jwks: dict) -> dict:
        keys = {}
        for jwk in jwks.get("keys", []):
            if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519" and jwk.get("kid"):
                keys[jwk["kid"]] = jwt.PyJWK(jwk, algorithm=ALGORITHM).key
        return keys

    def known(self, kid: str):
        """The key of this ``kid`` among those held now (no fetch)."""
        return self._static.get(kid) or self._fetched.get(kid)

    def key(self, kid: str):
        key = self.known(kid)
        if key is None and self._may_refetch():
            with self._lock:
                if self._may_refetch():
                    self._fetched_at = time.monotonic()
                    self._fetched = self._parse(identity_lookup("jwks"))
            key = self._fetched.get(kid)
        return key

    def _may_refetch(self) -> bool:
        return self._fetched_at is None or time.monotonic() - self._fetched_at >= JWKS_REFETCH_SECONDS


class AccessStates:
    """(license_id, user_id) -> access state, cached only while the event listener is connected."""

    def __init__(self):
        self._states: dict = {}
        self._lock = threading.Lock()
        self._generation = 0  # bumped by every invalidation: a lookup that raced one is not cached
        self.listening = False

    def get(self, license_id: str, user_id: str) -> dict:
        key = (license_id, user_id)
        if self.listening:
            state = self._states.get(key)
            if state is not None:
                return state
        generation = self._generation
        state = identity_lookup("access_state", license_id, user_id)
        with self._lock:
            if self.listening and generation == self._generation:
                if len(self._states) >= MAX_CACHED_STATES:
                    self._states.clear()
                self._states[key] = state
        return state

    def forget(self, license_id: str | None = None, user_id: str | None = None):
        """Drop one membership's entry, a whole license's, or (no argument) everything."""
        with self._lock:
            self._generation += 1
            if license_id is None:
                self._states.clear()
            elif user_id is not None:
                self._states.pop((license_id, user_id), None)
            else:
                for key in [k for k in self._states if k[0] == license_id]:
                    del self._states[key]

    def set_listening(self, listening: bool):
        with self._lock:
            self._generation += 1
            self._states.clear()
            self.listening = listening


class AccessEventListener(threading.Thread):
    """Consumes identity's access events on an exclusive auto-delete queue and invalidates the cache."""

    def __init__(self, amqp_uri: str, states: AccessStates):
        super().__init__(name="access-events", daemon=True)
        self.amqp_uri = amqp_uri
        self.states = states
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            try:
                self._consume()
            except Exception as exc:  # noqa: BLE001 - broker lost: bypass the cache until reconnected
                log.warning("access events listener disconnected (%s); the access cache is bypassed", exc)
            finally:
                self.states.set_listening(False)
            self.stopped.wait(RECONNECT_SECONDS)

    def _consume(self):
        from kombu import Connection, Queue, binding
        from nameko.standalone.events import get_event_exchange
        exchange = get_event_exchange("identity", {})
        queue = Queue(f"gateway.access-events.{uuid.uuid4().hex}", exclusive=True, auto_delete=True,
                      bindings=[binding(exchange, routing_key=t) for t in ACCESS_EVENTS])
        with Connection(self.amqp_uri, heartbeat=30) as conn:
            with conn.Consumer(queue, callbacks=[self._on_event], accept=["json"], no_ack=True):
                # the queue is bound: every later change reaches us, so entries cached from now on are safe
                self.states.set_listening(True)
                while not self.stopped.is_set():
                    try:
                        conn.drain_events(timeout=1)
                    except socket.timeout:
                        conn.heartbeat_check()

    def _on_event(self, body, message):
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict) or not data.get("license_id"):
            return
        if body.get("type") == "user.access_changed.v1":
            self.states.forget(data["license_id"], data.get("user_id"))
        else:  # license.updated.v1: subscription end or switch-off
            self.states.forget(data["license_id"])

    def stop(self):
        self.stopped.set()


class TokenVerifier:
    """One per gateway worker process and app: the JWKS, the access-state cache and its listener."""

    def __init__(self, config: dict):
        self.jwks = Jwks(config.get("TOKEN_JWKS"))
        self.check_access = bool(config.get("ACCESS_STATE_CHECK", True))
        self.states = AccessStates()
        # token -> (its claims, kid, key) once the signature checked out: a client sends the same token for
        # minutes, and the Ed25519 check and the JWT parsing were ~10% of a worker's CPU on a read
        # (bench/profile). Only what the token itself says is kept (it cannot change); on every use its expiry
        # is checked and its key must still be one of identity's (a key withdrawn from the JWKS ends its tokens
        # as before); whether the session still holds is the access state's job (below), per request as before.
        self._verified: dict = {}
        self._verified_lock = threading.Lock()
        self.listener = None
        if self.check_access:
            self.listener = AccessEventListener(config["AMQP_URI"], self.states)
            self.listener.start()

    def claims(self, token: str) -> dict:
        known = self._verified.get(token)
        if known is not None:
            claims, kid, key = known
            if time.time() < claims["exp"] + LEEWAY_SECONDS and self.jwks.known(kid) is key:
                return dict(claims)
        claims, kid, key = self._verify(token)  # an expired token gets its own 401 from here
        with self._verified_lock:
            if len(self._verified) >= MAX_VERIFIED_TOKENS:
                self._verified.clear()
            self._verified[token] = (claims, kid, key)
        return dict(claims)

    def _verify(self, token: str) -> tuple[dict, str, object]:
        """The claims of a token whose signature and claims check out, with its key's id and the key."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise Unauthorized("The access token is not valid.") from None
        kid = header.get("kid")
        # only identity's algorithm: an HS256 token "signed" with the public key, or alg none, is refused
        if header.get("alg") != ALGORITHM or not isinstance(kid, str):
            raise Unauthorized("The access token is not valid.")
        key = self.jwks.key(kid)
        if key is None:
            raise Unauthorized("The access token is signed by an unknown key; sign in again.")
        try:
            claims = jwt.decode(token, key, algorithms=[ALGORITHM], leeway=LEEWAY_SECONDS,
                                options={"require": ["exp", "sub", "lic", "role"]})
        except jwt.ExpiredSignatureError:
            raise Unauthorized("The access token has expired; refresh it or sign in again.") from None
        except jwt.InvalidTokenError:
            raise Unauthorized("The access token is not valid.") from None
        if claims.get("typ", "access") != "access":
            raise Unauthorized("The access token is not valid.")
        return claims, kid, key

    def membership(self, claims: dict) -> dict:
        """The rights that apply to this request: the current access state, or the claims when the check
        is disabled (gateway unit tests without services)."""
        if not self.check_access:
            return {"role": claims["role"], "contact_id": claims.get("cid"), "customer_id": claims.get("cust"),
                    "company": claims.get("co"), "branch": claims.get("br"), "allowed_ip": claims.get("ip")}
        state = self.states.get(claims["lic"], claims["sub"])
        if not state["active"] or state["version"] != claims.get("ver"):
            raise Unauthorized(ENDED)
        expires_at = datetime.fromisoformat(state["expires_at"]) if state["expires_at"] else None
        if expires_at and expires_at <= datetime.now(timezone.utc):
            # identity's words for it (base._check_pool_open): the web app shows the day as its pages write dates
            raise Forbidden(f"The subscription expired on {expires_at.date().isoformat()}.",
                            {"expires_at": state["expires_at"]})
        return state

    def close(self):
        if self.listener is not None:
            self.listener.stop()


_verifiers: dict = {}


def verifier() -> TokenVerifier:
    """This worker's verifier for the current app (created after fork, on first use)."""
    return per_worker(_verifiers, lambda app: TokenVerifier(app.config))


# identity and portal calls after which this worker drops the access states they may have changed (other
# workers hear identity's event)
ACCESS_CHANGING_CALLS = {
    ("identity", "deactivate_user"), ("identity", "reactivate_user"), ("identity", "update_member"),
    ("identity", "grant_client_access"), ("identity", "update_client_access"), ("identity", "update_pool"),
    ("identity", "reset_password"), ("identity", "end_sessions"), ("portal", "grant_access"), ("portal", "update_access"),
    ("portal", "revoke_access"),
}


def forget_after_call(service: str, method: str, actor: dict | None, result):
    """Right after proxying a change, this worker forgets what it cached about it."""
    v = _verifiers.get(worker_key())
    if v is None:
        return
    if isinstance(result, dict) and result.get("access_token"):  # a new session (activation, sign-in)
        v.states.forget(result.get("license_id"), (result.get("user") or {}).get("user_id"))
    elif (service, method) in ACCESS_CHANGING_CALLS:
        # a license admin's change concerns their license; the operator's (a system actor) any license
        v.states.forget(actor["license_id"] if actor and actor.get("role") != SYSTEM else None)


def close_verifiers():
    for v in list(_verifiers.values()):
        v.close()
    _verifiers.clear()
