"""Fan-out benchmark: a 3-cloud fan-out's latency vs its slowest cloud alone, streaming, CPU.

    flock /tmp/osc-scope-bench.lock .venv/bin/python bench/fanout.py [--delays 20,40,60]

Not a test: run it by hand. Unix sockets in a temp dir only, bounded (about two minutes
with the defaults); every process and socket it makes is gone when it ends, Ctrl-C
included. Three processes, so that the client does not starve the service on 2 cores:

    fan-out  ``python -m osc_scope.cmd.main fanout serve``: the service under test
    clouds   this script (--serve-clouds): the router's second listener with three fake
             Glances behind it; each answers after its delay (``--delays``), lists its
             ``--items`` images whole, and CloudTwo serves one image's data, made on the fly
    client   this script: sends what the router hands the service (``X-Scope-Service``,
             ``X-Scope-Frontend``, the fan-out scope) or, for the single-cloud baseline, the
             request with the scope of one cloud straight to the router's listener

So the fan-out path is client -> fan-out -> router -> cloud, the baseline client -> router
-> cloud: the hop the fan-out adds is in the ratio; HAProxy in front of both is not.

1. Latency, one request at a time: a fan-out list vs the slowest cloud alone (goal: ratio
   <= 1.3, the branches run at once); one image held by CloudTwo (the 2nd branch) vs
   CloudTwo alone; an image's data (``--file-mb``) through the fan-out vs CloudTwo alone:
   throughput, the fan-out's peak RSS during the stream (VmHWM, reset before each run) and
   its CPU per GiB.
2. CPU: the fan-out process's CPU time per request (utime + stime, /proc/<pid>/stat) at
   each ``--concurrency``.

Each case runs once per round and the rounds are interleaved (``--runs``), so the
machine's load hits every row alike; latencies are pooled over the rounds, the other
figures are medians of the rounds.
"""

import argparse
import asyncio
import contextlib
import ctypes
import dataclasses
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

CLOUDS = ("CloudOne", "CloudTwo", "CloudThree")
FRONTEND = "CloudOne:127.0.0.1:80"
PREFIX = "/image"
LIST = f"{PREFIX}/v2/images"
TOKEN = "gAAAAABbench-token-0123456789abcdef"
OTHER_SERVICES = ("compute", "identity", "network", "placement")  # a complete scope
CHUNK = 1024 * 1024
CLK_TCK = os.sysconf("SC_CLK_TCK")
PR_SET_PDEATHSIG = 1


class BenchError(Exception):
    """A case did not get the answer it expects: the figures would mean nothing."""


# --- the fake clouds (a process of their own) -------------------------------------------


def image_id(cloud, number):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"osc-scope-bench/{cloud}/{number}"))


def glance_image(cloud, number):
    """An image record as Glance lists it (about 900 bytes of JSON)."""
    ident = image_id(cloud, number)
    return {
        "id": ident,
        "name": f"{cloud}-image-{number:04d}",
        "status": "active",
        "visibility": "public",
        "protected": False,
        "os_hidden": False,
        "owner": uuid.uuid5(uuid.NAMESPACE_DNS, cloud).hex,
        "checksum": uuid.uuid5(uuid.NAMESPACE_OID, ident).hex,
        "os_hash_algo": "sha512",
        "os_hash_value": uuid.uuid5(uuid.NAMESPACE_X500, ident).hex * 4,
        "size": 21233664 + number,
        "virtual_size": 117440512,
        "min_ram": 0,
        "min_disk": 0,
        "disk_format": "qcow2",
        "container_format": "bare",
        "created_at": f"2026-01-01T00:{number // 60 % 60:02d}:{number % 60:02d}Z",
        "updated_at": f"2026-01-02T00:{number // 60 % 60:02d}:{number % 60:02d}Z",
        "hw_disk_bus": "virtio",
        "hw_rng_model": "virtio",
        "os_distro": "cirros",
        "os_version": "0.6.2",
        "tags": ["bench", cloud.lower()],
        "stores": "file",
        "self": f"/v2/images/{ident}",
        "file": f"/v2/images/{ident}/file",
        "schema": "/v2/schemas/image",
    }


