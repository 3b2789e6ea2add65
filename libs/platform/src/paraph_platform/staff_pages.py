"""The staff web app's pages that Paraph's emails to staff link to, written once for every service that emails.

The web app (``web/``) routes each of these paths; ``public_url`` is the address it is served at
(``PUBLIC_URL``). A test in the web app's suite checks that every path built here is one of its routes.
"""
from __future__ import annotations


def contract_page(public_url: str, contract_id: str) -> str:
    """A contract's or quote's page."""
    return f"{public_url.rstrip('/')}/contracts/{contract_id}"


def signature_request_page(public_url: str, request_id: str) -> str:
    """A document uploaded for signature (no contract behind it): its page under "Envois en signature"."""
    return f"{public_url.rstrip('/')}/signatures/documents/{request_id}"


def customer_history_page(public_url: str, customer_id: str) -> str:
    """A customer's file, on its history tab."""
    return f"{public_url.rstrip('/')}/customers/{customer_id}?tab=history"


def document_page(public_url: str, contract_id: str | None, request_id: str | None = None) -> str:
    """Where a document is shown: its contract's page, else (a document uploaded for signature) its signature
    request's page, else the app's home page."""
    if contract_id:
        return contract_page(public_url, contract_id)
    if request_id:
        return signature_request_page(public_url, request_id)
    return public_url.rstrip("/") + "/"
