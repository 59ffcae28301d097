"""A real run of playbooks/os-scope.yml against two loopback clouds.

Each cloud is a host of the inventory with ``ansible_connection=local``: a stand-in service
(an HTTP server saying which cloud answered) behind the real HAProxy the play installs, run
as a pidfile-managed ``haproxy -W -D`` under this test's directory. CloudOne's catalog is
served over HTTP, CloudTwo's is a saved ``openstack endpoint list -f json`` file. Checked:
the first run configures and routes (also across clouds, by scope), the second changes
nothing, ``--check --diff`` changes nothing, and a catalog HAProxy cannot serve is refused
while the running HAProxy keeps its config and its process. CloudThree keeps its service
where it is (``os_scope_frontend_map``): its catalog, held by a stand-in ``openstack``
command, is updated to point at its HAProxy. CloudOne names each endpoint's backends
(``os_scope_backends``): its identity has a stand-in of its own. Each cloud has a Nova (paste
pipeline) and a Placement (uWSGI ini) config for the play to make scope-aware, and the
fan-out service the play runs beside its HAProxy (pidfile-managed too), with its sockets in a
run directory of this test: a fan-out (``A&B``) through CloudOne's HAProxy is merged by it.
"""

import contextlib
import hashlib
import http.server
import json
import math
import os
import pathlib
import shutil
import signal
import socket
import sys
import threading
import time
import urllib.request
import uuid

import pytest

pytest.importorskip("osc_scope.routing.render")
pytestmark = pytest.mark.haproxy

BIN = pathlib.Path(sys.executable).parent
CLOUDS = {"CloudOne": "127.0.0.1", "CloudTwo": "127.0.0.2", "CloudThree": "127.0.0.3"}
SERVICES = {"identity": "/identity", "image": "/image", "compute": "/compute/v2.1"}
NOVA_PASTE = """\
[composite:osapi_compute]
use = call:nova.api.openstack.urlmap:urlmap_factory

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
"""
# devstack's placement-uwsgi.ini, as an older devstack wrote it (a WSGI script, not a module)
PLACEMENT_UWSGI = """\
[uwsgi]
wsgi-file = /usr/local/bin/placement-api
processes = 2
"""
PLACEMENT_APP = "osc_scope.middleware.placement:application"
PLAY_TIMEOUT = 300
# each cloud's one image, with an id the fan-out service takes for one (hex)
IMAGE_IDS = {cloud: uuid.uuid5(uuid.NAMESPACE_URL, cloud).hex for cloud in CLOUDS}
# CloudOne's own account in CloudTwo, and CloudTwo's CA: written for CloudOne's services only
REMOTE_PASSWORD = "cloudone-in-cloudtwo-d9a1f0"


class _StandIn(http.server.BaseHTTPRequestHandler):
    """A service of one cloud: answers every GET with who it is and what it received; as
    Glance, its image list holds its one image, and an image of another cloud is a 404."""

    def do_GET(self):  # noqa: N802 (http.server's name)
        status, path = 200, self.path.split("?")[0]
        if self.path == "/v3/endpoints" and self.server.catalog is not None:
            body = {"endpoints": self.server.catalog}
        else:
            body = {
                "cloud": self.server.cloud,
                "path": self.path,
                "token": self.headers.get("X-Auth-Token", ""),
            }
            image = {"id": IMAGE_IDS.get(self.server.cloud), "cloud": self.server.cloud}
            if path.endswith("/images"):
                body["images"] = [image]
            elif "/images/" in path and path.rsplit("/", 1)[1] != image["id"]:
                status, body = 404, {"error": {"code": 404, "message": "no such image"}}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


FAKE_OPENSTACK = """#!{python}
# Stand-in for `openstack endpoint list|set`: the catalog is a JSON file.
import json, os, sys

state = os.environ["FAKE_OPENSTACK_STATE"]
args = sys.argv[1:]
with open(state) as stream:
    rows = json.load(stream)
if args[:2] == ["endpoint", "list"]:
    region = args[args.index("--region") + 1]
    print(json.dumps([row for row in rows if row.get("Region") == region]))
elif args[:3] == ["endpoint", "set", "--url"]:
    for row in rows:
        if row["ID"] == args[4]:
            row["URL"] = args[3]
    with open(state, "w") as stream:
        json.dump(rows, stream)
else:
    sys.exit("fake openstack: unsupported command " + " ".join(args))
"""


