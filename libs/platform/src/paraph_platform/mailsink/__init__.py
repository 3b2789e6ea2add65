"""A local mail (and SMS) sink for development and tests: SMTP in, HTTP JSON out.

``python -m paraph_platform.mailsink --smtp-port 1025 --http-port 8025 [--host 127.0.0.1] [--dir var/mail]``
(``./paraph up`` runs it), or in-process with :func:`start_sink` (the ``mail_sink`` pytest fixture).

Standard library only (``socketserver`` + ``http.server``), so it behaves the same with and without
eventlet monkey patching: under eventlet its threads are green threads.

SMTP
    ESMTP without TLS: EHLO/HELO, AUTH PLAIN/LOGIN (any credentials), MAIL, RCPT, DATA, RSET, NOOP,
    VRFY, QUIT. A message is stored when its DATA terminator (``<CRLF>.<CRLF>``) arrives, *before*
    the ``250`` reply is written, like a real MTA that commits and then answers: a client that dies
    while waiting for that reply has delivered its message. A transaction whose terminator never
    arrives (the client disconnected) is discarded and counted as ``aborted``.

Deduplication by Message-ID
    A message whose ``Message-ID`` is already stored is acknowledged (``250``) but not stored again;
    the stored copy's ``duplicates`` counter goes up instead (a mailbox that drops duplicates, as most
    mail clients and Gmail do). ``--no-dedupe`` keeps every copy. Senders that give a message the
    same Message-ID on every attempt (Paraph's notify service does) are thus shown exactly once.

HTTP API (JSON)
    ``GET /messages[?to=&message_id=&subject=]``  ``{"items": [...], "count": n}`` (oldest first)
    ``GET /messages/<id>`` one message, ``GET /messages/<id>/raw`` the RFC 5322 source
    ``DELETE /messages``                           forget every message (and SMS)
    ``POST /sms`` ``{"to", "text", "from"?, "reference"?}`` (+ ``Idempotency-Key``) -> ``{"id"}``
    ``GET /sms[?to=]``, ``DELETE /sms``            the fake SMS provider's outbox
    ``GET /stats``                                 accepted / duplicates / aborted / sms counters
    ``POST /faults`` ``{"stage", "delay", "reply", "rcpt", "times"}``, ``DELETE /faults``
    ``GET /``                                      a small HTML page listing the messages

Each message: ``id, received_at, mail_from, rcpt_to, message_id, subject, from, to, cc, date, headers,
text, html, links, attachments[{filename, content_type, size, sha256, content_b64}], duplicates, size``.

Fault injection (tests): ``sink.faults.add(stage=..., delay=seconds, reply="451 ...", rcpt="substring",
times=n)``; stages ``connect`` (before the greeting), ``mail``, ``rcpt``, ``data`` (reply to the DATA
command) and ``data_end`` (after the terminator: with a 2xx or no ``reply`` the message is stored
first, then the reply is delayed; with a 4xx/5xx ``reply`` it is refused and not stored).
"""
from __future__ import annotations

from .sink import RunningSink, main, start_sink
from .smtp import Faults
from .store import Store, parse_message

__all__ = ["Faults", "RunningSink", "Store", "main", "parse_message", "start_sink"]
