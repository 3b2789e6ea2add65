"""notify dependencies: settings (env / container config), channels, and a helper that runs sends
concurrently in container-managed green threads (killed with the container, like a crash)."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

import eventlet
from eventlet.semaphore import Semaphore
from nameko.extensions import DependencyProvider

from paraph_platform.config import env, number_setting, public_url

from . import channels, logic

log = logging.getLogger(__name__)


def _pick(config: dict, name: str, from_env):
    """The container config wins (tests pass settings that way), then the environment.
    Every variable is read with a literal ``env("NAME", default, "notify")`` (``NOTIFY_NAME`` wins
    over ``NAME``) so the deployment checks (deploy/tests/envscan.py) know what notify reads."""
    value = config.get(name)
    return from_env if value in (None, "") else value


def _number(config: dict, name: str, from_env, default: float) -> float:
    """A number setting: the container config wins, then the environment, then ``default``."""
    return number_setting(name, _pick(config, name, from_env), default)


def _truthy(raw) -> bool:
    return str(raw or "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class NotifySettings:
    instance_id: str
    public_url: str
    mail_from: str
    mail_domain: str
    smtp: logic.SmtpTarget
    smtp_timeout: float
    send_lease: float             # seconds a claimed notification belongs to its sender, renewed while it sends
    attempt_timeout: float        # hard bound of one send attempt
    notify_schedule: tuple
    attachment_attempts: int      # attempts waiting for an attachment before sending without it
    sms_kind: str
    sms_url: str | None
    sms_api_key: str | None
    sms_from: str | None
    sms_timeout: float
    webhook_schedule: tuple
    webhook_timeout: float
    webhook_lease: float
    webhook_allow_private: bool
    webhook_disable_after_failed_deliveries: int
    webhook_secret_grace: float   # seconds the previous secret still signs after a rotation
    webhooks_url: str             # link in "webhook disabled" emails
    batch: int
    concurrency: int
    retention_days: float         # final notifications and webhook deliveries are purged after it (0 = never)


def load_settings(config: dict) -> NotifySettings:
    c = config
    smtp_url = _pick(c, "SMTP_URL", env("SMTP_URL", "smtp://127.0.0.1:1025", "notify"))
    try:
        target = logic.parse_smtp_url(smtp_url)
    except ValueError as exc:
        raise RuntimeError(str(exc)) from None
    mail_from = _pick(c, "MAIL_FROM", env("MAIL_FROM", "Paraph <no-reply@paraph.local>", "notify"))
    smtp_timeout = _number(c, "SMTP_TIMEOUT", env("SMTP_TIMEOUT", None, "notify"), 30.0)
    # the sender renews its lease every third of it (delivery.Deliverer._keep_lease), so the lease only says
    # how soon a dead sender's notifications are resumed; a slow send keeps its row up to NOTIFY_ATTEMPT_TIMEOUT
    lease = _number(c, "NOTIFY_SEND_LEASE", env("NOTIFY_SEND_LEASE", None, "notify"), 10.0)
    if lease < 1:
        raise RuntimeError("NOTIFY_SEND_LEASE must be at least 1 second")
    attempt_timeout = _number(c, "NOTIFY_ATTEMPT_TIMEOUT", env("NOTIFY_ATTEMPT_TIMEOUT", None, "notify"),
                              max(1.0, smtp_timeout * 3))
    webhook_timeout = _number(c, "WEBHOOK_TIMEOUT", env("WEBHOOK_TIMEOUT", None, "notify"), 10.0)
    base = str(_pick(c, "PUBLIC_URL", public_url())).rstrip("/")
    try:
        notify_schedule = logic.parse_schedule(
            _pick(c, "NOTIFY_RETRY_SCHEDULE", env("NOTIFY_RETRY_SCHEDULE", None, "notify")),
            logic.DEFAULT_NOTIFY_SCHEDULE)
        webhook_schedule = logic.parse_schedule(
            _pick(c, "WEBHOOK_RETRY_SCHEDULE", env("WEBHOOK_RETRY_SCHEDULE", None, "notify")),
            logic.DEFAULT_WEBHOOK_SCHEDULE)
    except ValueError as exc:
        raise RuntimeError(f"retry schedule: {exc}") from None
    retention_days = _number(c, "NOTIFY_RETENTION_DAYS", env("NOTIFY_RETENTION_DAYS", None, "notify"), 180.0)
    if retention_days < 0:
        raise RuntimeError("NOTIFY_RETENTION_DAYS must be 0 (keep forever) or positive")
    return NotifySettings(
        instance_id=str(uuid.uuid4()),
        public_url=base,
        mail_from=mail_from,
        mail_domain=logic.mail_domain(mail_from),
        smtp=target,
        smtp_timeout=smtp_timeout,
        send_lease=lease,
        attempt_timeout=attempt_timeout,
        notify_schedule=notify_schedule,
        attachment_attempts=int(_number(c, "NOTIFY_ATTACHMENT_ATTEMPTS",
                                        env("NOTIFY_ATTACHMENT_ATTEMPTS", None, "notify"), 5)),
        sms_kind=str(_pick(c, "SMS_PROVIDER", env("SMS_PROVIDER", "none", "notify"))).lower(),
        sms_url=_pick(c, "SMS_API_URL", env("SMS_API_URL", None, "notify")),
        sms_api_key=_pick(c, "SMS_API_KEY", env("SMS_API_KEY", None, "notify")),
        sms_from=_pick(c, "SMS_FROM", env("SMS_FROM", None, "notify")),
        sms_timeout=_number(c, "SMS_TIMEOUT", env("SMS_TIMEOUT", None, "notify"), 10.0),
        webhook_schedule=webhook_schedule,
        webhook_timeout=webhook_timeout,
        webhook_lease=_number(c, "WEBHOOK_LEASE", env("WEBHOOK_LEASE", None, "notify"), webhook_timeout * 3 + 30),
        webhook_allow_private=_truthy(_pick(c, "WEBHOOK_ALLOW_PRIVATE", env("WEBHOOK_ALLOW_PRIVATE", "0", "notify"))),
        webhook_disable_after_failed_deliveries=int(_number(
            c, "WEBHOOK_DISABLE_AFTER_FAILED_DELIVERIES", env("WEBHOOK_DISABLE_AFTER_FAILED_DELIVERIES", None, "notify"),
            10)),
        webhook_secret_grace=_number(c, "WEBHOOK_SECRET_GRACE", env("WEBHOOK_SECRET_GRACE", None, "notify"), 86400.0),
        webhooks_url=_pick(c, "WEBHOOKS_SETTINGS_URL", env("WEBHOOKS_SETTINGS_URL", f"{base}/settings/webhooks",
                                                          "notify")),
        batch=int(_number(c, "NOTIFY_BATCH", env("NOTIFY_BATCH", None, "notify"), 50)),
        concurrency=int(_number(c, "NOTIFY_CONCURRENCY", env("NOTIFY_CONCURRENCY", None, "notify"), 10)),
        retention_days=retention_days,
    )


class Settings(DependencyProvider):
    def setup(self):
        self.settings = load_settings(self.container.config)
        log.info("notify: SMTP %s, SMS provider %s", self.settings.smtp.describe(), self.settings.sms_kind)

    def get_dependency(self, worker_ctx):
        return self.settings


@dataclass
class ChannelSet:
    mailer: channels.SmtpMailer
    sms: channels.SmsProvider
    webhooks: channels.WebhookClient


class Channels(DependencyProvider):
    """The SMTP mailer, the SMS provider and the webhook HTTP client, built once per container."""

    def setup(self):
        s = load_settings(self.container.config)
        self.channels = ChannelSet(
            mailer=channels.SmtpMailer(s.smtp, timeout=s.smtp_timeout),
            sms=channels.make_sms_provider(s.sms_kind, s.sms_url, s.sms_api_key, s.sms_from, s.sms_timeout),
            webhooks=channels.WebhookClient(timeout=s.webhook_timeout, allow_private=s.webhook_allow_private),
        )

    def get_dependency(self, worker_ctx):
        return self.channels


class Concurrent(DependencyProvider):
    """``run(fn, items, limit)``: call ``fn(item)`` for every item in container-managed green threads
    (at most ``limit`` at once) and wait for them. A container kill kills them too, so a crash in a
    test behaves like a real one; ``fn`` errors are logged, never allowed to kill the container."""

    def get_dependency(self, worker_ctx):
        container = self.container

        def run(fn, items, limit: int = 10):
            items = list(items)
            if not items:
                return []
            if len(items) == 1:
                return [_safe(fn, items[0])]
            sem = Semaphore(max(1, limit))
            results = [None] * len(items)
            threads = []
            for index, item in enumerate(items):
                sem.acquire()

                def task(index=index, item=item):
                    try:
                        results[index] = _safe(fn, item)
                    finally:
                        sem.release()
                threads.append(container.spawn_managed_thread(task, identifier="notify-send"))
            for gt in threads:
                gt.wait()
            return results

        return run


def _safe(fn, item):
    try:
        return fn(item)
    except eventlet.Timeout:
        log.exception("notify: send task timed out")
    except Exception:  # noqa: BLE001
        log.exception("notify: send task failed")
    return None
