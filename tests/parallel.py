"""The whole suite as two pytest processes at once: what ``./paraph test`` runs when given no arguments.

Why: run one after the other, the tests took 35 to 47 minutes on the 2-core runner, most of it waiting (a drill's
outage, a service starting, a page loading, an email arriving) rather than computing, so a second process
beside the first roughly halves the run. Every test makes its own RabbitMQ vhost, databases (copied from
templates built under an advisory lock), loopback ports and temporary files, so the two never meet.

The split, from the measured durations (``--durations=0``, seconds on the 2-core runner): the second process
takes the browser pages and the libraries (``SECOND``, about 970 s), the first everything else (the reliability
drills, the services, the API end to end, security, contract and deploy tests, about 1,100 s). The first
runs pytest.ini's testpaths but what the second runs, so a new test folder is always run by one of them.

The first process's output is shown as it runs; the second's is written to ``test-output/tests-2.log`` and shown
once it ends. ``PARAPH_TEST_PROCESSES=1 ./paraph test`` runs everything in one process, as before.
"""
from __future__ import annotations

import configparser
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# what the second process runs (paths from the repository root; the first runs pytest.ini's testpaths without them)
SECOND = ("libs", "gateway", "web", "services/signing", "tests/e2e/web", "tests/e2e/portal")


def testpaths() -> list[str]:
    """pytest.ini's ``testpaths``: the folders a plain ``pytest`` runs."""
    config = configparser.ConfigParser()
    config.read(ROOT / "pytest.ini")
    return config["pytest"]["testpaths"].split()


def commands(extra: list[str]) -> list[list[str]]:
    """The two pytest command lines. pytest never ignores a path it is given, only what it finds below one:
    the first names the testpaths the second does not run, and ignores the folders of the second below them."""
    pytest = [sys.executable, "-m", "pytest", *extra]
    top = testpaths()
    first = pytest + [path for path in top if path not in SECOND] + [
        f"--ignore={path}" for path in SECOND if path not in top]
    return [first, pytest + list(SECOND)]


def main(extra: list[str]) -> int:
    first, second = commands(extra)
    log = ROOT / "test-output" / "tests-2.log"
    log.parent.mkdir(exist_ok=True)
    started = time.monotonic()
    print(f"==> two test processes: this one runs all but {', '.join(SECOND)}; the other runs them "
          f"(its output: {log.relative_to(ROOT)}, shown when it ends)", flush=True)
    with open(log, "w") as out:
        other = subprocess.Popen(second, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        try:
            first_code = subprocess.call(first, cwd=ROOT)
            second_code = other.wait()
        finally:
            if other.poll() is None:
                other.kill()
    print(f"\n==> the other test process ({', '.join(SECOND)}), exit code {second_code}:\n", flush=True)
    sys.stdout.write(log.read_text(errors="replace"))
    minutes, seconds = divmod(int(time.monotonic() - started), 60)
    verdict = "passed" if first_code == second_code == 0 else "FAILED"
    print(f"\n==> tests {verdict} in {minutes} min {seconds:02d} s (exit codes {first_code} and {second_code})",
          flush=True)
    return first_code or second_code


if __name__ == "__main__":
    if os.environ.get("PARAPH_TEST_PROCESSES", "2") == "1":
        os.execv(sys.executable, [sys.executable, "-m", "pytest", *sys.argv[1:]])
    sys.exit(main(sys.argv[1:]))
