"""The scoped_authtoken filter against a real Keystone (SQLite, wsgiref, loopback).

One Keystone plays CloudTwo, the remote identity cloud; the local cloud's
Keystone (CloudOne) is a closed port. Real Placement too, served from
``osc_scope.middleware.placement:application`` under uWSGI, as devstack and the lab serve
it. About 7 s, skipped without them.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests
import webob
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from oslo_config import cfg

from osc_scope.middleware import auth_token

pytest.importorskip("keystone")

SETUP = """
import sys
from keystone.cmd import cli
conf, url = sys.argv[1], sys.argv[2]
owner = ["--keystone-user", sys.argv[3], "--keystone-group", sys.argv[4]]
for args in (["db_sync"], ["fernet_setup", *owner], ["credential_setup", *owner],
             ["bootstrap", "--bootstrap-password", "admin-secret",
              "--bootstrap-region-id", "CloudTwo", "--bootstrap-public-url", url]):
    cli.CONF.clear()
    try:
        cli.main(argv=["keystone-manage", "--config-file", conf, *args])
    except SystemExit as exc:
        if exc.code:
            raise
"""

SERVE = """
import sys
from wsgiref import simple_server
from keystone.server.flask import core

class Quiet(simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        pass

conf, port = sys.argv[1], int(sys.argv[2])
del sys.argv[1:]  # keystone parses the command line too
app = core.initialize_application(name="public", config_files=[conf])
simple_server.make_server("127.0.0.1", port, app, handler_class=Quiet).serve_forever()
"""

KEYSTONE_CONF = """
[DEFAULT]
log_file = {dir}/keystone.log
[database]
connection = sqlite:///{dir}/keystone.db
[fernet_tokens]
key_repository = {dir}/fernet-keys
[fernet_receipts]
key_repository = {dir}/fernet-keys
[credential]
key_repository = {dir}/credential-keys
"""

SERVICE_CONF = """
[keystone_authtoken]
auth_type = password
auth_url = http://127.0.0.1:{closed}/v3
username = glance
password = secret-of-cloudone
user_domain_name = Default
project_name = service
project_domain_name = Default
region_name = CloudOne
www_authenticate_uri = http://127.0.0.1:{closed}/v3
http_request_max_retries = 0

[scoped_authtoken]
remote_clouds = CloudTwo

[keystone_authtoken:CloudTwo]
auth_type = password
auth_url = {url}
username = glance
password = secret-of-cloudtwo
user_domain_name = Default
project_name = service
project_domain_name = Default
region_name = CloudTwo
interface = public
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url, process, deadline=30, name="keystone"):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if process.poll() is not None:
            pytest.fail(f"{name} exited with {process.returncode}")
        try:
            requests.get(url, timeout=1)
            return
        except (requests.ConnectionError, requests.Timeout):  # not listening, or loading
            time.sleep(0.1)
    pytest.fail(f"{name} did not answer at {url} within {deadline} s")


