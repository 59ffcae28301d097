"""A partition between two clouds, and its healing: CloudTwo's router and services run in a
network namespace of their own, joined to CloudOne by a veth link (osc_scope.lab.wan) that
the test cuts and heals, under steady load through CloudOne's router.

- requests that stay in CloudOne: none fails;
- requests scoped to CloudTwo: a 503 naming CloudTwo, each within the bound the
  configuration gives (connect timeout, then the checks that notice), never a hang;
- ``CloudTwo|CloudOne``: served by CloudOne during the partition, by CloudTwo again after
  the link is healed, without restarting anything.
"""

import json
import os
import pathlib
import shutil

import pytest

from osc_scope.lab import load, wan
from osc_scope.routing import timing

pytestmark = [pytest.mark.haproxy, pytest.mark.slow]

SERVICES = ("compute", "identity", "image", "network", "placement")
CONNECT_TIMEOUT = "1s"
TABLE = pathlib.Path(__file__).resolve().parents[2] / "vectors" / "routing_table.json"


def scoped(image):
    bindings = {service: "CloudOne" for service in SERVICES}
    bindings["image"] = image
    wire = json.dumps(bindings, sort_keys=True, separators=(",", ":"))
    return {"X-Auth-Token": f"gAAAAABpartition-token!SCOPE!{wire}"}


@pytest.fixture
def wan_clouds(make_clouds):
    if os.geteuid() != 0 or not shutil.which("ip"):
        pytest.skip("network namespaces need root and iproute2")
    namespace = wan.Namespace("two")
    link = wan.Link(namespace)
    text = TABLE.read_text().replace("127.0.0.1", link.near)
    table = json.loads(text.replace("127.0.0.2", link.far))
    clouds = make_clouds(table=table, namespaces={"CloudTwo": namespace})
    try:
        timeouts = {"connect": CONNECT_TIMEOUT}
        clouds.start("CloudTwo", timeouts=timeouts)
        clouds.start("CloudOne", timeouts=timeouts)
        clouds.wait_ready()
        yield clouds, link
    finally:
        clouds.close()
        link.close()
        namespace.close()


def test_partition_then_heal(wan_clouds):
    clouds, link = wan_clouds
    url = clouds.url("CloudOne", "/image/v2/images")
    checks = clouds.routers["CloudOne"].checks
    # a request scoped to CloudTwo may wait for one connect timeout, then for the checks
    # that mark CloudTwo down (which end the requests in flight): never longer
    bound = timing.milliseconds(CONNECT_TIMEOUT) / 1000 + clouds.to_notice()
    with (
        load.SteadyLoad(url, {}, clients=2) as local,
        load.SteadyLoad(url, scoped("CloudTwo|CloudOne"), clients=2) as failover,
        load.SteadyLoad(url, scoped("CloudTwo"), clients=2, timeout=60) as remote,
    ):
        clouds.wait_for(lambda: failover.count(lambda s: s.served_by == "CloudTwo") > 10)
        link.cut()
        cut = failover.count()
        clouds.wait_for(
            lambda: (
                failover.count(lambda s: s.served_by == "CloudOne") > 10
                and remote.count(lambda s: s.status == 503) > 5
            ),
            timeout=bound + clouds.to_notice(),
        )
        link.heal()
        healed = failover.count()
        clouds.wait_for(
            lambda: (
                failover.count(lambda s: s.served_by == "CloudTwo") > cut + 10
                and failover.samples[-1].served_by == "CloudTwo"
            ),
            timeout=checks.remote_interval * 3 + clouds.to_notice(),
        )
    assert [s for s in local.samples if s.failed] == []
    assert all(s.served_by == "CloudOne" for s in local.samples)
    refused = [s for s in remote.samples if s.failed]
    assert refused, "no request scoped to CloudTwo failed during the partition"
    for sample in refused:
        assert sample.status == 503 and "CloudTwo" in sample.body, sample
        assert sample.end - sample.start <= bound, sample
    assert any(s.served_by == "CloudTwo" for s in failover.samples[healed:])
