"""Trust between clouds on the lab: CloudTwo's admin is not CloudOne's admin.

Through the real ``openstack`` CLI (CloudOne's clouds.yaml entry, identity from CloudTwo's
Keystone: the lab's admin has the same password in both clouds) and raw HTTP. The lab runs
the default trust policy; the operator's mapping ``admin -> admin`` is applied with
``DIR/trust.json`` and ``lab up`` (``osc_scope.lab.trust``), and removed afterwards.
"""

import json
import os
import uuid

import pytest
import requests

from osc_scope.lab import layout
from osc_scope.lab import trust as lab_trust

pytestmark = pytest.mark.lab

REMOTE = {"identity": "CloudTwo"}
FORBIDDEN = ("403", "Forbidden")
MAPPING = {"CloudOne": {"CloudTwo": {"role_mapping": {"admin": "admin"}}}}
TIMEOUT = 60


def _refused(call, result):
    assert result.returncode != 0, f"{call}: {result.stdout}"
    assert any(word in result.stderr for word in FORBIDDEN), f"{call}: {result.stderr}"


def _admin_only_calls(lab, name):
    """The admin-only calls of the issue, as the CloudTwo admin against CloudOne."""
    return {
        "flavor create": lab.osc(
            "flavor", "create", name, "--ram", "64", "--disk", "1", "--vcpus", "1",
            scope=REMOTE, check=False,
        ),
        "server list --all-projects": lab.osc(
            "server", "list", "--all-projects", scope=REMOTE, check=False
        ),
        "network create (flat)": lab.osc(
            "network", "create", name, "--provider-network-type", "flat",
            "--provider-physical-network", f"phys-{name}", scope=REMOTE, check=False,
        ),
    }  # fmt: skip


def _field(line, name):
    """A ``name=value`` field of an audit line."""
    return line.split(f" {name}=", 1)[1].split()[0]


@pytest.fixture(scope="module")
def cloudone(lab):
    return layout.Lab.load(lab.workdir).cloud("CloudOne")


@pytest.fixture(scope="module")
def cloudtwo_token(lab):
    """A token of CloudTwo's admin, from CloudTwo's Keystone."""
    return lab.osc("token", "issue", "-f", "value", "-c", "id", cloud="CloudTwo").stdout.strip()


def _get(url, token=None, scope=None, **headers):
    if token is not None:
        headers["X-Auth-Token"] = token
    if scope is not None:
        headers["X-Scope"] = json.dumps(scope)
    return requests.get(url, headers=headers, timeout=TIMEOUT)


def test_remote_admin_reads_with_the_default_policy(lab):
    assert lab.osc("server", "list", scope=REMOTE).returncode == 0
    assert lab.osc("image", "list", scope=REMOTE).returncode == 0


def test_remote_admin_is_refused_admin_calls_by_default(lab):
    name = f"trust-{uuid.uuid4().hex[:8]}"
    for call, result in _admin_only_calls(lab, name).items():
        _refused(call, result)
    assert name not in lab.osc("flavor", "list", "--all").stdout


def test_each_remote_validation_is_audited_without_token(lab, cloudtwo_token):
    lab.osc("server", "list", scope=REMOTE)
    with open(lab.log("CloudOne-nova-api")) as stream:
        lines = [line for line in stream if "remote user token accepted: cloud=CloudTwo" in line]
    assert lines
    # Keystone's admin implies manager, member and reader: member and reader are kept
    assert "roles_kept=member,reader " in lines[-1]
    assert "admin" in _field(lines[-1], "roles_dropped").split(",")
    cloudtwo_admin = lab.osc_json("project", "show", "admin", cloud="CloudTwo")["id"]
    assert f"project={cloudtwo_admin}" in lines[-1]


@pytest.fixture
def admin_mapping(lab):
    """The operator's mapping: CloudTwo's admin is admin in CloudOne's services."""
    path = os.path.join(lab.workdir, lab_trust.FILE)
    with open(path, "w") as stream:
        json.dump(MAPPING, stream)
    try:
        _lab_up(lab)  # restarts CloudOne's services with the new config
        yield
    finally:
        os.unlink(path)
        _lab_up(lab)


def _lab_up(lab, attempts=3):
    """``lab up``, again if restarting the services failed (seen: the old uWSGI's socket
    outliving its master by a moment, and the router still counting a restarted Nova as
    down); each ``lab up`` only starts what is not running."""
    for _ in range(attempts - 1):
        if lab.lab("up", check=False).returncode == 0:
            return
    lab.lab("up")