@pytest.fixture(scope="module")
def keystone(tmp_path_factory):
    """A real Keystone on loopback, with a service user `glance` holding the service role."""
    work = tmp_path_factory.mktemp("keystone")
    conf = work / "keystone.conf"
    conf.write_text(KEYSTONE_CONF.format(dir=work))
    port = free_port()
    url = f"http://127.0.0.1:{port}/v3"
    user, group = os.getuid(), os.getgid()
    import grp
    import pwd

    owner = [pwd.getpwuid(user).pw_name, grp.getgrgid(group).gr_name]
    subprocess.run(
        [sys.executable, "-W", "ignore", "-c", SETUP, str(conf), url, *owner],
        check=True,
        capture_output=True,
        timeout=120,
    )
    process = subprocess.Popen(
        [sys.executable, "-W", "ignore", "-c", SERVE, str(conf), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=(work / "stderr.log").open("w"),
    )
    try:
        wait_for(url, process)
        admin = ks_session.Session(
            auth=v3.Password(
                auth_url=url,
                username="admin",
                password="admin-secret",
                user_domain_name="Default",
                project_name="admin",
                project_domain_name="Default",
            )
        )
        _create_service_user(admin, url)
        yield {"url": url, "admin": admin, "log": work / "keystone.log"}
    finally:
        process.terminate()
        process.wait(timeout=10)


def _create_service_user(admin, url):
    def post(path, key, body):
        return admin.post(f"{url}/{path}", json={key: body}).json()[key]["id"]

    roles = admin.get(f"{url}/roles?name=service").json()["roles"]  # bootstrap made it
    role = roles[0]["id"] if roles else post("roles", "role", {"name": "service"})
    project = post("projects", "project", {"name": "service", "domain_id": "default"})
    user = post(
        "users",
        "user",
        {"name": "glance", "password": "secret-of-cloudtwo", "domain_id": "default"},
    )
    admin.put(f"{url}/projects/{project}/users/{user}/roles/{role}")


@webob.dec.wsgify
def downstream(request):
    keys = ("X-Auth-Token", "X-Identity-Status", "X-User-Name", "X-Project-Name", "X-Roles")
    keys += ("X-Identity-Cloud", "X-Is-Admin-Project")
    return webob.Response(json={key: request.headers.get(key) for key in keys})


@pytest.fixture
def app(keystone, tmp_path):
    path = tmp_path / "glance-api.conf"
    path.write_text(SERVICE_CONF.format(url=keystone["url"], closed=free_port()))
    conf = cfg.ConfigOpts()
    conf([], project="glance", default_config_files=[str(path)])
    return auth_token.filter_factory({}, oslo_config_config=conf)(downstream)


def call(app, token):
    request = webob.Request.blank("/v2/images", headers={"X-Auth-Token": token})
    response = request.get_response(app)
    return response, json.loads(response.body)


def test_remote_identity_through_real_keystone(app, keystone):
    token = keystone["admin"].get_token()
    header = token + '!SCOPE!{"identity":"CloudTwo","image":"CloudOne"}'
    response, seen = call(app, header)
    assert response.status_int == 200, seen
    assert seen["X-User-Name"] == "admin"
    assert seen["X-Project-Name"] == "admin"
    assert seen["X-Auth-Token"] == header
    # Keystone's bootstrap admin implies member and reader: the default policy keeps those
    assert sorted(seen["X-Roles"].split(",")) == ["member", "reader"]
    assert seen["X-Identity-Cloud"] == "CloudTwo"
    assert seen["X-Is-Admin-Project"] == "False"
    forged, _ = call(app, "gAAAAAforged" + header)
    assert forged.status_int == 401
    local, seen = call(app, token)  # no scope: CloudOne, whose Keystone is down
    assert local.status_int == 503
    assert "CloudOne" in seen["error"]["message"]
    assert token not in keystone["log"].read_text()


LOCAL_CONF = """
[keystone_authtoken]
auth_type = password
auth_url = {url}
username = glance
password = secret-of-cloudtwo
user_domain_name = Default
project_name = service
project_domain_name = Default
region_name = CloudTwo
interface = public
www_authenticate_uri = {url}
"""


def test_local_identity_through_real_keystone(keystone, tmp_path):
    path = tmp_path / "glance-api.conf"
    path.write_text(LOCAL_CONF.format(url=keystone["url"]))
    conf = cfg.ConfigOpts()
    conf([], project="glance", default_config_files=[str(path)])
    app = auth_token.filter_factory({}, oslo_config_config=conf)(downstream)
    token = keystone["admin"].get_token()
    for header in (token, token + '!SCOPE!{"identity":"CloudTwo"}', token + "!SCOPE!{}"):
        response, seen = call(app, header)
        assert response.status_int == 200, seen
        assert seen["X-Auth-Token"] == header
    response, seen = call(app, token + '!SCOPE!{"identity":"CloudOne"}')
    assert response.status_int == 401
    assert "CloudOne" in seen["error"]["message"]


PLACEMENT_CONF = """
[DEFAULT]
log_file = {dir}/placement.log
[api]
auth_strategy = keystone
[placement_database]
connection = sqlite:///{dir}/placement.db
sync_on_startup = true
"""


def test_real_placement_with_the_scoped_filter(keystone, tmp_path):
    """Placement's own app (osc_scope.middleware.placement:application), remote identity.

    Listing resource providers is admin-only: the remote admin is admin here only through
    the operator's mapping (without it, see test_trust_policy.py, the admin role is dropped).
    """
    pytest.importorskip("placement")
    uwsgi = os.path.join(os.path.dirname(sys.executable), "uwsgi")
    if not os.path.exists(uwsgi):
        pytest.skip("uWSGI is not installed (the lab extra)")
    closed = free_port()
    (tmp_path / "placement.conf").write_text(
        PLACEMENT_CONF.format(dir=tmp_path)
        + SERVICE_CONF.format(url=keystone["url"], closed=closed)
        + "role_mapping = admin:admin\n"
    )
    port = free_port()
    process = subprocess.Popen(
        [
            uwsgi,
            f"--http-socket=127.0.0.1:{port}",
            f"--home={sys.prefix}",
            "--module=osc_scope.middleware.placement:application",  # as `module =` in an ini
            "--need-app",
            "--master",
            "--processes=1",
            "--die-on-term",
            "--add-header=Connection: close",
            f"--env=OS_PLACEMENT_CONFIG_DIR={tmp_path}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "uwsgi.log").open("w"),
        start_new_session=True,  # its master and worker, stopped together below
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base, process, name="placement (uWSGI)")
        assert requests.get(base, timeout=10).status_code == 200  # root: no token needed
        token = keystone["admin"].get_token()
        scoped = token + '!SCOPE!{"identity":"CloudTwo","placement":"CloudOne"}'
        answer = requests.get(
            f"{base}/resource_providers", headers={"X-Auth-Token": scoped}, timeout=10
        )
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"resource_providers": []}
        refused = requests.get(
            f"{base}/resource_providers",
            headers={"X-Auth-Token": token + '!SCOPE!{"identity":"CloudNine"}'},
            timeout=10,
        )
        assert refused.status_code == 401
        assert "CloudNine" in refused.json()["error"]["message"]
        assert token not in (tmp_path / "placement.log").read_text()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # still loading the application: no handler yet
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