def serve_clouds(spec):
    """The router's second listener and the clouds behind it, until SIGTERM."""
    from aiohttp import web

    delays = dict(zip(CLOUDS, spec["delays"], strict=True))
    lists, records = {}, {}
    for cloud, count in zip(CLOUDS, spec["items"], strict=True):
        images = [glance_image(cloud, n) for n in range(1, count + 1)]
        body = {"images": images, "first": "/v2/images", "schema": "/v2/schemas/images"}
        lists[cloud] = json.dumps(body).encode()
        records[cloud] = {i["id"]: json.dumps(i).encode() for i in images}
    file_id, file_size = image_id(CLOUDS[1], 1), spec["file_bytes"]
    block = os.urandom(CHUNK)

    async def stream(request, headers):
        response = web.StreamResponse(headers=headers)
        response.content_type = "application/octet-stream"
        response.content_length = file_size
        await response.prepare(request)
        left = file_size
        while left > 0:
            await response.write(block[: min(left, CHUNK)])
            left -= CHUNK
        await response.write_eof()
        return response

    async def handle(request):
        # what the router does with a single-cloud scope: pick the cloud, forward
        cloud = json.loads(request.headers["X-Scope"])["image"]
        await asyncio.sleep(delays[cloud])
        headers = {"X-Scope-Cloud": cloud}
        parts = request.path[len(PREFIX) :].strip("/").split("/")
        if parts == ["v2", "images"]:
            return web.Response(body=lists[cloud], content_type="application/json",
                                headers=headers)  # fmt: skip
        if len(parts) == 3 and parts[2] in records[cloud]:
            return web.Response(body=records[cloud][parts[2]], content_type="application/json",
                                headers=headers)  # fmt: skip
        if parts[2:] == [file_id, "file"] and cloud == CLOUDS[1]:
            return await stream(request, headers)
        return web.json_response({"error": {"code": 404, "title": "Not Found",
                                            "message": "no such image"}},
                                 status=404, headers=headers)  # fmt: skip

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    web.run_app(app, path=spec["socket"], print=None, access_log=None)


# --- processes, /proc --------------------------------------------------------------------


def _die_with_parent():
    """Run in the child: SIGTERM when the bench dies, even by SIGKILL."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@contextlib.contextmanager
def process(argv, sock, log_path):
    """Start ``argv`` (it listens on the Unix socket ``sock``), stop it at the end."""
    with open(log_path, "wb") as log:
        child = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, preexec_fn=_die_with_parent,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            if child.poll() is not None:
                sys.exit(f"{argv[1:4]} exited:\n{open(log_path).read()[-2000:]}")
            with socket.socket(socket.AF_UNIX) as probe, contextlib.suppress(OSError):
                probe.connect(sock)
                break
            if time.monotonic() > deadline:
                sys.exit(f"{argv[1:4]} does not listen on {sock}")
            time.sleep(0.05)
        yield child
    finally:
        child.terminate()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stream:
        fields = stream.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def memory_mib(pid, field):
    """``VmRSS`` or ``VmHWM`` (the peak RSS) of ``pid``, in MiB."""
    with open(f"/proc/{pid}/status") as stream:
        for line in stream:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def reset_peak(pid):
    """Make VmHWM start again from the current RSS (Linux >= 4.0)."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as stream:
            stream.write("5")
        return True
    except OSError:
        return False


# --- the client ------------------------------------------------------------------------


def wire(image):
    from osc_scope import scope as scope_api

    bindings = {service: "CloudOne" for service in OTHER_SERVICES}
    return scope_api.parse(json.dumps({**bindings, "image": image})).to_wire()


def fanout_headers():
    scope = wire("&".join(CLOUDS))
    return {"Host": "127.0.0.1", "X-Scope-Service": "image", "X-Scope-Frontend": FRONTEND,
            "X-Auth-Token": f"{TOKEN}!SCOPE!{scope}", "X-Scope": scope,
            "X-Scope-Hops": "1"}  # fmt: skip


def single_headers(cloud):
    scope = wire(cloud)
    return {"Host": "127.0.0.1", "X-Auth-Token": f"{TOKEN}!SCOPE!{scope}", "X-Scope": scope}


