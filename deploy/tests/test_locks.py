"""deps/locks: every deployable's third-party set pinned with hashes, up to date with its inputs (offline),
and used by `./paraph setup` and the Dockerfiles."""
from __future__ import annotations

import importlib.util
import re

import pytest

from deploy.tests import envscan
from deploy.tests.test_docker import IMAGES, image_instructions

ROOT = envscan.ROOT
_spec = importlib.util.spec_from_file_location("paraph_deps_lock", ROOT / "deps" / "lock.py")
lock = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lock)

# a package, its extras when a dependency asks for them (fonttools[woff]: see deps/lock.py), its pin
REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[A-Za-z0-9,._-]+\])?==(\S+?)( ;.*)? \\$")


def pins(name: str) -> dict[str, tuple[str, int]]:
    """{package: (version, number of hashes)} of deps/locks/<name>.txt."""
    out: dict[str, tuple[str, int]] = {}
    current = None
    for line in (lock.LOCKS / f"{name}.txt").read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        m = REQUIREMENT.match(line)
        if m:
            current = m.group(1).lower().replace("_", "-")
            out[current] = (m.group(2), 0)
        elif line.strip().startswith("--hash=sha256:") and current:
            version, hashes = out[current]
            out[current] = (version, hashes + 1)
        else:
            raise AssertionError(f"deps/locks/{name}.txt: unexpected line {line!r}")
    return out


def test_no_lock_is_stale():
    stale = lock.stale()
    assert not stale, (f"the inputs of {stale} changed since their lock was made: run `python deps/lock.py` "
                       "(needs uv: pip install uv) and commit deps/locks/")


@pytest.mark.parametrize("name", sorted(lock.inputs()))
def test_every_requirement_is_pinned_with_hashes_and_none_is_local(name):
    locked = pins(name)
    assert locked, name
    unhashed = sorted(p for p, (_, hashes) in locked.items() if not hashes)
    assert not unhashed, f"{name}: pinned without a hash: {unhashed}"
    local = set(lock.local_packages()) & set(locked)
    assert not local, f"{name}: the project's own packages cannot carry a hash, install them with --no-deps: {local}"
    wanted = {lock._name(r) for r in lock.inputs()[name]}
    assert wanted <= set(locked), f"{name}: inputs missing from the lock: {wanted - set(locked)}"


@pytest.mark.parametrize("name", sorted(IMAGES) + ["platform"])
def test_each_image_runs_the_versions_the_tests_ran(name):
    dev = pins("dev")
    differ = {p: (v, dev.get(p, (None,))[0]) for p, (v, _) in pins(name).items() if dev.get(p, (None,))[0] != v}
    assert not differ, f"{name}.txt pins other versions than dev.txt (package: (image, dev)): {differ}"


@pytest.mark.parametrize("name", sorted(IMAGES))
def test_dockerfile_installs_its_lock_with_hashes_then_the_project_without_deps(name):
    ins, _ = image_instructions(name)
    copies = {a.split()[0]: a.split()[1] for i, a in ins if i == "COPY"}
    assert copies.get(f"deps/locks/{name}.txt"), f"{name}: its lock is not copied into the image"
    runs = [a for i, a in ins if i == "RUN" and "pip install" in a]
    commands = [c.strip() for run in runs for c in run.split("&&") if "pip install" in c]
    for command in commands:
        if " -e " in command:
            assert "--no-deps" in command, f"{name}: {command} would resolve dependencies outside the lock"
        else:
            assert "--require-hashes" in command, f"{name}: {command} installs without hashes"
    assert any(copies[f"deps/locks/{name}.txt"] in c for c in commands)


def test_paraph_setup_installs_the_dev_lock_with_hashes():
    script = (ROOT / "paraph").read_text()
    setup = script[script.index("setup() {"):script.index("\n}\n")]
    installs = [line.strip() for line in setup.splitlines() if '"${pip[@]}"' in line]
    assert any("--require-hashes" in l and "deps/locks/dev.txt" in l for l in installs), installs
    assert any("--require-hashes" in l and "deps/locks/opa-golib.txt" in l for l in installs), installs
    for line in installs:
        assert "--require-hashes" in line or "--no-deps" in line, f"./paraph setup: {line} leaves the lock"
    assert "deps/locks/*.txt" in setup, "a new lock must trigger a new setup"
