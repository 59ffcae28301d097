"""Measure the local lab: how long ``lab up`` takes from each state, its CPU and memory.

    sudo .venv/bin/python bench/lab_start.py [--clouds A,B,C] [--keep]

Runs, in order, with a schema cache of its own (``OSC_SCOPE_CACHE_DIR``, empty at first):

- clean:            ``lab up`` in an empty DIR, empty cache (migrations run, then cached)
- warm:             ``lab up`` again while the lab runs (nothing to start)
- down / restart:   ``lab down``, then ``lab up`` on the stopped DIR
- clean, warm cache: ``lab up`` in another empty DIR (schemas restored from the cache)

For each: the wall time, and the CPU seconds it cost (``lab up`` and what it ran, plus every
process it started: on 2 cores, ``lab up`` cannot be faster than half of that). After the
first clean start: the memory (PSS, shared pages counted once) and CPU of each process.
Every lab is stopped at the end (the last one is kept with --keep).
"""

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

from osc_scope.lab import layout, processes

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid):
    """(session id, CPU seconds of the process and of its reaped children) or None."""
    try:
        with open(f"/proc/{pid}/stat") as stream:
            fields = stream.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return int(fields[3]), (utime + stime + cutime + cstime) / TICK


def _pss_mib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as stream:
            for line in stream:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _lab_processes(workdir):
    """{name: (MiB, CPU seconds)} of every process the lab runs, by the session it leads."""
    lab = layout.Lab.load(workdir)
    if lab is None:
        return {}
    procs = processes.ProcessTable(lab.path("run"), lab.path("log"))
    leaders = {procs.pid(name): name for name in procs.names()}
    usage = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        stat = _stat(entry)
        if stat is None or stat[0] not in leaders:
            continue
        name = leaders[stat[0]]
        mib, cpu = usage.get(name, (0.0, 0.0))
        usage[name] = (mib + _pss_mib(entry), cpu + stat[1])
    return usage


def _cpu_of_children():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Bench:
    def __init__(self, cache, clouds):
        self.osc_scope = os.path.join(os.path.dirname(sys.executable), "osc-scope")
        self.env = dict(os.environ, OSC_SCOPE_CACHE_DIR=cache)
        self.clouds = clouds

    def lab(self, action, workdir):
        argv = [self.osc_scope, "lab", action, "--workdir", workdir]
        if action == "up" and self.clouds:
            argv += ["--clouds", self.clouds]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=self.env)

    def measure(self, label, action, workdir):
        """Run one lab command; print its wall time and the CPU it and the lab spent."""
        load = os.getloadavg()[0]
        before = sum(cpu for _, cpu in _lab_processes(workdir).values()) if action == "up" else 0
        cpu, started = _cpu_of_children(), time.monotonic()
        self.lab(action, workdir)
        wall = time.monotonic() - started
        cpu = _cpu_of_children() - cpu
        if action == "up":
            cpu += sum(c for _, c in _lab_processes(workdir).values()) - before
        print(f"{label:28} {wall:6.1f} s   CPU {cpu:6.1f} s   (load before: {load:.1f})")


def _new_workdir():
    workdir = tempfile.mkdtemp(prefix="osc-scope-lab-bench-")
    os.chmod(workdir, 0o755)  # the postgres user walks into it
    return workdir


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clouds", help="comma-separated cloud names (default: the lab's)")
    parser.add_argument("--keep", action="store_true", help="leave the last lab running")
    args = parser.parse_args()
    cache = tempfile.mkdtemp(prefix="osc-scope-lab-bench-cache-")
    bench = Bench(cache, args.clouds)
    first, second = _new_workdir(), _new_workdir()
    running, failed = first, False
    try:
        bench.measure("clean (empty cache)", "up", first)
        usage = _lab_processes(first)
        for name, (mib, cpu) in sorted(usage.items(), key=lambda item: -item[1][0]):
            print(f"  {name:26} {mib:7.0f} MB  {cpu:6.1f} s CPU")
        total_mib = sum(mib for mib, _ in usage.values())
        print(f"  {'total (PSS)':26} {total_mib:7.0f} MB")
        bench.measure("warm (lab running)", "up", first)
        bench.measure("down", "down", first)
        bench.measure("restart (after lab down)", "up", first)
        bench.lab("down", first)
        running = second
        bench.measure("clean (warm cache)", "up", second)
    except subprocess.CalledProcessError:
        failed = True
        print(f"failed: the logs are in {running}/log", file=sys.stderr)
        raise
    finally:
        if running and not args.keep:
            subprocess.run([bench.osc_scope, "lab", "down", "--workdir", running],
                           stdout=subprocess.DEVNULL, env=bench.env)  # fmt: skip
        for workdir in (first, second):
            if not (workdir == running and (args.keep or failed)):
                shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
