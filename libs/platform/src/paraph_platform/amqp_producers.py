"""nameko finds each message's pooled producer through a kombu ``Connection`` built once per pool, not once
per message.

nameko 2.14's ``Publisher.publish`` (every RPC request, reply and event it sends) calls
``nameko.amqp.publish.get_producer``, which builds a new, unconnected ``Connection`` only to look up kombu's
producer pool for it (``kombu.pools.producers`` keys its pools by the connection's URL, credentials and
transport options). Building it parses the URL and resolves the transport: 3-6% of a gateway worker's CPU
and 3-5% of a service's on a read (``./paraph bench profile --phases read,echo gateway_http``). Here the
key is built once per set of arguments and reused: it finds the same pool, whose connections kombu clones
from it as before, so what is connected, confirmed and retried does not change.

Imported (and so installed) by :mod:`.rpc` and :mod:`.service`, where every publisher of a process runs.
"""
from __future__ import annotations

from contextlib import contextmanager

import nameko.amqp.publish
from kombu import Connection
from kombu.pools import producers
from nameko.constants import DEFAULT_TRANSPORT_OPTIONS

_pool_keys: dict = {}


def pool_key(amqp_uri: str, confirms: bool, ssl, login_method, transport_options: dict | None) -> Connection:
    """The connection that names the producer pool for these arguments, built at their first use.

    The options are copied: nameko writes ``confirm_publish`` into the dict it is given, and the class-level
    default it passes is shared by every publisher of the process (confirmed or not), so a key holding that
    very dict would change under its pool."""
    options = dict(DEFAULT_TRANSPORT_OPTIONS if transport_options is None else transport_options)
    options["confirm_publish"] = confirms
    cache_key = (amqp_uri, repr(ssl), login_method, repr(sorted(options.items())))
    key = _pool_keys.get(cache_key)
    if key is None:  # two threads may both build one: equal keys, the same pool
        key = _pool_keys[cache_key] = Connection(amqp_uri, transport_options=options, ssl=ssl,
                                                 login_method=login_method)
    return key


@contextmanager
def get_producer(amqp_uri, confirms=True, ssl=None, login_method=None, transport_options=None):
    """nameko's ``get_producer``, with the pool's key built once (:func:`pool_key`)."""
    with producers[pool_key(amqp_uri, confirms, ssl, login_method, transport_options)].acquire(block=True) as producer:
        yield producer


def install() -> None:
    nameko.amqp.publish.get_producer = get_producer


install()
