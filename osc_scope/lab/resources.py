"""What the demo needs in each cloud, created through the cloud's HAProxy like a user would:
flavor ``m1.tiny`` in every cloud, a shared network and subnet per cloud, and the ``cirros``
image in the last cloud only (CloudTwo in the default lab). Existing ones are kept.
"""

import io
import time

__all__ = ["IMAGE_NAME", "NETWORK_NAME", "connect", "flavor", "network", "image", "wait_compute"]

IMAGE_NAME = "cirros"
FLAVOR_NAME = "m1.tiny"
NETWORK_NAME = "lab-net"
SUBNET_NAME = "lab-subnet"


def connect(lab, cloud_name):
    """An openstacksdk Connection for a cloud of ``DIR/clouds.yaml`` (not the user's files)."""
    from openstack import connection
    from openstack.config import loader

    config = loader.OpenStackConfig(config_files=[lab.clouds_yaml], load_envvars=False)
    return connection.Connection(config=config.get_one(cloud_name))


def image_bytes():
    """A tiny raw disk that is obviously not an OS: glance only needs bytes of a known format."""
    header = b"osc-scope lab image: a cirros stand-in for Nova's fake driver\n"
    return header + bytes(64 * 1024 - len(header))


def flavor(conn):
    if conn.compute.find_flavor(FLAVOR_NAME) is None:
        conn.compute.create_flavor(name=FLAVOR_NAME, ram=512, vcpus=1, disk=1, is_public=True)


def network(conn, index):
    net = conn.network.find_network(NETWORK_NAME)
    if net is None:
        net = conn.network.create_network(name=NETWORK_NAME, is_shared=True)
    if conn.network.find_subnet(SUBNET_NAME) is None:
        conn.network.create_subnet(
            name=SUBNET_NAME,
            network_id=net.id,
            ip_version=4,
            cidr=f"10.{index}.0.0/24",
            is_dhcp_enabled=False,
        )


def image(conn):
    if conn.image.find_image(IMAGE_NAME) is None:
        conn.create_image(
            IMAGE_NAME,
            data=io.BytesIO(image_bytes()),
            disk_format="raw",
            container_format="bare",
            visibility="public",
            wait=True,
        )


def wait_compute(conn, host_mapped, alive, timeout=90):
    """Wait until nova-compute reports, its resource provider exists and its host is mapped
    (boots that arrive earlier go to ERROR)."""
    deadline = time.monotonic() + timeout
    waiting = "nova-compute"
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError("nova-compute exited")
        services = list(conn.compute.services(binary="nova-compute"))
        if any(s.state == "up" for s in services):
            waiting = "its resource provider"
            if list(conn.placement.resource_providers()):
                waiting = "its host mapping (scheduler discovery)"
                if host_mapped():
                    return
        time.sleep(0.5)
    raise TimeoutError(f"still waiting for {waiting} after {timeout} s")
