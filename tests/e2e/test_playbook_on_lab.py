"""playbooks/os-scope.yml for real, against the local lab's clouds.

Each lab cloud is a host of the inventory with ``ansible_connection=local``. The play reads
the catalogs live from the lab's Keystones with the real ``openstack`` client, builds the
routing table and both haproxy.cfg with ``osc-scope``, and runs HAProxy itself (the role's
``pidfile`` manager, under this test's directory) on the lab's frontends, in place of the
lab's own routers. Checked: the first run configures, and a scoped command of CloudOne's
user reaches CloudTwo's Glance through the play's HAProxy, and a fan-out (``A&B``) is merged
by the fan-out service the play runs beside it (pidfile-managed, its sockets in a run
directory of this test); the second run changes nothing; a catalog HAProxy cannot serve fails
the play and leaves the running HAProxy (process and config) and fan-out service alone. At
the end the play's HAProxy and fan-out services are stopped, and ``lab up`` brings the lab's
routers back.
"""

import contextlib
import hashlib
import json
import os
import shutil
import signal
import sys
import time

import pytest
import requests
import yaml

from osc_scope.lab import layout, processes

pytestmark = pytest.mark.lab

BIN = os.path.dirname(sys.executable)
PLAY_TIMEOUT = 600
SCOPE = {"image": "CloudTwo"}
FANOUT = {"image": "CloudOne&CloudTwo"}
BROKEN_URL = "http://no-such-host.invalid:8080/volume/v3"  # a frontend HAProxy cannot bind


def _inventory(work, lab, clouds, broken_catalog=None):
    """The inventory, as JSON; ``broken_catalog``: CloudTwo's catalog from this file."""
    hosts = {}
    for cloud in clouds:
        backends = {cloud.url(t): [cloud.backend(t)] for t in layout.SERVICES}
        hosts[cloud.name] = {
            "cloud_name": cloud.name,
            "ansible_connection": "local",
            "ansible_python_interpreter": sys.executable,
            "ansible_become": False,
            "os_scope_dir": os.path.join(work, cloud.name),
            "os_scope_haproxy_manager": "pidfile",
            "os_scope_haproxy_packages": [],
            "os_scope_install_package": False,  # the lab runs from this checkout's venv
            # ...and so does the play's fan-out service (its osc-scope, aiohttp there)
            "os_scope_pip_executable": os.path.join(BIN, "pip"),
            "os_scope_fanout_run_dir": os.path.join(work, cloud.name, "run"),
            # Several services share port 80 of the cloud's address, each with its own
            # backend port: only a per-URL map says so.
            "os_scope_backends": backends,
            "os_scope_catalog_source": "openstack",
            "os_scope_openstack_command": os.path.join(BIN, "openstack"),
            "os_scope_openstack_env": {
                "OS_CLIENT_CONFIG_FILE": lab.clouds_yaml,
                "OS_CLIENT_SECURE_FILE": os.path.join(work, "keystone-direct.yaml"),
                "OS_CLOUD": cloud.name,
            },
            # No services part: the lab's services already validate tokens with the
            # scope-aware filter, configured by the lab with one account per service and
            # cloud (and a password each, lab/secrets.json), whereas the role takes one
            # account per remote cloud for all of a cloud's services
            # (os_scope_remote_accounts, or devstack's shared password). Its edits would
            # break the lab's cross-cloud token validation, and no unit restarts the lab's
            # uWSGI processes anyway.
            "os_scope_services": [],
        }
    if broken_catalog is not None:
        two = hosts["CloudTwo"]
        two.update(os_scope_catalog_source="file", os_scope_catalog_file=broken_catalog)
        two["os_scope_backends"] = dict(
            two["os_scope_backends"],
            **{BROKEN_URL: ["127.0.0.2:8776"]},
        )
    group_vars = {
        "os_scope_cli": os.path.join(BIN, "osc-scope"),
        "os_scope_build_dir": os.path.join(work, "build"),
    }
    return {"clouds": {"hosts": hosts, "vars": group_vars}}