def _serve(address, cloud, catalog=None):
    server = http.server.ThreadingHTTPServer((address, 0), _StandIn)
    server.cloud, server.catalog = cloud, catalog
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _free_port(address):
    with socket.socket() as sock:
        sock.bind((address, 0))
        return sock.getsockname()[1]


def _rows(cloud, frontend):
    return [
        {
            "ID": f"{cloud}-{service}",
            "Region": cloud,
            "Service Name": service,
            "Service Type": service,
            "Enabled": True,
            "Interface": "public",
            "URL": f"{frontend}{path}",
        }
        for service, path in SERVICES.items()
    ]


@pytest.fixture(scope="module")
def lab(tmp_path_factory, ansible_playbook):
    """Stand-ins, catalogs and an inventory; stops every HAProxy the play started."""
    work = tmp_path_factory.mktemp("os-scope-play")
    servers, hosts, frontends = [], {}, {}
    catalog_server = _serve("127.0.0.1", "keystone", catalog=[])
    servers.append(catalog_server)
    for cloud, address in CLOUDS.items():
        backend = _serve(address, cloud)
        servers.append(backend)
        port = _free_port(address)
        etc = work / cloud / "etc"
        etc.mkdir(parents=True)
        (etc / "nova.conf").write_text("[DEFAULT]\ndebug = true\n")
        (etc / "nova.conf").chmod(0o644)
        (etc / "api-paste.ini").write_text(NOVA_PASTE)
        (etc / "placement.conf").write_text("[DEFAULT]\ndebug = true\n")
        (etc / "placement-uwsgi.ini").write_text(PLACEMENT_UWSGI)
        frontends[cloud] = f"http://{address}:{port}"
        hosts[cloud] = {
            "cloud_name": cloud,
            "ansible_connection": "local",
            "ansible_python_interpreter": sys.executable,
            "ansible_become": False,
            "os_scope_dir": str(work / cloud),
            "os_scope_haproxy_manager": "pidfile",
            "os_scope_haproxy_packages": [],
            "os_scope_install_package": False,
            # this venv's: the fan-out service is its osc-scope, aiohttp is installed there
            "os_scope_pip_executable": str(BIN / "pip"),
            "os_scope_fanout_run_dir": str(work / cloud / "run"),
            "os_scope_services": [
                {
                    "name": "nova",
                    "config": str(etc / "nova.conf"),
                    "paste": str(etc / "api-paste.ini"),
                    "overrides": {"glance": "image"},
                    "units": [],
                },
                {
                    "name": "placement",
                    "config": str(etc / "placement.conf"),
                    "uwsgi": {"ini": str(etc / "placement-uwsgi.ini"), "module": PLACEMENT_APP},
                    "overrides": {},
                    "units": [],
                },
            ],
            "os_scope_backend_map": {f"{address}:{port}": f"{address}:{backend.server_port}"},
            "os_scope_render_options": ["--metrics", f"127.0.0.1:{_free_port('127.0.0.1')}"],
        }
    catalog_server.catalog[:] = _rows("CloudOne", frontends["CloudOne"])
    hosts["CloudOne"].update(
        os_scope_catalog_source="url",
        os_scope_catalog_url=f"http://127.0.0.1:{catalog_server.server_port}/v3/endpoints",
    )
    # CloudOne's identity has a backend of its own on the shared frontend (os_scope_backends,
    # per endpoint URL: what a host:port map cannot say).
    identity = _serve("127.0.0.1", "CloudOne-identity")
    servers.append(identity)
    backend = hosts["CloudOne"].pop("os_scope_backend_map").popitem()[1]
    hosts["CloudOne"]["os_scope_backends"] = {
        row["URL"]: [
            f"127.0.0.1:{identity.server_port}" if row["Service Type"] == "identity" else backend
        ]
        for row in catalog_server.catalog
    }
    catalog_file = work / "CloudTwo.json"
    catalog_file.write_text(json.dumps(_rows("CloudTwo", frontends["CloudTwo"])))
    hosts["CloudTwo"].update(
        os_scope_catalog_source="file", os_scope_catalog_file=str(catalog_file)
    )
    # CloudThree: the service stays on its port, the catalog moves to HAProxy's.
    service = hosts["CloudThree"].pop("os_scope_backend_map").popitem()[1]
    keystone_state = work / "CloudThree-keystone.json"
    keystone_state.write_text(json.dumps(_rows("CloudThree", f"http://{service}")))
    fake_openstack = work / "openstack"
    fake_openstack.write_text(FAKE_OPENSTACK.format(python=sys.executable))
    fake_openstack.chmod(0o755)
    hosts["CloudThree"].update(
        os_scope_catalog_source="openstack",
        os_scope_openstack_command=str(fake_openstack),
        os_scope_openstack_env={"FAKE_OPENSTACK_STATE": str(keystone_state)},
        os_scope_frontend_map={service: frontends["CloudThree"].split("//")[1]},
    )
    # CloudOne validates CloudTwo's tokens with an account of its own there, over TLS with
    # CloudTwo's CA, and maps CloudTwo's admin to member.
    ca_file = work / "cloudtwo-ca.pem"
    ca_file.write_text("-----BEGIN CERTIFICATE-----\nstand-in\n-----END CERTIFICATE-----\n")
    hosts["CloudOne"].update(
        os_scope_remote_accounts={
            "CloudTwo": {
                "username": "cloudone-services",
                "password": REMOTE_PASSWORD,
                "project_name": "service",
                "user_domain_name": "Default",
                "project_domain_name": "Default",
                "cafile": str(ca_file),
            }
        },
        os_scope_remote_trust={"CloudTwo": {"role_mapping": {"admin": "member"}}},
        os_scope_ca_dir=str(work / "CloudOne" / "ca"),
    )
    inventory = work / "inventory.yml"
    inventory.write_text(
        json.dumps(
            {
                "clouds": {
                    "hosts": hosts,
                    "vars": {
                        "os_scope_cli": str(BIN / "osc-scope"),
                        "os_scope_build_dir": str(work / "build"),
                    },
                }
            }
        )
    )
    lab = {
        "work": work,
        "inventory": inventory,
        "frontends": frontends,
        "catalog_file": catalog_file,
        "keystone_state": keystone_state,
        "ansible_playbook": ansible_playbook,
    }
    yield lab
    for cloud in CLOUDS:
        for pidfile in ("haproxy.pid", "fanout.pid"):  # HAProxy first: it uses the fan-out
            with contextlib.suppress(OSError, ValueError, IndexError):
                pid = int((work / cloud / pidfile).read_text().split()[0])
                os.kill(pid, signal.SIGTERM)
                _wait_gone(pid)
        shutil.rmtree(work / cloud / "run", ignore_errors=True)
    for server in servers:
        server.shutdown()
        server.server_close()


