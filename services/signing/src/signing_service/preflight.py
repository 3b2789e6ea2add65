"""Settings signing checks before it starts (``paraph_platform.run`` calls :func:`check`): the sealing key
material (``SIGNING_P12_PATH`` + ``SIGNING_P12_PASSWORD``, or ``SIGNING_KEY_PEM`` + ``SIGNING_CERT_PEM``...), the
extra trust roots and the PAdES level, loaded as the first seal loads them. One that cannot work is then one
``error:`` line at start, not a seal failing when a customer signs.

Loading a PKCS#12 file or a key is CPU work (cryptography): it runs here, in the main greenlet before nameko
runs the container, when nothing else is on the eventlet hub to be held up (no thread, so logging is safe).
"""
from __future__ import annotations

from . import crypto
from .dependencies import key_environment


def check() -> None:
    crypto.check_settings(key_environment({}).get)  # ConfigError naming the setting
