"""Schemathesis against the running system: every operation of the OpenAPI document, called by a signed-in
license admin with generated valid and invalid input (examples, coverage and fuzzing phases), must never
answer a 5xx and must answer what the document declares (status codes, content types, response schemas).

Bounded: a fixed seed, a few examples per operation, no shrinking (about 7,200 requests, 170 s in all on
2 cores); the printed summary and the JUnit report name every failing operation with a curl command to
reproduce it. The examples phase finds no examples in the document today and is skipped by Schemathesis.
"""
from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.timeout(420)]

SEED = 20261202
# one worker: hypothesis parses source files (ast) to describe its strategies, and CPython 3.11's AST
# converter keeps one recursion counter for all threads (python/cpython#106905): with two workers parsing at
# once, a random operation now and then ended in a Runtime Error "AST constructor recursion depth mismatch"
MAX_EXAMPLES = 4
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
# operations not run, each with why (one regex: schemathesis combines repeated --exclude options with AND):
EXCLUDED_PATHS = "|".join([
    # operator endpoints take the operator token, not a license admin's (covered by tests/security and e2e)
    "^/api/v1/operator/",
    # signs the fuzzer's own admin out of every session: every later call would only test the 401
    "^/api/v1/auth/logout-everywhere$",
])
CONFIG = Path(__file__).with_name("schemathesis.toml")


@pytest.fixture
def served(system, monkeypatch):
    monkeypatch.setenv("ARGON2_MEMORY_KIB", "8192")  # as the other e2e suites: sign-ins are not what is measured
    # a longer deadline than the default 5 s: PDFs and argon2 hashes under the fuzzer's load are slow, not wrong
    s = system("identity", "perimeter", "contracts", "signing", "portal", "notify",
               # thousands of requests a minute from one admin: fuzz the API, not 429s
               gateway_config={"RPC_TIMEOUT": 15.0, "RATE_LIMIT_USER_PER_WINDOW": 0})
    admin = s.new_license("Schemathesis SA", "admin@schemathesis.test")
    return s, s.serve(), admin


def test_the_api_never_answers_5xx_and_conforms_to_its_openapi_document(served, tmp_path):
    s, base, admin = served
    junit = tmp_path / "schemathesis.xml"
    cmd = [str(Path(sys.executable).parent / "st"), "--config-file", str(CONFIG),
           "run", f"{base}/api/v1/openapi.json", "--url", base, "--phases", "examples,coverage,fuzzing", "--checks", CHECKS, "--seed", str(SEED),
           "--max-examples", str(MAX_EXAMPLES), "--no-shrink", "--workers", "1", "--request-timeout", "30",
           "--generation-database", "none", "--suppress-health-check", "all", "--no-color",
           "-H", f"Authorization: Bearer {admin['access_token']}",
           "--exclude-path-regex", EXCLUDED_PATHS, "--report", "junit", "--report-junit-path", str(junit)]
    output = tmp_path / "schemathesis.out"
    with open(output, "w") as out:
        # in tmp_path: schemathesis keeps a cache directory (.schemathesis/) in its working directory
        run = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, text=True, timeout=400, cwd=tmp_path)
    summary = output.read_text()[-6000:]
    print(summary)
    assert run.returncode == 0, f"schemathesis found problems:\n{summary}\n{failures(junit)}"


def failures(junit: Path) -> str:
    if not junit.exists():
        return "(no report)"
    out = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        for problem in list(case.findall("failure")) + list(case.findall("error")):
            out.append(f"{case.get('name')}: {(problem.get('message') or problem.text or '')[:600]}")
    return "\n".join(out[:60])
