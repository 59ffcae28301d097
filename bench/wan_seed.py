"""The seed command across a WAN: CloudOne boots from CloudTwo's image with CloudTwo behind a
link of 0 and of ``--rtt`` ms round-trip time.

Not a test: run it on a running lab (``osc-scope lab up``), as root, under the lab lock:

    flock /tmp/osc-scope-lab.lock .venv/bin/python bench/wan_seed.py --workdir lab

CloudOne's router is re-rendered from the lab's routing table with CloudTwo's frontends
moved to a user-space relay (``osc_scope.lab.wan.DelayRelay``, what netem would add, where
the kernel has none) on another loopback address, and reloaded (master-worker, nothing
dropped); the relay forwards to CloudTwo's real frontends. Every request of CloudOne toward
CloudTwo (the CLI's image lookups, Nova's calls to CloudTwo's Glance, the image download)
then crosses the link. At the end CloudOne's router is given the lab's own table again.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse

from osc_scope.lab import control, mesh, routers, wan

RELAY_HOST = "127.0.0.9"  # where CloudTwo's frontends appear to CloudOne


def _serve(lab, procs, table, cloud):
    release = routers.render(lab, table, cloud)
    return routers.start(lab, procs, cloud, release)


def _seed(lab, name):
    """Seconds of the seed's server create (then the server is deleted, not timed)."""
    env = {**os.environ, "OS_CLIENT_CONFIG_FILE": lab.path("clouds.yaml"), "OS_CLOUD": "CloudOne"}
    openstack = os.path.join(os.path.dirname(sys.executable), "openstack")
    scope = ["--os-scope", '{"image": "CloudTwo"}']
    start = time.monotonic()
    created = subprocess.run(
        [openstack, "server", "create", name, "--image", "cirros", "--flavor", "m1.tiny",
         "--nic", "none", "--wait", "-f", "json", *scope],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    took = time.monotonic() - start
    if created.returncode:
        raise SystemExit(f"server create failed:\n{created.stderr}")
    server = json.loads(created.stdout)
    subprocess.run([openstack, "server", "delete", "--wait", server["id"], *scope], env=env,
                   capture_output=True, timeout=600, check=True)  # fmt: skip
    return took, server["status"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", default="lab")
    parser.add_argument("--rtt", type=float, default=100, help="round-trip time, ms")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    lab, procs = control._load(args.workdir)
    if lab.wan:
        raise SystemExit("run it on a lab without a WAN (osc-scope lab up --no-wan): the relay "
                         "takes CloudTwo's place on loopback")  # fmt: skip
    with open(lab.path("routing", "table.json")) as stream:
        table = json.load(stream)
    two = lab.cloud("CloudTwo")
    ports = [urllib.parse.urlsplit(u).port or 80 for u in table["clouds"]["CloudTwo"]["frontends"]]
    one = lab.cloud("CloudOne")
    results = {}
    relays = []
    try:
        relays = [wan.DelayRelay((RELAY_HOST, port), (two.address, port), delay=0.0)
                  for port in ports]  # fmt: skip
        _serve(lab, procs, mesh.rehost_cloud(table, "CloudTwo", RELAY_HOST), one)
        time.sleep(1)
        for rtt in [0.0, args.rtt] * args.runs:  # interleaved
            for relay in relays:
                relay.delay = rtt / 2000  # each direction holds half the round trip
            took, status = _seed(lab, f"wan-seed-{int(rtt)}-{int(time.time())}")
            results.setdefault(rtt, []).append(took)
            print(f"rtt {rtt:5.0f} ms: server create --wait {took:6.1f} s ({status})", flush=True)
    finally:
        _serve(lab, procs, table, one)
        for relay in relays:
            relay.close()
    print()
    print("| RTT to CloudTwo | seed command (median) |")
    print("| ---: | ---: |")
    for rtt, times in sorted(results.items()):
        print(f"| {rtt:.0f} ms | {statistics.median(times):.1f} s |")


if __name__ == "__main__":
    main()
