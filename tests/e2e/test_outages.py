"""Parts of the lab stopped: failover, and errors that name the cloud at fault.

Each test stops one process of the lab and the ``restore`` fixture starts it again.
"""

import time

import pytest

pytestmark = pytest.mark.lab


def _eventually(check, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(1)


def _image_ids(lab, scope):
    result = lab.osc("image", "list", "-f", "value", "-c", "ID", scope=scope, check=False)
    return result.stdout.split() if result.returncode == 0 else None


def test_failover_to_the_next_cloud_when_the_first_glance_is_down(restore, cloudtwo_image):
    lab = restore
    scope = {"image": "CloudTwo|CloudOne"}
    assert cloudtwo_image in _image_ids(lab, scope)  # CloudTwo first while it is up
    lab.stop("CloudTwo-glance")
    assert _eventually(lambda: _image_ids(lab, scope) is not None)
    ids = _image_ids(lab, scope)
    assert ids is not None and cloudtwo_image not in ids  # CloudOne's list


def test_failover_when_the_local_glance_is_down(restore, cloudtwo_image):
    """Version discovery (no token) carries X-Scope too, so it fails over as well."""
    lab = restore
    lab.stop("CloudOne-glance")
    ids = _eventually(lambda: _image_ids(lab, {"image": "CloudOne|CloudTwo"}), timeout=15)
    assert ids and cloudtwo_image in ids


def test_cloudtwo_haproxy_stopped_is_a_503_naming_cloudtwo(restore):
    lab = restore
    lab.stop("CloudTwo-haproxy")
    assert lab.lab("status", check=False).returncode == 1  # status sees CloudTwo is gone
    result = lab.osc("image", "list", scope={"image": "CloudTwo"}, check=False)
    assert result.returncode != 0
    assert "503" in result.stderr or "Service Unavailable" in result.stderr
    assert "CloudTwo" in result.stderr


def test_cloudtwo_glance_stopped_is_an_error_naming_cloudtwo(restore):
    lab = restore
    lab.stop("CloudTwo-glance")
    result = lab.osc("image", "list", scope={"image": "CloudTwo"}, check=False)
    assert result.returncode != 0
    assert "CloudTwo" in result.stderr
    assert "Traceback" not in result.stderr
