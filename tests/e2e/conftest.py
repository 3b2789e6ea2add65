"""Systems the end-to-end modules share.

* ``esign_system``: identity, perimeter, contracts and signing started once for the module (see
  ``paraph_platform.testing.module_system``). Each test makes its own license on it, e.g.
  ``esign.quote_to_sign(esign_system)`` (addresses unique to the test, outbox helpers limited to its
  license through the returned ``s``). Tests that kill services, stop the broker or need other service
  settings build their own with ``system``.
"""
import pytest

ESIGN_SERVICES = ("identity", "perimeter", "contracts", "signing")


@pytest.fixture(scope="module")
def esign_system(module_system):
    return module_system(*ESIGN_SERVICES)