def _keystone_direct(clouds):
    """clouds.yaml overrides (OS_CLIENT_SECURE_FILE, merged into the lab's clouds.yaml).

    The catalog names the HAProxy frontends, which this play builds: before its first run
    nothing serves them, so the catalog is read on Keystone's own port (as the lab's own
    router build does), with the lab's credentials.
    """
    direct = {}
    for cloud in clouds:
        keystone = f"http://{cloud.backend('identity')}{layout.SERVICES['identity'][0]}"
        direct[cloud.name] = {
            "auth": {"auth_url": keystone},
            "identity_endpoint_override": keystone,
        }
    return {"clouds": direct}


def _pid(path):
    try:
        with open(path) as stream:
            return int(stream.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _running(pid, program="haproxy"):
    """True while ``pid`` is a live (not zombie) haproxy, or ``osc-scope fanout serve``."""
    try:
        with open(f"/proc/{pid}/stat") as stream:
            stat = stream.read()
        with open(f"/proc/{pid}/cmdline", "rb") as stream:
            argv = stream.read().split(b"\0")
    except OSError:
        return False
    if program == "fanout":
        ours = b"fanout" in argv and b"serve" in argv
    else:
        ours = os.path.basename(argv[0]) == b"haproxy"
    return stat[stat.rindex(")") + 2] != "Z" and ours


def _stop(pidfile, program, timeout=15):
    """Stop the process of ``pidfile`` the play started if it is ``program``'s: HAProxy's
    master (its workers follow it) or the fan-out service."""
    pid = _pid(pidfile)
    if pid is None or not _running(pid, program):
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _running(pid, program) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _running(pid, program):
        os.kill(pid, signal.SIGKILL)


class Play:
    def __init__(self, lab, work, clouds, runner):
        self.lab, self.work, self.clouds, self.runner = lab, work, clouds, runner
        self.inventory = os.path.join(work, "inventory.json")

    def pidfile(self, cloud, program="haproxy"):
        return os.path.join(self.work, cloud, f"{program}.pid")

    def run(self, inventory=None):
        return self.runner(
            inventory or self.inventory, self.work, env=self.lab.env(), timeout=PLAY_TIMEOUT
        )

    def state(self):
        """What a refused run must not move: each master's PID, live release and config."""
        state = {}
        for cloud in self.clouds:
            current = os.path.join(self.work, cloud.name, "current")
            with open(os.path.join(current, "haproxy.cfg"), "rb") as stream:
                digest = hashlib.sha256(stream.read()).hexdigest()
            pid = _pid(self.pidfile(cloud.name))
            fanout = _pid(self.pidfile(cloud.name, "fanout"))
            state[cloud.name] = (
                pid, _running(pid), os.readlink(current), digest,
                fanout, _running(fanout, "fanout"),
            )  # fmt: skip
        return state


@pytest.fixture(scope="module")
def play(lab, tmp_path_factory, ansible_playbook):
    """The inventory; the lab's routers stopped for the test, and brought back after it."""
    work = str(tmp_path_factory.mktemp("playbook-on-lab"))
    clouds = layout.Lab.load(lab.workdir).clouds
    assert {"CloudOne", "CloudTwo"} <= {c.name for c in clouds}
    handle = Play(lab, work, clouds, ansible_playbook)
    with open(os.path.join(work, "keystone-direct.yaml"), "w") as stream:
        yaml.safe_dump(_keystone_direct(clouds), stream)
    with open(handle.inventory, "w") as stream:
        json.dump(_inventory(work, lab, clouds), stream, indent=1)
    try:
        for cloud in clouds:
            lab.stop(f"{cloud.name}-haproxy")
        yield handle
    finally:
        for cloud in clouds:
            for program in ("haproxy", "fanout"):  # HAProxy first: it uses the fan-out
                with contextlib.suppress(OSError):
                    _stop(handle.pidfile(cloud.name, program), program)
            shutil.rmtree(os.path.join(work, cloud.name, "run"), ignore_errors=True)
        lab.lab("up")


def _lab_router_running(lab, cloud):
    table = processes.ProcessTable(
        os.path.join(lab.workdir, "run"), os.path.join(lab.workdir, "log")
    )
    return table.alive(f"{cloud}-haproxy")


def _image_names(lab, **kwargs):
    return sorted(i["Name"] for i in lab.osc_json("image", "list", cloud="CloudOne", **kwargs))


@pytest.fixture(scope="module")
def first_run(play):
    result = play.run()
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    return result


def test_first_run_configures_and_routes_by_scope(lab, play, first_run):
    assert all(first_run.changed[c.name] > 0 for c in play.clouds), first_run.changed
    for cloud in play.clouds:
        assert not _lab_router_running(lab, cloud.name)
        pid, running, _, _, fanout, fanout_running = play.state()[cloud.name]
        assert running, f"{cloud.name}: the play's HAProxy ({pid}) is not running"
        assert fanout_running, f"{cloud.name}: the play's fan-out service ({fanout}) is not"
    assert "cirros" in _image_names(lab, scope=SCOPE)  # CloudTwo's, through both routers
    assert "cirros" not in _image_names(lab)  # CloudOne has none of its own


def test_a_fan_out_is_merged_by_the_play_s_fan_out_service(lab, play, first_run,
                                                           router_check_wait):  # fmt: skip
    """CloudOne's images and CloudTwo's, in one list, named by X-Scope-Clouds."""
    with open(os.path.join(play.work, "CloudOne", "current", "haproxy.cfg")) as stream:
        wait = router_check_wait(stream.read())  # for HAProxy to see the service up
    token = lab.osc_json("token", "issue")["id"]
    headers = {"X-Auth-Token": f"{token}!SCOPE!{json.dumps(FANOUT)}"}
    deadline = time.monotonic() + wait
    while True:
        answer = requests.get("http://127.0.0.1/image/v2/images", headers=headers, timeout=60)
        if answer.status_code != 503 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert answer.status_code == 200, answer.text
    assert answer.headers["X-Scope-Clouds"] == "CloudOne, CloudTwo"
    assert "cirros" in [image["name"] for image in answer.json()["images"]]
    merged = lab.osc_json("image", "list", scope=FANOUT)  # the CLI, paging through it
    ids = [row["ID"] for row in merged]
    assert len(ids) == len(set(ids))
    assert {row["ID"] for row in lab.osc_json("image", "list")} <= set(ids)
    assert "cirros" in [row["Name"] for row in merged]


def test_no_secret_of_the_lab_in_the_plays_output(lab, first_run):
    """The play reads each catalog with the lab's admin (clouds.yaml): never shown."""
    with open(os.path.join(lab.workdir, "secrets.json")) as stream:
        data = json.load(stream)
    secrets = [data["admin"], data["demo"], data["rabbit"]]
    secrets += [p for users in data["services"].values() for p in users.values()]
    output = first_run.stdout + first_run.stderr
    assert not [s for s in secrets if s in output]


def test_second_run_changes_nothing(play, first_run):
    before = play.state()
    result = play.run()
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert result.changed == {c.name: 0 for c in play.clouds}, result.stdout[-5000:]
    assert play.state() == before


def test_a_catalog_haproxy_cannot_serve_is_refused(lab, play, first_run):
    before = play.state()
    with open(os.path.join(play.work, "build", "catalogs", "CloudTwo.catalog.json")) as stream:
        rows = json.load(stream)
    rows.append(dict(rows[0], ID="bad", URL=BROKEN_URL))
    rows[-1]["Service Type"] = "block-storage"
    broken = os.path.join(play.work, "CloudTwo-broken.json")
    with open(broken, "w") as stream:
        json.dump(rows, stream)
    inventory = os.path.join(play.work, "inventory-broken.json")
    with open(inventory, "w") as stream:
        json.dump(_inventory(play.work, lab, play.clouds, broken_catalog=broken), stream)
    result = play.run(inventory)
    assert result.returncode != 0, result.stdout[-5000:]
    assert "HAProxy refused the new config of CloudTwo" in result.stdout, result.stdout[-5000:]
    assert "no-such-host.invalid" in result.stdout
    assert play.state() == before
    assert "cirros" in _image_names(lab, scope=SCOPE)
