"""Two clouds on loopback: real haproxy routers in front of small echo backends.

CloudOne lives on 127.0.0.1, CloudTwo on 127.0.0.2 (any 127/8 address works without set-up),
each with two frontends (main port and a network port), like tests/vectors/routing_table.json.
Each (cloud, service) backend is an echo server that answers with who it is and the headers
that reached it. Every process and thread started here is stopped by its fixture.
"""

import http.server
import json
import pathlib
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

from osc_scope.routing import render

SERVICES = {"identity": "/identity", "image": "/image", "compute": "/compute/v2.1",
            "placement": "/placement", "network": ""}  # fmt: skip
HOSTS = {"CloudOne": "127.0.0.1", "CloudTwo": "127.0.0.2"}


def free_port(host):
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


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
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer

    def log_message(self, *args):
        pass


class Router:
    """One haproxy process running a rendered router; its log lines are kept in a file."""

    def __init__(self, directory):
        self.directory = pathlib.Path(directory)
        self.log_path = self.directory / "haproxy.log"
        self.process = None

    def start(self, ports=()):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                ["haproxy", "-db", "-f", str(self.directory / "haproxy.cfg")],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + 10
        for host, port in ports:
            while True:
                assert self.process.poll() is None, self.log()
                try:
                    socket.create_connection((host, port), timeout=1).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline, f"haproxy not listening on {port}"
                    time.sleep(0.05)

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


class Clouds:
    """The two clouds: table, echo backends, routers; ``request`` talks to a frontend."""

    def __init__(self, tmp_path, https=(), fast_path=True, check_interval="200ms", prefixes=None):
        self.tmp = tmp_path
        self.https = set(https)
        self.echo = {}
        self.routers = {}
        self.ports = {}
        self.table = {"format": 1, "clouds": {}}
        self.options = {"fast_path": fast_path, "check_interval": check_interval}
        for cloud, host in HOSTS.items():
            self.ports[cloud] = (free_port(host), free_port(host))
            scheme = "https" if cloud in self.https else "http"
            main, net = self.ports[cloud]
            endpoints = []
            for service, prefix in {**SERVICES, **(prefixes or {}).get(cloud, {})}.items():
                echo = self.echo[cloud, service] = Echo(host, cloud, service)
                port = net if service == "network" else main
                endpoints.append(
                    {
                        "service_type": service,
                        "interface": "public",
                        "url": f"{scheme}://{host}:{port}{prefix or '/'}",
                        "backends": [echo.address],
                    }
                )
            self.table["clouds"][cloud] = {
                "region": cloud,
                "frontends": [f"{scheme}://{host}:{main}", f"{scheme}://{host}:{net}"],
                "endpoints": endpoints,
            }

    def render(self, cloud, **options):
        directory = self.tmp / cloud
        options = {**self.options, "metrics": f"{HOSTS[cloud]}:{free_port(HOSTS[cloud])}",
                   **options}  # fmt: skip
        self.metrics = getattr(self, "metrics", {})
        self.metrics[cloud] = options["metrics"]
        config = render.render(self.table, cloud, directory, **options)
        render.check(config)
        return directory

    def start(self, cloud, directory=None, **options):
        """Start a cloud's router, rendered now unless ``directory`` holds one already."""
        router = self.routers[cloud] = Router(directory or self.render(cloud, **options))
        router.start([(HOSTS[cloud], port) for port in self.ports[cloud]])
        return router

    def url(self, cloud, path, network=False):
        scheme = "https" if cloud in self.https else "http"
        port = self.ports[cloud][1 if network else 0]
        return f"{scheme}://{HOSTS[cloud]}:{port}{path}"

    def request(self, cloud, path, headers=None, method="GET", network=False, context=None):
        """(status, decoded JSON body) of one request to a cloud's frontend."""
        req = urllib.request.Request(
            self.url(cloud, path, network), headers=headers or {}, method=method
        )
        try:
            with urllib.request.urlopen(req, timeout=10, context=context) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            body = exc.read()
            try:
                return exc.code, json.loads(body)
            except ValueError:
                return exc.code, body.decode(errors="replace")

    def backends_up(self, cloud):
        """True when every backend of the cloud's router has a server up (metrics page)."""
        url = f"http://{self.metrics[cloud]}/metrics"
        with urllib.request.urlopen(url, timeout=5) as response:
            text = response.read().decode()
        states = [
            line.rsplit(" ", 1)[1]
            for line in text.splitlines()
            if line.startswith("haproxy_backend_active_servers{")
            and 'proxy="osc-scope:' not in line  # refusals: no server by design
        ]
        return bool(states) and all(state != "0" for state in states)

    def wait_ready(self):
        for cloud in self.routers:
            self.wait_for(lambda cloud=cloud: self.backends_up(cloud))

    def wait_for(self, predicate, timeout=10):
        deadline = time.monotonic() + timeout
        while not predicate():
            assert time.monotonic() < deadline, "condition not reached in time"
            time.sleep(0.1)

    def close(self):
        for router in self.routers.values():
            router.stop()
        for echo in self.echo.values():
            echo.stop()


@pytest.fixture
def clouds(tmp_path):
    if not shutil.which("haproxy"):
        pytest.skip("haproxy is not installed")
    made = Clouds(tmp_path)
    made.start("CloudOne")
    made.start("CloudTwo")
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
