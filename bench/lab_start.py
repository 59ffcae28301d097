"""Measure the local lab: clean start, memory, start again when running, and restart.

    sudo .venv/bin/python bench/lab_start.py [--workdir DIR] [--keep]

Starts the lab from an empty DIR (default: a new temporary directory), reports the wall
time of each ``osc-scope lab up`` and the memory of every process the lab started (PSS:
shared pages counted once), then stops it (unless --keep).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

from osc_scope.lab import layout, processes


def _run(argv):
    started = time.monotonic()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def _pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as stream:
            for line in stream:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _sessions(workdir):
    lab = layout.Lab.load(workdir)
    procs = processes.ProcessTable(lab.path("run"), lab.path("log"))
    leaders = {procs.pid(name): name for name in procs.names()}
    usage = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            session = os.getsid(int(entry))
        except OSError:
            continue
        if session in leaders:
            name = leaders[session]
            usage[name] = usage.get(name, 0) + _pss_kib(int(entry))
    return usage


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    workdir = args.workdir or tempfile.mkdtemp(prefix="osc-scope-lab-bench-")
    os.chmod(workdir, 0o755)
    osc_scope = os.path.join(os.path.dirname(sys.executable), "osc-scope")
    up = [osc_scope, "lab", "up", "--workdir", workdir]
    down = [osc_scope, "lab", "down", "--workdir", workdir]
    try:
        print(f"clean start:          {_run(up):5.1f} s  (load average {os.getloadavg()[0]:.1f})")
        usage = _sessions(workdir)
        for name, kib in sorted(usage.items(), key=lambda item: -item[1]):
            print(f"  {name:26} {kib / 1024:7.0f} MB")
        print(f"  {'total (PSS)':26} {sum(usage.values()) / 1024:7.0f} MB")
        print(f"up again (running):   {_run(up):5.1f} s")
        print(f"down:                 {_run(down):5.1f} s")
        print(f"up again (stopped):   {_run(up):5.1f} s")
    finally:
        if not args.keep:
            subprocess.run(down, stdout=subprocess.DEVNULL)
            if not args.workdir:
                shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
