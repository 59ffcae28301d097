"""Fan-out (``A&B``) on the lab, through the real CLI, openstacksdk and raw HTTP.

CloudOne gets an image of its own for this module (CloudTwo has the lab's cirros), so the
merged list has something from each cloud.
"""

import json
import os
import uuid

import pytest
import requests

import osc_scope

pytestmark = pytest.mark.lab

BOTH = "CloudOne&CloudTwo"
ROUTER = "http://127.0.0.1"


def _ids(rows):
    return [row["ID"] if "ID" in row else row["id"] for row in rows]


@pytest.fixture(scope="module")
def cloudone_image(lab, tmp_path_factory):
    """An image with data in CloudOne (removed after the module)."""
    data = tmp_path_factory.mktemp("fanout") / "one.raw"
    data.write_bytes(os.urandom(256 * 1024))
    name = f"fanout-{uuid.uuid4().hex[:8]}"
    image = lab.osc_json(
        "image", "create", name, "--disk-format", "raw", "--container-format", "bare",
        "--file", str(data),
    )  # fmt: skip
    yield image["id"], data.read_bytes()
    lab.osc("image", "delete", image["id"], check=False)


@pytest.fixture(scope="module")
def token(lab):
    return lab.osc_json("token", "issue")["id"]


def _raw(method, path, token, scope, **kwargs):
    headers = {"X-Auth-Token": f"{token}!SCOPE!{json.dumps(scope)}", **kwargs.pop("headers", {})}
    return requests.request(method, ROUTER + path, headers=headers, timeout=60, **kwargs)


def test_image_list_is_every_cloud_s_images_once(lab, cloudone_image, cloudtwo_image):
    one = _ids(lab.osc_json("image", "list"))
    two = _ids(lab.osc_json("image", "list", cloud="CloudTwo"))
    merged = _ids(lab.osc_json("image", "list", scope={"image": BOTH}))
    assert cloudone_image[0] in merged and cloudtwo_image in merged
    assert sorted(merged) == sorted(one + two)  # each once
    reverse = _ids(lab.osc_json("image", "list", scope={"image": "CloudTwo&CloudOne"}))
    assert sorted(reverse) == sorted(merged)


def test_networks_and_flavors_of_both_clouds(lab):
    for command, cloud_ids in (("network", "list"), ("flavor", "list")):
        one = _ids(lab.osc_json(command, cloud_ids))
        two = _ids(lab.osc_json(command, cloud_ids, cloud="CloudTwo"))
        service = "network" if command == "network" else "compute"
        merged = _ids(lab.osc_json(command, cloud_ids, scope={service: BOTH}))
        assert sorted(merged) == sorted(one + two), command


def test_openstacksdk_pages_through_the_merged_list_each_item_once(
    lab, monkeypatch, cloudone_image, cloudtwo_image
):
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", lab.clouds_yaml)
    conn = osc_scope.connect(cloud="CloudOne", scope={"image": BOTH})
    try:
        paged = [image.id for image in conn.image.images(limit=1)]
        whole = [image.id for image in conn.image.images()]
        by_name = [image.id for image in conn.image.images(limit=1, sort="name:asc")]
    finally:
        conn.close()
    assert len(paged) == len(set(paged)) == len(whole)
    assert set(paged) == set(whole) >= {cloudone_image[0], cloudtwo_image}
    assert sorted(by_name) == sorted(whole)


def test_one_image_from_whichever_cloud_holds_it(lab, token, cloudone_image, cloudtwo_image):
    scope = {"image": BOTH}
    for image_id in (cloudone_image[0], cloudtwo_image):
        shown = lab.osc_json("image", "show", image_id, scope=scope)
        assert shown["id"] == image_id
    answer = _raw("GET", f"/image/v2/images/{uuid.uuid4()}", token, scope)
    assert answer.status_code == 404
    data = _raw("GET", f"/image/v2/images/{cloudone_image[0]}/file", token, scope, stream=True)
    assert data.status_code == 200
    assert data.headers["X-Scope-Clouds"] == "CloudOne"
    assert data.raw.read() == cloudone_image[1]


