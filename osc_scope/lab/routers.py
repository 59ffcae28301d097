"""The clouds' HAProxy routers, generated from the lab clouds' real Keystone catalogs.

The routing table is built by ``osc_scope.routing.table`` from each cloud's live catalog
(read on Keystone's own port: HAProxy is what this builds) plus the lab's backend map, and
each cloud's ``haproxy.cfg`` is rendered from it by ``osc_scope.routing.render``, with the
``fanout.json`` of the cloud's fan-out service (``osc-scope fanout serve``, run beside it).
The inputs are kept in ``DIR/routing/`` so ``osc-scope table build`` and ``osc-scope render`` can
reproduce every file by hand; each cloud's rendered releases and its ``current`` one are in
``DIR/routing/<cloud>/`` (``osc_scope.lab.haproxy``: a changed one is a reload). With the
lab's WAN on (``osc_scope.lab.mesh``), each router reaches the other clouds at their WAN
addresses, from its cloud's namespace, and is reached at its own.
"""

import hashlib
import json
import os

from osc_scope.lab import haproxy, identity, layout, mesh, processes
from osc_scope.lab.common import venv_bin
from osc_scope.routing import catalog, fanout_plan, table
from osc_scope.routing import render as renderer

__all__ = ["build_table", "render", "start", "start_fanout", "fanout_name", "haproxy_name"]


def haproxy_name(cloud):
    return cloud.process_name("haproxy")


def fanout_name(cloud):
    return cloud.process_name("fanout")


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
    backends = _backends(lab, endpoints)
    with open(_routing_dir(lab, "backends.json"), "w") as stream:
        json.dump(backends, stream, indent=1)
    result = table.build(endpoints, backends)
    result.dump(_routing_dir(lab, "table.json"))
    return result


def _backends(lab, endpoints):
    """The lab's service behind each endpoint the catalogs list at the lab's own URL for it
    (an endpoint removed from a catalog is a routing change, not an error)."""
    clouds = {cloud.name: cloud for cloud in lab.clouds}
    backends = {}
    for record in endpoints:
        cloud = clouds.get(record.region)
        if record.service_type in layout.SERVICES and cloud is not None:
            if record.url == cloud.url(record.service_type):
                backends[record.url] = [cloud.backend(record.service_type)]
    return backends


def _sockets_dir(lab, cloud):
    """The Unix sockets of the cloud's fan-out service and its router's internal listeners:
    outside the releases, so a reload keeps the paths."""
    return _routing_dir(lab, cloud.name, "sockets")


def render(lab, routing_table, cloud):
    """Render the cloud's router as a release under ``DIR/routing/<cloud>/``; return it."""
    sockets = _sockets_dir(lab, cloud)
    os.makedirs(sockets, exist_ok=True)
    options = {"fanout_run_dir": sockets}
    if lab.wan:  # the other clouds are reached on the WAN, from this cloud's namespace
        wan = lab.mesh
        if not isinstance(routing_table, dict):
            routing_table = routing_table.to_dict()
        for other in lab.cloud_names:
            if other != cloud.name:
                routing_table = mesh.rehost_cloud(routing_table, other, wan.address(other))
        options["wan"] = {
            "address": wan.address(cloud.name),
            "namespace": wan.namespace(cloud.name),
        }
    return haproxy.stage(
        _routing_dir(lab, cloud.name),
        lambda output: renderer.render(routing_table, cloud.name, output, **options),
    )


def start(lab, procs, cloud, release, timeout=15):
    """Run the cloud's HAProxy on ``release``: started, reloaded when it runs another
    release (checked first), or left alone; returns which."""
    listeners = [(cloud.address, port) for port in cloud.frontend_ports()]
    return haproxy.serve(
        procs, haproxy_name(cloud), _routing_dir(lab, cloud.name), release, listeners, timeout
    )


def start_fanout(lab, procs, cloud, release, timeout=15):
    """Run the cloud's fan-out service on the release's fanout.json: started, restarted
    when that file changed, or left alone; returns which."""
    config = os.path.join(release, fanout_plan.FANOUT_JSON)
    with open(config, "rb") as stream:
        digest = hashlib.sha256(stream.read()).hexdigest()
    name = fanout_name(cloud)
    argv = [venv_bin("osc-scope"), "fanout", "serve", "--config", config]
    state = procs.ensure(name, argv, digest, cwd=lab.workdir)
    with open(config) as stream:
        listen = json.load(stream)["listen"]
    alive = lambda: not procs.exited(name)  # noqa: E731
    processes.wait_for_unix_socket(listen, timeout, alive=alive, what=name)
    return state
