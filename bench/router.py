"""Router benchmark: HAProxy CPU per request, plain vs the scope router, 2 and 1,000 clouds.

Not a test: run it by hand (``python bench/router.py``; ``--baseline REV`` adds the router
of another git revision to the same run). Loopback only, bounded (a few seconds per run).
Everything it starts, it stops.

    direct   wrk -> a fixed-body backend (haproxy ``http-request return``)
    plain    wrk -> HAProxy with a static use_backend -> backend
    router   wrk -> the rendered scope router (``osc-scope render``) -> backend

The proxy under test runs ``nbthread 1``; its CPU time per request is the delta of utime +
stime from /proc/<pid>/stat over the run divided by the requests wrk made. ``net`` also
subtracts the proxy's idle CPU (health checks) measured before the runs. All proxies run at
once and the runs are interleaved (round r: every case on every proxy, then round r + 1),
so a change in the machine's load hits every row alike. Each figure is the median of
``--runs`` runs.
"""

import argparse
import contextlib
import json
import os
import pathlib
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from osc_scope.routing import render

CLK_TCK = os.sysconf("SC_CLK_TCK")
TOKEN = "gAAAAABbench-token-0123456789abcdef"
SERVICES = {"identity": "/identity", "image": "/image", "compute": "/compute/v2.1",
            "placement": "/placement", "network": ""}  # fmt: skip
PATH = "/image/v2/images"
ROOT = pathlib.Path(__file__).resolve().parents[1]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid):
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


@contextlib.contextmanager
def haproxy(config_path, port):
    process = subprocess.Popen(
        ["haproxy", "-db", "-q", "-f", str(config_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                sys.exit(f"haproxy exited: {config_path}")
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            if time.monotonic() > deadline:
                sys.exit(f"haproxy not listening: {config_path}")
            time.sleep(0.05)
        yield process
    finally:
        process.terminate()
        process.wait(10)


BACKEND_CFG = """global
    nbthread 1
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend fixed
    bind 127.0.0.1:{port}
    http-request return status 200 content-type text/plain string "ok\\n"
"""

PLAIN_CFG = """global
    nbthread 1
    log stdout format raw local0 info
defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend plain
    bind 127.0.0.1:{port}
    use_backend static
backend static
    server s1 127.0.0.1:{backend} check inter 2s
"""


def make_table(clouds, port, net_port, backend):
    """CloudOne on 127.0.0.1; CloudTwo's frontend is the fixed backend (so forwarding to it
    works); the other clouds sit on unused loopback addresses (checks are refused)."""

    def cloud(name, host, main, net, backends):
        return {
            "region": name,
            "frontends": [f"http://{host}:{main}", f"http://{host}:{net}"],
            "endpoints": [
                {
                    "service_type": service,
                    "interface": "public",
                    "url": f"http://{host}:{net if service == 'network' else main}{prefix or '/'}",
                    "backends": backends,
                }
                for service, prefix in SERVICES.items()
            ],
        }

    table = {
        "CloudOne": cloud("CloudOne", "127.0.0.1", port, net_port, [f"127.0.0.1:{backend}"]),
        "CloudTwo": cloud("CloudTwo", "127.0.0.1", backend, free_port(), []),
    }
    for index in range(3, clouds + 1):
        host = f"127.{1 + index // 250}.{index % 250}.1"
        table[f"Cloud{index:04d}"] = cloud(f"Cloud{index:04d}", host, 80, 9696, [])
    return {"format": 1, "clouds": table}


def render_router(table, out, args, tree=None):
    """Render CloudOne's router into ``out``: with this checkout's code, or with the code of
    ``tree`` (another revision's files, in a process of its own)."""
    options = {"metrics": None, "check_interval": args.check_interval,
               "check_rate": args.check_rate}  # fmt: skip
    if tree is None:
        render.render(table, "CloudOne", out, **options)
        return
    table_path = out.parent / f"{out.name}.table.json"
    table_path.write_text(json.dumps(table))
    code = ("import json, sys; from osc_scope.routing import render; "
            "render.render(json.load(open(sys.argv[1])), 'CloudOne', sys.argv[2], "
            "**json.loads(sys.argv[3]))")  # fmt: skip
    subprocess.run([sys.executable, "-c", code, str(table_path), str(out), json.dumps(options)],
                   cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, check=True)  # fmt: skip


def export_revision(revision, directory):
    """The files of git ``revision`` of this checkout, under ``directory``."""
    directory.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision], check=True,
                             capture_output=True).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(directory)], input=archive, check=True)
    return directory


def wrk(port, headers, duration, connections):
    args = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run(
        [*args, f"http://127.0.0.1:{port}{PATH}"], capture_output=True, text=True, check=True
    ).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        sys.exit(f"wrk saw {errors.group(1)} error responses:\n{out}")
    return requests, float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def measure(pid, port, headers, args, idle_rate):
    """One wrk run: (req/s, CPU us/req, net CPU us/req) of the proxy ``pid`` (None: none)."""
    before = cpu_seconds(pid) if pid else 0.0
    start = time.monotonic()
    requests, rate = wrk(port, headers, args.duration, args.connections)
    elapsed = time.monotonic() - start
    used = (cpu_seconds(pid) - before) if pid else 0.0
    net = max(used - idle_rate * elapsed, 0.0)
    return rate, used / requests * 1e6, net / requests * 1e6


