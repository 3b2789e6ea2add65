"""Settings identity checks before it starts (``paraph_platform.run`` calls :func:`check`): one that cannot
work is then one ``error:`` line, not a traceback of the container's setup in a green thread."""
from __future__ import annotations

from paraph_platform.config import env

from .token_keys import load_private_key


def check() -> None:
    configured = env("JWT_PRIVATE_KEY")
    if configured:
        load_private_key(configured)  # ConfigError when it gives no Ed25519 key