def test_admin_calls_work_with_the_operators_mapping(lab, admin_mapping):
    name = f"trust-{uuid.uuid4().hex[:8]}"
    results = _admin_only_calls(lab, name)
    try:
        for call, result in results.items():
            assert result.returncode == 0, f"{call}: {result.stderr}"
    finally:
        lab.osc("flavor", "delete", name, check=False)
        lab.osc("network", "delete", name, check=False)
    with open(lab.log("CloudOne-nova-api")) as stream:
        lines = [line for line in stream if "remote user token accepted: cloud=CloudTwo" in line]
    assert "admin" in _field(lines[-1], "roles_kept").split(",")


def test_forged_identity_headers_do_not_reach_the_services(lab, cloudone, cloudtwo_token):
    forged = {
        "X-Roles": "admin",
        "X-Identity-Status": "Confirmed",
        "X-Service-Roles": "admin",
        "X-Service-Identity-Status": "Confirmed",
        "X-Identity-Cloud": "CloudOne",
        "X-User-Id": "someone",
        "X-Project-Id": "someone",
    }
    images = cloudone.url("image") + "/v2/images"
    # Glance delays the auth decision to itself: it must see the token as invalid
    assert _get(images, **forged).status_code == 401
    assert _get(images, "gAAAAAforged", **forged).status_code == 401
    compute = cloudone.url("compute") + "/flavors"
    body = {"flavor": {"name": f"forged-{uuid.uuid4().hex[:8]}", "ram": 64, "vcpus": 1, "disk": 1}}
    answer = requests.post(
        compute,
        json=body,
        headers={"X-Auth-Token": cloudtwo_token, "X-Scope": json.dumps(REMOTE), **forged},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 403, answer.text
    network = {"network": {"name": body["flavor"]["name"], "provider:network_type": "flat",
                           "provider:physical_network": body["flavor"]["name"]}}  # fmt: skip
    answer = requests.post(
        cloudone.url("network") + "/v2.0/networks",
        json=network,
        headers={"X-Auth-Token": cloudtwo_token, "X-Scope": json.dumps(REMOTE), **forged},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 403, answer.text


def test_token_of_cloudtwo_claimed_as_cloudone_is_401(lab, cloudone, cloudtwo_token):
    answer = _get(cloudone.url("compute") + "/servers", cloudtwo_token, {"identity": "CloudOne"})
    assert answer.status_code == 401


def test_unconfigured_identity_cloud_is_401_naming_it(cloudone, cloudtwo_token):
    """Straight to CloudOne's Nova: the router would refuse an unknown cloud first (400)."""
    backend = f"http://{cloudone.backend('compute')}/compute/v2.1/servers"
    answer = _get(backend, cloudtwo_token, {"identity": "CloudNine"})
    assert answer.status_code == 401
    assert "CloudNine" in answer.json()["error"]["message"]


def test_token_left_without_role_is_403_naming_the_cloud(lab, cloudone):
    """A CloudTwo user whose only role is admin-like: nothing is honoured."""
    name = f"trust-{uuid.uuid4().hex[:8]}"
    password = uuid.uuid4().hex
    two = {"cloud": "CloudTwo"}
    lab.osc("role", "create", f"{name}-role", **two)
    user = lab.osc_json("user", "create", name, "--password", password, "--project", "demo", **two)
    try:
        lab.osc("role", "add", "--user", name, "--project", "demo", f"{name}-role", **two)
        auth = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {"id": user["id"], "password": password},
                    },
                },
                "scope": {"project": {"name": "demo", "domain": {"id": "default"}}},
            }
        }
        layout_two = layout.Lab.load(lab.workdir).cloud("CloudTwo")
        issued = requests.post(f"{layout_two.auth_url}/auth/tokens", json=auth, timeout=TIMEOUT)
        assert issued.status_code == 201, issued.text
        token = issued.headers["X-Subject-Token"]
        answer = _get(cloudone.url("compute") + "/servers", token, REMOTE)
        assert answer.status_code == 403
        message = answer.json()["error"]["message"]
        assert "CloudTwo" in message and "no role honoured" in message
    finally:
        lab.osc("user", "delete", name, check=False, **two)
        lab.osc("role", "delete", f"{name}-role", check=False, **two)


def test_no_secret_of_any_cloud_in_the_lab_logs(lab, cloudtwo_token):
    with open(os.path.join(lab.workdir, "secrets.json")) as stream:
        data = json.load(stream)
    secrets = [data["admin"], data["demo"], data["rabbit"], cloudtwo_token]
    secrets += [p for users in data["services"].values() for p in users.values()]
    found = []
    for root, _, files in os.walk(os.path.join(lab.workdir, "log")):
        for name in files:
            with open(os.path.join(root, name), "rb") as stream:
                text = stream.read()
            found += [name for secret in secrets if secret.encode() in text]
    assert not found, f"secrets in {sorted(set(found))}"
