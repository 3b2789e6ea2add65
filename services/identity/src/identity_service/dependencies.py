"""identity dependencies: settings from the environment (secrets, links, hashing cost)."""
from __future__ import annotations

from dataclasses import dataclass

from nameko.extensions import DependencyProvider

from paraph_platform.config import env, env_int, jwt_secret, public_url

from . import logic


@dataclass(frozen=True)
class IdentitySettings:
    jwt_secret: str
    public_url: str
    operator_emails: tuple


class Settings(DependencyProvider):
    def setup(self):
        config = self.container.config
        self.settings = IdentitySettings(
            jwt_secret=config.get("JWT_SECRET") or jwt_secret(),
            public_url=config.get("PUBLIC_URL") or public_url(),
            operator_emails=tuple(e.strip().lower() for e in (env("OPERATOR_EMAILS", "") or "").split(",") if e.strip()),
        )
        logic.configure_hasher(time_cost=env_int("ARGON2_TIME_COST", 3), memory_cost=env_int("ARGON2_MEMORY_KIB", 65536))

    def get_dependency(self, worker_ctx):
        return self.settings
