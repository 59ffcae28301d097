"""Another cloud serving a service under another path: the prefix is rewritten on the way."""

import pytest

pytestmark = pytest.mark.haproxy


def test_remote_prefix_is_rewritten(make_clouds):
    clouds = make_clouds(prefixes={"CloudTwo": {"image": "/glance"}})
    clouds.start("CloudTwo")
    clouds.start("CloudOne")
    clouds.wait_ready()  # CloudOne's check of CloudTwo:image uses /glance/ too
    status, body = clouds.request(
        "CloudOne", "/image/v2/images?limit=1", {"X-Scope": '{"image":"CloudTwo"}'}
    )
    assert (status, body["cloud"], body["path"]) == (200, "CloudTwo", "/glance/v2/images?limit=1")
    status, body = clouds.request("CloudTwo", "/glance/v2/images")
    assert (status, body["cloud"], body["path"]) == (200, "CloudTwo", "/glance/v2/images")
