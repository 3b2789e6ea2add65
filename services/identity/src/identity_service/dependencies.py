"""identity dependencies: settings from the environment (token key, links, hashing cost, sign-in throttle)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from nameko.extensions import DependencyProvider

from paraph_platform.config import env, env_int, public_url

from . import logic
from .token_keys import TokenKeys


@dataclass(frozen=True)
class IdentitySettings:
    token_keys: TokenKeys
    public_url: str
    operator_emails: tuple
    login_throttle: logic.LoginThrottle
    link_throttle: logic.LoginThrottle  # "forgot password": emailed links asked for per account and address


class Settings(DependencyProvider):
    def setup(self):
        config = self.container.config
        self.settings = IdentitySettings(
            # the access tokens' private key: read here only, by identity only
            token_keys=TokenKeys(config.get("JWT_PRIVATE_KEY") or env("JWT_PRIVATE_KEY"), logic.ACCESS_TTL),
            public_url=config.get("PUBLIC_URL") or public_url(),
            operator_emails=tuple(e.strip().lower() for e in (env("OPERATOR_EMAILS", "") or "").split(",") if e.strip()),
            login_throttle=logic.LoginThrottle(
                window=timedelta(seconds=env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900)),
                max_per_account=env_int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5),
                max_per_address=env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 30)),
            # in the sign-in's window: beyond, "forgot password" answers the same and sends nothing
            link_throttle=logic.LoginThrottle(
                window=timedelta(seconds=env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900)),
                max_per_account=env_int("PASSWORD_LINKS_PER_ACCOUNT", 3),
                max_per_address=env_int("PASSWORD_LINKS_PER_ADDRESS", 30), prefix="link:"),
        )
        logic.configure_hasher(time_cost=env_int("ARGON2_TIME_COST", 3), memory_cost=env_int("ARGON2_MEMORY_KIB", 65536))

    def get_dependency(self, worker_ctx):
        return self.settings