@dataclasses.dataclass
class Case:
    name: str
    target: str  # "fanout" or "router": the socket the client sends to
    path: str
    headers: dict
    expect: object  # check(status, headers, body) -> error message or None


class Client:
    def __init__(self, sockets):
        import aiohttp

        self.aiohttp = aiohttp
        self.sessions = {
            name: aiohttp.ClientSession(
                connector=aiohttp.UnixConnector(path=path, limit=0),
                timeout=aiohttp.ClientTimeout(total=None, sock_read=60),
            )
            for name, path in sockets.items()
        }

    async def close(self):
        for session in self.sessions.values():
            await session.close()

    async def get(self, case):
        session = self.sessions[case.target]
        async with session.get(f"http://bench{case.path}", headers=case.headers) as response:
            body = await response.read()
        return response.status, response.headers, body

    async def checked(self, case):
        status, headers, body = await self.get(case)
        problem = case.expect(status, headers, body)
        if problem:
            raise BenchError(f"{case.name}: {problem}")

    async def latencies(self, case, count):
        times = []
        for _ in range(count):
            start = time.perf_counter()
            status, _, _ = await self.get(case)
            times.append(time.perf_counter() - start)
            if status != 200:
                raise BenchError(f"{case.name}: status {status}")
        return times

    async def load(self, case, count, concurrency, pid):
        """``count`` requests from ``concurrency`` clients: (req/s, fan-out CPU us/req)."""
        left = count

        async def one_client():
            nonlocal left
            while left > 0:
                left -= 1
                status, _, _ = await self.get(case)
                if status != 200:
                    raise BenchError(f"{case.name}: status {status}")

        before, start = cpu_seconds(pid), time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
        return count / elapsed, (cpu_seconds(pid) - before) / count * 1e6

    async def stream(self, case, size, pid):
        """One image download: (MB/s, ms to the answer's headers, fan-out peak RSS MiB,
        fan-out CPU s/GiB)."""
        session = self.sessions[case.target]
        measured = case.target == "fanout"
        if measured:
            reset_peak(pid)
            before = cpu_seconds(pid)
        received, start = 0, time.perf_counter()
        async with session.get(f"http://bench{case.path}", headers=case.headers) as response:
            first = time.perf_counter() - start
            if response.status != 200:
                raise BenchError(f"{case.name}: status {response.status}")
            async for chunk in response.content.iter_chunked(CHUNK):
                received += len(chunk)
        elapsed = time.perf_counter() - start
        if received != size:
            raise BenchError(f"{case.name}: {received} bytes received, {size} expected")
        rate = received / elapsed / 1e6
        if not measured:
            return rate, first * 1000, None, None
        cpu = (cpu_seconds(pid) - before) / (size / 2**30)
        return rate, first * 1000, memory_mib(pid, "VmHWM"), cpu


def expect_list(count, clouds):
    def check(status, headers, body):
        if status != 200 or "X-Scope-Partial" in headers:
            return f"status {status}, partial {headers.get('X-Scope-Partial')}"
        if headers.get("X-Scope-Clouds", clouds) != clouds:
            return f"answered by {headers.get('X-Scope-Clouds')}, not {clouds}"
        got = len(json.loads(body)["images"])
        return None if got == count else f"{got} images, {count} expected"

    return check


def expect_image(ident):
    def check(status, headers, body):
        if status != 200 or json.loads(body).get("id") != ident:
            return f"status {status}, not image {ident}"
        if headers.get("X-Scope-Clouds", CLOUDS[1]) != CLOUDS[1]:
            return f"answered by {headers.get('X-Scope-Clouds')}, not {CLOUDS[1]}"
        return None

    return check


