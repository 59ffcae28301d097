"""The clouds' HAProxy routers, generated from the lab clouds' real Keystone catalogs.

The routing table is built by ``osc_scope.routing.table`` from each cloud's live catalog
(read on Keystone's own port: HAProxy is what this builds) plus the lab's backend map, and
each cloud's ``haproxy.cfg`` is rendered from it by ``osc_scope.routing.render``. The inputs
are kept in ``DIR/routing/`` so ``osc-scope table build`` and ``osc-scope render`` can
reproduce every file by hand.
"""

import json
import os
import shutil

from osc_scope.lab import common, identity, layout, processes
from osc_scope.routing import catalog, table
from osc_scope.routing import render as renderer

__all__ = ["build_table", "render", "start", "haproxy_name", "haproxy_binary"]


def haproxy_binary():
    """HAProxy as found on PATH (as ``render.check`` finds it), None when not installed."""
    return shutil.which("haproxy")


def haproxy_name(cloud):
    return cloud.process_name("haproxy")


def _routing_dir(lab, *parts):
    return lab.path("routing", *parts)


def build_table(lab, creds):
    """Read every cloud's catalog and write ``DIR/routing/table.json``."""
    os.makedirs(_routing_dir(lab), exist_ok=True)
    endpoints = []
    for cloud in lab.clouds:
        records = catalog.read_cloud(
            cloud.name,
            connect=lambda cloud, c=cloud: identity.direct_connection(c, creds.admin_password),
        )
        with open(_routing_dir(lab, f"{cloud.name}-endpoints.json"), "w") as stream:
            json.dump(
                [
                    {"Region": r.region, "Service Type": r.service_type,
                     "Interface": r.interface, "URL": r.url, "Enabled": True}
                    for r in records
                ],
                stream,
                indent=1,
            )  # fmt: skip
        endpoints += records
    backends = {
        cloud.url(service_type): [cloud.backend(service_type)]
        for cloud in lab.clouds
        for service_type in layout.SERVICES
    }
    with open(_routing_dir(lab, "backends.json"), "w") as stream:
        json.dump(backends, stream, indent=1)
    result = table.build(endpoints, backends)
    result.dump(_routing_dir(lab, "table.json"))
    return result


def render(lab, routing_table, cloud):
    """Write ``DIR/routing/<cloud>/haproxy.cfg`` (and its Lua); return its directory."""
    output = _routing_dir(lab, cloud.name)
    os.makedirs(output, exist_ok=True)
    renderer.render(routing_table, cloud.name, output)
    return output


def start(lab, procs, cloud, directory, timeout=15):
    """Start (or restart, when its files changed) the cloud's HAProxy; wait for it.

    A changed config is checked (``haproxy -c``) before the running HAProxy is stopped."""
    name = haproxy_name(cloud)
    config = os.path.join(directory, "haproxy.cfg")
    digest = common.config_digest(directory)
    if procs.runs_with(name, digest):
        return
    renderer.check(config)
    procs.ensure(name, [haproxy_binary(), "-db", "-f", config], digest, cwd=directory)
    for port in cloud.frontend_ports():
        processes.wait_for_port(
            cloud.address, port, timeout, alive=lambda: not procs.exited(name), what=name
        )
