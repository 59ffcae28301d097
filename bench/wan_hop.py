"""What a WAN hop costs: a request scoped to another cloud, with that cloud behind a link of
0 and of 100 ms round-trip time.

Not a test: ``.venv/bin/python bench/wan_hop.py``. Loopback only, bounded. CloudOne's
router (rendered by ``osc-scope render``) sends ``{"image": "CloudTwo"}`` to CloudTwo's
frontend, which is a user-space relay (``osc_scope.lab.wan.DelayRelay``: the delay netem
would add, where the kernel has no netem) in front of a fixed-answer HAProxy. Latency per
request, median of ``--requests``: on one kept-alive client connection (the router reuses
its connection to the other cloud), and with a new client connection per request (as
each ``openstack`` command opens its own; the router may still reuse its side).
"""

import argparse
import http.client
import importlib.util
import json
import pathlib
import statistics
import tempfile
import time

from osc_scope.lab import wan
from osc_scope.routing import render

_spec = importlib.util.spec_from_file_location(
    "bench_router", pathlib.Path(__file__).with_name("router.py")
)
bench_router = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_router)

PATH = "/image/v2/images"


def wire(image):
    bindings = dict.fromkeys(bench_router.SERVICES, "CloudOne")
    bindings["image"] = image
    return "{" + ",".join(f'"{k}":"{v}"' for k, v in sorted(bindings.items())) + "}"


def latencies(port, headers, count, keep_alive):
    times, connection = [], None
    for _ in range(count):
        if connection is None or not keep_alive:
            if connection is not None:
                connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start = time.perf_counter()
        connection.request("GET", PATH, headers=headers)
        response = connection.getresponse()
        response.read()
        assert response.status == 200, response.status
        times.append(time.perf_counter() - start)
    connection.close()
    return statistics.median(times) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--rtt", type=float, default=100.0, help="milliseconds")
    args = parser.parse_args()
    free_port = bench_router.free_port
    with tempfile.TemporaryDirectory(prefix="osc-scope-wan-") as tmp:
        tmp = pathlib.Path(tmp)
        backend = free_port()
        (tmp / "backend.cfg").write_text(bench_router.BACKEND_CFG.format(port=backend))
        rows = []
        with bench_router.haproxy(tmp / "backend.cfg", backend):
            for rtt in (0.0, args.rtt):
                relay = wan.DelayRelay(("127.0.0.1", 0), ("127.0.0.1", backend), rtt / 2000)
                port, net = free_port(), free_port()
                out = tmp / f"router-{rtt:g}"
                table = bench_router.make_table(2, port, net, backend)
                # CloudTwo's frontend is the fixed backend: put the link in front of it
                two = json.dumps(table["clouds"]["CloudTwo"])
                two = two.replace(f"127.0.0.1:{backend}", f"127.0.0.1:{relay.address[1]}")
                table["clouds"]["CloudTwo"] = json.loads(two)
                render.render(table, "CloudOne", out, metrics=None)
                try:
                    with bench_router.haproxy(out / "haproxy.cfg", port):
                        time.sleep(0.5)
                        for label, image in (("CloudOne", "CloudOne"), ("CloudTwo", "CloudTwo")):
                            token = f"{bench_router.TOKEN}!SCOPE!{wire(image)}"
                            headers = {"X-Auth-Token": token}
                            kept = latencies(port, headers, args.requests, True)
                            new = latencies(port, headers, args.requests, False)
                            rows.append((rtt, label, kept, new))
                finally:
                    relay.close()
    print(f"\nmedian of {args.requests} requests, ms (mode: {wan.wan_mode()})\n")
    print("| RTT to CloudTwo | scope | kept-alive client | new client connection |")
    print("| ---: | --- | ---: | ---: |")
    for rtt, label, kept, new in rows:
        print(f"| {rtt:g} ms | image {label} | {kept:.1f} | {new:.1f} |")


if __name__ == "__main__":
    main()