def cases(args):
    slowest = max(range(len(CLOUDS)), key=lambda i: args.delays[i])
    fan, total = fanout_headers(), sum(args.items)
    ident = image_id(CLOUDS[1], 1)
    one = f"{LIST}/{ident}"
    delays = "/".join(f"{d:g}" for d in args.delays)
    return {
        "list": (
            Case(f"list, {CLOUDS[slowest]} alone ({args.delays[slowest]:g} ms)", "router",
                 LIST, single_headers(CLOUDS[slowest]),
                 expect_list(args.items[slowest], CLOUDS[slowest])),
            Case(f"list, fan-out to 3 ({delays} ms, {total} images)", "fanout", LIST, fan,
                 expect_list(total, ", ".join(CLOUDS))),
        ),
        "image": (
            Case(f"one image, {CLOUDS[1]} alone ({args.delays[1]:g} ms)", "router", one,
                 single_headers(CLOUDS[1]), expect_image(ident)),
            Case(f"one image held by {CLOUDS[1]}, fan-out to 3", "fanout", one, fan,
                 expect_image(ident)),
        ),
        "file": (
            Case(f"image data, {CLOUDS[1]} alone", "router", f"{one}/file",
                 single_headers(CLOUDS[1]), None),
            Case("image data, fan-out to 3", "fanout", f"{one}/file", fan, None),
        ),
    }  # fmt: skip


async def measure(args, sockets, pid):
    plan = cases(args)
    client = Client(sockets)
    timed = (*plan["list"], *plan["image"])
    latency = {case.name: [] for case in timed}
    files = {case.name: [] for case in plan["file"]}
    loaded = [(plan[kind][1], c) for kind in ("list", "image") for c in args.concurrency]
    load = {(case.name, c): [] for case, c in loaded}
    count = max(args.requests, args.cpu_requests)
    try:
        for case in timed:  # answers checked, connections made
            await client.checked(case)
        rss = memory_mib(pid, "VmRSS")
        for _ in range(args.runs):
            for case in timed:
                latency[case.name] += await client.latencies(case, args.requests)
            for case in plan["file"]:
                files[case.name].append(await client.stream(case, args.file_bytes, pid))
            for case, concurrency in loaded:
                load[case.name, concurrency].append(
                    await client.load(case, count, concurrency, pid)
                )
    finally:
        await client.close()
    return plan, latency, files, load, rss


def quantiles(times):
    ms = sorted(t * 1000 for t in times)
    if len(ms) < 2:
        return ms[0], ms[0]
    cuts = statistics.quantiles(ms, n=10, method="inclusive")
    return statistics.median(ms), cuts[8]


def median_of(rows, column):
    return statistics.median(row[column] for row in rows)


def row(*cells):
    print("| " + " | ".join(str(cell) for cell in cells) + " |")


def header(*names):
    row(*names)
    row("---", *("---:" for _ in names[1:]))


def report(args, plan, latency, files, load, rss):
    delays = "/".join(f"{d:g}" for d in args.delays)
    print(f"\n{args.runs} interleaved rounds; the clouds answer after {delays} ms; latency: "
          f"{args.requests} requests per case and round, one at a time\n")  # fmt: skip
    header("request", "p50 ms", "p90 ms", "p50 ratio", "p90 ratio")
    ratios = []
    for alone, fanned in (plan["list"], plan["image"]):
        base, got = quantiles(latency[alone.name]), quantiles(latency[fanned.name])
        ratios.append(got[0] / base[0])
        row(alone.name, f"{base[0]:.1f}", f"{base[1]:.1f}", "1.00x", "1.00x")
        row(fanned.name, f"{got[0]:.1f}", f"{got[1]:.1f}", f"{got[0] / base[0]:.2f}x",
            f"{got[1] / base[1]:.2f}x")  # fmt: skip

    print(f"\nimage data: {args.file_bytes / 1e6:,.0f} MB, made by the fake cloud as it "
          f"streams; medians of the rounds; fan-out RSS at rest {rss:.0f} MiB\n")  # fmt: skip
    header("request", "MB/s", "ratio", "headers after ms", "fan-out peak RSS MiB",
           "fan-out CPU s/GiB")  # fmt: skip
    alone, fanned = (files[case.name] for case in plan["file"])
    base = median_of(alone, 0)
    row(plan["file"][0].name, f"{base:,.0f}", "1.00x", f"{median_of(alone, 1):.1f}", "-", "-")
    row(plan["file"][1].name, f"{median_of(fanned, 0):,.0f}",
        f"{median_of(fanned, 0) / base:.2f}x", f"{median_of(fanned, 1):.1f}",
        f"{max(r[2] for r in fanned):.0f}", f"{median_of(fanned, 3):.2f}")  # fmt: skip

    count = max(args.requests, args.cpu_requests)
    print(f"\nfan-out CPU per request: {count} requests per run, medians of the rounds\n")
    header("request", "clients", "req/s", "fan-out CPU us/req")
    for (name, concurrency), rows in load.items():
        row(name, concurrency, f"{median_of(rows, 0):,.0f}", f"{median_of(rows, 1):,.0f}")

    verdict = "met" if ratios[0] <= 1.3 else "NOT met"
    print(f"\nfan-out list p50 / slowest cloud alone p50: {ratios[0]:.2f}x "
          f"(goal <= 1.3: {verdict})")  # fmt: skip


