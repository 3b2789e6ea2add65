"""The local SMTP sink: SMTP in, JSON out, Message-ID dedupe, fault injection."""
import smtplib
import socket
import time
from email.message import EmailMessage

import pytest
import requests

from paraph_platform.mailsink import start_sink


def message(to="marie@example.test", subject="Bonjour", body="Voir https://x.test/a?token=abc.", mid=None,
            attachment=None):
    msg = EmailMessage()
    msg["From"] = "Paraph <no-reply@paraph.test>"
    msg["To"] = to
    msg["Subject"] = subject
    if mid:
        msg["Message-ID"] = mid
    msg.set_content(body)
    msg.add_alternative(f"<p>{body}</p>", subtype="html")
    if attachment:
        msg.add_attachment(attachment, maintype="application", subtype="pdf", filename="devis.pdf")
    return msg


def send(sink, msg, login=False):
    with smtplib.SMTP("127.0.0.1", sink.smtp_port, timeout=5) as smtp:
        if login:
            smtp.login("user", "secret")
        smtp.send_message(msg)


def test_smtp_in_json_out_and_tuple_unpacking(mail_sink):
    smtp_port, http_port, stop = mail_sink
    assert (smtp_port, http_port) == (mail_sink.smtp_port, mail_sink.http_port) and callable(stop)
    send(mail_sink, message(mid="<a@paraph.test>", attachment=b"%PDF-1.4 fake"), login=True)
    send(mail_sink, message(to="paul@example.test", subject="Other", mid="<b@paraph.test>"))
    r = requests.get(f"{mail_sink.http_url}/messages", params={"to": "MARIE@example.test"}, timeout=5)
    assert r.status_code == 200 and r.json()["count"] == 1
    m = r.json()["items"][0]
    assert m["subject"] == "Bonjour" and m["message_id"] == "<a@paraph.test>"
    assert m["rcpt_to"] == ["marie@example.test"] and m["mail_from"] == "no-reply@paraph.test"
    assert "https://x.test/a?token=abc" in m["links"] and m["html"].startswith("<p>")
    assert m["attachments"][0]["filename"] == "devis.pdf" and m["attachments"][0]["size"] == 13
    assert requests.get(f"{mail_sink.http_url}/messages", params={"message_id": "b@paraph.test"}).json()["count"] == 1
    raw = requests.get(f"{mail_sink.http_url}/messages/{m['id']}/raw").content
    assert b"Subject: Bonjour" in raw
    assert requests.get(f"{mail_sink.http_url}/").status_code == 200
    assert requests.delete(f"{mail_sink.http_url}/messages").json() == {"deleted": True}
    assert mail_sink.messages() == []


def test_same_message_id_is_stored_once_and_counted(mail_sink):
    for _ in range(3):
        send(mail_sink, message(mid="<same@paraph.test>"))
    send(mail_sink, message(mid="<other@paraph.test>"))
    items = mail_sink.messages()
    assert [m["duplicates"] for m in items] == [2, 0]
    assert mail_sink.stats()["accepted"] == 2 and mail_sink.stats()["duplicates"] == 2


def test_a_transaction_without_end_of_data_is_discarded(mail_sink):
    sock = socket.create_connection(("127.0.0.1", mail_sink.smtp_port), timeout=5)
    f = sock.makefile("rwb")
    f.readline()
    for line in (b"EHLO x\r\n", b"MAIL FROM:<a@b.test>\r\n", b"RCPT TO:<c@d.test>\r\n", b"DATA\r\n",
                 b"Subject: half\r\n\r\nnot finished\r\n"):
        f.write(line)
        f.flush()
    f.close()
    sock.close()
    deadline = time.time() + 5
    while mail_sink.stats()["aborted"] < 1 and time.time() < deadline:
        time.sleep(0.05)
    assert mail_sink.stats()["aborted"] == 1 and mail_sink.messages() == []


def test_faults_delay_and_refuse(mail_sink):
    mail_sink.faults.add("rcpt", reply="550 5.1.1 no such user", rcpt="ghost@")
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(mail_sink, message(to="ghost@example.test"))
    mail_sink.faults.add("data_end", reply="451 4.3.0 try later", times=1)
    with pytest.raises(smtplib.SMTPDataError) as err:
        send(mail_sink, message(mid="<x@paraph.test>"))
    assert err.value.smtp_code == 451 and mail_sink.messages() == []
    # a delayed reply: the message is stored before the (late) answer
    mail_sink.faults.add("data_end", delay=0.5, times=1)
    start = time.time()
    send(mail_sink, message(mid="<y@paraph.test>"))
    assert time.time() - start >= 0.5 and len(mail_sink.messages()) == 1
    r = requests.post(f"{mail_sink.http_url}/faults", json={"stage": "nope"})
    assert r.status_code == 422


def test_fake_sms_endpoint_dedupes_on_reference(mail_sink):
    url = mail_sink.sms_url
    r1 = requests.post(url, json={"to": "+33600000000", "text": "Code 1234"}, headers={"Idempotency-Key": "k1"})
    r2 = requests.post(url, json={"to": "+33600000000", "text": "Code 1234"}, headers={"Idempotency-Key": "k1"})
    assert r1.status_code == 201 and r1.json()["id"] == r2.json()["id"]
    assert requests.post(url, json={"to": ""}).status_code == 422
    assert requests.post(url, data="nope", headers={"Content-Type": "application/json"}).status_code == 400
    assert requests.get(url, params={"to": "+33600000000"}).json()["count"] == 1
    assert mail_sink.sms()[0]["duplicates"] == 1


def test_directory_keeps_eml_files(tmp_path):
    sink = start_sink(directory=tmp_path)
    try:
        send(sink, message(mid="<f@paraph.test>"))
        assert len(list(tmp_path.glob("*.eml"))) == 1
    finally:
        sink.stop()
