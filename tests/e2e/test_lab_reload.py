"""``lab up`` on a running lab whose catalog changed: the routers reload, never restart.

CloudOne's image endpoint is taken out of its catalog (``lab up`` does not use it: the
image lives in CloudTwo) and put back; each time both routers' tables change, and each
HAProxy master keeps its PID (a reload, SIGUSR2) while its worker is replaced.
"""

import json
import os

import pytest

from osc_scope.lab import layout, processes

pytestmark = pytest.mark.lab


def _masters(lab):
    table = processes.ProcessTable(
        os.path.join(lab.workdir, "run"), os.path.join(lab.workdir, "log")
    )
    return {cloud: table.pid(f"{cloud}-haproxy") for cloud in ("CloudOne", "CloudTwo")}


def _routed_image_urls(lab):
    with open(os.path.join(lab.workdir, "routing", "table.json")) as stream:
        clouds = json.load(stream)["clouds"]
    return {
        e["url"] for c in clouds.values() for e in c["endpoints"] if e["service_type"] == "image"
    }


def _cloudone_image_endpoint(lab):
    rows = lab.osc_json("endpoint", "list", "--service", "image", "--interface", "public",
                        "--region", "CloudOne")  # fmt: skip
    return rows[0]["ID"] if rows else None


def test_a_catalog_change_reloads_both_routers(lab, cloudtwo_image):
    image_url = layout.Lab.load(lab.workdir).cloud("CloudOne").url("image")
    masters = _masters(lab)
    assert all(masters.values())
    lab.osc("endpoint", "delete", _cloudone_image_endpoint(lab))
    try:
        result = lab.lab("up")
        for cloud in ("CloudOne", "CloudTwo"):
            assert f"{cloud}-haproxy: routing changed, reloaded" in result.stdout, result.stdout
        assert image_url not in _routed_image_urls(lab)
        assert _masters(lab) == masters
    finally:
        if _cloudone_image_endpoint(lab) is None:
            lab.osc("endpoint", "create", "--region", "CloudOne", "image", "public", image_url)
    result = lab.lab("up")
    assert "CloudOne-haproxy: routing changed, reloaded" in result.stdout, result.stdout
    assert image_url in _routed_image_urls(lab)
    assert _masters(lab) == masters
    ids = lab.osc("image", "list", "-f", "value", "-c", "ID", scope={"image": "CloudTwo"})
    assert cloudtwo_image in ids.stdout.split()
    assert lab.lab("up").stdout.count("routing changed") == 0  # nothing changed: left alone
