"""The lab's WAN (osc_scope.lab.mesh) on its own: three clouds' namespaces, a link per pair,
a partition that loses packets both ways (nothing refused) and only between its two
clouds, healing, and nothing left behind. The lab's routers over it: tests/e2e."""

import os
import shutil
import subprocess
import sys
import tempfile

import pytest

from osc_scope.lab import mesh as mesh_mod
from osc_scope.lab import wan
from osc_scope.lab.errors import LabError

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("ip"), reason="network namespaces need root and ip"
)

PORT = 18080
# a TCP server that answers each connection with the namespace's WAN address
SERVER = """
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(8); print("ready", flush=True)
while True:
    c, _ = s.accept(); c.sendall(sys.argv[1].encode()); c.close()
"""
# connect from a namespace: prints what the server said, or the error
CLIENT = """
import socket, sys
try:
    c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[3]))
    print(c.recv(64).decode())
except OSError as exc:
    print(type(exc).__name__)
"""


@pytest.fixture
def mesh():
    workdir = tempfile.mkdtemp(prefix="osc-scope-mesh-")
    wan = mesh_mod.Mesh(workdir, ("CloudOne", "CloudTwo", "CloudThree"))
    servers = []
    try:
        wan.up()
        for cloud in wan.clouds:
            argv = ["ip", "netns", "exec", wan.namespace(cloud), sys.executable, "-c", SERVER,
                    wan.address(cloud), str(PORT)]  # fmt: skip
            server = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
            servers.append(server)
            assert server.stdout.readline().strip() == "ready"
        yield wan
    finally:
        for server in servers:
            server.kill()
            server.wait(10)
        wan.down()
        shutil.rmtree(workdir)
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert not any(wan.namespace(c) in listed for c in wan.clouds), listed


def ask(wan, source, target, timeout=1.0):
    argv = ["ip", "netns", "exec", wan.namespace(source), sys.executable, "-c", CLIENT,
            wan.address(target), str(PORT), str(timeout)]  # fmt: skip
    return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip()


def test_every_cloud_reaches_every_other_over_its_link(mesh):
    for source in mesh.clouds:
        for target in mesh.clouds:
            if source != target:
                assert ask(mesh, source, target) == mesh.address(target)
    assert [state for *_, state in mesh.links()] == ["up"] * 3


def test_a_cut_loses_packets_both_ways_between_its_two_clouds_only(mesh):
    mesh.cut("CloudOne", "CloudTwo")
    # lost, not refused: the connection hangs until the client's own timeout
    assert ask(mesh, "CloudOne", "CloudTwo") == "TimeoutError"
    assert ask(mesh, "CloudTwo", "CloudOne") == "TimeoutError"
    assert ask(mesh, "CloudOne", "CloudThree") == mesh.address("CloudThree")
    assert ask(mesh, "CloudThree", "CloudTwo") == mesh.address("CloudTwo")
    assert ("CloudOne", "CloudTwo", "cut") in mesh.links()

    mesh.heal("CloudOne", "CloudTwo")
    assert ask(mesh, "CloudOne", "CloudTwo") == mesh.address("CloudTwo")
    assert ask(mesh, "CloudTwo", "CloudOne") == mesh.address("CloudOne")


def test_up_again_keeps_a_partition_and_recreates_a_missing_link(mesh):
    mesh.cut("CloudOne", "CloudThree")
    subprocess.run(["ip", "-n", mesh.namespace("CloudTwo"), "link", "del",
                    mesh.device("CloudTwo", "CloudThree")], check=True)  # fmt: skip
    assert ("CloudTwo", "CloudThree", "missing") in mesh.links()
    mesh.up()
    assert dict(((a, b), s) for a, b, s in mesh.links()) == {
        ("CloudOne", "CloudTwo"): "up",
        ("CloudOne", "CloudThree"): "cut",
        ("CloudTwo", "CloudThree"): "up",
    }
    assert ask(mesh, "CloudTwo", "CloudThree") == mesh.address("CloudThree")


def test_nothing_is_added_to_this_namespace(mesh):
    routes = subprocess.run(["ip", "route", "show", "table", "all"], capture_output=True,
                            text=True, check=True).stdout  # fmt: skip
    assert "10.213.0." not in routes
    addresses = subprocess.run(["ip", "addr", "show"], capture_output=True, text=True,
                               check=True).stdout  # fmt: skip
    assert "10.213.0." not in addresses


def test_bad_links_are_named(mesh):
    with pytest.raises(LabError, match="CloudNine is not a cloud of this lab"):
        mesh.cut("CloudOne", "CloudNine")
    with pytest.raises(LabError, match="CloudOne twice"):
        mesh.heal("CloudOne", "CloudOne")


def test_netem_where_the_kernel_has_it_else_a_clear_error_and_nothing_made(tmp_path):
    two = mesh_mod.Mesh(str(tmp_path), ("CloudOne", "CloudTwo"))
    try:
        if not wan.netem_available():  # this machine's kernel: no sch_netem
            with pytest.raises(LabError, match=r"needs the kernel's netem qdisc \(sch_netem\)"):
                two.up(netem="delay 5ms")
            listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
            assert two.namespace("CloudOne") not in listed.stdout
            return
        two.up(netem="delay 5ms 1ms")
        qdisc = subprocess.run(["ip", "netns", "exec", two.namespace("CloudOne"), "tc", "qdisc",
                                "show", "dev", two.device("CloudOne", "CloudTwo")],
                               capture_output=True, text=True, check=True).stdout  # fmt: skip
        assert "netem" in qdisc and "delay 5ms" in qdisc
    finally:
        two.down()
