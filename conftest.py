# eventlet must patch the standard library before anything else imports it, or
# nameko containers in tests hang.
import eventlet

eventlet.monkey_patch()

import json  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402

# every RPC result the services return during the tests is checked against the result schema its
# service declares in contract.py (the committed contract), and every event published on the broker against
# the AsyncAPI document: both set before any service module is imported
for _variable, _prefix in (("PARAPH_CHECK_RESULTS", "paraph-results-"), ("PARAPH_CHECK_EVENTS", "paraph-events-")):
    if _variable not in os.environ:
        _fd, _path = tempfile.mkstemp(prefix=_prefix, suffix=".jsonl")
        os.close(_fd)
        os.environ[_variable] = _path

# a cheap password hash for the identity services the tests start (identity reads these at start): the
# production cost (64 MiB, 3 passes) took 0.3-0.7 s per invitation accepted or sign-in on the 2-core runner,
# seconds per test system, and no test measures it (a test that does sets its own)
os.environ.setdefault("ARGON2_TIME_COST", "1")
os.environ.setdefault("ARGON2_MEMORY_KIB", "8192")

pytest_plugins = ["paraph_platform.testing"]


def _read_check_file(variable: str, prefix: str) -> list[str]:
    """The lines of a check file, which is removed if this run made it."""
    path = os.environ.get(variable)
    if not path or not os.path.exists(path):
        return []
    with open(path) as f:
        lines = f.readlines()
    if path.startswith(tempfile.gettempdir()) and os.path.basename(path).startswith(prefix):
        os.unlink(path)
    return lines


def _fail_run(session, what: str, seen: dict) -> None:
    report = "\n".join(f"  {name}: {'; '.join(p[:300] for p in problems)}" for name, problems in sorted(seen.items()))
    print(f"\n\n{what}:\n{report}")
    session.exitstatus = 1


def pytest_sessionfinish(session, exitstatus):
    """A result that breaks its declared schema, or a published event that breaks the AsyncAPI document, fails
    the run (the contract would lie to consumers)."""
    seen = {}
    for line in _read_check_file("PARAPH_CHECK_RESULTS", "paraph-results-"):
        v = json.loads(line)
        problems = seen.setdefault(f"{v['service']}.{v['method']}", [])
        # every undeclared field named (each to declare), a few of the other violations
        problems.extend(p for p in v["problems"] if p not in problems and (len(problems) < 3 or "not declared" in p))
    if seen:
        _fail_run(session, "RPC results that break the result schema declared in their service's contract.py, or "
                           "carry fields it does not declare", seen)
    events = _read_check_file("PARAPH_CHECK_EVENTS", "paraph-events-")
    if events:
        from tests.contract.published_events import violations
        wrong = violations(events)
        if wrong:
            _fail_run(session, "Events published on the broker that break the AsyncAPI document (or, internal "
                               "ones, their committed contract)", wrong)
