"""Clouds on loopback: real haproxy routers in front of small echo backends.

The clouds are those of a routing table (by default tests/vectors/routing_table.json):
CloudOne on 127.0.0.1, CloudTwo on 127.0.0.2 (any 127/8 address works without set-up), each
frontend on a free port of its address. Each (cloud, service) backend is an echo server that
answers with who it is and the headers that reached it. Every process and thread started
here is stopped by its fixture.

Waits are derived from the rendered configuration (check interval, check timeout, fall and
rise), never from how fast this machine is: see ``CheckTimes``.

Each router's fan-out backend (``osc-scope:fanout``) is an echo too, on the Unix socket the
render gives the fan-out service: it answers as cloud "osc-scope", service "fanout".
"""

import ast
import copy
import http.server
import json
import os
import pathlib
import re
import shutil
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from osc_scope.origin import origin
from osc_scope.routing import failover, render, timing

EXAMPLE_TABLE = json.loads(
    (pathlib.Path(__file__).resolve().parents[2] / "vectors" / "routing_table.json").read_text()
)
# seconds a request (and the log line it leaves), or HAProxy's start, may take: what no
# check interval governs
REQUEST_TIMEOUT = 10
# A loaded 2-core machine runs health checks late: waits are this many times what the
# configuration needs. Only a failing test waits that long.
SLACK = 3


def reserve_port(host):
    """A socket holding a free port of ``host`` for a router: bound with SO_REUSEPORT (as
    HAProxy binds its listeners) but not listening, so that nothing else (another test
    run, an echo server) takes the port before HAProxy binds it. Close it after."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, 0))
    return sock


class Echo(http.server.ThreadingHTTPServer):
    """Answers every request with its own name and the request's headers, as JSON."""

    daemon_threads = True

    def __init__(self, host, cloud, service):
        self.cloud, self.service = cloud, service
        super().__init__((host, 0), EchoHandler)
        self.thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def handle_error(self, request, client_address):
        pass  # TCP health checks connect and close: not an error

    @property
    def address(self):
        return f"{self.server_address[0]}:{self.server_address[1]}"

    def stop(self):
        if self.thread.is_alive():
            self.shutdown()
            self.server_close()
            self.thread.join(5)


class UnixEcho(socketserver.ThreadingUnixStreamServer):
    """An Echo on a Unix socket: the stand-in of a router's fan-out service."""

    daemon_threads = True

    def __init__(self, path, cloud="osc-scope", service="fanout"):
        self.cloud, self.service, self.path = cloud, service, path
        if os.path.exists(path):
            os.unlink(path)
        super().__init__(path, EchoHandler)
        self.thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def handle_error(self, request, client_address):
        pass

    def stop(self):
        if self.thread.is_alive():
            self.shutdown()
            self.server_close()
            self.thread.join(5)
            os.unlink(self.path)


ECHO_PROCESS = pathlib.Path(__file__).with_name("echo_process.py")


class EchoProcess:
    """An echo backend in its own process (``echo_process.py``): a test can kill it with
    SIGKILL, or run it in another network namespace (``namespace``, osc_scope.lab.wan)."""

    def __init__(self, host, cloud, service, namespace=None):
        argv = [sys.executable, str(ECHO_PROCESS), host, cloud, service]
        self.process = subprocess.Popen(
            namespace.argv(argv) if namespace else argv, stdout=subprocess.PIPE, text=True
        )
        self.address = self.process.stdout.readline().strip()
        assert self.address, "echo process did not start"

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)

    stop = kill


class EchoHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = json.dumps(
            {
                "cloud": self.server.cloud,
                "service": self.server.service,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Echo", f"{self.server.cloud}:{self.server.service}")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def address_string(self):
        return str(self.client_address or "unix")

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer

    def log_message(self, *args):
        pass


def _ms(text):
    return timing.milliseconds(text) / 1000


class CheckTimes:
    """The health-check settings of a rendered haproxy.cfg, in seconds, and the waits they
    imply: how long a router may take to see a server change state."""

    def __init__(self, config):
        defaults = re.search(r"default-server .*inter (\S+) fall (\d+) rise (\d+)", config)
        self.interval = _ms(defaults.group(1))
        self.fall, self.rise = int(defaults.group(2)), int(defaults.group(3))
        self.timeout = _ms(re.search(r"timeout check (\S+)", config).group(1))
        remote = re.search(r"check inter (\S+) fastinter (\S+)", config)
        self.remote_interval = _ms(remote.group(1)) if remote else self.interval
        self.fast_interval = _ms(remote.group(2)) if remote else self.interval

    def to_notice(self):
        """Seconds for this router to mark a server down or up while its checks run every
        check interval (as they do for servers going down, and after an error on traffic):
        fall + rise checks, each of which may take the check timeout, times SLACK."""
        return SLACK * (self.fall + self.rise) * (self.interval + self.timeout)


class Router:
    """One haproxy process running a rendered router; its log lines are kept in a file."""

    def __init__(self, directory):
        self.directory = pathlib.Path(directory)
        self.log_path = self.directory / "haproxy.log"
        self.process = None
        self.checks = CheckTimes((self.directory / "haproxy.cfg").read_text())

    def start(self, ports=(), master_worker=False, namespace=None):
        """Run haproxy; ``master_worker``: as the lab and the playbook run it (``-W``: a
        SIGUSR2 to the master reloads); ``namespace``: in that network namespace."""
        mode = ["-W"] if master_worker else []
        argv = ["haproxy", *mode, "-db", "-f", str(self.directory / "haproxy.cfg")]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                namespace.argv(argv) if namespace else argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        for host, port in ports:
            wait_for(
                lambda host=host, port=port: self._listens(host, port),
                REQUEST_TIMEOUT,
                f"haproxy listening on {host}:{port}",
            )

    def _listens(self, host, port):
        assert self.process.poll() is None, self.log()
        try:
            socket.create_connection((host, port), timeout=1).close()
            return True
        except OSError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for_log(self, needle):
        """The log once it holds ``needle``: HAProxy writes a request's line after the
        answer, so a test reading it right after the answer may be early."""
        wait_for(lambda: needle in self.log(), REQUEST_TIMEOUT, f"{needle!r} in the log")
        return self.log()


def wait_for(predicate, timeout, what="condition"):
    """Poll ``predicate`` until it holds; fail after ``timeout`` seconds (derived by the
    caller from the configuration under test)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what}: not reached in {timeout:.1f} s"
        time.sleep(0.05)


class Clouds:
    """The clouds of a routing table, on loopback: echo backends, routers; ``request``
    talks to a frontend. ``table`` gives the shape (clouds, frontends in order, service
    paths); addresses and backends are made here."""

    def __init__(
        self,
        tmp_path,
        https=(),
        fast_path=True,
        check_interval="200ms",
        prefixes=None,
        table=EXAMPLE_TABLE,
        namespaces=None,
    ):
        self.tmp = tmp_path
        # clouds run in their own network namespace (osc_scope.lab.wan): echo processes,
        # and ports taken in order (the namespace is new: every port is free)
        self.namespaces = dict(namespaces or {})
        self._next_namespace_port = 20000
        self.https = set(https)
        self.echo = {}
        self.fanout = {}  # cloud -> its fan-out service's echo
        self.run_dir = tempfile.mkdtemp(prefix="osc-fo-")  # Unix socket paths stay short
        self.routers = {}
        self.metrics = {}
        self.reserved = []  # the routers' ports, held until close()
        self.hosts, self.ports = {}, {}
        self.origins = {}  # the shape's frontend -> the live one
        self.table = {"format": 1, "clouds": copy.deepcopy(table["clouds"])}
        self.options = {"fast_path": fast_path, "check_interval": check_interval}
        for cloud, shape in self.table["clouds"].items():
            scheme = "https" if cloud in self.https else "http"
            host = self.hosts[cloud] = urllib.parse.urlsplit(shape["frontends"][0]).hostname
            self.ports[cloud] = tuple(self._port(host) for _ in shape["frontends"])
            live = [f"{scheme}://{host}:{port}" for port in self.ports[cloud]]
            self.origins.update(zip(shape["frontends"], live, strict=True))
            shape["frontends"] = live
            for endpoint in shape["endpoints"]:
                service = endpoint["service_type"]
                path = urllib.parse.urlsplit(endpoint["url"]).path
                path = (prefixes or {}).get(cloud, {}).get(service, path) or "/"
                if cloud in self.namespaces:
                    echo = EchoProcess(host, cloud, service, self.namespaces[cloud])
                else:
                    echo = Echo(host, cloud, service)
                self.echo[cloud, service] = echo
                endpoint["url"] = self.origins[origin(endpoint["url"])] + path
                endpoint["backends"] = [echo.address]

    def _port(self, host):
        if host in self._namespaced_hosts():
            return self._namespace_port()
        self.reserved.append(reserve_port(host))
        return self.reserved[-1].getsockname()[1]

    def echo_process(self, host, cloud, service):
        """An echo backend in its own process (killable), in the cloud's namespace if any."""
        return EchoProcess(host, cloud, service, self.namespaces.get(cloud))

    def _namespace_port(self):
        self._next_namespace_port += 1  # one counter: no two binds share a port
        return self._next_namespace_port

    def _namespaced_hosts(self):
        return {
            urllib.parse.urlsplit(self.table["clouds"][cloud]["frontends"][0]).hostname
            for cloud in self.namespaces
        }

    def render(self, cloud, **options):
        directory = self.tmp / cloud
        host = self.hosts[cloud]
        if cloud in self.namespaces:  # metrics stay on loopback (of the namespace)
            metrics = f"127.0.0.1:{self._namespace_port()}"
        else:
            host = host if host.startswith("127.") else "127.0.0.1"
            metrics = f"{host}:{self._port(host)}"
        run_dir = os.path.join(self.run_dir, cloud)
        os.makedirs(run_dir, exist_ok=True)
        options = {**self.options, "metrics": metrics, "fanout_run_dir": run_dir, **options}
        self.metrics[cloud] = options["metrics"]
        config = render.render(self.table, cloud, directory, **options)
        render.check(config)
        return directory

    def start(self, cloud, directory=None, master_worker=False, **options):
        """Start a cloud's router, rendered now unless ``directory`` holds one already."""
        router = self.routers[cloud] = Router(directory or self.render(cloud, **options))
        if cloud not in self.fanout:
            self.fanout[cloud] = UnixEcho(os.path.join(self.run_dir, cloud, "fanout.sock"))
        ports = [(self.hosts[cloud], port) for port in self.ports[cloud]]
        router.start(ports, master_worker=master_worker, namespace=self.namespaces.get(cloud))
        return router

    def url(self, cloud, path, network=False):
        scheme = "https" if cloud in self.https else "http"
        port = self.ports[cloud][1 if network else 0]
        return f"{scheme}://{self.hosts[cloud]}:{port}{path}"

    def live_url(self, url):
        """A URL of the table's shape (e.g. http://127.0.0.1:80/image) on the live ports."""
        parts = urllib.parse.urlsplit(url)
        return self.origins[origin(url)] + urllib.parse.urlunsplit(("", "", *parts[2:]))

    def request(self, cloud, path, headers=None, method="GET", network=False, context=None):
        """(status, decoded JSON body) of one request to a cloud's frontend."""
        return self.fetch(self.url(cloud, path, network), headers, method, context)

    def fetch(self, url, headers=None, method="GET", context=None):
        """(status, decoded JSON body) of one request to a live URL (HEAD: the echo that
        answered, from its X-Echo header, as {"echo": "<cloud>:<service>"})."""
        req = urllib.request.Request(url, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT, context=context) as r:
                if method == "HEAD":
                    return r.status, {"echo": r.headers.get("X-Echo")}
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as exc:
            body = exc.read()
            try:
                return exc.code, json.loads(body)
            except ValueError:
                return exc.code, body.decode(errors="replace")

    def metric_lines(self, cloud, name):
        """(labels, value) of every sample of one metric of the cloud's router."""
        url = f"http://{self.metrics[cloud]}/metrics"
        if cloud in self.namespaces:
            fetch = "import sys, urllib.request as u; print(u.urlopen(sys.argv[1]).read())"
            argv = self.namespaces[cloud].argv([sys.executable, "-c", fetch, url])
            out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
            text = ast.literal_eval(out.strip()).decode()
        else:
            with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT) as response:
                text = response.read().decode()
        found = (re.fullmatch(rf"{name}\{{(.*)\}} (\S+)", line) for line in text.splitlines())
        return [(dict(re.findall(r'(\w+)="([^"]*)"', m[1])), m[2]) for m in found if m]

    def active_servers(self, cloud):
        """{backend: servers up} of the cloud's router (refusal backends have none, and
        the health twins of failover.py mirror their backend)."""
        return {
            labels["proxy"]: int(value)
            for labels, value in self.metric_lines(cloud, "haproxy_backend_active_servers")
            if not labels["proxy"].startswith("osc-scope:")
            and not labels["proxy"].endswith(failover.HEALTH_SUFFIX)
        }

    def fanout_up(self, cloud):
        """Whether the cloud's router takes its fan-out service for up."""
        return any(
            int(value) > 0
            for labels, value in self.metric_lines(cloud, "haproxy_backend_active_servers")
            if labels["proxy"] == "osc-scope:fanout"
        )

    def backends_up(self, cloud):
        """True when every backend of the cloud's router has a server up (metrics page)."""
        servers = self.active_servers(cloud)
        return bool(servers) and all(servers.values())

    def to_notice(self):
        """Seconds for a change behind one router to reach the first: each router on the
        way (the remote one, then this one) notices in turn."""
        return sum(router.checks.to_notice() for router in self.routers.values())

    def wait_ready(self):
        for cloud in self.routers:
            self.wait_for(lambda cloud=cloud: self.backends_up(cloud))

    def wait_for(self, predicate, timeout=None):
        wait_for(predicate, self.to_notice() if timeout is None else timeout)

    def close(self):
        for router in self.routers.values():
            router.stop()
        for echo in [*self.echo.values(), *self.fanout.values()]:
            echo.stop()
        for sock in self.reserved:
            sock.close()
        shutil.rmtree(self.run_dir, ignore_errors=True)


@pytest.fixture
def clouds(tmp_path):
    if not shutil.which("haproxy"):
        pytest.skip("haproxy is not installed")
    made = Clouds(tmp_path)
    made.start("CloudTwo")  # first: CloudOne's first checks of it then pass
    made.start("CloudOne")
    made.wait_ready()
    yield made
    made.close()


@pytest.fixture
def make_clouds(tmp_path):
    """A factory, for tests that need another set-up (TLS, Lua only)."""
    if not shutil.which("haproxy"):
        pytest.skip("haproxy is not installed")
    made = []

    def factory(**kwargs):
        instance = Clouds(tmp_path / f"set{len(made)}", **kwargs)
        made.append(instance)
        return instance

    yield factory
    for instance in made:
        instance.close()


@pytest.fixture(scope="module")
def make_module_clouds(tmp_path_factory):
    """The factory of ``make_clouds``, for sets of clouds a whole module shares."""
    if not shutil.which("haproxy"):
        pytest.skip("haproxy is not installed")
    made = []

    def factory(**kwargs):
        instance = Clouds(tmp_path_factory.mktemp("clouds"), **kwargs)
        made.append(instance)
        return instance

    yield factory
    for instance in made:
        instance.close()
