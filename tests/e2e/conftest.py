"""Systems the end-to-end modules share.

* ``esign_system``: identity, perimeter, contracts and signing started once for the module (see
  ``paraph_platform.testing.module_system``). Each test makes its own license on it, e.g.
  ``esign.quote_to_sign(esign_system)`` (addresses unique to the test, outbox helpers limited to its
  license through the returned ``s``). Tests that kill services, stop the broker or need other service
  settings build their own with ``system``.
* ``esign_license``: a license of the test's own on ``esign_system`` (Vendeur SA, addresses unique to the test)
  with its admin and a salesperson, Sam Sales.
"""
import uuid
from types import SimpleNamespace

import pytest

ESIGN_SERVICES = ("identity", "perimeter", "contracts", "signing")


@pytest.fixture(scope="module")
def esign_system(module_system):
    return module_system(*ESIGN_SERVICES)


@pytest.fixture
def esign_license(esign_system):
    """``s`` (the system limited to the license's outbox rows), ``admin`` and ``sales`` (their sessions), ``domain``
    (of their email addresses)."""
    domain = f"{uuid.uuid4().hex[:10]}.vendeur.test"
    admin = esign_system.new_license("Vendeur SA", f"admin@{domain}")
    s = esign_system.for_license(admin["license_id"])
    sales = s.add_user(admin, f"sales@{domain}", name="Sam Sales")
    return SimpleNamespace(s=s, admin=admin, sales=sales, domain=domain)
