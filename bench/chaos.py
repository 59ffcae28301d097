"""Chaos suite: faults injected into the local lab under steady load, one table.

Not a test: run it by hand, as root, under the lab lock (it starts its own lab unless
``--workdir`` names a running one, and stops the lab it started):

    flock /tmp/osc-scope-lab.lock .venv/bin/python bench/chaos.py [--workdir DIR]

Load: 4 clients (``osc_scope.lab.load``), each one kept-alive connection to CloudOne's
router sending ``GET /image/v2/images`` with a real token and a scope, no client retry.
Each scenario runs the load, injects its fault, waits until the load is served as the
scope says it should be, undoes the fault (``osc-scope lab up`` starts what is missing)
and waits until the first choice serves again. The partition runs on the lab's WAN
(``lab up --wan``, turned on for it and off after when the lab had none): three loads at
once (scope CloudOne, CloudTwo, ``CloudTwo|CloudOne``, 2 clients each), the link between
CloudOne and CloudTwo cut, then healed. Columns:

    requests, failed        answers counted over the whole scenario; failed = no answer or 5xx
    longest failed window   first to last failure of a run with no success in between
    fail over               fault -> first answer served by the next cloud (or the error)
    recover                 fault undone -> first answer served by the first choice again

Which cloud answered: CloudTwo's image list holds ``cirros``, CloudOne's does not.
"""

import argparse
import contextlib
import os
import shutil
import tempfile

from osc_scope.lab.chaos import (
    Lab,
    keystone_scenario,
    kill_scenario,
    partition_scenario,
    reload_scenario,
    wire,
)


def seconds(value):
    return "-" if value is None else f"{value:.2f} s"


def print_table(rows):
    print("| scenario | requests | failed | longest failed window | fail over | recover |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        settled = "" if r["settled"] else " (did not settle)"
        name = r["name"].replace("|", "\\|")
        print(f"| {name}{settled} | {r['requests']:,} | {r['failed']} | "
              f"{seconds(r['failed_window'] or None)} | {seconds(r['fail_over'])} | "
              f"{seconds(r['recover'])} |")  # fmt: skip
    for r in rows:
        if r["note"]:
            print(f"{r['name']}: {r['note']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", help="a running lab (default: a new one, stopped after)")
    args = parser.parse_args()
    workdir = args.workdir or tempfile.mkdtemp(prefix="chaos-lab-", dir="/tmp")
    os.chmod(workdir, 0o755)
    lab = Lab(os.path.abspath(workdir))
    with contextlib.ExitStack() as cleanup:
        if not args.workdir:
            cleanup.callback(shutil.rmtree, workdir, ignore_errors=True)
            cleanup.callback(lab.lab, "down")
        lab.lab("up")
        token = lab.token("CloudOne")
        failover = wire(image="CloudTwo|CloudOne")
        local_first = wire(image="CloudOne|CloudTwo")
        had_wan = lab.has_wan
        rows = [
            kill_scenario(lab, token, "remote Glance killed, CloudTwo|CloudOne", failover,
                          "CloudTwo", "CloudOne", "CloudTwo-glance"),
            kill_scenario(lab, token, "remote router killed, CloudTwo|CloudOne", failover,
                          "CloudTwo", "CloudOne", "CloudTwo-haproxy"),
            kill_scenario(lab, token, "local Glance killed, CloudOne|CloudTwo", local_first,
                          "CloudOne", "CloudTwo", "CloudOne-glance"),
            keystone_scenario(lab),
            reload_scenario(lab, token),
        ]  # fmt: skip
        if not had_wan:  # a changed routing table, reloaded under no load here
            lab.wan(True)
            cleanup.callback(lab.wan, False)
        rows += partition_scenario(lab, token)
        print_table(rows)


if __name__ == "__main__":
    main()
