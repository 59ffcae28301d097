"""The seed workflow through the real ``openstack`` CLI, against the two-cloud lab."""

import uuid

import pytest

pytestmark = pytest.mark.lab


def _ids(rows):
    return sorted(row["ID"] for row in rows)


def test_lab_status_says_every_cloud_answers(lab):
    result = lab.lab("status")
    assert "every cloud answers" in result.stderr


def test_image_list_without_scope_is_cloudone(lab, cloudtwo_image):
    plain = lab.osc_json("image", "list")
    direct = lab.osc_json("image", "list", cloud="CloudOne")
    assert _ids(plain) == _ids(direct)
    assert cloudtwo_image not in _ids(plain)


def test_image_list_scoped_to_cloudone(lab, cloudtwo_image):
    scoped = lab.osc_json("image", "list", scope={"image": "CloudOne"})
    assert _ids(scoped) == _ids(lab.osc_json("image", "list"))
    assert cloudtwo_image not in _ids(scoped)


def test_image_list_scoped_to_cloudtwo_shows_cloudtwo_images(lab, cloudtwo_image):
    scoped = lab.osc_json("image", "list", scope={"image": "CloudTwo"})
    assert _ids(scoped) == _ids(lab.osc_json("image", "list", cloud="CloudTwo"))
    assert cloudtwo_image in _ids(scoped)


def test_endpoint_list_with_identity_cloudtwo_is_cloudtwo_catalog(lab):
    endpoints = lab.osc_json("endpoint", "list", scope={"identity": "CloudTwo"})
    assert endpoints
    assert {e["Region"] for e in endpoints} == {"CloudTwo"}
    assert all("//127.0.0.2" in e["URL"] for e in endpoints)


def _server_create(lab, name, image, nic="none", **kwargs):
    return lab.osc_json(
        "server", "create", name, "--image", image, "--flavor", "m1.tiny",
        "--nic", nic, "--wait", **kwargs,
    )  # fmt: skip


def test_server_create_with_cloudtwo_image_boots_in_cloudone(lab, cloudtwo_image):
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    server = _server_create(lab, name, "cirros", scope={"image": "CloudTwo"})
    try:
        assert server["status"] == "ACTIVE"
        assert cloudtwo_image in server["image"]
        cloudone = lab.osc_json("server", "list", "--all-projects")
        assert server["id"] in _ids(cloudone)
        cloudtwo = lab.osc_json("server", "list", "--all-projects", cloud="CloudTwo")
        assert server["id"] not in _ids(cloudtwo)
    finally:
        lab.osc("server", "delete", "--wait", server["id"], scope={"image": "CloudTwo"})


def test_local_boot_on_the_lab_network_reaches_active(lab):
    """The lab's ML2 driver binds ports, so ``--nic net-id=`` boots need no agent."""
    network = lab.osc_json("network", "show", "lab-net", cloud="CloudTwo")
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    server = _server_create(lab, name, "cirros", nic=f"net-id={network['id']}", cloud="CloudTwo")
    try:
        assert server["status"] == "ACTIVE"
        assert "lab-net" in str(server["addresses"])
    finally:
        lab.osc("server", "delete", "--wait", server["id"], cloud="CloudTwo")


def test_identity_collaboration_boots_in_cloudtwo_with_cloudone_credentials(lab):
    scope = {
        "identity": "CloudOne",
        "compute": "CloudTwo",
        "network": "CloudTwo",
        "placement": "CloudTwo",
        "image": "CloudTwo",
    }
    network = lab.osc_json("network", "show", "lab-net", cloud="CloudTwo")
    cloudone_project = lab.osc_json("project", "show", "admin")["id"]
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    server = _server_create(lab, name, "cirros", nic=f"net-id={network['id']}", scope=scope)
    try:
        assert server["status"] == "ACTIVE"
        seen_by_cloudtwo = lab.osc_json("server", "show", server["id"], cloud="CloudTwo")
        assert seen_by_cloudtwo["project_id"] == cloudone_project
        assert server["id"] not in _ids(lab.osc_json("server", "list", "--all-projects"))
    finally:
        lab.osc("server", "delete", "--wait", server["id"], scope=scope)