def numbers(kind, count=None):
    def parse(text):
        try:
            values = [kind(v) for v in text.split(",")]
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected comma-separated numbers: {text}") from None
        if (count and len(values) != count) or any(v < 0 for v in values):
            raise argparse.ArgumentTypeError(
                f"expected {count or 'some'} non-negative numbers: {text}"
            )
        return values

    return parse


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--delays",
        type=numbers(float, 3),
        default=[20.0, 40.0, 60.0],
        help="ms each cloud waits before answering (default 20,40,60)",
    )
    parser.add_argument(
        "--items",
        type=numbers(int, 3),
        default=[20, 50, 100],
        help="images each cloud lists (default 20,50,100)",
    )
    parser.add_argument(
        "--requests", type=int, default=40, help="latency samples per case and round"
    )
    parser.add_argument(
        "--cpu-requests", type=int, default=300, help="requests per CPU run (at least --requests)"
    )
    parser.add_argument(
        "--concurrency",
        type=numbers(int),
        default=[4, 16],
        help="clients of the CPU runs (default 4,16)",
    )
    parser.add_argument("--file-mb", type=float, default=200, help="image data size, MB")
    parser.add_argument("--runs", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--log-level", default="info", help="the fan-out service's")
    parser.add_argument("--serve-clouds", help=argparse.SUPPRESS)  # the clouds process
    args = parser.parse_args()
    if args.serve_clouds:
        return serve_clouds(json.loads(args.serve_clouds))
    if args.requests < 1 or args.runs < 1 or 0 in args.concurrency:
        parser.error("--requests, --runs and --concurrency must be at least 1")
    args.file_bytes = int(args.file_mb * 1e6)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up as on Ctrl-C

    with tempfile.TemporaryDirectory(prefix="osc-scope-bench-fanout-") as tmp:
        sockets = {"router": f"{tmp}/router.sock", "fanout": f"{tmp}/fanout.sock"}
        config = {"format": 1, "local_cloud": "CloudOne", "listen": sockets["fanout"],
                  "frontends": {FRONTEND: {"scheme": "http", "socket": sockets["router"],
                                           "prefixes": {PREFIX: "image"}}}}  # fmt: skip
        with open(f"{tmp}/fanout.json", "w") as stream:
            json.dump(config, stream)
        spec = {"socket": sockets["router"], "delays": [d / 1000 for d in args.delays],
                "items": args.items, "file_bytes": args.file_bytes}  # fmt: skip
        clouds = [sys.executable, os.path.abspath(__file__), "--serve-clouds", json.dumps(spec)]
        service = [sys.executable, "-m", "osc_scope.cmd.main", "fanout", "serve",
                   "--config", f"{tmp}/fanout.json", "--log-level", args.log_level]  # fmt: skip
        try:
            with (
                process(clouds, sockets["router"], f"{tmp}/clouds.log"),
                process(service, sockets["fanout"], f"{tmp}/fanout.log") as fanout,
            ):
                results = asyncio.run(measure(args, sockets, fanout.pid))
        except KeyboardInterrupt:
            sys.exit(130)
        except BenchError as exc:
            sys.exit(f"{exc}\nfan-out log:\n{open(f'{tmp}/fanout.log').read()[-2000:]}")
    report(args, *results)


if __name__ == "__main__":
    main()
