"""Profile a benchmark's processes with py-spy during its measured phases; top functions per process.

    ./paraph bench profile [--phases read,write] [--rate 100] [--top 10] <benchmark> [its args...]
    ./paraph bench profile --phases read gateway_http --seconds 8

Runs the benchmark in this process; when one of its measured phases starts (``bench.common.measured_phase``:
every scenario of gateway_http, the CPU phases of contracts_list), ``py-spy record`` attaches to each Python
process the benchmark started (service processes, gunicorn workers; not the gunicorn master, which only
supervises) and stops when the phase ends. For each phase and process it writes a speedscope file to
bench/results/ (open it at https://www.speedscope.app: flame graph, "left heavy" and "sandwich" views) and
prints the top functions: "self" is time in the function itself, "total" includes what it calls, both as a
share of that process's samples ("busy" is the samples' time summed over threads). py-spy skips idle threads,
so samples are where the CPU went, approximately: gunicorn workers are sampled without pausing them
(``--nonblocking``) and only samples holding the GIL count (their threads mostly wait for RPC replies in socket
reads, which py-spy does not always tell from work); a service (one eventlet thread) is paused for each sample
so that its waits in the hub count as idle; on a machine busier than its cores, a process waiting for a core
looks busy. Processes with under 20 samples (idle) are not listed.

py-spy needs ptrace on the benchmark's processes: as root, or with kernel.yama.ptrace_scope = 0. Sampling
slows the profiled processes a little, so the benchmark's own figures from a profiled run are not comparable
with an unprofiled one.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bench import common

RESULTS = common.RESULTS


def python_processes() -> dict[int, str]:
    """{pid: label} of the Python processes below this one worth profiling: services (their name), gunicorn
    workers (``gunicorn-<pid>``), other Python children (``<module>-<pid>``: a service's helper process);
    gunicorn masters (they only supervise) and non-Python children (wrk, py-spy) are skipped."""
    found = {}
    pids = common.descendants(os.getpid())[1:]
    parents = {int((common._stat_fields(pid) or ["", "0"])[1]) for pid in pids}
    for pid in pids:
        try:
            exe = Path(f"/proc/{pid}/exe").resolve().name
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if not exe.startswith("python"):
            continue
        if "paraph_platform.run" in argv:
            found[pid] = argv[argv.index("paraph_platform.run") + 1]
        elif any(a.endswith("gunicorn") for a in argv):
            if pid not in parents:  # a master has workers
                found[pid] = f"gunicorn-{pid}"
        elif "-m" in argv[:-1]:
            found[pid] = f"{argv[argv.index('-m') + 1]}-{pid}"
        else:
            found[pid] = f"python-{pid}"
    return found


class Profiler:
    """A ``bench.common.PHASE_LISTENERS`` entry: py-spy on every benchmark process during chosen phases."""

    def __init__(self, benchmark: str, phases: set[str] | None, rate: int, top: int):
        self.benchmark, self.phases, self.rate, self.top = benchmark, phases, rate, top
        self.running: list[tuple[str, str, Path, subprocess.Popen]] = []
        self.reports: list[dict] = []
        self.py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")

    def wanted(self, phase: str) -> bool:
        return phase != "warm-up" if self.phases is None else phase in self.phases

    def started(self, phase: str):
        if not self.wanted(phase):
            return
        stamp = time.strftime("%Y%m%d-%H%M%S")
        RESULTS.mkdir(parents=True, exist_ok=True)
        for pid, label in python_processes().items():
            out = RESULTS / f"profile-{self.benchmark}-{safe(phase)}-{safe(label)}-{stamp}.speedscope.json"
            # a gunicorn worker's threads mostly wait in a socket read (the RPC reply), which py-spy does not
            # always see as idle: only samples holding the GIL count there (the Python work). A service is one
            # OS thread (eventlet), whose C calls that release the GIL (the OPA engine) are its work too.
            # An eventlet service's thread looks busy to py-spy unless it is paused for each sample (without
            # --nonblocking; a few microseconds a sample), then its waits in the hub are recognised as idle.
            mode = ["--gil", "--nonblocking"] if label.startswith("gunicorn") else []
            proc = subprocess.Popen([self.py_spy, "record", "--pid", str(pid), "--rate", str(self.rate), *mode,
                                     "--format", "speedscope", "--function", "--output", str(out)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            self.running.append((phase, label, out, proc))
        time.sleep(0.5)  # py-spy attaches in a few hundred ms: the phase's first moments are not sampled

    def stopped(self, phase: str):
        if not self.wanted(phase):
            return
        mine = [r for r in self.running if r[0] == phase]
        self.running = [r for r in self.running if r[0] != phase]
        for *_, proc in mine:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        for _, label, out, proc in mine:
            try:
                _, err = proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                _, err = proc.communicate()
            if not out.exists():
                print(f"  py-spy wrote nothing for {label} ({phase}): {err.strip()[-300:]}", file=sys.stderr)
                continue
            self.reports.append({"phase": phase, "process": label, "file": str(out.relative_to(common.ROOT)),
                                 **top_functions(json.loads(out.read_text()), self.top)})

    def print_reports(self):
        for report in self.reports:
            if report["samples"] < 20:  # an idle process (the gunicorn of another scenario, a bystander)
                continue
            print(f"\n== {report['phase']} / {report['process']}: {report['samples']} samples "
                  f"({report['busy_s']:.1f} s busy, all threads) -> {report['file']}")
            rows = [[f"{share:.1f}%", f"{report['total'].get(name, 0):.1f}%", name] for name, share in report["self"]]
            print(common.table(rows, ["self", "total", "function (file)"]))
            print("  top by total (what it calls included):")
            for name, share in report["total_top"]:
                print(f"    {share:5.1f}%  {name}")


def safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)


def top_functions(speedscope: dict, top: int) -> dict:
    """Self and total shares of each function in a py-spy speedscope profile (all threads together).
    Stacks in speedscope's sampled profiles go from the outermost frame to the innermost."""
    frames = speedscope["shared"]["frames"]
    names = [f"{f['name']} ({short(f.get('file', ''))})" for f in frames]
    own, total, samples, busy = Counter(), Counter(), 0, 0.0
    for profile in speedscope["profiles"]:
        for stack, weight in zip(profile["samples"], profile["weights"]):  # weight: seconds (1 / rate)
            if not stack:
                continue
            samples += 1
            busy += weight
            own[names[stack[-1]]] += 1
            for name in {names[i] for i in stack}:
                total[name] += 1
    if not samples:
        return {"samples": 0, "busy_s": 0.0, "self": [], "total": {}, "total_top": []}
    pct = lambda c: round(100 * c / samples, 1)  # noqa: E731
    # "total" shares of the outermost frames are ~100% (thread bootstrap, worker loops): leave those out
    informative = [(n, pct(c)) for n, c in total.most_common() if pct(c) < 95]
    return {"samples": samples, "busy_s": round(busy, 2), "self": [(n, pct(c)) for n, c in own.most_common(top)],
            "total": {n: pct(c) for n, c in total.items()}, "total_top": informative[:top]}


def short(path: str) -> str:
    """site-packages/.../x.py -> package/x.py; the project's src/... -> package/x.py."""
    for marker in ("site-packages/", "/src/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="bench profile", description=__doc__.split("\n")[0],
                                     epilog="Anything after the benchmark's name is passed to it.")
    parser.add_argument("--phases", help="comma-separated phase names (default: every measured phase)")
    parser.add_argument("--rate", type=int, default=100, help="samples per second")
    parser.add_argument("--top", type=int, default=10, help="functions listed per process")
    parser.add_argument("benchmark")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    from bench.__main__ import available
    benchmarks = available()
    if args.benchmark not in benchmarks or args.benchmark == "profile":
        print(f"unknown benchmark {args.benchmark!r}; see ./paraph bench list", file=sys.stderr)
        return 2
    profiler = Profiler(args.benchmark, set(args.phases.split(",")) if args.phases else None, args.rate, args.top)
    common.PHASE_LISTENERS.append(profiler)
    try:
        code = benchmarks[args.benchmark].main(args.args)
    finally:
        common.PHASE_LISTENERS.remove(profiler)
        for *_, proc in profiler.running:  # the benchmark failed mid-phase
            if proc.poll() is None:
                proc.kill()
    profiler.print_reports()
    path = common.save(f"profile-{args.benchmark}", {"params": vars(args), "reports": profiler.reports})
    print(f"\nsaved {path.relative_to(common.ROOT)}")
    return code
