"""``./paraph bench [name [args...]]`` — run the benchmarks in bench/.

    ./paraph bench                 # the default suite: every module with SUITE = True
    ./paraph bench list            # what exists (and what is planned)
    ./paraph bench gateway_http --threads 32
    ./paraph bench contracts_list --contracts 100000
    ./paraph bench profile --phases read gateway_http   # py-spy on its processes during the "read" phase

A benchmark is a module ``bench/<name>.py`` with a docstring and ``main(argv) -> int`` printing
its numbers and ratios (never pass/fail); ``SUITE = True`` puts it in the default run. Helpers for
services, gunicorn, a private vhost, load generation and result files are in ``bench/common.py``.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys
import time
import traceback
from pathlib import Path

import bench

# extension points: benchmarks the service engineers own (write bench/<name>.py with main(argv))
PLANNED = {  # benchmarks not written yet
    "pdf_render": "contracts: PDFs rendered per second (weasyprint via contracts.download_pdf, "
                  "eventlet.tpool) and its ratio to a plain read",
    "signing": "signing: documents sealed per second (pyHanko PAdES) and signer flow latency",
}


def available() -> dict[str, object]:
    found = {}
    for info in pkgutil.iter_modules([str(Path(bench.__file__).parent)]):
        if info.name.startswith("_") or info.name in ("common",):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        if callable(getattr(module, "main", None)):
            found[info.name] = module
    return dict(sorted(found.items()))


def describe(module) -> str:
    return ((module.__doc__ or "").strip().split("\n")[0]) or "(no description)"


def list_benchmarks(benchmarks) -> int:
    print("benchmarks (./paraph bench <name> --help):")
    for name, module in benchmarks.items():
        print(f"  {name:16} {'[suite] ' if getattr(module, 'SUITE', False) else ''}{describe(module)}")
    for name, what in PLANNED.items():
        if name not in benchmarks:
            print(f"  {name:16} (planned) {what}")
    return 0


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    benchmarks = available()
    if argv and argv[0] in ("list", "-l", "--list", "-h", "--help"):
        if argv[0] in ("-h", "--help"):
            print(__doc__)
        return list_benchmarks(benchmarks)
    if argv:
        name, rest = argv[0], argv[1:]
        if name not in benchmarks:
            print(f"unknown benchmark {name!r}", file=sys.stderr)
            list_benchmarks(benchmarks)
            return 2
        return benchmarks[name].main(rest)
    suite = [n for n, m in benchmarks.items() if getattr(m, "SUITE", False)]
    print(f"==> suite: {', '.join(suite)} (./paraph bench list for all)", flush=True)
    code = 0
    for name in suite:
        print(f"\n==> {name}: {describe(benchmarks[name])}", flush=True)
        t0 = time.monotonic()
        try:
            code |= benchmarks[name].main([]) or 0
        except Exception:  # noqa: BLE001 - one failing benchmark does not hide the others
            traceback.print_exc()
            code |= 1
        print(f"    ({time.monotonic() - t0:.0f}s)", flush=True)
    missing = [n for n in PLANNED if n not in benchmarks]
    if missing:
        print(f"\n(planned, not written yet: {', '.join(missing)})")
    return code


if __name__ == "__main__":
    sys.exit(main())
