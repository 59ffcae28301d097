"""The lab's WAN (``lab up --wan``, osc_scope.lab.mesh), turned on for these tests on the
running lab (a changed routing table: the routers reload) and off again after: the seed
command across it, and a partition between CloudOne and CloudTwo under load
(osc_scope.lab.chaos.partition_scenario; ``bench/chaos.py`` prints the same rows).
Traffic between the clouds goes to 10.213.0.x inside the namespaces the lab made."""

import subprocess

import pytest

from osc_scope.lab import chaos, layout

pytestmark = pytest.mark.lab


def lab_command(lab, *args, check=False):
    argv = [f"{chaos.BIN}/osc-scope", "lab", *args, "--workdir", lab.workdir]
    return subprocess.run(argv, capture_output=True, text=True, timeout=600, check=check)


def test_cut_without_a_wan_names_the_option(lab):
    if layout.Lab.load(lab.workdir).wan:
        pytest.skip("this lab runs with a WAN")
    result = lab_command(lab, "cut", "CloudOne", "CloudTwo")
    assert result.returncode == 1
    assert result.stderr.strip().endswith("has no WAN: start it with lab up --wan")
    assert result.stderr.count("\n") == 1


@pytest.fixture(scope="module")
def wan_lab(lab):
    had_wan = layout.Lab.load(lab.workdir).wan
    handle = chaos.Lab(lab.workdir)
    handle.wan(True)
    yield handle
    handle.heal("CloudOne", "CloudTwo")  # whatever a failed test left cut
    if not had_wan:
        handle.wan(False)
        assert not layout.Lab.load(lab.workdir).wan
        listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        assert layout.Lab.load(lab.workdir).mesh.namespace("CloudOne") not in listed


def test_status_shows_the_links(wan_lab, lab):
    result = lab_command(lab, "status")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WAN link CloudOne - CloudTwo: up" in result.stdout


def test_the_seed_command_crosses_the_wan(wan_lab, lab):
    scope = {"image": "CloudTwo"}
    server = lab.osc_json("server", "create", "wan-seed", "--image", "cirros", "--flavor",
                          "m1.tiny", "--nic", "none", "--wait", scope=scope)  # fmt: skip
    try:
        assert server["status"] == "ACTIVE"
    finally:
        lab.osc("server", "delete", "--wait", server["id"], scope=scope)
    log = open(lab.log("CloudTwo-haproxy")).read()
    assert "10.213.0.1:" in log  # CloudOne's requests arrived over the link


def test_a_partition_fails_no_local_request_and_refuses_remote_ones_in_time(wan_lab):
    token = wan_lab.token("CloudOne")
    local, remote, failover = chaos.partition_scenario(wan_lab, token)
    for row in (local, remote, failover):
        assert row["settled"], row
    assert local["failed"] == 0, local
    assert remote["failed"] > 0 and remote["named"] == remote["failed"], remote["note"]
    assert remote["longest_refusal"] <= remote["bound"], remote["note"]
    assert failover["fail_over"] is not None and failover["recover"] is not None, failover