def test_the_answer_names_the_clouds_that_answered(lab, token):
    answer = _raw("GET", "/image/v2/images", token, {"image": BOTH})
    assert answer.status_code == 200
    assert answer.headers["X-Scope-Clouds"] == "CloudOne, CloudTwo"
    assert "X-Scope-Partial" not in answer.headers


def test_only_get_and_head_fan_out(lab, token):
    answer = _raw("POST", "/image/v2/images", token, {"image": BOTH}, json={"name": "x"})
    assert answer.status_code == 501
    message = answer.json()["error"]["message"]
    assert "not POST" in message and "image" in message and BOTH in message
    # HEAD fans out: every cloud gives the same answer as alone (Glance: 405), passed on
    alone = _raw("HEAD", "/image/v2/images", token, {"image": "CloudOne"}).status_code
    assert _raw("HEAD", "/image/v2/images", token, {"image": BOTH}).status_code == alone


def _boot(lab, name, scope):
    return lab.osc_json(
        "server", "create", name, "--image", "cirros", "--flavor", "m1.tiny", "--nic", "none",
        "--wait", scope=scope,
    )  # fmt: skip


def test_servers_of_both_clouds_in_one_list(lab, monkeypatch, cloudtwo_image):
    """The seed's boot with the image wherever it lives, and one in CloudTwo for CloudOne's
    project (identity collaboration); then one list of both, paged by openstacksdk."""
    in_cloudtwo = {"compute": "CloudTwo", "placement": "CloudTwo", "image": "CloudTwo",
                   "network": "CloudTwo"}  # fmt: skip
    tag = uuid.uuid4().hex[:8]
    one = _boot(lab, f"e2e-fo-one-{tag}", {"image": BOTH})
    two = None
    try:
        assert one["status"] == "ACTIVE" and cloudtwo_image in one["image"]
        two = _boot(lab, f"e2e-fo-two-{tag}", in_cloudtwo)
        assert two["status"] == "ACTIVE"
        # CloudTwo's Nova asks Neutron about each server's ports with the user's token:
        # the network service fans out too, else CloudTwo's part is missing (and said so)
        both = {"compute": BOTH, "network": BOTH}
        listed = _ids(lab.osc_json("server", "list", scope=both))
        assert {one["id"], two["id"]} <= set(listed) and len(listed) == len(set(listed))
        assert two["id"] not in _ids(lab.osc_json("server", "list"))  # CloudOne alone
        result = lab.osc("server", "list", "-f", "value", "-c", "ID", scope={"compute": BOTH})
        assert one["id"] in result.stdout and two["id"] not in result.stdout
        assert "CloudTwo is missing from this fan-out answer (4" in result.stderr  # its Nova's
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", lab.clouds_yaml)
        conn = osc_scope.connect(cloud="CloudOne", scope=both)
        try:
            paged = [server.id for server in conn.compute.servers(limit=1)]
        finally:
            conn.close()
        assert sorted(paged) == sorted(listed)
    finally:
        lab.osc("server", "delete", "--wait", one["id"], scope={"image": BOTH})
        if two is not None:
            lab.osc("server", "delete", "--wait", two["id"], scope=in_cloudtwo)


def test_a_cloud_down_is_a_partial_answer_then_all_down_a_503(restore, cloudone_image, token):
    lab = restore
    lab.stop("CloudTwo-glance")
    result = lab.osc("image", "list", "-f", "value", "-c", "ID", scope={"image": BOTH})
    assert cloudone_image[0] in result.stdout.split()
    warnings = [line for line in result.stderr.splitlines() if "missing from" in line]
    assert len(warnings) == 1 and "CloudTwo" in warnings[0], result.stderr
    answer = _raw("GET", "/image/v2/images", token, {"image": BOTH})
    assert answer.status_code == 200
    assert answer.headers["X-Scope-Clouds"] == "CloudOne"
    assert answer.headers["X-Scope-Partial"].startswith("CloudTwo=")
    lab.stop("CloudOne-glance")
    answer = _raw("GET", "/image/v2/images", token, {"image": BOTH})
    assert answer.status_code == 503
    message = answer.json()["error"]["message"]
    assert "CloudOne=" in message and "CloudTwo=" in message
