"""The lab's HAProxy: master-worker on releases; a changed release is a reload, not a restart.

A real HAProxy on a free loopback port, in front of a backend that holds a request until
the test lets it go, so the request is in flight on the old worker during the reload.
"""

import http.client
import http.server
import os
import socket
import threading
import time

import pytest

from osc_scope.lab import haproxy, processes
from osc_scope.routing.render import RenderError

pytestmark = pytest.mark.skipif(haproxy.binary() is None, reason="haproxy is not installed")

CONFIG = """\
global
    default-path config
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend web
    bind 127.0.0.1:{port}
    http-request return status 200 content-type text/plain file answer.txt if {{ path /answer }}
    {broken}
    default_backend held
backend held
    server held 127.0.0.1:{backend}
"""


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _HeldBackend(http.server.ThreadingHTTPServer):
    """Answers each request once ``release`` is set; ``received`` says one arrived."""

    def __init__(self):
        self.received = threading.Event()
        self.release = threading.Event()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.received.set()
                server.release.wait(60)
                body = b"held request done"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()


def _get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


@pytest.fixture
def router(tmp_path):
    procs = processes.ProcessTable(str(tmp_path / "run"), str(tmp_path / "log"))
    backend = _HeldBackend()
    port = _free_port()
    directory = str(tmp_path / "router")

    def release(answer, broken=""):
        def write(output):
            with open(os.path.join(output, "haproxy.cfg"), "w") as stream:
                stream.write(CONFIG.format(port=port, backend=backend.server_port, broken=broken))
            with open(os.path.join(output, "answer.txt"), "w") as stream:
                stream.write(answer)

        return haproxy.stage(directory, write)

    def serve(path):
        return haproxy.serve(procs, "router", directory, path, [("127.0.0.1", port)])

    yield procs, port, backend, directory, release, serve
    backend.release.set()
    procs.stop("router", timeout=5)
    backend.shutdown()


def _eventually(check, timeout=15):
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        time.sleep(0.05)
    return check()


def test_same_content_is_the_same_release(router):
    _, _, _, _, release, _ = router
    assert release("one") == release("one") != release("two")


def test_a_changed_release_reloads_the_master_and_keeps_requests_in_flight(router):
    procs, port, backend, directory, release, serve = router
    first = release("one")
    assert serve(first) == "started"
    master = procs.pid("router")
    assert procs.argv("router")[1:] == ["-W", "-db", "-f", f"{directory}/current/haproxy.cfg"]
    assert _get(port, "/answer") == (200, "one")
    assert serve(first) == "running"

    held = {}
    thread = threading.Thread(target=lambda: held.update(answer=_get(port, "/held")))
    thread.start()
    assert backend.received.wait(30)  # in flight on the first worker

    second = release("two")
    assert serve(second) == "reloaded"
    assert procs.pid("router") == master
    assert os.path.realpath(os.path.join(directory, "current")) == second
    assert _eventually(lambda: _get(port, "/answer") == (200, "two"))
    backend.release.set()
    thread.join(60)
    assert held["answer"] == (200, "held request done")
    assert os.listdir(os.path.join(directory, "releases")) == [os.path.basename(second)]


def test_a_release_haproxy_refuses_leaves_the_running_one_alone(router):
    procs, port, _, directory, release, serve = router
    good = release("one")
    serve(good)
    master = procs.pid("router")
    bad = release("two", broken="http-request no-such-action")
    with pytest.raises(RenderError, match="no-such-action"):
        serve(bad)
    assert procs.pid("router") == master
    assert os.path.realpath(os.path.join(directory, "current")) == good
    assert _get(port, "/answer") == (200, "one")
    assert serve(good) == "running"


def test_an_haproxy_that_is_not_master_worker_is_restarted(router):
    procs, port, _, directory, release, serve = router
    first = release("one")
    os.symlink(os.path.relpath(first, directory), os.path.join(directory, "current"))
    procs.start("router", [haproxy.binary(), "-db", "-f", f"{directory}/current/haproxy.cfg"])
    processes.wait_for_port("127.0.0.1", port, 15)
    assert serve(release("two")) == "restarted"
    assert procs.argv("router")[1:3] == ["-W", "-db"]
    assert _get(port, "/answer") == (200, "two")
