"""osc_scope.lab.wan: the relay passes bytes both ways; namespaces and links leave nothing."""

import os
import shutil
import socket
import subprocess
import sys
import threading

import pytest

from osc_scope.lab import wan


def _echo_server():
    server = socket.create_server(("127.0.0.1", 0))

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                while data := conn.recv(65536):
                    conn.sendall(data)

    threading.Thread(target=serve, daemon=True).start()
    return server


def test_delay_relay_passes_bytes_both_ways():
    server = _echo_server()
    relay = wan.DelayRelay(("127.0.0.1", 0), server.getsockname(), delay=0.01, jitter=0.01)
    try:
        with socket.create_connection(relay.address, timeout=10) as client:
            client.sendall(b"x" * 100_000)
            received = b""
            while len(received) < 100_000:
                received += client.recv(65536)
        assert received == b"x" * 100_000
    finally:
        relay.close()
        server.close()


def test_wan_mode_says_how_delay_is_made():
    assert wan.wan_mode() in ("netem", "relay")


def _leftovers(link_device, namespace_name):
    links = subprocess.run(["ip", "link"], capture_output=True, text=True).stdout
    spaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    routes = subprocess.run(["ip", "route"], capture_output=True, text=True).stdout
    return link_device in links or namespace_name in spaces or "10.213." in routes


LISTEN = (
    "import socket, sys\n"
    "server = socket.create_server((sys.argv[1], 8000))\n"
    "print('ready', flush=True)\n"
    "while True:\n"
    "    server.accept()[0].close()\n"
)


def _connects(address, timeout=1.0):
    try:
        socket.create_connection(address, timeout=timeout).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("ip"), reason="needs root and ip")
def test_a_link_is_cut_healed_and_removed():
    namespace = wan.Namespace("unit")
    link = wan.Link(namespace)
    try:
        listener = namespace.popen(
            [sys.executable, "-c", LISTEN, link.far], stdout=subprocess.PIPE, text=True
        )
        assert listener.stdout.readline().strip() == "ready"
        assert any(_connects((link.far, 8000), timeout=2) for _ in range(5))  # link is up
        link.cut()
        assert not _connects((link.far, 8000))  # lost, not refused: the timeout ends it
        link.heal()
        assert any(_connects((link.far, 8000), timeout=2) for _ in range(5))
    finally:
        link.close()
        namespace.close()
    assert not _leftovers(link.device, namespace.name)
