# eventlet must patch the standard library before anything else imports it, or
# nameko containers in tests hang.
import eventlet

eventlet.monkey_patch()

import json  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402

# every RPC result the services return during the tests is checked against the result schema its
# service declares in contract.py (the committed contract): set before any service module is imported
if "PARAPH_CHECK_RESULTS" not in os.environ:
    _fd, _path = tempfile.mkstemp(prefix="paraph-results-", suffix=".jsonl")
    os.close(_fd)
    os.environ["PARAPH_CHECK_RESULTS"] = _path

pytest_plugins = ["paraph_platform.testing"]


def pytest_sessionfinish(session, exitstatus):
    """A result that breaks its declared schema fails the run (the contract would lie to consumers)."""
    path = os.environ.get("PARAPH_CHECK_RESULTS")
    if not path or not os.path.exists(path):
        return
    with open(path) as f:
        seen = {}
        for line in f:
            v = json.loads(line)
            seen.setdefault((v["service"], v["method"]), v["problems"][:3])
    if path.startswith(tempfile.gettempdir()) and os.path.basename(path).startswith("paraph-results-"):
        os.unlink(path)
    if seen:
        report = "\n".join(f"  {svc}.{method}: {'; '.join(p[:300] for p in problems)}"
                           for (svc, method), problems in sorted(seen.items()))
        print(f"\n\nRPC results that break the result schema declared in their service's contract.py:\n{report}")
        session.exitstatus = 1