def _wait_gone(pid, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)


def _play(lab, *options):
    return lab["ansible_playbook"](lab["inventory"], str(lab["work"]), *options,
                                   timeout=PLAY_TIMEOUT)  # fmt: skip


def _get(url, headers=None, attempts=50):
    return _get_answer(url, headers, attempts)[1]


def _get_answer(url, headers=None, attempts=50):
    """(headers, JSON body) of a GET that succeeds within ``attempts``."""
    request = urllib.request.Request(url, headers=headers or {})
    for attempt in range(attempts):
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.headers, json.loads(response.read())
        except OSError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.1)


@contextlib.contextmanager
def _traffic(url, limit=3000):
    """Requests one after another (at most ``limit``) while the block runs; yields failures."""
    failures, stop = [], threading.Event()

    def run():
        for _ in range(limit):
            if stop.wait(0.02):
                return
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    response.read()
            except OSError as exc:
                failures.append(repr(exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield failures
    finally:
        stop.set()
        thread.join(10)


def _state(lab):
    """What must not move when a run is refused: HAProxy masters, live releases, fan-out
    services."""
    return {
        cloud: (
            (lab["work"] / cloud / "haproxy.pid").read_text().split()[0],
            os.readlink(lab["work"] / cloud / "current"),
            (lab["work"] / cloud / "fanout.pid").read_text().split()[0],
        )
        for cloud in CLOUDS
    }


@pytest.fixture(scope="module")
def first_run(lab):
    result = _play(lab)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return result


def test_first_run_configures_and_routes(lab, first_run):
    assert all(first_run.changed[cloud] > 0 for cloud in CLOUDS), first_run.changed
    for cloud, frontend in lab["frontends"].items():
        answer = _get(f"{frontend}/image/v2/images")
        assert (answer["cloud"], answer["path"]) == (cloud, "/image/v2/images")
        assert (lab["work"] / cloud / "current" / "haproxy.cfg").is_file()
        table = json.loads((lab["work"] / cloud / "current" / "table.json").read_text())
        assert sorted(table["clouds"]) == sorted(CLOUDS)


def test_backends_per_endpoint(lab, first_run):
    frontend = lab["frontends"]["CloudOne"]
    assert _get(f"{frontend}/identity/v3")["cloud"] == "CloudOne-identity"
    assert _get(f"{frontend}/compute/v2.1/servers")["cloud"] == "CloudOne"


def test_the_catalog_is_pointed_at_haproxy(lab, first_run):
    frontend = lab["frontends"]["CloudThree"]
    rows = json.loads(lab["keystone_state"].read_text())
    assert all(row["URL"].startswith(f"{frontend}/") for row in rows), rows
    assert _get(f"{frontend}/compute/v2.1/servers")["cloud"] == "CloudThree"


def test_services_validate_tokens_by_scope(lab, first_run):
    etc = lab["work"] / "CloudOne" / "etc"
    paste = (etc / "api-paste.ini").read_text()
    assert "[filter:authtoken]\nuse = egg:osc-scope#scoped_authtoken\n" in paste
    assert "keystonemiddleware.auth_token" not in paste
    conf = (etc / "nova.conf").read_text()
    scoped = "[scoped_authtoken]\nlocal_cloud = CloudOne\nremote_clouds = CloudThree,CloudTwo\n"
    assert scoped in conf
    assert f"auth_url = {lab['frontends']['CloudTwo']}/identity\n" in conf
    assert f"[glance]\nendpoint_override = {lab['frontends']['CloudOne']}/image\n" in conf


def test_remote_account_ca_and_trust_per_cloud(lab, first_run):
    etc = lab["work"] / "CloudOne" / "etc"
    conf = (etc / "nova.conf").read_text()
    section = conf.split("[keystone_authtoken:CloudTwo]\n")[1].split("\n[")[0]
    ca = lab["work"] / "CloudOne" / "ca" / "CloudTwo.pem"
    assert "username = cloudone-services\n" in section
    assert f"password = {REMOTE_PASSWORD}\n" in section
    assert f"cafile = {ca}\n" in section
    assert "insecure" not in section
    assert "role_mapping = admin:member\n" in section
    assert ca.read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert oct(os.stat(ca).st_mode & 0o777) == "0o644"
    assert oct(os.stat(etc / "nova.conf").st_mode & 0o777) == "0o640"  # nothing for others
    # CloudThree has no account for CloudTwo: devstack's way, and the default policy
    other = (lab["work"] / "CloudThree" / "etc" / "nova.conf").read_text()
    section = other.split("[keystone_authtoken:CloudTwo]\n")[1].split("\n[")[0]
    assert "username = nova\n" in section and "role_mapping" not in section


def test_placement_is_served_scope_aware(lab, first_run):
    etc = lab["work"] / "CloudOne" / "etc"
    uwsgi = (etc / "placement-uwsgi.ini").read_text()
    assert uwsgi == f"[uwsgi]\nprocesses = 2\nmodule = {PLACEMENT_APP}\n"
    conf = (etc / "placement.conf").read_text()
    assert "[scoped_authtoken]\nlocal_cloud = CloudOne\n" in conf
    assert "[keystone_authtoken:CloudTwo]\nauth_type = password\n" in conf
    assert "username = placement\n" in conf


def test_a_scope_sends_the_request_to_the_other_cloud(lab, first_run):
    scope = '{"image":"CloudTwo"}'
    answer = _get(
        f"{lab['frontends']['CloudOne']}/image/v2/images",
        {"X-Auth-Token": f"tok!SCOPE!{scope}", "X-Scope": scope},
    )
    assert answer["cloud"] == "CloudTwo"


def test_a_fan_out_is_merged_by_the_fan_out_service(lab, first_run, router_check_wait):
    frontend, scope = lab["frontends"]["CloudOne"], {"X-Scope": '{"image":"CloudOne&CloudTwo"}'}
    # until HAProxy's checks see the service the play started last, a fan-out is a 503
    config = (lab["work"] / "CloudOne" / "current" / "haproxy.cfg").read_text()
    attempts = math.ceil(router_check_wait(config) / 0.1)
    headers, answer = _get_answer(f"{frontend}/image/v2/images", scope, attempts)
    assert [image["id"] for image in answer["images"]] == [
        IMAGE_IDS["CloudOne"],
        IMAGE_IDS["CloudTwo"],
    ]
    assert headers["X-Scope-Clouds"] == "CloudOne, CloudTwo"
    assert "X-Scope-Partial" not in headers
    # one resource: from the cloud that has it
    url = f"{frontend}/image/v2/images/{IMAGE_IDS['CloudTwo']}"
    headers, answer = _get_answer(url, scope, attempts)
    assert (answer["cloud"], headers["X-Scope-Clouds"]) == ("CloudTwo", "CloudTwo")
    pidfile = (lab["work"] / "CloudOne" / "fanout.pid").read_text().split()
    assert (
        pidfile[1]
        == hashlib.sha256(
            (lab["work"] / "CloudOne" / "current" / "fanout.json").read_bytes()
        ).hexdigest()
    )


def test_second_run_changes_nothing(lab, first_run):
    before = _state(lab)
    result = _play(lab)
    assert result.returncode == 0, result.stdout[-4000:]
    assert result.changed == {cloud: 0 for cloud in CLOUDS}, result.stdout[-4000:]
    assert _state(lab) == before


def test_check_diff_changes_nothing(lab, first_run):
    result = _play(lab, "--check", "--diff")
    assert result.returncode == 0, result.stdout[-4000:]
    assert result.changed == {cloud: 0 for cloud in CLOUDS}, result.stdout[-4000:]


def test_no_secret_in_the_plays_output(lab, first_run):
    """The first run, and a verbose --diff run after a password change (the diff shown)."""
    assert REMOTE_PASSWORD not in first_run.stdout + first_run.stderr
    assert "secret" not in first_run.stdout  # os_scope_service_password's default
    inventory = json.loads(lab["inventory"].read_text())
    account = inventory["clouds"]["hosts"]["CloudOne"]["os_scope_remote_accounts"]["CloudTwo"]
    account["password"] = REMOTE_PASSWORD + "-new"
    changed = lab["work"] / "inventory-new-password.yml"
    changed.write_text(json.dumps(inventory))
    result = lab["ansible_playbook"](
        changed, str(lab["work"]), "--check", "--diff", "-vvv", timeout=PLAY_TIMEOUT
    )
    assert result.returncode == 0, result.stdout[-4000:]
    assert result.changed["CloudOne"] > 0
    for secret in (REMOTE_PASSWORD, "secret"):
        assert secret not in result.stdout + result.stderr


@pytest.fixture
def restore_catalog(lab):
    saved = lab["catalog_file"].read_text()
    yield
    lab["catalog_file"].write_text(saved)


def test_unreadable_catalog_is_refused(lab, first_run, restore_catalog):
    before = _state(lab)
    lab["catalog_file"].write_text('[{"Region": "CloudTwo"}]')
    result = _play(lab)
    assert result.returncode != 0
    assert "endpoint has no" in result.stdout
    assert _state(lab) == before
    assert _get(f"{lab['frontends']['CloudTwo']}/image/")["cloud"] == "CloudTwo"


def test_config_haproxy_refuses_leaves_the_running_one(lab, first_run, restore_catalog):
    before = _state(lab)
    rows = json.loads(lab["catalog_file"].read_text())
    rows.append(dict(rows[0], ID="bad", URL="http://no-such-host.invalid:8080/placement"))
    rows[-1]["Service Type"] = "placement"
    lab["catalog_file"].write_text(json.dumps(rows))
    result = _play(lab)
    assert result.returncode != 0
    assert "HAProxy refused the new config of CloudTwo" in result.stdout
    assert "no-such-host.invalid" in result.stdout
    assert _state(lab) == before
    for cloud, frontend in lab["frontends"].items():
        assert _get(f"{frontend}/image/")["cloud"] == cloud


def test_a_new_catalog_is_reloaded_in_place(lab, first_run, restore_catalog):
    """A changed table reaches the running HAProxy by a reload: same master, new release."""
    before = _state(lab)
    rows = json.loads(lab["catalog_file"].read_text())
    rows.append(
        dict(rows[0], ID="placement", URL=rows[0]["URL"].replace("/identity", "/placement"))
    )
    rows[-1]["Service Type"] = "placement"
    lab["catalog_file"].write_text(json.dumps(rows))
    with _traffic(f"{lab['frontends']['CloudTwo']}/image/") as failures:
        result = _play(lab)
    assert result.returncode == 0, result.stdout[-4000:]
    assert failures == [], failures[:3]  # nothing refused or dropped during the reload
    after = _state(lab)
    for cloud in CLOUDS:
        assert after[cloud][0] == before[cloud][0]  # the same master: reloaded, not restarted
        assert after[cloud][1] != before[cloud][1]  # a new release is live
    # a fan-out service is restarted when its fanout.json changed: CloudTwo's (a new path
    # prefix), not the others'
    assert after["CloudTwo"][2] != before["CloudTwo"][2]
    assert after["CloudOne"][2] == before["CloudOne"][2]
    answer = _get(f"{lab['frontends']['CloudTwo']}/placement/resource_providers")
    assert (answer["cloud"], answer["path"]) == ("CloudTwo", "/placement/resource_providers")