def median_rows(rows):
    return tuple(statistics.median(column) for column in zip(*rows, strict=True))


def idle_cpu_rate(pid, seconds):
    before = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - before) / seconds


def scope_headers():
    local = {s: "CloudOne" for s in SERVICES}
    remote = dict(local, image="CloudTwo")
    failover = dict(local, image="CloudTwo|CloudOne")

    def wire(scope):
        return "{" + ",".join(f'"{k}":"{v}"' for k, v in sorted(scope.items())) + "}"

    return {
        "no scope (local)": {"X-Auth-Token": TOKEN},
        "scope, local (native)": {"X-Auth-Token": f"{TOKEN}!SCOPE!{wire(local)}"},
        "scope, other cloud (native)": {"X-Auth-Token": f"{TOKEN}!SCOPE!{wire(remote)}"},
        "failover A|B (native)": {"X-Auth-Token": f"{TOKEN}!SCOPE!{wire(failover)}"},
        "partial scope (Lua)": {"X-Auth-Token": f'{TOKEN}!SCOPE!{{"image":"CloudTwo"}}'},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=4, help="seconds per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--clouds", default="2,1000", help="comma-separated cloud counts")
    parser.add_argument(
        "--check-interval", default="2s", help="the router's health-check interval"
    )
    parser.add_argument(
        "--check-rate", type=int, default=None, help="most checks of other clouds per second"
    )
    parser.add_argument("--idle", type=float, default=3.0, help="seconds of idle CPU sampling")
    parser.add_argument(
        "--baseline",
        metavar="REV",
        help="also measure the router rendered by git revision REV of this checkout, in the "
        "same interleaved run (what a change costs)",
    )
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory(prefix="osc-scope-bench-") as tmp,
        contextlib.ExitStack() as stack,
    ):
        tmp = pathlib.Path(tmp)
        backend = free_port()
        (tmp / "backend.cfg").write_text(BACKEND_CFG.format(port=backend))
        stack.enter_context(haproxy(tmp / "backend.cfg", backend))
        # (label, clouds, pid, port, headers); pid None: nothing to measure but wrk
        setups = [("direct backend", "-", None, backend, {"X-Auth-Token": TOKEN})]
        port = free_port()
        (tmp / "plain.cfg").write_text(PLAIN_CFG.format(port=port, backend=backend))
        proc = stack.enter_context(haproxy(tmp / "plain.cfg", port))
        setups.append(("plain HAProxy, static use_backend", "-", proc.pid, port,
                       {"X-Auth-Token": TOKEN}))  # fmt: skip
        remote_inter = {}
        trees = {"router": None}
        if args.baseline:
            trees[f"router@{args.baseline}"] = export_revision(args.baseline, tmp / "baseline")
        for count in [int(c) for c in args.clouds.split(",")]:
            for name, tree in trees.items():
                port, net = free_port(), free_port()
                out = tmp / f"{name}-{count}"
                render_router(make_table(count, port, net, backend), out, args, tree)
                remote_inter[count] = re.search(
                    r"check inter (\S+)", (out / "haproxy.cfg").read_text()
                ).group(1)
                proc = stack.enter_context(haproxy(out / "haproxy.cfg", port))
                for label, headers in scope_headers().items():
                    setups.append((f"{name}: {label}", str(count), proc.pid, port, headers))
        time.sleep(2.5)  # first health checks settle
        idle = {pid: idle_cpu_rate(pid, args.idle) for _, _, pid, _, _ in setups if pid}
        samples = {index: [] for index in range(len(setups))}
        for _ in range(args.runs):
            for index, (_, _, pid, port, headers) in enumerate(setups):
                samples[index].append(measure(pid, port, headers, args, idle.get(pid, 0.0)))
    results = [(*setup[:2], *median_rows(samples[i])) for i, setup in enumerate(setups)]
    plain = results[1][2:]
    inter = ", ".join(f"{count} clouds: {value}" for count, value in remote_inter.items())
    print(f"\nwrk -t1 -c{args.connections} -d{args.duration}s, median of {args.runs} "
          f"interleaved runs, proxy nbthread 1, check interval {args.check_interval} "
          f"(checks of other clouds every {inter})\n")  # fmt: skip
    print("| setup | clouds | req/s | CPU us/req | ratio | net CPU us/req | net ratio |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for name, clouds, rate, cpu, net in results:
        if name == "direct backend":
            print(f"| {name} | - | {rate:,.0f} | - | - | - | - |")
            continue
        name = name.replace("|", "\\|")  # markdown
        print(
            f"| {name} | {clouds} | {rate:,.0f} | {cpu:.2f} | {cpu / plain[1]:.2f}x "
            f"| {net:.2f} | {net / plain[2]:.2f}x |"
        )


if __name__ == "__main__":
    main()
