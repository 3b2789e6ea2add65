"""Profiles: the signed-in portal client's own details, and the self-service changes of their contact and
their company's details (contracts validates them, keeps the change in the customer's history and tells the
customer's owner).
"""
from __future__ import annotations

from paraph_platform.service import endpoint

from . import logic
from .base import PortalBase
from .exceptions import Forbidden


class ProfilesEndpoints(PortalBase):
    """A client keeps their own details and their company's up to date."""

    @endpoint
    def client_me(self, actor):
        client = self._client(actor)
        me = self._me(client)
        return {"user_id": client.user_id, "contact_id": client.contact_id, "customer_id": client.customer_id,
                "company": client.company, "branch": client.branch, "name": me.get("name"),
                "email": me.get("email"), "locale": me.get("locale") or "fr"}

    def _client_record(self, client: logic.ClientScope):
        if not (client.customer_id and client.contact_id):
            raise Forbidden("Your portal access is not linked to a contact of a customer.")
        return client.license_id, client.customer_id, client.contact_id

    @endpoint
    def client_profile(self, actor):
        """The client's contact details and their company's, as they may edit them."""
        return self.contracts.client_profile_internal(*self._client_record(self._client(actor)))

    @endpoint(write=True)
    def client_update_contact(self, actor, payload):
        """The client changes their own contact details (contracts validates them, keeps the change in the
        customer's history and tells the customer's owner)."""
        client = self._client(actor)
        return self.contracts.apply_client_contact_update(*self._client_record(client), self._by(client), payload)

    @endpoint(write=True)
    def client_update_company(self, actor, payload):
        """The client changes their company's address, phone or email (same path as their own details)."""
        client = self._client(actor)
        return self.contracts.apply_client_company_update(*self._client_record(client), self._by(client), payload)

    def _by(self, client: logic.ClientScope) -> dict:
        """Who made a self-service change, as the customer's history names them."""
        me = self._me(client)
        return {"user_id": client.user_id, "name": me.get("name") or me.get("email") or ""}
